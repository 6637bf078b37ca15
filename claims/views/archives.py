"""A capture's evidence archive in the desk: its files (the WACZ with byte ranges, for the
replay), the evidence bundle, and the replay's own addresses under /replay/.

The replay runs ReplayWeb.page (static/vendor/replaywebpage-*) on the desk's origin: its
service worker, registered at /replay/sw.js with the scope /replay/, reads the WACZ with
range requests and serves the archived page to a frame under /replay/w/. That worker is
ReplayWeb.page's own with one rule added (templates/claims/replay/sw.js): every archived
document it serves is sandboxed without scripts, so a fetched page never runs code on the
desk's origin with the reader's session."""

from __future__ import annotations

import json

from csp.decorators import csp_replace
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_safe

from claims.archiving import archive_bundle
from claims.choices import ArchiveStatus
from claims.models import CaptureArchive, archive_dir
from claims.views.ranges import ranged_file_response

REPLAY_VENDOR = "vendor/replaywebpage-2.5.3"

# What each file of an archive is. None of them is ever rendered as a page on the desk's
# origin: all are attachments in a CSP sandbox, but the screenshot, shown as an image.
FILE_TYPES = {
    "archive.wacz": "application/zip",
    "screenshot.png": "image/png",
    "page.pdf": "application/pdf",
    "certificates.pem": "application/x-pem-file",
    "tsa-certificates.pem": "application/x-pem-file",
    "manifest.json": "application/json",
    "timestamp.tsr": "application/timestamp-reply",
}
SHOWN_INLINE = {"screenshot.png"}
SANDBOX = "default-src 'none'; sandbox"
# An image opened on its own is shown by the browser's image page, which styles itself.
IMAGE_SANDBOX = "default-src 'none'; style-src 'unsafe-inline'; sandbox"

# The query strings ReplayWeb.page registers and starts its worker with. Any other would
# configure the worker (scripts to inject, another index page), so none other is served.
REPLAY_WORKER_QUERIES = {"", "serveIndex=1"}


def _done_archive(capture_pk: int) -> CaptureArchive:
    archive = get_object_or_404(CaptureArchive, capture_id=capture_pk)
    if archive.status != ArchiveStatus.DONE:
        raise Http404("This capture has no evidence archive yet.")
    return archive


@login_required
@require_safe
def archive_file(request, pk, name):
    """One file of a capture's archive: only the names the archive lists. The WACZ answers
    byte ranges (ReplayWeb.page reads it in pieces)."""
    archive = _done_archive(pk)
    if archive.file_entry(name) is None:
        raise Http404("This archive has no file of that name.")
    path = f"{archive_dir(pk)}/{name}"
    try:
        handle = default_storage.open(path, "rb")
        size = default_storage.size(path)
        modified = default_storage.get_modified_time(path)
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    etag = f'"{size:x}-{int(modified.timestamp() * 1_000_000):x}"'
    response = ranged_file_response(
        request, handle, size=size, etag=etag,
        content_type=FILE_TYPES.get(name, "application/octet-stream"))
    inline = name in SHOWN_INLINE
    response["Content-Disposition"] = content_disposition_header(
        not inline, f"capture-{pk}-{name}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = IMAGE_SANDBOX if inline else SANDBOX
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
@require_GET
def archive_bundle_download(request, pk):
    """The evidence bundle: every file of the archive in one zip, as a download."""
    archive = _done_archive(pk)
    response = HttpResponse(archive_bundle(archive), content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(
        True, f"evidence-capture-{pk}.zip")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX
    return response


@login_required
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})
@require_GET
def archive_replay(request, pk):
    """The replay of a capture's archived page, as its own small page that the source page
    frames when the replay's fold opens: ReplayWeb.page's script runs here, never in the
    source page itself, and starts its worker when this page has loaded (it waits for the
    window's load event, which a script added to a page already loaded never sees)."""
    archive = _done_archive(pk)
    if archive.file_entry("archive.wacz") is None:
        raise Http404("This archive has no WACZ to replay.")
    return render(request, "claims/replay/embed.html", {
        "archive": archive,
        "replay_script": f"{REPLAY_VENDOR}/ui.js",
    })


# --- The replay's own addresses (no archive data: open to anyone, like static files) -------

@require_safe
def replay_worker(request):
    """The replay's service worker (and web worker): ReplayWeb.page's, imported from the
    vendored file, with the desk's sandbox rule. Served here, not from /static/, because a
    service worker controls only the paths under its own. The desk's CSP comes with it and
    binds the worker: it fetches from the desk's origin only, so the replay reads only the
    desk's own archives."""
    if request.META.get("QUERY_STRING", "") not in REPLAY_WORKER_QUERIES:
        raise Http404("The replay's worker takes no such settings.")
    response = render(request, "claims/replay/sw.js",
                      {"vendor_worker": json.dumps(static(f"{REPLAY_VENDOR}/sw.js"))},
                      content_type="text/javascript; charset=utf-8")
    # Browsers check a service worker for updates against the server; never from a cache.
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def replay_ui(request):
    """ReplayWeb.page's frame asks for ui.js beside itself; it is the vendored static file."""
    return HttpResponseRedirect(static(f"{REPLAY_VENDOR}/ui.js"))


@never_cache
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})
@require_safe
def replay_frame(request):
    """What the replay's frame shows until the service worker answers for it (the first
    time, the worker is registered and the frame reloads itself), or when it never does."""
    return render(request, "claims/replay/frame.html")
