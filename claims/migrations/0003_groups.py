from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes
from django.db import migrations

EDITOR_PERMISSIONS = [
    "view_article", "add_article", "change_article",
    "view_claimant", "add_claimant", "change_claimant",
    "view_tag", "add_tag",
    "view_claim", "add_claim", "change_claim",
    "view_source", "add_source", "change_source",
    "view_capture",
    "view_evidence", "add_evidence", "change_evidence", "delete_evidence",
    "view_ratingscale", "view_rating",
    "view_verdict", "add_verdict", "change_verdict",
    "view_claimsuggestion", "change_claimsuggestion",
]
REVIEWER_PERMISSIONS = EDITOR_PERMISSIONS + ["review_verdict", "publish_verdict"]


def create_groups(apps, schema_editor):
    # Permissions are normally created after migrate; make sure they exist now.
    config = apps.get_app_config("claims")
    config.models_module = True
    create_contenttypes(config, verbosity=0, apps=apps)
    create_permissions(config, verbosity=0, apps=apps)

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in (("Editors", EDITOR_PERMISSIONS), ("Reviewers", REVIEWER_PERMISSIONS)):
        group, _ = Group.objects.get_or_create(name=name)
        perms = list(
            Permission.objects.filter(content_type__app_label="claims", codename__in=codenames)
        )
        missing = set(codenames) - {p.codename for p in perms}
        if missing:
            raise RuntimeError(f"Permissions missing for {name}: {sorted(missing)}")
        group.permissions.add(*perms)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Reviewers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0002_default_rating_scale"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_groups, remove_groups)]
