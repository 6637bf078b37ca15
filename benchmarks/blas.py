"""One OpenBLAS kernel for the trainers, so the same data gives the same artefact on any
x86-64 machine.

OpenBLAS picks its kernels by CPU: on an AVX-512 machine (SkylakeX) the sums in the solver's
dot products come out in another order than with the AVX2 kernels (Haswell), the L-BFGS
solver stops at its tolerance a few iterations apart, and the weights differ from the third
decimal. One BLAS thread (threadpoolctl, in the trainers) fixes the order within a kernel;
this fixes the kernel. The kernel is chosen when numpy loads OpenBLAS, from the environment
variable OPENBLAS_CORETYPE, so a trainer started without it starts itself again with it,
before anything else is done.

Haswell (AVX2) runs on every x86-64 CPU made since about 2015; on an older one, or on
another architecture, the trainer runs with the machine's own kernel and says so."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

KERNEL = "Haswell"
VARIABLE = "OPENBLAS_CORETYPE"


def cpu_runs_kernel() -> bool:
    """Whether this CPU can run the Haswell kernels (x86-64 with AVX2 and FMA)."""
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return False
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    flags = next((line.split(":", 1)[1].split() for line in info.splitlines()
                  if line.startswith("flags")), [])
    return "avx2" in flags and "fma" in flags


def pinned() -> bool:
    return os.environ.get(VARIABLE) == KERNEL


def pin_kernel(module: str, args: list[str]) -> None:
    """Start `python -m module args` again with the kernel pinned, unless it already is (or
    this CPU cannot run it: then say so). Only for a trainer run as a program (`if __name__
    == "__main__":`): it replaces the running process."""
    if pinned():
        return
    if not cpu_runs_kernel():
        print(f"Note: this CPU cannot run OpenBLAS's {KERNEL} kernels; the artefact may "
              "differ from the shipped one in the last decimals.", file=sys.stderr)
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, [sys.executable, "-m", module, *args],
              {**os.environ, VARIABLE: KERNEL})
