"""GraphQL fields for the questions: mixed into the Query and Mutation types in app.graphql.

The types are thin wrappers built from the answers of `queries.*` by `from_model`; the
resolvers only resolve arguments and call the query functions off the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any, Protocol, TypeVar, cast

import strawberry
from graphql import GraphQLError
from strawberry.scalars import JSON

from graph.tokens import Role
from queries import bottlenecks as bn
from queries import health as hl
from queries import impact as im
from queries import scenarios as sc
from queries.propagation import Flow
from queries.resolve import ElementRef
from queries.scenario_ops import parse_operation

# app.graphql imports this module to build its Query, so its typed `Info` (and Context)
# cannot be imported here; the context is the one app.graphql builds per request.
Info = strawberry.Info[Any, None]
T = TypeVar("T")

PropagationFlow: type[Enum] = strawberry.enum(
    cast(type[Enum], Enum("PropagationFlow", {f.name: f.value for f in Flow})),
    description="Which way a change travels along a relationship: forward = source to target.",
)
PathDirection: type[Enum] = strawberry.enum(
    cast(type[Enum], Enum("PathDirection", {d.name: d.value for d in im.PathDirection})),
    description="Which way the change travels along the path found.",
)


@strawberry.input(description="Override one entry of the propagation table for this request.")
class PropagationOverride:
    key: str = strawberry.field(
        description="A relationship type, or RELATED_TO:<ArchiMate type> (e.g. RELATED_TO:serving)."
    )
    flow: PropagationFlow  # type: ignore[valid-type]


@strawberry.type(name="ElementRef", description="An element named in an answer.")
class ElementRefType:
    id: strawberry.ID
    type: str
    name: str

    @classmethod
    def from_model(cls, ref: ElementRef) -> ElementRefType:
        return cls(id=strawberry.ID(ref.id), type=ref.type, name=ref.name)


def _refs(items: list[ElementRef]) -> list[ElementRefType]:
    return [ElementRefType.from_model(r) for r in items]


@strawberry.type(description="An entry of the propagation table in force for the answer.")
class PropagationRule:
    key: str
    flow: str
    reason: str

    @classmethod
    def many(cls, rows: list[dict[str, str]]) -> list[PropagationRule]:
        return [cls(key=r["key"], flow=r["flow"], reason=r["reason"]) for r in rows]


@strawberry.type(description="One hop of an explaining path, in travel order.")
class PathStep:
    from_element: ElementRefType
    to_element: ElementRefType
    relationship: str
    original_type: str | None
    stored_forward: bool = strawberry.field(
        description="True when stored as fromElement -[relationship]-> toElement."
    )
    text: str

    @classmethod
    def from_model(cls, s: im.Step) -> PathStep:
        return cls(
            from_element=ElementRefType.from_model(s.from_element),
            to_element=ElementRefType.from_model(s.to_element),
            relationship=s.relationship,
            original_type=s.original_type,
            stored_forward=s.stored_forward,
            text=s.text,
        )


@strawberry.type(description="An element reached, with its hop distance and one shortest path.")
class AffectedElement:
    element: ElementRefType
    distance: int
    source: strawberry.Private[im.Affected]

    @strawberry.field(description="The explaining path, hop by hop.")
    def path(self) -> list[PathStep]:
        return [PathStep.from_model(s) for s in self.source.path]

    @strawberry.field(description="The explaining path as one line of text.")
    def path_text(self) -> str:
        return self.source.path_text

    @classmethod
    def from_model(cls, a: im.Affected) -> AffectedElement:
        return cls(element=ElementRefType.from_model(a.element), distance=a.distance, source=a)


def _affected(items: list[im.Affected]) -> list[AffectedElement]:
    return [AffectedElement.from_model(a) for a in items]


@strawberry.type(description="A team or person to notify, and why.")
class Notice:
    element: ElementRefType
    reason: str
    about: list[ElementRefType]

    @classmethod
    def from_model(cls, n: im.Notice) -> Notice:
        return cls(
            element=ElementRefType.from_model(n.element), reason=n.reason, about=_refs(n.about)
        )


@strawberry.type(description="How many each list of an impact answer holds in all.")
class ImpactCounts:
    affected: int
    streams: int
    capabilities: int
    platforms: int
    data_assets: int
    other: int
    teams_to_notify: int
    people_to_notify: int

    @classmethod
    def from_model(cls, c: im.ImpactCounts) -> ImpactCounts:
        return cls(**c.model_dump())


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


def check_limit(info: Info, limit: int) -> None:
    """A page size between 1 and the server's (VALUEGRAPH_MAX_PAGE_SIZE)."""
    most: int = info.context.settings.max_page_size
    if not 1 <= limit <= most:
        raise ValueError(f"limit must be between 1 and {most}")


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
        return _affected(self.pages.page_of(category, *_page(info, limit, offset)))

    def _notices(
        self, info: Info, kind: im.NoticeKind, limit: int | None, offset: int
    ) -> list[Notice]:
        return [
            Notice.from_model(n) for n in self.pages.notices_page(kind, *_page(info, limit, offset))
        ]

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
            element=ElementRefType.from_model(w.element),
            max_depth=w.max_depth,
            counts=ImpactCounts.from_model(w.counts()),
            propagation=PropagationRule.many(w.table.as_list()),
            pages=w,
        )

    @classmethod
    def from_model(cls, r: im.ImpactResult) -> ImpactAnswer:
        return cls(
            element=ElementRefType.from_model(r.element),
            max_depth=r.max_depth,
            counts=ImpactCounts.from_model(r.counts),
            propagation=PropagationRule.many(r.propagation),
            pages=r,
        )


