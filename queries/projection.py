"""The dependency graph as an in-memory projection, for analytics that need the whole graph.

Two reads (nodes, then the relationships the propagation table can carry) build a
networkx `DiGraph` with an edge u → v whenever a change to u affects v. Betweenness,
reachability, community detection, strongly connected components and the single point
of failure check all run on it in Python; Neo4j is only asked for the projection. What
several analyses need of the whole graph (its nodes numbered, an igraph copy, strong
components, the streams each node reaches) is worked out once per projection
(`Projection.indexed`, `stream_masks`; `queries.projection_index`). A what-if scenario's
projection is derived from the base model's (`derive`) rather than built anew.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
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
    # The projection this one was derived from by removals only (`derive`): its nodes and
    # edges are a subset of that one's, so its strong components lie within that one's.
    within: Projection | None = field(default=None, repr=False, compare=False)

    def of_type(self, label: str) -> list[str]:
        return list(self._by_type.get(label, ()))

    @cached_property
    def _by_type(self) -> dict[str, list[str]]:
        """Node ids by type, each type's sorted (the health checks ask for several types
        of a 100k-node projection)."""
        grouped: dict[str, list[str]] = {}
        for i, ref in self.nodes.items():
            grouped.setdefault(ref.type, []).append(i)
        for ids in grouped.values():
            ids.sort()
        return grouped

    def ref(self, node_id: str) -> ElementRef:
        return self.nodes[node_id]

    # Worked out once per projection, for every analysis that asks (a projection is not
    # changed once built).

    @cached_property
    def indexed(self) -> IndexedGraph:
        return IndexedGraph(self.graph)

    @cached_property
    def cyclic_stream_components(self) -> list[set[str]]:
        """The strong components holding two value streams or more (in no particular
        order). Derived by removals only from a projection whose own are known, searched
        for within those only: a removal splits components, never joins them."""
        streams = set(self.of_type(STREAM))
        within = self.within
        if within is not None and "cyclic_stream_components" in within.__dict__:
            found: list[set[str]] = []
            for component in within.cyclic_stream_components:
                left = self.graph.subgraph(c for c in component if c in self.nodes)
                found += [
                    set(c) for c in nx.strongly_connected_components(left) if len(c & streams) >= 2
                ]
            return found
        return [c for c in self.indexed.strong_components() if len(c & streams) >= 2]

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
        found = []
        while mask:  # one step per bit set, lowest first (a mask has hundreds of bits)
            low = mask & -mask
            found.append(streams[low.bit_length() - 1])
            mask ^= low
        return found


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


# A node as `build_from` takes it: (id, type, props); a relationship: (source, target,
# type, original type, access type).
NodeTuple = tuple[Any, Any, Mapping[str, Any]]
RelTuple = tuple[Any, Any, Any, Any, Any]


def load_projection(store: GraphStore, table: PropagationTable) -> Projection:
    types = sorted(
        set(table.types_carrying(from_source=True)) | set(table.types_carrying(from_source=False))
    )
    nodes = store.read(PROJECTION_NODE_LISTS)[0]["rows"]
    rels = store.read(PROJECTION_REL_LISTS, {"types": types})[0]["rows"]
    return build_from(
        ((r[0], r[1], dict(zip(PROJECTED_PROPS, r[2:], strict=True))) for r in nodes),
        ((r[0], r[1], r[2], r[3], r[4]) for r in rels),
        table,
    )


def build_projection(
    node_rows: Iterable[Mapping[str, Any]],
    rel_rows: Iterable[Mapping[str, Any]],
    table: PropagationTable,
) -> Projection:
    """The projection from rows shaped like PROJECTION_NODES' and PROJECTION_RELS' answers."""
    return build_from(
        ((r["id"], r["type"], r["props"]) for r in node_rows),
        (
            (r["source"], r["target"], r["type"], r["original_type"], r["access_type"])
            for r in rel_rows
        ),
        table,
    )


def build_from(
    node_rows: Iterable[NodeTuple], rel_rows: Iterable[RelTuple], table: PropagationTable
) -> Projection:
    """The projection from nodes and relationships as tuples (`NodeTuple`, `RelTuple`).

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
    for node_id, node_type, node_props in sorted(
        (r for r in node_rows if r[0] is not None), key=_first
    ):
        nodes[node_id] = ElementRef(id=node_id, type=node_type, name=node_props["name"] or node_id)
        props[node_id] = dict(node_props)
    # The graph's own dicts filled as `add_nodes_from` and `add_edges_from` fill them (an
    # attribute dict per node, one per edge shared by both ends), several times faster.
    node_attrs, succ, pred = graph._node, graph._adj, graph._pred
    for node_id in nodes:
        succ[node_id] = {}
        pred[node_id] = {}
        node_attrs[node_id] = {}
    budget.check()
    # Elements a change does not enter: no edge leads into them.
    inert = {i for i, p in props.items() if table.inert(_text(p.get(ARCHIMATE_TYPE.name)))}
    # Edges are collected first (first-insertion order, lowest cost per pair) and added
    # after: the same graph, in the same order, as adding them one by one.
    costs: dict[tuple[str, str], int] = {}
    rules: dict[tuple[Any, Any, Any], tuple[Flow, int]] = {}
    forward, reverse = (Flow.FORWARD, Flow.BOTH), (Flow.REVERSE, Flow.BOTH)
    for source, target, rel_type, original_type, access_type in sorted(rel_rows, key=_rel_order):
        if source not in nodes or target not in nodes:
            continue
        flow, cost = _rule(rules, table, (rel_type, original_type, access_type))
        if flow in forward and target not in inert:
            _add(costs, source, target, cost)
        if flow in reverse and source not in inert:
            _add(costs, target, source, cost)
    budget.check()
    # One attribute dict per cost, shared by the edges of that cost rather than one per
    # edge (a projection is read-only): hundreds of thousands fewer objects to allocate
    # and for the cyclic collector to walk.
    attrs = {0: {"cost": 0}, 1: {"cost": 1}}
    for (u, v), cost in costs.items():
        succ[u][v] = pred[v][u] = attrs[cost]
    return Projection(graph, nodes, props)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _first(r: NodeTuple) -> Any:
    return r[0]


