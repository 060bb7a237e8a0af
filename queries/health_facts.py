"""The facts the health checks read: one shape, produced two ways.

`queries.health.health_facts` reads them from Neo4j; an in-memory model
(`queries.model_graph.ModelGraph.health_facts`) computes the same facts for what-if
scenarios. Both take them to `queries.health`'s one code path, so neither producer
depends on the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graph.labels import CAPABILITY, DATA, PLATFORM, STREAM, TEAM, node_prop
from graph.lifecycle import END_OF_LIFE, PHASE_OUT, field_of


@dataclass(frozen=True)
class HealthFacts:
    """What the checks read: the answers of `queries.health`'s queries, ordered lists as
    rows in the queries' order and the rest as sets."""

    counts: dict[str, int]
    streams_without_accountable: list[dict[str, Any]]
    streams_project_funded_only: list[dict[str, Any]]
    streams_without_substance: list[dict[str, Any]]
    unowned: list[dict[str, Any]]
    requirements: set[tuple[str, str]]  # (stream, capability)
    capability_platforms: set[tuple[str, str]]  # (capability, platform)
    platform_dependencies: set[tuple[str, str]]  # (platform, platform it needs)
    platform_owners: dict[str, set[str]]  # platform -> teams owning it
    capability_children: set[tuple[str, str]]  # (parent, child)
    served: dict[str, set[str]]  # team -> streams it supports (queries.projection)
    # platform -> its phase-out and end-of-life days, for platforms with either
    platform_lifecycle: dict[str, dict[str, str]]
    # (element, element it needed): needs a what-if scenario took away without a
    # replacement (queries.scenarios.losses). A stored model has none: its relationships
    # cannot point at an element that is gone.
    lost_needs: frozenset[tuple[str, str]] = field(default=frozenset())


# The element types the health report counts.
COUNTED = (STREAM, TEAM, PLATFORM, DATA, CAPABILITY)

# The platform lifecycle dates the health checks read (the phases a stream should not
# depend on).
PLATFORM_RETIREMENT: tuple[str, ...] = tuple(
    node_prop(PLATFORM, field_of(phase)) for phase in (PHASE_OUT, END_OF_LIFE)
)