@strawberry.type(description="What an element depends on: its dependency tree, as paths.")
class DependsOnAnswer:
    element: ElementRefType
    max_depth: int
    dependencies: list[AffectedElement]
    propagation: list[PropagationRule]

    @classmethod
    def from_model(cls, r: im.DependsOnResult) -> DependsOnAnswer:
        return cls(
            element=ElementRefType.from_model(r.element),
            max_depth=r.max_depth,
            dependencies=_affected(r.dependencies),
            propagation=PropagationRule.many(r.propagation),
        )


@strawberry.type(description="A shortest dependency path between two elements.")
class PathAnswer:
    source: ElementRefType
    target: ElementRefType
    direction: PathDirection  # type: ignore[valid-type]
    distance: int | None
    steps: list[PathStep]
    explanation: str

    @classmethod
    def from_model(cls, r: im.PathResult) -> PathAnswer:
        return cls(
            source=ElementRefType.from_model(r.source),
            target=ElementRefType.from_model(r.target),
            direction=PathDirection(r.direction.value),
            distance=r.distance,
            steps=[PathStep.from_model(s) for s in r.steps],
            explanation=r.explanation,
        )


@strawberry.type(description="A team's load against its type and capacity.")
class TeamLoad:
    team_type: str | None
    capacity: float | None
    streams_served_directly: int
    streams_served: int
    guideline: float
    load: float
    overloaded: bool

    @classmethod
    def from_model(cls, t: bn.TeamLoad) -> TeamLoad:
        return cls(**t.model_dump())


@strawberry.type(description="A team or platform ranked by coordination load.")
class Bottleneck:
    rank: int
    element: ElementRefType
    score: float
    stream_count: int
    proximity: float
    streams: list[ElementRefType]
    blast_radius: int
    cross_stream_pairs: int
    betweenness: float
    team: TeamLoad | None
    explanation: str
    dependents: int | None = strawberry.field(
        description="Elements a change to it reaches; counted when the model has no streams."
    )

    @classmethod
    def from_model(cls, b: bn.Bottleneck) -> Bottleneck:
        return cls(
            rank=b.rank,
            element=ElementRefType.from_model(b.element),
            score=b.score,
            stream_count=b.stream_count,
            proximity=b.proximity,
            streams=_refs(b.streams),
            blast_radius=b.blast_radius,
            cross_stream_pairs=b.cross_stream_pairs,
            betweenness=b.betweenness,
            team=TeamLoad.from_model(b.team) if b.team else None,
            explanation=b.explanation,
            dependents=b.dependents,
        )


