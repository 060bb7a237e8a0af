"""Answers warm before they are asked: the present model, the health report and the
default bottleneck ranking computed in the background for the revision Neo4j holds.

The first health report and bottleneck ranking after a start or a change are whole-model
analyses (seconds each on 100,000 elements); the overview, bottleneck mode and the Health
page ask them with their default arguments. `AnswerWarmer` computes them in one
background thread through the same kept-answer functions the questions use
(`queries.present.remember`, by way of `health` and `bottlenecks`), so a question asked
afterwards is served the kept answer, and an answer can never be of another revision
than the one it is kept under.

When: once after start-up (after the walk index is built: both read the whole model, and
one at a time suits a small machine), then whenever the revision has stayed the same for
`quiet_s` after a change (a burst of edits or an import is warmed once, at its end). The
thread looks at the revision when a request that may have changed the model is answered
(`poke`) and every `poll_s` otherwise (changes made by another process). A warm in
progress is abandoned between steps when a newer revision arrives.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from app.core.memory import settle_again
from graph.store import GraphStore
from queries import bottlenecks as bn
from queries import health as hl
from queries.live import LiveIndex
from queries.present import read_present

log = logging.getLogger(__name__)

State = Literal["off", "waiting", "warming", "ready"]

QUIET_S = 2.0  # after the last change seen, before warming
POLL_S = 10.0  # looks at the revision this often without being poked
MIN_LOOK_S = 0.5  # at most this often when poked (every GraphQL query pokes)
INDEX_WAIT_S = 600.0  # the walk index's first build, on a slow machine


@dataclass(frozen=True)
class WarmStatus:
    enabled: bool
    state: State  # "ready": the answers of `revision` are kept, and it is Neo4j's now
    revision: str | None  # of the answers kept ("ready") or being computed ("warming")
    ready_after_start_s: float | None  # from the service's start to the first "ready"
    warmed_in_s: float | None  # the last complete warm
    error: str | None  # why the last warm failed, if it did


Step = tuple[str, Callable[[GraphStore], object]]


def _here(question: Callable[..., object], *args: Any, **kwargs: Any) -> object:
    return question(*args, **kwargs)


def default_steps(compute: Callable[..., object] = _here) -> list[Step]:
    """What the explorer asks first, with its default arguments: the model, the health
    report (the overview and the Health page) and the whole bottleneck ranking (every
    `limit` is a slice of it: the overview's five and bottleneck mode's list).

    `compute(question, store, ...)` answers each (the service's: in an analysis worker,
    which keeps the model and sends the answers back to be kept here too)."""
    return [
        ("present model", lambda store: compute(read_present, store)),
        ("health report", lambda store: compute(hl.health, store)),
        ("bottleneck ranking", lambda store: compute(bn.bottlenecks, store, limit=1)),
    ]


class AnswerWarmer:
    def __init__(
        self,
        store: GraphStore,
        live: LiveIndex | None = None,
        *,
        enabled: bool = True,
        steps: Sequence[Step] | None = None,
        quiet_s: float = QUIET_S,
        poll_s: float = POLL_S,
    ) -> None:
        self.store = store
        self.live = live
        self.enabled = enabled
        self.steps = list(steps if steps is not None else default_steps())
        self.quiet_s = quiet_s
        self.poll_s = poll_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._changed = threading.Condition()  # notified whenever the status changes
        self._state: State = "waiting" if enabled else "off"
        self._revision: str | None = None
        self._ready: str | None = None  # the revision whose answers are all kept
        self._started = time.monotonic()
        self._ready_after: float | None = None
        self._warmed_in: float | None = None
        self._error: str | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if not self.enabled or self._thread is not None:
            return
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="answer-warmer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the thread to end; it does after the step it is in (not waited for longer
        than `timeout`: a step on a large model may take seconds)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def poke(self) -> None:
        """A request that may have changed the model was answered: look at the revision."""
        self._wake.set()

    def status(self, present: str | None = None) -> WarmStatus:
        """Where warming is; `present`: the revision Neo4j holds now, if known (answers of
        an older one are not "ready" even before the thread has seen the change)."""
        with self._changed:
            stale = self._state == "ready" and present is not None and present != self._revision
            return WarmStatus(
                enabled=self.enabled,
                state="waiting" if stale else self._state,
                revision=self._revision,
                ready_after_start_s=self._ready_after,
                warmed_in_s=self._warmed_in,
                error=self._error,
            )

    def wait_ready(self, revision: str, timeout: float) -> bool:
        """Until the answers of `revision` are kept; False if `timeout` passes first (tests)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._ready != revision:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(min(left, 1.0))
            return True

    # -- the thread ------------------------------------------------------------------

    def _set(self, state: State, revision: str | None, error: str | None = None) -> None:
        with self._changed:
            self._state, self._revision, self._error = state, revision, error
            self._changed.notify_all()

    def _run(self) -> None:
        if self.live is not None and self.live.enabled:
            try:
                self.live.wait(INDEX_WAIT_S)
            except Exception as exc:  # Neo4j away at start-up: warm when it answers
                log.info("warming answers without waiting for the walk index (%s)", exc)
        seen: str | None = None
        seen_at = float("-inf")  # at start-up: warm at once, nothing to wait out
        while not self._stop.is_set():
            try:
                revision = self.store.revision()
            except Exception as exc:  # Neo4j away: questions answer 503; look again later
                self._set("waiting", self._revision, f"{type(exc).__name__}: {exc}")
                self._pause(self.poll_s)
                continue
            if revision == self._ready:
                self._pause(self.poll_s)
                continue
            if revision != seen:
                if seen is not None:
                    seen_at = time.monotonic()
                seen = revision
            quiet = time.monotonic() - seen_at
            if quiet < self.quiet_s:
                self._set("waiting", self._ready)
                # Wait out the quiet period whatever pokes come: the next look decides.
                self._stop.wait(self.quiet_s - quiet)
                continue
            self._warm(revision)

    def _pause(self, seconds: float) -> None:
        self._wake.wait(seconds)
        self._wake.clear()
        self._stop.wait(MIN_LOOK_S)

    def _warm(self, revision: str) -> None:
        self._set("warming", revision)
        started = time.perf_counter()
        try:
            for name, step in self.steps:
                if self._stop.is_set():
                    return
                if self.store.revision() != revision:
                    log.info("warming answers of revision %s abandoned: it changed", revision)
                    self._set("waiting", self._ready)
                    return
                took = time.perf_counter()
                step(self.store)
                log.debug("warmed %s in %.1f s", name, time.perf_counter() - took)
        except Exception as exc:  # the questions compute on demand, as they always could
            error = f"{type(exc).__name__}: {exc}"
            log.warning("could not warm the answers of revision %s (%s)", revision, error)
            self._set("waiting", self._ready, error)
            self._pause(self.poll_s)
            return
        # The steps read the revision themselves: the answers are kept under the one each
        # saw. They are all `revision`'s only if it is still the present one.
        if self.store.revision() != revision:
            self._set("waiting", self._ready)
            return
        # What was just built lives until the next revision: out of the collector's passes
        # (before it is said to be ready, so that pass is not in the first questions' way).
        settle_again()
        with self._changed:
            self._ready = revision
            self._warmed_in = round(time.perf_counter() - started, 3)
            if self._ready_after is None:
                self._ready_after = round(time.monotonic() - self._started, 3)
            self._state, self._revision, self._error = "ready", revision, None
            self._changed.notify_all()
        log.info("answers of revision %s warm in %.1f s", revision, self._warmed_in)
