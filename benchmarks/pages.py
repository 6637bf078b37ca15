"""The measured requests: each page fetched through Django's test Client, logged in as an
editor, in one process, after a warm-up. A page whose URL does not exist (yet) is reported
as not available, never faked.

What the test Client costs: nothing a server does not. It calls Django's request handler
directly; nothing here calls setup_test_environment(), so templates are not instrumented
(no template_rendered signal, no context copies). The same pages are also measured through
the production server (benchmarks/server_bench.py: gunicorn, one sync worker, real HTTP,
the worker's own CPU per request): what an editor waits for is that figure, and the report
gives both. On 2026-12-07 (10k claims, SQLite, quiet) the two agreed within 1 ms on the
claims table (18.1 against 18.5 ms) and the claim page (28.5 against 29.2 ms).
Until then the claims table's time was mostly django-tables2's per-cell pipeline (each of
about 450 cells resolving its accessor, inspecting its render method's signature and
building its <td> attributes) and the filter form's widgets through Django templates; the
tables now render through Jinja2 (factcheck/jinja.py) and the desk forms' widgets through
Django's Jinja2 widget templates (claims/widgets.py)."""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from benchmarks.api_pages import api_scenarios

# Candidate names for the desk's claims table, in the order the UI is likely to use them.
TABLE_URL_NAMES = ["claims:claim-list", "claims:claims", "claims:claim_list", "claims:claim-table"]
FEED_PATH = "/feeds/claimreview.json"
PEER_URLCONF = "benchmarks.peer_admin"
# Rows per page of the stock admin changelist (ModelAdmin.list_per_page's default).
PEER_PER_PAGE = 100
# The deep page sits this many rows into the table, whatever the page size.
DEEP_OFFSET = 5000


@dataclass
class Scenario:
    key: str
    label: str
    url: str | None
    peer: str | None = None  # key of the peer scenario this one is compared with
    urlconf: str | None = None
    note: str = ""
    headers: dict = field(default_factory=dict)  # e.g. an API token's Authorization


@dataclass
class Result:
    key: str
    label: str
    url: str | None
    available: bool
    status: int | None = None
    p50_ms: float | None = None
    p95_ms: float | None = None
    mean_ms: float | None = None
    min_ms: float | None = None
    # CPU time of this (web) process per request: rendering and ORM work, without the
    # database server's time and without waiting for the CPU when other processes compete.
    cpu_p50_ms: float | None = None
    queries: int | None = None
    bytes: int | None = None
    peer: str | None = None
    ratio_vs_peer: float | None = None
    note: str = ""
    samples_ms: list[float] = field(default_factory=list)


def _reverse_first(names: list[str], *args) -> str | None:
    for name in names:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return None


