"""Reads: querysets for pages, tables, reports and exports, with the joins they need."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    CharField,
    F,
    FilteredRelation,
    Func,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from claims.choices import ArchiveStatus, CaptureStatus, VerdictState
from claims.filtersets import ClaimFilter, claim_ordering
from claims.models import (
    Capture,
    CaptureArchive,
    Claim,
    Evidence,
    Source,
    Verdict,
    VerdictCapture,
)
from claims.selectors.lookups import any_of
from claims.selectors.published import ARCHIVE_SCREENSHOT, ARCHIVE_WACZ

# The verdict fields an export reports (see claim_export_queryset: `sv_<field>`).
EXPORT_VERDICT_FIELDS = (
    "state", "version", "rating__label", "rating__value",
    "summary", "rationale", "correction_note", "published_at",
    "author__username", "author__first_name", "author__last_name",
    "reviewer__username", "reviewer__first_name", "reviewer__last_name",
)


# The columns of a claims export, read as one flat row per claim (values_list, no model
# instances: building a model per row would dominate a million-row export).
CLAIM_EXPORT_FIELDS = (
    "id", "statement", "quote", "language", "status",
    "claimant__name", "claimant__kind", "claimant__role", "claimant__organisation",
    "article__title", "article__outlet", "article__url", "article__published_on",
    *(f"sv_{field.replace('__', '_')}" for field in EXPORT_VERDICT_FIELDS),
    "first_published_at",
)


def claim_export_selection(
    params=None, *, claim_ids=None, published_since=None, published_until=None
) -> QuerySet[Claim]:
    """Which claims an export holds, in which order: the claims table's filters (the same
    ClaimFilter, from the same querystring) and ordering. `claim_ids` narrows it to a
    selection (admin actions); `published_since`/`until` (dates, inclusive) to claims whose
    fact-check was first published then. Bad filter values raise ValidationError in words.

    Only what the filters need is joined; with_export_fields() adds the export's columns."""
    params = params if params is not None else {}
    queryset = Claim.objects.all()
    if claim_ids is not None:
        queryset = queryset.filter(id__in=claim_ids)
    filterset = ClaimFilter(params, queryset=queryset)
    if not filterset.is_valid():
        problems = "; ".join(
            # The bound field's label: a field whose label is unset (None) shows its name.
            f"{filterset.form[f].label if f in filterset.form.fields else f}: "
            f"{' '.join(errs)}"
            for f, errs in filterset.form.errors.items()
        )
        raise ValidationError(f"The filters are not valid: {problems}")
    claims = filterset.qs.order_by(*claim_ordering(params.get("sort")))
    if published_since or published_until:
        claims = claims.annotate(**_current_verdict(), first_published_at=_first_published())
    if published_since:
        claims = claims.filter(first_published_at__date__gte=published_since)
    if published_until:
        claims = claims.filter(first_published_at__date__lte=published_until)
    return claims


def _current_verdict() -> dict:
    """`cv`: the claim's current verdict (at most one per claim, a unique constraint, so the
    join adds no rows)."""
    return {"cv": FilteredRelation("verdicts", condition=Q(verdicts__is_current=True))}


def _first_published():
    """When the claim's fact-check was first published (any version), or None."""
    first_published = (
        Verdict.objects.filter(claim_id=OuterRef("id"), published_at__isnull=False)
        .order_by()
        .values("claim_id")
        .annotate(first=Min("published_at"))
        .values("first")[:1]
    )
    # Only a corrected verdict (version > 1) needs the lookup; the CASE spares the subquery
    # on every other row.
    return Case(When(cv__version__gt=1, then=Subquery(first_published)),
                default="cv__published_at")


def with_export_fields(claims: QuerySet[Claim]) -> QuerySet[Claim]:
    """A selection with every column of CLAIM_EXPORT_FIELDS: the claim's current verdict
    and, while a correction of a published verdict is being written (the current verdict
    is that unpublished draft), the published version it supersedes, which readers still
    see: the export reports that one, not the working text."""
    correcting = Q(cv__supersedes__isnull=False) & Q(cv__state__in=[
        state for state in VerdictState.values if state != VerdictState.PUBLISHED
    ])
    shown = {
        f"sv_{field.replace('__', '_')}": Case(
            When(correcting, then=F(f"cv__supersedes__{field}")), default=F(f"cv__{field}")
        )
        for field in EXPORT_VERDICT_FIELDS
    }
    if "first_published_at" in claims.query.annotations:  # filtered on it already
        return claims.annotate(**shown)
    return claims.annotate(**_current_verdict()).annotate(
        **shown, first_published_at=_first_published()
    )


def claim_export_queryset(
    params=None, *, claim_ids=None, published_since=None, published_until=None
) -> QuerySet[Claim]:
    """claim_export_selection() with every export column (the Python exporters' input)."""
    return with_export_fields(claim_export_selection(
        params, claim_ids=claim_ids, published_since=published_since,
        published_until=published_until,
    ))


def claim_export_tags(claim_ids) -> dict[int, list[str]]:
    """{claim id: [tag name, ...]} for one chunk of exported claims: one query by key on the
    claim-tag table (its unique index leads with the claim), joined to the tags for their
    names. Names in alphabetical order, case folded (sorted here, so the order is the same
    on every database, whatever order the tags were added in)."""
    found: dict[int, list[str]] = {}
    for claim_id, name in (
        Claim.tags.through.objects.filter(any_of("claim_id", claim_ids))
        .order_by().values_list("claim_id", "tag__name")
    ):
        found.setdefault(claim_id, []).append(name)
    for names in found.values():
        names.sort(key=lambda name: (name.casefold(), name))
    return found


