"""The fetch services the Celery tasks call: capture a source (or an article) through the
safe client, extract it, store the snapshot, and move the row through its states.

Source: pending -> fetching -> fetched | failed. Transient failures go back to pending with
next_attempt_at and a retry countdown (exponential backoff with jitter); permanent ones fail
at once with the reason in words. A politeness wait re-schedules without using an attempt.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from claims import events
from claims.choices import ArticleStatus, CaptureStatus, SourceStatus, VerdictState
from claims.fetching.client import FetchError, fetch
from claims.fetching.extract import Extracted, ExtractionError, extract, text_sha256
from claims.fetching.politeness import domain_take_token
from claims.fetching.snapshots import store_snapshot
from claims.fetching.storable import storable
from claims.fetching.titles import extracted_title
from claims.fetching.urls import URLInvalid, normalize_url, registrable_domain, url_host_port
from claims.language import language_code, text_language
from claims.models import Article, Capture, CaptureArchive, Source, Verdict
from claims.queue import enqueue_article_fetch, enqueue_capture_archive, enqueue_source_fetch

logger = logging.getLogger(__name__)


@dataclass
class FetchOutcome:
    status: str
    retry_in: float | None = None


@dataclass
class CaptureResult:
    """What one fetch produced: Capture fields, and the error if it failed."""

    fields: dict = field(default_factory=dict)
    extracted: Extracted | None = None
    error_kind: str = ""
    error_message: str = ""
    transient: bool = False
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return not self.error_kind


def capture_url(url: str) -> CaptureResult:
    """Fetch `url` through the guard, store the raw body, extract text. Never raises for
    anything the outside world can cause: the result says what went wrong. The text fields
    are fit for any database (PostgreSQL refuses NUL characters in text and JSON)."""
    result = CaptureResult()
    try:
        _capture_into(result, url)
    except SoftTimeLimitExceeded:
        # Record it (and retry later) rather than leave the row stuck in fetching.
        result.error_kind = "timeout"
        result.error_message = "The page took too long to process."
        result.transient = True
    except Exception as exc:  # a bug of ours met by a response; still an outcome in words
        logger.exception("Capturing %s failed unexpectedly", url)
        result.error_kind = "other"
        result.error_message = (f"The fetch stopped on an unexpected error "
                                f"({type(exc).__name__}); it was not retried.")
        result.transient = False
    result.fields = storable(result.fields)
    result.error_message = storable(result.error_message)
    return result


_NO_TEXT = {
    "html": "The page was fetched but holds no readable text (it may be built by scripts "
            "or be only images); the snapshot is kept.",
    "pdf": "The PDF was fetched but holds no text (it may be scanned pages without a text "
           "layer); the snapshot is kept.",
    "text": "The page was fetched but is empty.",
}


def _capture_into(result: CaptureResult, url: str) -> None:
    try:
        response = fetch(url)
    except FetchError as exc:
        result.fields.update(http_status=exc.http_status, final_url=exc.final_url[:2000])
        result.error_kind, result.error_message = exc.kind, exc.message
        result.transient, result.retry_after = exc.transient, exc.retry_after
        return
    result.fields.update(
        http_status=response.status,
        final_url=response.final_url[:2000],
        content_type=response.content_type[:200],
        size_bytes=len(response.body),
        metadata={"redirects": response.redirects, "ip": response.connected_ip,
                  "fetch_ms": response.elapsed_ms},
    )
    try:
        sha256, name = store_snapshot(response.body)
    except OSError as exc:
        result.error_kind = "storage"
        result.error_message = f"The snapshot could not be stored ({exc})."
        result.transient = True
        return
    result.fields.update(sha256=sha256, snapshot=name)
    clock = time.monotonic()
    try:
        found = extract(response.body, response.content_type, response.final_url)
    except ExtractionError as exc:
        result.error_kind, result.error_message = exc.kind, exc.message
        return
    except SoftTimeLimitExceeded:
        raise
    except Exception as exc:  # hostile content can trip a parser in ways we cannot list
        logger.exception("Extraction failed for %s", response.final_url)
        result.error_kind = "extraction"
        result.error_message = f"The page's text could not be extracted ({type(exc).__name__})."
        return
    result.fields["metadata"]["extract_ms"] = int((time.monotonic() - clock) * 1000)
    for name in ("title", "byline", "published", "sitename", "language", "text", "metadata"):
        setattr(found, name, storable(getattr(found, name)))
    result.fields.update(
        title=found.title, byline=found.byline, published=found.published, text=found.text,
        text_sha256=text_sha256(found.text),
    )
    result.fields["metadata"].update(
        found.metadata, kind=found.kind, encoding=found.encoding, sitename=found.sitename,
        language=found.language,
    )
    if not found.text.strip():
        # An empty extraction is not a capture a reader can follow: say so.
        result.error_kind = "extraction"
        result.error_message = _NO_TEXT.get(found.kind, _NO_TEXT["html"])
        return
    result.extracted = found


def retry_delay(attempt: int, retry_after: float | None = None) -> float:
    """Exponential backoff with jitter, honouring Retry-After, always below the broker's
    visibility timeout (a longer countdown would make Redis redeliver the waiting task)."""
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    cap = min(settings.FETCH_RETRY_MAX_SECONDS, visibility / 2)
    backoff = min(cap, settings.FETCH_RETRY_BASE_SECONDS * 2 ** max(attempt - 1, 0))
    delay = backoff / 2 + random.uniform(0, backoff / 2)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return min(delay, cap)


# --- Sources -----------------------------------------------------------------------------

_ACTIVE = (SourceStatus.PENDING, SourceStatus.FETCHING)
_OUTCOME_FIELDS = ["status", "attempts", "status_changed_at", "next_attempt_at",
                   "last_fetched_at", "last_error_kind", "last_error", "content_changed_at",
                   "is_dead", "updated_at"]


def source_fetch(*, source_id: int) -> FetchOutcome:
    """Capture a source once. Safe to run twice for the same request: the request key
    '(source, n-th successful capture)' is unique among successful captures, so a
    redelivered or duplicated task records one success at most."""
    source = Source.objects.filter(pk=source_id).first()
    if source is None:
        return FetchOutcome("missing")
    if source.status not in _ACTIVE:
        return FetchOutcome(source.status)  # done already (a redelivery, or a duplicate)
    wait = domain_take_token(source.domain)
    if wait > 0:
        Source.objects.filter(pk=source_id, status__in=_ACTIVE).update(
            next_attempt_at=timezone.now() + timedelta(seconds=wait)
        )
        return FetchOutcome("waiting", retry_in=wait)

    with transaction.atomic():
        source = Source.objects.select_for_update().get(pk=source_id)
        if source.status not in _ACTIVE:
            return FetchOutcome(source.status)
        successes = source.captures.filter(status=CaptureStatus.SUCCESS)
        previous = successes.order_by("-started_at", "-id").only("text_sha256").first()
        request_key = f"source:{source.pk}:capture:{successes.count() + 1}"
        attempt = source.attempts + 1
        if attempt > settings.FETCH_MAX_ATTEMPTS:
            # A redelivered or swept task after the last attempt: the limit holds here,
            # where the counter grows, whatever brought the task back.
            return _source_out_of_attempts(source, had_success=previous is not None)
        # A queryset update: "fetching" is a moment, not worth a history record per fetch.
        Source.objects.filter(pk=source_id).update(
            status=SourceStatus.FETCHING, attempts=attempt, next_attempt_at=None,
            status_changed_at=timezone.now(), updated_at=timezone.now())

    started_at = timezone.now()
    clock = time.monotonic()
    result = capture_url(source.normalized_url)
    finished_at = timezone.now()
    capture = Capture(
        source=source, request_key=request_key, attempt=attempt, started_at=started_at,
        finished_at=finished_at, duration_ms=int((time.monotonic() - clock) * 1000),
        **result.fields,
    )
    if result.ok:
        capture.status = CaptureStatus.SUCCESS
    else:
        capture.status = CaptureStatus.FAILED
        capture.error_kind, capture.error_message = result.error_kind, result.error_message

    with transaction.atomic():
        source = Source.objects.select_for_update().get(pk=source_id)
        if result.ok:
            try:
                with transaction.atomic():
                    capture.save()
            except IntegrityError:
                # This request was recorded by another delivery of the same task.
                return FetchOutcome(source.status)
            return _source_succeeded(source, capture, previous)
        capture.save()
        if source.status not in _ACTIVE:
            return FetchOutcome(source.status)  # another delivery finished it meanwhile
        return _source_failed(source, result, attempt, had_success=previous is not None)


def _source_succeeded(source: Source, capture: Capture, previous: Capture | None) -> FetchOutcome:
    now = timezone.now()
    if previous is not None and previous.text_sha256 != capture.text_sha256:
        source.content_changed_at = now
    source.status = SourceStatus.FETCHED
    source.title = capture.title[:500] or source.title
    source.last_fetched_at = now
    source.status_changed_at = now
    source.next_attempt_at = None
    source.last_error_kind = ""
    source.last_error = ""
    source.is_dead = False
    source.save(update_fields=[*_OUTCOME_FIELDS, "title"])
    archive_requested(capture)
    events.source_outcome(source, fetched=True)
    return FetchOutcome(SourceStatus.FETCHED)


def archive_requested(capture: Capture) -> CaptureArchive | None:
    """Ask for the evidence archive of a successful capture (in the caller's transaction;
    the task, claims.archiving, is sent once it commits). None when archiving is off."""
    if not settings.CAPTURE_ARCHIVE or capture.status != CaptureStatus.SUCCESS:
        return None
    archive, _created = CaptureArchive.objects.get_or_create(
        capture=capture, defaults={"status_changed_at": timezone.now()})
    transaction.on_commit(lambda: enqueue_capture_archive(archive.pk))
    return archive


def _source_failed(source: Source, result: CaptureResult, attempt: int, *,
                   had_success: bool) -> FetchOutcome:
    now = timezone.now()
    source.last_error_kind = result.error_kind
    source.last_error = result.error_message
    source.status_changed_at = now
    if result.transient and attempt < settings.FETCH_MAX_ATTEMPTS:
        delay = retry_delay(attempt, result.retry_after)
        source.status = SourceStatus.PENDING
        source.next_attempt_at = now + timedelta(seconds=delay)
        source.save(update_fields=_OUTCOME_FIELDS)
        return FetchOutcome("retrying", retry_in=delay)
    if result.transient:
        source.last_error = (f"{result.error_message} Gave up after {attempt} attempts.")
    source.next_attempt_at = None
    if had_success:
        # A re-capture failed: the earlier capture still stands, but readers following
        # the link will not find the page any more.
        source.status = SourceStatus.FETCHED
        source.is_dead = True
    else:
        source.status = SourceStatus.FAILED
    source.save(update_fields=_OUTCOME_FIELDS)
    events.source_outcome(source, fetched=False)
    return FetchOutcome(source.status)


def _source_out_of_attempts(source: Source, *, had_success: bool) -> FetchOutcome:
    """Stop fetching a source that has used up FETCH_MAX_ATTEMPTS (called under its lock)."""
    now = timezone.now()
    reason = source.last_error or "The last attempt did not finish."
    source.last_error = (f"{reason} Gave up after {source.attempts} attempts "
                         f"(the limit is {settings.FETCH_MAX_ATTEMPTS}).")
    source.last_error_kind = source.last_error_kind or "other"
    source.status_changed_at = now
    source.next_attempt_at = None
    source.attempts = min(source.attempts, settings.FETCH_MAX_ATTEMPTS)
    source.status = SourceStatus.FETCHED if had_success else SourceStatus.FAILED
    source.is_dead = had_success or source.is_dead
    source.save(update_fields=_OUTCOME_FIELDS)
    events.source_outcome(source, fetched=False)
    return FetchOutcome(source.status)


def source_give_up(*, source_id: int, reason: str) -> FetchOutcome:
    """Record a fetch that ended without an outcome of its own (the task broke, or the
    sweeper found the attempts used up) as failed, with `reason` in words."""
    with transaction.atomic():
        source = Source.objects.select_for_update().filter(pk=source_id).first()
        if source is None:
            return FetchOutcome("missing")
        if source.status not in _ACTIVE:
            return FetchOutcome(source.status)
        had_success = source.captures.filter(status=CaptureStatus.SUCCESS).exists()
        source.last_error, source.last_error_kind = reason, "other"
        if source.attempts >= settings.FETCH_MAX_ATTEMPTS:
            return _source_out_of_attempts(source, had_success=had_success)
        now = timezone.now()
        source.status = SourceStatus.FETCHED if had_success else SourceStatus.FAILED
        source.is_dead = had_success or source.is_dead
        source.status_changed_at, source.next_attempt_at = now, None
        source.save(update_fields=_OUTCOME_FIELDS)
        events.source_outcome(source, fetched=False)
        return FetchOutcome(source.status)


def article_give_up(*, article_id: int, reason: str) -> FetchOutcome:
    """Record an article fetch that ended without an outcome of its own as failed."""
    updated = Article.objects.filter(
        pk=article_id, status__in=[ArticleStatus.PENDING, ArticleStatus.FETCHING]
    ).update(status=ArticleStatus.FAILED, fetch_error=reason, updated_at=timezone.now())
    return FetchOutcome(ArticleStatus.FAILED if updated else "unchanged")


# --- Articles ----------------------------------------------------------------------------

def article_fill(article: Article, found: Extracted) -> None:
    """Copy what extraction found onto an article (title, text, outlet, author, date,
    language)."""
    article.title = (extracted_title(found, article.url) or article.title)[:500]
    article.body = found.text
    article.body_sha256 = text_sha256(found.text) if found.text else ""
    article.outlet = (found.sitename or article.outlet)[:200]
    article.author = (found.byline or article.author)[:300]
    # The text's own language wins over the page's declaration, as in article_create.
    article.language = text_language(found.text, fallback=language_code(found.language)
                                     or article.language)
    if found.published and not article.published_on:
        try:
            article.published_on = date.fromisoformat(found.published[:10])
        except ValueError:
            pass


def article_fetch(*, article_id: int, attempt: int = 1) -> FetchOutcome:
    """Fetch and extract an article imported from a URL."""
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return FetchOutcome("missing")
    if article.status not in (ArticleStatus.PENDING, ArticleStatus.FETCHING):
        return FetchOutcome(article.status)
    if attempt > settings.FETCH_MAX_ATTEMPTS:
        reason = article.fetch_error.removesuffix(" Trying again.") or "The fetch did not finish."
        return article_give_up(article_id=article_id, reason=(
            f"{reason} Gave up after {settings.FETCH_MAX_ATTEMPTS} attempts."))
    try:
        domain = registrable_domain(url_host_port(normalize_url(article.url))[1])
    except URLInvalid as exc:
        Article.objects.filter(pk=article_id).update(status=ArticleStatus.FAILED,
                                                     fetch_error=str(exc))
        return FetchOutcome(ArticleStatus.FAILED)
    wait = domain_take_token(domain)
    if wait > 0:
        return FetchOutcome("waiting", retry_in=wait)
    Article.objects.filter(pk=article_id).update(status=ArticleStatus.FETCHING,
                                                 updated_at=timezone.now())
    result = capture_url(article.url)
    return article_apply_result(article_id=article_id, result=result, attempt=attempt)


def article_apply_result(*, article_id: int, result: CaptureResult, attempt: int) -> FetchOutcome:
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article_id)
        if result.ok and not (result.extracted and result.extracted.text.strip()):
            result.error_kind = "extraction"
            result.error_message = "No article text could be found on the page."
        if result.ok:
            article_fill(article, result.extracted)
            article.status = ArticleStatus.READY
            article.fetch_error = ""
            article.save()
            return FetchOutcome(article.status)
        if result.transient and attempt < settings.FETCH_MAX_ATTEMPTS:
            article.status = ArticleStatus.PENDING
            article.fetch_error = f"{result.error_message} Trying again."
            article.save(update_fields=["status", "fetch_error", "updated_at"])
            return FetchOutcome("retrying", retry_in=retry_delay(attempt, result.retry_after))
        article.status = ArticleStatus.FAILED
        article.fetch_error = result.error_message
        article.save(update_fields=["status", "fetch_error", "updated_at"])
        return FetchOutcome(article.status)


# --- Beat: sweeper and re-check ------------------------------------------------------------

def fetches_sweep_stuck(*, older_than: float | None = None) -> int:
    """Re-enqueue sources and articles stuck pending or fetching for longer than
    FETCH_STUCK_AFTER_SECONDS: a message lost while the broker was down, or a worker that
    died mid-fetch. A source that has used up FETCH_MAX_ATTEMPTS is marked failed instead,
    and so is an article whose fetch started and never finished (an article keeps no
    attempt count, so running it again could loop). Returns how many were enqueued."""
    older_than = settings.FETCH_STUCK_AFTER_SECONDS if older_than is None else older_than
    now = timezone.now()
    cutoff = now - timedelta(seconds=older_than)
    not_recent = Q(status_changed_at__lte=cutoff) | Q(status_changed_at__isnull=True)
    stuck = Source.objects.filter(
        (Q(status=SourceStatus.PENDING) & not_recent
         & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=cutoff)))
        | (Q(status=SourceStatus.FETCHING) & not_recent)
    ).values_list("pk", "attempts")
    enqueued = 0
    for pk, attempts in list(stuck[:1000]):
        if attempts >= settings.FETCH_MAX_ATTEMPTS:
            source_give_up(source_id=pk, reason="The last attempt did not finish.")
            continue
        if enqueue_source_fetch(pk):
            # Touch the row so the next sweep leaves it alone while the task is queued.
            Source.objects.filter(pk=pk).update(status_changed_at=now)
            enqueued += 1
    broken = Article.objects.filter(status=ArticleStatus.FETCHING, updated_at__lte=cutoff)
    for pk in list(broken.values_list("pk", flat=True)[:1000]):
        article_give_up(article_id=pk, reason=(
            "The fetch started but did not finish (the worker stopped). Import the article "
            "again to try once more."))
    articles = Article.objects.filter(
        status=ArticleStatus.PENDING, updated_at__lte=cutoff
    ).values_list("pk", flat=True)
    for pk in list(articles[:1000]):
        if enqueue_article_fetch(pk):
            Article.objects.filter(pk=pk).update(updated_at=now)
            enqueued += 1
    return enqueued


def sources_cited_by_published_verdicts():
    """Sources behind a current published verdict: cited in the verdict's evidence, or in
    the evidence of its claim."""
    published = Verdict.objects.filter(is_current=True, state=VerdictState.PUBLISHED)
    return Source.objects.filter(
        Q(evidence__verdicts__in=published) | Q(evidence__claim__verdicts__in=published)
    ).distinct()


def sources_recheck_cited(*, older_than_days: float | None = None) -> int:
    """Capture again every cited source last captured more than FETCH_RECHECK_AFTER_DAYS
    ago; the new capture flags content_changed_at or is_dead."""
    days = settings.FETCH_RECHECK_AFTER_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - timedelta(days=days)
    due = (
        sources_cited_by_published_verdicts()
        .filter(status__in=[SourceStatus.FETCHED, SourceStatus.FAILED])
        .filter(Q(last_fetched_at__lte=cutoff) | Q(last_fetched_at__isnull=True))
        .values_list("pk", flat=True)
    )
    count = 0
    for pk in list(due[:5000]):
        with transaction.atomic():
            updated = Source.objects.filter(
                pk=pk, status__in=[SourceStatus.FETCHED, SourceStatus.FAILED]
            ).update(status=SourceStatus.PENDING, attempts=0, next_attempt_at=None,
                     status_changed_at=timezone.now())
            if updated:
                transaction.on_commit(lambda pk=pk: enqueue_source_fetch(pk))
                count += 1
    return count