@strawberry.type(description="A team or platform binding streams of a cluster.")
class SharedNode:
    element: ElementRefType
    streams_in_cluster: int


@strawberry.type(description="Value streams bound together by shared teams and platforms.")
class StreamCluster:
    id: str
    streams: list[ElementRefType]
    binding: list[SharedNode]
    internal_load: int
    external_load: int
    explanation: str

    @classmethod
    def from_model(cls, c: bn.StreamCluster) -> StreamCluster:
        return cls(
            id=c.id,
            streams=_refs(c.streams),
            binding=[
                SharedNode(
                    element=ElementRefType.from_model(s.element),
                    streams_in_cluster=s.streams_in_cluster,
                )
                for s in c.binding
            ],
            internal_load=c.internal_load,
            external_load=c.external_load,
            explanation=c.explanation,
        )


@strawberry.type(description="Ranked bottlenecks and the stream clusters they bind.")
class BottleneckAnswer:
    stream_total: int
    ranked_by: str = strawberry.field(
        description="What ranks them: value streams, or dependent elements without streams."
    )
    horizon: int
    bottlenecks: list[Bottleneck]
    clusters: list[StreamCluster]
    formula: str
    seed: int

    @classmethod
    def from_model(cls, r: bn.BottleneckReport) -> BottleneckAnswer:
        return cls(
            stream_total=r.stream_total,
            ranked_by=r.ranked_by,
            horizon=r.horizon,
            bottlenecks=[Bottleneck.from_model(b) for b in r.bottlenecks],
            clusters=[StreamCluster.from_model(c) for c in r.clusters],
            formula=r.formula,
            seed=r.seed,
        )


@strawberry.type(description="An offending element of a health check.")
class HealthFinding:
    element: ElementRefType
    detail: str
    related: list[ElementRefType]


@strawberry.type(description="One operating-model health check.")
class HealthCheck:
    id: str
    title: str
    description: str
    population: int
    offending: int
    score: float | None = strawberry.field(description="Null: not applicable, nothing to check.")
    applicable: bool
    passed: bool
    findings: list[HealthFinding]

    @classmethod
    def from_model(cls, c: hl.HealthCheck) -> HealthCheck:
        return cls(
            id=c.id,
            title=c.title,
            description=c.description,
            population=c.population,
            offending=c.offending,
            score=c.score,
            applicable=c.applicable,
            passed=c.passed,
            findings=[
                HealthFinding(
                    element=ElementRefType.from_model(f.element),
                    detail=f.detail,
                    related=_refs(f.related),
                )
                for f in c.findings
            ],
        )


@strawberry.type(description="The operating-model health report.")
class HealthAnswer:
    score: float | None = strawberry.field(description="Null: no check applies.")
    checks: list[HealthCheck]
    max_streams_per_team: int
    markdown: str

    @classmethod
    def from_model(cls, r: hl.HealthReport) -> HealthAnswer:
        return cls(
            score=r.score,
            checks=[HealthCheck.from_model(c) for c in r.checks],
            max_streams_per_team=r.max_streams_per_team,
            markdown=hl.health_markdown(r),
        )


# -- what-if scenarios ---------------------------------------------------------------------

ScenarioStatus: type[Enum] = strawberry.enum(
    cast(type[Enum], Enum("ScenarioStatus", {s.name: s.value for s in sc.ScenarioStatus})),
    description="open: can be changed, compared and applied; applied: part of the base now.",
)
StreamChange: type[Enum] = strawberry.enum(
    cast(type[Enum], Enum("StreamChange", {c.name: c.value for c in sc.StreamChange})),
    description="How a stream's place in an impact answer changes in the scenario.",
)
RankChange: type[Enum] = strawberry.enum(
    cast(type[Enum], Enum("RankChange", {c.name: c.value for c in sc.RankChange})),
    description="How a bottleneck's rank changes in the scenario (HIGHER: a bigger one).",
)


