"""Sampled betweenness of a scenario's dependency graph, mostly from its base's.

The bottleneck ranking's betweenness on a large model is Brandes' algorithm from `k`
sources sampled with a seed (`queries.bottlenecks`): the sum over the sources of each
one's dependency accumulation on its breadth-first DAG, then rescaled. A scenario's graph
is its base's with a few changes, and a source's accumulation depends only on what it
reaches: when a source reaches no node whose outgoing edges (or type) the scenario
changed, its breadth-first search, path counts and accumulation are those of the base.

The scenario samples its sources as the full computation does (`random.sample` over its
own nodes, in their order): on a large model that draws the same positions as the base
(Python draws positions below n, and n moved by a few), so a source at a position past a
removed node is the base node one further on, and past an added node one before.
`ScenarioSums` keeps, for the base, the sums of the accumulations of its sampled positions
in `GROUPS` runs of positions, each run at shifts -1, 0 and +1: a scenario adds the runs
whose sources it samples and that reach nothing it changed, and runs Brandes (igraph)
only from its other sources. The answer is the full computation's up to floating-point
summation order, as igraph's is networkx's.

What is kept: `GROUPS * 3` vectors of float64 over the base's teams and platforms (about
21 MiB on a 100k-element model with 29,000 of them), held as long as the base projection
is (one per base projection and seed).
"""

from __future__ import annotations

import random
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from weakref import WeakKeyDictionary

import numpy as np
from networkx.algorithms.centrality.betweenness import _rescale as _nx_rescale

from queries.projection import Projection
from queries.projection_index import IndexedGraph

GROUPS = 32  # runs of sampled positions kept per shift: a scenario recomputes about one
SHIFTS = (0, 1, -1)  # a position's node in the scenario: the base's, one further, one before


def sampled_sources(ids: Sequence[str], k: int, seed: int) -> list[str]:
    """The sources `nx.betweenness_centrality(k=k, seed=seed)` samples, in its order."""
    return random.Random(seed).sample(list(ids), k)


def rescaled(values: dict[str, float], n: int, sources: list[str]) -> dict[str, float]:
    """Raw sums of accumulations scaled as networkx scales a sampled, normalised,
    directed betweenness of `n` nodes."""
    scaled: dict[str, float] = _nx_rescale(
        values, n, normalized=True, directed=True, endpoints=False, sampled_nodes=sources
    )
    return scaled


@dataclass(frozen=True)
class _Run:
    sources: frozenset[str]  # the base's nodes at the run's positions, shifted
    sums: np.ndarray  # their accumulations summed, over the base's candidates


