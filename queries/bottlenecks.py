"""Coordination bottlenecks among teams and platforms, and where they cluster.

Measured on the dependency graph (`queries.projection`: an edge u -> v when a change to u
affects v, so a team reaches what it owns and supports). Distance there counts hops,
except hops from a part to its whole (stage to stream, child to parent capability), which
are free: a platform a stage uses is as close to the stream as one the stream uses.

- dependent streams, k: the value streams within `horizon` (default 2) of the element.
  For a platform: the streams that use it, or use something that needs it; for a team:
  the streams it supports, or that use something it owns. `blast_radius` counts every
  stream reachable at any distance (the impact question's answer); in a well-connected
  model that is most streams for most elements, so it ranks nothing.
- proximity: the dependent streams weighted by closeness, sum of 1/distance over them,
  divided by the number of streams in the model: 1 when every stream uses the element
  directly, 1/2 when every stream is two hops away.
- cross-stream dependencies: the pairs of dependent streams, k(k-1)/2; each pair has to
  coordinate every change to the element.
- betweenness: the share of shortest dependency paths running through the element
  (networkx, normalised; exact up to `EXACT_BETWEENNESS_NODES` nodes, then sampled with
  the seed: from that many sources, computed by igraph's C implementation; a scenario's
  mostly from its base's kept sums, `queries.betweenness`).
- for teams, load: k against a guideline per team type, scaled by capacity relative to
  a nominal team of `NOMINAL_TEAM_FTE`.

Score, 0 to 100 (`SCORE_FORMULA`):
    100 * (0.6 * proximity
           + 0.2 * betweenness / highest betweenness among teams and platforms
           + 0.2 * pressure)
    pressure = min(1, max(0, load - 1)) for teams, 0 for platforms
    load = k / (guideline(team type) * clamp(capacity / NOMINAL_TEAM_FTE, 0.5, 2))

A model without value streams (an ArchiMate model of applications and processes) has
no stream to count: the ranking says so (`ranked_by`) and ranks by the elements that
depend on each team or platform instead, `dependents` (every element a change to it
reaches), in place of proximity: 0.6 * dependents / the most dependents of any.

Clusters: value streams joined by the teams and platforms they share within
`cluster_horizon` (default 1: used or supported directly). Each shared element adds
1/(n-1) to every pair of its n streams (Newman's weighting of a bipartite projection), so
an element every stream uses binds no group in particular; the stream graph is then
partitioned with networkx's Louvain community detection under a fixed seed. Each cluster
lists its streams, the shared elements binding it (two or more of its streams depend on
them) and its internal coordination load: the number of (stream pair, shared element)
couplings inside it.

A scenario's ranking (`Ranking`, from its base's kept answers when made: `keep_scenario_sums`)
is the full computation's, found with less work: what the scenario changed found by one
scan and its graph numbered from the base's (`queries.scenario_index`), each stream's
search from the base's where the scenario only took edges away from it (`_ball_after`),
each team's and platform's distances, streams and proximity the base's where no stream's
search changed at it (`_distances_after`), the betweenness mostly from the base's sums
(`queries.betweenness`), the communities of a stream graph partitioned before (the
base's, when the scenario changes nothing two streams share: `communities`), and the rows
(streams listed, blast radius, explanation) made only for the rows shown; a comparison
reads the others' places.
"""

from __future__ import annotations

import dataclasses
import heapq
import random
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable, Iterable, Set
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any
from weakref import WeakKeyDictionary

import networkx as nx
from networkx.algorithms.centrality.betweenness import _rescale as _nx_rescale
from pydantic import BaseModel, Field

from graph.labels import PLATFORM, STREAM, TEAM
from graph.store import GraphStore
from queries import budget
from queries.betweenness import ScenarioSums, kept_sums, scenario_sums
from queries.errors import QuestionError
from queries.present import present_model, present_projection, recalled, remember, table_key
from queries.projection import Projection
from queries.propagation import PropagationTable, propagation_table
from queries.resolve import ElementRef
from queries.scenario_index import Changes, changed_sources, changes, derived_index

try:  # a C implementation of sampled betweenness on large models; networkx without it
    import igraph
except ImportError:  # pragma: no cover - igraph is a dependency
    igraph = None


SCORE_FORMULA = (
    "score = 100 * (0.6 * proximity"
    " + 0.2 * betweenness / highest betweenness among teams and platforms"
    " + 0.2 * pressure); proximity = sum of 1/distance over the k streams depending on it"
    " within the horizon, divided by the streams in the model;"
    " pressure (teams only) = min(1, max(0, load - 1)),"
    " load = k / (guideline for the team type * clamp(capacity / 8 FTE, 0.5, 2))"
)
NOMINAL_TEAM_FTE = 8.0  # Team Topologies: teams of five to nine people
EXACT_BETWEENNESS_NODES = 5_000
DEFAULT_SEED = 42


def _default_guidelines() -> dict[str, int]:
    # How many streams one team of each type can serve before it becomes a queue:
    # a stream-aligned team is meant for one stream (two at a stretch), a platform team
    # serves many through self-service, the others sit in between.
    guide = {
        "stream-aligned": 2,
        "platform": 10,
        "enabling": 5,
        "complicated-subsystem": 4,
        "specialist-function": 4,
    }
    return guide


