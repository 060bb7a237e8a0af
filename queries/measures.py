"""A value stream's measures over time: each measure's recorded values, dated, against its
target, and which way it is going.

The series is read from the change history (`graph.history`), not from a second store of
observations: every version of a measure whose `current` value changed is a point. A point
is dated by the measure's `measured_at` when the change set that recorded it set that field
(the value was measured on another day than it was entered), else by the day the change was
recorded. One point per day: a later recording for the same day corrects the earlier one.
docs/history.md ("Trends") says why.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from graph import history
from graph.labels import MEASURE, MEASURED_BY, STREAM
from graph.store import GraphStore
from queries.errors import QuestionError
from queries.resolve import ElementRef, resolve

# -- Cypher ------------------------------------------------------------------------------

STREAM_MEASURES = f"""
MATCH (:{STREAM} {{id: $id}})-[:{MEASURED_BY}]->(m:{MEASURE})
RETURN m.id AS id, m.name AS name, m.unit AS unit, m.direction AS direction,
       m.target AS target, m.current AS current
ORDER BY toLower(coalesce(m.name, m.id)), m.id
"""

# Every recorded version of these elements, oldest first (the history's index on `id`).
ELEMENT_VERSIONS = (
    "UNWIND $ids AS id\n"
    + history.changes(
        "{x}.kind = $kind", item_id="id", fields=("seq", "at", "fields", "after"), scope="id"
    )
    + """RETURN id, c.seq AS seq, c.at AS at, c.fields AS fields, c.after AS after
ORDER BY seq
"""
)

HIGHER, LOWER = "higher-is-better", "lower-is-better"

# -- the answers -------------------------------------------------------------------------


class Trend(StrEnum):
    IMPROVING = "improving"  # moved towards better, by the measure's direction
    WORSENING = "worsening"
    STEADY = "steady"  # first and last value equal
    UNKNOWN = "unknown"  # fewer than two values, or no direction to judge by


class MeasurePoint(BaseModel):
    """One recorded value of a measure."""

    date: str = Field(description="The day it was measured (YYYY-MM-DD).")
    value: float
    target: float | None = Field(description="The target in force when it was recorded.")
    recorded_at: str = Field(description="When the change set that recorded it committed.")
    seq: int = Field(description="That change set's seq.")


class MeasureSeries(BaseModel):
    """A measure's values by day against its target, and the trend from first to last."""

    measure: ElementRef
    unit: str | None
    direction: str | None = Field(description="higher-is-better or lower-is-better.")
    target: float | None = Field(description="The target now.")
    current: float | None = Field(description="The value now.")
    points: list[MeasurePoint] = Field(description="Oldest first, one per day.")
    change: float | None = Field(description="Last value minus first; null under two values.")
    trend: Trend
    gap_to_target: float | None = Field(description="Target minus the last value.")
    on_target: bool | None = Field(
        description="The last value meets the target, by the direction; null if unknown."
    )


class StreamMeasures(BaseModel):
    stream: ElementRef
    measures: list[MeasureSeries]


# -- building a series ---------------------------------------------------------------------


@dataclass(frozen=True)
class Version:
    """One recorded state of an element: its change set's seq and time, what it changed."""

    seq: int
    at: str
    fields: tuple[str, ...]
    state: dict[str, Any] | None  # None: deleted


def versions(store: GraphStore, ids: Iterable[str], kind: str) -> dict[str, list[Version]]:
    """The recorded versions of each element (`kind` element) or relationship, oldest first."""
    out: dict[str, list[Version]] = {}
    ids = list(dict.fromkeys(ids))
    if not ids:
        return out
    for r in store.read(ELEMENT_VERSIONS, {"ids": ids, "kind": kind}):
        after = r["after"]
        out.setdefault(r["id"], []).append(
            Version(
                seq=int(r["seq"]),
                at=str(r["at"]),
                fields=tuple(r["fields"] or ()),
                state=None if after is None else json.loads(after),
            )
        )
    return out


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def points(measure_versions: list[Version]) -> list[MeasurePoint]:
    """The series of one measure from its versions (see the module's docstring)."""
    by_day: dict[str, MeasurePoint] = {}
    last: float | None = None
    for v in measure_versions:
        if v.state is None:  # deleted: a re-creation starts a value afresh
            last = None
            continue
        value = _number(v.state.get("current"))
        created = not v.fields
        dated = v.state.get("measured_at") if created or "measured_at" in v.fields else None
        if value is None or (value == last and dated is None):
            continue  # no value, or another field changed: not a new measurement
        last = value
        day = str(dated) if dated else v.at[:10]
        by_day[day] = MeasurePoint(
            date=day,
            value=value,
            target=_number(v.state.get("target")),
            recorded_at=v.at,
            seq=v.seq,
        )
    return [by_day[d] for d in sorted(by_day)]


def trend(series: list[MeasurePoint], direction: str | None) -> tuple[float | None, Trend]:
    """Last value minus first, and what that means by the measure's direction."""
    if len(series) < 2:
        return None, Trend.UNKNOWN
    change = round(series[-1].value - series[0].value, 6)
    if change == 0:
        return change, Trend.STEADY
    if direction not in (HIGHER, LOWER):
        return change, Trend.UNKNOWN
    better = change > 0 if direction == HIGHER else change < 0
    return change, Trend.IMPROVING if better else Trend.WORSENING


def _on_target(value: float | None, target: float | None, direction: str | None) -> bool | None:
    if value is None or target is None or direction not in (HIGHER, LOWER):
        return None
    return value >= target if direction == HIGHER else value <= target


def series_of(row: dict[str, Any], measure_versions: list[Version]) -> MeasureSeries:
    found = points(measure_versions)
    change, moving = trend(found, row.get("direction"))
    target, current = _number(row.get("target")), _number(row.get("current"))
    last = found[-1].value if found else current
    return MeasureSeries(
        measure=ElementRef(id=row["id"], type=MEASURE, name=row.get("name") or row["id"]),
        unit=row.get("unit"),
        direction=row.get("direction"),
        target=target,
        current=current,
        points=found,
        change=change,
        trend=moving,
        gap_to_target=None if target is None or last is None else round(target - last, 6),
        on_target=_on_target(last, target, row.get("direction")),
    )


# -- the question --------------------------------------------------------------------------


def stream_ref(store: GraphStore, stream: str) -> ElementRef:
    """The value stream named by id or name; any other element is refused."""
    ref = resolve(store, stream)
    if ref.type != STREAM:
        raise QuestionError(f"{ref} is a {ref.type}, not a value stream")
    return ref


def measure_series(store: GraphStore, stream_id: str) -> list[MeasureSeries]:
    rows = [dict(r) for r in store.read(STREAM_MEASURES, {"id": stream_id})]
    found = versions(store, [r["id"] for r in rows], history.ELEMENT)
    return [series_of(r, found.get(r["id"], [])) for r in rows]


def stream_measures(store: GraphStore, stream: str) -> StreamMeasures:
    """Each measure of the stream with its recorded values over time and their trend."""
    ref = stream_ref(store, stream)
    return StreamMeasures(stream=ref, measures=measure_series(store, ref.id))
