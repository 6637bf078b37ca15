"""Drop the stored export lines: on PostgreSQL the triggers of migration 0008 and their
functions first (a trigger left behind would make every write to the tables it watches fail
once the table is gone), then the claims_exportline table on every database.

The exports build each record in Python (claims/exporters/rows.py) and keep nothing.
Reversing recreates the table and, on PostgreSQL, the triggers, as 0008 left them."""

import importlib

from django.conf import settings
from django.db import migrations

_0008 = importlib.import_module("claims.migrations.0008_exportline")


def drop_triggers(apps, schema_editor):
    """0008's triggers and functions, by their names (DROP ... IF EXISTS); nothing on SQLite."""
    _0008.backwards(apps, schema_editor)


def create_triggers(apps, schema_editor):
    _0008.forwards(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0010_published_edit"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(drop_triggers, create_triggers, elidable=False),
        migrations.DeleteModel(name="ExportLine"),
    ]
