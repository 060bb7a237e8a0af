"""Comparing a scenario with the base model: impact, bottlenecks and health, side by side.

The base model is the present one in memory (`queries.present`), the operations are
applied to a copy, and base and copy are asked the same questions by the same code; the
base's answers are the ones the present model's questions keep. The
`compare_*` helpers compare any two answers of the same question: `queries.over_time`
diffs two moments with them.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Hashable
from datetime import date

from graph.lifecycle import today as today_utc
from graph.store import GraphStore
from queries import bottlenecks as bn
from queries import health as hl
from queries import impact as im
from queries.health_facts import HealthFacts
from queries.live import current_index, walk_impact
from queries.model_graph import ModelGraph
from queries.present import present_model, present_projection, recalled, remember, table_key
from queries.projection import Projection
from queries.propagation import PropagationTable, propagation_table
from queries.resolve import ElementRef, UnknownElementError
from queries.scenarios.losses import describe_losses, lost_needs
from queries.scenarios.models import (
    IMPACT_PAGE,
    BottleneckComparison,
    BottleneckDelta,
    HealthCheckDelta,
    HealthComparison,
    ImpactComparison,
    Losses,
    RankChange,
    ScenarioComparison,
    ScenarioView,
    StreamChange,
    StreamImpactDelta,
)
from queries.scenarios.operations import replay
from queries.scenarios.storage import Record, open_record, scenario_model

# -- compare ---------------------------------------------------------------------------------


def compare_scenario(
    store: GraphStore,
    name: str,
    *,
    element: str | None = None,
    max_depth: int = im.DEFAULT_MAX_DEPTH,
    limit: int = 20,
    max_streams_per_team: int = hl.DEFAULT_MAX_STREAMS_PER_TEAM,
    config: bn.BottleneckConfig | None = None,
    overrides: dict[str, str] | list[str] | None = None,
    today: date | None = None,
    wait: bool = True,
) -> ScenarioComparison:
    """Impact (of `element`, when given), bottlenecks and health: base and scenario
    (lifecycle dates read against `today`, default today UTC).

    The base side is the present model's answers (`queries.present`), shared with the
    questions asked of it. The comparison is kept for the model revision, the scenario's
    operations and the parameters, so asking it again costs two reads.

    `wait=False` answers in two parts: unless the whole answer is kept, the first part
    (impact, losses, health: each number final) with `ranking_pending` set and no
    bottleneck comparison; asking again with `wait=True` adds the scenario's ranking to
    the kept first part. Both parts are the whole answer's, field for field."""
    asked = _Asked.of(element, max_depth, limit, max_streams_per_team, config, overrides, today)
    record = open_record(store, name)
    if not wait:
        whole: ScenarioComparison | None = recalled(store, asked.key(record))
        first = whole if whole is not None else asked.first(store, record).comparison
        return _now(first, record)
    return _now(remember(store, asked.key(record), lambda: asked.compute(store, record)), record)


def kept_comparison(
    store: GraphStore,
    name: str,
    *,
    element: str | None = None,
    max_depth: int = im.DEFAULT_MAX_DEPTH,
    limit: int = 20,
    max_streams_per_team: int = hl.DEFAULT_MAX_STREAMS_PER_TEAM,
    config: bn.BottleneckConfig | None = None,
    overrides: dict[str, str] | list[str] | None = None,
    today: date | None = None,
    wait: bool = True,
) -> ScenarioComparison | None:
    """`compare_scenario`'s answer if it is kept for the present revision, else None
    (reads the scenario; never computes)."""
    asked = _Asked.of(element, max_depth, limit, max_streams_per_team, config, overrides, today)
    record = open_record(store, name)
    kept: ScenarioComparison | None = recalled(store, asked.key(record))
    if kept is None and not wait:
        first: FirstPart | None = recalled(store, asked.first_key(record))
        kept = None if first is None else first.comparison
    return None if kept is None else _now(kept, record)