@dataclass(frozen=True)
class BottleneckConfig:
    guidelines: dict[str, int] = field(default_factory=_default_guidelines)
    untyped_guideline: int = 3
    horizon: int = 2
    cluster_horizon: int = 1
    seed: int = DEFAULT_SEED
    resolution: float = 1.0


class TeamLoad(BaseModel):
    team_type: str | None
    capacity: float | None
    streams_served_directly: int
    streams_served: int
    guideline: float  # for the team type, scaled by capacity
    load: float
    overloaded: bool


class Bottleneck(BaseModel):
    rank: int
    element: ElementRef
    score: float
    stream_count: int
    proximity: float
    streams: list[ElementRef]
    blast_radius: int
    cross_stream_pairs: int
    betweenness: float
    team: TeamLoad | None
    explanation: str
    dependents: int | None = Field(
        default=None,
        description="Elements a change to it reaches; counted when the model has no streams.",
    )


class SharedNode(BaseModel):
    element: ElementRef
    streams_in_cluster: int


class StreamCluster(BaseModel):
    id: str
    streams: list[ElementRef]
    binding: list[SharedNode]
    internal_load: int
    external_load: int
    explanation: str


RANKED_BY_STREAMS = "value streams"
RANKED_BY_DEPENDENTS = "dependent elements"


class BottleneckReport(BaseModel):
    stream_total: int
    ranked_by: str = Field(
        description="What ranks them: value streams, or dependent elements without streams."
    )
    horizon: int
    bottlenecks: list[Bottleneck]
    clusters: list[StreamCluster]
    formula: str
    seed: int
    propagation: list[dict[str, str]]


def _betweenness(
    p: Projection,
    seed: int,
    candidates: list[str],
    kept: ScenarioSums | None = None,
    changed: set[str] | None = None,
) -> dict[str, float]:
    """Of every node, or of `candidates` at least; `kept`: the kept sums of the projection
    `p` is a scenario of (`queries.betweenness`), which serve when `p` is sampled;
    `changed`: their `changed_sources(p)`."""
    graph = p.graph
    if graph.number_of_nodes() <= EXACT_BETWEENNESS_NODES:
        result: dict[str, float] = nx.betweenness_centrality(graph, normalized=True)
    elif kept is not None:
        result = kept.betweenness(p, candidates, changed)
    elif igraph is not None:
        result = _sampled_betweenness_igraph(p, EXACT_BETWEENNESS_NODES, seed)
    else:
        result = nx.betweenness_centrality(
            graph, k=EXACT_BETWEENNESS_NODES, normalized=True, seed=seed
        )
    return result


def keep_scenario_sums(p: Projection, config: BottleneckConfig) -> None:
    """Make and keep what a scenario of `p` takes its betweenness from (`queries.betweenness`:
    as long as the ranking's betweenness three times over), when `p` is sampled, and its
    candidates' distances to the streams (`_base_side`)."""
    if p.graph.number_of_nodes() > EXACT_BETWEENNESS_NODES and igraph is not None:
        candidates = p.of_type(TEAM) + p.of_type(PLATFORM)
        within = max(config.horizon, config.cluster_horizon)
        p.stream_masks  # noqa: B018 - made once, read by every scenario's blast radius
        kept = scenario_sums(
            p,
            candidates,
            EXACT_BETWEENNESS_NODES,
            config.seed,
            within,
            lambda: {s: _ball(p.graph, s, within) for s in p.of_type(STREAM)},
        )
        # The stream graph's communities in this process (the ranking's, when it was made
        # here): a scenario that changes nothing two streams share finds them again.
        shared: dict[str, set[str]] = {}
        for s in sorted(kept.balls):
            for u, d in kept.balls[s].items():
                if d <= config.cluster_horizon:
                    shared.setdefault(u, set()).add(s)
        joining = {c: shared[c] for c in candidates if len(shared.get(c, ())) >= 2}
        communities(joining, sorted(p.of_type(STREAM)), config)
        _base_side(p, kept, config)  # the candidates' distances a scenario mends


def prepare_scenarios(store: GraphStore) -> None:
    """Make what a scenario's ranking takes from the present model (its betweenness sums,
    `keep_scenario_sums`), for the default configuration: the answer warmer's last step."""
    table = propagation_table(None)
    keep_scenario_sums(present_projection(store, table), BottleneckConfig())


def _sampled_betweenness_igraph(p: Projection, k: int, seed: int) -> dict[str, float]:
    """`nx.betweenness_centrality(p.graph, k=k, normalized=True, seed=seed)`, computed by
    igraph's C implementation of the same algorithm (Brandes, from the same sampled
    sources, rescaled by networkx's own function): equal up to floating-point summation
    order, and some 200 times faster on a 100k-element model.
    """
    indexed = p.indexed  # the graph's nodes and edges, numbered in its order
    nodes = indexed.ids
    sources = random.Random(seed).sample(nodes, k)  # what networkx's `seed=` draws
    index = indexed.index
    values = indexed.igraph.betweenness(sources=[index[s] for s in sources], directed=True)
    result = dict(zip(nodes, (float(x) for x in values), strict=True))
    scaled: dict[str, float] = _nx_rescale(
        result,
        len(nodes),
        normalized=True,
        directed=True,
        endpoints=False,
        sampled_nodes=sources,
    )
    return scaled


