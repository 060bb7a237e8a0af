"""REST routes for the questions: impact, depends-on, path, bottlenecks, health, and
what-if scenarios.

Elements are named by id or exact name. An unknown name answers 404 and an ambiguous one
422, both with `detail.candidates`; bad parameters (depth, overrides) answer 422. A
scenario operation that cannot apply answers 422 with `detail.operation` (its position)
and `detail.candidates`; an unknown scenario 404; a name taken, or a scenario applied
already, 409. Scenario writes are POST and DELETE, so the router-wide rule makes them
editor-only; applying one to the base model needs the admin role.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Body, Depends, Path, Query, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from app.auth import AdminDep, PrincipalDep
from app.core.limits import ADVICE
from app.deps import GateDep, LiveDep, SettingsDep, StoreDep, WarmerDep
from app.rest.paging import cap_limit
from app.rest.rendered import json_answer
from queries import bottlenecks as bn
from queries import health as hl
from queries import impact as im
from queries import live as lv
from queries import over_time as ot
from queries import scenarios as sc
from queries.moment import Moment, parse_instant
from queries.propagation import propagation_table
from queries.scenarios.operations import MAX_OPERATIONS, Operation

router = APIRouter(tags=["questions"])
T = TypeVar("T")

Depth = Annotated[
    int, Query(ge=1, le=im.MAX_DEPTH_LIMIT, description="How many hops to follow at most.")
]
RelTypes = Annotated[
    list[str] | None,
    Query(description="Only these relationship types carry the change (repeatable)."),
]
Overrides = Annotated[
    list[str] | None,
    Query(
        description="Propagation overrides as KEY=flow, e.g. USES=none or "
        "RELATED_TO:association=both (repeatable)."
    ),
]


# The parameters of bottlenecks, health and scenario comparisons, declared once for these
# routes and for their reports (app.rest.reports).
RankLimit = Annotated[int, Query(ge=1, le=1000)]
Horizon = Annotated[int, Query(ge=1, le=im.MAX_DEPTH_LIMIT)]
MaxStreamsPerTeam = Annotated[int, Query(ge=1)]
Today = Annotated[
    date | None,
    Query(description="The day lifecycle dates are read against (YYYY-MM-DD); default today."),
]
AsOf = Annotated[
    str | None,
    Query(
        description="Ask of the model as valuegraph knew it then, from the change history: "
        "YYYY-MM-DD (its midnight, UTC) or an ISO date and time."
    ),
]
At = Annotated[
    str | None,
    Query(
        description="Ask of the model as it is planned to be on this day (YYYY-MM-DD) by its "
        "lifecycle dates: what is not yet phased in, or past its end of life, is left out."
    ),
]


async def moment(as_of: AsOf = None, at: At = None) -> Moment:
    """The moment a question is asked of (422 for a date that is not one); async, as the
    dependencies of `app.deps` are: parsing two dates needs no worker thread."""
    return Moment.of(as_of, at)


When = Annotated[Moment, Depends(moment)]

ImpactOf = Annotated[
    str | None, Query(min_length=1, max_length=500, description="Impact of this element.")
]


async def walk_options(
    max_depth: Depth = im.DEFAULT_MAX_DEPTH,
    rel_type: RelTypes = None,
    propagation: Overrides = None,
) -> im.WalkOptions:
    """The walk options of a request, checked once (422 when a type or override is bad)."""
    return im.WalkOptions(max_depth, rel_types=rel_type, overrides=propagation)


Walk = Annotated[im.WalkOptions, Depends(walk_options)]


async def list_page(
    settings: SettingsDep,
    limit: Annotated[
        int | None,
        Query(ge=1, description="Longest each list may be [default and most: the page size]."),
    ] = None,
    offset: Annotated[int, Query(ge=0, description="Skip this many of each list.")] = 0,
) -> tuple[int, int]:
    """(offset, page size) for an answer made of several lists, each paged alike."""
    return offset, settings.max_page_size if limit is None else cap_limit(limit, settings)


# A dependency of its own so its parameters follow the walk's in the OpenAPI document.
ListPage = Annotated[tuple[int, int], Depends(list_page)]


@router.get("/api/impact/{element:path}", response_model=im.ImpactResult)
def impact(
    gate: GateDep,
    live: LiveDep,
    store: StoreDep,
    element: str,
    walk: Walk,
    page: ListPage,
    when: When,
) -> Response:
    """What a change to the element affects: streams, capabilities, platforms, data assets,
    each with hop distance and a shortest explaining path, and who to notify. Each list is
    a page (`counts` has the totals)."""
    offset, page_size = page
    if not when.present:
        return json_answer(
            gate.run(ADVICE["walk"], ot.impact_page, store, when, element, walk, offset, page_size)
        )
    with gate.admit(ADVICE["walk"]):
        walked = lv.walk_impact(live.reader(), element, walk)
        return json_answer(walked.result(offset, page_size))


@router.get("/api/depends-on/{element:path}", response_model=im.DependsOnResult)
def depends_on(
    gate: GateDep,
    live: LiveDep,
    store: StoreDep,
    element: str,
    walk: Walk,
    page: ListPage,
    when: When,
) -> Response:
    """What the element depends on: everything a change to which would affect it, nearest
    first, each with hop distance and a shortest explaining path. `dependencies` is a page
    (`total` counts them all)."""
    offset, page_size = page
    if not when.present:
        return json_answer(
            gate.run(
                ADVICE["walk"], ot.dependencies_page, store, when, element, walk, offset, page_size
            )
        )
    with gate.admit(ADVICE["walk"]):
        walked = im.walk_dependencies(live.reader(), element, walk)
        return json_answer(walked.result(offset, page_size))


@router.get("/api/path", response_model=im.PathResult)
def path(
    gate: GateDep,
    live: LiveDep,
    source: Annotated[str, Query(min_length=1, max_length=500)],
    target: Annotated[str, Query(min_length=1, max_length=500)],
    walk: Walk,
    store: StoreDep,
    when: When,
) -> Response:
    """A shortest path along which a change to source reaches target (or target, source)."""
    if not when.present:
        return json_answer(
            gate.run(ADVICE["walk"], ot.dependency_path, store, when, source, target, walk)
        )
    with gate.admit(ADVICE["walk"]):
        return json_answer(im.dependency_path(live.reader(), source, target, walk))


@router.get("/api/bottlenecks", response_model=bn.BottleneckReport)
def bottlenecks(
    gate: GateDep,
    store: StoreDep,
    when: When,
    limit: RankLimit = 20,
    seed: int = bn.DEFAULT_SEED,
    horizon: Horizon = 2,
    propagation: Overrides = None,
) -> Response:
    """Teams and platforms ranked by coordination load, and the stream clusters they bind."""
    config = bn.BottleneckConfig(seed=seed, horizon=horizon)
    if when.present:
        report = gate.ask(
            ADVICE["bottlenecks"],
            bn.bottlenecks,
            store,
            limit=limit,
            config=config,
            overrides=propagation,
        )
        return json_answer(report, kept=True)
    return json_answer(
        gate.run(
            ADVICE["bottlenecks"],
            ot.bottlenecks,
            store,
            when,
            limit=limit,
            config=config,
            overrides=propagation,
        )
    )


@router.get(
    "/api/health-report",
    response_model=hl.HealthReport,
    responses={200: {"content": {"text/markdown": {}}}},
)
def health_report(
    gate: GateDep,
    store: StoreDep,
    when: When,
    max_streams_per_team: MaxStreamsPerTeam = hl.DEFAULT_MAX_STREAMS_PER_TEAM,
    format: Literal["json", "markdown"] = "json",
    propagation: Overrides = None,
    today: Today = None,
) -> Any:
    """Operating-model health checks with offending elements; `format=markdown` for text."""
    if when.present:
        report = gate.ask(
            ADVICE["health"],
            hl.health,
            store,
            max_streams_per_team=max_streams_per_team,
            overrides=propagation,
            today=today,
        )
    else:
        report = gate.run(
            ADVICE["health"],
            ot.health,
            store,
            when,
            max_streams_per_team=max_streams_per_team,
            overrides=propagation,
            today=today,
        )
    if format == "markdown":
        return PlainTextResponse(hl.health_markdown(report), media_type="text/markdown")
    return json_answer(report, kept=when.present)


Every = Annotated[ot.Every, Query(description="One point per day, week or month.")]
Since = Annotated[date, Query(description="The first date of the series (YYYY-MM-DD).")]
Until = Annotated[
    date | None,
    Query(
        description="The last date of the series at most; default today. Dates after now "
        "are the planned model on that day by lifecycle dates."
    ),
]


@router.get("/api/health/trend", response_model=ot.HealthTrend)
def health_trend(
    gate: GateDep,
    store: StoreDep,
    since: Since,
    every: Every = ot.Every.MONTH,
    until: Until = None,
    max_streams_per_team: MaxStreamsPerTeam = hl.DEFAULT_MAX_STREAMS_PER_TEAM,
    propagation: Overrides = None,
) -> Response:
    """Health at the start (00:00 UTC) of each date of a series, from the change history;
    dates after now: the planned model on that day by lifecycle dates (`planned`)."""
    return json_answer(
        gate.run(
            ADVICE["health"],
            ot.health_trend,
            store,
            since=since,
            until=until,
            every=every,
            max_streams_per_team=max_streams_per_team,
            overrides=propagation,
        )
    )


@router.get("/api/bottlenecks/trend", response_model=ot.BottleneckTrend)
def bottleneck_trend(
    gate: GateDep,
    store: StoreDep,
    since: Since,
    every: Every = ot.Every.MONTH,
    until: Until = None,
    limit: RankLimit = 10,
    seed: int = bn.DEFAULT_SEED,
    horizon: Horizon = 2,
    propagation: Overrides = None,
) -> Response:
    """The top of the bottleneck ranking at the start of each date of a series; dates after
    now: the planned model on that day by lifecycle dates (`planned`)."""
    return json_answer(
        gate.run(
            ADVICE["bottlenecks"],
            ot.bottleneck_trend,
            store,
            since=since,
            until=until,
            every=every,
            limit=limit,
            config=bn.BottleneckConfig(seed=seed, horizon=horizon),
            overrides=propagation,
        )
    )


@router.get("/api/diff", response_model=ot.MomentDiff)
def diff(
    gate: GateDep,
    store: StoreDep,
    from_: Annotated[
        str,
        Query(
            alias="from",
            description="The earlier moment: YYYY-MM-DD (its midnight, UTC) or an ISO time.",
        ),
    ],
    to: Annotated[str | None, Query(description="The later moment; default now.")] = None,
    element: ImpactOf = None,
    limit: RankLimit = 20,
    max_depth: Depth = im.DEFAULT_MAX_DEPTH,
    propagation: Overrides = None,
) -> Response:
    """What changed between two moments, by type, and what it did to the questions: health
    findings resolved and introduced, bottleneck ranks, and the streams `element` reaches."""
    start = parse_instant(from_, "from")
    end = parse_instant(to, "to") if to else None
    return json_answer(
        gate.run(
            ADVICE["health"],
            ot.diff,
            store,
            start,
            end,
            element=element,
            limit=limit,
            max_depth=max_depth,
            overrides=propagation,
        )
    )


@router.get("/api/propagation")
def propagation() -> list[dict[str, str]]:
    """The propagation table in force: defaults plus VALUEGRAPH_PROPAGATION."""
    return propagation_table().as_list()


# -- what-if scenarios -----------------------------------------------------------------------

ScenarioName = Annotated[str, Path(pattern=sc.NAME_PATTERN, description="The scenario's name.")]


class ScenarioIn(BaseModel):
    """A new scenario: a name, what it is for, and optionally its first operations."""

    name: str = Field(pattern=sc.NAME_PATTERN, description="Letters, digits, ' ', '.', '_', '-'.")
    description: str = Field(default="", max_length=20_000)
    operations: list[Operation] = Field(default_factory=list, max_length=MAX_OPERATIONS)
    effective_date: date | None = Field(
        default=None, description="The day it is due to take effect: a step of the roadmap."
    )


class ScenarioUpdate(BaseModel):
    """What to change of a scenario; a field left out stays, `effective_date: null` removes
    the date (the scenario leaves the roadmap)."""

    description: str | None = Field(default=None, max_length=20_000)
    effective_date: date | None = None


@router.get("/api/scenarios", response_model=list[sc.ScenarioSummary], tags=["scenarios"])
def list_scenarios(store: StoreDep) -> list[sc.ScenarioSummary]:
    """What-if scenarios, oldest first."""
    return sc.list_scenarios(store)


@router.post("/api/scenarios", response_model=sc.ScenarioView, status_code=201, tags=["scenarios"])
def create_scenario(
    gate: GateDep, store: StoreDep, principal: PrincipalDep, body: ScenarioIn
) -> sc.ScenarioView:
    """Create a scenario; its operations are checked against the base model, not applied."""
    return gate.run(
        ADVICE["scenario"],
        sc.create_scenario,
        store,
        name=body.name,
        description=body.description,
        operations=body.operations,
        actor=principal.name,
        effective_date=body.effective_date,
    )


@router.get("/api/scenarios/{name}", response_model=sc.ScenarioView, tags=["scenarios"])
def get_scenario(gate: GateDep, store: StoreDep, name: ScenarioName) -> sc.ScenarioView:
    """A scenario with its operations described against the current base model."""
    return gate.run(ADVICE["scenario"], sc.get_scenario, store, name)


@router.patch("/api/scenarios/{name}", response_model=sc.ScenarioView, tags=["scenarios"])
def update_scenario(store: StoreDep, name: ScenarioName, body: ScenarioUpdate) -> sc.ScenarioView:
    """Change an open scenario's description or effective date."""
    return sc.update_scenario(
        store,
        name,
        description=body.description,
        effective_date=body.effective_date,
        clear_effective_date="effective_date" in body.model_fields_set
        and body.effective_date is None,
    )


