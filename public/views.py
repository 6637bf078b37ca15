"""Public pages: published fact-checks, corrections and the methodology. No login, and only
published work: every query starts from a published verdict."""

from __future__ import annotations

import mimetypes

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from claims.choices import CaptureStatus, VerdictState
from claims.exporters import claimreview
from claims.models import Capture, Evidence, RatingScale, Verdict
from claims.selectors.verdicts import published_corrections, published_edits, published_verdicts

PAGE_SIZE = 20


@require_GET
def factcheck_list(request):
    page = Paginator(published_verdicts(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "public/list.html", {"page": page})


@require_GET
def factcheck_detail(request, pk):
    """The latest published version of claim `pk`'s verdict, its sources (with links to the
    copies the desk stored), earlier versions with their correction notes, and its
    ClaimReview JSON-LD."""
    verdict = get_object_or_404(published_verdicts(), claim_id=pk)
    earlier = list(
        Verdict.objects.filter(
            claim_id=pk, state=VerdictState.PUBLISHED, version__lt=verdict.version
        ).select_related("rating").order_by("-version")
    )
    captures = Capture.objects.filter(status=CaptureStatus.SUCCESS).order_by("-started_at", "-id")
    evidence = list(
        verdict.evidence.select_related("source")
        .prefetch_related(Prefetch("source__captures", queryset=captures, to_attr="stored"))
        .order_by("created_at", "id")
    )
    record = claimreview.claimreview_for(verdict, request=request)
    return render(request, "public/detail.html", {
        "verdict": verdict,
        "claim": verdict.claim,
        "earlier": earlier,
        "evidence": evidence,
        "json_ld": claimreview.json_ld_script(record),
    })


@require_GET
def corrections(request):
    page = Paginator(published_corrections(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "public/corrections.html", {
        "page": page, "published_edits": published_edits(),
    })


@require_GET
def methodology(request):
    scale = RatingScale.objects.filter(is_default=True).first()
    ratings = list(scale.ratings.order_by("position", "id")) if scale else []
    return render(request, "public/methodology.html", {
        "scale": scale,
        "ordinal": [r for r in ratings if r.is_ordinal],
        "other": [r for r in ratings if not r.is_ordinal],
    })


def _public_capture(pk: int) -> Capture:
    """A successful capture of a source that a published verdict cites; anything else 404s."""
    cited = Evidence.objects.filter(verdicts__state=VerdictState.PUBLISHED).values("source_id")
    return get_object_or_404(
        Capture.objects.select_related("source"),
        pk=pk, status=CaptureStatus.SUCCESS, source_id__in=cited,
    )


@require_GET
def snapshot(request, pk):
    """The stored copy of a source as the desk captured it: its extracted text, escaped."""
    return render(request, "public/snapshot.html", {"capture": _public_capture(pk)})


@require_GET
def snapshot_raw(request, pk):
    """The raw bytes the desk fetched. Fetched HTML is never rendered on our origin: it is
    sent as a download (attachment) in a CSP sandbox."""
    capture = _public_capture(pk)
    if not capture.snapshot:
        raise Http404("No stored copy of this capture.")
    content_type = (capture.content_type or "application/octet-stream").split(";")[0].strip()
    extension = mimetypes.guess_extension(content_type) or ".bin"
    response = FileResponse(
        capture.snapshot.open("rb"), as_attachment=True,
        filename=f"snapshot-{capture.pk}{extension}", content_type=content_type,
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    return response
