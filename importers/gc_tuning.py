"""Fewer garbage collections while an import runs (see the thresholds below for why)."""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

# An import builds millions of small objects that live until it ends (parsed elements,
# records, the diff). With the default thresholds the cyclic garbage collector scans them
# again and again: a third of the parse-and-transform time of a 100k-element model. While
# an import runs, the young generation is collected only every IMPORT_GC_THRESHOLD
# allocations; what an import builds holds no reference cycles worth collecting early.
IMPORT_GC_THRESHOLD = 100_000
# Parsing and transforming (`prepare`) make no cyclic garbage at all: the parsed model
# lives until `prepare` returns, the records after it. Collections during `prepare` only
# walk them again (still a tenth of its time at IMPORT_GC_THRESHOLD), so they wait until
# it ends: then the records are walked once, and the parsed model, freed first, never.
PREPARE_GC_THRESHOLD = 10_000_000
_gc_lock = threading.Lock()
_gc_thresholds: list[int] = []  # asked for by the blocks running now
_gc_saved: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def fewer_collections(threshold: int = IMPORT_GC_THRESHOLD) -> Iterator[None]:
    """Raise the GC's young-generation threshold for the block (nests, thread-safe).

    While blocks overlap, the highest threshold asked for holds.
    """
    global _gc_saved
    with _gc_lock:
        if not _gc_thresholds:
            _gc_saved = gc.get_threshold()
        _gc_thresholds.append(threshold)
        _applygc_threshold()
    try:
        yield
    finally:
        with _gc_lock:
            _gc_thresholds.remove(threshold)
            _applygc_threshold()


def _applygc_threshold() -> None:
    if _gc_thresholds:
        gc.set_threshold(max(*_gc_thresholds, _gc_saved[0]), *_gc_saved[1:])
    else:
        gc.set_threshold(*_gc_saved)


_P = ParamSpec("_P")
_R = TypeVar("_R")


def gc_threshold(threshold: int) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]:
    """Decorator: the function runs under `fewer_collections(threshold)`."""

    def decorate(fn: Callable[_P, _R]) -> Callable[_P, _R]:
        @functools.wraps(fn)
        def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            with fewer_collections(threshold):
                return fn(*args, **kwargs)

        return wrapper

    return decorate


during_import = gc_threshold(IMPORT_GC_THRESHOLD)
