"""A wall-clock budget for a question, checked where the analytics loop.

Neo4j stops a Cypher query past its own time limit, but bottlenecks, health, scenario
comparison and the impact walks spend most of their time in Python. The asking surface sets
a deadline with `time_limit`; the loops call `check()`, which is cheap (a context variable
and a clock read), so a question past its budget stops at the next check with `OutOfTime`
instead of running on after its asker has gone.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class _Budget:
    deadline: float
    seconds: float
    advice: str


_budget: ContextVar[_Budget | None] = ContextVar("valuegraph_question_budget", default=None)


class OutOfTime(Exception):
    """The question ran past its time limit; `advice` says how to ask a cheaper one."""

    def __init__(self, seconds: float, advice: str) -> None:
        super().__init__(f"the question took longer than its limit of {seconds:g} s; {advice}")
        self.seconds = seconds
        self.advice = advice


@contextmanager
def time_limit(seconds: float | None, advice: str, *, left: float | None = None) -> Iterator[None]:
    """Give the questions asked inside at most `seconds` (None: no limit); `left`: what is
    left of it (a question carried on in another process, app.core.analyses)."""
    if seconds is None:
        yield
        return
    left = seconds if left is None else left
    token = _budget.set(_Budget(time.monotonic() + left, seconds, advice))
    try:
        yield
    finally:
        _budget.reset(token)


def check() -> None:
    """Raise `OutOfTime` once the current question's deadline has passed."""
    budget = _budget.get()
    if budget is not None and time.monotonic() > budget.deadline:
        raise OutOfTime(budget.seconds, budget.advice)


def remaining() -> tuple[float, float, str] | None:
    """The current question's (seconds left, its limit, advice), or None without a limit."""
    budget = _budget.get()
    if budget is None:
        return None
    return budget.deadline - time.monotonic(), budget.seconds, budget.advice
