"""Lifecycle phases on a day: which phase an element or relationship is in, from its dates.

The dates themselves are declared in `graph.schema` (`LIFECYCLE_DATES`), each the day a
phase starts; the phase on a day is the last one started by then (None before the first,
or when no date is given). Days are ISO text, so they compare as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from graph.schema import LIFECYCLE_DATES

# Phase names as the dates' names without their prefix: plan, phase_in, … end_of_life.
PHASES: tuple[str, ...] = tuple(p.name.removeprefix("lifecycle_") for p in LIFECYCLE_DATES)
PHASE_OUT, END_OF_LIFE = "phase_out", "end_of_life"


def field_of(phase: str) -> str:
    """The property holding the day `phase` starts."""
    return f"lifecycle_{phase}"


def phase_on(dates: Mapping[str, Any], day: str) -> str | None:
    """The phase on `day` (YYYY-MM-DD) given the lifecycle properties in `dates`."""
    current = None
    for phase in PHASES:
        start = dates.get(field_of(phase))
        if start is not None and str(start) <= day:
            current = phase
    return current


def today() -> date:
    """The day questions are evaluated on when none is given: today in UTC, so every
    surface of one server gives the same answer."""
    return datetime.now(UTC).date()


def parse_day(text: str) -> date:
    """A day given as YYYY-MM-DD (the form every surface takes); ValueError otherwise."""
    text = text.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise ValueError(f"{text!r} is not a day: give YYYY-MM-DD, e.g. 2027-03-31")


# Phases in which something is part of the model as it stands on a day.
IN_USE: frozenset[str] = frozenset({"phase_in", "active", PHASE_OUT})
STARTS: tuple[str, ...] = ("plan", "phase_in", "active")


def present_on(dates: Mapping[str, Any], day: str) -> bool:
    """Whether an element or relationship is part of the model on `day` (valid time):
    in phase-in, active or phase-out then; not while only planned nor from its end of
    life on; and, before any of its dates, only if none of them says it is still to come
    (a plan, phase-in or active day: only its retirement may be dated). With no dates at
    all it is always there. docs/history.md states the rule."""
    phase = phase_on(dates, day)
    if phase is not None:
        return phase in IN_USE
    return all(dates.get(field_of(p)) is None for p in STARTS)
