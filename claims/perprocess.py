"""One of a thing per process, made on first use and shared by the process's threads: the
matching indexes and the embedding models take seconds and hundreds of megabytes to build,
so each is built once, under a lock (two threads asking at once get the same one).

A maker that raises leaves nothing behind: the next call tries again (the optional
embeddings extra may be missing). `reset()` forgets the one made (or sets another), for
tests and tools that switch databases, settings or models under it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class PerProcess(Generic[T]):
    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self._value: T | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        with self._lock:
            if self._value is None:
                self._value = self._make()
            return self._value

    def reset(self, value: T | None = None) -> None:
        """Forget the one made (or put `value` in its place)."""
        with self._lock:
            self._value = value
