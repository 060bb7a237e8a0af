"""What a scenario's dependency graph changed of its base's, and its numbered graph from that.

A scenario's bottleneck ranking (`queries.bottlenecks`) takes most of its answer from its
base's: each stream's search mended where the scenario took edges away, the betweenness
summed from the base's kept runs except for the sources that reach what changed. What is
left asks three things of the scenario's graph against the base's, each of which used to
be found on its own: the nodes whose edges out changed (and what reaches them: the
sources searched again), the nodes whose edges in changed (the heads of removed edges),
and the graph numbered with an igraph copy (`IndexedGraph`), which igraph's betweenness
runs on. On a 100k-element model the last was a third of the ranking: 388k edges numbered
in Python and copied into igraph, for a graph that differs from the base's in a few
hundred edges.

A derived projection (`queries.projection.derive`) shares with its base every node's edge
dicts it did not change, so one pass over the nodes (`Changes`) finds what may differ,
comparing only the dicts that are not the base's. The scenario's igraph copy is then the
base's, less the edges and nodes the scenario took away and with the ones it added,
renumbered in the scenario's order (`derived_index`): the same vertices in the same order,
with the same edges. Only the edges' own numbering may differ, which igraph's algorithms do
not see (each vertex's neighbours are kept sorted by number). Any projection works: one
built anew shares no dict with its base, so every node's are compared (slower, the same
answer); past a fifth of the nodes changed the index is built anew, as
`Projection.indexed` builds it.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass
from functools import cache, cached_property
from itertools import compress
from operator import is_not
from typing import Any

import igraph

from queries.betweenness import reaching
from queries.projection import Projection
from queries.projection_index import IndexedGraph

# Past this share of the base's nodes with other edges out (or added, or removed), the
# scenario's index is built anew: editing the base's copy would not be cheaper.
DERIVE_AT_MOST = 0.2
# Past this many nodes added and removed, `changes` looks each node up in the base's dicts
# rather than lining the two graphs' nodes up.
ALIGN_AT_MOST = 64


@dataclass(frozen=True)
class Changes:
    """What scenario projection `p` changed of its base's graph (found by `changes`)."""

    # Sets (read-only), not frozensets: `dict.keys() & s` iterates the smaller of the two
    # only when `s` is exactly a set, and the heads of a large removal are tens of thousands.
    gone: set[str]  # the base's nodes `p` does not have
    new: tuple[str, ...]  # `p`'s nodes the base does not have, in `p`'s order
    tails: tuple[str, ...]  # nodes of both with other edges out (or costs), in `p`'s order
    heads: set[str]  # nodes whose edges in may differ (not the base's dict), gone, new
    retyped: tuple[str, ...]  # nodes of both with another type


def changes(p: Projection, base: Projection) -> Changes:
    """One pass over `p`'s nodes: a node whose dict of edges out (in) is the base's has the
    base's edges out (in); the others' are compared (out) or counted as changed (in).

    On a 100k-node model, looking each node up in the base's dicts (hashing, a cache miss
    each) was most of the pass; a scenario adds or removes a few nodes, so the two graphs'
    nodes are lined up instead (`_lined_up`) and their dicts compared in order, pointer
    with pointer (C-level maps); only the nodes singled out are looked at in Python."""
    succ, pred = p.graph._adj, p.graph._pred
    base_succ, base_pred = base.graph._adj, base.graph._pred
    refs, base_refs = p.nodes, base.nodes
    ids, base_ids = list(succ), list(base_succ)
    lined = _lined_up(base_ids, ids, succ, base_succ)
    if lined is None:
        fresh: set[str] = succ.keys() - base_succ.keys()
        gone: set[str] = base_succ.keys() - succ.keys()
    else:
        fresh = {ids[j] for j in lined[1]}
        gone = {base_ids[i] for i in lined[0]}
    new = [v for v in ids if v in fresh] if fresh else []

    def mine(d: dict[str, Any]) -> Iterable[Any]:
        """`d`'s values for `ids`, in their order."""
        return d.values() if list(d) == ids else map(d.__getitem__, ids)

    def base_s(d: dict[str, Any]) -> Iterable[Any]:
        """The base's `d`'s values for `ids`, in their order (None for the new nodes)."""
        if lined is None or list(d) != base_ids:
            return map(d.get, ids)
        values: list[Any] = list(d.values())
        for i in reversed(lined[0]):
            del values[i]
        for j in lined[1]:
            values.insert(j, None)
        return values

    tails = [
        v
        for v in compress(ids, map(is_not, mine(succ), base_s(base_succ)))
        if v not in fresh and succ[v] != base_succ[v]
    ]
    heads = set(compress(ids, map(is_not, mine(pred), base_s(base_pred))))
    retyped = [
        v
        for v in compress(ids, map(is_not, mine(refs), base_s(base_refs)))
        if v not in fresh and refs[v].type != base_refs[v].type
    ]
    heads |= gone  # the new nodes are among them already (no edges in in the base)
    return Changes(gone, tuple(new), tuple(tails), heads, tuple(retyped))


def _lined_up(
    base_ids: list[str], ids: list[str], has: Container[str], base_has: Container[str]
) -> tuple[list[int], list[int]] | None:
    """Where `ids` is `base_ids` with some removed (their places in `base_ids`) and some
    added (their places in `ids`); None when the common nodes are in another order, or
    past `ALIGN_AT_MOST` nodes added and removed. `has`, `base_has`: the nodes of each."""
    gone: list[int] = []
    added: list[int] = []
    i = j = 0
    while True:
        same = _common_run(base_ids, i, ids, j)
        i, j = i + same, j + same
        if i == len(base_ids) and j == len(ids):
            return gone, added
        if len(gone) + len(added) >= ALIGN_AT_MOST:
            return None
        if i < len(base_ids) and base_ids[i] not in has:
            gone.append(i)
            i += 1
        elif j < len(ids) and ids[j] not in base_has:
            added.append(j)
            j += 1
        else:
            return None