@strawberry.type(description="A what-if scenario, without its operations.")
class ScenarioSummary:
    name: str
    description: str
    status: ScenarioStatus  # type: ignore[valid-type]
    operation_count: int
    created_at: str
    updated_at: str
    created_by: str | None
    applied_at: str | None
    applied_by: str | None

    @classmethod
    def from_model(cls, s: sc.ScenarioSummary) -> ScenarioSummary:
        data = s.model_dump(exclude={"status"})
        return cls(status=ScenarioStatus(s.status.value), **data)


@strawberry.type(description="An operation of a scenario, as stored (elements by id).")
class ScenarioOperation:
    index: int
    op: str
    text: str
    operation: JSON


@strawberry.type(description="A what-if scenario with its operations.")
class Scenario(ScenarioSummary):
    operations: list[ScenarioOperation]
    problem: str | None = strawberry.field(
        description="Why the operations no longer apply to the base model, if they do not."
    )

    @classmethod
    def from_view(cls, v: sc.ScenarioView) -> Scenario:
        data = v.model_dump(exclude={"status", "operations"})
        return cls(
            status=ScenarioStatus(v.status.value),
            operations=[
                ScenarioOperation(
                    index=o.index, op=o.op, text=o.text, operation=cast(JSON, o.operation)
                )
                for o in v.operations
            ],
            **data,
        )


@strawberry.type(description="A stream affected in the base, the scenario, or both.")
class StreamImpactDelta:
    element: ElementRefType
    base_distance: int | None
    scenario_distance: int | None
    change: StreamChange  # type: ignore[valid-type]
    base_path: str
    scenario_path: str


@strawberry.type(description="The impact of one element in the base and in the scenario.")
class ImpactComparison:
    element: ElementRefType
    in_base: bool
    in_scenario: bool
    base_stream_count: int
    scenario_stream_count: int
    base_affected_count: int
    scenario_affected_count: int
    streams: list[StreamImpactDelta]
    base: ImpactAnswer | None
    scenario: ImpactAnswer | None

    @classmethod
    def from_model(cls, c: sc.ImpactComparison) -> ImpactComparison:
        return cls(
            element=ElementRefType.from_model(c.element),
            in_base=c.in_base,
            in_scenario=c.in_scenario,
            base_stream_count=c.base_stream_count,
            scenario_stream_count=c.scenario_stream_count,
            base_affected_count=c.base_affected_count,
            scenario_affected_count=c.scenario_affected_count,
            streams=[
                StreamImpactDelta(
                    element=ElementRefType.from_model(d.element),
                    base_distance=d.base_distance,
                    scenario_distance=d.scenario_distance,
                    change=StreamChange(d.change.value),
                    base_path=d.base_path,
                    scenario_path=d.scenario_path,
                )
                for d in c.streams
            ],
            base=ImpactAnswer.from_model(c.base) if c.base else None,
            scenario=ImpactAnswer.from_model(c.scenario) if c.scenario else None,
        )


@strawberry.type(description="A team or platform's rank and score, base against scenario.")
class BottleneckDelta:
    element: ElementRefType
    change: RankChange  # type: ignore[valid-type]
    base_rank: int | None
    scenario_rank: int | None
    rank_change: int | None = strawberry.field(
        description="Base rank minus scenario rank: positive when it climbs."
    )
    base_score: float | None
    scenario_score: float | None
    score_delta: float
    base_stream_count: int | None
    scenario_stream_count: int | None


