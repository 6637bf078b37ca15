"""Reading fact-checks published elsewhere: the formats they come in (formats.py: JSON,
JSON Lines, schema.org DataFeed, HTML with JSON-LD, Google Fact Check Tools' claims:search
response), streamed record by record, and the checks that turn one raw record into the
fields of a FactCheck or a rejection in words (records.py). Nothing here writes to the
database: claims/services/factchecks.py does."""
