"""Giving memory back once the expensive questions are done.

Bottlenecks, health and scenario comparisons build projections of the whole model (tens of
MB of Python objects, with reference cycles). Freed only by the cyclic collector's rare full
passes, and then kept by the C allocator in per-thread arenas, they would leave the service
hundreds of MB larger after a burst of questions. When no question has run for a moment,
`Tidy` collects the cycles and asks glibc to return free pages to the system.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import os
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


def _glibc(name: str) -> Any | None:
    """A function of glibc's, or None where the C library is not glibc (musl, macOS)."""
    try:
        return getattr(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6"), name)
    except (OSError, AttributeError):
        return None


def malloc_trim() -> Callable[[], None]:
    """glibc's `malloc_trim(0)` (returns free heap pages of every arena), or a no-op."""
    trim = _glibc("malloc_trim")
    if trim is None:
        return lambda: None
    trim.argtypes = [ctypes.c_size_t]
    return lambda: trim(0)


# glibc's mallopt parameter for the most arenas (malloc.h: M_ARENA_MAX).
_M_ARENA_MAX = -8

# Arenas the service's threads share. glibc gives a thread an arena of its own when others
# are in use, up to 8 per core; the service runs ~90 threads (route, GraphQL, I/O pools),
# and what a question freed in one arena stays there, fragmented, beside live objects of
# later requests, where `malloc_trim` cannot return it: with two arenas the service keeps
# less after the adversarial load (bench/adversarial.py, docs/benchmarks.md). The
# interpreter serialises most allocation anyway, so contention for them costs little.
MALLOC_ARENAS = 2


def limit_arenas(arenas: int = MALLOC_ARENAS) -> None:
    """At most `arenas` glibc malloc arenas in this process (set before threads start; as
    `MALLOC_ARENA_MAX` would, which an environment already setting it keeps); a no-op
    where the C library is not glibc."""
    _mallopt(_M_ARENA_MAX, arenas, unless="MALLOC_ARENA_MAX")


def _mallopt(param: int, value: int, unless: str) -> None:
    """glibc's `mallopt(param, value)`, unless the environment variable `unless` already
    sets it (glibc read it at start-up) or the C library is not glibc."""
    mallopt = _glibc("mallopt")
    if unless in os.environ or mallopt is None:
        return
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt(param, value)


# glibc's mallopt parameter for the size from which a block is mapped on its own
# (malloc.h: M_MMAP_THRESHOLD).
_M_MMAP_THRESHOLD = -3

# Blocks from this size are mapped on their own and unmapped when freed. glibc's own
# threshold starts at 128 KiB but rises to the largest block freed (up to 32 MiB): after
# the first multi-MB answer (a scenario comparison renders to ~10 MB, and its rendering and
# sending copy it) every later one came from the heap, and under the adversarial load the
# heap grew to 154 MiB with 77 MiB of it free but held, scattered between live blocks,
# after the load; with the threshold fixed the heap stayed ~55 MiB, 9 MiB free.
MMAP_THRESHOLD = 256 << 10


def limit_heap_growth(threshold: int = MMAP_THRESHOLD) -> None:
    """Map blocks of `threshold` bytes and more on their own, always (as
    `MALLOC_MMAP_THRESHOLD_` would, which an environment already setting it keeps); a
    no-op where the C library is not glibc."""
    _mallopt(_M_MMAP_THRESHOLD, threshold, unless="MALLOC_MMAP_THRESHOLD_")


def settle() -> None:
    """Freeze what start-up built (modules, schema, the app: alive for the whole process)
    out of the cyclic collector's passes. Bottlenecks, health and scenario comparisons
    allocate enough to start a full pass every few seconds, and each pass holds the
    interpreter while it walks every object the process holds; without start-up's objects
    the longest pause fell from ~180 to ~65 ms of CPU (`python -m bench.gc_pauses`).
    A larger young generation cut the passes further but kept ~30 MiB more after a burst of
    questions, so CPython's thresholds are kept."""
    global _settled
    with _settling:
        gc.collect()  # what is garbage now must not be frozen with the rest
        gc.freeze()
        _settled = True


# Whether this process froze its start-up (`settle`: the service's own process only).
_settled = False
_settling = threading.Lock()


def settle_again() -> None:
    """Freeze what the process now holds for long (the walk index, the present model and
    its warm answers, built after start-up), after thawing and collecting what was frozen
    before (a previous revision's model, now garbage, is collected here); only in a
    process that `settle`d. Unfrozen, the model and index of a 10,000-element model made
    every full pass of the collector 100-440 ms of held interpreter under the adversarial
    load, about one a second: the `/healthz` tail (docs/benchmarks.md). Costs one such
    pass, after each warm of a new revision (`app.core.warm`)."""
    with _settling:
        if not _settled:
            return
        gc.unfreeze()
        gc.collect()
        gc.freeze()


class Tidy:
    """Collect and trim `delay_s` after the last question ends, unless another began."""

    def __init__(self, delay_s: float = 1.0) -> None:
        self.delay_s = delay_s
        self._lock = threading.Lock()
        self._running = 0
        self._timer: threading.Timer | None = None
        self._trim = malloc_trim()

    def started(self) -> None:
        with self._lock:
            self._running += 1
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

    def ended(self) -> None:
        with self._lock:
            self._running -= 1
            if self._running == 0 and self._timer is None:
                self._timer = threading.Timer(self.delay_s, self._tidy)
                self._timer.daemon = True
                self._timer.start()

    def _tidy(self) -> None:
        with self._lock:
            self._timer = None
            if self._running:
                return
        collected = gc.collect()
        self._trim()
        log.debug("after the questions: %d objects collected, free memory returned", collected)