def _guideline_and_load(
    props: dict[str, Any], served: int, config: BottleneckConfig
) -> tuple[float, float]:
    """A team's guideline (for its type, scaled by capacity) and its load, unrounded."""
    guideline = float(config.guidelines.get(str(props.get("team_type")), config.untyped_guideline))
    capacity = props.get("capacity")
    if capacity:
        guideline *= min(2.0, max(0.5, float(capacity) / NOMINAL_TEAM_FTE))
    return guideline, served / guideline


def _team_load(
    props: dict[str, Any], direct: int, served: int, config: BottleneckConfig
) -> TeamLoad:
    capacity = props.get("capacity")
    guideline, load = _guideline_and_load(props, served, config)
    return TeamLoad(
        team_type=props.get("team_type"),
        capacity=float(capacity) if capacity is not None else None,
        streams_served_directly=direct,
        streams_served=served,
        guideline=round(guideline, 3),
        load=round(load, 3),
        overloaded=load > 1,
    )


def _explain(
    ref: ElementRef,
    k: int,
    total: int,
    horizon: int,
    blast: int,
    b: float,
    b_rank: int,
    team: TeamLoad | None,
    dependents: int | None = None,
) -> str:
    parts = [
        f"{k} of {total} value streams depend on {ref.name} within {horizon} hop(s) "
        f"({blast} at any distance)"
        if dependents is None
        else f"no value streams in the model, so ranked by dependent elements: "
        f"{dependents} element(s) depend on {ref.name}"
    ]
    if k > 1:
        parts.append(f"{k * (k - 1) // 2} stream pairs must coordinate its changes")
    if b > 0:
        parts.append(f"betweenness {b:.3f} (#{b_rank} among teams and platforms)")
    if team is not None:
        kind = team.team_type or "untyped"
        text = (
            f"{kind} team serving {team.streams_served} stream(s) "
            f"({team.streams_served_directly} directly) against a guideline of "
            f"{team.guideline:g}"
        )
        if team.capacity:
            text += f" for its {team.capacity:g} FTE"
        text += f": load {team.load:.2f}" + (", overloaded" if team.overloaded else "")
        parts.append(text)
    return "; ".join(parts)


def stream_distances(
    p: Projection, candidates: list[str], streams: set[str]
) -> dict[str, dict[str, int]]:
    """For each candidate, the distance to every stream it reaches (part-of hops free)."""
    out: dict[str, dict[str, int]] = {}
    for c in candidates:
        lengths = nx.single_source_dijkstra_path_length(p.graph, c, weight="cost")
        out[c] = {s: int(d) for s, d in lengths.items() if s in streams}
    return out


def _near_streams(
    graph: nx.DiGraph,
    streams: list[str],
    within: int,
    balls: Callable[[str], dict[str, int]] | None = None,
) -> dict[str, dict[str, int]]:
    """Node → {stream: distance} for the streams it reaches within `within` (part-of free).

    The same distances as `stream_distances`, cut at `within`: a 0-1 breadth-first search
    backwards from each stream (`_ball`, or `balls` when it knows a stream's), which only
    visits what lies that close to it.
    """
    near: dict[str, dict[str, int]] = {}
    for s in streams:
        budget.check()
        dist = _ball(graph, s, within) if balls is None else balls(s)
        for u, d in dist.items():
            near.setdefault(u, {})[s] = d
    return near


def _ball(graph: nx.DiGraph, s: str, within: int) -> dict[str, int]:
    """What reaches stream `s` within `within`, with its distance (part-of hops free)."""
    pred = graph._pred  # the plain dicts behind graph.pred: no view objects per step
    dist = {s: 0}
    queue = deque([s])
    while queue:
        v = queue.popleft()
        dv = dist[v]
        for u, data in pred[v].items():
            cost = data["cost"]
            du = dv + cost
            if du <= within and du < dist.get(u, within + 1):
                dist[u] = du
                if cost == 0:
                    queue.appendleft(u)
                else:
                    queue.append(u)
    return dist


def _balls_after(
    p: Projection,
    base: Projection,
    kept: dict[str, dict[str, int]],
    within: int,
    found: Changes | None = None,
) -> Callable[[str], dict[str, int]]:
    """A stream's ball in scenario `p` of `base`, from the base's kept one (`_ball_after`);
    `found`: what `p` changed, when known (`queries.scenario_index.changes`)."""
    removed = _RemovedEdges(p, base, found)

    def ball(s: str) -> dict[str, int]:
        old = kept.get(s)
        if old is not None:
            found = _ball_after(p, removed, old, s, within)
            if found is not None:
                return found
        return _ball(p.graph, s, within)

    return ball