@strawberry.type(description="The bottleneck ranking, base against scenario.")
class BottleneckComparison:
    limit: int
    base_stream_total: int
    scenario_stream_total: int
    rows: list[BottleneckDelta]
    base_clusters: list[StreamCluster]
    scenario_clusters: list[StreamCluster]
    formula: str

    @classmethod
    def from_model(cls, c: sc.BottleneckComparison) -> BottleneckComparison:
        return cls(
            limit=c.limit,
            base_stream_total=c.base_stream_total,
            scenario_stream_total=c.scenario_stream_total,
            rows=[
                BottleneckDelta(
                    element=ElementRefType.from_model(r.element),
                    change=RankChange(r.change.value),
                    **r.model_dump(exclude={"element", "change"}),
                )
                for r in c.rows
            ],
            base_clusters=[StreamCluster.from_model(x) for x in c.base_clusters],
            scenario_clusters=[StreamCluster.from_model(x) for x in c.scenario_clusters],
            formula=c.formula,
        )


@strawberry.type(description="One health check, base against scenario.")
class HealthCheckDelta:
    id: str
    title: str
    base_score: float | None
    scenario_score: float | None
    score_delta: float | None
    base_offending: int
    scenario_offending: int
    resolved: list[ElementRefType] = strawberry.field(
        description="Offending in the base, not in the scenario."
    )
    introduced: list[ElementRefType] = strawberry.field(
        description="Offending in the scenario, not in the base."
    )


@strawberry.type(description="The health report, base against scenario.")
class HealthComparison:
    base_score: float | None
    scenario_score: float | None
    score_delta: float | None
    checks: list[HealthCheckDelta]

    @classmethod
    def from_model(cls, c: sc.HealthComparison) -> HealthComparison:
        return cls(
            base_score=c.base_score,
            scenario_score=c.scenario_score,
            score_delta=c.score_delta,
            checks=[
                HealthCheckDelta(
                    resolved=_refs(x.resolved),
                    introduced=_refs(x.introduced),
                    **x.model_dump(exclude={"resolved", "introduced"}),
                )
                for x in c.checks
            ],
        )


@strawberry.type(description="Impact, bottlenecks and health: base and scenario side by side.")
class ScenarioComparison:
    scenario: Scenario
    impact: ImpactComparison | None
    bottlenecks: BottleneckComparison
    health: HealthComparison

    @classmethod
    def from_model(cls, c: sc.ScenarioComparison) -> ScenarioComparison:
        return cls(
            scenario=Scenario.from_view(c.scenario),
            impact=ImpactComparison.from_model(c.impact) if c.impact else None,
            bottlenecks=BottleneckComparison.from_model(c.bottlenecks),
            health=HealthComparison.from_model(c.health),
        )


@strawberry.type(description="A relationship applying a scenario added or removed.")
class RelationshipChange:
    id: str | None
    type: str
    source: str
    target: str
    text: str


@strawberry.type(description="What applying a scenario changed in the base model.")
class ApplyScenarioResult:
    scenario: ScenarioSummary
    elements_added: list[ElementRefType]
    elements_removed: list[ElementRefType]
    elements_changed: list[ElementRefType]
    relationships_added: list[RelationshipChange]
    relationships_removed: list[RelationshipChange]

    @classmethod
    def from_model(cls, r: sc.ApplyResult) -> ApplyScenarioResult:
        return cls(
            scenario=ScenarioSummary.from_model(r.scenario),
            elements_added=_refs(r.elements_added),
            elements_removed=_refs(r.elements_removed),
            elements_changed=_refs(r.elements_changed),
            relationships_added=[
                RelationshipChange(**x.model_dump()) for x in r.relationships_added
            ],
            relationships_removed=[
                RelationshipChange(**x.model_dump()) for x in r.relationships_removed
            ],
        )


@strawberry.input(description="Add a new element, e.g. the platform that replaces another.")
class AddElementInput:
    type: str = strawberry.field(description="A node type of the schema, e.g. Platform.")
    name: str
    id: str | None = None
    attributes: JSON | None = strawberry.field(
        default=None, description="Typed properties, description, tags, free properties."
    )


