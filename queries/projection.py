"""The dependency graph as an in-memory projection, for analytics that need the whole graph.

Two reads (nodes, then the relationships the propagation table can carry) build a
networkx `DiGraph` with an edge u → v whenever a change to u affects v. Betweenness,
reachability, community detection, strongly connected components and the single point
of failure check all run on it in Python; Neo4j is only asked for the projection.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import networkx as nx

from graph.labels import HAS_STAGE, STAGE, STREAM, SUPPORTS, TEAM, node_prop, type_of
from graph.schema import ARCHIMATE_TYPE, ELEMENT_LABEL
from graph.store import GraphStore
from queries import budget
from queries.projection_index import IndexedGraph
from queries.propagation import PART_OF_KEYS, Flow, PropagationTable, rel_key
from queries.resolve import ElementRef

# The node properties the analytics read.
PROJECTED_PROPS = (
    "name",
    node_prop(TEAM, "team_type"),
    node_prop(TEAM, "capacity"),
    ARCHIMATE_TYPE.name,  # a change does not enter some ArchiMate types (`ELEMENT:` rules)
)

PROJECTION_NODES = f"""
MATCH (n:{ELEMENT_LABEL})
RETURN n.id AS id, {type_of("n")} AS type,
       n {{{", ".join(f".{p}" for p in PROJECTED_PROPS)}}} AS props
"""

PROJECTION_RELS = f"""
MATCH (a:{ELEMENT_LABEL})-[r]->(b:{ELEMENT_LABEL})
WHERE type(r) IN $types
RETURN a.id AS source, b.id AS target, type(r) AS type,
       r.original_type AS original_type, r.access_type AS access_type
"""


# Streams a team works for: supported directly, or through one of the stream's stages.
SERVED_DIRECTLY = f"""
MATCH (t:{TEAM})-[:{SUPPORTS}]->(x:{ELEMENT_LABEL})
OPTIONAL MATCH (s:{STREAM})-[:{HAS_STAGE}]->(x:{STAGE})
WITH t, CASE WHEN x:{STREAM} THEN x ELSE s END AS stream
WHERE stream IS NOT NULL
RETURN t.id AS team, collect(DISTINCT stream.id) AS streams
"""


@dataclass
class Projection:
    """The dependency graph: `graph` has an edge u → v when a change to u affects v.

    Each edge has a `cost`: 0 when it joins a part to its whole, else 1.
    """

    graph: nx.DiGraph
    nodes: dict[str, ElementRef]
    props: dict[str, dict[str, object]] = field(default_factory=dict)

    def of_type(self, label: str) -> list[str]:
        return sorted(i for i, ref in self.nodes.items() if ref.type == label)

    def ref(self, node_id: str) -> ElementRef:
        return self.nodes[node_id]

    # Worked out once per projection, for every analysis that asks (a projection is not
    # changed once built).

    @cached_property
    def indexed(self) -> IndexedGraph:
        return IndexedGraph(self.graph)

    @cached_property
    def streams_by_name(self) -> list[str]:
        """The value streams, by name then id."""
        return sorted(self.of_type(STREAM), key=lambda s: (self.nodes[s].name, s))

    @cached_property
    def stream_masks(self) -> dict[str, int]:
        """Node -> the streams it reaches at any distance, itself included, as bits (bit i:
        `streams_by_name[i]`)."""
        indexed = self.indexed
        return dict(zip(indexed.ids, indexed.reach_masks(self.streams_by_name), strict=True))

    def streams_in(self, mask: int) -> list[str]:
        """The streams of a `stream_masks` value, by name then id."""
        streams = self.streams_by_name
        return [streams[i] for i, bit in enumerate(reversed(bin(mask))) if bit == "1"]


# The same rows as PROJECTION_NODES and PROJECTION_RELS, collected into one list each:
# receiving one record of 400k small lists is several times faster with the Python
# driver than 400k records (and their `.data()` dicts) on a 100k-element model.
PROJECTION_NODE_LISTS = f"""
MATCH (n:{ELEMENT_LABEL})
RETURN collect([n.id, {type_of("n")},
                {", ".join(f"n.{p}" for p in PROJECTED_PROPS)}]) AS rows