class _RemovedEdges:
    """The edges a scenario took away from its base, by head, found once for all streams."""

    def __init__(self, p: Projection, base: Projection, found: Changes | None = None) -> None:
        self.pred, self.base_pred = p.graph._pred, base.graph._pred
        self._of: dict[str, tuple[str, ...] | None] = {}
        if found is None:
            found = changes(p, base)
        self.gone: Set[str] = found.gone  # the nodes `p` removed
        # The nodes whose edges in may differ (a derived projection shares the others').
        self.heads: Set[str] = found.heads

    def into(self, v: str) -> tuple[str, ...] | None:
        """The tails of the base's edges into `v` that `p` does not have (every one when
        `v` is gone); None when `p` has an edge into `v` the base has not, or another cost."""
        if v in self._of:
            return self._of[v]
        now, then = self.pred.get(v), self.base_pred[v]
        gone: tuple[str, ...] | None
        if now is None:
            gone = tuple(then)
        elif any(u not in then or ((e := then[u]) is not x and e != x) for u, x in now.items()):
            gone = None
        else:
            gone = tuple(u for u in then if u not in now)
        self._of[v] = gone
        return gone


def _ball_after(
    p: Projection, removed: _RemovedEdges, old: dict[str, int], s: str, within: int
) -> dict[str, int] | None:
    """Stream `s`'s ball in scenario `p` from its ball `old` in the base (`_mended`), None
    when it is searched."""
    mended = _mended(p, removed, old, s, within)
    return None if mended is None else mended[0]


def _mended(
    p: Projection, removed: _RemovedEdges, old: dict[str, int], s: str, within: int
) -> tuple[dict[str, int], set[str]] | None:
    """Stream `s`'s ball in scenario `p` from its ball `old` in the base, when `p` only took
    edges (or nodes) away from it, with the nodes where it may differ from `old` (`old`
    itself when alike); None when `p` gave one of its nodes a predecessor (or changed an
    edge's cost): then it is searched.

    Without new edges no distance shrinks, so nothing joins the ball, and a node keeps its
    distance when a shortest path of the base from it survives. One does unless the node
    is `lost`: the tail of a removed edge that was on a shortest path (distance equal to
    the head's plus the edge's cost), or a node with such an edge to a lost node. The
    lost nodes' distances are then found again from the others' (Dijkstra among them).
    """
    pred, base_pred, succ = removed.pred, removed.base_pred, p.graph._adj
    lost: set[str] = set()
    for v in old.keys() & removed.heads:
        gone = removed.into(v)
        if gone is None:
            return None  # a new edge (or cost) may bring nodes closer: searched
        d, then = old[v], base_pred[v]
        lost.update(u for u in gone if old.get(u) == d + then[u]["cost"])
    dropped = old.keys() & removed.gone
    if not lost and not dropped:
        return old, set()
    lost.discard(s)  # the stream is where the search starts: always at 0
    # Every node with a shortest-path edge into a lost node may have lost its distance too.
    stack = list(lost)
    while stack:
        v = stack.pop()
        d = old[v]
        for u, data in base_pred[v].items():
            if u not in lost and u != s and old.get(u) == d + data["cost"]:
                lost.add(u)
                stack.append(u)
    ball = old.copy()
    taken = lost | dropped  # where the ball may differ from `old`
    for v in taken:
        del ball[v]
    # The lost nodes still in `p`, each from its edges into the others, then among them.
    tentative: dict[str, int] = {}
    for u in lost:
        out = succ.get(u)
        if out is None:
            continue
        best = within + 1
        for w, data in out.items():
            dw = ball.get(w)
            if dw is not None and dw + data["cost"] < best:
                best = dw + data["cost"]
        tentative[u] = best
    heap = [(d, u) for u, d in tentative.items() if d <= within]
    heapq.heapify(heap)
    while heap:
        d, v = heapq.heappop(heap)
        if d > tentative[v] or v in ball:
            continue
        ball[v] = d
        for u, data in pred[v].items():
            du = d + data["cost"]
            if u in tentative and du < tentative[u] and du <= within:
                tentative[u] = du
                heapq.heappush(heap, (du, u))
    return ball, taken


def _blast_after(
    p: Projection, base: Projection, candidates: list[str], changed: set[str]
) -> dict[str, int]:
    """How many streams each candidate of scenario `p` reaches, from the base's reach bits
    for what reaches nothing `p` changed (`changed`: as `queries.betweenness` finds it)."""
    masks, succ = base.stream_masks, p.graph._adj
    bit = {s: 1 << i for i, s in enumerate(base.streams_by_name)}
    counts = {}
    for c in candidates:
        if c not in changed:
            counts[c] = masks[c].bit_count()
            continue
        # Beyond `changed` the base's bits hold; inside it, new streams by id.
        found, fresh, seen, stack = 0, set(), {c}, [c]
        while stack:
            v = stack.pop()
            if p.nodes[v].type == STREAM:
                fresh.add(v)
            for w in succ[v]:
                if w in seen:
                    continue
                seen.add(w)
                if w in changed:
                    stack.append(w)
                else:
                    found |= masks[w]
        counts[c] = found.bit_count() + sum(1 for x in fresh if not bit.get(x, 0) & found)
    return counts


