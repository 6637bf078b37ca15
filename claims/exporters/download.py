"""A download as an HTTP response: the content type and file name of each export format,
for the editors' "Export this view" and the admin's export actions alike."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django.utils import timezone

EXPORT_FORMATS = {
    # format: (content type, file extension)
    "csv": ("text/csv; charset=utf-8", "csv"),
    "json": ("application/json", "json"),
    "jsonl": ("application/x-ndjson", "jsonl"),
    "claimreview": ("application/ld+json", "claimreview.json"),
}


def download_response(fmt: str, body, *, stem: str = "claims") -> StreamingHttpResponse:
    """Stream `body` (an iterator of text) as an attachment named `<stem>-<time>.<ext>`."""
    content_type, extension = EXPORT_FORMATS[fmt]
    response = StreamingHttpResponse((part.encode() for part in body), content_type=content_type)
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{stem}-{stamp}.{extension}"'
    return response
