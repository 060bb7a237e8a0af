"""The questions over time: asked of the model at a moment (`queries.moment`), between two
moments (`diff`), and over a series of dates (`health_trend`, `bottleneck_trend`).

Every answer here is the present-day question's own code run on the model at the moment:
impact, depends-on and path walk it as a reader (the moment's `ModelGraph`, or as of an
instant with nothing kept, the present graph with the later changes laid over it:
`queries.moment_walk`), bottlenecks and health take its projection and
facts, exactly as a scenario comparison does. A diff compares the two models with the
scenario comparison's own helpers, "base" being the earlier moment and "scenario" the
later. A trend builds the first date's model from the history and moves it forward change
set by change set, never rebuilding from the start per date; its dates after now are the
planned model: the present one on each day by its lifecycle dates (read once).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from pydantic import BaseModel, Field

from graph.history import changed_fields
from graph.lifecycle import today as today_utc
from graph.store import GraphStore
from queries import bottlenecks as bn
from queries import budget
from queries import health as hl
from queries import impact as im
from queries.errors import QuestionError
from queries.model_graph import ModelGraph
from queries.moment import LiveDates, Moment, Snapshot, head, iso, model_of, seq_at
from queries.moment_walk import walked
from queries.propagation import PropagationTable, propagation_table
from queries.resolve import ElementRef, UnknownElementError

# The scenario comparison's helpers compare any two models; "base" is the earlier here.
from queries.scenarios.comparison import (
    compare_bottlenecks,
    compare_health,
    compare_impact,
)
from queries.scenarios.models import BottleneckComparison, HealthComparison, ImpactComparison

MAX_POINTS = 120

# -- one moment ----------------------------------------------------------------------------


def walk_impact(
    store: GraphStore, moment: Moment, element: str, options: im.WalkOptions | None = None
) -> im.ImpactWalk:
    return walked(store, moment, lambda reader: im.walk_impact(reader, element, options))


def walk_dependencies(
    store: GraphStore, moment: Moment, element: str, options: im.WalkOptions | None = None
) -> im.DependencyWalk:
    return walked(store, moment, lambda reader: im.walk_dependencies(reader, element, options))


def impact_page(
    store: GraphStore,
    moment: Moment,
    element: str,
    options: im.WalkOptions | None,
    offset: int,
    limit: int | None,
) -> im.ImpactResult:
    """`walk_impact`'s answer, each list a page (sent back from an analysis worker whole)."""
    return walk_impact(store, moment, element, options).result(offset, limit)


def dependencies_page(
    store: GraphStore,
    moment: Moment,
    element: str,
    options: im.WalkOptions | None,
    offset: int,
    limit: int | None,
) -> im.DependsOnResult:
    """`walk_dependencies`' answer, a page of the dependencies."""
    return walk_dependencies(store, moment, element, options).result(offset, limit)


def depends_on(
    store: GraphStore, moment: Moment, element: str, options: im.WalkOptions | None = None
) -> im.DependsOnResult:
    return walked(store, moment, lambda reader: im.depends_on(reader, element, options))


def dependency_path(
    store: GraphStore,
    moment: Moment,
    source: str,
    target: str,
    options: im.WalkOptions | None = None,
) -> im.PathResult:
    return walked(store, moment, lambda reader: im.dependency_path(reader, source, target, options))


def _ranking(
    model: ModelGraph, limit: int, config: bn.BottleneckConfig, table: PropagationTable
) -> bn.BottleneckReport:
    return bn.bottleneck_report(
        model.projection(table), model.served_directly(), limit=limit, config=config, table=table
    )


def _all_ranked(
    model: ModelGraph, config: bn.BottleneckConfig, table: PropagationTable
) -> bn.Ranking:
    """Every candidate ranked, so a rank change past the shown rows is still seen (rows
    are made for none: a comparison looks up places)."""
    return bn.ranking(model.projection(table), model.served_directly(), config=config, table=table)


def bottlenecks(
    store: GraphStore,
    moment: Moment,
    *,
    limit: int = 20,
    config: bn.BottleneckConfig | None = None,
    overrides: dict[str, str] | list[str] | None = None,
) -> bn.BottleneckReport:
    config = bn.checked(limit, config)
    return _ranking(model_of(store, moment), limit, config, propagation_table(overrides))


