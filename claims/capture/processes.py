"""The capturing browser's processes, found from a mark in their environment.

The browser is launched with a mark in its environment (MARK=<a value of its own>). Its
children (zygotes, renderers, the GPU and utility processes) inherit it, but some overwrite
that memory with their process title, so the mark finds the browser and the processes are
gathered as the tree under it; the tree is gathered whole before anything is killed, so
no child is orphaned out of reach. The capture measures their memory this way and ends
them this way: no Chromium outlives its capture. Linux only (/proc); elsewhere nothing is
found and nothing is killed."""

from __future__ import annotations

import os
import signal
from pathlib import Path

MARK = "FACTCHECK_CAPTURE"
PROC = Path("/proc")


def _environment(pid: str) -> bytes:
    try:
        return (PROC / pid / "environ").read_bytes()
    except OSError:  # gone, a zombie, or another user's
        return b""


def marked_processes(value: str | None = None, *, also: dict[str, str] | None = None
                     ) -> list[int]:
    """Process ids whose environment holds MARK (=`value`, if given) and every pair in
    `also`. The process running this is never one of them."""
    wanted = [f"{MARK}={value}".encode()] if value else []
    wanted += [f"{k}={v}".encode() for k, v in (also or {}).items()]
    prefix = f"{MARK}=".encode()
    me = str(os.getpid())
    found = []
    try:
        entries = [e for e in os.listdir(PROC) if e.isdigit() and e != me]
    except OSError:
        return []
    for pid in entries:
        variables = _environment(pid).split(b"\0")
        if any(v.startswith(prefix) for v in variables) and all(w in variables
                                                                  for w in wanted):
            found.append(int(pid))
    return found


def _parents() -> dict[int, int]:
    """Every process's parent, from /proc/<pid>/stat (the field after the command name,
    which may itself hold spaces and parentheses)."""
    try:
        return _parents_of([e for e in os.listdir(PROC) if e.isdigit()])
    except OSError:
        return {}


def parent_of(pid: int) -> int | None:
    return _parents_of([str(pid)]).get(pid)


def _parents_of(entries: list[str]) -> dict[int, int]:
    parents = {}
    for pid in entries:
        try:
            stat = (PROC / pid / "stat").read_text()
            parents[int(pid)] = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return parents


def process_tree(roots: list[int]) -> list[int]:
    """The roots and every process descended from them."""
    if not roots:
        return []
    children: dict[int, list[int]] = {}
    for pid, parent in _parents().items():
        children.setdefault(parent, []).append(pid)
    found, todo = set(), list(roots)
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.add(pid)
            todo.extend(children.get(pid, []))
    return sorted(found)


def browser_processes(value: str) -> list[int]:
    """Every process of the browser launched with MARK=`value`."""
    return process_tree(marked_processes(value))


def memory_bytes(pids: list[int]) -> int:
    """The memory these processes use together, in bytes: each one's proportional set size
    (PSS: its own pages, and its share of those it shares). Chromium's processes share most
    of the browser's code, so their resident sizes added up would count it eight times
    over. Falls back to the resident size where the kernel has no smaps_rollup."""
    total = 0
    for pid in pids:
        total += _field_kb(pid, "smaps_rollup", "Pss:") or _field_kb(pid, "status", "VmRSS:")
    return total * 1024


def resident_bytes(pids: list[int]) -> int:
    """The resident sizes (RSS) of these processes added up, in bytes: shared pages count
    once per process, so this is more than the memory they use (see memory_bytes)."""
    return sum(_field_kb(pid, "status", "VmRSS:") for pid in pids) * 1024


def _field_kb(pid: int, name: str, field: str) -> int:
    try:
        text = (PROC / str(pid) / name).read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith(field):
            return int(line.split()[1])
    return 0


def kill(pids: list[int]) -> None:
    """SIGKILL each process that is still there."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def kill_marked(value: str) -> int:
    """End the browser launched with MARK=`value` and all its processes, twice over (a
    renderer being forked as the first pass ran is caught by the second). Returns how many
    processes were found."""
    found = 0
    for _ in range(2):
        pids = browser_processes(value)
        found += len(pids)
        kill(pids)
    return found
