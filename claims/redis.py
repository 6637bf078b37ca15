"""One place that turns REDIS_URL into what each client wants.

Celery (kombu) names a Unix socket `redis+socket:///path`; redis-py names it `unix:///path`."""

from __future__ import annotations

from functools import cache

import redis
from django.conf import settings


def redis_py_url(url: str | None = None) -> str:
    url = url or settings.REDIS_URL
    if url.startswith("redis+socket://"):
        return "unix://" + url.removeprefix("redis+socket://")
    return url


@cache
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def redis_client() -> redis.Redis:
    """A shared client for REDIS_URL (connection pool per URL)."""
    return _client(redis_py_url())