@dataclasses.dataclass(frozen=True)
class _Asked:
    """A comparison's parameters, checked, with the table and day resolved."""

    element: str | None
    max_depth: int
    limit: int
    max_streams_per_team: int
    config: bn.BottleneckConfig
    overrides: dict[str, str] | list[str] | None
    table: PropagationTable
    day: date

    @classmethod
    def of(
        cls,
        element: str | None,
        max_depth: int,
        limit: int,
        max_streams_per_team: int,
        config: bn.BottleneckConfig | None,
        overrides: dict[str, str] | list[str] | None,
        today: date | None,
    ) -> _Asked:
        im.check_depth(max_depth)
        checked = bn.checked(limit, config)
        hl.check_threshold(max_streams_per_team)
        table = propagation_table(overrides)
        day = today or today_utc()  # one day for both sides
        return cls(element, max_depth, limit, max_streams_per_team, checked, overrides, table, day)

    def key(self, record: Record) -> Hashable:
        # The operations as stored, not the scenario's name: a name can be given to other
        # operations later, and what the comparison shows of the record is set by `_now`.
        return (
            "scenario comparison",
            json.dumps(record.stored, sort_keys=True),
            self.element,
            self.max_depth,
            self.limit,
            self.max_streams_per_team,
            bn.ranking_key(self.config, self.table),
            self.day,
        )

    def first_key(self, record: Record) -> Hashable:
        """The first part's key: what it depends on (not the ranking's parameters)."""
        return (
            "scenario comparison, first part",
            json.dumps(record.stored, sort_keys=True),
            self.element,
            self.max_depth,
            self.max_streams_per_team,
            table_key(self.table),
            self.day,
        )

    def first(self, store: GraphStore, record: Record) -> FirstPart:
        """The first part, computed once per revision."""

        def compute() -> FirstPart:
            base = present_model(store)
            scenario, views, problem = scenario_model(store, record)
            if problem is not None or not scenario.copied_from(base):
                # Refused as before (strict); or kept for a revision older than `base`.
                scenario, views, _ = replay(base, record.operations)
            return first_part(
                base,
                scenario,
                view=ScenarioView(**record.summary().model_dump(), operations=views),
                element=self.element,
                max_depth=self.max_depth,
                max_streams_per_team=self.max_streams_per_team,
                overrides=self.overrides,
                today=self.day,
                base_health=hl.present_health(
                    store,
                    max_streams_per_team=self.max_streams_per_team,
                    table=self.table,
                    day=self.day,
                ),
                base_projection=present_projection(store, self.table),
                base_facts=hl.present_facts(store),
                # The base side's impact is the present model's: kept, it serves every
                # change added to the scenario and every scenario compared on this revision.
                base_impact=lambda origin: remember(
                    store,
                    ("scenario base impact walk", origin, self.max_depth, table_key(self.table)),
                    lambda: walk_impact(
                        present_reader(store),
                        origin,
                        im.WalkOptions(self.max_depth, overrides=self.overrides),
                    ),
                ),
            )

        return remember(store, self.first_key(record), compute)

    def compute(self, store: GraphStore, record: Record) -> ScenarioComparison:
        first = self.first(store, record)
        ranking = remember(
            store,
            (
                "scenario ranking",
                json.dumps(record.stored, sort_keys=True),
                bn.ranking_key(self.config, self.table),
            ),
            lambda: scenario_ranking(
                first.projection,
                first.served,
                self.config,
                self.table,
                present_projection(store, self.table),
            ),
        )
        return with_ranking(
            first.comparison,
            bn.present_ranking(store, self.config, self.table),
            ranking,
            self.limit,
        )


def present_reader(store: GraphStore) -> im.ImpactReader:
    """Where the present model's impact walks: the live walk index when this process holds
    one of the present revision (arrays, a level at a time: a wide walk over the model
    in memory took most of a comparison's first part), else the present model."""
    index = current_index(store, store.revision())
    return index if index is not None else present_model(store)


