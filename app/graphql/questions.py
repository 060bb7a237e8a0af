"""GraphQL fields for the questions: mixed into Query and Mutation by app.graphql.schema.

The answer types (`app.graphql.answers`) are derived from the answers of `queries.*`; the
resolvers only resolve arguments and call the query functions off the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import strawberry
from graphql import GraphQLError

from app.core.limits import ADVICE
from app.core.walk import parameter, takes_walk
from app.graphql.answers import (
    ApplyScenarioResult,
    BottleneckAnswer,
    BottleneckTrend,
    DependedOnAnswer,
    DependsOnAnswer,
    HealthAnswer,
    HealthTrend,
    ImpactAnswer,
    MomentDiff,
    PathAnswer,
    PropagationRule,
    Scenario,
    ScenarioComparison,
    ScenarioSummary,
    served,
)
from app.graphql.context import Info, check_limit
from app.graphql.inputs import (
    PropagationOverride,
    ScenarioOperationInput,
    operation_of,
    overrides_of,
)
from graph.lifecycle import parse_day as parse_today
from graph.tokens import Role
from queries import bottlenecks as bn
from queries import depended_on as do
from queries import health as hl
from queries import impact as im
from queries import live
from queries import over_time as ot
from queries import scenarios as sc
from queries.moment import Moment, parse_day, parse_instant
from queries.propagation import propagation_table

T = TypeVar("T")


_KINDS: dict[Callable[..., Any], str] = {
    bn.bottlenecks: "bottlenecks",
    hl.health: "health",
    ot.walk_impact: "walk",
    ot.walk_dependencies: "walk",
    ot.dependency_path: "walk",
    ot.bottlenecks: "bottlenecks",
    ot.bottleneck_trend: "bottlenecks",
    ot.health: "health",
    ot.health_trend: "health",
    ot.diff: "health",
}

AsOf = Annotated[
    str | None,
    strawberry.argument(
        description="Ask of the model as valuegraph knew it then, from the change history: "
        "YYYY-MM-DD (its midnight, UTC) or an ISO date and time."
    ),
]
At = Annotated[
    str | None,
    strawberry.argument(
        description="Ask of the model as it is planned to be on this day (YYYY-MM-DD) by its "
        "lifecycle dates: what is not yet phased in, or past its end of life, is left out."
    ),
]


# The walk arguments of impact, dependsOn and dependencyPath, declared once.
walk_arguments = takes_walk(
    [
        parameter("max_depth", int, im.DEFAULT_MAX_DEPTH),
        parameter("relationship_types", list[str] | None, None),
        parameter("propagation", list[PropagationOverride] | None, None),
    ],
    lambda max_depth, relationship_types, propagation: im.WalkOptions(
        max_depth, rel_types=relationship_types, overrides=overrides_of(propagation)
    ),
)


async def _ask(
    info: Info, fn: Callable[..., T], *args: Any, walks: bool = False, **kwargs: Any
) -> T:
    """Run a question off the event loop, admitted and timed like over REST (app.core.limits);
    app.graphql.errors turns its failures into coded errors from the shared table.

    `walks`: the question is an impact walk, asked of the live walk index when it is
    current (queries.live) rather than of the store.
    """
    context = info.context
    advice = ADVICE["walk" if walks else _KINDS.get(fn, "scenario")]

    def ask() -> T:
        asked = context.live.reader() if walks else context.store
        # Inside an operation that holds a slot already, asking for another would wait on
        # itself; its time limit is the operation's.
        if context.admitted:
            return context.gate.compute(fn, asked, *args, **kwargs)
        return context.gate.ask(advice, fn, asked, *args, **kwargs)

    result: T = await context.run(ask)
    return result


# The same admission for the other resolver modules' questions (app.graphql.trends).
run_question = _ask


@strawberry.type
class QuestionsQuery:
    @strawberry.field(
        description="Change impact: every value stream (and capability, platform, data asset) "
        "a change to the element affects, with hop distance, a shortest explaining path, "
        "and the teams and people to notify. Elements are named by id or exact name."
    )
    @walk_arguments
    async def impact(
        self,
        info: Info,
        element: str,
        walk: im.WalkOptions,
        as_of: AsOf = None,
        at: At = None,
    ) -> ImpactAnswer:
        when = Moment.of(as_of, at)
        if when.present:
            walked = await _ask(info, live.walk_impact, element, walk, walks=True)
        else:
            walked = await _ask(info, ot.walk_impact, when, element, walk)
        return ImpactAnswer.from_walk(walked)

    @strawberry.field(
        description="What the element depends on: everything a change to which would affect "
        "it, nearest first, in pages (`dependencies(limit:, offset:)`, `total`)."
    )
    @walk_arguments
    async def depends_on(
        self,
        info: Info,
        element: str,
        walk: im.WalkOptions,
        as_of: AsOf = None,
        at: At = None,
    ) -> DependsOnAnswer:
        when = Moment.of(as_of, at)
        if when.present:
            walked = await _ask(info, im.walk_dependencies, element, walk, walks=True)
        else:
            walked = await _ask(info, ot.walk_dependencies, when, element, walk)
        return DependsOnAnswer.from_walk(walked)

    @strawberry.field(
        description="A shortest path along which a change to source reaches target "
        "(or, failing that, target reaches source)."
    )
    @walk_arguments
    async def dependency_path(
        self,
        info: Info,
        source: str,
        target: str,
        walk: im.WalkOptions,
        as_of: AsOf = None,
        at: At = None,
    ) -> PathAnswer:
        when = Moment.of(as_of, at)
        if when.present:
            result = await _ask(info, im.dependency_path, source, target, walk, walks=True)
        else:
            result = await _ask(info, ot.dependency_path, when, source, target, walk)
        return served(PathAnswer, result)

    @strawberry.field(
        description="Teams and platforms ranked by coordination load, and the clusters of "
        "value streams they bind. " + bn.SCORE_FORMULA
    )
    async def bottlenecks(
        self,
        info: Info,
        limit: int = 20,
        seed: int = bn.DEFAULT_SEED,
        horizon: int = 2,
        propagation: list[PropagationOverride] | None = None,
        as_of: AsOf = None,
        at: At = None,
    ) -> BottleneckAnswer:
        config = bn.BottleneckConfig(seed=seed, horizon=horizon)
        overrides = overrides_of(propagation)
        when = Moment.of(as_of, at)
        if when.present:
            result = await _ask(
                info, bn.bottlenecks, limit=limit, config=config, overrides=overrides
            )
        else:
            result = await _ask(
                info, ot.bottlenecks, when, limit=limit, config=config, overrides=overrides
            )
        return served(BottleneckAnswer, result)

    @strawberry.field(
        description="The elements others need most directly (REQUIRES, USES, DEPENDS_ON, "
        "READS), with their owning teams and accountable people."
    )
    async def most_depended_on(self, info: Info, limit: int = 10) -> DependedOnAnswer:
        check_limit(info, limit)
        result = await info.context.run(do.most_depended_on, info.context.store, limit)
        return served(DependedOnAnswer, result)

    @strawberry.field(description="Operating-model health checks, each with offending elements.")
    async def health_report(
        self,
        info: Info,
        max_streams_per_team: int = hl.DEFAULT_MAX_STREAMS_PER_TEAM,
        propagation: list[PropagationOverride] | None = None,
        today: Annotated[
            str | None,
            strawberry.argument(
                description="The day lifecycle dates are read against (YYYY-MM-DD); default today."
            ),
        ] = None,
        as_of: AsOf = None,
        at: At = None,
    ) -> HealthAnswer:
        when = Moment.of(as_of, at)
        asked: dict[str, Any] = {
            "max_streams_per_team": max_streams_per_team,
            "overrides": overrides_of(propagation),
            "today": parse_today(today) if today is not None else None,
        }
        if when.present:
            result = await _ask(info, hl.health, **asked)
        else:
            result = await _ask(info, ot.health, when, **asked)
        return HealthAnswer.from_report(result)

    @strawberry.field(
        description="Health at the start (00:00 UTC) of each date of a series (at most "
        f"{ot.MAX_POINTS}), from the change history; dates after now are the planned model "
        "on that day by lifecycle dates (`planned`)."
    )
    async def health_trend(
        self,
        info: Info,
        since: str,
        every: ot.Every = ot.Every.MONTH,
        until: str | None = None,
        max_streams_per_team: int = hl.DEFAULT_MAX_STREAMS_PER_TEAM,
        propagation: list[PropagationOverride] | None = None,
    ) -> HealthTrend:
        result = await _ask(
            info,
            ot.health_trend,
            since=parse_day(since, "since"),
            until=parse_day(until, "until") if until else None,
            every=every,
            max_streams_per_team=max_streams_per_team,
            overrides=overrides_of(propagation),
        )
        return served(HealthTrend, result)

    @strawberry.field(
        description="The top `limit` of the bottleneck ranking at the start (00:00 UTC) of "
        f"each date of a series (at most {ot.MAX_POINTS}), from the change history; dates "
        "after now are the planned model on that day by lifecycle dates (`planned`)."
    )
    async def bottleneck_trend(
        self,
        info: Info,
        since: str,
        every: ot.Every = ot.Every.MONTH,
        until: str | None = None,
        limit: int = 10,
        seed: int = bn.DEFAULT_SEED,
        horizon: int = 2,
        propagation: list[PropagationOverride] | None = None,
    ) -> BottleneckTrend:
        result = await _ask(
            info,
            ot.bottleneck_trend,
            since=parse_day(since, "since"),
            until=parse_day(until, "until") if until else None,
            every=every,
            limit=limit,
            config=bn.BottleneckConfig(seed=seed, horizon=horizon),
            overrides=overrides_of(propagation),
        )
        return served(BottleneckTrend, result)

    @strawberry.field(
        description="What changed between two moments (YYYY-MM-DD or ISO times; `to` "
        "defaults to now), by type, and what it did to health, the bottleneck ranking and "
        "the streams `element` reaches."
    )
    async def diff(
        self,
        info: Info,
        from_: Annotated[str, strawberry.argument(name="from")],
        to: str | None = None,
        element: str | None = None,
        limit: int = 20,
        max_depth: int = im.DEFAULT_MAX_DEPTH,
        propagation: list[PropagationOverride] | None = None,
    ) -> MomentDiff:
        result = await _ask(
            info,
            ot.diff,
            parse_instant(from_, "from"),
            parse_instant(to, "to") if to else None,
            element=element,
            limit=limit,
            max_depth=max_depth,
            overrides=overrides_of(propagation),
        )
        return served(MomentDiff, result)

    @strawberry.field(description="The propagation table in force (defaults and configuration).")
    def propagation_table(self) -> list[PropagationRule]:
        return PropagationRule.many(propagation_table().as_list())

    @strawberry.field(description="What-if scenarios, oldest first.")
    async def scenarios(self, info: Info) -> list[ScenarioSummary]:
        found = await _ask(info, sc.list_scenarios)
        return [served(ScenarioSummary, s) for s in found]

    @strawberry.field(
        description="A scenario with its operations described against the base model, or null."
    )
    async def scenario(self, info: Info, name: str) -> Scenario | None:
        try:
            view = await _ask(info, sc.get_scenario, name)
        except sc.ScenarioNotFoundError:
            return None
        return served(Scenario, view)

    @strawberry.field(
        description="The scenario against the base model, side by side: the impact of "
        "`element` (when given), the bottleneck ranking (rows ranked within `limit` on "
        "either side) and the health checks, with their differences. Writes nothing."
    )
    async def compare_scenario(
        self,
        info: Info,
        name: str,
        element: str | None = None,
        max_depth: int = im.DEFAULT_MAX_DEPTH,
        limit: int = 20,
        max_streams_per_team: int = hl.DEFAULT_MAX_STREAMS_PER_TEAM,
        propagation: list[PropagationOverride] | None = None,
        wait: Annotated[
            bool,
            strawberry.argument(
                description="false: answer without the bottleneck comparison while the "
                "scenario's ranking is not computed yet (`rankingPending`); ask again with "
                "true (the default) for the whole answer."
            ),
        ] = True,
    ) -> ScenarioComparison:
        result = await _ask(
            info,
            sc.compare_scenario,
            name,
            element=element,
            max_depth=max_depth,
            limit=limit,
            max_streams_per_team=max_streams_per_team,
            overrides=overrides_of(propagation),
            wait=wait,
        )
        return served(ScenarioComparison, result)


@strawberry.type
class QuestionsMutation:
    @strawberry.mutation(
        description="Create a what-if scenario, optionally with operations (checked against "
        "the base model, which is not changed)."
    )
    async def create_scenario(
        self,
        info: Info,
        name: str,
        description: str = "",
        operations: list[ScenarioOperationInput] | None = None,
        effective_date: Annotated[
            str | None,
            strawberry.argument(
                description="The day it is due to take effect (YYYY-MM-DD): a roadmap step."
            ),
        ] = None,
    ) -> Scenario:
        ops = [operation_of(o) for o in operations or []]
        view = await _ask(
            info,
            sc.create_scenario,
            name=name,
            description=description,
            operations=ops,
            actor=info.context.principal.name,
            effective_date=effective_date,
        )
        return served(Scenario, view)

    @strawberry.mutation(
        description="Append an operation to a scenario, after checking it applies on top "
        "of the earlier ones."
    )
    async def add_scenario_operation(
        self, info: Info, name: str, operation: ScenarioOperationInput
    ) -> Scenario:
        view = await _ask(
            info, sc.add_operation, name, operation_of(operation), actor=info.context.principal.name
        )
        return served(Scenario, view)

    @strawberry.mutation(description="Delete a scenario; the base model is not touched.")
    async def discard_scenario(self, info: Info, name: str) -> bool:
        await _ask(info, sc.discard_scenario, name)
        return True

    @strawberry.mutation(
        description="Apply a scenario to the base model in one transaction (admin only)."
    )
    async def apply_scenario(self, info: Info, name: str) -> ApplyScenarioResult:
        role = info.context.principal.role
        if role < Role.ADMIN:
            raise GraphQLError(
                "applying a scenario changes the base model: it needs the admin role; "
                f"your token has {role.label}",
                extensions={"reason": "forbidden"},
            )
        result = await _ask(info, sc.apply_scenario, name, actor=info.context.principal.name)
        return served(ApplyScenarioResult, result)
