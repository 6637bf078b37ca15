"""Verdict reports (per claim, per article, per date range) as printable HTML and as PDF.

One template (templates/reports/report.html) serves both: the browser prints it with its
print stylesheet, WeasyPrint lays the same HTML out as PDF. The chart is inline SVG drawn
here, so neither needs JavaScript or a network fetch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify

from claims.choices import ClaimStatus, FetchErrorKind, SourceStatus
from claims.exporters.rows import export_rows
from claims.models import Rating
from claims.selectors.exports import claim_export_queryset
from claims.selectors.published import done_archive
from claims.selectors.reports import ReportSource, claim_report_sources
from claims.verdict_text import render_markdown

# A report is read by people: past this it is a data export, not a report.
MAX_REPORT_CLAIMS = 1000


@dataclass
class RatingCount:
    label: str
    colour: str
    count: int


@dataclass
class ReportData:
    title: str
    scope: str
    generated_at: datetime
    entries: list[dict]
    counts: list[RatingCount]
    truncated: bool = False
    filters: dict = field(default_factory=dict)

    @property
    def filename(self) -> str:
        return f"verdict-report-{slugify(self.title)[:60]}-{self.generated_at:%Y%m%d}"

    @property
    def chart_svg(self) -> str:
        return rating_chart_svg(self.counts)


def report_data(
    *,
    scope: str,
    claim_id: int | None = None,
    article_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
    filters: dict | None = None,
    published_only: bool = True,
    title: str = "",
) -> ReportData:
    """Claims in scope with their current verdict and sources, and counts by rating.
    A date range selects verdicts by publication date (the first one, for corrections).

    A published fact-check's entry lists the sources its published verdict cites, with the
    capture readers see; any other claim's entry lists the claim's sources, each with its
    state in words (claim_report_sources)."""
    params = dict(filters or {})
    claim_ids = None
    if scope == "claim":
        claim_ids = [claim_id]
    elif scope == "article":
        params["article"] = str(article_id)
    claims = claim_export_queryset(
        params, claim_ids=claim_ids, published_since=since, published_until=until
    )
    if published_only or scope == "dates":
        claims = claims.filter(first_published_at__isnull=False)

    entries = []
    for row in export_rows(claims[: MAX_REPORT_CLAIMS + 1], chunk_size=500,
                           with_sources=False):
        row["rationale_html"] = render_markdown(row["rationale"])
        row["status_label"] = ClaimStatus(row["status"]).label
        entries.append(row)
    truncated = len(entries) > MAX_REPORT_CLAIMS
    entries = entries[:MAX_REPORT_CLAIMS]
    sources = claim_report_sources([row["claim_id"] for row in entries])
    for row in entries:
        published, listed = sources.get(row["claim_id"], (False, []))
        row["sources_published"] = published
        row["sources"] = [_report_source(item, published) for item in listed]

    colours = {r.label: r.colour for r in Rating.objects.order_by("-scale__is_default", "position")}
    tally: dict[str, int] = {}
    for row in entries:
        label = row["rating"] or "No rating yet"
        tally[label] = tally.get(label, 0) + 1
        row["rating_colour"] = colours.get(row["rating"], "#6e7781")
    order = list(colours) + ["No rating yet"]
    counts = [
        RatingCount(label, colours.get(label, "#adb5bd"), tally[label])
        for label in sorted(tally, key=lambda lbl: order.index(lbl) if lbl in order else 99)
    ]
    return ReportData(
        title=title or _default_title(scope, entries, since, until),
        scope=scope,
        generated_at=timezone.now(),
        entries=entries,
        counts=counts,
        truncated=truncated,
        filters={k: v for k, v in params.items() if v},
    )


def _report_source(item: ReportSource, published: bool) -> dict:
    """A source's line in the report. On a published fact-check: the title and capture
    readers see. Otherwise the source's own title, its latest copy and its state in words.
    Either way, that capture's evidence archive once made: its manifest's SHA-256 (what the
    trusted timestamp signs) and the timestamp's time and authority."""
    source, capture = item.source, item.capture
    title = (capture.title if published and capture is not None and capture.title
             else source.title)
    archive = done_archive(capture)
    return {
        "url": source.url,
        "title": title,
        "captured_at": capture.started_at if capture is not None else None,
        "sha256": capture.sha256 if capture is not None else "",
        "snapshot_url": (
            settings.SITE_URL + reverse("claims:capture-snapshot", args=[capture.pk])
            if capture is not None and capture.snapshot else ""),
        "manifest_sha256": archive.manifest_sha256 if archive else "",
        "timestamped_at": archive.timestamped_at if archive else None,
        "timestamp_authority": archive.timestamp_authority if archive else "",
        "state": "" if published else source_state_words(item),
    }


