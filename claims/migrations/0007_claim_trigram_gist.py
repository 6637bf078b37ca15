"""Similar claims: GiST trigram indexes instead of GIN, on PostgreSQL only.

`make bench` showed the GIN `%` search taking ~38 s per claim page at a million claims:
common trigrams have posting lists of most of the table, and every hit was re-scored.
A GiST trigram index answers "the k nearest by trigram distance" (ORDER BY col <-> text
LIMIT k) by walking the index in distance order and stopping after k rows."""

from django.db import migrations

GIST = {"claim_statement_trgm_gist": "statement", "claim_quote_trgm_gist": "quote"}
GIN = {"claim_statement_trgm_idx": "statement", "claim_quote_trgm_idx": "quote"}


def _table(apps):
    return apps.get_model("claims", "Claim")._meta.db_table


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = _table(apps)
    for name, column in GIST.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gist ("{column}" gist_trgm_ops)'
        )
    for name in GIN:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = _table(apps)
    for name, column in GIN.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ("{column}" gin_trgm_ops)'
        )
    for name in GIST:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("claims", "0006_claim_search_vector")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