def _health(
    model: ModelGraph, *, max_streams_per_team: int, table: PropagationTable, today: date | None
) -> hl.HealthReport:
    return hl.health_report(
        model.health_facts(),
        model.projection(table),
        max_streams_per_team=max_streams_per_team,
        table=table,
        today=today,
    )


def health(
    store: GraphStore,
    moment: Moment,
    *,
    max_streams_per_team: int = hl.DEFAULT_MAX_STREAMS_PER_TEAM,
    overrides: dict[str, str] | list[str] | None = None,
    today: date | None = None,
) -> hl.HealthReport:
    """Health of the model at `moment`; lifecycle dates read against `today`, else the
    moment's day (`Moment.day`), else today."""
    hl.check_threshold(max_streams_per_team)
    table = propagation_table(overrides)
    return _health(
        model_of(store, moment),
        max_streams_per_team=max_streams_per_team,
        table=table,
        today=today or moment.day,
    )


# -- between two moments ---------------------------------------------------------------------


class DiffElement(BaseModel):
    element: ElementRef
    fields: list[str] = Field(description="The fields that changed (timestamps aside).")


class DiffRelationship(BaseModel):
    id: str
    type: str
    source: str
    target: str
    fields: list[str] = Field(
        default_factory=list, description="The fields that changed (for a changed one)."
    )


class TypeCount(BaseModel):
    kind: str = Field(description="element or relationship.")
    type: str
    added: int
    removed: int
    changed: int


class ModelChanges(BaseModel):
    """What differs between the two models, each list at most `limit` long (`counts` has
    the totals by type)."""

    counts: list[TypeCount]
    elements_added: list[ElementRef]
    elements_removed: list[ElementRef]
    elements_changed: list[DiffElement]
    relationships_added: list[DiffRelationship]
    relationships_removed: list[DiffRelationship]
    relationships_changed: list[DiffRelationship]


class MomentDiff(BaseModel):
    """Two moments compared: what changed, and what that did to the questions ("base" is
    the model at `from_moment`, "scenario" the model at `to_moment`)."""

    from_moment: str = Field(description="The earlier instant (ISO, UTC).")
    to_moment: str = Field(description="The later instant (ISO, UTC).")
    from_seq: int = Field(description="The last change set at the earlier instant.")
    to_seq: int = Field(description="The last change set at the later instant.")
    limit: int
    changes: ModelChanges
    impact: ImpactComparison | None
    bottlenecks: BottleneckComparison
    health: HealthComparison


def _ref(state: dict[str, object]) -> ElementRef:
    return ElementRef(
        id=str(state["id"]), type=str(state["type"]), name=str(state.get("name") or state["id"])
    )


def _rel(state: dict[str, object], fields: list[str] | None = None) -> DiffRelationship:
    return DiffRelationship(
        id=str(state["id"]),
        type=str(state["type"]),
        source=str(state["source"]),
        target=str(state["target"]),
        fields=fields or [],
    )


def _changes(before: Snapshot, after: Snapshot, limit: int) -> ModelChanges:
    counts: dict[tuple[str, str], dict[str, int]] = {}

    def count(kind: str, type_: object, what: str) -> None:
        row = counts.setdefault((kind, str(type_)), {"added": 0, "removed": 0, "changed": 0})
        row[what] += 1

    added, removed, changed = [], [], []
    for key in sorted(before.nodes.keys() | after.nodes.keys()):
        b, a = before.nodes.get(key), after.nodes.get(key)
        if b is None and a is not None:
            added.append(_ref(a))
            count("element", a["type"], "added")
        elif a is None and b is not None:
            removed.append(_ref(b))
            count("element", b["type"], "removed")
        elif a is not None and (fields := changed_fields(b, a)):
            changed.append(DiffElement(element=_ref(a), fields=fields))
            count("element", a["type"], "changed")
    r_added, r_removed, r_changed = [], [], []
    for key in sorted(before.rels.keys() | after.rels.keys()):
        b, a = before.rels.get(key), after.rels.get(key)
        if b is None and a is not None:
            r_added.append(_rel(a))
            count("relationship", a["type"], "added")
        elif a is None and b is not None:
            r_removed.append(_rel(b))
            count("relationship", b["type"], "removed")
        elif a is not None and (fields := changed_fields(b, a)):
            r_changed.append(_rel(a, fields))
            count("relationship", a["type"], "changed")

    def by_name(refs: list[ElementRef]) -> list[ElementRef]:
        return sorted(refs, key=lambda r: (r.name.lower(), r.id))[:limit]

    return ModelChanges(
        counts=[TypeCount(kind=k, type=t, **n) for (k, t), n in sorted(counts.items())],
        elements_added=by_name(added),
        elements_removed=by_name(removed),
        elements_changed=sorted(changed, key=lambda d: (d.element.name.lower(), d.element.id))[
            :limit
        ],
        relationships_added=r_added[:limit],
        relationships_removed=r_removed[:limit],
        relationships_changed=r_changed[:limit],
    )


