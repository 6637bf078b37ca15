"""Writes about articles: adding one from text the desk has, importing one from the web,
and asking a worker to score a ready article's sentences for check-worthy claims."""

from __future__ import annotations

from datetime import date
from urllib.parse import unquote, urlsplit

from django.contrib.auth.models import AbstractBaseUser as User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from claims import queue
from claims.choices import ArticleStatus
from claims.fetching.extract import text_sha256
from claims.fetching.urls import URLInvalid, normalize_url
from claims.language import language_code, text_language
from claims.models import Article
from claims.selectors.articles import article_repeats
from claims.services.sources import normalized_fetch_url


class ArticleRepeat(ValidationError):
    """The article is already on the desk (same URL or same text): nothing was saved.
    `existing` is the first copy, so the page can link to it; adding it again anyway is
    an explicit choice (`repeat_ok=True`)."""

    def __init__(self, *, existing: Article, same: str):
        self.existing = existing
        added = timezone.localtime(existing.created_at).strftime("%Y-%m-%d")
        super().__init__(
            f"This article is already on the desk: “{existing.title}” (added {added}) has "
            f"the same {same}. Open it to log its claims there, or tick “Add it anyway” to "
            "add a second copy.",
            code="repeat",
        )


def _comparable_url(url: str) -> str:
    try:
        return normalize_url(url) if url else ""
    except URLInvalid:
        return url


def article_refuse_repeat(*, url: str = "", body: str = "") -> None:
    """Raise ArticleRepeat if an article with this URL (normalised) or this exact text is
    already on the desk."""
    urls = {url, _comparable_url(url)} - {""}
    digest = text_sha256(body) if body else ""
    existing = article_repeats(urls=urls, body_sha256=digest).first()
    if existing is None:
        return
    same_url = existing.url in urls
    same_text = bool(digest) and existing.body_sha256 == digest
    raise ArticleRepeat(existing=existing, same=" and ".join(
        what for what, hit in (("URL", same_url), ("text", same_text)) if hit) or "text")


def article_create(
    *,
    title: str,
    body: str,
    user: User | None = None,
    url: str = "",
    outlet: str = "",
    author: str = "",
    published_on: date | None = None,
    language: str = "",
    status: str = ArticleStatus.READY,
    is_internal: bool = False,
    repeat_ok: bool = False,
) -> Article:
    """Create an article from text the desk already has (pasted, uploaded or imported).
    An internal article (a memo, a tip) is never named to readers. One already on the desk
    (same URL or same text) is refused with ArticleRepeat unless `repeat_ok`. Its language
    is detected from the text; the `language` declared (by the page, the caller) counts
    only when the text cannot tell (article_language)."""
    if not repeat_ok:
        article_refuse_repeat(url=url, body=body)
    article = Article(
        title=title.strip(),
        body=body,
        body_sha256=text_sha256(body) if body else "",
        url=url,
        outlet=outlet.strip(),
        author=author.strip(),
        published_on=published_on,
        language=article_language(body, declared=language),
        status=status,
        is_internal=is_internal,
        created_by=user,
    )
    article.full_clean()
    article.save()
    suggestions_enqueue(article=article)
    return article


def article_language(body: str, *, declared: str = "") -> str:
    """An article's language: detected from its text (claims/language.py), else the ISO
    639-1 code in the tag the page or the caller declared ("en-GB" is "en"), else "".
    Pages often declare their site's language whatever the article's, so the text wins."""
    return text_language(body, fallback=language_code(declared))


def suggestions_enqueue(*, article: Article) -> None:
    """After the current transaction commits, ask a worker to score the article. A broker
    that is down is logged, not raised, and costs the request well under a second
    (claims/queue.py): the sweeper scores the article once the broker is back
    (suggestions_sweep_unscored), and the editor can also score it from its page or with
    `manage.py suggest_claims`."""
    if article.status != ArticleStatus.READY or not article.body.strip():
        return
    article_id = article.pk
    transaction.on_commit(lambda: queue.enqueue_suggestions(article_id))


def _provisional_title(normalized_url: str) -> str:
    parts = urlsplit(normalized_url)
    slug = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1])
    slug = slug.rsplit(".", 1)[0].replace("-", " ").replace("_", " ").strip()
    host = (parts.hostname or "").removeprefix("www.")
    return (f"{slug} ({host})" if slug else host)[:500] or "Imported article"


def article_import_url(*, url: str, user: User | None = None, enqueue: bool = True,
                       repeat_ok: bool = False) -> Article:
    """Start importing an article from the web: it is saved as pending with a title taken
    from the URL, and the worker fetches and extracts it through the network guard
    (`enqueue=False`: the caller fetches it in its own process, as import_article does).
    A URL already on the desk is refused with ArticleRepeat unless `repeat_ok`; a page whose
    text turns out to repeat another article's is flagged on its page once fetched."""
    normalized = normalized_fetch_url(url)
    with transaction.atomic():
        article = article_create(
            title=_provisional_title(normalized),
            body="",
            user=user,
            url=normalized,
            status=ArticleStatus.PENDING,
            repeat_ok=repeat_ok,
        )
        if enqueue:
            transaction.on_commit(lambda: queue.enqueue_article_fetch(article.pk))
    return article
