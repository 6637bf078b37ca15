"""claims/perprocess.py: one thing per process, built once however many threads ask at once;
a maker that fails leaves nothing behind, and reset() makes the next call build again."""

from __future__ import annotations

import threading
import time

import pytest

from claims.perprocess import PerProcess


def test_threads_asking_at_once_share_the_one_built():
    built = []

    def make():
        time.sleep(0.05)  # long enough for every thread to be waiting
        built.append(object())
        return built[-1]

    holder = PerProcess(make)
    got = []
    threads = [threading.Thread(target=lambda: got.append(holder.get())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(built) == 1
    assert got == [built[0]] * 8


def test_a_failed_make_is_tried_again_and_reset_builds_anew():
    calls = []

    def make():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the optional extra is missing")
        return object()

    holder = PerProcess(make)
    with pytest.raises(RuntimeError):
        holder.get()
    first = holder.get()
    assert holder.get() is first
    holder.reset()
    assert holder.get() is not first
    assert len(calls) == 3