def bottlenecks(
    store: GraphStore,
    *,
    limit: int = 20,
    config: BottleneckConfig | None = None,
    overrides: dict[str, str] | list[str] | None = None,
) -> BottleneckReport:
    """Rank teams and platforms of the present model by coordination load, and cluster
    the streams they bind: the top `limit` of `present_ranking`."""
    config = checked(limit, config)
    return top(present_ranking(store, config, propagation_table(overrides)), limit)


def kept_bottlenecks(
    store: GraphStore,
    *,
    limit: int = 20,
    config: BottleneckConfig | None = None,
    overrides: dict[str, str] | list[str] | None = None,
) -> BottleneckReport | None:
    """`bottlenecks`' answer if the ranking is kept for the present revision, else None
    (never computes)."""
    config = checked(limit, config)
    kept: BottleneckReport | None = recalled(
        store, ranking_key(config, propagation_table(overrides))
    )
    return None if kept is None else top(kept, limit)


def present_ranking(
    store: GraphStore, config: BottleneckConfig, table: PropagationTable
) -> BottleneckReport:
    """Every team and platform of the present model ranked, computed once per model
    revision and configuration (`queries.present`): every `limit` is a slice of it, and a
    scenario's base side is it. Treat it as read-only."""

    def compute() -> BottleneckReport:
        projection = present_projection(store, table)
        return bottleneck_report(
            projection,
            present_model(store).served_directly(),
            limit=ranked_all(projection),
            config=config,
            table=table,
        )

    return remember(store, ranking_key(config, table), compute)


def ranking_key(config: BottleneckConfig, table: PropagationTable) -> Hashable:
    """What a full ranking depends on besides the model, as part of a key."""
    settings = dataclasses.asdict(config)
    settings["guidelines"] = tuple(sorted(config.guidelines.items()))
    return ("bottlenecks", tuple(sorted(settings.items())), table_key(table))


def ranked_all(p: Projection) -> int:
    """A `limit` that ranks every team and platform of the projection."""
    return max(1, len(p.of_type(TEAM)) + len(p.of_type(PLATFORM)))


# Slices of recent reports, by the report's identity (each entry holds its report, so the
# id is not reused while it exists): a kept ranking's top `limit` is then one object each
# time it is asked, whose rendering the service keeps (app.rest.rendered).
_SLICED_REPORTS = 8
_slices: OrderedDict[int, tuple[BottleneckReport, dict[int, BottleneckReport]]] = OrderedDict()
_slices_lock = threading.Lock()


def top(report: BottleneckReport, limit: int) -> BottleneckReport:
    """The report with the first `limit` rows of its ranking (a full ranking's top is the
    report asked with that limit: the rows are ranked before they are cut). Treat it as
    read-only: the same slice of the same report is one object."""
    if len(report.bottlenecks) <= limit:
        return report
    with _slices_lock:
        entry = _slices.get(id(report))
        if entry is None or entry[0] is not report:
            entry = _slices[id(report)] = (report, {})
            while len(_slices) > _SLICED_REPORTS:
                _slices.popitem(last=False)
        _slices.move_to_end(id(report))
        cut = entry[1].get(limit)
        if cut is None:
            cut = entry[1][limit] = report.model_copy(
                update={"bottlenecks": report.bottlenecks[:limit]}
            )
    return cut


def checked(limit: int, config: BottleneckConfig | None) -> BottleneckConfig:
    """The configuration to use, after checking the limit and horizons."""
    if limit < 1:
        raise QuestionError("limit must be at least 1")
    config = config or BottleneckConfig()
    if config.horizon < 1 or config.cluster_horizon < 1:
        raise QuestionError("horizons must be at least 1")
    return config


def bottleneck_report(
    p: Projection,
    direct: dict[str, set[str]],
    *,
    limit: int,
    config: BottleneckConfig | None,
    table: PropagationTable,
    base: Projection | None = None,
) -> BottleneckReport:
    """The report from a projection and the streams each team supports directly (pure:
    what-if scenarios call it on an in-memory model; `base`: the projection a scenario's
    is derived from, whose kept betweenness sums serve it when made)."""
    config = checked(limit, config)
    return ranking(p, direct, config=config, table=table, base=base).report(limit)


def _within(distances: dict[str, int], horizon: int) -> set[str]:
    """The streams of `distances` within `horizon`."""
    return {s for s, d in distances.items() if d <= horizon}


def _proximity(distances: dict[str, int], reach: set[str], total: int) -> float:
    """Sum of 1/distance over the streams of `reach` (in `distances`' order), over `total`."""
    return sum(1 / max(1, d) for s, d in distances.items() if s in reach) / total if total else 0.0


@dataclass(frozen=True)
class _BaseSide:
    """What a scenario's ranking takes from its base's besides the betweenness, for each
    team and platform: its distances to the streams within the horizons (each a dict as
    `_near_streams` makes it: a scenario that leaves them alike shares it), the streams
    within the horizon, proximity, and (near two streams or more) the streams within the
    cluster horizon. Made once per kept sums (`_base_side`)."""

    horizons: tuple[int, int]
    streams: set[str]
    distances: dict[str, dict[str, int]]
    reach: dict[str, set[str]]
    proximity: dict[str, float]
    shared: dict[str, set[str]]


