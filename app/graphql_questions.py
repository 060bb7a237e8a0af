"""GraphQL fields for the questions: mixed into the Query and Mutation types in app.graphql.

The types are thin wrappers built from the answers of `queries.*` by `from_model`; the
resolvers only resolve arguments and call the query functions off the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar, cast

import strawberry
from graphql import GraphQLError

from graph.store import NotFoundError
from queries import bottlenecks as bn
from queries import health as hl
from queries import impact as im
from queries.propagation import Flow
from queries.resolve import AmbiguousElementError, ElementLookupError, ElementRef

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
    path: list[PathStep]
    path_text: str

    @classmethod
    def from_model(cls, a: im.Affected) -> AffectedElement:
        return cls(
            element=ElementRefType.from_model(a.element),
            distance=a.distance,
            path=[PathStep.from_model(s) for s in a.path],
            path_text=a.path_text,
        )


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


@strawberry.type(description="What a change to an element affects.")
class ImpactAnswer:
    element: ElementRefType
    max_depth: int
    streams: list[AffectedElement]
    capabilities: list[AffectedElement]
    platforms: list[AffectedElement]
    data_assets: list[AffectedElement]
    other: list[AffectedElement]
    teams_to_notify: list[Notice]
    people_to_notify: list[Notice]
    propagation: list[PropagationRule]

    @classmethod
    def from_model(cls, r: im.ImpactResult) -> ImpactAnswer:
        return cls(
            element=ElementRefType.from_model(r.element),
            max_depth=r.max_depth,
            streams=_affected(r.streams),
            capabilities=_affected(r.capabilities),
            platforms=_affected(r.platforms),
            data_assets=_affected(r.data_assets),
            other=_affected(r.other),
            teams_to_notify=[Notice.from_model(n) for n in r.teams_to_notify],
            people_to_notify=[Notice.from_model(n) for n in r.people_to_notify],
            propagation=PropagationRule.many(r.propagation),
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
    horizon: int
    bottlenecks: list[Bottleneck]
    clusters: list[StreamCluster]
    formula: str
    seed: int

    @classmethod
    def from_model(cls, r: bn.BottleneckReport) -> BottleneckAnswer:
        return cls(
            stream_total=r.stream_total,
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
    score: float
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
    score: float
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


def _overrides(items: list[PropagationOverride] | None) -> dict[str, str] | None:
    return {o.key: str(cast(Enum, o.flow).value) for o in items} if items else None


async def _ask(info: Info, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a question off the event loop; a bad element name becomes an error naming candidates.

    `original_error` lets app.graphql classify the error (NOT_FOUND, BAD_USER_INPUT) while
    `reason` and `candidates` tell a client what to offer instead.
    """
    try:
        result: T = await info.context.run(fn, info.context.store, *args, **kwargs)
        return result
    except ElementLookupError as exc:
        ambiguous = isinstance(exc, AmbiguousElementError)
        raise GraphQLError(
            str(exc),
            original_error=exc if ambiguous else NotFoundError(str(exc)),
            extensions={
                "reason": "ambiguous_element" if ambiguous else "unknown_element",
                "candidates": [c.model_dump() for c in exc.candidates],
            },
        ) from exc


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
        result = await _ask(
            info,
            im.impact,
            element,
            max_depth=max_depth,
            rel_types=relationship_types,
            overrides=_overrides(propagation),
        )
        return ImpactAnswer.from_model(result)

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
            max_depth=max_depth,
            rel_types=relationship_types,
            overrides=_overrides(propagation),
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
            max_depth=max_depth,
            rel_types=relationship_types,
            overrides=_overrides(propagation),
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


@strawberry.type
class QuestionsMutation:
    pass