class ScenarioSums:
    """A base projection's kept sums of accumulations (see the module's docstring)."""

    def __init__(
        self,
        base: Projection,
        candidates: list[str],
        k: int,
        seed: int,
        groups: int = GROUPS,
        within: int = 0,
        balls: dict[str, dict[str, int]] | None = None,
    ) -> None:
        indexed = base.indexed
        ids, n = indexed.ids, len(indexed.ids)
        # Weakly: the kept sums are kept by the base (its index), not the other way round.
        self._base = weakref.ref(base)
        self.k, self.seed = k, seed
        self.reused = 0  # sources the last scenario took from the kept sums (for tests)
        # The ranking's searches towards each stream, cut at `within` (`queries.bottlenecks`).
        self.within, self.balls = within, balls or {}
        self.candidates = {c: i for i, c in enumerate(candidates)}
        positions = sorted(random.Random(seed).sample(range(n), k))
        vertices = [indexed.index[c] for c in candidates]
        graph = indexed.igraph
        size = -(-len(positions) // groups)
        self.runs: list[_Run] = []
        for start in range(0, len(positions), size):
            run = positions[start : start + size]
            for shift in SHIFTS:
                if run[0] + shift < 0 or run[-1] + shift >= n:
                    continue
                at = [j + shift for j in run]
                sums = np.array(graph.betweenness(vertices=vertices, sources=at, directed=True))
                self.runs.append(_Run(frozenset(ids[j] for j in at), sums))

    @property
    def nbytes(self) -> int:
        return sum(r.sums.nbytes for r in self.runs)

    def betweenness(
        self, p: Projection, candidates: list[str], changed: set[str] | None = None
    ) -> dict[str, float]:
        """The sampled betweenness of `candidates` in `p` (a scenario of the base), as
        `nx.betweenness_centrality(p.graph, k, normalized=True, seed)` gives it;
        `changed`: `changed_sources(p)` when known."""
        indexed = p.indexed
        ids = indexed.ids
        sources = sampled_sources(ids, self.k, self.seed)
        if changed is None:
            changed = self.changed_sources(p)
        wanted = set(sources)
        used: set[str] = set()
        total = np.zeros(len(self.candidates))
        for run in self.runs:
            if run.sources <= wanted and not (run.sources & used or run.sources & changed):
                total += run.sums
                used |= run.sources
        rest = [s for s in sources if s not in used]  # in the sample's order
        self.reused = len(used)
        vertices = [indexed.index[c] for c in candidates]
        fresh = (
            indexed.igraph.betweenness(
                vertices=vertices, sources=[indexed.index[s] for s in rest], directed=True
            )
            if rest
            else [0.0] * len(candidates)
        )
        kept = self.candidates
        values = {
            c: float(total[kept[c]]) + x if c in kept else x
            for c, x in zip(candidates, fresh, strict=True)
        }
        return rescaled(values, len(ids), sources)

    def changed_sources(self, p: Projection) -> set[str]:
        """The nodes whose breadth-first search in `p` may differ from the base's: those
        reaching (in the base) a node whose outgoing edges or type `p` changed, and the
        nodes the base does not have."""
        base = self._base()
        if base is None:  # pragma: no cover - a caller holds the base it asks about
            raise ValueError("the base projection is gone")
        succ, base_succ, base_pred = p.graph._adj, base.graph._adj, base.graph._pred
        refs, base_refs = p.nodes, base.nodes
        # A derived projection shares what it did not change with its base (is: cheap).
        changed = [
            v
            for v, out in succ.items()
            if v not in base_succ
            or (out is not base_succ[v] and out != base_succ[v])
            or (refs[v] is not base_refs[v] and refs[v].type != base_refs[v].type)
        ]
        # A removed node's predecessors lost an edge: they are among the changed above.
        return reaching(base_pred, changed)


def reaching(pred: Mapping[str, Iterable[str]], seeds: Iterable[str]) -> set[str]:
    """`seeds` and every node that reaches one of them, by the predecessors `pred`."""
    seen = set(seeds)
    stack = [v for v in seen if v in pred]
    while stack:
        v = stack.pop()
        for u in pred[v]:
            if u not in seen:
                seen.add(u)
                stack.append(u)
    return seen


_KEPT: WeakKeyDictionary[IndexedGraph, ScenarioSums] = WeakKeyDictionary()
_KEPT_LOCK = threading.Lock()


def scenario_sums(
    base: Projection,
    candidates: list[str],
    k: int,
    seed: int,
    within: int = 0,
    balls: Callable[[], dict[str, dict[str, int]]] | None = None,
) -> ScenarioSums:
    """The base's kept sums for `k` and `seed` (made the first time: as long as a sampled
    betweenness three times over), kept as long as the base projection is (only the last
    seed asked); with `balls()`, the ranking's searches towards each stream cut at
    `within`."""
    with _KEPT_LOCK:
        kept = _KEPT.get(base.indexed)
        if kept is None or kept.k != k or kept.seed != seed or kept.within != within:
            made = None if balls is None else balls()
            kept = _KEPT[base.indexed] = ScenarioSums(
                base, candidates, k, seed, within=within, balls=made
            )
        return kept


def kept_sums(base: Projection, k: int, seed: int) -> ScenarioSums | None:
    """The base's kept sums for `k` and `seed` if they are made, else None."""
    with _KEPT_LOCK:
        kept = _KEPT.get(base.indexed)
    return kept if kept is not None and kept.k == k and kept.seed == seed else None
