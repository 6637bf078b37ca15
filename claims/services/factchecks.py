"""Writes of fact-checks from outside and of the desk's own: importing a file, a page or a
feed (streamed, upserted in batches by the fact-check's URL), subscribed feeds re-imported
on a schedule (factcheck_feeds_enqueue_due, factcheck_feed_fetch), and keeping the desk's
published verdicts in step (factcheck_sync_claim, called when a verdict is published;
factchecks_sync_desk, the backfill).

An import never duplicates: the normalised URL is unique, a record already stored with the
same values is skipped without a write, a changed one is updated. The report says what
happened to every record, and why each rejected one was rejected, in words.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from claims.choices import VerdictState
from claims.events import emit, import_data
from claims.exporters.claimreview import claimreview_for
from claims.factchecks.formats import Broken, Unreadable, read_records
from claims.factchecks.records import Normalised, RawRecord, Rejected, from_claimreview, normalise
from claims.fetching.client import FetchError, FetchLimits, fetch
from claims.fetching.pipeline import retry_delay
from claims.fetching.politeness import domain_take_token
from claims.fetching.urls import URLInvalid, registrable_domain, url_host_port
from claims.language import detect_language
from claims.models import FactCheck, FactCheckFeed, FactCheckOrigin, Verdict, WebhookEvent
from claims.queue import enqueue_factcheck_feed
from claims.selectors.factchecks import factcheck_feeds_due, factcheck_states
from claims.selectors.verdicts import claimreview_verdicts

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
# What the report keeps for callers to read; the command prints every problem as it comes.
REPORT_PROBLEMS_MAX = 1000
# A fetched feed is held in memory by the safe client, so its size is bounded. Larger
# collections are imported from a file, which is streamed.
FETCH_MAX_BYTES_DEFAULT = 100 * 1024 * 1024

CONTENT_FIELDS = (
    "claim_reviewed", "title", "publisher_name", "publisher_url", "author_name",
    "textual_rating", "rating_value", "best_rating", "worst_rating", "rating_explanation",
    "date_published", "claimant", "claim_date", "appearance_url", "language",
)
UPDATE_FIELDS = (*CONTENT_FIELDS, "origin", "source", "feed", "claim", "fingerprint", "updated_at")


class ImportFailed(Exception):
    """Nothing could be read from the input; the message says why, in words. `transient`:
    the fetch failed for a reason that may pass (a timeout, a 5xx, a 429), so trying again
    later may help; `retry_after` is the server's Retry-After, in seconds, if it gave one."""

    def __init__(self, message: str, *, transient: bool = False,
                 retry_after: float | None = None):
        super().__init__(message)
        self.transient = transient
        self.retry_after = retry_after


@dataclass
class Problem:
    position: str
    reason: str
    rejected: bool = True  # False: a warning, the record was kept


@dataclass
class ImportReport:
    source: str = ""
    created: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: int = 0
    warnings: int = 0
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)

    @property
    def read(self) -> int:
        return self.created + self.updated + self.skipped + self.rejected

    @property
    def rate(self) -> float:
        return self.read / self.seconds if self.seconds > 0 else 0.0

    def counts(self) -> dict:
        return {"created": self.created, "updated": self.updated, "skipped": self.skipped,
                "rejected": self.rejected}

    def summary(self) -> str:
        records = "record" if self.read == 1 else "records"
        return (f"{self.read:,} {records} read from {self.source}: {self.created:,} created, "
                f"{self.updated:,} updated, {self.skipped:,} skipped (unchanged), "
                f"{self.rejected:,} rejected, in {self.seconds:.1f} s.")


