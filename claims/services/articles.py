"""Writes with business rules. Views, forms, admin actions, commands and tasks call these;
they hold no rules of their own. Each raises ValidationError with a message in words."""

from __future__ import annotations

import hashlib
from datetime import date

from django.contrib.auth.models import AbstractBaseUser as User
from django.db import transaction

from claims.choices import ArticleStatus
from claims.models import (
    Article,
)
from claims.services.sources import _normalized_fetch_url


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
) -> Article:
    """Create an article from text the desk already has (pasted, uploaded or imported).
    An internal article (a memo, a tip) is never named to readers."""
    article = Article(
        title=title.strip(),
        body=body,
        body_sha256=text_sha256(body) if body else "",
        url=url,
        outlet=outlet.strip(),
        author=author.strip(),
        published_on=published_on,
        language=language,
        status=status,
        is_internal=is_internal,
        created_by=user,
    )
    article.full_clean()
    article.save()
    from claims.assist.services import suggestions_enqueue

    suggestions_enqueue(article=article)
    return article


def _provisional_title(normalized_url: str) -> str:
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(normalized_url)
    slug = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1])
    slug = slug.rsplit(".", 1)[0].replace("-", " ").replace("_", " ").strip()
    host = (parts.hostname or "").removeprefix("www.")
    return (f"{slug} ({host})" if slug else host)[:500] or "Imported article"


def article_import_url(*, url: str, user: User | None = None, enqueue: bool = True) -> Article:
    """Start importing an article from the web: it is saved as pending with a title taken
    from the URL, and the worker fetches and extracts it through the network guard
    (`enqueue=False`: the caller fetches it in its own process, as import_article does)."""
    from claims.fetching.queue import enqueue_article_fetch

    normalized = _normalized_fetch_url(url)
    with transaction.atomic():
        article = article_create(
            title=_provisional_title(normalized),
            body="",
            user=user,
            url=normalized,
            status=ArticleStatus.PENDING,
        )
        if enqueue:
            transaction.on_commit(lambda: enqueue_article_fetch(article.pk))
    return article
