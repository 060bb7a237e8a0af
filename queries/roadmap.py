"""The roadmap: the model's plateaus, today and on each day open scenarios are due, with the
questions asked of each and each compared with the step before.

A scenario with an `effective_date` is a step of the roadmap. Step 0 is today's model;
each later step is the model with every dated scenario due by its day applied, in date
order (then creation order), to a copy of the model held in memory (`queries.model_graph`)
— so step *n* holds the changes of steps 1..*n*, as a plateau should. Each step is asked
the questions a scenario comparison asks (`queries.scenarios.comparison`), by the same
code: the impact of a chosen element, the bottleneck ranking (top `limit`) and the health
checks (lifecycle dates read against the step's day); and compared with the step before:
the ranks that moved, the findings resolved and introduced. A scenario that no longer
applies on top of the earlier ones is left out of its step and named in `problems`.
Nothing is written.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from pydantic import BaseModel, Field

from graph.lifecycle import today as today_utc
from graph.store import GraphStore
from queries import bottlenecks as bn
from queries import health as hl
from queries import impact as im
from queries.model_graph import ModelGraph
from queries.moment import LiveDates
from queries.propagation import propagation_table
from queries.resolve import ElementRef
from queries.scenarios.comparison import compare_bottlenecks, compare_health
from queries.scenarios.losses import lost_needs
from queries.scenarios.models import BottleneckDelta, HealthComparison
from queries.scenarios.operations import OperationError, replay
from queries.scenarios.storage import LIST_SCENARIOS, Record

# -- the answers ---------------------------------------------------------------------------


class StepImpact(BaseModel):
    """The impact of the chosen element on one step."""

    in_model: bool = Field(description="The element exists on this step.")
    stream_count: int
    affected_count: int
    counts: im.ImpactCounts | None = Field(description="Null: not on this step.")
    streams: list[ElementRef] = Field(description="The value streams it affects.")
    streams_added: list[ElementRef] = Field(description="Affected here, not the step before.")
    streams_removed: list[ElementRef] = Field(description="Affected the step before, not here.")


class StepBottleneck(BaseModel):
    rank: int
    element: ElementRef
    score: float
    stream_count: int


class StepHealthCheck(BaseModel):
    id: str
    title: str
    score: float | None = Field(description="Null: not applicable.")
    offending: int


class RoadmapStep(BaseModel):
    """One plateau: the model on `date`, with every scenario due by then applied."""

    index: int = Field(description="0: today's model.")
    date: str = Field(description="The step's day (YYYY-MM-DD).")
    overdue: bool = Field(description="Due before today, yet not applied to the model.")
    scenarios: list[str] = Field(description="The scenarios this step adds, in order.")
    applied: list[str] = Field(description="Every scenario applied on this step, in order.")
    problems: list[str] = Field(description="Scenarios left out: they no longer apply.")
    impact: StepImpact | None = Field(description="Null: no element asked about.")
    bottlenecks: list[StepBottleneck] = Field(description="The top `limit` of the ranking.")
    health_score: float | None
    health_checks: list[StepHealthCheck]
    bottleneck_changes: list[BottleneckDelta] = Field(
        description="Ranks against the step before (base = the step before); empty on step 0."
    )
    health_change: HealthComparison | None = Field(
        description="Health against the step before (base = the step before: `resolved` "
        "findings are gone on this step, `introduced` ones new); null on step 0."
    )


class Roadmap(BaseModel):
    today: str
    element: ElementRef | None = Field(description="The element whose impact each step shows.")
    limit: int = Field(description="How many bottlenecks each step lists.")
    steps: list[RoadmapStep]


# -- the steps -----------------------------------------------------------------------------


def dated_scenarios(store: GraphStore) -> list[Record]:
    """The open scenarios with an effective date, in the order the roadmap applies them."""
    records = [Record.from_props(dict(r["props"])) for r in store.read(LIST_SCENARIOS)]
    due = [r for r in records if r.effective_date and not r.applied_at]
    return sorted(due, key=lambda r: (r.effective_date or "", r.created_at, r.name))


def model_on(present: ModelGraph, dates: LiveDates, day: date) -> ModelGraph:
    """The model a step's scenarios are applied to: the present one on the step's day by
    its lifecycle dates (platforms past their end of life gone, planned ones not yet in),
    as `--at` answers (`queries.moment.on_day`); the dates are read once for every step."""
    return dates.on(present, day)


@dataclasses.dataclass
class _Side:
    ranking: bn.Ranking
    health: hl.HealthReport
    impact: im.ImpactResult | None


def _ask(
    base: ModelGraph,
    model: ModelGraph,
    day: date,
    element: str | None,
    *,
    max_depth: int,
    max_streams_per_team: int,
    config: bn.BottleneckConfig,
    overrides: dict[str, str] | list[str] | None,
) -> _Side:
    """The questions of one step, asked as `compare_models` asks a scenario's side."""
    table = propagation_table(overrides)
    projection = model.projection(table)
    # Every candidate ranked, so a rank change past the shown rows is still seen; rows are
    # not made for them (a step shows places only).
    ranking = bn.ranking(projection, model.served_directly(), config=config, table=table)
    facts = model.health_facts()
    if model is not base:
        lost = lost_needs(base, model)
        facts = dataclasses.replace(facts, lost_needs=frozenset((s, t) for s, _, t in lost))
    health = hl.health_report(
        facts, projection, max_streams_per_team=max_streams_per_team, table=table, today=day
    )
    impact = None
    if element is not None and element in model.nodes:
        impact = im.impact(model, element, im.WalkOptions(max_depth, overrides=overrides))
    return _Side(ranking, health, impact)