def fingerprint(fields: dict) -> str:
    payload = json.dumps([fields.get(name) for name in CONTENT_FIELDS], default=str,
                         ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


class _Importer:
    """Collects normalised records and writes them BATCH_SIZE at a time."""

    def __init__(self, *, origin: str, source: str, feed: FactCheckFeed | None = None,
                 on_problem: Callable[[Problem], None] | None = None,
                 batch_size: int = BATCH_SIZE):
        self.origin = origin
        self.source = source[:2000]
        self.feed = feed
        self.on_problem = on_problem
        self.batch_size = batch_size
        self.report = ImportReport(source=source)
        self.pending: dict[str, tuple[dict, str, int | None]] = {}

    def problem(self, position: str, reason: str, *, rejected: bool = True) -> None:
        if rejected:
            self.report.rejected += 1
        else:
            self.report.warnings += 1
        found = Problem(position, reason, rejected)
        if len(self.report.problems) < REPORT_PROBLEMS_MAX:
            self.report.problems.append(found)
        if self.on_problem is not None:
            self.on_problem(found)

    def add_item(self, item: RawRecord | Broken) -> None:
        if isinstance(item, Broken):
            self.problem(item.position, item.reason)
            return
        try:
            normalised = normalise(item)
        except Rejected as exc:
            self.problem(item.position, str(exc))
            return
        self.add(normalised, item.position)

    def add(self, normalised: Normalised, position: str, claim_id: int | None = None) -> None:
        for warning in normalised.warnings:
            self.problem(position, warning, rejected=False)
        if not normalised.fields.get("language"):
            # The language the publisher declares (BCP 47) is kept; none declared, it is
            # the one the claim reviewed is written in (claims/language.py), if it can tell.
            normalised.fields["language"] = detect_language(normalised.fields["claim_reviewed"])
        url = normalised.fields["url"]
        if url in self.pending:
            self.report.skipped += 1
            self.problem(position, f"Its url was given before ({self.pending[url][1]}); this "
                         "later record replaces it.", rejected=False)
        self.pending[url] = (normalised.fields, position, claim_id)
        if len(self.pending) >= self.batch_size:
            self.flush()

    @transaction.atomic
    def flush(self) -> None:
        if not self.pending:
            return
        pending, self.pending = self.pending, {}
        states = factcheck_states(pending)
        rows = []
        for url, (fields, position, claim_id) in pending.items():
            digest = fingerprint(fields)
            state = states.get(url)
            if state is not None and state.origin == FactCheckOrigin.DESK \
                    and self.origin != FactCheckOrigin.DESK:
                self.report.skipped += 1
                self.problem(position, "It is this desk's own fact-check, kept as the desk "
                             "published it.", rejected=False)
                continue
            if state is None:
                self.report.created += 1
            elif state.fingerprint == digest and state.claim_id == claim_id:
                self.report.skipped += 1
                continue
            else:
                self.report.updated += 1
            rows.append(FactCheck(**fields, origin=self.origin, source=self.source,
                                  feed=self.feed, claim_id=claim_id, fingerprint=digest))
        if self.origin == FactCheckOrigin.DESK:
            # A claim's record whose URL changed (SITE_URL moved) gives way to the new one.
            claim_ids = [row.claim_id for row in rows]
            FactCheck.objects.filter(claim_id__in=claim_ids).exclude(
                url__in=[row.url for row in rows]).delete()
        FactCheck.objects.bulk_create(rows, update_conflicts=True, unique_fields=["url"],
                                      update_fields=list(UPDATE_FIELDS))

    def finish(self, started: float) -> ImportReport:
        self.flush()
        self.report.seconds = time.monotonic() - started
        return self.report


def factchecks_import_stream(stream, *, source: str, origin: str = FactCheckOrigin.FILE,
                             content_type: str = "", page_url: str = "",
                             feed: FactCheckFeed | None = None,
                             on_problem: Callable[[Problem], None] | None = None,
                             batch_size: int = BATCH_SIZE) -> ImportReport:
    """Import every record in a binary stream (a file, or a fetched body). Raises
    ImportFailed when nothing could be read; otherwise returns the report, whatever was
    rejected."""
    started = time.monotonic()
    importer = _Importer(origin=origin, source=source, feed=feed, on_problem=on_problem,
                         batch_size=batch_size)
    try:
        for item in read_records(stream, name=source, content_type=content_type,
                                 page_url=page_url):
            importer.add_item(item)
    except Unreadable as exc:
        raise ImportFailed(f"Nothing could be read from {source}: {exc}") from exc
    report = importer.finish(started)
    if report.read == 0:
        raise ImportFailed(f"Nothing could be read from {source}: it holds no fact-check "
                           f"(no ClaimReview record).")
    emit(WebhookEvent.FACTCHECKS_IMPORTED, lambda: import_data(report, origin=origin, feed=feed))
    return report


def fetch_limits() -> FetchLimits:
    return replace(FetchLimits.from_settings(), max_bytes=getattr(
        settings, "FACTCHECK_FETCH_MAX_BYTES", FETCH_MAX_BYTES_DEFAULT))


def factchecks_import_url(url: str, *, origin: str = FactCheckOrigin.URL,
                          feed: FactCheckFeed | None = None,
                          on_problem: Callable[[Problem], None] | None = None) -> ImportReport:
    """Fetch `url` through the network guard (claims/fetching/client.fetch, as sources are
    fetched) and import what it holds."""
    try:
        response = fetch(url, limits=fetch_limits())
    except FetchError as exc:
        raise ImportFailed(f"Could not fetch {url}: {exc.message}", transient=exc.transient,
                           retry_after=exc.retry_after) from exc
    return factchecks_import_stream(
        io.BytesIO(response.body), source=response.final_url, origin=origin,
        content_type=response.content_type, page_url=response.final_url, feed=feed,
        on_problem=on_problem,
    )


def factchecks_import_file(path: str | Path, *,
                           on_problem: Callable[[Problem], None] | None = None,
                           batch_size: int = BATCH_SIZE) -> ImportReport:
    path = Path(path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ImportFailed(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    with handle:
        return factchecks_import_stream(handle, source=str(path), origin=FactCheckOrigin.FILE,
                                        on_problem=on_problem, batch_size=batch_size)


def factchecks_import(path_or_url: str, *,
                      on_problem: Callable[[Problem], None] | None = None) -> ImportReport:
    """Import from a local file or an http(s) address."""
    if "://" in path_or_url:
        return factchecks_import_url(path_or_url, on_problem=on_problem)
    return factchecks_import_file(path_or_url, on_problem=on_problem)


def factcheck_feed_run(feed: FactCheckFeed) -> ImportReport | None:
    """Re-import a subscribed feed, recording when it ran and, if it failed, why (then it
    returns None)."""
    try:
        return _feed_import(feed)
    except ImportFailed:
        return None


def _feed_import(feed: FactCheckFeed) -> ImportReport:
    feed.last_run_at = timezone.now()
    try:
        report = factchecks_import_url(feed.url, origin=FactCheckOrigin.FEED, feed=feed)
    except ImportFailed as exc:
        feed.last_error = str(exc)
        feed.save(update_fields=["last_run_at", "last_error"])
        raise
    feed.last_success_at = feed.last_run_at
    feed.last_error = ""
    feed.last_counts = report.counts()
    feed.save(update_fields=["last_run_at", "last_success_at", "last_error", "last_counts"])
    return report


# --- Feeds on a schedule ---------------------------------------------------------------------
# The beat task (claims.tasks.enqueue_due_factcheck_feeds) asks factcheck_feeds_enqueue_due
# which feeds are due and enqueues one claims.tasks.run_factcheck_feed per feed; that task
# calls factcheck_feed_fetch. The rules are the sources' (claims/fetching/pipeline.py): one
# token of the registrable domain's politeness bucket per fetch (a wait re-schedules without
# using an attempt), transient failures retried with the same backoff up to
# FETCH_MAX_ATTEMPTS, permanent ones recorded at once; either way the feed's next regular
# run comes `interval_hours` later.

# While a feed's run is queued or waiting to retry, the sweep leaves it alone this long.
FEED_LEASE = timedelta(hours=2)


@dataclass
class FeedOutcome:
    status: str  # imported, failed, retrying, waiting, disabled, missing
    retry_in: float | None = None


def feed_domain(url: str) -> str:
    try:
        _scheme, host, _port = url_host_port(url)
    except (URLInvalid, KeyError, ValueError):
        return ""
    return registrable_domain(host) if host else ""


def factcheck_feeds_enqueue_due() -> int:
    """Enqueue a run of every feed that is due. Each feed is leased (its next_run_at moved
    FEED_LEASE ahead) before it is enqueued, so the next sweep does not enqueue it again
    while its run waits in the queue; a run that is lost is tried again after the lease."""
    now = timezone.now()
    count = 0
    for feed_id in list(factcheck_feeds_due(now).values_list("pk", flat=True)[:1000]):
        leased = factcheck_feeds_due(now).filter(pk=feed_id).update(next_run_at=now + FEED_LEASE)
        if leased:
            transaction.on_commit(lambda pk=feed_id: enqueue_factcheck_feed(pk))
            count += 1
    return count


def _feed_schedule(feed: FactCheckFeed, *, now, failed: bool) -> None:
    feed.failures = feed.failures + 1 if failed else 0
    feed.next_run_at = now + timedelta(hours=max(feed.interval_hours, 1))
    feed.save(update_fields=["failures", "next_run_at"])


def factcheck_feed_fetch(*, feed_id: int, attempt: int = 1) -> FeedOutcome:
    """One scheduled run of a feed: import it through the network guard, politely, and
    record the outcome on the feed (what it imported, or why it failed, in words). Returns
    when to try again, if at all (`retry_in`, seconds), for the task to re-schedule."""
    feed = FactCheckFeed.objects.filter(pk=feed_id).first()
    if feed is None:
        return FeedOutcome("missing")
    if not feed.enabled:
        return FeedOutcome("disabled")
    domain = feed_domain(feed.url)
    wait = domain_take_token(domain) if domain else 0.0
    if wait > 0:
        FactCheckFeed.objects.filter(pk=feed_id).update(
            next_run_at=timezone.now() + timedelta(seconds=wait) + FEED_LEASE)
        return FeedOutcome("waiting", retry_in=wait)
    try:
        _feed_import(feed)
    except ImportFailed as exc:
        now = timezone.now()
        if exc.transient and attempt < settings.FETCH_MAX_ATTEMPTS:
            delay = retry_delay(attempt, exc.retry_after)
            feed.last_error = f"{exc} It will be tried again (attempt {attempt + 1} of " \
                f"{settings.FETCH_MAX_ATTEMPTS})."
            feed.next_run_at = now + timedelta(seconds=delay) + FEED_LEASE
            feed.save(update_fields=["last_error", "next_run_at"])
            return FeedOutcome("retrying", retry_in=delay)
        if exc.transient:
            feed.last_error = f"{exc} Gave up after {attempt} attempts."
            feed.save(update_fields=["last_error"])
        _feed_schedule(feed, now=now, failed=True)
        return FeedOutcome("failed")
    _feed_schedule(feed, now=timezone.now(), failed=False)
    return FeedOutcome("imported")


def factcheck_feed_give_up(*, feed_id: int, reason: str) -> FeedOutcome:
    """Record a run that broke on an error of ours, so the dashboard says so."""
    feed = FactCheckFeed.objects.filter(pk=feed_id).first()
    if feed is None:
        return FeedOutcome("missing")
    feed.last_run_at = timezone.now()
    feed.last_error = reason
    feed.save(update_fields=["last_run_at", "last_error"])
    _feed_schedule(feed, now=feed.last_run_at, failed=True)
    return FeedOutcome("failed")


# --- The desk's own fact-checks --------------------------------------------------------------


def _desk_fields(verdict) -> Normalised:
    """The desk's fact-check read back from its own ClaimReview record (the one way a
    record is built, claims/exporters/claimreview.py), with the same checks as an import."""
    return from_claimreview(claimreview_for(verdict))


def factcheck_sync_claim(claim_id: int) -> FactCheck | None:
    """Bring the desk's FactCheck of one claim in step with what readers see: created or
    updated from its published verdict, deleted when it has none. Call it whenever the
    published verdict of a claim changes (verdict_publish, a published correction, an
    admin's override of a published claim)."""
    verdict = claimreview_verdicts().filter(claim_id=claim_id).first()
    if verdict is None:
        FactCheck.objects.filter(claim_id=claim_id).delete()
        return None
    try:
        normalised = _desk_fields(verdict)
    except Rejected as exc:
        logger.warning("The fact-check of claim %s cannot be recorded: %s", claim_id, exc)
        return None
    importer = _Importer(origin=FactCheckOrigin.DESK, source="desk")
    importer.add(normalised, f"claim {claim_id}", claim_id=claim_id)
    importer.flush()
    return FactCheck.objects.get(claim_id=claim_id)


def factcheck_from_verdict(verdict) -> FactCheck | None:
    """factcheck_sync_claim for the claim of a verdict that was just published."""
    return factcheck_sync_claim(verdict.claim_id)


def factchecks_sync_desk(*, on_problem: Callable[[Problem], None] | None = None,
                         batch_size: int = BATCH_SIZE) -> ImportReport:
    """Every published fact-check of the desk recorded (the backfill), and the desk records
    of claims no longer published removed."""
    started = time.monotonic()
    importer = _Importer(origin=FactCheckOrigin.DESK, source="desk", on_problem=on_problem,
                         batch_size=batch_size)
    for verdict in claimreview_verdicts().iterator(chunk_size=500):
        try:
            normalised = _desk_fields(verdict)
        except Rejected as exc:
            importer.problem(f"claim {verdict.claim_id}", str(exc))
            continue
        importer.add(normalised, f"claim {verdict.claim_id}", claim_id=verdict.claim_id)
    report = importer.finish(started)
    published = Verdict.objects.filter(state=VerdictState.PUBLISHED).values("claim_id")
    FactCheck.objects.filter(origin=FactCheckOrigin.DESK).exclude(claim_id__in=published).delete()
    return report