def _rule(
    rules: dict[tuple[Any, Any, Any], tuple[Flow, int]],
    table: PropagationTable,
    kind: tuple[Any, Any, Any],
) -> tuple[Flow, int]:
    """The flow and cost of a relationship kind (type, original type, access type), looked
    up in `table` once per kind and kept in `rules`."""
    rule = rules.get(kind)
    if rule is None:
        key = rel_key(*kind)
        rule = rules[kind] = (table.flow(key), 0 if key in PART_OF_KEYS else 1)
    return rule


def _rel_order(r: RelTuple) -> tuple[str, ...]:
    return (r[0], r[1], r[2], r[3] or "", r[4] or "")


def _add(costs: dict[tuple[str, str], int], u: str, v: str, cost: int) -> None:
    """One edge per ordered pair; `cost` 0 when some relationship between them is part-of."""
    known = costs.get((u, v))
    costs[(u, v)] = cost if known is None else min(known, cost)


def streams_served_directly(store: GraphStore) -> dict[str, set[str]]:
    """Team id → ids of the streams it supports, directly or through a stage."""
    return {r["team"]: set(r["streams"]) for r in store.read(SERVED_DIRECTLY)}


def derive(
    base: Projection,
    nodes_changed: Mapping[str, NodeTuple | None],
    touched: Iterable[str],
    rels_of: Callable[[str], Iterable[RelTuple]],
    table: PropagationTable,
    pruned: Iterable[str] = (),
) -> Projection:
    """The projection `build_from` gives a changed model, derived from the projection of
    the model before (`base`, under the same `table`) instead of built anew.

    `nodes_changed`: the nodes added, removed (None) or with other properties or type;
    `touched`: every node some relationship of which was added, removed or changed, and
    the node and neighbours (before and after) of each whose inertness changed;
    `rels_of(x)`: the changed model's relationships of node x (carried types at least);
    `pruned`: nodes whose only change is relationships lost with a removed node (their
    edges are the base's, less those to removed nodes: removing a platform everything
    uses touches tens of thousands of nodes, each otherwise rederived from its
    relationships).

    A node's edges come from its own relationships only, each pair of nodes at the place
    of the first row (`_rel_order`) that makes it, so an untouched node keeps its edges,
    in their order, and a touched one gets them from its relationships, sorted as
    `build_from` sorts. What did not change is shared with `base` (both read-only)."""
    nodes = dict(base.nodes)
    props = dict(base.props)
    added = False
    for node_id, row in nodes_changed.items():
        if row is None:
            nodes.pop(node_id, None)
            props.pop(node_id, None)
            continue
        added = added or node_id not in nodes
        _, node_type, node_props = row
        nodes[node_id] = ElementRef(id=node_id, type=node_type, name=node_props["name"] or node_id)
        props[node_id] = dict(node_props)
    if added:
        nodes = dict(sorted(nodes.items()))
        props = {i: props[i] for i in nodes}
    redo = {x for x in touched if x in nodes}
    graph = nx.DiGraph()
    node_attrs, succ, pred = graph._node, graph._adj, graph._pred
    base_attrs, base_succ, base_pred = base.graph._node, base.graph._adj, base.graph._pred
    if added:
        for node_id in nodes:
            if node_id in redo or node_id not in base_succ:
                succ[node_id], pred[node_id], node_attrs[node_id] = {}, {}, {}
            else:
                succ[node_id], pred[node_id] = base_succ[node_id], base_pred[node_id]
                node_attrs[node_id] = base_attrs[node_id]
    else:
        # The base's nodes in their order, less those removed: copied whole (a node's own
        # dicts stay shared), then the changed ones replaced in place.
        succ.update(base_succ)
        pred.update(base_pred)
        node_attrs.update(base_attrs)
        for node_id in nodes_changed:
            if node_id not in nodes and node_id in succ:
                del succ[node_id], pred[node_id], node_attrs[node_id]
        for node_id in redo:
            succ[node_id], pred[node_id], node_attrs[node_id] = {}, {}, {}
    # A pruned node's edges less those to removed nodes: its dicts copied and the few
    # removed taken out (the base's nodes not in `nodes`), rather than every edge tested.
    gone = [i for i in nodes_changed if i not in nodes and i in base_succ]
    for node_id in pruned:
        if node_id in nodes and node_id not in redo and node_id in base_succ:
            succ[node_id] = _without(base_succ[node_id], gone, nodes)
            pred[node_id] = _without(base_pred[node_id], gone, nodes)
    budget.check()
    # Nothing added, no node's edges found anew, no node of another type: a subgraph of
    # `base`, its nodes of the same types.
    removals_only = (
        not added
        and not redo
        and all(row is None or row[1] == base.nodes[i].type for i, row in nodes_changed.items())
    )

    def inert(node_id: str) -> bool:
        return table.inert(_text(props[node_id].get(ARCHIMATE_TYPE.name)))

    rules: dict[tuple[Any, Any, Any], tuple[Flow, int]] = {}
    forward, reverse = (Flow.FORWARD, Flow.BOTH), (Flow.REVERSE, Flow.BOTH)
    attrs = {0: {"cost": 0}, 1: {"cost": 1}}
    for x in sorted(redo):
        outgoing: dict[str, tuple[tuple[str, ...], int]] = {}
        incoming: dict[str, tuple[tuple[str, ...], int]] = {}
        for rel in rels_of(x):
            source, target, rel_type, original_type, access_type = rel
            if source not in nodes or target not in nodes:
                continue
            flow, cost = _rule(rules, table, (rel_type, original_type, access_type))
            order = _rel_order(rel)
            pairs = []
            if flow in forward and not inert(target):
                pairs.append((source, target))
            if flow in reverse and not inert(source):
                pairs.append((target, source))
            for u, v in pairs:
                if u == x:
                    _first_place(outgoing, v, order, cost)
                if v == x:
                    _first_place(incoming, u, order, cost)
        for v in sorted(outgoing, key=lambda v: outgoing[v][0]):
            succ[x][v] = attrs[outgoing[v][1]]
        for u in sorted(incoming, key=lambda u: incoming[u][0]):
            pred[x][u] = attrs[incoming[u][1]]
    return Projection(graph, nodes, props, within=base if removals_only else None)


def _without(edges: dict[str, Any], gone: list[str], nodes: Mapping[str, Any]) -> dict[str, Any]:
    """`edges` less the nodes not in `nodes`, in their order; `gone`: the base's nodes
    not in `nodes` (every one, when it is shorter than `edges`)."""
    if len(gone) < len(edges):
        kept = dict(edges)
        for node_id in gone:
            kept.pop(node_id, None)
        return kept
    return {v: a for v, a in edges.items() if v in nodes}


def _first_place(
    pairs: dict[str, tuple[tuple[str, ...], int]], other: str, order: tuple[str, ...], cost: int
) -> None:
    """The pair's place: its first row's; its cost: the lowest of its rows'."""
    known = pairs.get(other)
    pairs[other] = (order, cost) if known is None else (min(known[0], order), min(known[1], cost))
