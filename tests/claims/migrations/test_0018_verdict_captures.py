"""Migration 0018 records, for each verdict already approved or published, the capture of
each cited source readers keep seeing: the latest successful one made by its approval (a
re-fetch since is not it), or the latest if none was made by then; none for a draft."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = ("claims", "0017_claim_factcheck_link")
AFTER = ("claims", "0018_verdict_captures")


def migrate(target):
    call_command("migrate", *target, verbosity=0)
    return MigrationExecutor(connection).loader.project_state([target]).apps


@pytest.mark.django_db(transaction=True)
def test_reviewed_verdicts_get_the_capture_current_at_their_approval():
    apps = migrate(BEFORE)
    try:
        Article = apps.get_model("claims", "Article")
        Claim = apps.get_model("claims", "Claim")
        Source = apps.get_model("claims", "Source")
        Capture = apps.get_model("claims", "Capture")
        Evidence = apps.get_model("claims", "Evidence")
        Verdict = apps.get_model("claims", "Verdict")
        author = apps.get_model("auth", "User").objects.create(username="author")
        rating = apps.get_model("claims", "Rating").objects.order_by("id").first()
        article = Article.objects.create(title="Speech", body="Unemployment fell by 12%.")
        approved_at = timezone.now() - timedelta(days=7)

        def capture(source, hours, status="success", **extra):
            moment = approved_at + timedelta(hours=hours)
            return Capture.objects.create(
                source=source, status=status, started_at=moment, finished_at=moment,
                sha256="ab" * 32 if status == "success" else "",
                error_kind="" if status == "success" else "http_5xx", **extra)

        def verdict_citing(n, state, *sources, **extra):
            claim = Claim.objects.create(article=article, statement=f"Claim {n}",
                                         quote="Unemployment fell", anchor_start=0,
                                         anchor_end=17)
            verdict = Verdict.objects.create(claim=claim, author=author, rating=rating,
                                             rationale="Because.", state=state, **extra)
            verdict.evidence.set([Evidence.objects.create(claim=claim, source=s)
                                  for s in sources])
            return verdict

        refetched = Source.objects.create(url="https://a.example/", normalized_url="a",
                                          domain="a.example")
        reviewed = capture(refetched, -2, title="As reviewed")
        capture(refetched, -1, status="failed")
        capture(refetched, +1, title="Changed since")
        late = Source.objects.create(url="https://b.example/", normalized_url="b",
                                     domain="b.example")
        only_later = capture(late, +3, title="First stored after the review")
        never = Source.objects.create(url="https://c.example/", normalized_url="c",
                                      domain="c.example")
        published = verdict_citing(1, "published", refetched, late, never,
                                   approved_at=approved_at,
                                   published_at=approved_at + timedelta(hours=5))
        approved = verdict_citing(2, "approved", refetched, approved_at=approved_at)
        draft = verdict_citing(3, "draft", refetched)

        apps = migrate(AFTER)
        VerdictCapture = apps.get_model("claims", "VerdictCapture")

        def recorded(verdict):
            return dict(VerdictCapture.objects.filter(verdict_id=verdict.pk)
                        .values_list("source_id", "capture_id"))

        assert recorded(published) == {refetched.pk: reviewed.pk, late.pk: only_later.pk}
        assert recorded(approved) == {refetched.pk: reviewed.pk}
        assert recorded(draft) == {}
    finally:
        call_command("migrate", "claims", verbosity=0)  # the database the other tests expect