@strawberry.input(description="Remove an element and its relationships.")
class RemoveElementInput:
    element: str = strawberry.field(description="Id or exact name.")


@strawberry.input(description="Move every relationship of old to new (same type); old goes.")
class ReplaceElementInput:
    old: str
    new: str


@strawberry.input(description="from_team's OWNS (or every owner's) goes; to_team owns it.")
class MoveOwnershipInput:
    element: str
    to_team: str
    from_team: str | None = None


@strawberry.input(description="Add a relationship allowed by the schema, e.g. a dependency.")
class AddRelationshipInput:
    type: str = strawberry.field(description="A relationship type, e.g. DEPENDS_ON.")
    source: str
    target: str
    attributes: JSON | None = strawberry.field(
        default=None, description="Typed properties of the type, free properties."
    )


@strawberry.input(description="Remove every relationship of the type from source to target.")
class RemoveRelationshipInput:
    type: str
    source: str
    target: str


@strawberry.input(description="A stream a split makes, with the old stream's stages it takes.")
class NewStreamInput:
    name: str
    id: str | None = None
    stages: list[str] = strawberry.field(default_factory=list)


@strawberry.input(description="Split a stream; every stage goes to exactly one new stream.")
class SplitStreamInput:
    stream: str
    into: list[NewStreamInput]


@strawberry.input(one_of=True, description="One what-if operation: give exactly one field.")
class ScenarioOperationInput:
    add_element: AddElementInput | None = strawberry.UNSET
    remove_element: RemoveElementInput | None = strawberry.UNSET
    replace_element: ReplaceElementInput | None = strawberry.UNSET
    move_ownership: MoveOwnershipInput | None = strawberry.UNSET
    add_relationship: AddRelationshipInput | None = strawberry.UNSET
    remove_relationship: RemoveRelationshipInput | None = strawberry.UNSET
    split_stream: SplitStreamInput | None = strawberry.UNSET


def _operation(given: ScenarioOperationInput) -> Any:
    """The operation as queries.scenario_ops parses it (malformed: a ValueError)."""
    for kind, value in vars(given).items():
        if value is None or value is strawberry.UNSET:
            continue
        data = {k: v for k, v in strawberry.asdict(value).items() if v is not None}
        return parse_operation({"op": kind, **data})
    raise ValueError("give one operation")


def _overrides(items: list[PropagationOverride] | None) -> dict[str, str] | None:
    return {o.key: str(cast(Enum, o.flow).value) for o in items} if items else None


def _walk(
    max_depth: int,
    relationship_types: list[str] | None,
    propagation: list[PropagationOverride] | None,
) -> im.WalkOptions:
    return im.WalkOptions(
        max_depth, rel_types=relationship_types, overrides=_overrides(propagation)
    )


async def _ask(
    info: Info, fn: Callable[..., T], *args: Any, walks: bool = False, **kwargs: Any
) -> T:
    """Run a question off the event loop (app.graphql turns its failures into coded errors).

    `walks`: the question is an impact walk, asked of the live walk index when it is
    current (queries.live) rather than of the store.
    """
    context = info.context

    def ask() -> T:
        return fn(context.live.reader() if walks else context.store, *args, **kwargs)

    result: T = await context.run(ask)
    return result


