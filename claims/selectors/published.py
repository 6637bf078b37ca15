"""What readers see: whether a claim, its evidence, its claimant or an article shows on a
published fact-check (the rules in claims/services/published.py and the admin read these),
and which capture of each cited source they see (VerdictCapture), with its evidence
archive."""

from __future__ import annotations

from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)

from claims.choices import ArchiveStatus, CaptureStatus, VerdictState
from claims.models import (
    Article,
    Capture,
    CaptureArchive,
    Claim,
    Claimant,
    Evidence,
    Verdict,
    VerdictAppearance,
    VerdictCapture,
)


def claim_has_published_verdict(claim: Claim | int) -> bool:
    """Do readers see a fact-check of this claim (a published verdict, any version)?"""
    claim_id = claim if isinstance(claim, int) else claim.pk
    return Verdict.objects.filter(claim_id=claim_id, state=VerdictState.PUBLISHED).exists()


def claims_showing(obj) -> list[Claim]:
    """The claims whose published fact-check shows this claim, evidence, claimant or article
    (the records an override must be recorded against)."""
    published = Q(verdicts__state=VerdictState.PUBLISHED)
    if isinstance(obj, Claim):
        return [obj] if obj.pk and claim_has_published_verdict(obj) else []
    if isinstance(obj, Evidence):
        return [obj.claim] if evidence_is_published(obj) else []
    if isinstance(obj, Claimant):
        if obj.pk is None:
            return []
        return list(Claim.objects.filter(published, claimant=obj).distinct().order_by("id"))
    if isinstance(obj, Article):
        if obj.pk is None:
            return []
        shown_in = VerdictAppearance.objects.filter(
            article=obj, verdict__state=VerdictState.PUBLISHED).values("verdict__claim_id")
        return list(Claim.objects.filter((published & Q(article=obj)) | Q(pk__in=shown_in))
                    .distinct().order_by("id"))
    return []


def evidence_is_published(evidence: Evidence) -> bool:
    """Does a published verdict cite this evidence (so readers see its stance and note)?"""
    return evidence.pk is not None and evidence.verdicts.filter(
        state=VerdictState.PUBLISHED
    ).exists()


def claim_evidence_held(claim: Claim) -> set[int]:
    """The ids of the claim's evidence that readers see or will see as it stands: cited by a
    published verdict, or by the current verdict while it is submitted or approved. Its
    stance, note and excerpt change only through a correction, or once that verdict is sent
    back (services/sources.py evidence_update), so the desk offers no edit of it."""
    return set(
        Verdict.evidence.through.objects.filter(evidence__claim=claim).filter(
            Q(verdict__state=VerdictState.PUBLISHED)
            | Q(verdict__is_current=True,
                verdict__state__in=(VerdictState.SUBMITTED, VerdictState.APPROVED))
        ).values_list("evidence_id", flat=True)
    )


# The files of an evidence archive that readers are offered by name (the manifest lists
# them; claims.archiving writes them).
ARCHIVE_WACZ = "archive.wacz"
ARCHIVE_SCREENSHOT = "screenshot.png"


def done_archive(capture: Capture | None) -> CaptureArchive | None:
    """The capture's evidence archive when it is made (status done), else None. Reads the
    joined row (select_related("archive"), as every capture selector here does): no query."""
    if capture is None:
        return None
    try:
        archive = capture.archive
    except CaptureArchive.DoesNotExist:
        return None
    return archive if archive.status == ArchiveStatus.DONE else None


def latest_captures() -> QuerySet[Capture]:
    """Each source's latest successful capture, one row per source (filter it by source):
    what the desk shows of a source now, with its evidence archive joined (done_archive)."""
    newest = (
        Capture.objects.filter(source_id=OuterRef("source_id"), status=CaptureStatus.SUCCESS)
        .order_by("-started_at", "-id").values("pk")[:1]
    )
    return (Capture.objects.filter(status=CaptureStatus.SUCCESS, pk=Subquery(newest))
            .select_related("archive"))


