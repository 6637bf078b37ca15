"""Reads for the verdict report (claims/exporters/report.py): which sources each claim's
entry lists, and with which capture."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from claims.choices import VerdictState
from claims.models import Evidence, Source, Verdict
from claims.selectors.lookups import any_of
from claims.selectors.published import (
    latest_captures,
    reviewed_evidence,
    reviewed_sources_prefetch,
)


@dataclass
class ReportSource:
    """A source as a report lists it. `capture` is the capture shown (None: no copy);
    `cited` says whether the claim's current verdict cites it (None for a published
    fact-check, whose sources are all cited)."""

    source: Source
    capture: object
    cited: bool | None = None


def claim_report_sources(claim_ids) -> dict[int, tuple[bool, list[ReportSource]]]:
    """{claim id: (published, sources)} for a report's claims.

    A claim whose fact-check is published lists exactly the sources the version readers see
    cites (its evidence, in the order it was logged), each with the capture readers see
    (reviewed_evidence: the one recorded at approval, VerdictCapture), never another source
    attached to the claim since, nor a capture made since. Any other claim lists every
    source attached to it, with its latest successful capture and whether its current
    verdict cites it, so the report can say each one's state.

    A constant number of queries for any number of claims: the shown verdicts and their
    three prefetches, then the other claims' evidence with its sources, their latest
    captures, and what their current verdicts cite."""
    claim_ids = list(claim_ids)
    found: dict[int, tuple[bool, list[ReportSource]]] = {}
    shown = (
        Verdict.objects.filter(any_of("claim_id", claim_ids), state=VerdictState.PUBLISHED)
        # The version readers see: not one a published correction replaced.
        .exclude(superseded_by__state=VerdictState.PUBLISHED)
        .prefetch_related(*reviewed_sources_prefetch())
    )
    for verdict in shown:
        found[verdict.claim_id] = (True, [
            ReportSource(source=evidence.source, capture=evidence.shown_capture)
            for evidence in reviewed_evidence(verdict) if evidence.source_id is not None
        ])
    unpublished = [claim_id for claim_id in claim_ids if claim_id not in found]
    if not unpublished:
        return found
    evidence = list(
        Evidence.objects.filter(any_of("claim_id", unpublished), source__isnull=False)
        .select_related("source")
        .prefetch_related(Prefetch("source__captures", queryset=latest_captures(),
                                   to_attr="latest_capture"))
        .order_by("claim_id", "created_at", "id")
    )
    cited = set(
        Verdict.evidence.through.objects.filter(
            any_of("verdict__claim_id", unpublished), verdict__is_current=True)
        .values_list("evidence_id", flat=True)
    )
    for claim_id in unpublished:
        found[claim_id] = (False, [])
    for item in evidence:
        found[item.claim_id][1].append(ReportSource(
            source=item.source, capture=next(iter(item.source.latest_capture), None),
            cited=item.pk in cited))
    return found
