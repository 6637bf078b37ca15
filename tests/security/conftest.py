"""The demo desk the permission matrix, the odd-parameter and the property tests request
every URL against."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from claims.choices import CaptureStatus, VerdictState
from claims.models import (
    Article,
    Capture,
    Claim,
    Claimant,
    ClaimantMerge,
    ClaimSuggestion,
    Evidence,
    FactCheck,
    Source,
    Verdict,
)
from claims.services.tokens import api_token_create
from tests.support.archives import write_archive


@pytest.fixture
def desk(db, settings, tmp_path):
    """The demo desk, and an object for every URL that names one (see url_for). The capture
    a published fact-check cites has an evidence archive, in storage of the test's own."""
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", verbosity=0)
    published = Verdict.objects.filter(state=VerdictState.PUBLISHED, is_current=True).first()
    capture = Capture.objects.filter(status=CaptureStatus.SUCCESS,
                                     source__evidence__verdicts=published).first()
    write_archive(capture)
    article = Article.objects.first()
    suggestion = ClaimSuggestion.objects.create(
        article=article, start=0, end=10, text=article.body[:10], score=0.5)
    duplicate, kept = Claimant.objects.order_by("id")[:2]
    merge = ClaimantMerge.objects.create(duplicate=duplicate, kept=kept,
                                         duplicate_name=duplicate.name, kept_name=kept.name)
    return {
        "claimant_merge": merge,
        "article": article,
        "claim": Claim.objects.first(),
        "source": Source.objects.first(),
        "capture": capture,
        "verdict": Verdict.objects.filter(is_current=True).first(),
        "published": published,
        "suggestion": suggestion,
        "claimant": Claimant.objects.first(),
        "evidence": Evidence.objects.first(),
        "factcheck": FactCheck.objects.first() or FactCheck.objects.create(
            url="https://factchecks.example/moon", claim_reviewed="The moon is made of cheese",
            origin="feed", publisher_name="Example Checks"),
        "api_token": api_token_create(user=get_user_model().objects.get(username="editor"),
                                      name="Matrix", scopes=["read"])[0],
    }