def source_state_words(item: ReportSource) -> str:
    """What an unpublished claim's source is: fetched, failed (and why), waiting or being
    fetched; and whether the claim's current verdict cites it."""
    source = item.source
    if source.status == SourceStatus.FAILED:
        why = (source.get_last_error_kind_display()
               if source.last_error_kind != FetchErrorKind.NONE else "")
        if source.last_error:
            detail = source.last_error[:160].rstrip(".")
            why = f"{why}: {detail}" if why else detail
        words = f"Fetch failed ({why})" if why else "Fetch failed"
        if item.capture is not None:
            words += "; an earlier copy is shown"
    elif source.status == SourceStatus.FETCHED:
        words = "Fetched" if item.capture is not None else "Fetched, no copy stored"
    elif source.status == SourceStatus.FETCHING:
        words = "Being fetched"
    else:
        words = "Waiting to be fetched"
    cited = "cited by the verdict" if item.cited else "not cited by the verdict"
    return f"{words}; {cited}."


def _default_title(scope, entries, since, until) -> str:
    if scope == "claim" and entries:
        return f"Fact-check: {entries[0]['statement']}"
    if scope == "article" and entries:
        return f"Fact-checks of “{entries[0]['article_title']}”"
    if since or until:
        start = since.isoformat() if since else "the start"
        end = until.isoformat() if until else "today"
        return f"Fact-checks published from {start} to {end}"
    return "Fact-checks"


def rating_chart_svg(counts: list[RatingCount], *, width: int = 560) -> str:
    """A horizontal bar chart of claims by rating, as inline SVG (escaped labels)."""
    bar_h, gap, label_w, number_w = 22, 8, 150, 40
    height = max(1, len(counts)) * (bar_h + gap) + gap
    biggest = max((c.count for c in counts), default=0) or 1
    scale = (width - label_w - number_w) / biggest
    total = sum(c.count for c in counts)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="rating-chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-label="Verdicts by rating: {total} in all">'
    ]
    for i, c in enumerate(counts):
        y = gap + i * (bar_h + gap)
        w = max(2, round(c.count * scale))
        parts.append(
            f'<text x="{label_w - 8}" y="{y + bar_h * 0.7:.0f}" text-anchor="end" '
            f'font-size="13" fill="#212529">{escape(c.label)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" fill="{escape(c.colour)}">'
            f"<title>{escape(c.label)}: {c.count}</title></rect>"
            f'<text x="{label_w + w + 6}" y="{y + bar_h * 0.7:.0f}" font-size="13" '
            f'fill="#212529">{c.count}</text>'
        )
    if not counts:
        parts.append(
            f'<text x="0" y="{gap + 14}" font-size="13">No verdicts in this report.</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _context(data: ReportData, **extra) -> dict:
    return {"report": data, "ORGANISATION_NAME": settings.ORGANISATION_NAME, **extra}


def render_html(data: ReportData, *, request=None, printable: bool = False) -> str:
    """The report page; `printable` adds the on-screen Print/PDF toolbar."""
    return render_to_string(
        "reports/report.html", _context(data, printable=printable), request=request
    )


def render_pdf(data: ReportData, *, request=None) -> bytes:
    """The report as PDF. WeasyPrint never fetches anything: every resource is inline and
    the URL fetcher refuses all URLs, so a link in a rationale cannot make the server fetch."""
    from weasyprint import HTML  # heavy (3.6 s to import): loaded by the first PDF only

    def no_fetch(url, *args, **kwargs):
        raise ValueError(f"Reports do not fetch resources ({url}).")

    html = render_to_string("reports/report.html", _context(data, printable=False))
    return HTML(string=html, base_url=settings.SITE_URL, url_fetcher=no_fetch).write_pdf()
