"""The same pages through the production server: gunicorn with one sync worker, real HTTP
requests from this (another) process, logged in as the bench editor.

    python -m benchmarks.server_bench --result-file server.json [--repeat 30 --warmup 3]

Run by `python -m benchmarks` (make bench) once per dataset, after that dataset's in-process
measurement (benchmarks/pages.py), in the dataset's environment (DJANGO_SETTINGS_MODULE,
DATABASE_URL, REDIS_URL, BENCH_CACHE_PREFIX); `--skip-server` there leaves it out.

The URLs are benchmarks.pages.build_scenarios's and benchmarks.api_pages's, the same
requests the in-process harness makes: the desk, the stock-admin peer (one server answers
both: benchmarks/server_settings.py mounts the peer beside the desk) and the API (with a
fresh read token in the Authorization header). Logging in: this process creates the bench
editor's session in the database (the test Client's force_login, no request) and sends its
cookie with every request, as the in-process Client does.

Per page: max(1, warmup) untimed requests, then `repeat` timed ones, one at a time, each on a
new connection ("Connection: close"; a sync worker closes it anyway). Two figures:

- wall time (p50 / p95 ms): from connecting to the last byte of the body, as a client sees it;
- the worker's own CPU per request (`cpu_ms`, the median): the gunicorn worker process's CPU
  time read from /proc before and after each request. The sync worker serves one request at
  a time and is idle between them; after each response this process waits until the worker
  is asleep again (its state in /proc/<pid>/stat) before reading, so a request's tail
  (closing the response, request_finished) counts for that request. The per-request figure
  is the sum over the worker's threads of /proc/<pid>/task/<tid>/schedstat's first field
  (time on the CPU, in ns): /proc/<pid>/stat's utime + stime count whole clock ticks
  (os.sysconf("SC_CLK_TCK"), 100 a second: 10 ms steps), too coarse for one request. Those
  are read too, before and after each page's timed loop: `cpu_stat_ms` is their difference
  over the requests, a mean that includes everything the worker did in between. Where
  schedstat is missing, `cpu_ms` is that mean.

Nothing is pinned: the worker, this process and the database server go where the scheduler
puts them, as in a deployment."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER_SETTINGS = "benchmarks.server_settings"
CLK_TCK = os.sysconf("SC_CLK_TCK")
REQUEST_TIMEOUT = 300  # seconds; the admin's slowest page at 1M claims stays well under
READY_PATH = "/login/"


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.server_bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeat", type=int, default=30, help="timed requests per page (default 30)")
    p.add_argument("--peer-repeat", type=int, default=None,
                   help="timed requests per admin page (default: --repeat)")
    p.add_argument("--warmup", type=int, default=3, help="untimed requests first (default 3)")
    p.add_argument("--result-file", type=Path, required=True, help="where the JSON goes")
    p.add_argument("--log-dir", type=Path, default=None,
                   help="where gunicorn's log goes (default: a temporary directory)")
    return p.parse_args(argv)


# --- /proc ------------------------------------------------------------------------------


def _stat_fields(pid: int) -> list[str]:
    """/proc/<pid>/stat from field 3 (state) on: the command name in field 2 may hold
    spaces and parentheses, so split after its closing parenthesis."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2:].split()


def parent_pid(pid: int) -> int:
    return int(_stat_fields(pid)[1])


def state(pid: int) -> str:
    return _stat_fields(pid)[0]


def cpu_ticks(pid: int) -> int:
    """utime + stime (fields 14 and 15), in clock ticks."""
    fields = _stat_fields(pid)
    return int(fields[11]) + int(fields[12])


