"""Public pages: published fact-checks, corrections, the methodology and the stored copies
of cited sources with their evidence archives. No login, and only published work: every read
is a selector that starts from a published verdict (claims/selectors/verdicts.py)."""

from __future__ import annotations

import mimetypes

from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from claims.archiving import archive_bundle
from claims.exporters import claimreview
from claims.models import CaptureArchive, archive_dir
from claims.selectors.changes import reader_changes
from claims.selectors.published import (
    ARCHIVE_SCREENSHOT,
    ARCHIVE_WACZ,
    done_archive,
    reviewed_captures,
    reviewed_evidence,
)
from claims.selectors.verdicts import (
    default_scale_ratings,
    earlier_published_versions,
    published_corrections,
    published_edits,
    published_verdicts,
)

PAGE_SIZE = 20


@require_GET
def factcheck_list(request):
    page = Paginator(published_verdicts(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "public/list.html", {"page": page})


@require_GET
def factcheck_detail(request, pk):
    """The latest published version of claim `pk`'s verdict, its sources as reviewed (the
    captures recorded when it was approved: their titles and links to the copies the desk
    stored), earlier versions with their correction notes, and its
    ClaimReview JSON-LD."""
    verdict = get_object_or_404(published_verdicts(), claim_id=pk)
    evidence = reviewed_evidence(verdict)  # read once, for the page and its JSON-LD
    record = claimreview.claimreview_for(verdict, request=request)
    return render(request, "public/detail.html", {
        "verdict": verdict,
        "claim": verdict.claim,
        "earlier": earlier_published_versions(verdict),
        "evidence": evidence,
        "json_ld": claimreview.json_ld_script(record),
    })


@require_GET
def corrections(request):
    """Published corrections, newest first, each with every change readers saw it make
    (reader_changes: the read the review queue and the claim page show too)."""
    page = Paginator(published_corrections(), PAGE_SIZE).get_page(request.GET.get("page"))
    changes = reader_changes(page.object_list)
    return render(request, "public/corrections.html", {
        "page": page, "corrections": [changes[v.pk] for v in page.object_list],
        "published_edits": published_edits(),
    })


@require_GET
def methodology(request):
    scale, ratings = default_scale_ratings()
    return render(request, "public/methodology.html", {
        "scale": scale,
        "ordinal": [r for r in ratings if r.is_ordinal],
        "other": [r for r in ratings if not r.is_ordinal],
    })


@require_GET
def snapshot(request, pk):
    """The stored copy of a source as the desk captured it and a reviewer approved it with
    a published fact-check: its extracted text, escaped, and its evidence archive."""
    capture = get_object_or_404(reviewed_captures(), pk=pk)
    return render(request, "public/snapshot.html", {
        "capture": capture, "archive": done_archive(capture)})


@require_GET
def snapshot_raw(request, pk):
    """The raw bytes the desk fetched. Fetched HTML is never rendered on our origin: it is
    sent as a download (attachment) in a CSP sandbox."""
    capture = get_object_or_404(reviewed_captures(), pk=pk)
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


# Files of an evidence archive are the site's bytes only in name: what a page looked like
# (the screenshot) or what it sent (the WACZ). Never sniffed, and in a CSP sandbox that
# allows nothing, so none of it can act in the site's origin.
_SANDBOX = "sandbox; default-src 'none'"
# The screenshot opened on its own is shown by the browser's image page, which styles itself.
_IMAGE_SANDBOX = "sandbox; default-src 'none'; style-src 'unsafe-inline'"


def _reviewed_archive(pk: int) -> CaptureArchive:
    """The evidence archive of capture `pk`, when readers may open that capture (a published
    fact-check cites it as reviewed: the same rule as its stored copy) and it is made."""
    archive = done_archive(get_object_or_404(reviewed_captures(), pk=pk))
    if archive is None:
        raise Http404("This capture has no evidence archive.")
    return archive


def _archive_file(archive: CaptureArchive, name: str, *, policy: str = _SANDBOX,
                  **response_args) -> FileResponse:
    if archive.file_entry(name) is None:
        raise Http404(f"This capture's archive has no {name}.")
    try:
        handle = default_storage.open(f"{archive_dir(archive.capture_id)}/{name}", "rb")
    except (FileNotFoundError, OSError):
        raise Http404(f"{name} is missing from storage.") from None
    response = FileResponse(handle, **response_args)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = policy
    return response


@require_GET
def snapshot_screenshot(request, pk):
    """The screenshot of the reviewed capture, shown as an image (inline)."""
    return _archive_file(_reviewed_archive(pk), ARCHIVE_SCREENSHOT, policy=_IMAGE_SANDBOX,
                         content_type="image/png")


@require_GET
def snapshot_wacz(request, pk):
    """The web archive (WACZ) of the reviewed capture, as a download."""
    return _archive_file(_reviewed_archive(pk), ARCHIVE_WACZ, as_attachment=True,
                         filename=f"capture-{pk}.wacz", content_type="application/zip")


@require_GET
def snapshot_bundle(request, pk):
    """The evidence bundle of the reviewed capture (every file of its archive, the manifest
    and the timestamp token in one zip), as a download."""
    archive = _reviewed_archive(pk)
    response = HttpResponse(archive_bundle(archive), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="capture-{pk}-evidence.zip"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = _SANDBOX
    return response