"""

PROJECTION_REL_LISTS = f"""
MATCH (a:{ELEMENT_LABEL})-[r]->(b:{ELEMENT_LABEL})
WHERE type(r) IN $types
RETURN collect([a.id, b.id, type(r), r.original_type, r.access_type]) AS rows
"""


def load_projection(store: GraphStore, table: PropagationTable) -> Projection:
    types = sorted(
        set(table.types_carrying(from_source=True)) | set(table.types_carrying(from_source=False))
    )
    nodes = store.read(PROJECTION_NODE_LISTS)[0]["rows"]
    rels = store.read(PROJECTION_REL_LISTS, {"types": types})[0]["rows"]
    return build_projection(
        (
            {"id": r[0], "type": r[1], "props": dict(zip(PROJECTED_PROPS, r[2:], strict=True))}
            for r in nodes
        ),
        (
            {
                "source": r[0],
                "target": r[1],
                "type": r[2],
                "original_type": r[3],
                "access_type": r[4],
            }
            for r in rels
        ),
        table,
    )


def build_projection(
    node_rows: Iterable[Mapping[str, Any]],
    rel_rows: Iterable[Mapping[str, Any]],
    table: PropagationTable,
) -> Projection:
    """The projection from rows shaped like PROJECTION_NODES' and PROJECTION_RELS' answers.

    Pure, so an in-memory model (`queries.model_graph`, what-if scenarios) builds exactly
    the graph Neo4j's rows would: rows are sorted here, whatever order they come in.
    """
    graph = nx.DiGraph()
    nodes: dict[str, ElementRef] = {}
    props: dict[str, dict[str, object]] = {}
    # Sorted insertion: networkx algorithms iterate in insertion order, and seeded
    # community detection is only reproducible if that order is.
    # Nodes and relationships are read in two statements while others write: a node
    # deleted in between reads back without an id, and a relationship may then name an
    # end that is gone. Both are skipped: the projection is of what exists.
    for r in sorted((r for r in node_rows if r["id"] is not None), key=lambda r: r["id"]):
        nodes[r["id"]] = ElementRef(id=r["id"], type=r["type"], name=r["props"]["name"] or r["id"])
        props[r["id"]] = dict(r["props"])
    graph.add_nodes_from(nodes)
    budget.check()
    # Elements a change does not enter: no edge leads into them.
    inert = {i for i, p in props.items() if table.inert(_text(p.get(ARCHIMATE_TYPE.name)))}
    # Edges are collected first (first-insertion order, lowest cost per pair) and added in
    # one call: the same graph, in the same order, as adding them one by one.
    costs: dict[tuple[str, str], int] = {}
    rules: dict[tuple[Any, Any, Any], tuple[Flow, int]] = {}
    for r in sorted(rel_rows, key=_rel_order):
        if r["source"] not in nodes or r["target"] not in nodes:
            continue
        kind = (r["type"], r["original_type"], r["access_type"])
        rule = rules.get(kind)
        if rule is None:
            key = rel_key(*kind)
            rule = rules[kind] = (table.flow(key), 0 if key in PART_OF_KEYS else 1)
        flow, cost = rule
        if flow in (Flow.FORWARD, Flow.BOTH) and r["target"] not in inert:
            _add(costs, r["source"], r["target"], cost)
        if flow in (Flow.REVERSE, Flow.BOTH) and r["source"] not in inert:
            _add(costs, r["target"], r["source"], cost)
    budget.check()
    graph.add_edges_from((u, v, {"cost": cost}) for (u, v), cost in costs.items())
    return Projection(graph, nodes, props)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _rel_order(r: Mapping[str, Any]) -> tuple[str, ...]:
    return (r["source"], r["target"], r["type"], r["original_type"] or "", r["access_type"] or "")


def _add(costs: dict[tuple[str, str], int], u: str, v: str, cost: int) -> None:
    """One edge per ordered pair; `cost` 0 when some relationship between them is part-of."""
    known = costs.get((u, v))
    costs[(u, v)] = cost if known is None else min(known, cost)


def streams_served_directly(store: GraphStore) -> dict[str, set[str]]:
    """Team id → ids of the streams it supports, directly or through a stage."""
    return {r["team"]: set(r["streams"]) for r in store.read(SERVED_DIRECTLY)}
