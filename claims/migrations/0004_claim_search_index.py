"""A GIN index for the claims table's full-text search, on PostgreSQL only.

The index is built on exactly the expression claims.filters.claim_search_vector() produces,
so PostgreSQL can use it; SQLite has no full-text operator here and searches by substring."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX_NAME = "claim_search_gin_idx"


def _index():
    # Frozen copy of claims.filters.claim_search_vector(); tests check the two agree.
    return GinIndex(SearchVector("statement", "quote", config="english"), name=INDEX_NAME)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.add_index(apps.get_model("claims", "Claim"), _index())


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX_NAME}"')


class Migration(migrations.Migration):
    dependencies = [("claims", "0003_groups")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
