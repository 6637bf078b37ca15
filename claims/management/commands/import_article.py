"""python manage.py import_article URL_OR_FILE [--enqueue [--wait]] [--json]

A URL goes through the same safe client and extraction as sources (in this process by
default, or by the Celery workers with --enqueue); a local .txt/.html file is read directly.
A refused or failed import exits non-zero with the reason in words."""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from claims.choices import ArticleStatus
from claims.fetching.extract import extract_html, extract_text
from claims.fetching.pipeline import FetchOutcome, article_fetch, article_fill
from claims.models import Article
from claims.services.articles import article_create, article_import_url

FILE_KINDS = {".txt": "text", ".text": "text", ".html": "html", ".htm": "html"}


class Command(BaseCommand):
    help = "Create an article from a URL (fetched safely) or from a local .txt/.html file."

    def add_arguments(self, parser):
        parser.add_argument("source", metavar="URL_OR_FILE")
        parser.add_argument("--enqueue", action="store_true",
                            help="Hand the fetch to the Celery workers instead of fetching here.")
        parser.add_argument("--wait", action="store_true",
                            help="With --enqueue: block until the workers have finished.")
        parser.add_argument("--timeout", type=float, default=300.0,
                            help="Seconds --wait waits before giving up (default 300).")
        parser.add_argument("--json", action="store_true", dest="as_json",
                            help="Print one JSON object (id, status, title, text, sha256, error).")

    def handle(self, source, enqueue=False, wait=False, timeout=300.0, as_json=False, **opts):
        if wait and not enqueue:
            raise CommandError("--wait only makes sense with --enqueue.")
        path = Path(source).expanduser()
        try:
            if "://" not in source and (path.exists() or path.suffix.lower() in FILE_KINDS):
                if not path.is_file():
                    raise CommandError(f"There is no file at {path}.")
                article = self._from_file(path)
            else:
                article = self._from_url(source, enqueue=enqueue, wait=wait, timeout=timeout)
        except (ValidationError, CommandError) as exc:
            message = _words(exc)
            if as_json:
                self._print_json({"id": None, "status": "refused", "title": "", "text": "",
                                  "sha256": "", "error": message, "url": source})
            raise CommandError(message) from exc
        self._report(article, as_json)
        if article.status == ArticleStatus.FAILED:
            raise CommandError(f"Import failed: {article.fetch_error}")

    # --- the two kinds of input -----------------------------------------------------------
    def _from_file(self, path: Path) -> Article:
        kind = FILE_KINDS.get(path.suffix.lower())
        if kind is None:
            raise CommandError(f"{path.name}: only .txt and .html files can be imported.")
        if path.stat().st_size > settings.ARTICLE_UPLOAD_MAX_BYTES:
            raise CommandError(f"{path.name} is larger than the limit of "
                               f"{settings.ARTICLE_UPLOAD_MAX_BYTES // 1024:,} KB.")
        data = path.read_bytes()
        found = extract_html(data, "", "") if kind == "html" else extract_text(data, "")
        if not found.text.strip():
            raise CommandError(f"No article text could be found in {path.name}.")
        article = Article(title=found.title or path.stem, status=ArticleStatus.READY)
        article_fill(article, found)
        return article_create(
            title=article.title or path.stem, body=article.body, outlet=article.outlet,
            author=article.author, published_on=article.published_on,
            language=article.language,
        )

    def _from_url(self, url: str, *, enqueue: bool, wait: bool, timeout: float) -> Article:
        article = article_import_url(url=url, user=None, enqueue=enqueue)
        if enqueue:
            if wait:
                article = self._wait(article, timeout)
            return article
        outcome = FetchOutcome("waiting", retry_in=0)
        while outcome.status == "waiting":  # politeness: wait our turn for the domain
            time.sleep(outcome.retry_in or 0)
            # One attempt in this process: a transient failure is reported, not retried.
            outcome = article_fetch(article_id=article.pk, attempt=settings.FETCH_MAX_ATTEMPTS)
        article.refresh_from_db()
        return article

    def _wait(self, article: Article, timeout: float) -> Article:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            article.refresh_from_db()
            if article.status in (ArticleStatus.READY, ArticleStatus.FAILED):
                return article
            time.sleep(0.2)
        raise CommandError(
            f"Article {article.pk} is still {article.get_status_display().lower()} after "
            f"{timeout:g} s: is a Celery worker running? It will be fetched when one is."
        )

    # --- output ------------------------------------------------------------------------------
    def _report(self, article: Article, as_json: bool) -> None:
        if as_json:
            self._print_json({
                "id": article.pk, "status": article.status, "title": article.title,
                "text": article.body, "sha256": article.body_sha256,
                "error": article.fetch_error, "url": article.url, "outlet": article.outlet,
                "author": article.author,
                "published_on": article.published_on.isoformat() if article.published_on
                else None,
            })
            return
        line = f"Article {article.pk} ({article.get_status_display().lower()}): {article.title}"
        if article.status == ArticleStatus.READY:
            self.stdout.write(self.style.SUCCESS(line))
            self.stdout.write(f"{len(article.body):,} characters, sha256 {article.body_sha256}")
        else:
            self.stdout.write(line)

    def _print_json(self, data: dict) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False))


def _words(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "message_dict"):
            return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
        return " ".join(exc.messages)
    return str(exc)
