from django.db import migrations, models


class Migration(migrations.Migration):
    """An article already on the desk is found by its URL or its exact text."""

    dependencies = [
        ("claims", "0018_verdict_captures"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["url"], name="article_url_idx"),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["body_sha256"], name="article_sha256_idx"),
        ),
    ]
