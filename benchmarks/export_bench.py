"""Export benchmark: CSV and JSON Lines of N claims from PostgreSQL, rows per second and
peak resident memory, at growing N to show memory stays flat.

    .venv/bin/python -m benchmarks.export_bench                      1k, 100k, 1M claims
    .venv/bin/python -m benchmarks.export_bench --rows 10000 --rows 50000
    .venv/bin/python -m benchmarks.export_bench --keep               keep the database

It creates a throwaway database (factcheck_export_bench_<pid>) on DATABASE_URL's server
(default postgres://postgres@127.0.0.1:5432/postgres), migrates it, bulk-loads the largest N
claims with COPY (articles, claimants, published verdicts on 60%, a captured source on half,
each capture with its evidence archive), then measures each format and N in a fresh child
process, so ru_maxrss is that export's peak and nothing else's. The export runs the same
code as the web download (views_exports.export_stream over the claims table's default view)
into a byte counter.

Results go to benchmarks/results/export.json. Targets: >= 30,000 rows/s in each format,
peak memory < 200 MB, and flat: the peak at the largest N within FLAT_MB of the peak at
100,000 rows.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "export.json"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_ROWS = [1_000, 100_000, 1_000_000]
FORMATS = ["csv", "jsonl"]
TARGET_ROWS_PER_S = 30_000
TARGET_PEAK_MB = 200
# "Flat": the peak at the largest size may exceed the peak at FLAT_FROM_ROWS by this much.
FLAT_FROM_ROWS = 100_000
FLAT_MB = 20


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin_connection(server_url: str):
    import psycopg

    parts = urlsplit(server_url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1", port=parts.port or 5432,
        user=parts.username or "postgres", password=parts.password,
        dbname=(parts.path or "/postgres").lstrip("/") or "postgres", autocommit=True,
    )


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "factcheck.settings.base"
    os.environ.setdefault("SECRET_KEY", "export-benchmark")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    # Nothing is logged per query or per row: measure the export, not the console.
    settings.LOGGING = {}


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# --- loading ------------------------------------------------------------------------------

ARCHIVE_FILES = ("archive.wacz", "screenshot.png", "page.pdf", "certificates.pem",
                 "timestamp.tsr", "tsa-certificates.pem", "manifest.json")

WORDS = ("minister unemployment figures growth crime rate budget exports hospital waiting "
         "lists schools teachers pensions inflation housing energy prices police "
         "migration taxes deficit").split()


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize()


def _copy(table: str, columns: list[str], rows) -> int:
    from django.db import connection

    cols = ", ".join(f'"{c}"' for c in columns)
    count = 0
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def load(size: int, log=_log) -> dict:
    """Bulk-load `size` claims with the rows a realistic export reads."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from claims.models import Rating

    rng = random.Random(20261123)
    now = datetime.now(UTC)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # A throwaway database loaded with consistent ids: skip the foreign-key triggers,
        # which would queue a deferred check per row (millions) until commit.
        cursor.execute("SET session_replication_role = replica")
        # The claims table's search indexes (GIN: full text, trigrams) cost more per inserted
        # row than everything else together, and an export never reads them.
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'claims_claim' "
            "AND indexdef ILIKE '%USING gin%'"
        )
        dropped = [row[0] for row in cursor.fetchall()]
        for index in dropped:
            cursor.execute(f'DROP INDEX "{index}"')
    # No passwords: hashing twenty would take longer than loading the claims.
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"bench{i}", first_name="Bench", last_name=f"Ed {i}",
                         password="!")
        for i in range(20)
    )
    user_ids = [u.pk for u in users]
    ratings = list(Rating.objects.filter(scale__slug="default").values_list("id", flat=True))

    n_articles, n_claimants = max(1, size // 10), max(1, min(5000, size // 20))
    _copy("claims_article",
          ["created_at", "updated_at", "title", "url", "outlet", "author", "published_on",
           "body", "body_sha256", "language", "status", "fetch_error"],
          ((now, now, f"Article {i}: {_sentence(rng, 6)}", f"https://news.example/a/{i}",
            "Example Times", "Reporter Name", date(2026, 1, 1) + timedelta(days=i % 300),
            "", "", "en", "ready", "") for i in range(n_articles)))
    _copy("claims_claimant",
          ["created_at", "updated_at", "name", "role", "organisation", "url", "kind"],
          ((now, now, f"Claimant {i}", "Minister", f"Party {i % 7}", "", "person")
           for i in range(n_claimants)))
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id) FROM claims_article")
        first_article = cursor.fetchone()[0]
        cursor.execute("SELECT min(id) FROM claims_claimant")
        first_claimant = cursor.fetchone()[0]

    quote = _sentence(rng, 18)
    statement = _sentence(rng, 9)
    _copy("claims_claim",
          ["created_at", "updated_at", "article_id", "claimant_id", "statement", "quote",
           "anchor_start", "anchor_end", "anchor_prefix", "anchor_suffix", "claimed_on",
           "status", "not_checkable_reason", "version", "submission_key"],
          ((now - timedelta(seconds=i), now, first_article + i % n_articles,
            first_claimant + i % n_claimants, f"{statement} ({i}), “quoted”", quote,
            0, len(quote), "", "", date(2026, 1, 1) + timedelta(days=i % 300),
            "published" if i % 5 < 3 else "researching", "", 1, "") for i in range(size)))
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id) FROM claims_claim")
        first_claim = cursor.fetchone()[0]
    log(f"  claims loaded: {size:,} in {time.perf_counter() - started:.1f}s")

    summary = "The official figures say otherwise; the claim leaves out the revision."
    rationale = ("Official statistics show the figure **rose**, not fell. " * 6).strip()
    published = [first_claim + i for i in range(size) if i % 5 < 3]
    _copy("claims_verdict",
          ["created_at", "updated_at", "claim_id", "version", "is_current", "rating_id",
           "summary", "rationale", "state", "author_id", "reviewer_id", "review_comment",
           "override_reason", "correction_note", "published_at", "lock_version"],
          ((now, now, claim_id, 1, True, ratings[claim_id % len(ratings)], summary, rationale,
            "published", user_ids[claim_id % 20], user_ids[(claim_id + 1) % 20], "", "", "",
            now - timedelta(minutes=claim_id % 100_000), 1) for claim_id in published))
    n_sources = max(1, size // 2)
    _copy("claims_source",
          ["created_at", "updated_at", "url", "normalized_url", "domain", "status", "title",
           "attempts", "last_error_kind", "last_error", "is_dead"],
          ((now, now, f"https://stats.example/t/{i}", f"https://stats.example/t/{i}",
            "stats.example", "fetched", f"Table {i}", 1, "", "", False)
           for i in range(n_sources)))
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id) FROM claims_source")
        first_source = cursor.fetchone()[0]
    _copy("claims_capture",
          ["source_id", "status", "request_key", "attempt", "http_status", "final_url",
           "content_type", "size_bytes", "sha256", "text_sha256", "title", "byline",
           "published", "text", "metadata", "snapshot", "error_kind", "error_message",
           "started_at"],
          ((first_source + i, "success", "", 1, 200, "", "text/html", 1000, f"{i:064x}", "",
            "", "", "", "", "{}", f"snapshots/{i:064x}", "", "", now) for i in range(n_sources)))
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id) FROM claims_capture")
        first_capture = cursor.fetchone()[0]

    # Every capture archived, as the desk leaves a successful one: the files the exports
    # report hashes of, listed as the manifest lists them, and a trusted timestamp.
    def archive_files(i: int) -> str:
        return json.dumps([{"name": name, "sha256": f"{i:060x}{n:04x}", "size": 1000 + n}
                           for n, name in enumerate(ARCHIVE_FILES)])

    _copy("claims_capturearchive",
          ["capture_id", "status", "attempts", "method", "final_url", "files", "blocked",
           "notes", "manifest_sha256", "timestamp_authority", "timestamped_at",
           "timestamp_error", "error_message", "verification", "verification_problems",
           "created_at", "status_changed_at", "started_at", "finished_at"],
          ((first_capture + i, "done", 1, "browser", f"https://stats.example/t/{i}",
            archive_files(i), "[]", "[]", f"{i:064x}", "https://tsa.example/", now, "", "",
            "", "[]", now, now, now, now) for i in range(n_sources)))
    _copy("claims_evidence",
          ["created_at", "updated_at", "claim_id", "source_id", "stance", "note", "excerpt"],
          ((now, now, first_claim + 2 * i, first_source + i, "refutes", "", "")
           for i in range(n_sources)))
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = DEFAULT")
        # VACUUM too, not only ANALYZE: otherwise autovacuum takes up a million freshly
        # inserted rows in the middle of the measurements (seen: one of the two cores busy,
        # 100k rows timed at half the rate of the 1M export after them).
        cursor.execute("VACUUM (ANALYZE)")
    seconds = time.perf_counter() - started
    log(f"  everything loaded in {seconds:.1f}s")
    return {"claims": size, "published_verdicts": len(published), "sources": n_sources,
            "archived_captures": n_sources, "load_seconds": round(seconds, 1),
            "search_indexes_dropped": dropped}


