"""Rate limits: per token, and per address for requests without one (or with a token that
was refused: api/authentication.py counts those before it answers 401).

A fixed window in Redis, shared by every web process: a window opens at a client's first
request and lasts the rate's period; one INCR (plus PEXPIRE when the window opens) per
request, atomic in a Lua script, and Redis's own expiry says how long the window has left,
so Retry-After is exact whatever the web processes' clocks say. Over the limit the API
answers 429 with Retry-After and the reason in words.

When Redis does not answer, each web process keeps its own fixed-window counters in memory
(so a client gets at most the limit times the number of processes, instead of no limit at
all) and tries Redis again after REDIS_RETRY_SECONDS, not on every request, so an outage
costs no time per request. The rates are REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]:
"token" and "anon", set from API_RATE_TOKEN and API_RATE_ANON ("600/minute")."""

from __future__ import annotations

import logging
import math
import threading
import time

import redis
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from claims.models import ApiToken
from claims.redis import redis_client

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
REDIS_RETRY_SECONDS = 30.0
KEY_PREFIX = "factcheck:api-rate"

# KEYS[1]: the client's counter. ARGV[1]: the window's length in seconds. Returns the count
# so far in the window and the milliseconds it has left.
_HIT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1] * 1000) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1] * 1000); ttl = ARGV[1] * 1000 end
return {n, ttl}
"""


def parse_rate(rate: str) -> tuple[int, int]:
    """"600/minute" → (600, 60): requests per period, the period in seconds."""
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period.strip()[0].lower()]


class _Windows:
    """The in-memory fallback: the same fixed windows, per key, in this process."""

    def __init__(self):
        self.lock = threading.Lock()
        self.windows: dict[str, tuple[float, int]] = {}  # key: (window's end, count)

    def hit(self, key: str, period: int) -> tuple[int, float]:
        now = time.monotonic()
        with self.lock:
            end, n = self.windows.get(key, (0.0, 0))
            if now >= end:
                end, n = now + period, 0
            n += 1
            self.windows[key] = (end, n)
            if len(self.windows) > 10_000:  # forget windows that have closed
                self.windows = {k: v for k, v in self.windows.items() if v[0] > now}
            return n, end - now


_memory = _Windows()
_redis_down_until = 0.0
_script = None


def window_hit(key: str, period: int) -> tuple[int, float]:
    """Count a request in `key`'s current window: (requests so far, seconds left)."""
    global _redis_down_until, _script
    if time.monotonic() >= _redis_down_until:
        try:
            client = redis_client()
            if _script is None:
                _script = client.register_script(_HIT)
            n, ttl_ms = _script(keys=[key], args=[period], client=client)
            return int(n), int(ttl_ms) / 1000
        except redis.RedisError as exc:
            _redis_down_until = time.monotonic() + REDIS_RETRY_SECONDS
            logger.warning("API rate limits fall back to per-process counters for %ss: "
                           "Redis did not answer (%s).", REDIS_RETRY_SECONDS, exc)
    return _memory.hit(key, period)


class RedisWindowThrottle(BaseThrottle):
    """A limit of `scope`'s rate per client identity, counted in fixed windows."""

    scope = ""
    who = ""

    def identity(self, request) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view):
        return self.count(self.identity(request))

    def count(self, ident: str | None) -> bool:
        """Count a request of `ident` (None: not this limit's business); True if it is within
        the limit, else raise RateLimited (429)."""
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        if ident is None or not rate:
            return True
        limit, period = parse_rate(rate)
        n, left = window_hit(f"{KEY_PREFIX}:{self.scope}:{ident}:{period}", period)
        if n <= limit:
            return True
        wait = max(1, math.ceil(left))
        # Raised here rather than returning False, so the 429 says which limit, in words;
        # DRF's exception handler adds Retry-After from `wait`.
        raise RateLimited(
            wait=wait,
            detail=f"Too many requests {self.who}: the limit is {limit} per "
            f"{_period_words(period)}. Try again in {wait} second{'s' if wait != 1 else ''}.",
        )


class RateLimited(exceptions.Throttled):
    """429 with our own words (DRF's Throttled would append its own sentence about the
    wait); the exception handler turns `wait` into Retry-After."""

    def __init__(self, *, wait: int, detail: str):
        super().__init__(detail=detail)
        self.wait = wait


def _period_words(period: int) -> str:
    return {1: "second", 60: "minute", 3600: "hour", 86400: "day"}.get(
        period, f"{period} seconds")


class TokenRateThrottle(RedisWindowThrottle):
    """Per token (requests that present one)."""

    scope = "token"
    who = "for this token"

    def identity(self, request):
        token = request.auth
        return f"t{token.pk}" if isinstance(token, ApiToken) else None


class AnonRateThrottle(RedisWindowThrottle):
    """Per client address, for requests without a token (REST_FRAMEWORK NUM_PROXIES says how
    many proxies' X-Forwarded-For entries to trust; 0 trusts none)."""

    scope = "anon"
    who = "from this address without a token"

    def identity(self, request):
        if isinstance(request.auth, ApiToken):
            return None
        return self.get_ident(request)

    def count_refused_token(self, request) -> None:
        """A request whose token was refused counts as a request without one, so sending
        made-up tokens is held to the same per-address limit (called by the authentication,
        before it answers 401; raises RateLimited over the limit)."""
        self.count(self.get_ident(request))
