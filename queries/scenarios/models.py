"""What the interfaces show of scenarios (pydantic answers), and the errors they raise."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field, PrivateAttr

from graph.store import ConflictError, NotFoundError
from queries import bottlenecks as bn
from queries import impact as im
from queries.resolve import ElementRef

# -- errors -------------------------------------------------------------------------------


class ScenarioNotFoundError(NotFoundError):
    pass


class ScenarioConflictError(ConflictError):
    """The name is taken, the scenario is applied already, or it changed meanwhile."""


# -- what the interfaces show ---------------------------------------------------------------


class ScenarioStatus(StrEnum):
    OPEN = "open"
    APPLIED = "applied"


class OperationView(BaseModel):
    """An operation of a scenario: its position, kind, a readable line and its fields."""

    index: int
    op: str
    text: str
    operation: dict[str, Any]


class ScenarioSummary(BaseModel):
    name: str
    description: str
    status: ScenarioStatus
    operation_count: int
    created_at: str
    updated_at: str
    created_by: str | None = None
    applied_at: str | None = None
    applied_by: str | None = None
    effective_date: str | None = Field(
        default=None,
        description="The day the scenario is due to take effect (YYYY-MM-DD): a step of "
        "the roadmap. Null: undated, not on the roadmap.",
    )


class ScenarioView(ScenarioSummary):
    """A scenario with its operations; `problem` says why they no longer apply to the
    current base model (an element they name was deleted since), if they do not."""

    operations: list[OperationView]
    problem: str | None = Field(
        default=None,
        description="Why the operations no longer apply to the base model, if they do not.",
    )


class StreamChange(StrEnum):
    ADDED = "added"  # affected in the scenario only
    REMOVED = "removed"  # affected in the base only: decoupled, or the element replaced
    LOST = "lost"  # affected in the base only, and the stream loses something it needs
    CLOSER = "closer"
    FURTHER = "further"
    SAME = "same"


# The order a comparison lists its streams in, on every surface and every page: what a
# stream loses first, then what changes, the unchanged last (the explorer's panel, and the
# graph that draws its first page, show them so).
CHANGE_ORDER = (
    StreamChange.LOST,
    StreamChange.ADDED,
    StreamChange.REMOVED,
    StreamChange.CLOSER,
    StreamChange.FURTHER,
    StreamChange.SAME,
)


class StreamImpactDelta(BaseModel):
    element: ElementRef
    base_distance: int | None
    scenario_distance: int | None
    change: StreamChange
    base_path: str
    scenario_path: str
    # Each side's explaining path hop by hop (empty where that side does not reach the
    # stream): GraphQL serves them with a page of deltas, so the graph draws the page's
    # paths without each side's whole list of streams; REST and the CLI say the text.
    _steps: tuple[list[im.Step], list[im.Step]] = PrivateAttr(default=([], []))

    def steps(self, side: Literal["base", "scenario"]) -> list[im.Step]:
        return self._steps[0 if side == "base" else 1]

    def order(self) -> tuple[int, int, str, str]:
        """Where it comes in the list: by change (`CHANGE_ORDER`), then distance (the
        scenario's where it reaches the stream), then name (case folded), then id."""
        distance = (
            self.scenario_distance if self.scenario_distance is not None else self.base_distance
        )
        return (
            CHANGE_ORDER.index(self.change),
            distance if distance is not None else 0,
            self.element.name.lower(),
            self.element.id,
        )


class StreamChangeCounts(BaseModel):
    """How many of a comparison's streams change each way (the lengths of its list's parts)."""

    lost: int
    added: int
    removed: int
    closer: int
    further: int
    same: int


# How long each list of a scenario comparison's impact is at most (REST and the CLI; GraphQL
# pages as its impact answer does): a platform everything uses reaches tens of thousands
# of elements, each with its explaining path, and the counts say how many in all.
IMPACT_PAGE = 500


class ImpactComparison(BaseModel):
    """The impact of one element, in the base and in the scenario (null where absent)."""

    element: ElementRef
    in_base: bool
    in_scenario: bool
    base_stream_count: int
    scenario_stream_count: int
    base_affected_count: int
    scenario_affected_count: int
    streams: list[StreamImpactDelta] = Field(
        description="Every stream either side reaches: those that lose it first, then those "
        "added, removed, closer, further, and the same last; each by distance (the "
        "scenario's where it reaches the stream), then name."
    )
    base: im.ImpactResult | None = Field(
        description="The impact in the base: `counts` complete; in a scenario comparison "
        f"each list is its first page (at most {IMPACT_PAGE}, nearest first; GraphQL pages "
        "on with `offset`), else the whole list."
    )
    scenario: im.ImpactResult | None = Field(
        description="The impact in the scenario, paged as `base`."
    )
    # The walks the sides were answered from, when kept (a scenario comparison's): every
    # page of either side is made from them on request, rather than tens of thousands of
    # explaining paths made for each comparison whether they are read or not.
    _walks: tuple[im.ImpactWalk | None, im.ImpactWalk | None] = PrivateAttr(default=(None, None))

    def walk_of(self, side: Literal["base", "scenario"]) -> im.ImpactWalk | None:
        """The side's walk, when kept (`base` and `scenario` are then its first pages)."""
        return self._walks[0 if side == "base" else 1]

    def change_counts(self) -> StreamChangeCounts:
        counts = dict.fromkeys(StreamChange, 0)
        for d in self.streams:
            counts[d.change] += 1
        return StreamChangeCounts(**{c.value: n for c, n in counts.items()})


class RankChange(StrEnum):
    ADDED = "added"  # ranked in the scenario only (a new team or platform)
    REMOVED = "removed"  # ranked in the base only
    HIGHER = "higher"  # a bigger bottleneck in the scenario
    LOWER = "lower"
    SAME = "same"


class BottleneckDelta(BaseModel):
    element: ElementRef
    change: RankChange
    base_rank: int | None
    scenario_rank: int | None
    rank_change: int | None = Field(
        description="Base rank minus scenario rank: positive when it climbs."
    )
    base_score: float | None
    scenario_score: float | None
    score_delta: float
    base_stream_count: int | None
    scenario_stream_count: int | None


class BottleneckComparison(BaseModel):
    """The elements ranked within `limit` on either side, scenario order first."""

    limit: int
    base_stream_total: int
    scenario_stream_total: int
    rows: list[BottleneckDelta]
    base_clusters: list[bn.StreamCluster]
    scenario_clusters: list[bn.StreamCluster]
    formula: str


class HealthCheckDelta(BaseModel):
    id: str
    title: str
    unit: str = Field(description="What the offending counts count (as in the health report).")
    base_score: float | None  # None: not applicable on that side
    scenario_score: float | None
    score_delta: float | None
    base_offending: int
    scenario_offending: int
    resolved: list[ElementRef] = Field(description="Offending in the base, not in the scenario.")
    introduced: list[ElementRef] = Field(description="Offending in the scenario, not in the base.")


class HealthComparison(BaseModel):
    base_score: float | None
    scenario_score: float | None
    score_delta: float | None
    checks: list[HealthCheckDelta]


class LostNeed(BaseModel):
    """Something an element needed (REQUIRES, USES, DEPENDS_ON, READS) that the scenario
    takes away without a replacement; named as the base knows them."""

    element: ElementRef
    relationship: str
    needed: ElementRef
    removed: bool = Field(
        description="The needed element is gone from the scenario (else only the relationship)."
    )
    streams: list[ElementRef] = Field(
        description="Value streams resting on `element` in the base: they lose it too."
    )
    stream_count: int = Field(
        description="How many value streams rest on `element` (the length of `streams`)."
    )


class Losses(BaseModel):
    """What the scenario takes away from what streams need: never an improvement."""

    needs: list[LostNeed]
    streams: list[ElementRef] = Field(
        description="Every value stream that loses something it needs, directly or through "
        "what it rests on."
    )
    capabilities: list[ElementRef] = Field(
        description="Capabilities left with no working platform: each platform delivering "
        "them is gone or lost something it needed."
    )


class ScenarioComparison(BaseModel):
    scenario: ScenarioView
    impact: ImpactComparison | None
    losses: Losses
    bottlenecks: BottleneckComparison | None = Field(
        description="Null while the ranking is pending: the scenario's bottleneck ranking "
        "is still being computed (asked without waiting for it)."
    )
    ranking_pending: bool = Field(
        default=False,
        description="The bottleneck comparison is not in this answer yet: ask again "
        "(waiting) for it. Every other number here is final.",
    )
    health: HealthComparison

    def ranked(self) -> BottleneckComparison:
        """The bottleneck comparison of a whole answer (one asked waiting for it)."""
        if self.bottlenecks is None:
            raise ValueError("the scenario's bottleneck ranking is still pending")
        return self.bottlenecks


class RelationshipChange(BaseModel):
    id: str | None
    type: str
    source: str
    target: str
    text: str


class ApplyResult(BaseModel):
    scenario: ScenarioSummary
    elements_added: list[ElementRef]
    elements_removed: list[ElementRef]
    elements_changed: list[ElementRef]
    relationships_added: list[RelationshipChange]
    relationships_removed: list[RelationshipChange]