# --- one measurement (child process) ----------------------------------------------------------


def measure(fmt: str, rows: int) -> dict:
    """Export the first `rows` claims of the claims table's default view, through the same
    selector and exporters as the download, into a byte counter."""
    from claims.exporters import stream
    from claims.selectors.exports import claim_export_selection

    baseline = rss_mb()
    claims = claim_export_selection({})[:rows]
    body = (stream.csv_stream if fmt == "csv" else stream.jsonl_stream)(claims)
    exported = claims.count()  # before the clock starts
    written = 0
    next_sample = 0
    samples = []
    started = time.perf_counter()
    for part in body:
        written += len(part.encode())
        if written >= next_sample:  # RSS as the output grows, every 50 MB
            samples.append({"mb_written": round(written / 1e6), "rss_mb": round(rss_mb(), 1),
                            "seconds": round(time.perf_counter() - started, 2)})
            next_sample += 50_000_000
    seconds = time.perf_counter() - started
    return {
        "format": fmt, "rows": exported, "seconds": round(seconds, 2),
        "rows_per_s": round(exported / seconds) if seconds else None,
        "bytes": written, "mb_per_s": round(written / seconds / 1e6, 1) if seconds else None,
        "baseline_rss_mb": round(baseline, 1), "peak_rss_mb": round(peak_rss_mb(), 1),
        "rss_samples": samples,
        # Context for rows/s: on a shared machine other work takes the CPU.
        "load_average_1m": round(os.getloadavg()[0], 2), "cpus": os.cpu_count(),
    }


