"""The dependency graph with its nodes numbered: what the whole-graph analyses share.

`Projection.indexed` builds it once per projection (a projection is read-only once built):
the nodes in the graph's order, the edges as pairs of numbers in the graph's order, an
igraph copy for the algorithms igraph runs in C (betweenness, strongly connected
components), and for every node the value streams it reaches. The bottleneck ranking, the
health checks and a scenario's losses used to search the networkx graph for these, each
on its own; on a 100k-element model that was most of their time.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property

import igraph
import networkx as nx


class IndexedGraph:
    """`graph`'s nodes numbered in its order (`ids`, `index`) and its edges as numbers."""

    def __init__(self, graph: nx.DiGraph) -> None:
        self.ids: list[str] = list(graph._node)
        self.index: dict[str, int] = {v: i for i, v in enumerate(self.ids)}
        index = self.index
        # In `graph.edges()`' order: igraph numbers edges as given, and the betweenness
        # sums over them in that order.
        self.edges: list[tuple[int, int]] = [
            (index[u], index[v]) for u, nbrs in graph._adj.items() for v in nbrs
        ]

    @cached_property
    def igraph(self) -> igraph.Graph:
        return igraph.Graph(n=len(self.ids), edges=self.edges, directed=True)

    @cached_property
    def component(self) -> list[int]:
        """Each node's strongly connected component (numbers, not in any particular order)."""
        membership: list[int] = self.igraph.connected_components(mode="strong").membership
        return membership

    def strong_components(self) -> list[set[str]]:
        """The strongly connected components, as sets of ids (in no particular order)."""
        members: dict[int, set[str]] = {}
        for node, c in zip(self.ids, self.component, strict=True):
            members.setdefault(c, set()).add(node)
        return list(members.values())

    def reach_masks(self, targets: Iterable[str]) -> list[int]:
        """For each node (by number), the `targets` it reaches at any distance, itself
        included, as the bits of an integer (bit i: the i-th target).

        One pass over the condensation, from its sinks up, instead of a search per node."""
        component = self.component
        count = max(component, default=-1) + 1
        own = [0] * count
        for i, target in enumerate(targets):
            own[component[self.index[target]]] |= 1 << i
        links = {(component[u], component[v]) for u, v in self.edges}
        links = {(a, b) for a, b in links if a != b}
        dag = igraph.Graph(n=count, edges=sorted(links), directed=True)
        successors: list[list[int]] = dag.get_adjlist(mode="out")
        bits = own
        for c in reversed(dag.topological_sorting(mode="out")):
            value = bits[c]
            for d in successors[c]:
                value |= bits[d]
            bits[c] = value
        return [bits[c] for c in component]