# Per kept sums (weakly: the base keeps them), the base sides made from their searches.
_BASE_SIDES: WeakKeyDictionary[ScenarioSums, _BaseSide] = WeakKeyDictionary()
_BASE_SIDES_LOCK = threading.Lock()


def _base_side(base: Projection, kept: ScenarioSums, config: BottleneckConfig) -> _BaseSide:
    """The base's `_BaseSide` for `config`'s horizons, from the kept searches (`kept.balls`,
    cut at the wider horizon): made the first time (as long as the candidates' part of a
    ranking), then kept with the sums."""
    horizons = (config.horizon, config.cluster_horizon)
    with _BASE_SIDES_LOCK:
        side = _BASE_SIDES.get(kept)
    if side is not None and side.horizons == horizons:
        return side
    streams = set(base.of_type(STREAM))
    within = max(horizons)
    balls = kept.balls
    near = _near_streams(
        base.graph, sorted(streams), within, lambda s: balls.get(s) or _ball(base.graph, s, within)
    )
    distances = {c: near.get(c, {}) for c in base.of_type(TEAM) + base.of_type(PLATFORM)}
    reach = {c: _within(ds, config.horizon) for c, ds in distances.items()}
    side = _BaseSide(
        horizons,
        streams,
        distances,
        reach,
        {c: _proximity(ds, reach[c], len(streams)) for c, ds in distances.items()},
        {c: _within(ds, config.cluster_horizon) for c, ds in distances.items() if len(ds) >= 2},
    )
    with _BASE_SIDES_LOCK:
        _BASE_SIDES[kept] = side
    return side


def _distances_after(
    p: Projection,
    base: Projection,
    balls: dict[str, dict[str, int]],
    side: _BaseSide,
    candidates: list[str],
    found: Changes,
) -> dict[str, dict[str, int]]:
    """Each candidate's distances to the streams within the horizons in scenario `p` (of
    the same streams as the base): the base's dict where no stream's ball changed at the
    candidate, else the base's mended with the changed balls, in the streams' order.

    A ball mended (`_mended`) differs from the base's only at the nodes it took out (some
    put back at another distance); a ball searched anew is compared whole."""
    removed = _RemovedEdges(p, base, found)
    within = max(side.horizons)
    patches: dict[str, dict[str, int | None]] = {}
    for s in sorted(side.streams):
        budget.check()
        old = balls.get(s, {})
        mended = _mended(p, removed, old, s, within) if s in balls else None
        touched: Iterable[str]
        if mended is None:
            ball = _ball(p.graph, s, within)
            touched = ball.keys() | old.keys()
        else:
            ball, touched = mended
        if ball is old:
            continue
        for u in touched:
            d = ball.get(u)
            if d != old.get(u):
                patches.setdefault(u, {})[s] = d
    distances = {}
    for c in candidates:
        then = side.distances.get(c)
        patch = patches.get(c)
        if patch is None:
            distances[c] = {} if then is None else then
            continue
        merged: dict[str, int | None] = dict(then or {})
        merged.update(patch)
        # In the streams' order, as `_near_streams` adds them.
        distances[c] = {s: d for s, d in sorted(merged.items()) if d is not None}
    return distances


@dataclass(frozen=True)
class Place:
    """Where an element ranks, and what a comparison of two rankings shows of it."""

    element: ElementRef
    rank: int
    score: float
    stream_count: int


