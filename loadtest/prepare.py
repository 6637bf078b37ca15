"""Data for the load test, and the reconciliation afterwards (runs with Django set up on the
load-test database)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from claims.choices import SourceStatus
from claims.models import Article, Claim, Claimant, Evidence, Rating, Source, Verdict
from claims.services.claims import claim_log

EXTRA_CLAIMS = 400


def prepare_plan(*, users: int, source_base: str) -> dict:
    User = get_user_model()
    editors = Group.objects.get(name="Editors")
    demo_claims = list(Claim.objects.select_related("article", "claimant"))
    created = []
    for i in range(EXTRA_CLAIMS + users):
        base = demo_claims[i % len(demo_claims)]
        created.append(claim_log(
            article=base.article, quote=base.quote, start=base.anchor_start, end=base.anchor_end,
            statement=f"{base.statement} (desk copy {i})", claimant=base.claimant, tags=["load"],
        ))
    plan_users = []
    for i in range(users):
        user, _ = User.objects.get_or_create(username=f"load{i:02d}")
        user.set_password("load-password")
        user.save()
        user.groups.add(editors)
        plan_users.append({"username": user.username, "password": "load-password",
                           "verdict_claim": created[EXTRA_CLAIMS + i].pk})
    return {
        "users": plan_users,
        "claims": [c.pk for c in created[:EXTRA_CLAIMS]] + [c.pk for c in demo_claims],
        "claimants": list(Claimant.objects.values_list("pk", flat=True)),
        "rating": Rating.objects.get(scale__is_default=True, slug="half-true").pk,
        "source_base": source_base,
        "articles": list(Article.objects.values_list("pk", flat=True)),
    }


def reconcile(*, writes_path: Path, since: float, wait_seconds: int) -> dict:
    writes = [json.loads(line) for line in writes_path.read_text().splitlines()] \
        if writes_path.exists() else []
    source_urls = [w["url"] for w in writes if w["kind"] == "source"]
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        unsettled = Source.objects.filter(
            url__in=source_urls, status__in=[SourceStatus.PENDING, SourceStatus.FETCHING]
        ).count()
        if not unsettled:
            break
        time.sleep(2)
    lost = []
    for w in writes:
        if w["kind"] == "source":
            found = Evidence.objects.filter(claim_id=w["claim"], source__url=w["url"]).exists()
        elif w["kind"] == "evidence":
            found = Evidence.objects.filter(claim_id=w["claim"], note=w["note"]).exists()
        else:  # a verdict draft: the edit is in the verdict's history even if later edits followed
            found = Verdict.history.filter(claim_id=w["claim"], summary=w["summary"]).exists()
        if not found:
            lost.append(w)
    sources = Source.objects.filter(url__in=source_urls)
    return {
        "writes_seen": len(writes),
        "writes_by_kind": {k: sum(1 for w in writes if w["kind"] == k)
                           for k in ("source", "evidence", "verdict")},
        "writes_found": len(writes) - len(lost),
        "lost_writes": len(lost),
        "lost_examples": lost[:5],
        "sources_attached": len(source_urls),
        "sources_fetched": sources.filter(status=SourceStatus.FETCHED).count(),
        "sources_failed": sources.filter(status=SourceStatus.FAILED).exclude(last_error="").count(),
        "sources_unsettled": len(source_urls) - sources.filter(status=SourceStatus.FETCHED).count()
        - sources.filter(status=SourceStatus.FAILED).exclude(last_error="").count(),
    }
