"""The answers of the questions as GraphQL types, derived from the pydantic answer models.

Each derived type is strawberry's `experimental.pydantic.type(model=...)` (imported as
`pydantic_type`): its fields, their types, nullability and descriptions come from the
model in `queries/` (descriptions from its `Field(description=...)`), so a field is
declared once, there. Written here are each type's GraphQL description and only the
fields whose GraphQL type is not derived from the model's (an `ID`, a JSON object, the
propagation rows, the lazy `ImpactAnswer`). A derived type comes after the types of its
nested models: the derivation looks them up. The domain enums are registered here, once.

Resolvers return the answer itself, `served(Type, answer)`: strawberry reads a derived
type's fields from the pydantic instance, so nothing is copied and a computed field
(a path's text) is computed only when asked for. (`Type.from_pydantic` would copy the
whole answer first: about 0.6 ms per affected element with a six-hop path.)

Hand-written, as they are not a model's fields: `ImpactAnswer` and `DependsOnAnswer`
page the walk lazily (their lists are resolvers); `HealthAnswer` adds the report as markdown (strawberry puts a
field the model lacks before the model's own, which would reorder the SDL);
`PropagationRule` wraps the table's rows, which the answers carry as plain dicts.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol, TypeVar, cast

import strawberry
from pydantic import BaseModel
from strawberry.experimental.pydantic import type as pydantic_type
from strawberry.scalars import JSON

from app.graphql.context import Info, check_limit
from queries import bottlenecks as bn
from queries import depended_on as do
from queries import health as hl
from queries import impact as im
from queries import over_time as ot
from queries import scenarios as sc
from queries.resolve import ElementRef

strawberry.enum(im.PathDirection, description="Which way the change travels along the path found.")
strawberry.enum(
    sc.ScenarioStatus,
    description="open: can be changed, compared and applied; applied: part of the base now.",
)
strawberry.enum(
    sc.StreamChange,
    description="How a stream's place in an impact answer changes in the scenario.",
)
strawberry.enum(
    sc.RankChange,
    description="How a bottleneck's rank changes in the scenario (HIGHER: a bigger one).",
)


T = TypeVar("T")


def served(gql_type: type[T], answer: BaseModel) -> T:
    """`answer` itself, served as `gql_type`, the type derived from its model.

    The derived type's `is_type_of` accepts an instance of its model and its fields are
    read from it by attribute, so the cast only tells the type checker what GraphQL sees.
    """
    if not isinstance(answer, getattr(gql_type, "_pydantic_type", ())):
        raise TypeError(f"{type(answer).__name__} is not served as {gql_type.__name__}")
    return cast(T, answer)


@pydantic_type(
    model=ElementRef,
    all_fields=True,
    name="ElementRef",
    description="An element named in an answer.",
)
class ElementRefType:
    id: strawberry.ID  # the model's str, typed as an id a client passes back


@strawberry.type(description="An entry of the propagation table in force for the answer.")
class PropagationRule:
    key: str
    flow: str
    reason: str

    @classmethod
    def many(cls, rows: list[dict[str, str]]) -> list[PropagationRule]:
        return [cls(key=r["key"], flow=r["flow"], reason=r["reason"]) for r in rows]


@pydantic_type(
    model=im.Step, all_fields=True, description="One hop of an explaining path, in travel order."
)
class PathStep:
    pass


@pydantic_type(
    model=im.Affected,
    all_fields=True,
    include_computed=True,
    description="An element reached, with its hop distance and one shortest path.",
)
class AffectedElement:
    pass


@pydantic_type(model=im.Notice, all_fields=True, description="A team or person to notify, and why.")
class Notice:
    pass


@pydantic_type(
    model=im.ImpactCounts,
    all_fields=True,
    description="How many each list of an impact answer holds in all.",
)
class ImpactCounts:
    pass


class ImpactPages(Protocol):
    """Where an answer's pages come from: the walk itself (`im.ImpactWalk`, paths made
    per page) or a whole answer already made (`im.ImpactResult`, a scenario's)."""

    def page_of(
        self, category: im.Category, offset: int, limit: int | None
    ) -> list[im.Affected]: ...

    def notices_page(
        self, kind: im.NoticeKind, offset: int, limit: int | None
    ) -> list[im.Notice]: ...


PAGE_ARGS = (
    "Each list is a page: at most `limit` (default and most: the server's page size, "
    "VALUEGRAPH_MAX_PAGE_SIZE) from `offset`; `counts` has the totals."
)


def _page(info: Info, limit: int | None, offset: int) -> tuple[int, int]:
    if limit is not None:
        check_limit(info, limit)
    if offset < 0:
        raise ValueError("offset must not be negative")
    return offset, limit or info.context.settings.max_page_size


@strawberry.type(description="What a change to an element affects. " + PAGE_ARGS)
class ImpactAnswer:
    element: ElementRefType
    max_depth: int
    counts: ImpactCounts
    propagation: list[PropagationRule]
    pages: strawberry.Private[ImpactPages]

    def _affected(
        self, info: Info, category: im.Category, limit: int | None, offset: int
    ) -> list[AffectedElement]:
        page = self.pages.page_of(category, *_page(info, limit, offset))
        return [served(AffectedElement, a) for a in page]

    def _notices(
        self, info: Info, kind: im.NoticeKind, limit: int | None, offset: int
    ) -> list[Notice]:
        page = self.pages.notices_page(kind, *_page(info, limit, offset))
        return [served(Notice, n) for n in page]

    @strawberry.field(description="Value streams reached, nearest first.")
    def streams(
        self, info: Info, limit: int | None = None, offset: int = 0
    ) -> list[AffectedElement]:
        return self._affected(info, "streams", limit, offset)

    @strawberry.field(description="Capabilities reached, nearest first.")
    def capabilities(
        self, info: Info, limit: int | None = None, offset: int = 0
    ) -> list[AffectedElement]:
        return self._affected(info, "capabilities", limit, offset)

    @strawberry.field(description="Platforms reached, nearest first.")
    def platforms(
        self, info: Info, limit: int | None = None, offset: int = 0
    ) -> list[AffectedElement]:
        return self._affected(info, "platforms", limit, offset)

    @strawberry.field(description="Data assets reached, nearest first.")
    def data_assets(
        self, info: Info, limit: int | None = None, offset: int = 0
    ) -> list[AffectedElement]:
        return self._affected(info, "data_assets", limit, offset)

    @strawberry.field(description="Every other element reached, nearest first.")
    def other(self, info: Info, limit: int | None = None, offset: int = 0) -> list[AffectedElement]:
        return self._affected(info, "other", limit, offset)

    @strawberry.field(description="Teams owning the element or anything reached.")
    def teams_to_notify(
        self, info: Info, limit: int | None = None, offset: int = 0
    ) -> list[Notice]:
        return self._notices(info, "teams", limit, offset)

    @strawberry.field(description="People accountable for a value stream reached.")
    def people_to_notify(
        self, info: Info, limit: int | None = None, offset: int = 0
    ) -> list[Notice]:
        return self._notices(info, "people", limit, offset)

    @classmethod
    def from_walk(cls, w: im.ImpactWalk) -> ImpactAnswer:
        return cls(
            element=served(ElementRefType, w.element),
            max_depth=w.max_depth,
            counts=served(ImpactCounts, w.counts()),
            propagation=PropagationRule.many(w.table.as_list()),
            pages=w,
        )

    @classmethod
    def from_result(cls, r: im.ImpactResult) -> ImpactAnswer:
        """A whole answer already made (a scenario's), paged like a walk."""
        return cls(
            element=served(ElementRefType, r.element),
            max_depth=r.max_depth,
            counts=served(ImpactCounts, r.counts),
            propagation=PropagationRule.many(r.propagation),
            pages=r,
        )


@strawberry.type(
    description="What an element depends on: its dependency tree, as paths. `dependencies` "
    "is a page: at most `limit` (default and most: the server's page size, "
    "VALUEGRAPH_MAX_PAGE_SIZE) from `offset`; `total` counts them all."
)
class DependsOnAnswer:
    element: ElementRefType
    max_depth: int
    total: int = strawberry.field(description=im.DependsOnResult.model_fields["total"].description)
    propagation: list[PropagationRule]
    walk: strawberry.Private[im.DependencyWalk]

    @strawberry.field(
        description="What it depends on, nearest first (by distance, then name, then id)."
    )
    def dependencies(
        self, info: Info, limit: int | None = None, offset: int = 0
    ) -> list[AffectedElement]:
        return [served(AffectedElement, a) for a in self.walk.page(*_page(info, limit, offset))]

    @classmethod
    def from_walk(cls, w: im.DependencyWalk) -> DependsOnAnswer:
        return cls(
            element=served(ElementRefType, w.element),
            max_depth=w.max_depth,
            total=w.total,
            propagation=PropagationRule.many(w.table.as_list()),
            walk=w,
        )


@pydantic_type(
    model=im.PathResult,
    all_fields=True,
    description="A shortest dependency path between two elements.",
)
class PathAnswer:
    pass


@pydantic_type(
    model=bn.TeamLoad, all_fields=True, description="A team's load against its type and capacity."
)
class TeamLoad:
    pass


@pydantic_type(
    model=bn.Bottleneck,
    all_fields=True,
    description="A team or platform ranked by coordination load.",
)
class Bottleneck:
    pass


@pydantic_type(
    model=bn.SharedNode,
    all_fields=True,
    description="A team or platform binding streams of a cluster.",
)
class SharedNode:
    pass


@pydantic_type(
    model=bn.StreamCluster,
    all_fields=True,
    description="Value streams bound together by shared teams and platforms.",
)
class StreamCluster:
    pass


@pydantic_type(
    model=do.DependedOn,
    all_fields=True,
    description="An element others need directly, with who answers for it.",
)
class DependedOn:
    pass


@pydantic_type(
    model=do.DependedOnAnswer,
    all_fields=True,
    description="The most depended-on elements (the overview of a model without streams).",
)
class DependedOnAnswer:
    pass


@pydantic_type(
    model=bn.BottleneckReport,
    description="Ranked bottlenecks and the stream clusters they bind.",
)
class BottleneckAnswer:
    # All but the report's `propagation`, which GraphQL does not show here.
    stream_total: strawberry.auto
    horizon: strawberry.auto
    bottlenecks: strawberry.auto
    clusters: strawberry.auto
    formula: strawberry.auto
    seed: strawberry.auto


@pydantic_type(
    model=hl.Finding, all_fields=True, description="An offending element of a health check."
)
class HealthFinding:
    pass


@pydantic_type(
    model=hl.HealthCheck, all_fields=True, description="One operating-model health check."
)
class HealthCheck:
    pass


@strawberry.type(description="The operating-model health report.")
class HealthAnswer:
    score: float | None = strawberry.field(description="Null: no check applies.")
    checks: list[HealthCheck]
    max_streams_per_team: int
    markdown: str
    today: str = strawberry.field(description="The day lifecycle dates were read against.")

    @classmethod
    def from_report(cls, r: hl.HealthReport) -> HealthAnswer:
        return cls(
            score=r.score,
            checks=[served(HealthCheck, c) for c in r.checks],
            max_streams_per_team=r.max_streams_per_team,
            markdown=hl.health_markdown(r),
            today=r.today.isoformat(),
        )


# -- what-if scenarios ---------------------------------------------------------------------


@pydantic_type(
    model=sc.ScenarioSummary,
    all_fields=True,
    description="A what-if scenario, without its operations.",
)
class ScenarioSummary:
    pass


@pydantic_type(
    model=sc.OperationView,
    all_fields=True,
    name="ScenarioOperation",
    description="An operation of a scenario, as stored (elements by id).",
)
class ScenarioOperation:
    operation: JSON


@pydantic_type(
    model=sc.ScenarioView,
    all_fields=True,
    name="Scenario",
    description="A what-if scenario with its operations.",
)
class Scenario:
    pass


def _page_field(attr: str, item: type, what: str) -> Any:
    """A comparison's list `attr` as a page: at most `limit` from `offset`; no `limit`,
    the whole list, as before paging (REST and the CLI answer it whole; `_total_field`
    counts it). The explorer asks the first page of each long list and the next page when
    one is opened: removing the most shared platform of L loses 5,600 needs and resolves
    3,800 findings, megabytes of JSON asked whole. The comparison is kept per revision
    (queries.present.remember): a next page is read from the answer already made. Typed
    `Any`, as `strawberry.field` is: it is declared `x: list[T] = _page_field(...)`."""

    def page(
        root: strawberry.Parent[BaseModel], info: Info, limit: int | None = None, offset: int = 0
    ) -> list[BaseModel]:
        if limit is not None:
            check_limit(info, limit)
        if offset < 0:
            raise ValueError("offset must not be negative")
        whole: list[BaseModel] = getattr(root, attr)
        return whole[offset:] if limit is None else whole[offset : offset + limit]

    # Set here, not written: strawberry reads the item's GraphQL type from the annotation.
    page.__annotations__ = {
        "root": strawberry.Parent[BaseModel],
        "info": Info,
        "limit": int | None,
        "offset": int,
        "return": list[item],  # type: ignore[valid-type]
    }
    return strawberry.field(
        resolver=page,
        description=f"{what} A page: at most `limit` from `offset` (no `limit`: all of them).",
    )


def _total_field(attr: str) -> Any:
    """How many the list `attr` holds in all (its pages' total)."""

    def total(root: strawberry.Parent[BaseModel]) -> int:
        return len(getattr(root, attr))

    total.__annotations__ = {"root": strawberry.Parent[BaseModel], "return": int}
    return strawberry.field(resolver=total, description=f"How many `{attr}` there are in all.")


def _described(model: type[BaseModel], attr: str) -> str:
    return model.model_fields[attr].description or ""


def _base_steps(root: strawberry.Parent[sc.StreamImpactDelta]) -> list[PathStep]:
    return [served(PathStep, s) for s in root.steps("base")]


def _scenario_steps(root: strawberry.Parent[sc.StreamImpactDelta]) -> list[PathStep]:
    return [served(PathStep, s) for s in root.steps("scenario")]


@pydantic_type(
    model=sc.StreamImpactDelta,
    all_fields=True,
    description="A stream affected in the base, the scenario, or both.",
)
class StreamImpactDelta:
    # The paths hop by hop, so a page of deltas is all the graph draws from (the sides'
    # own lists of streams need not be asked for the streams of a page).
    base_path_steps: list[PathStep] = strawberry.field(
        resolver=_base_steps,
        description="`basePath` hop by hop, in travel order (empty: the base does not reach it).",
    )
    scenario_path_steps: list[PathStep] = strawberry.field(
        resolver=_scenario_steps,
        description="`scenarioPath` hop by hop (empty: the scenario does not reach it).",
    )


@pydantic_type(
    model=sc.StreamChangeCounts,
    all_fields=True,
    description="How many of the compared streams change each way.",
)
class StreamChangeCounts:
    pass


def _impact_side(
    root: sc.ImpactComparison, side: Literal["base", "scenario"]
) -> ImpactAnswer | None:
    # Paged from the side's walk when the comparison keeps it (its `base` and `scenario`
    # are then first pages), else from the whole answer.
    walk = root.walk_of(side)
    if walk is not None:
        return ImpactAnswer.from_walk(walk)
    result = root.base if side == "base" else root.scenario
    return ImpactAnswer.from_result(result) if result else None


def _base_impact(root: strawberry.Parent[sc.ImpactComparison]) -> ImpactAnswer | None:
    return _impact_side(root, "base")


def _scenario_impact(root: strawberry.Parent[sc.ImpactComparison]) -> ImpactAnswer | None:
    return _impact_side(root, "scenario")


def _change_counts(root: strawberry.Parent[sc.ImpactComparison]) -> StreamChangeCounts:
    return served(StreamChangeCounts, root.change_counts())


@pydantic_type(
    model=sc.ImpactComparison,
    all_fields=True,
    description="The impact of one element in the base and in the scenario.",
)
class ImpactComparison:
    streams: list[StreamImpactDelta] = _page_field(
        "streams", StreamImpactDelta, _described(sc.ImpactComparison, "streams")
    )
    streams_total: int = _total_field("streams")
    change_counts: StreamChangeCounts = strawberry.field(
        resolver=_change_counts, description="How many `streams` change each way."
    )
    base: ImpactAnswer | None = strawberry.field(resolver=_base_impact)
    scenario: ImpactAnswer | None = strawberry.field(resolver=_scenario_impact)


@pydantic_type(
    model=sc.BottleneckDelta,
    all_fields=True,
    description="A team or platform's rank and score, base against scenario.",
)
class BottleneckDelta:
    pass


@pydantic_type(
    model=sc.BottleneckComparison,
    all_fields=True,
    description="The bottleneck ranking, base against scenario.",
)
class BottleneckComparison:
    pass


@pydantic_type(
    model=sc.HealthCheckDelta,
    all_fields=True,
    description="One health check, base against scenario.",
)
class HealthCheckDelta:
    resolved: list[ElementRefType] = _page_field(
        "resolved", ElementRefType, _described(sc.HealthCheckDelta, "resolved")
    )
    resolved_total: int = _total_field("resolved")
    introduced: list[ElementRefType] = _page_field(
        "introduced", ElementRefType, _described(sc.HealthCheckDelta, "introduced")
    )
    introduced_total: int = _total_field("introduced")


@pydantic_type(
    model=sc.HealthComparison,
    all_fields=True,
    description="The health report, base against scenario.",
)
class HealthComparison:
    pass


@pydantic_type(
    model=sc.LostNeed,
    all_fields=True,
    description="Something an element needed that the scenario takes away.",
)
class LostNeed:
    pass


@pydantic_type(
    model=sc.Losses,
    all_fields=True,
    description="What the scenario takes away from what streams need.",
)
class ScenarioLosses:
    needs: list[LostNeed] = _page_field("needs", LostNeed, "What each element loses.")
    needs_total: int = _total_field("needs")
    streams: list[ElementRefType] = _page_field(
        "streams", ElementRefType, _described(sc.Losses, "streams")
    )
    streams_total: int = _total_field("streams")
    capabilities: list[ElementRefType] = _page_field(
        "capabilities", ElementRefType, _described(sc.Losses, "capabilities")
    )
    capabilities_total: int = _total_field("capabilities")


@pydantic_type(
    model=sc.ScenarioComparison,
    all_fields=True,
    description="Impact, bottlenecks and health: base and scenario side by side.",
)
class ScenarioComparison:
    pass


@pydantic_type(
    model=sc.RelationshipChange,
    all_fields=True,
    description="A relationship applying a scenario added or removed.",
)
class RelationshipChange:
    pass


@pydantic_type(
    model=sc.ApplyResult,
    all_fields=True,
    name="ApplyScenarioResult",
    description="What applying a scenario changed in the base model.",
)
class ApplyScenarioResult:
    pass


# -- over time (queries.over_time) -----------------------------------------------------------

strawberry.enum(ot.Every, description="The step of a trend's dates.")


@pydantic_type(model=ot.DiffElement, all_fields=True, description="An element that changed.")
class DiffElement:
    pass


@pydantic_type(
    model=ot.DiffRelationship,
    all_fields=True,
    description="A relationship added, removed or changed between two moments.",
)
class DiffRelationship:
    pass


@pydantic_type(
    model=ot.TypeCount,
    all_fields=True,
    description="How many of one type were added, removed and changed.",
)
class DiffTypeCount:
    pass


@pydantic_type(
    model=ot.ModelChanges,
    all_fields=True,
    description="What differs between the models at two moments (lists capped at `limit`).",
)
class ModelChanges:
    pass


@pydantic_type(
    model=ot.MomentDiff,
    all_fields=True,
    description="Two moments compared: what changed, and what that did to the questions "
    '("base" is the earlier moment, "scenario" the later).',
)
class MomentDiff:
    pass


@pydantic_type(model=ot.CheckScore, all_fields=True, description="One check's score at a date.")
class CheckScore:
    pass


@pydantic_type(model=ot.HealthPoint, all_fields=True, description="Health at one date.")
class HealthPoint:
    pass


@pydantic_type(model=ot.HealthTrend, all_fields=True, description="Health over a series of dates.")
class HealthTrend:
    pass


@pydantic_type(model=ot.RankedPoint, all_fields=True, description="A ranked bottleneck at a date.")
class RankedPoint:
    pass


@pydantic_type(
    model=ot.BottleneckPoint, all_fields=True, description="The bottleneck ranking at one date."
)
class BottleneckPoint:
    pass


@pydantic_type(
    model=ot.BottleneckTrend,
    all_fields=True,
    description="The top of the bottleneck ranking over a series of dates.",
)
class BottleneckTrend:
    pass