def _now(comparison: ScenarioComparison, record: Record) -> ScenarioComparison:
    """A kept comparison showing the scenario's record as it is now (its description and
    dates may have changed since it was computed; its operations have not)."""
    view = comparison.scenario.model_copy(update=record.summary().model_dump())
    if view == comparison.scenario:
        # Unchanged: the kept answer itself, whose rendering the service keeps.
        return comparison
    return comparison.model_copy(update={"scenario": view})


@dataclasses.dataclass(frozen=True)
class Side:
    """One side's answers: the full bottleneck ranking (a report of every row, or the
    ranking its rows are made from) and the health report, and the dependency graph they
    were computed on."""

    ranking: bn.BottleneckReport | bn.Ranking
    health: hl.HealthReport
    projection: Projection


@dataclasses.dataclass(frozen=True)
class FirstPart:
    """What a comparison answers without the scenario's bottleneck ranking (its costliest
    question: sampled betweenness over the whole scenario model): the comparison with
    `bottlenecks` null and `ranking_pending` set, and what the ranking is computed from."""

    comparison: ScenarioComparison
    projection: Projection  # the scenario's dependency graph
    served: dict[str, set[str]]  # the scenario's teams -> the streams they serve directly


def compare_models(
    base: ModelGraph,
    scenario: ModelGraph,
    *,
    view: ScenarioView,
    element: str | None,
    max_depth: int,
    limit: int,
    max_streams_per_team: int,
    config: bn.BottleneckConfig,
    overrides: dict[str, str] | list[str] | None,
    today: date | None = None,
    base_side: Side | None = None,
) -> ScenarioComparison:
    """`base` and `scenario` asked the same questions, side by side; `base_side` is the
    base's answers when they are known already (the present model's)."""
    table = propagation_table(overrides)
    if base_side is None:
        projection = base.projection(table)
        base_side = Side(
            ranking=scenario_ranking(projection, base.served_directly(), config, table),
            health=hl.health_report(
                base.health_facts(),
                projection,
                max_streams_per_team=max_streams_per_team,
                table=table,
                today=today or today_utc(),
            ),
            projection=projection,
        )
    first = first_part(
        base,
        scenario,
        view=view,
        element=element,
        max_depth=max_depth,
        max_streams_per_team=max_streams_per_team,
        overrides=overrides,
        today=today,
        base_health=base_side.health,
        base_projection=base_side.projection,
    )
    ranking = scenario_ranking(first.projection, first.served, config, table, base_side.projection)
    return with_ranking(first.comparison, base_side.ranking, ranking, limit)


def first_part(
    base: ModelGraph,
    scenario: ModelGraph,
    *,
    view: ScenarioView,
    element: str | None,
    max_depth: int,
    max_streams_per_team: int,
    overrides: dict[str, str] | list[str] | None,
    today: date | None,
    base_health: hl.HealthReport,
    base_projection: Projection,
    base_impact: Callable[[str], im.ImpactWalk] | None = None,
    base_facts: HealthFacts | None = None,
) -> FirstPart:
    """The impact, the losses and the health comparison (every number of them final),
    the bottlenecks pending. `base_facts`: the base's health facts, when known (the
    scenario's are then found from them, near what it changed)."""
    table = propagation_table(overrides)
    lost = lost_needs(base, scenario)
    day = today or today_utc()  # one day for both sides
    found = (
        scenario.health_facts()
        if base_facts is None
        else scenario.health_facts_after(base, base_facts)
    )
    facts = dataclasses.replace(found, lost_needs=frozenset((s, t) for s, _, t in lost))
    # The scenario's dependency graph is the base's with what the operations changed.
    projection = scenario.projection_after(base, base_projection, table)
    health, cut = (
        hl.health_report_and_cut(
            facts, projection, max_streams_per_team=max_streams_per_team, table=table, today=day
        )
        if base_facts is None
        # Found near what the scenario changed, from the base's report.
        else hl.health_report_after(
            base_health,
            base_facts,
            base_projection,
            facts,
            projection,
            max_streams_per_team=max_streams_per_team,
            table=table,
            today=day,
        )
    )
    needs, streams = describe_losses(base, scenario, lost, base_projection)
    comparison = ScenarioComparison(
        scenario=view,
        impact=(
            compare_impact(
                base,
                scenario,
                element,
                max_depth,
                overrides,
                {s.id for s in streams},
                base_impact,
                IMPACT_PAGE,
            )
            if element is not None
            else None
        ),
        losses=Losses(needs=needs, streams=streams, capabilities=cut),
        bottlenecks=None,
        ranking_pending=True,
        health=compare_health(base_health, health),
    )
    # The facts hold the streams each team serves (`served_directly`), found near the change.
    return FirstPart(comparison, projection, found.served)


