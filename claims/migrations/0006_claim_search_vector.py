"""A stored search vector for claims, kept by a trigger, on PostgreSQL.

0004 indexed the expression to_tsvector(statement || ' ' || quote). PostgreSQL used that
index only when it expected few matches; for a common word it walked the date index and
computed to_tsvector for every row it passed (100 ms and more per page at 100k claims,
benchmarks/). A stored column makes that filter a cheap comparison, and the GIN index on it
(same name as before) serves the rare words.

The trigger runs on every insert and update (the ORM writes the column as NULL on each
save) and is ENABLE ALWAYS so bulk loads under session_replication_role = replica fill it
too. SQLite gets the column but never fills it: it searches by substring."""

import django.contrib.postgres.search
from django.db import migrations

INDEX_NAME = "claim_search_gin_idx"
# Must stay equal to claims.filters.claim_search_vector(): statement and quote, English.
VECTOR = (
    "to_tsvector('english'::regconfig, "
    "COALESCE(NEW.statement, '')::text || ' ' || COALESCE(NEW.quote, '')::text)"
)
CREATE = f"""
CREATE OR REPLACE FUNCTION claims_claim_search_vector() RETURNS trigger AS $$
BEGIN
    NEW.search_vector := {VECTOR};
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS claims_claim_search_vector_trg ON claims_claim;
CREATE TRIGGER claims_claim_search_vector_trg BEFORE INSERT OR UPDATE ON claims_claim
    FOR EACH ROW EXECUTE FUNCTION claims_claim_search_vector();
ALTER TABLE claims_claim ENABLE ALWAYS TRIGGER claims_claim_search_vector_trg;
UPDATE claims_claim SET search_vector = {VECTOR.replace("NEW.", "")};
DROP INDEX IF EXISTS "{INDEX_NAME}";
CREATE INDEX "{INDEX_NAME}" ON claims_claim USING gin (search_vector);
"""
DROP = f"""
DROP TRIGGER IF EXISTS claims_claim_search_vector_trg ON claims_claim;
DROP FUNCTION IF EXISTS claims_claim_search_vector();
DROP INDEX IF EXISTS "{INDEX_NAME}";
CREATE INDEX "{INDEX_NAME}" ON claims_claim USING gin ({VECTOR.replace("NEW.", "")});
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0005_claim_trigram_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                blank=True, editable=False, null=True
            ),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
