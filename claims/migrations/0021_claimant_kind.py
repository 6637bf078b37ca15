"""Claimants are people or organisations (Claimant.kind); their history is kept; merging a
duplicate claimant is proposed by an editor and confirmed by a reviewer (ClaimantMerge)."""

import re

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes
from django.db import migrations, models


# Words that make a name an organisation's, not a person's. A claimant whose name is its
# organisation ("Voice of America") is one too. Everyone else stays a person; an editor can
# change a claimant's kind in the admin.
ORGANISATION_WORDS = {
    "institute", "institution", "ministry", "department", "agency", "association", "council",
    "committee", "party", "organization", "organisation", "university", "college", "inc",
    "ltd", "llc", "plc", "corp", "corporation", "company", "news", "times", "government",
    "office", "commission", "foundation", "centre", "center", "bureau", "administration",
    "union", "society", "federation", "authority", "service", "services", "group", "board",
    "parliament", "senate", "congress", "embassy", "army", "police", "bank", "network",
    "press", "post", "journal", "magazine", "tribune", "herald", "gazette", "agence",
    "ministers", "leaders",  # a body speaking together ("NATO Defence Ministers")
}


def organisation_name(name: str, organisation: str) -> bool:
    words = set(re.findall(r"\w+", name.casefold()))
    if words & ORGANISATION_WORDS:
        return True
    return bool(organisation.strip()) and (
        organisation.strip().casefold() == name.strip().casefold())


def set_kinds(apps, schema_editor):
    Claimant = apps.get_model("claims", "Claimant")
    for claimant in Claimant.objects.only("id", "name", "organisation").iterator():
        if organisation_name(claimant.name, claimant.organisation):
            Claimant.objects.filter(pk=claimant.pk).update(kind="organisation")


def grant_merge_permissions(apps, schema_editor):
    # Editors propose merges; reviewers propose and confirm them.
    config = apps.get_app_config("claims")
    config.models_module = True
    create_contenttypes(config, verbosity=0, apps=apps)
    create_permissions(config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in (("Editors", ["add_claimantmerge", "view_claimantmerge"]),
                            ("Reviewers", ["add_claimantmerge", "view_claimantmerge",
                                           "confirm_claimantmerge"])):
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        group.permissions.add(*Permission.objects.filter(
            content_type__app_label="claims", codename__in=codenames))


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0020_notification_preferences'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='claimant',
            name='kind',
            field=models.CharField(choices=[('person', 'Person'), ('organisation', 'Organisation')], default='person', max_length=20),
        ),
        migrations.CreateModel(
            name='HistoricalClaimant',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('created_at', models.DateTimeField(blank=True, editable=False)),
                ('name', models.CharField(max_length=200)),
                ('kind', models.CharField(choices=[('person', 'Person'), ('organisation', 'Organisation')], default='person', max_length=20)),
                ('role', models.CharField(blank=True, help_text='Title or role, e.g. Secretary General', max_length=200)),
                ('organisation', models.CharField(blank=True, max_length=200)),
                ('url', models.URLField(blank=True, max_length=2000, verbose_name='URL')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical claimant',
                'verbose_name_plural': 'historical claimants',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='ClaimantMerge',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('duplicate_name', models.CharField(max_length=500)),
                ('kept_name', models.CharField(max_length=500)),
                ('state', models.CharField(choices=[('proposed', 'Proposed'), ('confirmed', 'Confirmed'), ('declined', 'Declined')], default='proposed', max_length=20)),
                ('note', models.TextField(blank=True)),
                ('proposed_at', models.DateTimeField(auto_now_add=True)),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('claims_moved', models.PositiveIntegerField(default=0)),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('duplicate', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='merges_as_duplicate', to='claims.claimant')),
                ('kept', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='merges_as_kept', to='claims.claimant')),
                ('proposed_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-proposed_at', '-id'],
                'permissions': [('confirm_claimantmerge', 'Can confirm or decline merging claimants')],
                'constraints': [models.CheckConstraint(condition=models.Q(('duplicate', models.F('kept')), _negated=True), name='claimantmerge_not_itself'), models.UniqueConstraint(condition=models.Q(('state', 'proposed')), fields=('duplicate',), name='claimantmerge_one_open_per_duplicate')],
            },
        ),
        migrations.RunPython(set_kinds, migrations.RunPython.noop),
        migrations.RunPython(grant_merge_permissions, migrations.RunPython.noop),
    ]