def cited_latest_captures(verdict: Verdict) -> list[Capture]:
    """The latest successful capture of each source the verdict cites (what a reviewer sees
    on the desk now, and what approving the verdict records for readers)."""
    cited = verdict.evidence.filter(source__isnull=False).values("source_id")
    return list(latest_captures().filter(source_id__in=cited).order_by("source_id"))


def reviewed_sources_prefetch() -> list[Prefetch]:
    """Prefetches for a queryset of verdicts that reviewed_evidence() reads: the cited
    evidence with its source, the captures recorded with the verdict, and (for a verdict
    with none recorded) each source's latest capture, each capture with its evidence archive
    joined. Three queries for any number of verdicts."""
    return [
        Prefetch("evidence", queryset=Evidence.objects.select_related("source")
                 .order_by("created_at", "id"), to_attr="cited_evidence"),
        Prefetch("capture_pins",
                 queryset=VerdictCapture.objects.select_related("capture__archive"),
                 to_attr="pinned_captures"),
        Prefetch("cited_evidence__source__captures", queryset=latest_captures(),
                 to_attr="latest_capture"),
    ]


def reviewed_evidence(verdict: Verdict) -> list[Evidence]:
    """The evidence a verdict cites, in the order it was logged, each with the capture of
    its source readers see (`evidence.shown_capture`, None for a note or a source never
    captured): the one recorded when the verdict was approved (VerdictCapture), never one
    made since, which reaches readers only through a correction. A verdict with no capture
    recorded (written around the workflow, e.g. by a bulk load) shows each source's latest
    capture. `evidence.shown_archive` is that capture's evidence archive once it is made
    (done_archive), else None. Reads the prefetches of reviewed_sources_prefetch(), or
    makes them."""
    if not hasattr(verdict, "cited_evidence"):
        prefetch_related_objects([verdict], *reviewed_sources_prefetch())
    pinned = {pin.source_id: pin.capture for pin in verdict.pinned_captures}
    for evidence in verdict.cited_evidence:
        if evidence.source_id is None:
            evidence.shown_capture = None
        elif pinned:
            evidence.shown_capture = pinned.get(evidence.source_id)
        else:
            evidence.shown_capture = next(iter(evidence.source.latest_capture), None)
        evidence.shown_archive = done_archive(evidence.shown_capture)
    return verdict.cited_evidence


def reviewed_captures() -> QuerySet[Capture]:
    """The captures readers may open as stored copies: those recorded with a published
    verdict version and, for a published version with none recorded, the successful captures
    of the sources it cites (see reviewed_evidence). Each test is an index lookup from the
    capture's row, so opening one copy costs the same however many are published."""
    recorded = VerdictCapture.objects.filter(
        capture_id=OuterRef("pk"), verdict__state=VerdictState.PUBLISHED)
    cited_without_record = Evidence.objects.filter(
        source_id=OuterRef("source_id"), verdicts__state=VerdictState.PUBLISHED,
        verdicts__capture_pins__isnull=True,
    )
    return Capture.objects.select_related("source", "archive").filter(
        Exists(recorded) | Exists(cited_without_record), status=CaptureStatus.SUCCESS,
    )


def newer_captures_since_review(shown: Verdict | None) -> dict[int, Capture]:
    """{source id: its latest capture} for each source cited by `shown` (the claim's newest
    published verdict, which readers see) whose latest successful capture is newer than the
    one readers see with it (the desk's "newer capture since review"): it reaches readers
    only through a correction. A verdict with no capture recorded shows each source's latest
    capture (reviewed_evidence), so nothing is newer. At most three queries."""
    if shown is None:
        return {}
    pinned = dict(VerdictCapture.objects.filter(verdict=shown)
                  .values_list("source_id", "capture_id"))
    if not pinned:
        return {}
    cited = set(Evidence.objects.filter(verdicts=shown, source__isnull=False)
                .values_list("source_id", flat=True))
    return {
        capture.source_id: capture
        for capture in latest_captures().filter(source_id__in=cited)
        if capture.pk != pinned.get(capture.source_id)
    }