@strawberry.type
class QuestionsQuery:
    @strawberry.field(
        description="Change impact: every value stream (and capability, platform, data asset) "
        "a change to the element affects, with hop distance, a shortest explaining path, "
        "and the teams and people to notify. Elements are named by id or exact name."
    )
    async def impact(
        self,
        info: Info,
        element: str,
        max_depth: int = im.DEFAULT_MAX_DEPTH,
        relationship_types: list[str] | None = None,
        propagation: list[PropagationOverride] | None = None,
    ) -> ImpactAnswer:
        walk = await _ask(
            info,
            im.walk_impact,
            element,
            _walk(max_depth, relationship_types, propagation),
            walks=True,
        )
        return ImpactAnswer.from_walk(walk)

    @strawberry.field(
        description="What the element depends on: everything a change to which would affect it."
    )
    async def depends_on(
        self,
        info: Info,
        element: str,
        max_depth: int = im.DEFAULT_MAX_DEPTH,
        relationship_types: list[str] | None = None,
        propagation: list[PropagationOverride] | None = None,
    ) -> DependsOnAnswer:
        result = await _ask(
            info,
            im.depends_on,
            element,
            _walk(max_depth, relationship_types, propagation),
            walks=True,
        )
        return DependsOnAnswer.from_model(result)

    @strawberry.field(
        description="A shortest path along which a change to source reaches target "
        "(or, failing that, target reaches source)."
    )
    async def dependency_path(
        self,
        info: Info,
        source: str,
        target: str,
        max_depth: int = im.DEFAULT_MAX_DEPTH,
        relationship_types: list[str] | None = None,
        propagation: list[PropagationOverride] | None = None,
    ) -> PathAnswer:
        result = await _ask(
            info,
            im.dependency_path,
            source,
            target,
            _walk(max_depth, relationship_types, propagation),
            walks=True,
        )
        return PathAnswer.from_model(result)

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
    ) -> BottleneckAnswer:
        config = bn.BottleneckConfig(seed=seed, horizon=horizon)
        result = await _ask(
            info, bn.bottlenecks, limit=limit, config=config, overrides=_overrides(propagation)
        )
        return BottleneckAnswer.from_model(result)

    @strawberry.field(description="Operating-model health checks, each with offending elements.")
    async def health_report(
        self,
        info: Info,
        max_streams_per_team: int = hl.DEFAULT_MAX_STREAMS_PER_TEAM,
        propagation: list[PropagationOverride] | None = None,
    ) -> HealthAnswer:
        result = await _ask(
            info,
            hl.health,
            max_streams_per_team=max_streams_per_team,
            overrides=_overrides(propagation),
        )
        return HealthAnswer.from_model(result)

    @strawberry.field(description="The propagation table in force (defaults and configuration).")
    def propagation_table(self) -> list[PropagationRule]:
        from queries.propagation import propagation_table

        return PropagationRule.many(propagation_table().as_list())

    @strawberry.field(description="What-if scenarios, oldest first.")
    async def scenarios(self, info: Info) -> list[ScenarioSummary]:
        found = await _ask(info, sc.list_scenarios)
        return [ScenarioSummary.from_model(s) for s in found]

    @strawberry.field(
        description="A scenario with its operations described against the base model, or null."
    )
    async def scenario(self, info: Info, name: str) -> Scenario | None:
        try:
            view = await _ask(info, sc.get_scenario, name)
        except sc.ScenarioNotFoundError:
            return None
        return Scenario.from_view(view)

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
    ) -> ScenarioComparison:
        result = await _ask(
            info,
            sc.compare_scenario,
            name,
            element=element,
            max_depth=max_depth,
            limit=limit,
            max_streams_per_team=max_streams_per_team,
            overrides=_overrides(propagation),
        )
        return ScenarioComparison.from_model(result)


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
    ) -> Scenario:
        ops = [_operation(o) for o in operations or []]
        view = await _ask(
            info,
            sc.create_scenario,
            name=name,
            description=description,
            operations=ops,
            actor=info.context.principal.name,
        )
        return Scenario.from_view(view)

    @strawberry.mutation(
        description="Append an operation to a scenario, after checking it applies on top "
        "of the earlier ones."
    )
    async def add_scenario_operation(
        self, info: Info, name: str, operation: ScenarioOperationInput
    ) -> Scenario:
        view = await _ask(
            info, sc.add_operation, name, _operation(operation), actor=info.context.principal.name
        )
        return Scenario.from_view(view)

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
        return ApplyScenarioResult.from_model(result)
