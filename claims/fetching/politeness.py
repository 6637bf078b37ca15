"""Per-domain politeness: a token bucket in Redis per registrable domain, shared by every
worker. Over the limit the caller re-schedules the fetch (without using an attempt)."""

from __future__ import annotations

import logging

import redis
from django.conf import settings

from claims.redis import redis_client

logger = logging.getLogger(__name__)

# Refill at `rate` tokens per second up to `burst`; take one if there is one, else say how
# long until there is. Redis's own clock keeps every worker on the same time.
_TAKE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local data = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(data[1]) or burst
local ts = tonumber(data[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 60)
return tostring(wait)
"""
_script = None


def domain_take_token(domain: str) -> float:
    """0.0 if a request to `domain` may go now, else the seconds to wait."""
    global _script
    try:
        client = redis_client()
        if _script is None:
            _script = client.register_script(_TAKE)
        wait = _script(keys=[f"factcheck:fetch-bucket:{domain}"],
                       args=[settings.FETCH_DOMAIN_RATE, settings.FETCH_DOMAIN_BURST],
                       client=client)
        return float(wait)
    except redis.RedisError as exc:
        # Politeness is best effort: without Redis we fetch rather than stall the queue.
        logger.warning("Politeness bucket unavailable (%s); fetching %s anyway.", exc, domain)
        return 0.0
