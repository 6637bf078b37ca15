"""Rate limits: per token and per anonymous address, counted in Redis (the embedded one, or
REDIS_URL's on the PostgreSQL run), answering 429 with Retry-After and the reason in words;
per-process counters while Redis is down."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.test import override_settings

from api import throttling
from claims.redis import redis_client

ME = "/api/v1/me/"


def tiny_rates(token="3/minute", anon="2/minute"):
    return override_settings(REST_FRAMEWORK={
        **settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": token, "anon": anon}})


@pytest.fixture(autouse=True)
def no_outage():
    """Forget any Redis outage a test simulated (the counters in Redis are flushed between
    tests with the cache)."""
    throttling._redis_down_until = 0.0
    throttling._memory = throttling._Windows()
    yield
    throttling._redis_down_until = 0.0
    throttling._memory = throttling._Windows()


def _limited(response, who, limit):
    assert response.status_code == 429, response.content
    wait = int(response["Retry-After"])
    assert 1 <= wait <= 60
    assert response.json()["detail"] == (
        f"Too many requests {who}: the limit is {limit} per minute. "
        f"Try again in {wait} second{'s' if wait != 1 else ''}.")


def test_token_limit_answers_429_with_retry_after(client, make_token, auth_header):
    token, plain = make_token()
    with tiny_rates():
        for _ in range(3):
            assert client.get(ME, headers=auth_header(plain)).status_code == 200
        response = client.get(ME, headers=auth_header(plain))
        _limited(response, "for this token", 3)
        # The window opened at the first request, a moment ago: nearly a minute to wait.
        assert int(response["Retry-After"]) >= 55
        # Another token of the same person has its own allowance.
        _, other = make_token(name="Other")
        assert client.get(ME, headers=auth_header(other)).status_code == 200
    # The count is in Redis, where every web process sees it; its expiry is the window's.
    key = f"factcheck:api-rate:token:t{token.pk}:60"
    assert int(redis_client().get(key)) == 4
    assert 0 < redis_client().pttl(key) <= 60_000


@pytest.mark.urls("tests.api.scope_urls")
@pytest.mark.django_db
def test_anonymous_limit_is_per_address(client):
    with tiny_rates():
        for _ in range(2):
            assert client.get("/public/", REMOTE_ADDR="198.51.100.7").status_code == 200
        _limited(client.get("/public/", REMOTE_ADDR="198.51.100.7"),
                 "from this address without a token", 2)
        # A forged X-Forwarded-For does not make a new address (API_NUM_PROXIES=0).
        forged = client.get("/public/", REMOTE_ADDR="198.51.100.7",
                            headers={"X-Forwarded-For": "203.0.113.99"})
        assert forged.status_code == 429
        assert client.get("/public/", REMOTE_ADDR="198.51.100.8").status_code == 200


@pytest.mark.urls("tests.api.scope_urls")
def test_a_token_is_not_held_to_its_addresss_anonymous_limit(client, make_token, auth_header):
    _, plain = make_token()
    with tiny_rates():
        for _ in range(3):
            response = client.get("/public/", REMOTE_ADDR="198.51.100.9",
                                  headers=auth_header(plain))
            assert response.status_code == 200


@pytest.mark.urls("tests.api.scope_urls")
@pytest.mark.django_db
def test_behind_one_proxy_the_forwarded_address_counts(client):
    rest = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1,
            "DEFAULT_THROTTLE_RATES": {"token": "3/minute", "anon": "1/minute"}}
    with override_settings(REST_FRAMEWORK=rest):
        proxy = "10.0.0.2"
        assert client.get("/public/", REMOTE_ADDR=proxy,
                          headers={"X-Forwarded-For": "203.0.113.1"}).status_code == 200
        assert client.get("/public/", REMOTE_ADDR=proxy,
                          headers={"X-Forwarded-For": "203.0.113.1"}).status_code == 429
        assert client.get("/public/", REMOTE_ADDR=proxy,
                          headers={"X-Forwarded-For": "203.0.113.2"}).status_code == 200


def test_without_redis_each_process_still_limits(client, make_token, auth_header, caplog):
    """Redis gone (its socket does not exist): the limits still hold, counted in this
    process, and no request waits on Redis."""
    _, plain = make_token()
    with tiny_rates(), override_settings(REDIS_URL="redis+socket:///nonexistent/redis.sock"):
        started = time.monotonic()
        for _ in range(3):
            assert client.get(ME, headers=auth_header(plain)).status_code == 200
        _limited(client.get(ME, headers=auth_header(plain)), "for this token", 3)
        assert time.monotonic() - started < 2
    assert "fall back to per-process counters" in caplog.text
    assert throttling._redis_down_until > time.monotonic()  # Redis is tried again later


def test_redis_is_tried_again_after_an_outage(client, make_token, auth_header, monkeypatch):
    token, plain = make_token()
    monkeypatch.setattr(throttling, "REDIS_RETRY_SECONDS", 0.0)
    with tiny_rates(), override_settings(REDIS_URL="redis+socket:///nonexistent/redis.sock"):
        assert client.get(ME, headers=auth_header(plain)).status_code == 200
    with tiny_rates():
        assert client.get(ME, headers=auth_header(plain)).status_code == 200
    key = f"factcheck:api-rate:token:t{token.pk}:60"
    assert int(redis_client().get(key)) == 1  # counted in Redis again


def test_the_window_closes_and_a_new_one_opens(client, make_token, auth_header):
    _, plain = make_token()
    with tiny_rates(token="2/second"):
        for _ in range(2):
            assert client.get(ME, headers=auth_header(plain)).status_code == 200
        limited = client.get(ME, headers=auth_header(plain))
        assert limited.status_code == 429 and limited["Retry-After"] == "1"
        time.sleep(1.1)
        assert client.get(ME, headers=auth_header(plain)).status_code == 200


def test_rates_parse():
    assert throttling.parse_rate("600/minute") == (600, 60)
    assert throttling.parse_rate("10/s") == (10, 1)
    assert throttling.parse_rate("5000/hour") == (5000, 3600)
    assert throttling.parse_rate("100000/day") == (100000, 86400)


@pytest.mark.django_db
def test_refused_tokens_count_against_the_address(client):
    """Made-up tokens are held to the per-address limit: 401 until it is reached, then 429."""
    bad = {"Authorization": "Bearer fct_guess_0000"}
    with tiny_rates():
        for _ in range(2):
            assert client.get(ME, REMOTE_ADDR="198.51.100.20", headers=bad).status_code == 401
        _limited(client.get(ME, REMOTE_ADDR="198.51.100.20", headers=bad),
                 "from this address without a token", 2)
        assert client.get(ME, REMOTE_ADDR="198.51.100.21", headers=bad).status_code == 401


def test_a_valid_token_is_not_held_to_refused_ones_from_its_address(client, make_token,
                                                                    auth_header):
    _, plain = make_token()
    bad = {"Authorization": "Bearer fct_guess_0000"}
    with tiny_rates():
        for _ in range(3):
            client.get(ME, REMOTE_ADDR="198.51.100.22", headers=bad)
        assert client.get(ME, REMOTE_ADDR="198.51.100.22",
                          headers=auth_header(plain)).status_code == 200


@pytest.mark.parametrize("rate", ["600 a minute", "/minute", "10/fortnight", "0/minute"])
def test_a_rate_that_does_not_parse_fails_the_system_check(rate):
    from api.checks import check_throttle_rates

    with tiny_rates(token=rate):
        errors = check_throttle_rates()
    assert [e.id for e in errors] == ["api.E001"]
    assert "API_RATE_TOKEN" in errors[0].msg


def test_the_configured_rates_pass_the_system_check():
    from api.checks import check_throttle_rates

    assert check_throttle_rates() == []