def cpu_ns(pid: int) -> int | None:
    """Time on the CPU of all the process's threads, in ns (schedstat), or None where the
    kernel does not provide it."""
    total = 0
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                total += int(Path(f"/proc/{pid}/task/{task}/schedstat").read_text().split()[0])
            except FileNotFoundError:  # a thread that just ended
                continue
    except (FileNotFoundError, ValueError, IndexError):
        return None
    return total


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (/proc/<pid>/task/*/children needs
    CONFIG_PROC_CHILDREN, which not every kernel has: scan /proc instead)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if parent_pid(int(entry)) == pid:
                    found.append(int(entry))
            except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
                continue
    return sorted(found)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the server -------------------------------------------------------------------------


class Server:
    """A running gunicorn master (`master_pid`) and its one sync worker (`worker_pid`)."""

    def __init__(self, port: int, master_pid: int):
        self.port = port
        self.master_pid = master_pid
        self.worker_pid = self.find_worker()
        self.worker_pids = [self.worker_pid]  # more than one: the worker was replaced

    def find_worker(self, timeout: float = 60.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = children(self.master_pid)
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                return self._busiest(found)
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn (pid {self.master_pid}) has no worker process")

    def _busiest(self, pids: list[int]) -> int:
        """Several children (not expected of one sync worker): the one a request costs."""
        before = {pid: cpu_ticks(pid) for pid in pids}
        for _ in range(5):
            self.get(READY_PATH, {})
        return max(pids, key=lambda pid: cpu_ticks(pid) - before[pid])

    def check_worker(self) -> bool:
        """True if the measured worker still serves; else find its replacement."""
        if self.worker_pid in children(self.master_pid):
            return True
        self.worker_pid = self.find_worker()
        self.worker_pids.append(self.worker_pid)
        return False

    def get(self, url: str, headers: dict) -> tuple[int, int]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            conn.request("GET", url, headers={"Connection": "close", **headers})
            response = conn.getresponse()
            return response.status, len(response.read())
        finally:
            conn.close()

    def wait_idle(self, timeout: float = 0.2) -> None:
        """Until the worker sleeps again (waiting for the next connection)."""
        deadline = time.perf_counter() + timeout
        while state(self.worker_pid) not in ("S", "I") and time.perf_counter() < deadline:
            time.sleep(0)


def gunicorn_command(port: int) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "factcheck.wsgi:application",
            "--workers", "1", "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
            "--timeout", str(REQUEST_TIMEOUT),
            # gunicorn 27's control socket sits at one path per user: two benchmark servers
            # (or a load test's) would contend for it.
            "--no-control-socket"]


# --- measuring --------------------------------------------------------------------------


def percentile(samples: list[float], q: float) -> float:
    from benchmarks.pages import percentile as nearest_rank

    return nearest_rank(samples, q)


def measure(server: Server, scenario, *, cookie: str, warmup: int, repeat: int) -> dict:
    result = {"key": scenario.key, "label": scenario.label, "url": scenario.url,
              "available": scenario.url is not None, "status": None, "bytes": None,
              "p50_ms": None, "p95_ms": None, "mean_ms": None, "min_ms": None,
              "cpu_ms": None, "cpu_p95_ms": None, "cpu_stat_ms": None,
              "worker_pid": server.worker_pid, "peer": scenario.peer, "note": scenario.note,
              "samples_ms": [], "cpu_samples_ms": []}
    if scenario.url is None:
        result["note"] = result["note"] or "not available (no such page yet)"
        return result
    headers = {"Cookie": cookie, **scenario.headers}
    try:
        for _ in range(max(1, warmup)):
            status, size = server.get(scenario.url, headers)
        result["status"], result["bytes"] = status, size
        if status != 200:
            result["note"] = f"HTTP {status}: not measured"
            return result
        server.wait_idle()
        walls, cpus, statuses = [], [], set()
        ticks_before = cpu_ticks(server.worker_pid)
        for _ in range(repeat):
            cpu_before = cpu_ns(server.worker_pid)
            started = time.perf_counter()
            status, _size = server.get(scenario.url, headers)
            walls.append((time.perf_counter() - started) * 1000)
            statuses.add(status)
            server.wait_idle()
            cpu_after = cpu_ns(server.worker_pid)
            if cpu_before is not None and cpu_after is not None:
                cpus.append((cpu_after - cpu_before) / 1e6)
        ticks = cpu_ticks(server.worker_pid) - ticks_before
    except (OSError, http.client.HTTPException) as exc:
        result["note"] = f"error: {type(exc).__name__}: {str(exc)[:200]}"
        return result
    if not server.check_worker():
        result["note"] = (f"the worker (pid {result['worker_pid']}) was replaced during the "
                          "timed requests: not measured")
        return result
    if statuses != {200}:
        result["note"] = f"timed requests answered {sorted(statuses)}"
    result["samples_ms"] = [round(s, 2) for s in walls]
    result["p50_ms"] = round(statistics.median(walls), 2)
    result["p95_ms"] = round(percentile(walls, 0.95), 2)
    result["mean_ms"] = round(statistics.fmean(walls), 2)
    result["min_ms"] = round(min(walls), 2)
    result["cpu_stat_ms"] = round(ticks * 1000 / CLK_TCK / repeat, 2)
    if cpus:
        result["cpu_samples_ms"] = [round(c, 3) for c in cpus]
        result["cpu_ms"] = round(statistics.median(cpus), 2)
        result["cpu_p95_ms"] = round(percentile(cpus, 0.95), 2)
    else:
        result["cpu_ms"] = result["cpu_stat_ms"]
    return result


def add_ratios(pages: dict[str, dict]) -> None:
    """How many times faster than its admin peer, on the worker's CPU and on wall time."""
    for result in pages.values():
        peer = pages.get(result.get("peer") or "")
        result["ratio_cpu_vs_peer"] = result["ratio_wall_vs_peer"] = None
        if not peer:
            continue
        if peer.get("cpu_ms") and result.get("cpu_ms"):
            result["ratio_cpu_vs_peer"] = round(peer["cpu_ms"] / result["cpu_ms"], 2)
        if peer.get("p50_ms") and result.get("p50_ms"):
            result["ratio_wall_vs_peer"] = round(peer["p50_ms"] / result["p50_ms"], 2)


def scenarios(info: dict) -> tuple[list, object]:
    """The in-process harness's scenarios (desk, admin peer, API) and the bench editor."""
    from django.contrib.auth import get_user_model

    from benchmarks.api_pages import api_scenarios
    from benchmarks.pages import Scenario, build_scenarios, table_sort_param

    editor = get_user_model().objects.get(username=info["bench_editor"])
    return (build_scenarios(info=info)
            + api_scenarios(Scenario, editor=editor, info=info, sort=table_sort_param()),
            editor)


def session_cookie(editor) -> str:
    """A logged-in session of `editor`, created in the database as a login would."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(editor)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def run(*, info: dict, warmup: int, repeat: int, peer_repeat: int | None, log_dir: Path,
        log=print) -> dict:
    import gunicorn
    from django import db

    from loadtest.stack import process, wait_for_http

    measured, editor = scenarios(info)
    cookie = session_cookie(editor)
    db.connections.close_all()  # this process only sends requests from here on
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": SERVER_SETTINGS,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                        os.environ.get("PYTHONPATH")]))}
    command = gunicorn_command(port)
    started = time.perf_counter()
    with process("gunicorn", command, env, log_dir) as proc:
        try:
            wait_for_http(f"http://127.0.0.1:{port}{READY_PATH}", timeout=120)
        except RuntimeError:
            log_text = (log_dir / "gunicorn.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"gunicorn did not start:\n{log_text}") from None
        server = Server(port, proc.pid)
        log(f"  gunicorn master {server.master_pid}, worker {server.worker_pid}, "
            f"http://127.0.0.1:{port}")
        load_before = os.getloadavg()
        pages = {}
        for scenario in measured:
            n = peer_repeat if (scenario.urlconf and peer_repeat) else repeat
            result = measure(server, scenario, cookie=cookie, warmup=warmup, repeat=n)
            pages[scenario.key] = result
            shown = (f"{result['p50_ms']} ms p50, worker cpu {result['cpu_ms']} ms"
                     if result["p50_ms"] else result["note"])
            log(f"  {scenario.label}: {shown}")
        load_after = os.getloadavg()
    add_ratios(pages)
    return {
        "server": "gunicorn " + gunicorn.__version__,
        "command": " ".join(["python", *command[1:]]),
        "settings_module": SERVER_SETTINGS,
        "master_pid": server.master_pid,
        "worker_pid": server.worker_pids[0],
        "worker_pids": server.worker_pids,
        "cpu_source": "schedstat" if cpu_ns(os.getpid()) is not None else "stat",
        "clock_ticks_per_s": CLK_TCK,
        "settings": {"warmup": warmup, "repeat": repeat, "peer_repeat": peer_repeat or repeat},
        "load_average": [round(load_before[0], 2), round(load_after[0], 2)],
        "seconds": round(time.perf_counter() - started, 1),
        "pages": pages,
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    import django

    django.setup()
    from benchmarks import datagen

    info = datagen.dataset_info()
    if info is None:
        print("no benchmark dataset in this database: run python -m benchmarks first",
              file=sys.stderr)
        return 2
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    with tempfile.TemporaryDirectory(prefix="factcheck-server-bench-") as tmp:
        payload = run(info=info, warmup=args.warmup, repeat=args.repeat,
                      peer_repeat=args.peer_repeat, log_dir=args.log_dir or Path(tmp), log=log)
    args.result_file.write_text(json.dumps(payload, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