def _common_run(a: list[str], i: int, b: list[str], j: int) -> int:
    """How many nodes `a` and `b` have alike from `i` and `j` on: slices compared in C
    (pointers first), halving the part in doubt (linear in the run)."""
    hi = min(len(a) - i, len(b) - j)
    if a[i : i + hi] == b[j : j + hi]:
        return hi
    lo = 0  # the first `lo` are alike, the first `hi` are not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if a[i + lo : i + mid] == b[j + lo : j + mid]:
            lo = mid
        else:
            hi = mid
    return lo


def changed_sources(p: Projection, base: Projection, found: Changes) -> set[str]:
    """`ScenarioSums.changed_sources(p)` (`queries.betweenness`) from `found`: the nodes
    reaching (in the base) a node whose edges out or type `p` changed, and `p`'s new
    nodes."""
    # A removed node's predecessors lost an edge: they are among the tails.
    return reaching(base.graph._pred, [*found.tails, *found.retyped, *found.new])


class DerivedIndex(IndexedGraph):
    """`IndexedGraph(p.graph)` found from the base's: its nodes numbered in `p`'s order, and
    its igraph copy edited from the base's. The edges as numbers (which the scenario's
    ranking does not read) are listed when first asked, as `IndexedGraph` lists them."""

    def __init__(self, p: Projection, graph: igraph.Graph) -> None:
        self._graph = p.graph
        self.ids = list(p.graph._node)
        self.index = dict(zip(self.ids, range(len(self.ids)), strict=True))
        self.__dict__["igraph"] = graph

    @cached_property
    def edges(self) -> list[tuple[int, int]]:  # type: ignore[override]
        index = self.index
        return [(index[u], index[v]) for u, nbrs in self._graph._adj.items() for v in nbrs]


def derived_index(p: Projection, base: Projection, found: Changes) -> IndexedGraph:
    """`p`'s index (`Projection.indexed`), derived from the base's when `p` changed few of
    its nodes, and kept as `p`'s (a projection is read-only: it is the one `p` would
    build)."""
    known = p.__dict__.get("indexed")
    if isinstance(known, IndexedGraph):
        return known
    moved = len(found.tails) + len(found.new) + len(found.gone)
    kept = base.__dict__.get("indexed")
    if moved > DERIVE_AT_MOST * max(1, len(base.nodes)) or "igraph" not in vars(kept or p):
        return p.indexed  # anew (or the base has no igraph copy to edit)
    indexed = DerivedIndex(p, _edited(p, base, found))
    p.__dict__["indexed"] = indexed  # what `Projection.indexed` caches
    return indexed


def _edited(p: Projection, base: Projection, found: Changes) -> igraph.Graph:
    """The base's igraph copy with `p`'s edges and vertices, numbered in `p`'s order."""
    succ, base_succ = p.graph._adj, base.graph._adj
    at = base.indexed.index
    gone = found.gone
    dropped: list[tuple[int, int]] = []  # in the base's numbering
    added: list[tuple[str, str]] = []
    for v in found.tails:
        out, then = succ[v], base_succ[v]
        # Edges into a removed node go with it.
        dropped += [(at[v], at[w]) for w in then if w not in out and w not in gone]
        added += [(v, w) for w in out if w not in then]
    for v in found.new:
        added += [(v, w) for w in succ[v]]
    graph: igraph.Graph = base.indexed.igraph.copy()
    if dropped:
        graph.delete_edges(graph.get_eids(pairs=dropped, directed=True))
    if gone:
        # The others keep their order, numbered from 0 again.
        graph.delete_vertices(sorted(at[x] for x in gone))
    ids = list(p.graph._node)
    order = [x for x in base.indexed.ids if x not in gone] if gone else base.indexed.ids
    if found.new:
        graph.add_vertices(len(found.new))
        order = order + list(found.new)
    if order != ids:
        position = {x: i for i, x in enumerate(order)}
        graph = _permuted(graph, [position[x] for x in ids])
    if added:
        index = dict(zip(ids, range(len(ids)), strict=True))
        graph.add_edges([(index[u], index[w]) for u, w in added])
    return graph


def _permuted(graph: igraph.Graph, old_of_new: list[int]) -> igraph.Graph:
    """`graph` with its vertex `old_of_new[k]` numbered k (igraph's `permute_vertices` took
    the inverse before igraph 1.0: asked once which it takes)."""
    if _takes_old_of_new():
        return graph.permute_vertices(old_of_new)
    new_of_old = [0] * len(old_of_new)
    for k, old in enumerate(old_of_new):
        new_of_old[old] = k
    return graph.permute_vertices(new_of_old)


@cache
def _takes_old_of_new() -> bool:
    """Whether `permute_vertices(perm)` makes old vertex perm[k] the new vertex k."""
    probe = igraph.Graph(n=3, edges=[(0, 1)], directed=True).permute_vertices([1, 2, 0])
    # Old 0 -> 1 as new 2 -> 0 (perm[k] is the old vertex of k), or as new 1 -> 2.
    return bool(probe.get_edgelist() == [(2, 0)])