def diff(
    store: GraphStore,
    from_: datetime,
    to: datetime | None = None,
    *,
    element: str | None = None,
    limit: int = 20,
    max_depth: int = im.DEFAULT_MAX_DEPTH,
    max_streams_per_team: int = hl.DEFAULT_MAX_STREAMS_PER_TEAM,
    config: bn.BottleneckConfig | None = None,
    overrides: dict[str, str] | list[str] | None = None,
) -> MomentDiff:
    """What changed between `from_` and `to` (default now), and what it did to health, the
    bottleneck ranking (rows ranked within `limit` at either moment) and, given `element`,
    the streams its impact reaches. Health reads lifecycle dates on each moment's day."""
    to = to or datetime.now(UTC)
    if to < from_:
        raise QuestionError("from must not be after to")
    im.check_depth(max_depth)
    hl.check_threshold(max_streams_per_team)
    config = bn.checked(limit, config)
    table = propagation_table(overrides)
    first = Snapshot.at(store, seq_at(store, from_))
    second = first.copy()
    second.advance(store, seq_at(store, to))
    base, later = first.model(), second.model()
    budget.check()
    impact = None
    if element is not None:
        try:
            base.resolve(element)
        except UnknownElementError:
            later.resolve(element)  # named at neither moment: refused as unknown
        impact = compare_impact(base, later, element, max_depth, overrides, set())
    healths = [
        _health(m, max_streams_per_team=max_streams_per_team, table=table, today=d)
        for m, d in ((base, from_.date()), (later, to.date()))
    ]
    return MomentDiff(
        from_moment=iso(from_),
        to_moment=iso(to),
        from_seq=first.seq,
        to_seq=second.seq,
        limit=limit,
        changes=_changes(first, second, limit),
        impact=impact,
        bottlenecks=compare_bottlenecks(
            _all_ranked(base, config, table), _all_ranked(later, config, table), limit
        ),
        health=compare_health(*healths),
    )


# -- over a series of dates -------------------------------------------------------------------