def _path_exists(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def _with_query(url: str | None, **params) -> str | None:
    if url is None:
        return None
    return f"{url}?{urlencode(params)}" if params else url


def table_page_size() -> int:
    """Rows per page of the desk's claims table."""
    from claims.views.common import PER_PAGE

    return PER_PAGE


def table_sort_param() -> str:
    """The claims table's sort key for "newest claimed first"."""
    try:
        from claims.tables import ClaimTable

        columns = ClaimTable.base_columns
        for name in ("claimed_on", "claimed", "date_claimed"):
            if name in columns:
                return f"-{name}"
        for name in ("created_at", "created", "logged"):
            if name in columns:
                return f"-{name}"
    except (ImportError, AttributeError):
        pass
    return "-claimed_on"


def build_scenarios(*, info: dict) -> list[Scenario]:
    from claims.models import Article, Claim

    table = _reverse_first(TABLE_URL_NAMES)
    per_page = table_page_size()
    deep_page = DEEP_OFFSET // per_page + 1
    term = info["search_term"]
    sort = table_sort_param()
    # The most quoted claimant: the heaviest claimant filter.
    claimant_id = 1
    article = Article.objects.order_by("id")[max(0, Article.objects.count() // 2 - 1):][:1]
    article_id = article[0].id if article else None
    claim = (
        Claim.objects.filter(status="published", id__gte=info["claims"] // 2).order_by("id").first()
        or Claim.objects.order_by("id").first()
    )

    def detail(name, pk):
        try:
            return reverse(name, args=[pk]) if pk else None
        except NoReverseMatch:
            return None

    with override_settings(ROOT_URLCONF=PEER_URLCONF):
        from .peer_admin import column_index

        peer = reverse("peer_admin:claims_claim_changelist")
        peer_sort_index = column_index("claimed_on" if "claimed" in sort else "created_at")

    scenarios = [
        Scenario("table.first", "Claims table, first page", table, peer="peer.first"),
        Scenario("table.deep", f"Claims table, page {deep_page} ({DEEP_OFFSET:,} rows in)",
                 _with_query(table, page=deep_page), peer="peer.deep"),
        Scenario("table.status", "Claims table, status = researching",
                 _with_query(table, status="researching"), peer="peer.status"),
        Scenario("table.claimant", "Claims table, one claimant",
                 _with_query(table, claimant=claimant_id), peer="peer.claimant"),
        Scenario("table.search", f"Claims table, text search \"{term}\"",
                 _with_query(table, q=term), peer="peer.search"),
        Scenario("table.sorted", f"Claims table, sorted by date ({sort})",
                 _with_query(table, sort=sort), peer="peer.sorted"),
        Scenario("article", "Article page", detail("claims:article-detail", article_id)),
        Scenario("claim", "Claim page (published, with evidence and verdict)",
                 detail("claims:claim-detail", claim.id if claim else None)),
        Scenario("dashboard", "Dashboard", _reverse_first(["claims:dashboard"])),
        Scenario("feed", "ClaimReview feed", FEED_PATH if _path_exists(FEED_PATH) else None),
        Scenario("peer.first", "Admin changelist, first page", peer, urlconf=PEER_URLCONF),
        Scenario("peer.deep", f"Admin changelist, {DEEP_OFFSET:,} rows in",
                 _with_query(peer, p=DEEP_OFFSET // PEER_PER_PAGE + 1), urlconf=PEER_URLCONF),
        Scenario("peer.status", "Admin changelist, status = researching",
                 _with_query(peer, status="researching"), urlconf=PEER_URLCONF),
        Scenario("peer.claimant", "Admin changelist, one claimant",
                 _with_query(peer, claimant=claimant_id), urlconf=PEER_URLCONF),
        Scenario("peer.search", f"Admin changelist, search \"{term}\"",
                 _with_query(peer, q=term), urlconf=PEER_URLCONF),
        Scenario("peer.sorted", "Admin changelist, sorted by date",
                 _with_query(peer, o=f"-{peer_sort_index}"), urlconf=PEER_URLCONF),
    ]
    return scenarios


def _fetch(client: Client, url: str, headers: dict | None = None):
    response = client.get(url, headers=headers)
    if getattr(response, "streaming", False):
        size = sum(len(chunk) for chunk in response.streaming_content)
    else:
        size = len(response.content)
    return response, size


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile: a value that was actually observed."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def measure(client: Client, scenario: Scenario, *, warmup: int, repeat: int) -> Result:
    try:
        return _measure(client, scenario, warmup=warmup, repeat=repeat)
    except Exception as exc:  # noqa: BLE001  (a broken page is a finding, not a crash)
        message = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
        return Result(scenario.key, scenario.label, scenario.url, available=True,
                      peer=scenario.peer, note=f"error: {type(exc).__name__}: {message}")


def _measure(client: Client, scenario: Scenario, *, warmup: int, repeat: int) -> Result:
    result = Result(scenario.key, scenario.label, scenario.url, available=scenario.url is not None,
                    peer=scenario.peer, note=scenario.note)
    if scenario.url is None:
        result.note = result.note or "not available (no such page yet)"
        return result
    overrides = {"ROOT_URLCONF": scenario.urlconf} if scenario.urlconf else {}
    with override_settings(**overrides):
        for _ in range(warmup):
            response, _size = _fetch(client, scenario.url, scenario.headers)
        with CaptureQueriesContext(connection) as queries:
            response, size = _fetch(client, scenario.url, scenario.headers)
        result.status = response.status_code
        result.queries = len(queries)
        result.bytes = size
        if response.status_code != 200:
            result.note = f"HTTP {response.status_code}: not measured"
            return result
        samples, cpu = [], []
        for _ in range(repeat):
            started, cpu_started = time.perf_counter(), time.process_time()
            _fetch(client, scenario.url, scenario.headers)
            samples.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
    result.samples_ms = [round(s, 2) for s in samples]
    result.p50_ms = round(statistics.median(samples), 2)
    result.p95_ms = round(percentile(samples, 0.95), 2)
    result.mean_ms = round(statistics.fmean(samples), 2)
    result.min_ms = round(min(samples), 2)
    result.cpu_p50_ms = round(statistics.median(cpu), 2)
    return result


def run_all(*, info: dict, warmup: int, repeat: int, peer_repeat: int | None = None,
            log=print) -> list[Result]:
    from django.contrib.auth import get_user_model

    editor = get_user_model().objects.get(username=info["bench_editor"])
    client = Client()
    client.force_login(editor)
    results = {}
    scenarios = build_scenarios(info=info) + api_scenarios(
        Scenario, editor=editor, info=info, sort=table_sort_param())
    for scenario in scenarios:
        n = peer_repeat if (scenario.urlconf and peer_repeat) else repeat
        result = measure(client, scenario, warmup=warmup, repeat=n)
        results[scenario.key] = result
        shown = (f"{result.p50_ms} ms p50, {result.queries} queries" if result.p50_ms
                 else result.note)
        log(f"  {scenario.label}: {shown}")
    for result in results.values():
        peer = results.get(result.peer) if result.peer else None
        if peer and peer.p50_ms and result.p50_ms:
            result.ratio_vs_peer = round(peer.p50_ms / result.p50_ms, 2)
    return list(results.values())
