"""Capture benchmark: a typical news page, served locally, captured in Debian's Chromium.

    .venv/bin/python -m benchmarks.capture_bench                  20 captures, then 2 at once
    .venv/bin/python -m benchmarks.capture_bench --captures 40 --pairs 10

The page is benchmarks.fetch_bench's article (about 45 KB of HTML: navigation, an inline
script, JSON-LD, 20 paragraphs, related links, comments), with its stylesheet, a 120 KB
script, and 20 images of about 12 KB, from a local server that adds 20 ms before each
answer. Each capture is claims.capture.browser.capture_in_browser as a worker calls it: a
fresh Chromium, every request through the guard, screenshot and PDF. Written to
benchmarks/results/capture.json:

1. One at a time: p50 and p95 of the capture's wall time, and its CPU time (this process,
   Playwright's driver and every browser process: less swayed by other work on the
   machine than the wall time); the browser's peak memory (all
   its processes: the sum of their proportional set sizes, and of their resident sizes,
   which counts the pages they share once per process); the capturing process's own peak.
2. Two at once, in two processes (as two prefork children of a worker): p50 and p95 of each
   capture's time, captures per minute, and the two browsers' peak memory together.
The load averages before and after are written down: other work on the machine slows every
figure (a browser is several processes, and starting one is most of a capture's time).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import struct
import sys
import threading
import time
import zlib
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "capture.json"
LATENCY_S = 0.02
IMAGES = 20


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings.dev")
    os.environ["FETCH_ALLOWED_PRIVATE_HOSTS"] = "127.0.0.1"
    import django

    django.setup()


def _image(n: int, size: int = 12_000) -> bytes:
    """A PNG of noise (it does not compress): about `size` bytes."""
    rng = random.Random(n)
    width = 80
    height = max(size // (width * 3), 1)
    rows = b"".join(b"\x00" + rng.randbytes(width * 3) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                            0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def serve_news_page():
    """A started LocalServer with the article, its stylesheet, script and images; returns
    (server, the article's URL)."""
    from benchmarks.fetch_bench import article_page
    from tests.localserver import LocalServer, Response

    server = LocalServer().start()
    server.latency = LATENCY_S
    html = article_page(7).replace(
        b"</body>", b'<script src="/static/app.js"></script></body>')
    css = b"".join(b".c%d { margin: %dpx; color: #%06x; }\n" % (i, i % 40, i * 997 % 0xFFFFFF)
                   for i in range(600))
    script = b"".join(b"function f%d(a) { return a * %d + %d; }\n" % (i, i, i % 7)
                      for i in range(3000))
    server.route("/static/site.css", Response(body=css, content_type="text/css"))
    server.route("/static/app.js", Response(body=script, content_type="text/javascript"))
    for i in range(IMAGES):
        server.route(f"/img/{i}.jpg", Response(body=_image(i), content_type="image/png"))
    return server, server.route("/news/7", Response.html(html))


class _MemoryWatch:
    """Samples every 50 ms the memory of the Chromium processes under this process."""

    def __init__(self):
        self.peak_pss = self.peak_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        from claims.capture.processes import memory_bytes, process_tree, resident_bytes

        while not self._stop.is_set():
            chromium = []
            for pid in process_tree([os.getpid()]):
                try:
                    if "chromium" in os.readlink(f"/proc/{pid}/exe"):
                        chromium.append(pid)
                except OSError:
                    continue
            self.peak_pss = max(self.peak_pss, memory_bytes(chromium))
            self.peak_rss = max(self.peak_rss, resident_bytes(chromium))
            time.sleep(0.05)


def _own_peak_rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(round(share * (len(ordered) - 1))), len(ordered) - 1)]


