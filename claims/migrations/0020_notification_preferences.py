import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("claims", "0019_article_repeat_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="NotificationPreference",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("email_review_requests", models.BooleanField(
                    default=True,
                    help_text="Sent to everyone who may review (the Reviewers group), never to "
                    "its authors.",
                    verbose_name="E-mail me when a verdict is submitted for review")),
                ("email_my_work", models.BooleanField(
                    default=True,
                    help_text="When a verdict of mine is approved, sent back or published, and "
                    "when a claim is assigned to me.",
                    verbose_name="E-mail me about my own work")),
                ("user", models.OneToOneField(
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="notification_preference", to=settings.AUTH_USER_MODEL)),
            ],
        ),
    ]
