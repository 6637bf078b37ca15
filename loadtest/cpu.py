"""Where the machine's CPU goes during a load test: the CPU seconds of each part of the stack
(gunicorn, the Celery worker, PostgreSQL, Redis, locust itself), read from /proc once a
second, so the steady state can be told apart from the ramp. Linux only; elsewhere the
sampler records nothing and the report says so."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: str) -> tuple[str, int, float] | None:
    """(command name, session id, CPU seconds) of one process, or None if it is gone."""
    try:
        raw = (PROC / pid / "stat").read_text()
    except OSError:
        return None
    name = raw[raw.index("(") + 1: raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2:].split()
    # fields[0] is the state (field 3 of proc(5)); utime and stime are fields 14 and 15.
    return name, int(fields[3]), (int(fields[11]) + int(fields[12])) / TICKS


def machine_busy() -> float:
    """CPU seconds the whole machine has spent busy (not idle, not waiting on I/O), every
    core together, from /proc/stat."""
    try:
        fields = (PROC / "stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return 0.0
    ticks = [int(f) for f in fields[:8]]
    # user nice system idle iowait irq softirq steal
    return (sum(ticks) - ticks[3] - ticks[4]) / TICKS


def snapshot(sessions: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of every process in each named session (a process started with
    start_new_session leads its own), plus every process called postgres or redis-server,
    and of everything else the machine did ("other": the kernel, the load test's own page
    server, anything else running)."""
    totals = dict.fromkeys([*sessions, "postgresql", "redis"], 0.0)
    by_sid = {sid: name for name, sid in sessions.items()}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        stat = _stat(entry.name)
        if stat is None:
            continue
        command, sid, seconds = stat
        if sid in by_sid:
            totals[by_sid[sid]] += seconds
        elif command == "postgres":
            totals["postgresql"] += seconds
        elif command.startswith("redis-server"):
            totals["redis"] += seconds
    totals["other"] = max(0.0, machine_busy() - sum(totals.values()))
    return totals


class Sampler:
    """Snapshots once a second in a thread; `between(a, b)` is the CPU each part used from
    the first snapshot at or after wall time a to the last at or before b."""

    def __init__(self, sessions: dict[str, int], every: float = 1.0):
        self.sessions, self.every = sessions, every
        self.samples: list[tuple[float, dict[str, float]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def add(self, name: str, sid: int) -> None:
        self.sessions[name] = sid

    def start(self) -> Sampler:
        if PROC.is_dir():
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.time(), snapshot(dict(self.sessions))))
            self._stop.wait(self.every)

    def between(self, start: float, end: float) -> dict:
        inside = [(t, s) for t, s in self.samples if start <= t <= end]
        if len(inside) < 2:
            return {}
        (t0, first), (t1, last) = inside[0], inside[-1]
        seconds = t1 - t0
        used = {name: round(last.get(name, 0.0) - first.get(name, 0.0), 2) for name in last}
        return {"seconds": round(seconds, 1), "cpu_seconds": used,
                "cores_busy": round(sum(used.values()) / seconds, 2)}