def _cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended: Playwright's driver,
    which has waited for the browser's processes, which have waited for theirs."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _capture_times(url: str, count: int, cpu: list[float] | None = None
                   ) -> tuple[list[float], dict]:
    from claims.capture.browser import capture_in_browser

    times, last = [], None
    for _ in range(count):
        started, used = time.perf_counter(), _cpu_seconds()
        last = capture_in_browser(url)
        times.append(time.perf_counter() - started)
        if cpu is not None:
            cpu.append(_cpu_seconds() - used)
    return times, {"requests": len(last.exchanges), "blocked": len(last.blocked),
                   "notes": last.notes, "screenshot_bytes": len(last.screenshot_png or b""),
                   "pdf_bytes": len(last.pdf or b""),
                   "bytes_fetched": sum(len(e.body) for e in last.exchanges),
                   "software": last.software}


def _pair_child(url: str, count: int, start, send) -> None:
    _setup()
    start.wait()
    with _MemoryWatch() as watch:
        times, _ = _capture_times(url, count)
    send.send({"times": times, "peak_pss": watch.peak_pss, "peak_rss": watch.peak_rss})


def run(captures: int, pairs: int, warmup: int) -> dict:
    _setup()
    from claims.capture.browser import browser_available

    reason = browser_available()
    if reason:
        raise SystemExit(f"capture benchmark not run: {reason}")
    load_before = os.getloadavg()[0]
    server, url = serve_news_page()
    try:
        _capture_times(url, warmup)
        cpu: list[float] = []
        with _MemoryWatch() as watch:
            times, page = _capture_times(url, captures, cpu)
        one = {"captures": captures, "p50_s": round(statistics.median(times), 2),
               "p95_s": round(_percentile(times, 0.95), 2), "max_s": round(max(times), 2),
               "cpu_s_p50": round(statistics.median(cpu), 2),
               "browser_peak_pss_mb": round(watch.peak_pss / 2**20),
               "browser_peak_rss_sum_mb": round(watch.peak_rss / 2**20),
               "capturing_process_peak_rss_mb": round(_own_peak_rss() / 2**20), "page": page}

        context = multiprocessing.get_context("spawn")
        start = context.Event()
        pipes, children = [], []
        for _ in range(2):
            receive, send = context.Pipe(duplex=False)
            child = context.Process(target=_pair_child, args=(url, pairs, start, send))
            child.start()
            pipes.append(receive)
            children.append(child)
        time.sleep(3)  # both children set up Django before the clock starts
        began = time.perf_counter()
        start.set()
        results = [p.recv() for p in pipes]
        elapsed = time.perf_counter() - began
        for child in children:
            child.join()
        both = [t for r in results for t in r["times"]]
        two = {"captures": len(both), "p50_s": round(statistics.median(both), 2),
               "p95_s": round(_percentile(both, 0.95), 2),
               "captures_per_minute": round(len(both) / elapsed * 60, 1),
               "browsers_peak_pss_mb": round(sum(r["peak_pss"] for r in results) / 2**20),
               "browsers_peak_rss_sum_mb": round(sum(r["peak_rss"] for r in results) / 2**20)}
    finally:
        server.stop()
    return {"benchmark": "capture", "when": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "cpu_count": os.cpu_count(), "load_average_before": round(load_before, 2),
            "load_average_after": round(os.getloadavg()[0], 2),
            "latency_ms": int(LATENCY_S * 1000), "one_at_a_time": one, "two_at_once": two}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.capture_bench",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--captures", type=int, default=20, help="captures one at a time")
    parser.add_argument("--pairs", type=int, default=6, help="captures per process, two at once")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    result = run(args.captures, args.pairs, args.warmup)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    one, two = result["one_at_a_time"], result["two_at_once"]
    print(f"One at a time ({one['captures']}): p50 {one['p50_s']} s, p95 {one['p95_s']} s "
          f"(CPU {one['cpu_s_p50']} s); "
          f"browser peak {one['browser_peak_pss_mb']} MB PSS "
          f"({one['browser_peak_rss_sum_mb']} MB RSS summed); capturing process "
          f"{one['capturing_process_peak_rss_mb']} MB")
    print(f"Two at once ({two['captures']}): p50 {two['p50_s']} s, p95 {two['p95_s']} s, "
          f"{two['captures_per_minute']} captures/min; browsers peak "
          f"{two['browsers_peak_pss_mb']} MB PSS ({two['browsers_peak_rss_sum_mb']} MB RSS)")
    print(f"Wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