def claim_export_sources(claim_ids) -> dict[int, list[tuple]]:
    """{claim id: [(url, title, captured_at, sha256, snapshot, capture_id, *archive), ...]}
    for one chunk of exported claims: each cited source, in the order it was cited, with the
    capture readers see with the claim's published fact-check (recorded when it was
    approved, VerdictCapture; its title too), or else its latest successful capture (None,
    "", "", None without one), and that capture's evidence archive (`archive`: the
    EXPORT_ARCHIVE_FIELDS, see capture_archive_hashes). Plain tuples, not dicts: the
    exporter builds each record's dict once.

    Five queries by key, each on one table's index: the evidence, its sources, their
    successful captures, the captures recorded with the published verdicts, and the
    archives of the captures cited. The keys go as one array parameter each (any_of). A join
    from the evidence to the sources, or from the sources to the captures, let PostgreSQL
    scan the whole joined table for every chunk."""
    evidence = list(
        Evidence.objects.filter(any_of("claim_id", claim_ids), source__isnull=False)
        .order_by("claim_id", "created_at", "id")
        .values_list("claim_id", "source_id")
    )
    source_ids = list({source_id for _claim_id, source_id in evidence})
    if not source_ids:
        return {}
    sources = {
        source_id: (url, title)
        for source_id, url, title in Source.objects.filter(any_of("id", source_ids))
        .order_by().values_list("id", "url", "title")
    }
    latest: dict[int, tuple] = {}
    for source_id, *capture in (
        Capture.objects.filter(any_of("source_id", source_ids), status=CaptureStatus.SUCCESS)
        .order_by("source_id", "-started_at", "-id")
        .values_list("source_id", "started_at", "sha256", "snapshot", "id")
    ):
        latest.setdefault(source_id, capture)
    reviewed: dict[tuple[int, int], tuple] = {
        (claim_id, source_id): ((sources[source_id][0], title), capture)
        for claim_id, source_id, title, *capture in (
            VerdictCapture.objects.filter(
                any_of("verdict__claim_id", claim_ids), verdict__state=VerdictState.PUBLISHED)
            # The version readers see: not one a published correction replaced.
            .exclude(verdict__superseded_by__state=VerdictState.PUBLISHED)
            .order_by().values_list("verdict__claim_id", "source_id", "capture__title",
                                    "capture__started_at", "capture__sha256",
                                    "capture__snapshot", "capture_id")
        )
    }
    uncaptured = (None, "", "", None)
    cited: list[tuple[int, tuple, tuple]] = []
    for claim_id, source_id in evidence:
        source, capture = reviewed.get(
            (claim_id, source_id), (sources[source_id], latest.get(source_id, uncaptured)))
        cited.append((claim_id, source, capture))
    archives = capture_archive_hashes(
        {capture[-1] for _claim_id, _source, capture in cited if capture[-1] is not None})
    found: dict[int, list[tuple]] = {}
    for claim_id, source, capture in cited:
        found.setdefault(claim_id, []).append(
            (*source, *capture, *archives.get(capture[-1], NO_ARCHIVE)))
    return found


# What an export reports of a cited capture's evidence archive, in this order (a source's
# tuple from claim_export_sources ends with them): the SHA-256 of the manifest (what the
# trusted timestamp signs), of the web archive and of the screenshot, and the timestamp's
# time and authority.
EXPORT_ARCHIVE_FIELDS = (
    "manifest_sha256", "wacz_sha256", "screenshot_sha256", "timestamped_at",
    "timestamp_authority",
)
# A capture without a finished archive: every field empty.
NO_ARCHIVE = ("", "", "", None, "")


class ArchiveFileSha256(Func):
    """The SHA-256 an archive's `files` list gives for the file `name` (NULL when it lists
    none), read by the database: parsing every archive's whole list in Python cost an
    export more than the rest of its source queries together."""

    output_field = CharField()

    def __init__(self, name: str):
        super().__init__(F("files"), Value(name, output_field=CharField()))

    def _parts(self, compiler):
        (files, files_params), (name, name_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions())
        return files, name, (*files_params, *name_params)

    def as_sql(self, compiler, connection, **extra_context):  # SQLite's JSON1
        files, name, params = self._parts(compiler)
        return (f"(SELECT json_extract(value, '$.sha256') FROM json_each({files}) "
                f"WHERE json_extract(value, '$.name') = {name} LIMIT 1)", params)

    def as_postgresql(self, compiler, connection, **extra_context):
        files, name, params = self._parts(compiler)
        return (f"(jsonb_path_query_first({files}, '$[*] ? (@.name == $name).sha256', "
                f"jsonb_build_object('name', ({name})::text)) #>> '{{}}')", params)


def capture_archive_hashes(capture_ids) -> dict[int, tuple]:
    """{capture id: the EXPORT_ARCHIVE_FIELDS} for the captures whose evidence archive is
    made (status done); a capture with none, or one still pending or failed, is absent
    (NO_ARCHIVE). One query by key on the archives' unique capture index, none without
    captures."""
    capture_ids = list(capture_ids)
    if not capture_ids:
        return {}
    return {
        capture_id: (manifest_sha256, wacz_sha256 or "", screenshot_sha256 or "",
                     timestamped_at, authority)
        for capture_id, manifest_sha256, wacz_sha256, screenshot_sha256, timestamped_at,
        authority in (
            CaptureArchive.objects.filter(any_of("capture_id", capture_ids),
                                          status=ArchiveStatus.DONE)
            .order_by().values_list(
                "capture_id", "manifest_sha256", ArchiveFileSha256(ARCHIVE_WACZ),
                ArchiveFileSha256(ARCHIVE_SCREENSHOT), "timestamped_at", "timestamp_authority")
        )
    }