class Ranking:
    """Every team and platform of a projection ranked: each one's place, score and streams
    counted, and the clusters; a report's rows (streams listed, blast radius, team load,
    explanation) are made for the rows asked (`report`), not for all of them. What a
    scenario comparison keeps of a scenario's ranking: it shows the top of it."""

    formula = SCORE_FORMULA

    def __init__(
        self,
        p: Projection,
        direct: dict[str, set[str]],
        config: BottleneckConfig,
        table: PropagationTable,
        base: Projection | None,
    ) -> None:
        self._p, self._direct, self._config, self._table = p, direct, config, table
        streams = set(p.of_type(STREAM))
        candidates = p.of_type(TEAM) + p.of_type(PLATFORM)
        within = max(config.horizon, config.cluster_horizon)
        total = len(streams)
        # A scenario of a base that kept what its scenarios take from it: found from that.
        kept = None if base is None else kept_sums(base, EXACT_BETWEENNESS_NODES, config.seed)
        changed = None
        self._base: Projection | None = None
        side: _BaseSide | None = None
        if base is not None and kept is not None and kept.within == within:
            # What the scenario changed, found once for its searches, its changed sources
            # and its numbered graph (`queries.scenario_index`).
            found = changes(p, base)
            changed = changed_sources(p, base, found)
            derived_index(p, base, found)
            side = _base_side(base, kept, config)
            if side.streams == streams:
                # The base's distances, mended where the scenario changed a stream's ball.
                distances = _distances_after(p, base, kept.balls, side, candidates, found)
            else:  # other streams: every candidate's proximity is counted again
                side = None
                near = _near_streams(
                    p.graph,
                    sorted(streams),
                    within,
                    _balls_after(p, base, kept.balls, within, found),
                )
                distances = {c: near.get(c, {}) for c in candidates}
            self._base, self._changed = base, changed
        else:
            kept = None
            # Distances matter up to the horizons; beyond them only how many streams are
            # reached (the blast radius, counted for the rows asked).
            near = _near_streams(p.graph, sorted(streams), within)
            distances = {c: near.get(c, {}) for c in candidates}
        self._distances = distances
        # A candidate with the base's distances (the same dict) has the base's streams
        # within the horizon and proximity.
        kept_distances = side.distances if side else {}

        def same(c: str) -> bool:
            return distances[c] is kept_distances.get(c)

        reach = {
            c: side.reach[c] if side and same(c) else _within(ds, config.horizon)
            for c, ds in distances.items()
        }
        self._reach = reach
        between = _betweenness(p, config.seed, candidates, kept, changed)
        self._between = between
        b_max = max((between[c] for c in candidates), default=0.0)
        self.stream_total = total
        # Without streams, what depends on each candidate is what ranks it.
        dependents = {} if total else {c: len(nx.descendants(p.graph, c)) for c in candidates}
        self._dependents = dependents
        d_max = max(dependents.values(), default=0)
        self._proximity: dict[str, float] = {}
        self._score: dict[str, float] = {}
        for c in candidates:
            budget.check()
            k = len(reach[c])
            b = between[c]
            pressure = 0.0
            if p.nodes[c].type == TEAM:
                _, load = _guideline_and_load(p.props[c], k, config)
                # As the row shows it: the load rounded (`TeamLoad.load`).
                pressure = min(1.0, max(0.0, round(load, 3) - 1))
            proximity = (
                side.proximity[c] if side and same(c) else _proximity(distances[c], reach[c], total)
            )
            closeness = proximity if total else (dependents[c] / d_max if d_max else 0.0)
            score = 100 * (0.6 * closeness + 0.2 * (b / b_max if b_max else 0.0) + 0.2 * pressure)
            self._proximity[c] = proximity
            self._score[c] = round(score, 1)
        refs = {c: p.ref(c) for c in candidates}
        self._refs = refs
        self.order = sorted(
            candidates,
            key=lambda c: (-self._score[c], -len(reach[c]), refs[c].name, refs[c].id),
        )
        self._rank = {c: i for i, c in enumerate(self.order, start=1)}
        # Only what is near two streams or more can join streams (`clusters` reads no other).
        self.clusters = clusters(
            p,
            {
                c: side.shared[c] if side and same(c) else _within(ds, config.cluster_horizon)
                for c, ds in distances.items()
                if len(ds) >= 2
            },
            sorted(streams),
            config,
        )

    def place(self, element_id: str) -> Place | None:
        """Where `element_id` ranks, None when it is not ranked."""
        rank = self._rank.get(element_id)
        if rank is None:
            return None
        return Place(
            self._refs[element_id],
            rank,
            self._score[element_id],
            len(self._reach[element_id]),
        )

    def top(self, limit: int) -> list[Place]:
        """The first `limit` places."""
        return [p for c in self.order[:limit] if (p := self.place(c)) is not None]

    def report(self, limit: int) -> BottleneckReport:
        """The report with the first `limit` rows (`bottleneck_report`'s answer)."""
        p, config = self._p, self._config
        chosen = self.order[:limit]
        between = self._between
        b_order = sorted({round(between[c], 9) for c in self.order}, reverse=True)
        b_rank = {value: i for i, value in enumerate(b_order, start=1)}
        if self._base is not None:
            blast = _blast_after(p, self._base, chosen, self._changed)
        else:
            masks = p.stream_masks
            blast = {c: masks[c].bit_count() for c in chosen}
        by_name = {s: i for i, s in enumerate(p.streams_by_name)}  # a stream's place by name
        rows: list[Bottleneck] = []
        for rank, c in enumerate(chosen, start=1):
            budget.check()
            ref = self._refs[c]
            reach = self._reach[c]
            k = len(reach)
            b = between[c]
            team = None
            if ref.type == TEAM:
                team = _team_load(p.props[c], len(self._direct.get(c, set())), k, config)
            rows.append(
                Bottleneck(
                    rank=rank,
                    element=ref,
                    score=self._score[c],
                    stream_count=k,
                    proximity=round(self._proximity[c], 4),
                    streams=[p.ref(s) for s in sorted(reach, key=by_name.__getitem__)],
                    blast_radius=blast[c],
                    cross_stream_pairs=k * (k - 1) // 2,
                    betweenness=round(b, 6),
                    team=team,
                    explanation=_explain(
                        ref,
                        k,
                        self.stream_total,
                        config.horizon,
                        blast[c],
                        b,
                        b_rank[round(b, 9)] if b else 0,
                        team,
                        self._dependents.get(c),
                    ),
                    dependents=self._dependents.get(c),
                )
            )
        return BottleneckReport(
            stream_total=self.stream_total,
            ranked_by=RANKED_BY_STREAMS if self.stream_total else RANKED_BY_DEPENDENTS,
            horizon=config.horizon,
            bottlenecks=rows,
            clusters=self.clusters,
            formula=SCORE_FORMULA,
            seed=config.seed,
            propagation=self._table.as_list(),
        )


