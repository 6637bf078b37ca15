"""pg_trgm and GIN trigram indexes on Claim.statement and Claim.quote, on PostgreSQL only,
so "similar claims" (claims.assist.selectors) finds candidates with the `%` operator
through an index instead of comparing every claim. SQLite has no trigram operator; the
desk falls back to comparing a bounded set of recent claims in Python there.

CREATE EXTENSION needs a role allowed to create it (a superuser, or the database owner
on PostgreSQL 13+ for trusted extensions such as pg_trgm)."""

from django.db import migrations

INDEXES = {
    "claim_statement_trgm_idx": "statement",
    "claim_quote_trgm_idx": "quote",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("claims", "Claim")._meta.db_table
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ("{column}" gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("claims", "0004_claim_search_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
