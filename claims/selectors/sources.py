"""Reads about sources: the sources table's rows, a source's page (its captures and the
claims that cite it), and the sources whose fetch keeps failing."""

from __future__ import annotations

from django.db.models import QuerySet

from claims.choices import SourceStatus
from claims.models import Capture, Claim, Evidence, Source


def source_table_rows() -> QuerySet[Source]:
    return Source.objects.all()


def source_page(pk: int) -> Source:
    return Source.objects.get(pk=pk)


def source_captures(source: Source, limit: int = 20) -> list[Capture]:
    return list(source.captures.defer("text").select_related("archive")
                .order_by("-started_at", "-id")[:limit])


def source_latest_archive(captures: list[Capture]):
    """The evidence archive of the newest of `captures` (source_captures) that has one."""
    for capture in captures:
        archive = getattr(capture, "archive", None)
        if archive is not None:
            return archive
    return None


def source_latest_text_capture(source: Source) -> Capture | None:
    return (
        source.captures.filter(status="success")
        .exclude(text="")
        .order_by("-started_at", "-id")
        .first()
    )


def source_claims(source: Source, limit: int = 20) -> QuerySet[Claim]:
    return Claim.objects.filter(evidence__source=source).order_by("-created_at", "-id")[:limit]


def failing_sources(limit: int = 10) -> QuerySet[Source]:
    return Source.objects.filter(status=SourceStatus.FAILED).order_by("-status_changed_at", "-id")[
        :limit
    ]


def capture_list() -> QuerySet[Capture]:
    """Captures' metadata (the extracted text and the page's metadata stay in the database),
    for the API's captures list and detail."""
    return Capture.objects.defer("text", "metadata")


def evidence_list() -> QuerySet[Evidence]:
    return Evidence.objects.select_related("source")