# --- driver ----------------------------------------------------------------------------------


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks.export_bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, action="append",
                   help="claims to export (repeatable; default 1000, 100000, 1000000)")
    p.add_argument("--format", action="append", choices=FORMATS, dest="formats")
    p.add_argument("--server", default=os.environ.get("DATABASE_URL", DEFAULT_SERVER),
                   help="PostgreSQL server URL (default DATABASE_URL or the local server)")
    p.add_argument("--keep", action="store_true", help="do not drop the database afterwards")
    p.add_argument("--out", type=Path, default=RESULTS)
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--database-url", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def _child(args) -> int:
    _setup_django(args.database_url)
    print(json.dumps(measure(args.formats[0], args.rows[0])))
    return 0


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.child:
        return _child(args)
    sizes = sorted(set(args.rows or DEFAULT_ROWS))
    formats = args.formats or FORMATS
    if not args.server.startswith(("postgres://", "postgresql://")):
        print(f"The export benchmark needs PostgreSQL; {args.server!r} is not.", file=sys.stderr)
        return 2
    name = f"factcheck_export_bench_{os.getpid()}"
    database_url = _with_database(args.server, name)
    admin = _admin_connection(args.server)
    admin.execute(f'CREATE DATABASE "{name}"')
    print(f"Created database {name}", flush=True)
    results: dict = {"database": name, "server": urlsplit(args.server).hostname,
                     "targets": {"rows_per_s": TARGET_ROWS_PER_S, "peak_rss_mb": TARGET_PEAK_MB,
                                 "flat_mb": FLAT_MB},
                     "runs": []}
    try:
        env = {**os.environ, "DATABASE_URL": database_url,
               "DJANGO_SETTINGS_MODULE": "factcheck.settings.base"}
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                       cwd=ROOT, env=env, check=True)
        loader = subprocess.run(
            [sys.executable, "-c",
             "import json,sys; from benchmarks import export_bench as b; "
             f"b._setup_django({database_url!r}); print(json.dumps(b.load({max(sizes)})))"],
            cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE, text=True)
        results["dataset"] = json.loads(loader.stdout.strip().splitlines()[-1])
        def child(*extra: str) -> dict:
            done = subprocess.run(
                [sys.executable, "-m", "benchmarks.export_bench", "--child",
                 "--database-url", database_url, *extra],
                cwd=ROOT, env=env, check=True, capture_output=True, text=True)
            return json.loads(done.stdout.strip().splitlines()[-1])

        for fmt in formats:
            for size in sizes:
                run = child("--format", fmt, "--rows", str(size))
                run["meets_targets"] = (
                    (run["rows_per_s"] or 0) >= TARGET_ROWS_PER_S
                    and run["peak_rss_mb"] < TARGET_PEAK_MB
                )
                results["runs"].append(run)
                print(f"{fmt:6} {run['rows']:>9,} rows  {run['rows_per_s']:>9,} rows/s  "
                      f"{run['mb_per_s']:>6} MB/s  peak RSS {run['peak_rss_mb']:>6} MB "
                      f"(after setup {run['baseline_rss_mb']} MB)", flush=True)
        results["flat"] = flatness(results["runs"])
        for fmt, check in results["flat"].items():
            print(f"{fmt:6} peak RSS {check['from_mb']} MB at {check['from_rows']:,} rows, "
                  f"{check['to_mb']} MB at {check['to_rows']:,}: "
                  f"{'flat' if check['flat'] else 'NOT flat'}", flush=True)
    finally:
        if args.keep:
            print(f"Kept database {name} ({database_url})")
        else:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            print(f"Dropped database {name}")
        admin.close()
    results["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"Wrote {_shown(args.out)}")
    return 0


def flatness(runs: list[dict]) -> dict:
    """Per format: the peak memory at the largest size against the peak at FLAT_FROM_ROWS
    (or the smallest size measured above it), when two such sizes were measured."""
    checks = {}
    for fmt in sorted({r["format"] for r in runs}):
        sized = sorted((r for r in runs if r["format"] == fmt and r["rows"] >= FLAT_FROM_ROWS),
                       key=lambda r: r["rows"])
        if len(sized) < 2:
            continue
        low, high = sized[0], sized[-1]
        checks[fmt] = {"from_rows": low["rows"], "from_mb": low["peak_rss_mb"],
                       "to_rows": high["rows"], "to_mb": high["peak_rss_mb"],
                       "flat": high["peak_rss_mb"] - low["peak_rss_mb"] <= FLAT_MB}
    return checks


def _shown(path: Path) -> str:
    """A path as the results show it: relative to the project, never a machine's path."""
    path = Path(path).resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name


if __name__ == "__main__":
    sys.exit(main())

