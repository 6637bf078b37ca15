"""The demo desk's verdicts: one claim in every workflow state, three published fact-checks
resting on sources with stored captures (demo snapshots shipped beside this module, so
nothing is fetched), and a published correction. Built through the real services, so the
history, notifications and claim statuses are exactly what the desk would record.

Idempotent: a claim that already has a verdict is left alone; a source that already has a
successful capture gets no other."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone
from django.utils.html import strip_tags

from claims.choices import CaptureStatus, SourceStatus, VerdictState
from claims.fetching.extract import text_sha256
from claims.fetching.snapshots import store_snapshot
from claims.models import Capture, Claim, Rating, Source, Verdict
from claims.services.verdicts import (
    verdict_approve,
    verdict_correct,
    verdict_publish,
    verdict_request_changes,
    verdict_save_draft,
    verdict_submit,
)

HERE = Path(__file__).resolve().parent / "snapshots"

SNAPSHOTS = {
    "https://www.nato.int/cps/en/natohq/topics_71652.htm": "nato_operation_unified_protector.html",
    "https://press.un.org/en/2011/sc10200.doc.htm": "unsc_resolution_1973.html",
}


@dataclass
class DemoCorrection:
    note: str
    rating: str
    summary: str
    rationale: str


@dataclass
class DemoVerdict:
    statement: str
    state: str
    rating: str | None
    summary: str
    rationale: str
    review_comment: str = ""
    correction: DemoCorrection | None = None


VERDICTS = [
    DemoVerdict(
        statement="The end of NATO's Libya operation is in sight",
        state=VerdictState.PUBLISHED,
        rating="mostly-true",
        summary="NATO's operation ended in November 2011, about a month later.",
        rationale=(
            "Rasmussen spoke on 6 October 2011. NATO's Operation Unified Protector, which "
            "began on 31 March 2011, ended soon afterwards.\n\n"
            "The end was indeed in sight, although fighting around Sirte was still going on "
            "when he spoke."
        ),
        correction=DemoCorrection(
            note="The first version said the operation ended in November 2011. It ended on "
            "31 October 2011, 25 days after the statement; the rating changes from Mostly "
            "true to True.",
            rating="true",
            summary="NATO's operation ended on 31 October 2011, 25 days later.",
            rationale=(
                "Rasmussen spoke on 6 October 2011. The North Atlantic Council decided on "
                "21 October to end Operation Unified Protector, confirmed it on 28 October, "
                "and the operation ended on **31 October 2011**.\n\n"
                "The end was in sight: the operation closed within four weeks."
            ),
        ),
    ),
    DemoVerdict(
        statement="The threat to civilians in Libya is fading away",
        state=VerdictState.PUBLISHED,
        rating="unverifiable",
        summary="A judgement about a war still under way; the record cannot settle it.",
        rationale=(
            "Resolution 1973 (17 March 2011) authorised \"all necessary measures\" to protect "
            "civilians. Whether the threat was *fading* on 6 October 2011 depends on where "
            "and how one counts: fighting continued in Sirte and Bani Walid.\n\n"
            "We found no measure of the threat to civilians over time that would confirm or "
            "refute the statement."
        ),
    ),
    DemoVerdict(
        statement="For Gadhafi, it is game over",
        state=VerdictState.PUBLISHED,
        rating="mostly-true",
        summary="Said in July 2011; the Gadhafi government fell within weeks.",
        rationale=(
            "The statement is a forecast. Opposition forces entered Tripoli in August 2011 "
            "and Gadhafi was killed near Sirte on 20 October 2011; NATO ended its operation "
            "on 31 October 2011.\n\n"
            "*Mostly true* rather than True because fighting went on for three more months."
        ),
    ),
    DemoVerdict(
        statement="Twelve of NATO's 28 members recognize the Libyan NTC",
        state=VerdictState.APPROVED,
        rating="unverifiable",
        summary="We could not find a dated list of recognitions for July 2011.",
        rationale="Governments announced recognition of the National Transitional Council on "
        "different dates and in different words; no list we found fixes the count in the week "
        "of the report.",
    ),
    DemoVerdict(
        statement="Gadhafi's ministers and generals are deserting him",
        state=VerdictState.SUBMITTED,
        rating="mostly-true",
        summary="Several ministers and senior officers had defected by July 2011.",
        rationale="Among others, Foreign Minister Moussa Koussa left for the United Kingdom in "
        "March 2011. The statement generalises from a number of high-profile defections.",
    ),
    DemoVerdict(
        statement="Qadhafi's forces are fighting for a lost cause",
        state=VerdictState.CHANGES_REQUESTED,
        rating="true",
        summary="The Qadhafi forces lost.",
        rationale="They did.",
        review_comment="This is a forecast: say what happened by the end of October and cite "
        "a source for it, then explain why the rating is True and not Mostly true.",
    ),
    DemoVerdict(
        statement="Recent positive developments in Libya are irreversible",
        state=VerdictState.DRAFT,
        rating=None,
        summary="Too vague to rate as it stands?",
        rationale="",
    ),
]


def ensure_capture(source: Source, filename: str) -> bool:
    """A successful capture of `source` from the demo snapshot, unless it has one."""
    if source.captures.filter(status=CaptureStatus.SUCCESS).exists():
        return False
    body = (HERE / filename).read_bytes()
    sha256, name = store_snapshot(body)
    html = body.decode("utf-8")
    title = strip_tags(html.split("<title>", 1)[1].split("</title>", 1)[0]).strip()
    text = "\n".join(line.strip() for line in strip_tags(html.split("<body>", 1)[1]).splitlines()
                     if line.strip())
    now = timezone.now()
    capture = Capture(
        source=source, status=CaptureStatus.SUCCESS, request_key=f"demo:{source.pk}",
        http_status=200, final_url=source.url, content_type="text/html; charset=utf-8",
        size_bytes=len(body), sha256=sha256,
        text_sha256=text_sha256(text), title=title, text=text,
        metadata={"demo": True}, started_at=now, finished_at=now, duration_ms=0,
    )
    capture.snapshot.name = name
    capture.save()
    Source.objects.filter(pk=source.pk).update(
        status=SourceStatus.FETCHED, title=title, last_fetched_at=now, status_changed_at=now,
        last_error="", last_error_kind="",
    )
    return True


def _rating(slug: str | None) -> Rating | None:
    return Rating.objects.get(scale__is_default=True, slug=slug) if slug else None


def load_demo_verdicts(*, users: dict, report) -> None:
    editor, reviewer = users["editor"], users["reviewer"]
    for url, filename in SNAPSHOTS.items():
        source = Source.objects.filter(normalized_url=url).first()
        if source is not None:
            report.add("captures", ensure_capture(source, filename))
    for spec in VERDICTS:
        claim = Claim.objects.filter(statement=spec.statement).order_by("id").first()
        if claim is None or Verdict.objects.filter(claim=claim).exists():
            continue
        verdict = verdict_save_draft(
            claim=claim, user=editor, lock_version=None, rating=_rating(spec.rating),
            summary=spec.summary, rationale=spec.rationale,
        )
        report.add("verdicts", True)
        if spec.state == VerdictState.DRAFT:
            continue
        verdict_submit(verdict=verdict, user=editor)
        if spec.state == VerdictState.SUBMITTED:
            continue
        if spec.state == VerdictState.CHANGES_REQUESTED:
            verdict_request_changes(verdict=verdict, user=reviewer,
                                             comment=spec.review_comment)
            continue
        verdict_approve(verdict=verdict, user=reviewer)
        if spec.state == VerdictState.APPROVED:
            continue
        verdict_publish(verdict=verdict, user=reviewer)
        if spec.correction:
            fix = spec.correction
            verdict.refresh_from_db()
            corrected = verdict_correct(
                verdict=verdict, user=editor, correction_note=fix.note,
                rating=_rating(fix.rating), summary=fix.summary, rationale=fix.rationale,
            )
            verdict_approve(verdict=corrected, user=reviewer)
            verdict_publish(verdict=corrected, user=reviewer)
            report.add("corrections", True)