def scenario_ranking(
    projection: Projection,
    served: dict[str, set[str]],
    config: bn.BottleneckConfig,
    table: PropagationTable,
    base: Projection | None = None,
) -> bn.Ranking:
    """The full bottleneck ranking of a side (a comparison shows the top of it; its rows
    are made for the rows shown); `base`: the projection a scenario's is derived from
    (what it kept serves the scenario's)."""
    return bn.ranking(projection, served, config=config, table=table, base=base)


def with_ranking(
    first: ScenarioComparison,
    base: bn.BottleneckReport | bn.Ranking,
    scenario: bn.BottleneckReport | bn.Ranking,
    limit: int,
) -> ScenarioComparison:
    """The first part completed with the bottleneck comparison: the whole answer."""
    return first.model_copy(
        update={
            "bottlenecks": compare_bottlenecks(base, scenario, limit),
            "ranking_pending": False,
        }
    )


def compare_impact(
    base: ModelGraph,
    scenario: ModelGraph,
    element: str,
    max_depth: int,
    overrides: dict[str, str] | list[str] | None,
    losing: set[str],
    base_impact: Callable[[str], im.ImpactWalk] | None = None,
    page: int | None = None,
) -> ImpactComparison:
    """`base_impact`: the base side's impact walk of an element id, when it is kept (the
    present model's: the same for every scenario and change compared on it). `page`: how
    long each list of either side's answer is at most (None: whole); the walks are kept
    with the comparison, to page on from (`ImpactComparison.walk_of`)."""
    # Named as the base knows it; an element only the scenario has is named as it knows it.
    try:
        origin = base.resolve(element)
    except UnknownElementError:
        origin = scenario.resolve(element)
    options = im.WalkOptions(max_depth, overrides=overrides)
    before = (
        None
        if origin.id not in base.nodes
        else base_impact(origin.id)
        if base_impact is not None
        else im.walk_impact(base, origin.id, options)
    )
    after = im.walk_impact(scenario, origin.id, options) if origin.id in scenario.nodes else None
    # Every stream either side reaches, with its path: what the deltas compare.
    old = {a.element.id: a for a in before.page_of("streams")} if before else {}
    new = {a.element.id: a for a in after.page_of("streams")} if after else {}
    deltas = []
    for sid in {*old, *new}:
        b, s = old.get(sid), new.get(sid)
        if b is None:
            change = StreamChange.ADDED
        elif s is None:
            # Gone from the scenario and not replaced for this stream: a loss, not relief.
            lost = after is None and sid in losing
            change = StreamChange.LOST if lost else StreamChange.REMOVED
        elif s.distance != b.distance:
            change = StreamChange.CLOSER if s.distance < b.distance else StreamChange.FURTHER
        else:
            change = StreamChange.SAME
        delta = StreamImpactDelta(
            element=(s or b).element,  # type: ignore[union-attr]
            base_distance=b.distance if b else None,
            scenario_distance=s.distance if s else None,
            change=change,
            base_path=b.path_text if b else "",
            scenario_path=s.path_text if s else "",
        )
        delta._steps = (b.path if b else [], s.path if s else [])
        deltas.append(delta)
    # In the order the explorer lists them (what changes first): its first page is what
    # the panel shows and the graph draws.
    deltas.sort(key=StreamImpactDelta.order)
    comparison = ImpactComparison(
        element=origin,
        in_base=before is not None,
        in_scenario=after is not None,
        base_stream_count=len(old),
        scenario_stream_count=len(new),
        base_affected_count=before.counts().affected if before else 0,
        scenario_affected_count=after.counts().affected if after else 0,
        streams=deltas,
        base=before.result(0, page) if before else None,
        scenario=after.result(0, page) if after else None,
    )
    if page is not None:
        comparison._walks = (before, after)
    return comparison


