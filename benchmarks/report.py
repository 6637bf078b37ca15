"""The report: one JSON document with every figure, and a Markdown rendering of it
(printed, saved next to the JSON, and copied to benchmarks/results/LATEST.md)."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The targets, checked on PostgreSQL at the largest size measured (1M in a full run).
TARGETS = [
    ("table.first", "p50_ms", "<=", 60, "Claims table page p50 <= 60 ms"),
    ("table.first", "ratio_vs_peer", ">=", 3, "Claims table >= 3x faster than the admin"),
    ("table.search", "p50_ms", "<=", 60, "Text search p50 <= 60 ms"),
    ("claim", "p50_ms", "<=", 40, "Claim page p50 <= 40 ms"),
    ("table.first", "growth", "<=", 1.5, "Claims table growth 10k -> largest <= 1.5x"),
    ("dashboard", "p50_ms", "<=", 50, "Dashboard p50 <= 50 ms"),
    ("api.claims", "p50_ms", "<=", 50, "API list of 100 claims p50 <= 50 ms"),
]
# Through gunicorn (benchmarks/server_bench.py), same shape: the metric is read from the
# run's server measurement (run["server"]["pages"]). cpu_ms is the worker process's own CPU
# per request (median); the ratios are the admin peer's figure over the desk's.
SERVER_TARGETS = [
    ("table.first", "cpu_ms", "<=", 30, "Through gunicorn: claims table worker CPU <= 30 ms"),
    ("table.search", "cpu_ms", "<=", 30,
     "Through gunicorn: claims table text search worker CPU <= 30 ms"),
    ("claim", "cpu_ms", "<=", 20, "Through gunicorn: claim page worker CPU <= 20 ms"),
    ("article", "cpu_ms", "<=", 20, "Through gunicorn: article page worker CPU <= 20 ms"),
    ("dashboard", "cpu_ms", "<=", 20, "Through gunicorn: dashboard worker CPU <= 20 ms"),
    ("feed", "cpu_ms", "<=", 20, "Through gunicorn: ClaimReview feed worker CPU <= 20 ms"),
    ("api.claims", "cpu_ms", "<=", 20, "Through gunicorn: API list of 100 worker CPU <= 20 ms"),
    ("api.deep", "cpu_ms", "<=", 20, "Through gunicorn: API list 5,000 in worker CPU <= 20 ms"),
    ("api.status", "cpu_ms", "<=", 20,
     "Through gunicorn: API list by status worker CPU <= 20 ms"),
    ("api.search", "cpu_ms", "<=", 20,
     "Through gunicorn: API list search worker CPU <= 20 ms"),
    ("api.sorted", "cpu_ms", "<=", 20,
     "Through gunicorn: API list sorted worker CPU <= 20 ms"),
    ("table.first", "ratio_cpu_vs_peer", ">=", 3,
     "Through gunicorn: claims table >= 3x faster than the admin (worker CPU)"),
    ("table.first", "ratio_wall_vs_peer", ">=", 3,
     "Through gunicorn: claims table >= 3x faster than the admin (wall time)"),
]


def git_commit() -> dict:
    def git(*args):
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                                  timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain",
                                                                    "--untracked-files=no"))}


def build(*, runs: list[dict], notes: list[str], extras: dict, settings: dict,
          export: dict | None = None) -> dict:
    return {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "git": git_commit(),
        "machine": {
            "cpu_count": os.cpu_count(),
            "affinity_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
            else None,
            # Other work on the machine inflates every figure: the load says how much.
            "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "settings": settings,
        "runs": runs,
        "targets": check_targets(runs),
        "export_targets": check_export_targets(export) if export else [],
        "extras": extras,
        "notes": notes,
    }


def _result(run: dict, key: str) -> dict | None:
    return next((r for r in run["results"] if r["key"] == key), None)


def _server_result(run: dict, key: str) -> dict | None:
    return ((run.get("server") or {}).get("pages") or {}).get(key)


def _pg_runs(runs: list[dict]) -> list[dict]:
    return sorted((r for r in runs if r["vendor"] == "postgresql"), key=lambda r: r["size"])


def growth(runs: list[dict], key: str) -> float | None:
    """p50 at the largest PostgreSQL size over p50 at the smallest."""
    pg = _pg_runs(runs)
    if len(pg) < 2:
        return None
    small, large = _result(pg[0], key), _result(pg[-1], key)
    if small and large and small["p50_ms"] and large["p50_ms"]:
        return round(large["p50_ms"] / small["p50_ms"], 2)
    return None


def check_targets(runs: list[dict]) -> list[dict]:
    pg = _pg_runs(runs)
    if not pg:
        return []
    largest = pg[-1]
    checks = []
    for key, metric, op, limit, label in TARGETS:
        if metric == "growth":
            value = growth(runs, key)
        else:
            r = _result(largest, key)
            value = r.get(metric) if r else None
        if value is None:
            met = None
        else:
            met = value <= limit if op == "<=" else value >= limit
        checks.append({"target": label, "size": largest["size"], "value": value, "met": met})
    for key, metric, op, limit, label in SERVER_TARGETS:
        r = _server_result(largest, key)
        value = r.get(metric) if r else None
        met = None if value is None else (value <= limit if op == "<=" else value >= limit)
        checks.append({"target": label, "size": largest["size"], "value": value, "met": met})
    return checks


def check_export_targets(export: dict) -> list[dict]:
    """The export benchmark's targets (benchmarks/export_bench.py) at its largest size:
    rows/s and peak memory per format, and memory flat from 100k rows to the largest."""
    runs = export.get("runs", [])
    if not runs:
        return []
    targets = export["targets"]
    largest = max(r["rows"] for r in runs)
    checks = []
    for run in sorted((r for r in runs if r["rows"] == largest), key=lambda r: r["format"]):
        checks.append({"target": f"Export {run['format']} >= {targets['rows_per_s']:,} rows/s",
                       "size": largest, "value": run["rows_per_s"],
                       "met": run["rows_per_s"] >= targets["rows_per_s"]})
        checks.append({"target": f"Export {run['format']} peak memory < "
                                 f"{targets['peak_rss_mb']} MB",
                       "size": largest, "value": run["peak_rss_mb"],
                       "met": run["peak_rss_mb"] < targets["peak_rss_mb"]})
    for fmt, flat in sorted(export.get("flat", {}).items()):
        checks.append({"target": f"Export {fmt} memory flat from {_size(flat['from_rows'])} "
                                 f"(+{targets['flat_mb']} MB at most)",
                       "size": flat["to_rows"], "value": round(flat["to_mb"] - flat["from_mb"], 1),
                       "met": flat["flat"]})
    return checks


def _fmt(value, suffix="") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}{suffix}" if value >= 10 else f"{value:.2f}{suffix}"
    return f"{value}{suffix}"


def _size(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else (
        f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n))


def _requests(settings: dict) -> str:
    return f"{settings.get('warmup')} / {settings.get('repeat')} / {settings.get('peer_repeat')}"


def markdown(doc: dict) -> str:
    m = doc["machine"]
    git = doc["git"]
    dirty = " (with uncommitted changes)" if git["dirty"] else ""
    lines = [
        "# Benchmark results",
        "",
        f"Run {doc['generated_at']} on {m['cpu_count']} cores ({m['platform']}, Python "
        f"{m['python']}), commit `{git['commit'][:12]}`{dirty}, load average "
        f"{' / '.join(str(x) for x in m.get('load_average_1_5_15', []))} at the end "
        "(1 / 5 / 15 min; above the core count, other processes were competing for the CPU). "
        f"Each page: {doc['settings']['warmup']} warm-up requests, then "
        f"{doc['settings']['repeat']} timed ones (admin: {doc['settings']['peer_repeat']}) through "
        "Django's test Client in one process, logged in as an editor (never after "
        "setup_test_environment(), so templates are not instrumented: a request runs the same "
        "WSGI handler as in a server; see benchmarks/pages.py for the check against gunicorn)"
        + (f"; each dataset measured in {doc['runs'][0].get('processes')} fresh processes, "
           "each page's fastest kept (see `best_of` in benchmarks/__main__.py)"
           if doc["runs"] and (doc["runs"][0].get("processes") or 1) > 1 else "")
        + (", the process pinned to one core (PostgreSQL has the others; `--no-pin` to "
           "measure unpinned)" if any(r.get("pinned_core") is not None for r in doc["runs"])
           else "")
        + ". Times are wall-clock ms "
        "for the whole request (middleware, queries, template); *queries* is per request; "
        "*cpu* is the median CPU time the web process itself spent per request (rendering "
        "and ORM, not the database server; insensitive to waiting for a busy CPU); "
        "*vs admin* is how many times faster than the stock Django admin changelist doing the "
        "same thing on the same data in the same run.",
        "",
    ]
    runs = doc["runs"]
    keys = []
    for run in runs:
        for r in run["results"]:
            if r["key"] not in keys:
                keys.append(r["key"])
    if runs:
        labels = {r["key"]: r["label"] for run in runs for r in run["results"]}
        header = "| Page | " + " | ".join(
            f"{run['vendor'][:8]} {_size(run['size'])} p50 / p95 ms (queries)" for run in runs)
        lines += ["## p50 / p95 latency by dataset", "", header + " |",
                  "|---|" + "---|" * len(runs)]
        for key in keys:
            cells = []
            for run in runs:
                r = _result(run, key)
                if r is None or not r["available"]:
                    cells.append("not available")
                elif r["p50_ms"] is None:
                    cells.append(r["note"] or "–")
                else:
                    cpu = r.get("cpu_p50_ms")
                    cells.append(f"{_fmt(r['p50_ms'])} / {_fmt(r['p95_ms'])} ({r['queries']})"
                                 + (f" cpu {_fmt(cpu)}" if cpu is not None else ""))
            lines.append(f"| {labels[key]} | " + " | ".join(cells) + " |")
        columns = " | ".join(f"{run['vendor'][:8]} {_size(run['size'])}" for run in runs)
        lines += ["", "## The desk against the Django admin (p50, x faster)", "",
                  f"| Page | {columns} | growth (PostgreSQL, smallest → largest) |",
                  "|---|" + "---|" * (len(runs) + 1)]
        for key in keys:
            if key.startswith("peer."):
                continue
            cells = []
            for run in runs:
                r = _result(run, key)
                cells.append(_fmt(r["ratio_vs_peer"], "x") if r and r.get("ratio_vs_peer")
                             else "–")
            lines.append(f"| {labels[key]} | " + " | ".join(cells)
                         + f" | {_fmt(growth(runs, key), 'x')} |")
        lines += server_section(runs)
        lines += ["", "## Datasets", "",
                  "| Database | Claims | Rows loaded | Built in | Requests per page (warm-up / "
                  "timed / admin timed) | Load average while measured |",
                  "|---|---|---|---|---|---|"]
        for run in runs:
            counts = run["dataset"].get("counts", {})
            rows = ", ".join(f"{k} {v:,}" for k, v in counts.items())
            lines.append(f"| {run['vendor']} ({run['database_version'].split(' on ')[0]}) | "
                         f"{run['size']:,} | {rows} | {run['dataset'].get('total_seconds')} s | "
                         f"{_requests(run.get('settings') or doc['settings'])} | "
                         f"{' → '.join(str(x) for x in run.get('load_average', []))} |")
    if doc["targets"]:
        lines += ["", f"## Targets (PostgreSQL, {_size(doc['targets'][0]['size'])} claims)", "",
                  "| Target | Reached | Met |", "|---|---|---|"]
        for t in doc["targets"]:
            met = {True: "yes", False: "**no**", None: "not measured"}[t["met"]]
            lines.append(f"| {t['target']} | {_fmt(t['value'])} | {met} |")
    if doc.get("export_targets"):
        size = _size(max(t["size"] for t in doc["export_targets"]))
        lines += ["", f"## Export targets (PostgreSQL, {size} claims)", "",
                  "| Target | Reached | Met |", "|---|---|---|"]
        for t in doc["export_targets"]:
            met = {True: "yes", False: "**no**", None: "not measured"}[t["met"]]
            lines.append(f"| {t['target']} | {_fmt(t['value'])} | {met} |")
    for name, extra in doc["extras"].items():
        lines += ["", f"## {name.title()} benchmark (`python -m {extra['module']}`)", "",
                  f"Exit {extra['returncode']} after {extra['seconds']} s.", "", "```",
                  extra["output"].strip()[-3000:] or "(no output)", "```"]
    if doc["notes"]:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in doc["notes"]]
    return "\n".join(lines) + "\n"


def server_section(runs: list[dict]) -> list[str]:
    """The pages through gunicorn (benchmarks/server_bench.py): a row per page, a column
    per dataset; then the claims table against the admin, on worker CPU and on wall time."""
    measured = [run for run in runs if run.get("server")]
    if not measured:
        return []
    keys, labels = [], {}
    for run in measured:
        for key, r in (run["server"].get("pages") or {}).items():
            if key not in keys:
                keys.append(key)
                labels[key] = r["label"]
    first = next((run["server"] for run in measured if run["server"].get("pages")), {})
    settings = first.get("settings") or {}
    lines = ["", "## Through gunicorn (one sync worker, real HTTP): p50 / p95 ms, worker CPU "
             "ms per request", "",
             f"`{first.get('server', 'gunicorn')}`, `--workers 1 --worker-class sync`, "
             "started on each dataset after its in-process measurement and measured once "
             f"(not best of several processes): {settings.get('warmup')} warm-up requests, then "
             f"{settings.get('repeat')} timed ones (admin: {settings.get('peer_repeat')}), one at "
             "a time over HTTP from another process, logged in as the same editor. Wall time "
             "is the client's (connecting to the last byte); *cpu* is the median CPU time the "
             "worker process itself spent per request, read from /proc before and after each "
             "request (benchmarks/server_bench.py).", "",
             "| Page | " + " | ".join(f"{run['vendor'][:8]} {_size(run['size'])}"
                                     for run in measured) + " |",
             "|---|" + "---|" * len(measured)]
    for key in keys:
        cells = []
        for run in measured:
            r = _server_result(run, key)
            if run["server"].get("error"):
                cells.append("failed")
            elif r is None or not r["available"]:
                cells.append("not available")
            elif r["p50_ms"] is None:
                cells.append(r["note"] or "–")
            else:
                cells.append(f"{_fmt(r['p50_ms'])} / {_fmt(r['p95_ms'])}, "
                             f"cpu {_fmt(r['cpu_ms'])}")
        lines.append(f"| {labels[key]} | " + " | ".join(cells) + " |")
    peered = [key for key in keys if any((_server_result(run, key) or {}).get("peer")
                                         for run in measured)]
    if peered:
        lines += ["", "### Through gunicorn: x faster than the admin (worker CPU, wall time)",
                  "", "| Page | " + " | ".join(f"{run['vendor'][:8]} {_size(run['size'])}"
                                               for run in measured) + " |",
                  "|---|" + "---|" * len(measured)]
        for key in peered:
            cells = []
            for run in measured:
                r = _server_result(run, key) or {}
                cpu, wall = r.get("ratio_cpu_vs_peer"), r.get("ratio_wall_vs_peer")
                cells.append(f"cpu {_fmt(cpu, 'x')}, wall {_fmt(wall, 'x')}"
                             if cpu or wall else "–")
            lines.append(f"| {labels[key]} | " + " | ".join(cells) + " |")
    return lines


def save(doc: dict, text: str, out: Path) -> tuple[Path, Path]:
    import json

    out.mkdir(parents=True, exist_ok=True)
    stamp = doc["generated_at"].replace(":", "").replace("-", "")
    sizes = "-".join(sorted({_size(r["size"]) for r in doc["runs"]})) or "none"
    json_path = out / f"bench-{stamp}-{sizes}.json"
    json_path.write_text(json.dumps(doc, indent=1))
    (out / f"bench-{stamp}-{sizes}.md").write_text(text)
    latest = out / "LATEST.md"
    latest.write_text(text)
    (out / "latest.json").write_text(json.dumps(doc, indent=1))
    return json_path, latest