@router.post("/api/scenarios/{name}/operations", response_model=sc.ScenarioView, tags=["scenarios"])
def add_scenario_operation(
    gate: GateDep,
    store: StoreDep,
    principal: PrincipalDep,
    name: ScenarioName,
    operation: Annotated[Operation, Body()],
) -> sc.ScenarioView:
    """Append an operation, after checking it applies on top of the earlier ones."""
    return gate.run(
        ADVICE["scenario"], sc.add_operation, store, name, operation, actor=principal.name
    )


@router.delete("/api/scenarios/{name}", status_code=204, tags=["scenarios"])
def discard_scenario(store: StoreDep, name: ScenarioName) -> Response:
    """Delete a scenario; the base model is not touched."""
    sc.discard_scenario(store, name)
    return Response(status_code=204)


@router.get(
    "/api/scenarios/{name}/compare", response_model=sc.ScenarioComparison, tags=["scenarios"]
)
def compare_scenario(
    gate: GateDep,
    store: StoreDep,
    name: ScenarioName,
    element: ImpactOf = None,
    max_depth: Depth = im.DEFAULT_MAX_DEPTH,
    limit: RankLimit = 20,
    max_streams_per_team: MaxStreamsPerTeam = hl.DEFAULT_MAX_STREAMS_PER_TEAM,
    propagation: Overrides = None,
    wait: Annotated[
        bool,
        Query(
            description="false: answer without the bottleneck comparison while the "
            "scenario's ranking is not computed yet (`ranking_pending`); ask again with "
            "true (the default) for the whole answer."
        ),
    ] = True,
) -> Response:
    """Impact (of `element`), bottlenecks and health: base and scenario side by side."""
    comparison = gate.ask(
        ADVICE["scenario"],
        sc.compare_scenario,
        store,
        name,
        element=element,
        max_depth=max_depth,
        limit=limit,
        max_streams_per_team=max_streams_per_team,
        overrides=propagation,
        wait=wait,
    )
    return json_answer(comparison, kept=True)


@router.post("/api/scenarios/{name}/apply", response_model=sc.ApplyResult, tags=["scenarios"])
def apply_scenario(
    gate: GateDep, store: StoreDep, admin: AdminDep, name: ScenarioName
) -> sc.ApplyResult:
    """Apply the scenario to the base model in one transaction (admin only)."""
    return gate.run(ADVICE["scenario"], sc.apply_scenario, store, name, actor=admin.name)


@router.get("/api/impact-index")
def impact_index(live: LiveDep) -> dict[str, Any]:
    """The in-memory walk index the impact questions use when it is current: the model
    revision it holds, its size, whether a rebuild is running, why the last one failed."""
    return dataclasses.asdict(live.status())


@router.get("/api/warm-answers")
def warm_answers(warm: WarmerDep, store: StoreDep) -> dict[str, Any]:
    """The answers computed in the background before they are asked (the present model,
    the health report, the default bottleneck ranking): `state` is `ready` when those of
    the model's present `revision` are kept, `warming` while they are computed, `waiting`
    before (the walk index's first build, seconds of quiet after a change), `off` when
    VALUEGRAPH_WARM_ANSWERS is 0; with the time from start-up to the first ready."""
    return dataclasses.asdict(warm.status(store.revision()))