def ranking(
    p: Projection,
    direct: dict[str, set[str]],
    *,
    config: BottleneckConfig | None,
    table: PropagationTable,
    base: Projection | None = None,
) -> Ranking:
    """Every team and platform of `p` ranked (`bottleneck_report`'s arguments, without the
    limit: the report's rows are made from it for the limit asked)."""
    return Ranking(p, direct, checked(1, config), table, base)


def stream_graph(shared: dict[str, set[str]], streams: list[str]) -> nx.Graph:
    """Streams joined by what they share: `weight` (Newman) and `couplings` (a plain count)."""
    graph = nx.Graph()
    graph.add_nodes_from(streams)
    for element in sorted(shared):
        members = sorted(shared[element])
        if len(members) < 2:
            continue
        share = 1 / (len(members) - 1)
        for a, b in combinations(members, 2):
            if graph.has_edge(a, b):
                graph[a][b]["weight"] += share
                graph[a][b]["couplings"] += 1
            else:
                graph.add_edge(a, b, weight=share, couplings=1)
    return graph


@dataclass(frozen=True)
class _Communities:
    """A stream graph's Louvain communities, with what the graph was made of."""

    streams: tuple[str, ...]
    joining: dict[str, set[str]]  # each element shared by two streams or more: its streams
    seed: int
    resolution: float
    # Each community's streams, and its couplings inside and to other communities.
    found: tuple[tuple[frozenset[str], int, int], ...]


# The communities of the last stream graphs partitioned, most recent last: a scenario that
# changes nothing two streams share has its base's stream graph (made from the same
# elements, in the same order), whose seeded partition is then the base's.
_KEPT_COMMUNITIES = 8
_communities: deque[_Communities] = deque(maxlen=_KEPT_COMMUNITIES)
_communities_lock = threading.Lock()


def communities(
    joining: dict[str, set[str]], streams: list[str], config: BottleneckConfig
) -> tuple[tuple[frozenset[str], int, int], ...]:
    """The Louvain communities of the stream graph of `joining` (elements shared by two
    streams or more), each with its couplings inside and out; the same graph's are
    found again, not partitioned again."""
    key = tuple(streams)
    with _communities_lock:
        for kept in reversed(_communities):
            if (
                kept.streams == key
                and kept.seed == config.seed
                and kept.resolution == config.resolution
                and kept.joining == joining
            ):
                return kept.found
    graph = stream_graph(joining, streams)
    found = []
    for community in nx.community.louvain_communities(
        graph, weight="weight", seed=config.seed, resolution=config.resolution
    ):
        members = frozenset(community)
        internal = int(graph.subgraph(members).size(weight="couplings"))
        external = sum(
            int(d["couplings"])
            for a, b, d in graph.edges(members, data=True)
            if (a in members) != (b in members)
        )
        found.append((members, internal, external))
    made = _Communities(
        key,
        {c: set(s) for c, s in joining.items()},
        config.seed,
        config.resolution,
        tuple(found),
    )
    with _communities_lock:
        _communities.append(made)
    return made.found


def clusters(
    p: Projection, shared: dict[str, set[str]], streams: list[str], config: BottleneckConfig
) -> list[StreamCluster]:
    # An element of one stream joins no streams: neither an edge nor a cluster's binding.
    joining = {c: s for c, s in shared.items() if len(s) >= 2}
    found: list[tuple[int, list[str], list[SharedNode], int]] = []
    for members, internal, external in communities(joining, streams, config):
        binding = [
            SharedNode(element=p.ref(c), streams_in_cluster=len(streams_of & members))
            for c, streams_of in joining.items()
            if len(streams_of & members) >= 2
        ]
        binding.sort(key=lambda s: (-s.streams_in_cluster, s.element.name, s.element.id))
        ordered = sorted(members, key=lambda s: (p.ref(s).name, s))
        found.append((internal, ordered, binding, external))
    found.sort(key=lambda f: (-f[0], p.ref(f[1][0]).name, f[1][0]))
    result = []
    for i, (internal, members_sorted, binding, external) in enumerate(found, start=1):
        names = ", ".join(p.ref(s).name for s in members_sorted)
        if binding:
            top = ", ".join(f"{b.element.name} ({b.streams_in_cluster})" for b in binding[:5])
            text = (
                f"{names}: bound by {len(binding)} shared team(s) and platform(s), "
                f"{internal} coupling(s) inside, {external} to other clusters; most shared: {top}"
            )
        elif len(members_sorted) == 1:
            text = f"{names} shares no team or platform with another stream directly"
        else:
            text = f"{names}: no team or platform shared inside the cluster"
        result.append(
            StreamCluster(
                id=f"cluster-{i}",
                streams=[p.ref(s) for s in members_sorted],
                binding=binding,
                internal_load=internal,
                external_load=external,
                explanation=text,
            )
        )
    return result