def _impact(side: _Side, before: _Side | None) -> StepImpact:
    now = side.impact
    streams = [a.element for a in now.streams] if now else []
    old = {a.element.id for a in before.impact.streams} if before and before.impact else set()
    old_refs = [a.element for a in before.impact.streams] if before and before.impact else []
    ids = {s.id for s in streams}
    return StepImpact(
        in_model=now is not None,
        stream_count=len(streams),
        affected_count=len(now.affected) if now else 0,
        counts=now.counts if now else None,
        streams=streams,
        streams_added=[s for s in streams if before is not None and s.id not in old],
        streams_removed=[s for s in old_refs if s.id not in ids],
    )


def roadmap(
    store: GraphStore,
    *,
    element: str | None = None,
    max_depth: int = im.DEFAULT_MAX_DEPTH,
    limit: int = 10,
    max_streams_per_team: int = hl.DEFAULT_MAX_STREAMS_PER_TEAM,
    config: bn.BottleneckConfig | None = None,
    overrides: dict[str, str] | list[str] | None = None,
    today: date | None = None,
) -> Roadmap:
    """Today's model, then each day dated scenarios are due, each step compared with the
    one before (see the module's docstring)."""
    im.check_depth(max_depth)
    config = bn.checked(limit, config)
    hl.check_threshold(max_streams_per_team)
    day0 = today or today_utc()
    present = ModelGraph.load(store)
    dates = LiveDates.read(store)
    origin: ElementRef | None = None
    if element is not None:
        origin = present.resolve(element)  # an element only a scenario adds is unknown here
    records = dated_scenarios(store)
    days = [day0.isoformat(), *sorted({r.effective_date or "" for r in records})]
    steps: list[RoadmapStep] = []
    before: _Side | None = None
    for index, day_text in enumerate(days):
        day = date.fromisoformat(day_text)
        # Step 0 is today; a scenario due before today is an overdue step of its own, asked
        # on today's lifecycle (the past cannot be planned for).
        asked_on = max(day, day0)
        base = model_on(present, dates, asked_on)
        model = base
        applied: list[str] = []
        problems: list[str] = []
        for record in (r for r in records if index > 0 and (r.effective_date or "") <= day_text):
            try:
                model, _, _ = replay(model, record.operations)
            except OperationError as exc:
                if record.effective_date == day_text:  # named once, on its own step
                    problems.append(f"{record.name}: {exc}")
                continue
            applied.append(record.name)
        side = _ask(
            base,
            model,
            asked_on,
            origin.id if origin else None,
            max_depth=max_depth,
            max_streams_per_team=max_streams_per_team,
            config=config,
            overrides=overrides,
        )
        steps.append(
            RoadmapStep(
                index=index,
                date=day_text,
                overdue=index > 0 and day < day0,
                scenarios=[r.name for r in records if index > 0 and r.effective_date == day_text],
                applied=applied,
                problems=problems,
                impact=_impact(side, before) if origin else None,
                bottlenecks=[
                    StepBottleneck(
                        rank=b.rank, element=b.element, score=b.score, stream_count=b.stream_count
                    )
                    for b in side.ranking.top(limit)
                ],
                health_score=side.health.score,
                health_checks=[
                    StepHealthCheck(id=c.id, title=c.title, score=c.score, offending=c.offending)
                    for c in side.health.checks
                ],
                bottleneck_changes=(
                    compare_bottlenecks(before.ranking, side.ranking, limit).rows if before else []
                ),
                health_change=compare_health(before.health, side.health) if before else None,
            )
        )
        before = side
    return Roadmap(today=day0.isoformat(), element=origin, limit=limit, steps=steps)
