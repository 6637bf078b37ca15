from django.db import migrations

LEVELS = [
    # (position, label, slug, value, colour, definition)
    (1, "True", "true", 5, "#1a7f37",
     "The statement is accurate and nothing significant is missing."),
    (2, "Mostly true", "mostly-true", 4, "#4c9a2a",
     "The statement is accurate but needs clarification or additional information."),
    (3, "Half true", "half-true", 3, "#b08800",
     "The statement is partially accurate but leaves out important details or takes things "
     "out of context."),
    (4, "Mostly false", "mostly-false", 2, "#d1570b",
     "The statement contains an element of truth but ignores facts that would give a "
     "different impression."),
    (5, "False", "false", 1, "#cf222e", "The statement is not accurate."),
    (6, "Unverifiable", "unverifiable", None, "#6e7781",
     "The available evidence can neither confirm nor refute the statement."),
]


def create_default_scale(apps, schema_editor):
    RatingScale = apps.get_model("claims", "RatingScale")
    Rating = apps.get_model("claims", "Rating")
    scale, _ = RatingScale.objects.get_or_create(
        slug="default",
        defaults={
            "name": "Six-level truth scale",
            "description": "Five ordered levels from True to False, and Unverifiable for claims "
            "the evidence cannot settle.",
            "is_default": True,
        },
    )
    for position, label, slug, value, colour, definition in LEVELS:
        Rating.objects.get_or_create(
            scale=scale,
            slug=slug,
            defaults={"label": label, "value": value, "colour": colour,
                      "definition": definition, "position": position},
        )


def remove_default_scale(apps, schema_editor):
    apps.get_model("claims", "RatingScale").objects.filter(slug="default").delete()


class Migration(migrations.Migration):
    dependencies = [("claims", "0001_initial")]
    operations = [migrations.RunPython(create_default_scale, remove_default_scale)]
