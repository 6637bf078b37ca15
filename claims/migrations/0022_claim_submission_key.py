"""Claim.submission_key: the one-time key of the form (or the API request's
Idempotency-Key) that logged a claim, unique per person, so a form sent twice finds the
claim it saved instead of logging a copy."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("claims", "0021_claimant_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="submission_key",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.AddConstraint(
            model_name="claim",
            constraint=models.UniqueConstraint(
                condition=models.Q(("submission_key", ""), _negated=True),
                fields=("created_by", "submission_key"),
                name="claim_submission_key_unique",
            ),
        ),
    ]
