"""Who wrote each verdict version, as rows (VerdictEditor), so the two-person rule reads data
instead of the history's change reasons.

The data step fills the rows from the history as it stands: every historical verdict row
whose reason says its user wrote text ("Drafted", "Edited", or "Correction submitted for
review", the reasons the services recorded up to this migration) gives one row per person
and verdict. Backwards the table goes and the history still holds what it held."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The reasons the services wrote when a user wrote a verdict's text, spelt as they were
# when this migration was written (later rewording changes no row this reads).
WRITING_REASONS = ["Drafted", "Edited", "Correction submitted for review"]

BATCH = 5000


def fill_editors(apps, schema_editor):
    HistoricalVerdict = apps.get_model("claims", "HistoricalVerdict")
    Verdict = apps.get_model("claims", "Verdict")
    VerdictEditor = apps.get_model("claims", "VerdictEditor")
    pairs = (
        HistoricalVerdict.objects.filter(
            history_change_reason__in=WRITING_REASONS,
            history_user__isnull=False,
            id__in=Verdict.objects.values("pk"),
        )
        .order_by()
        .values_list("id", "history_user_id")
        .distinct()
    )
    batch = []
    for verdict_id, user_id in pairs.iterator(chunk_size=BATCH):
        batch.append(VerdictEditor(verdict_id=verdict_id, user_id=user_id))
        if len(batch) == BATCH:
            VerdictEditor.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    VerdictEditor.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0011_drop_exportline"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="VerdictEditor",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                           related_name="+", to=settings.AUTH_USER_MODEL)),
                ("verdict", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                              related_name="editor_rows", to="claims.verdict")),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("verdict", "user"),
                                                        name="verdict_editor_once")],
            },
        ),
        migrations.RunPython(fill_editors, migrations.RunPython.noop),
    ]
