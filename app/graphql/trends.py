"""GraphQL fields for the model over time, mixed into Query and Mutation by
app.graphql.schema: `streamMeasures(stream:)` and `streamInvestment(stream:)` (a value
stream's measures over time, and its funding beside them), `roadmap(...)` (the plateaus),
and `updateScenario` (a scenario's description and effective date). Types are derived from
the answers of `queries.measures`, `queries.investment` and `queries.roadmap`; the
resolvers call them as REST and the CLI do."""

from __future__ import annotations

import strawberry
from strawberry.experimental.pydantic import type as pydantic_type

# BottleneckDelta, HealthComparison and ImpactCounts are imported for the derivation of
# RoadmapStep, which looks up the types of its nested models (made in app.graphql.answers).
from app.graphql.answers import (
    BottleneckDelta,
    HealthComparison,
    ImpactCounts,
    Scenario,
    served,
)
from app.graphql.context import Info
from app.graphql.inputs import PropagationOverride, overrides_of
from app.graphql.questions import run_question
from queries import health as hl
from queries import impact as im
from queries import investment as iv
from queries import measures as ms
from queries import roadmap as rm
from queries import scenarios as sc

__all__ = ["BottleneckDelta", "HealthComparison", "ImpactCounts", "TrendsMutation", "TrendsQuery"]

strawberry.enum(
    ms.Trend,
    name="MeasureTrend",
    description="A measure's first value against its last, by its direction.",
)


@pydantic_type(model=ms.MeasurePoint, all_fields=True, description="One recorded value.")
class MeasurePoint:
    pass


@pydantic_type(
    model=ms.MeasureSeries,
    all_fields=True,
    description="A measure's values by day against its target, and its trend.",
)
class MeasureSeries:
    pass


@pydantic_type(
    model=ms.StreamMeasures, all_fields=True, description="A value stream's measures over time."
)
class StreamMeasures:
    pass


@pydantic_type(model=iv.AmountPoint, all_fields=True, description="An investment's amount.")
class AmountPoint:
    pass


@pydantic_type(
    model=iv.FundingLine, all_fields=True, description="A funding line of a value stream."
)
class FundingLine:
    pass


@pydantic_type(
    model=iv.FundingPoint, all_fields=True, description="A stream's total funding from a day."
)
class FundingPoint:
    pass


@pydantic_type(
    model=iv.InvestmentView,
    all_fields=True,
    name="StreamInvestment",
    description="A value stream's funding over time beside its measures' trends.",
)
class StreamInvestment:
    pass


@pydantic_type(
    model=rm.StepImpact, all_fields=True, description="The chosen element's impact on a step."
)
class StepImpact:
    pass


@pydantic_type(model=rm.StepBottleneck, all_fields=True, description="A ranked bottleneck.")
class StepBottleneck:
    pass


@pydantic_type(model=rm.StepHealthCheck, all_fields=True, description="A health check's score.")
class StepHealthCheck:
    pass


@pydantic_type(
    model=rm.RoadmapStep,
    all_fields=True,
    description="A plateau: the model on a day with every scenario due by then applied.",
)
class RoadmapStep:
    pass


@pydantic_type(
    model=rm.Roadmap,
    all_fields=True,
    description="Today's model, then each effective date's plateau, each against the one before.",
)
class Roadmap:
    pass


@strawberry.type
class TrendsQuery:
    @strawberry.field(
        description="Each measure of a value stream (id or name): its values over time "
        "against target, and the trend."
    )
    async def stream_measures(self, info: Info, stream: str) -> StreamMeasures:
        result = await run_question(info, ms.stream_measures, stream)
        return served(StreamMeasures, result)

    @strawberry.field(
        description="A value stream's funding lines and total over time, beside its "
        "measures' trends."
    )
    async def stream_investment(self, info: Info, stream: str) -> StreamInvestment:
        result = await run_question(info, iv.investment_view, stream)
        return served(StreamInvestment, result)

    @strawberry.field(
        description="The roadmap: today's model, then each effective date with the open "
        "scenarios due by then applied in date order; each step's impact of `element`, top "
        "`limit` bottlenecks and health, compared with the step before. Writes nothing."
    )
    async def roadmap(
        self,
        info: Info,
        element: str | None = None,
        max_depth: int = im.DEFAULT_MAX_DEPTH,
        limit: int = 10,
        max_streams_per_team: int = hl.DEFAULT_MAX_STREAMS_PER_TEAM,
        propagation: list[PropagationOverride] | None = None,
    ) -> Roadmap:
        result = await run_question(
            info,
            rm.roadmap,
            element=element,
            max_depth=max_depth,
            limit=limit,
            max_streams_per_team=max_streams_per_team,
            overrides=overrides_of(propagation),
        )
        return served(Roadmap, result)


@strawberry.type
class TrendsMutation:
    @strawberry.mutation(
        description="Change an open scenario's description or effective date (YYYY-MM-DD); "
        "an argument left out keeps its value, `effectiveDate: null` removes the date."
    )
    async def update_scenario(
        self,
        info: Info,
        name: str,
        description: str | None = strawberry.UNSET,
        effective_date: str | None = strawberry.UNSET,
    ) -> Scenario:
        view = await run_question(
            info,
            sc.update_scenario,
            name,
            description=None if description is strawberry.UNSET else description,
            effective_date=None if effective_date is strawberry.UNSET else effective_date,
            clear_effective_date=effective_date is None,
        )
        return served(Scenario, view)
