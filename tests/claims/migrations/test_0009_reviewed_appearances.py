"""Migration 0009 records, for each fact-check already published, the appearances readers
may keep seeing: those linked when it was reviewed, never a claim logged afterwards (the
probe's memo), first appearance first."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = ("claims", "0008_exportline")
AFTER = ("claims", "0009_published_record")


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.mark.django_db(transaction=True)
def test_existing_published_verdicts_keep_only_appearances_linked_before_review():
    apps = migrate(BEFORE)
    try:
        Article = apps.get_model("claims", "Article")
        Claim = apps.get_model("claims", "Claim")
        Verdict = apps.get_model("claims", "Verdict")
        Rating = apps.get_model("claims", "Rating")
        User = apps.get_model("auth", "User")
        author = User.objects.create(username="author")
        body = "The minister said unemployment fell by 12 per cent last year."

        def claim_in(title, url, published_on, **extra):
            article = Article.objects.create(title=title, url=url, body=body,
                                             published_on=published_on)
            return Claim.objects.create(article=article, statement="Unemployment fell",
                                        quote="unemployment fell", anchor_start=18,
                                        anchor_end=35, **extra)

        first = claim_in("Speech", "https://news.example/speech", date(2026, 3, 1))
        repeat = claim_in("TV", "https://tv.example/show", date(2026, 3, 5),
                          appearance_of=first)
        approved_at = timezone.now() - timedelta(days=1)
        Claim.objects.update(created_at=approved_at - timedelta(hours=1))
        verdict = Verdict.objects.create(
            claim=first, author=author, rating=Rating.objects.order_by("id").first(),
            rationale="Because.", state="published", approved_at=approved_at,
            published_at=approved_at + timedelta(minutes=5))
        # Logged and linked after the review, with an earlier date: never public.
        memo = claim_in("INTERNAL-ONLY leaked memo draft", "http://intranet.local/memo",
                        date(2026, 1, 5), appearance_of=first)
        draft = Verdict.objects.create(claim=repeat, author=author, state="draft")

        apps = migrate(AFTER)
        VerdictAppearance = apps.get_model("claims", "VerdictAppearance")
        recorded = list(VerdictAppearance.objects.filter(verdict_id=verdict.pk)
                        .order_by("position").values_list("article__title", flat=True))
        assert recorded == ["Speech", "TV"]
        assert memo.article.title not in recorded
        assert not VerdictAppearance.objects.filter(verdict_id=draft.pk).exists()
        assert apps.get_model("claims", "Article").objects.filter(is_internal=True).count() == 0
    finally:
        latest = MigrationExecutor(connection).loader.graph.leaf_nodes("claims")[0]
        migrate(latest)  # the database the other tests expect