def _places(
    side: bn.BottleneckReport | bn.Ranking,
) -> tuple[Callable[[int], list[bn.Place]], Callable[[str], bn.Place | None]]:
    """A side's top places and where an element ranks, from a report's rows or a ranking."""
    if isinstance(side, bn.Ranking):
        return side.top, side.place
    rows = {
        b.element.id: bn.Place(b.element, b.rank, b.score, b.stream_count) for b in side.bottlenecks
    }
    return (lambda limit: [p for p in rows.values() if p.rank <= limit]), rows.get


def compare_bottlenecks(
    base: bn.BottleneckReport | bn.Ranking,
    scenario: bn.BottleneckReport | bn.Ranking,
    limit: int,
) -> BottleneckComparison:
    """The elements ranked within `limit` on either side (a ranking's other rows are
    looked up, not listed)."""
    base_top, base_place = _places(base)
    scenario_top, scenario_place = _places(scenario)
    shown = [p.element.id for p in base_top(limit)] + [p.element.id for p in scenario_top(limit)]
    rows = []
    for eid in dict.fromkeys(shown):
        b, s = base_place(eid), scenario_place(eid)
        if b is None:
            change = RankChange.ADDED
        elif s is None:
            change = RankChange.REMOVED
        elif s.rank != b.rank:
            change = RankChange.HIGHER if s.rank < b.rank else RankChange.LOWER
        else:
            change = RankChange.SAME
        rows.append(
            BottleneckDelta(
                element=(s or b).element,  # type: ignore[union-attr]
                change=change,
                base_rank=b.rank if b else None,
                scenario_rank=s.rank if s else None,
                rank_change=b.rank - s.rank if b and s else None,
                base_score=b.score if b else None,
                scenario_score=s.score if s else None,
                score_delta=round((s.score if s else 0.0) - (b.score if b else 0.0), 1),
                base_stream_count=b.stream_count if b else None,
                scenario_stream_count=s.stream_count if s else None,
            )
        )
    rows.sort(
        key=lambda r: (
            r.scenario_rank is None,
            r.scenario_rank if r.scenario_rank is not None else r.base_rank or 0,
        )
    )
    return BottleneckComparison(
        limit=limit,
        base_stream_total=base.stream_total,
        scenario_stream_total=scenario.stream_total,
        rows=rows,
        base_clusters=base.clusters,
        scenario_clusters=scenario.clusters,
        formula=base.formula,
    )


def compare_health(base: hl.HealthReport, scenario: hl.HealthReport) -> HealthComparison:
    def offending(check: hl.HealthCheck) -> dict[str, ElementRef]:
        return {f.element.id: f.element for f in check.findings}

    def ordered(refs: list[ElementRef]) -> list[ElementRef]:
        return sorted(refs, key=lambda r: (r.name, r.id))

    checks = []
    for b, s in zip(base.checks, scenario.checks, strict=True):
        old, new = offending(b), offending(s)
        checks.append(
            HealthCheckDelta(
                id=b.id,
                title=s.title,
                unit=s.unit,
                base_score=b.score,
                scenario_score=s.score,
                score_delta=hl.score_delta(b.score, s.score),
                base_offending=b.offending,
                scenario_offending=s.offending,
                resolved=ordered([r for i, r in old.items() if i not in new]),
                introduced=ordered([r for i, r in new.items() if i not in old]),
            )
        )
    return HealthComparison(
        base_score=base.score,
        scenario_score=scenario.score,
        score_delta=hl.score_delta(base.score, scenario.score),
        checks=checks,
    )
