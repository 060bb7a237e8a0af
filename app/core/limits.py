"""How many expensive questions run at once, and for how long.

Bottlenecks, health, impact walks and scenario comparisons are CPU-bound Python. Left
unbounded, sixteen of them at once starve `/healthz` and every cheap read of the interpreter.
`QuestionGate` lets `question_slots` run, `question_queue` more wait up to `question_wait_s`,
and refuses the rest at once with `Busy` (503 + Retry-After); each admitted question runs
under the wall-clock budget of `queries.budget` (504 with advice that fits the question).
`QuestionGate.ask` serves an answer `queries.present` keeps for the present model before
admission: a kept answer is a lookup, so it neither waits in the queue nor takes a place.
An admitted question asked of the store is answered by an analysis worker process
(`app.core.analyses`) when the gate has a pool, so it does not hold this interpreter.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

from app.core.memory import Tidy
from app.settings import Settings
from queries import bottlenecks as bn
from queries import budget
from queries import health as hl
from queries import scenarios as sc

T = TypeVar("T")


class AnalysisPool(Protocol):
    """Where a gate sends the questions it may answer elsewhere (`app.core.analyses`, which
    imports this module: a protocol here keeps the dependency one way)."""

    def can_reach(self, store: object) -> bool: ...

    def call(self, fn: Callable[..., T], store: Any, *args: Any, **kwargs: Any) -> T: ...

    def stop(self) -> None: ...


# The questions whose answers are kept per model revision (queries.present), each with
# its lookup: the kept answer for the same arguments, or None, without computing.
KEPT: dict[Callable[..., Any], Callable[..., Any]] = {
    hl.health: hl.kept_health,
    bn.bottlenecks: bn.kept_bottlenecks,
    sc.compare_scenario: sc.kept_comparison,
}

# The GIL's switch interval in the service (CPython's default is 5 ms). A thread answering
# a question holds the interpreter until another asks for it and the interval passes; every
# cheap request crosses the GIL a dozen times (event loop, worker thread, each Neo4j reply),
# so with 5 ms a health check waits tens of milliseconds behind one question. 1 ms keeps
# that short for a few percent more switching in the questions.
SWITCH_INTERVAL_S = 0.001

# Threads for short blocking calls made from the event loop (identifying callers, DataLoader
# reads): as many as Starlette's pool for synchronous routes.
IO_THREADS = 40


class Busy(Exception):
    """Every slot is taken and the queue is full; `retry_after` seconds is a fair wait."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "the server is answering as many expensive questions as it can; "
            f"try again in {retry_after} s"
        )
        self.retry_after = retry_after


class TooManyItems(Exception):
    """An answer grew past the cap on items one request may return (GraphQL fan-out)."""

    def __init__(self, cap: int) -> None:
        super().__init__(
            f"the answer passed {cap:,} items, the most one request may return; "
            "pass smaller `limit` arguments or nest fewer relationship fields"
        )
        self.cap = cap


class ItemCount:
    """Items one request has returned so far, refused past `cap` (a guard behind the
    GraphQL cost estimate, which sizes a query before it runs)."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.count = 0

    def add(self, n: int) -> None:
        self.count += n
        if self.count > self.cap:
            raise TooManyItems(self.cap)


class QuestionGate:
    """Admission for expensive questions: a few run, a few wait, the rest are refused."""

    def __init__(
        self,
        slots: int,
        queue: int,
        wait_s: float,
        time_limit_s: float,
        pool: AnalysisPool | None = None,
    ) -> None:
        # Where the questions asked of the store are answered (None: in this process).
        self.pool = pool
        self._slots = threading.BoundedSemaphore(slots)
        self._admitted = threading.BoundedSemaphore(slots + queue)
        # Serving a kept answer is short but not free (a revision read, the answer sent):
        # without a bound, many clients asking kept answers at once keep as many threads
        # runnable, and every other request (`/healthz` too) waits longer for the
        # interpreter. Beyond these few, a kept answer waits its turn (blocked, not queued
        # or refused).
        self._serving = threading.BoundedSemaphore(max(2, slots))
        self.wait_s = wait_s
        self.time_limit_s = time_limit_s
        self.tidy = Tidy()

    @classmethod
    def of(cls, settings: Settings, pool: AnalysisPool | None = None) -> QuestionGate:
        return cls(
            settings.question_slots,
            settings.question_queue,
            settings.question_wait_s,
            settings.question_time_limit_s,
            pool,
        )

    @property
    def retry_after(self) -> int:
        return max(1, round(self.time_limit_s / 4))

    @contextmanager
    def admit(self, advice: str) -> Iterator[None]:
        """Run the block in a slot, within the time limit; `advice` says how to ask less."""
        if not self._admitted.acquire(blocking=False):
            raise Busy(self.retry_after)
        try:
            if not self._slots.acquire(timeout=self.wait_s):
                raise Busy(self.retry_after)
            self.tidy.started()
            try:
                with budget.time_limit(self.time_limit_s, advice):
                    yield
            finally:
                self._slots.release()
                self.tidy.ended()
        finally:
            self._admitted.release()

    def ask(self, advice: str, question: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`question(*args, **kwargs)` admitted as `admit` does, unless its answer is kept
        (`KEPT`): then it is served at once, without a slot or a place in the queue."""
        kept = KEPT.get(question)
        if kept is not None:
            with self._serving:
                answer: T | None = kept(*args, **kwargs)
            if answer is not None:
                return answer
        computed = self.run(advice, question, *args, **kwargs)
        if kept is None or self.pool is None:
            return computed
        # From a worker the answer is a copy of the one now kept here: the kept one is
        # served, so every ask of it is one object (rendered once, app.rest.rendered).
        with self._serving:
            again: T | None = kept(*args, **kwargs)
        return computed if again is None else again

    def run(self, advice: str, question: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`question(*args, **kwargs)` admitted as `admit` does, answered by `compute`."""
        with self.admit(advice):
            return self.compute(question, *args, **kwargs)

    def compute(self, question: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`question(store, ...)` answered by an analysis worker (app.core.analyses) when
        it is asked of a store a worker can reach, else in this thread; not admitted (the
        caller holds a slot, or is the background warming)."""
        if self.pool is not None and args and self.pool.can_reach(args[0]):
            return self.pool.call(question, *args, **kwargs)
        return question(*args, **kwargs)


# What to try instead when a question runs out of time, one phrase per kind of question.
ADVICE = {
    "walk": "ask with a lower max_depth, or fewer relationship types",
    "bottlenecks": "ask for fewer rows (limit) or a lower horizon",
    "health": "try again when the server is less busy; health reads the whole model",
    "scenario": "compare without an element, or split the scenario into smaller ones",
    "graphql": "pass smaller `limit` arguments or nest fewer relationship fields",
}