class Every(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


def _nth(since: date, n: int, every: Every) -> date:
    """The n-th date after `since`; a month step keeps since's day of the month (or the
    month's last day when it is shorter)."""
    if every is Every.DAY:
        return since + timedelta(days=n)
    if every is Every.WEEK:
        return since + timedelta(weeks=n)
    months = since.month - 1 + n
    year, month = since.year + months // 12, months % 12 + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(since.day, last))


def series(since: date, until: date, every: Every) -> list[date]:
    """The dates of a trend: `since`, then every day, week or month up to `until`."""
    if until < since:
        raise QuestionError(
            f"since ({since}) must not be after until ({until}); until defaults to today: "
            "give a later one for a trend into the planned future"
        )
    days = [since]
    while (following := _nth(since, len(days), every)) <= until:
        days.append(following)
        if len(days) > MAX_POINTS:
            raise QuestionError(
                f"a trend has at most {MAX_POINTS} points; from {since} to {until} every "
                f"{every} is more: ask with a longer interval (every) or a shorter range"
            )
    return days


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


@dataclass(frozen=True)
class _Point:
    day: date
    as_of: str
    seq: int
    planned: bool
    model: ModelGraph


def _points(store: GraphStore, days: list[date]) -> Iterator[_Point]:
    """The model at each date of a series, by the trend's rule (docs/history.md, "Trends
    on the planned future"): a date whose start (00:00 UTC) is not after now is the history
    at that instant, on that day by the lifecycle dates it held then: built once for the
    first such date and moved forward; a later date is planned: the present model on that
    day by its lifecycle dates, the model and the dates read once for all of them."""
    now = datetime.now(UTC)
    past = [d for d in days if _midnight(d) <= now]
    seqs = [seq_at(store, _midnight(day)) for day in past]  # refused before any is built
    if past:
        snap = Snapshot.at(store, seqs[0])
        for day, seq in zip(past, seqs, strict=True):
            snap.advance(store, seq)
            yield _Point(day, iso(_midnight(day)), snap.seq, False, snap.model(day))
    planned = days[len(past) :]
    if planned:
        # As of the last change, not of the clock: the same model gives the same answer.
        seq, last = head(store)
        present = ModelGraph.load(store)
        dates = LiveDates.read(store)
        for day in planned:
            yield _Point(day, last or iso(now), seq, True, dates.on(present, day))


class CheckScore(BaseModel):
    id: str
    title: str
    score: float | None
    offending: int


_DAY = (
    "The day: the model at its start (00:00 UTC) on that day's lifecycle dates; after now, "
    "the present model on that day by its lifecycle dates (planned)."
)
_AS_OF = (
    "The instant the model is as of: the day's start; for a planned point, the last recorded "
    "change (the present model)."
)
_PLANNED = "After now: the model as planned for that day (lifecycle dates), not a recorded one."


class HealthPoint(BaseModel):
    day: date = Field(description=_DAY)
    as_of: str = Field(description=_AS_OF)
    seq: int = Field(description="The last change set the model includes.")
    planned: bool = Field(description=_PLANNED)
    score: float | None
    offending: int = Field(description="Offending elements over every check.")
    checks: list[CheckScore]


class HealthTrend(BaseModel):
    every: Every
    since: date
    until: date
    points: list[HealthPoint]


class RankedPoint(BaseModel):
    rank: int
    element: ElementRef
    score: float
    stream_count: int


class BottleneckPoint(BaseModel):
    day: date = Field(description=_DAY)
    as_of: str = Field(description=_AS_OF)
    seq: int = Field(description="The last change set the model includes.")
    planned: bool = Field(description=_PLANNED)
    stream_total: int
    ranking: list[RankedPoint]


class BottleneckTrend(BaseModel):
    every: Every
    since: date
    until: date
    limit: int
    points: list[BottleneckPoint]


def _range(since: date, until: date | None, every: Every | str) -> tuple[Every, list[date]]:
    try:
        step = Every(every)
    except ValueError:
        raise QuestionError("every must be day, week or month") from None
    return step, series(since, until or today_utc(), step)


def health_trend(
    store: GraphStore,
    *,
    since: date,
    until: date | None = None,
    every: Every | str = Every.MONTH,
    max_streams_per_team: int = hl.DEFAULT_MAX_STREAMS_PER_TEAM,
    overrides: dict[str, str] | list[str] | None = None,
) -> HealthTrend:
    """Health at the start of each day of the series (lifecycle dates read on that day);
    days after now on the planned model (`_points`)."""
    step, days = _range(since, until, every)
    hl.check_threshold(max_streams_per_team)
    table = propagation_table(overrides)
    points = []
    for point in _points(store, days):
        report = _health(
            point.model, max_streams_per_team=max_streams_per_team, table=table, today=point.day
        )
        points.append(
            HealthPoint(
                day=point.day,
                as_of=point.as_of,
                seq=point.seq,
                planned=point.planned,
                score=report.score,
                offending=sum(c.offending for c in report.checks),
                checks=[
                    CheckScore(id=c.id, title=c.title, score=c.score, offending=c.offending)
                    for c in report.checks
                ],
            )
        )
    return HealthTrend(every=step, since=days[0], until=days[-1], points=points)


def bottleneck_trend(
    store: GraphStore,
    *,
    since: date,
    until: date | None = None,
    every: Every | str = Every.MONTH,
    limit: int = 10,
    config: bn.BottleneckConfig | None = None,
    overrides: dict[str, str] | list[str] | None = None,
) -> BottleneckTrend:
    """The top `limit` of the bottleneck ranking at the start of each day of the series;
    days after now on the planned model (`_points`)."""
    step, days = _range(since, until, every)
    config = bn.checked(limit, config)
    table = propagation_table(overrides)
    points = []
    for point in _points(store, days):
        report = _ranking(point.model, limit, config, table)
        points.append(
            BottleneckPoint(
                day=point.day,
                as_of=point.as_of,
                seq=point.seq,
                planned=point.planned,
                stream_total=report.stream_total,
                ranking=[
                    RankedPoint(
                        rank=b.rank, element=b.element, score=b.score, stream_count=b.stream_count
                    )
                    for b in report.bottlenecks
                ],
            )
        )
    return BottleneckTrend(every=step, since=days[0], until=days[-1], limit=limit, points=points)
