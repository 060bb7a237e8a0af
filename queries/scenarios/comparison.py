"""Comparing a scenario with the base model: impact, bottlenecks and health, side by side.

The base model is loaded into memory (`queries.model_graph`), the operations are applied
to a copy, and base and copy are asked the same questions by the same code. The
`compare_*` helpers compare any two answers of the same question: `queries.over_time`
diffs two moments with them.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from graph.labels import PLATFORM, TEAM
from graph.lifecycle import today as today_utc
from graph.store import GraphStore
from queries import bottlenecks as bn
from queries import health as hl
from queries import impact as im
from queries.model_graph import ModelGraph
from queries.propagation import propagation_table
from queries.resolve import ElementRef, UnknownElementError
from queries.scenarios.losses import describe_losses, lost_needs
from queries.scenarios.models import (
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
from queries.scenarios.storage import open_record

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
) -> ScenarioComparison:
    """Impact (of `element`, when given), bottlenecks and health: base and scenario
    (lifecycle dates read against `today`, default today UTC)."""
    im.check_depth(max_depth)
    config = bn.checked(limit, config)
    hl.check_threshold(max_streams_per_team)
    record = open_record(store, name)
    base = ModelGraph.load(store)
    scenario, views, _ = replay(base, record.operations)
    return compare_models(
        base,
        scenario,
        view=ScenarioView(**record.summary().model_dump(), operations=views),
        element=element,
        max_depth=max_depth,
        limit=limit,
        max_streams_per_team=max_streams_per_team,
        config=config,
        overrides=overrides,
        today=today,
    )


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
) -> ScenarioComparison:
    table = propagation_table(overrides)
    lost = lost_needs(base, scenario)
    day = today or today_utc()  # one day for both sides
    sides = []
    for model in (base, scenario):
        projection = model.projection(table)
        candidates = len(projection.of_type(TEAM)) + len(projection.of_type(PLATFORM))
        ranking = bn.bottleneck_report(
            projection,
            model.served_directly(),
            limit=max(1, candidates),
            config=config,
            table=table,
        )
        facts = model.health_facts()
        if model is scenario:
            facts = dataclasses.replace(facts, lost_needs=frozenset((s, t) for s, _, t in lost))
        report = hl.health_report(
            facts,
            projection,
            max_streams_per_team=max_streams_per_team,
            table=table,
            today=day,
        )
        sides.append((ranking, report, projection, facts))
    (base_rank, base_health, base_projection, _), (scen_rank, scen_health, scen_proj, facts) = sides
    needs, streams = describe_losses(base, scenario, lost, base_projection)
    return ScenarioComparison(
        scenario=view,
        impact=(
            compare_impact(base, scenario, element, max_depth, overrides, {s.id for s in streams})
            if element is not None
            else None
        ),
        losses=Losses(
            needs=needs, streams=streams, capabilities=hl.capabilities_cut(facts, scen_proj)
        ),
        bottlenecks=compare_bottlenecks(base_rank, scen_rank, limit),
        health=compare_health(base_health, scen_health),
    )


def compare_impact(
    base: ModelGraph,
    scenario: ModelGraph,
    element: str,
    max_depth: int,
    overrides: dict[str, str] | list[str] | None,
    losing: set[str],
) -> ImpactComparison:
    # Named as the base knows it; an element only the scenario has is named as it knows it.
    try:
        origin = base.resolve(element)
    except UnknownElementError:
        origin = scenario.resolve(element)
    results = [
        im.impact(model, origin.id, im.WalkOptions(max_depth, overrides=overrides))
        if origin.id in model.nodes
        else None
        for model in (base, scenario)
    ]
    before, after = results
    old = {a.element.id: a for a in before.streams} if before else {}
    new = {a.element.id: a for a in after.streams} if after else {}
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
        deltas.append(
            StreamImpactDelta(
                element=(s or b).element,  # type: ignore[union-attr]
                base_distance=b.distance if b else None,
                scenario_distance=s.distance if s else None,
                change=change,
                base_path=b.path_text if b else "",
                scenario_path=s.path_text if s else "",
            )
        )
    deltas.sort(
        key=lambda d: (
            min(x for x in (d.base_distance, d.scenario_distance) if x is not None),
            d.element.name.lower(),
            d.element.id,
        )
    )
    return ImpactComparison(
        element=origin,
        in_base=before is not None,
        in_scenario=after is not None,
        base_stream_count=len(old),
        scenario_stream_count=len(new),
        base_affected_count=len(before.affected) if before else 0,
        scenario_affected_count=len(after.affected) if after else 0,
        streams=deltas,
        base=before,
        scenario=after,
    )


def compare_bottlenecks(
    base: bn.BottleneckReport, scenario: bn.BottleneckReport, limit: int
) -> BottleneckComparison:
    old = {b.element.id: b for b in base.bottlenecks}
    new = {b.element.id: b for b in scenario.bottlenecks}
    rows = []
    for eid in {*old, *new}:
        b, s = old.get(eid), new.get(eid)
        if not ((b and b.rank <= limit) or (s and s.rank <= limit)):
            continue
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
