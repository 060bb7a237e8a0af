"""Operating-model health: is the value-stream model real, or only in the slide deck?

Each check lists the offending elements and scores 0-100 as the share of the elements it
looks at that pass. A check with nothing to look at (stream checks on a model without
value streams) is *not applicable*: no score, and left out of the overall score, which is
the plain mean of the applicable checks' scores (none when no check applies), so every
check weighs the same.

Checks that only ask whether a relationship exists read `HealthFacts` (their Cypher is
`health_facts`; `ModelGraph.health_facts` gives the same facts from a model in memory);
the checks themselves are pure functions of those facts. The present model's report is
computed on the model `queries.present` keeps, once per model revision and set of
parameters, and kept until the model changes. The cycle check runs on
the dependency-graph projection (`queries.projection`), so it follows the same
propagation table as the impact question. The single point of failure check is about
removal rather than change, so it follows hard dependencies only: the platforms a
capability uses or depends on, what those platforms use or depend on in turn, and the
teams that own them. In a what-if scenario a platform that lost something it needed has
stopped, and a capability left with no working platform is cut: its stream requirements
count as offending, so removing what streams need never raises the score. A scenario's
report is found from its base's (`health_report_after`): what the base's delivery and
single point of failure check were found from is kept with the present report, and only
what lies near the scenario's changes is looked at again; the answer is the same.

Each check says what its `population` and `offending` count (`unit`): for most it is the
findings' elements, but single points of failure are scored over stream requirements and
cycles over the streams in them, so every surface shows the same number with its unit.
"""

from __future__ import annotations

import threading
import weakref
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from itertools import compress
from operator import is_not
from typing import Any

import networkx as nx
from pydantic import BaseModel, Field

from graph.labels import (
    ACCOUNTABLE_FOR,
    CAPABILITY,
    CONTAINS,
    DATA,
    DEPENDS_ON,
    FUNDED_BY,
    HAS_STAGE,
    INVESTMENT,
    MEASURE,
    MEASURED_BY,
    OWNS,
    PERSON,
    PLATFORM,
    REQUIRES,
    STAGE,
    STREAM,
    SUPPORTS,
    TEAM,
    USES,
    type_of,
)
from graph.lifecycle import END_OF_LIFE, PHASE_OUT, field_of, phase_on
from graph.lifecycle import today as today_utc
from graph.schema import ELEMENT_LABEL
from graph.store import GraphStore
from queries import budget
from queries.errors import QuestionError
from queries.health_facts import COUNTED, PLATFORM_RETIREMENT, HealthFacts
from queries.present import (
    present_model,
    present_projection,
    recalled,
    remember,
    table_key,
)
from queries.projection import Projection, streams_served_directly
from queries.propagation import PropagationTable, propagation_table
from queries.reports.text import md, md_code
from queries.resolve import ElementRef

DEFAULT_MAX_STREAMS_PER_TEAM = 3

_REF = f"n.id AS id, {type_of('n')} AS type, n.name AS name"

COUNT_BY_LABEL = f"""
MATCH (n:{ELEMENT_LABEL})
WITH {type_of("n")} AS label
WHERE label IN $labels
RETURN label, count(*) AS count
"""

STREAMS_WITHOUT_ACCOUNTABLE = f"""
MATCH (n:{STREAM})
WHERE NOT EXISTS {{ (:{PERSON})-[:{ACCOUNTABLE_FOR}]->(n) }}
RETURN {_REF}
ORDER BY name, id
"""

# A stream is project-funded only when every investment behind it is a project (an
# investment of unknown type gives it the benefit of the doubt), or when it has none and
# declares the project funding model.
STREAMS_PROJECT_FUNDED_ONLY = f"""
MATCH (n:{STREAM})
OPTIONAL MATCH (n)-[:{FUNDED_BY}]->(i:{INVESTMENT})
WITH n, count(i) AS investments, collect(i.funding_type) AS types
WHERE (investments > 0 AND size(types) = investments AND all(t IN types WHERE t = 'project'))
   OR (investments = 0 AND n.funding_model = 'project')
RETURN {_REF}, investments
ORDER BY name, id
"""

STREAMS_WITHOUT_SUBSTANCE = f"""
MATCH (n:{STREAM})
WITH n,
     EXISTS {{ (:{TEAM})-[:{SUPPORTS}|{OWNS}]->(n) }}
       OR EXISTS {{ (:{TEAM})-[:{SUPPORTS}]->(:{STAGE})<-[:{HAS_STAGE}]-(n) }}
       AS has_team,
     EXISTS {{ (n)-[:{MEASURED_BY}]->(:{MEASURE}) }} AS has_measure,
     EXISTS {{ (n)-[:{FUNDED_BY}]->(:{INVESTMENT}) }} AS has_funding
WHERE NOT (has_team AND has_measure AND has_funding)
RETURN {_REF}, has_team, has_measure, has_funding
ORDER BY name, id
"""

UNOWNED = f"""
MATCH (n:{ELEMENT_LABEL})
WHERE (n:{PLATFORM} OR n:{DATA})
  AND NOT EXISTS {{ (:{TEAM})-[:{OWNS}]->(n) }}
RETURN {_REF}
ORDER BY type, name, id
"""

# Requirements of a stream: its own, and those of its stages.
REQUIREMENTS = f"""
MATCH (s:{STREAM})-[:{REQUIRES}]->(c:{CAPABILITY})
RETURN s.id AS stream, c.id AS capability
UNION
MATCH (s:{STREAM})-[:{HAS_STAGE}]->(:{STAGE})-[:{REQUIRES}]->(c:{CAPABILITY})
RETURN s.id AS stream, c.id AS capability
"""

CAPABILITY_PLATFORMS = f"""
MATCH (c:{CAPABILITY})-[:{USES}|{DEPENDS_ON}]->(p:{PLATFORM})
RETURN c.id AS capability, p.id AS platform
"""

PLATFORM_DEPENDENCIES = f"""
MATCH (p:{PLATFORM})-[:{USES}|{DEPENDS_ON}]->(q:{PLATFORM})
RETURN p.id AS platform, q.id AS needs
"""

PLATFORM_OWNERS = f"""
MATCH (t:{TEAM})-[:{OWNS}]->(p:{PLATFORM})
RETURN p.id AS platform, collect(t.id) AS teams
"""

PLATFORM_LIFECYCLE = f"""
MATCH (p:{PLATFORM})
WHERE {" OR ".join(f"p.{f} IS NOT NULL" for f in PLATFORM_RETIREMENT)}
RETURN p.id AS platform, p {{{", ".join(f".{f}" for f in PLATFORM_RETIREMENT)}}} AS dates
"""

CAPABILITY_CHILDREN = f"""
MATCH (c:{CAPABILITY})-[:{CONTAINS}]->(d:{CAPABILITY})
RETURN c.id AS parent, d.id AS child
"""


class Finding(BaseModel):
    # Build with `related` given, even empty: a default list is deep-copied for each
    # finding, which was a tenth of a scenario's health report on a large model.
    element: ElementRef
    detail: str
    related: list[ElementRef] = []


class HealthCheck(BaseModel):
    id: str
    title: str
    description: str
    unit: str = Field(description="What `population` and `offending` count, in the plural.")
    population: int
    offending: int
    score: float | None = Field(description="Null: not applicable, nothing to check.")
    applicable: bool
    passed: bool
    findings: list[Finding]


class HealthReport(BaseModel):
    score: float | None  # None: no check applies
    checks: list[HealthCheck]
    max_streams_per_team: int
    propagation: list[dict[str, str]]
    today: date = Field(description="The day lifecycle dates were read against.")


def _ref(r: dict[str, Any]) -> ElementRef:
    return ElementRef(id=str(r["id"]), type=str(r["type"]), name=str(r["name"] or r["id"]))


def _check(
    check_id: str,
    title: str,
    description: str,
    unit: str,
    population: int,
    findings: list[Finding],
    offending: int | None = None,
) -> HealthCheck:
    budget.check()  # each check ends here: a health question past its time stops between them
    bad = len(findings) if offending is None else offending
    score = None if population == 0 else round(100 * (1 - min(bad, population) / population), 1)
    return HealthCheck(
        id=check_id,
        title=title,
        description=description,
        unit=unit,
        population=population,
        offending=bad,
        score=score,
        applicable=population > 0,
        passed=bad == 0,
        findings=findings,
    )


def health_facts(store: GraphStore) -> HealthFacts:
    def rows(query: str) -> list[dict[str, Any]]:
        return [r.data() for r in store.read(query)]

    def pairs(query: str, a: str, b: str) -> set[tuple[str, str]]:
        # Collected into one record: tens of thousands of pairs arrive several times
        # faster than as a record each.
        collected = f"CALL {{ {query} }} RETURN collect([{a}, {b}]) AS pairs"
        return {(str(x), str(y)) for x, y in store.read(collected)[0]["pairs"]}

    counts = {label: 0 for label in COUNTED}
    counts.update(
        {r["label"]: r["count"] for r in store.read(COUNT_BY_LABEL, {"labels": list(COUNTED)})}
    )
    return HealthFacts(
        counts=counts,
        streams_without_accountable=rows(STREAMS_WITHOUT_ACCOUNTABLE),
        streams_project_funded_only=rows(STREAMS_PROJECT_FUNDED_ONLY),
        streams_without_substance=rows(STREAMS_WITHOUT_SUBSTANCE),
        unowned=rows(UNOWNED),
        requirements=pairs(REQUIREMENTS, "stream", "capability"),
        capability_platforms=pairs(CAPABILITY_PLATFORMS, "capability", "platform"),
        platform_dependencies=pairs(PLATFORM_DEPENDENCIES, "platform", "needs"),
        platform_owners={
            str(r["platform"]): {str(t) for t in r["teams"]} for r in rows(PLATFORM_OWNERS)
        },
        capability_children=pairs(CAPABILITY_CHILDREN, "parent", "child"),
        served=streams_served_directly(store),
        platform_lifecycle={
            str(r["platform"]): {k: str(v) for k, v in r["dates"].items() if v is not None}
            for r in rows(PLATFORM_LIFECYCLE)
        },
    )


@dataclass
class _Context:
    facts: HealthFacts
    projection: Projection
    max_streams_per_team: int
    # The day lifecycle dates are read against; only those checks read it.
    today: date = field(default_factory=today_utc)
    # The capabilities left with no working platform, once the single point of failure
    # check has found them (a scenario's losses list them too).
    cut: set[str] = field(default_factory=set)
    # A scenario's: its base report's findings, each with what it was made from (check id
    # -> element id -> (made from, finding)), reused where that is unchanged.
    before: dict[str, dict[str, tuple[object, Finding]]] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        return self.facts.counts

    def kept(self, check: str, element: str, made_from: object) -> Finding | None:
        """The base's finding of `check` about `element`, if it was made from the same."""
        kept = self.before.get(check, {}).get(element)
        if kept is None or (kept[0] is not made_from and kept[0] != made_from):
            return None
        return kept[1]

    def row_findings(
        self, check: str, rows: list[dict[str, Any]], make: Callable[[dict[str, Any]], Finding]
    ) -> list[Finding]:
        """A finding per row (a finding reads its row only): the base's for a row it had."""
        if check not in self.before:
            return [make(r) for r in rows]
        return [self.kept(check, str(r["id"]), r) or make(r) for r in rows]


def accountable_owner(ctx: _Context) -> HealthCheck:
    findings = ctx.row_findings(
        "accountable_owner",
        ctx.facts.streams_without_accountable,
        lambda r: Finding(
            element=_ref(r), detail="no person is ACCOUNTABLE_FOR this stream", related=[]
        ),
    )
    return _check(
        "accountable_owner",
        "Streams without an accountable owner",
        "Every value stream needs one person accountable for it end to end.",
        "streams",
        ctx.counts[STREAM],
        findings,
    )


def project_funding_only(ctx: _Context) -> HealthCheck:
    def finding(r: dict[str, Any]) -> Finding:
        n = int(r["investments"])
        detail = (
            f"all {n} investment(s) are project funding; no persistent capacity"
            if n
            else "funding model is 'project' and no investment is linked"
        )
        return Finding(element=_ref(r), detail=detail, related=[])

    findings = ctx.row_findings(
        "project_funding_only", ctx.facts.streams_project_funded_only, finding
    )
    return _check(
        "project_funding_only",
        "Streams funded only by projects",
        "A long-lived stream needs persistent funding, not a sequence of projects.",
        "streams",
        ctx.counts[STREAM],
        findings,
    )


def deck_only(ctx: _Context) -> HealthCheck:
    def finding(r: dict[str, Any]) -> Finding:
        missing = [what for what in ("team", "measure", "funding") if not r[f"has_{what}"]]
        detail = "no " + ", no ".join(missing)
        if len(missing) == 3:
            detail += ": exists only in decks"
        return Finding(element=_ref(r), detail=detail, related=[])

    findings = ctx.row_findings("deck_only", ctx.facts.streams_without_substance, finding)
    return _check(
        "deck_only",
        "Streams with no team, no measure or no funding",
        "A stream nobody works on, nobody measures or nobody pays for exists only in decks.",
        "streams",
        ctx.counts[STREAM],
        findings,
    )


def unowned(ctx: _Context) -> HealthCheck:
    findings = ctx.row_findings(
        "unowned",
        ctx.facts.unowned,
        lambda r: Finding(element=_ref(r), detail="no team OWNS it", related=[]),
    )
    return _check(
        "unowned",
        "Platforms and data assets without an owning team",
        "Something nobody owns gets changed by everybody and fixed by nobody.",
        "platforms and data assets",
        ctx.counts[PLATFORM] + ctx.counts[DATA],
        findings,
    )


def overloaded_teams(ctx: _Context) -> HealthCheck:
    limit = ctx.max_streams_per_team
    served = ctx.facts.served
    p = ctx.projection
    findings = []
    # Only the teams over the threshold have their streams named and sorted.
    over = (t for t, streams in served.items() if len(streams) > limit)
    for team in sorted(over, key=lambda t: (p.ref(t).name, t)):
        streams = sorted((p.ref(s) for s in served[team]), key=lambda r: (r.name, r.id))
        if len(streams) > limit:
            findings.append(
                Finding(
                    element=p.ref(team),
                    detail=f"serves {len(streams)} streams (threshold {limit}): "
                    + ", ".join(s.name for s in streams),
                    related=streams,
                )
            )
    return _check(
        "overloaded_teams",
        f"Teams serving more than {limit} streams",
        "A team spread over many streams becomes a queue every one of them waits in "
        "(counted through SUPPORTS, to a stream or one of its stages).",
        "teams",
        ctx.counts[TEAM],
        findings,
    )


def stream_cycles(ctx: _Context) -> HealthCheck:
    p = ctx.projection
    streams = set(p.of_type(STREAM))
    # In the projection u -> v means v depends on u; reversed, edges read "depends on".
    depends = p.graph.reverse(copy=False)
    findings = []
    in_cycles: set[str] = set()
    # Its strong components are the graph's (reversing every edge keeps them).
    for component in p.cyclic_stream_components:
        members = sorted(component & streams, key=lambda s: (p.ref(s).name, s))
        in_cycles.update(members)
        cycle = _shortest_cycle(depends.subgraph(component), members[0])
        findings.append(
            Finding(
                element=p.ref(members[0]),
                detail="dependency cycle: " + " depends on ".join(p.ref(n).name for n in cycle),
                related=[p.ref(s) for s in members],
            )
        )
    findings.sort(key=lambda f: (f.element.name, f.element.id))
    return _check(
        "stream_cycles",
        "Dependency cycles between streams",
        "Streams that depend on each other, directly or through what they use, cannot "
        "change independently.",
        "streams",
        len(streams),
        findings,
        offending=len(in_cycles),
    )


def _shortest_cycle(graph: nx.DiGraph, start: str) -> list[str]:
    """The shortest cycle through `start`, as nodes from `start` back to it."""
    best: list[str] | None = None
    for pred in sorted(graph.predecessors(start)):
        path: list[str] = nx.shortest_path(graph, start, pred)
        if best is None or len(path) < len(best):
            best = path
    return [*(best or [start]), start]


@dataclass
class _Delivery:
    """Which platforms deliver each capability: its own, and its descendants'; and what
    that was found from (a scenario's is found from its base's, near what changed)."""

    platforms: dict[str, set[str]]
    own: dict[str, list[str]]  # capability -> the platforms it uses or depends on itself
    tree: dict[str, list[str]]  # capability -> the capabilities it contains


def _delivery(ctx: _Context) -> _Delivery:
    own: dict[str, list[str]] = {}
    for capability, platform in ctx.facts.capability_platforms:
        own.setdefault(capability, []).append(platform)
    # The capability tree (capability -> those it contains) as plain adjacency: a search
    # per capability over networkx's was most of this on a 100k-element model.
    tree: dict[str, list[str]] = {c: [] for c in ctx.projection.of_type(CAPABILITY)}
    for parent, child in sorted(ctx.facts.capability_children):
        tree.setdefault(parent, []).append(child)
        tree.setdefault(child, [])
    return _Delivery(_delivered(own, tree, tree), own, tree)


def _delivered(
    own: Mapping[str, Iterable[str]], tree: Mapping[str, Iterable[str]], capabilities: Iterable[str]
) -> dict[str, set[str]]:
    """Capability -> the platforms it and the capabilities it contains use or depend on."""
    return {c: set().union(*(own.get(d, ()) for d in _reach(tree, (c,)))) for c in capabilities}


def _reach(adjacency: Mapping[str, Iterable[str]], starts: Iterable[str]) -> set[str]:
    """`starts` and every node reachable from them."""
    seen = set(starts)
    stack = list(seen)
    while stack:
        for nxt in adjacency.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


@dataclass
class _Needs:
    """Platform -> the platforms it needs (uses or depends on)."""

    platforms: set[str]
    needs: dict[str, list[str]]

    def needed_by(self) -> dict[str, list[str]]:
        """Platform -> the platforms needing it."""
        found: defaultdict[str, list[str]] = defaultdict(list)
        for platform, needed in self.needs.items():
            for q in needed:
                found[q].append(platform)
        return dict(found)


def _needs_graph(ctx: _Context) -> _Needs:
    # Plain lists (no list made per pair, no graph object): a 100k-element model has
    # hundreds of thousands of platform dependencies.
    needs: defaultdict[str, list[str]] = defaultdict(list)
    for platform, needed in ctx.facts.platform_dependencies:
        needs[platform].append(needed)
    platforms = set(ctx.projection.of_type(PLATFORM))
    platforms.update(needs)
    platforms.update(q for needed in needs.values() for q in needed)
    return _Needs(platforms, dict(needs))


def _stopped(ctx: _Context, needs: _Needs) -> set[str]:
    """Platforms a scenario stopped: each lost something it needed, or needs one that did
    (none without lost needs)."""
    lost = {element for element, _ in ctx.facts.lost_needs}
    starts = lost & needs.platforms
    return _reach(needs.needed_by(), starts) if starts else set()


def _cut_capabilities(ctx: _Context, delivery: _Delivery, stopped: set[str]) -> set[str]:
    """Capabilities a scenario left with no working platform: every platform delivering
    them stopped, or they lost their platforms and none is left."""
    lost = {element for element, _ in ctx.facts.lost_needs}
    return {
        c
        for c, platforms in delivery.platforms.items()
        if (platforms and platforms <= stopped) or (not platforms and c in lost)
    }


def capabilities_cut(facts: HealthFacts, projection: Projection) -> list[ElementRef]:
    """The capabilities left with no working platform, by name (pure; see `_cut_capabilities`)."""
    ctx = _Context(facts, projection, DEFAULT_MAX_STREAMS_PER_TEAM)
    cut = _cut_capabilities(ctx, _delivery(ctx), _stopped(ctx, _needs_graph(ctx)))
    return sorted((projection.ref(c) for c in cut), key=lambda r: (r.name, r.id))


@dataclass
class _Failures:
    """What the single point of failure check finds before it reads the requirements:
    the platforms a scenario stopped, the capabilities it cut, and for each other
    capability some platform delivers, what removing cuts it (its breakers)."""

    stopped: set[str]
    cut: set[str]
    breakers: dict[str, set[str]]


def _failures(ctx: _Context, delivery: _Delivery, needs: _Needs) -> _Failures:
    stopped = _stopped(ctx, needs)
    cut = _cut_capabilities(ctx, delivery, stopped)
    stops = _stops(needs.needs, ctx.facts.platform_owners)
    return _Failures(stopped, cut, _breakers(delivery, delivery.platforms, stopped, cut, stops))


def _stops(
    needs: Mapping[str, Iterable[str]], owners: Mapping[str, set[str]]
) -> Callable[[str], set[str]]:
    """Platform -> what stops it (each found once): it, or anything it needs
    (transitively), removed, or the only team owning one of those gone."""
    found: dict[str, set[str]] = {}

    def stops(platform: str) -> set[str]:
        if platform not in found:
            chain = _reach(needs, (platform,))
            sole = {next(iter(owners[q])) for q in chain if len(owners.get(q, ())) == 1}
            found[platform] = chain | sole
        return found[platform]

    return stops


def _breakers(
    delivery: _Delivery,
    capabilities: Iterable[str],
    stopped: set[str],
    cut: set[str],
    stops: Callable[[str], set[str]],
) -> dict[str, set[str]]:
    """Of `capabilities`, each delivered and not cut -> what stops all its platforms."""
    # A capability is cut off when every platform delivering it stops; the platforms a
    # scenario stopped already deliver nothing, so only the working ones count.
    return {
        c: set.intersection(*(stops(x) for x in sorted(delivery.platforms[c] - stopped)))
        for c in capabilities
        if delivery.platforms[c] and c not in cut
    }


def single_points_of_failure(ctx: _Context, failures: _Failures) -> HealthCheck:
    p = ctx.projection
    cut = ctx.cut = failures.cut
    spofs_of = failures.breakers
    pairs = sorted(ctx.facts.requirements)
    broken: dict[str, list[tuple[str, str]]] = {}
    lost: dict[str, list[tuple[str, str]]] = {}
    broken_pairs = 0
    for stream, capability in pairs:
        if capability in cut:
            # Cut already: the requirement fails, whatever else is removed.
            broken_pairs += 1
            lost.setdefault(capability, []).append((stream, capability))
            continue
        spofs = spofs_of.get(capability, set())
        broken_pairs += bool(spofs)
        for x in spofs:
            broken.setdefault(x, []).append((stream, capability))

    # Streams by their place in name order: a scenario cutting thousands of capabilities
    # names the streams of each (tens of thousands in all on a 100k-element model).
    refs, place = p.nodes, {s: i for i, s in enumerate(p.streams_by_name)}

    def finding(x: str, cut_pairs: list[tuple[str, str]], what: str) -> Finding:
        text = "; ".join(f"{refs[s].name} from {refs[c].name}" for s, c in cut_pairs[:8])
        more = f" (and {len(cut_pairs) - 8} more)" if len(cut_pairs) > 8 else ""
        streams = sorted({s for s, _ in cut_pairs}, key=place.__getitem__)
        return Finding(
            element=refs[x],
            detail=f"{what} {len(cut_pairs)} stream requirement(s): {text}{more}",
            related=[refs[s] for s in streams],
        )

    findings = [finding(x, c, "removing it cuts") for x, c in broken.items()]
    findings += [
        finding(c, cut_pairs, "left without a working platform it needed: cuts")
        for c, cut_pairs in lost.items()
    ]
    size = {**{x: len(c) for x, c in broken.items()}, **{c: len(x) for c, x in lost.items()}}
    findings.sort(key=lambda f: (-size[f.element.id], f.element.name, f.element.id))
    return _check(
        "single_points_of_failure",
        "Single points of failure",
        "A platform or team is a single point of failure for a stream's required capability "
        "when removing it stops every platform delivering the capability: it is that "
        "platform, or one they all use or depend on, or the only team owning one of those. "
        "In a scenario, a capability left with no working platform (each lost something it "
        "needed, or none is left) cuts its requirements outright. "
        "Scored over (stream, required capability) pairs.",
        "stream requirements",
        len(pairs),
        findings,
        offending=broken_pairs,
    )


def unsupported_capabilities(ctx: _Context, delivery: _Delivery) -> HealthCheck:
    p = ctx.projection
    unsupported = (c for c, platforms in delivery.platforms.items() if not platforms)
    findings = [
        ctx.kept("unsupported_capabilities", c, p.ref(c))
        or Finding(
            element=p.ref(c),
            detail="no platform supports it or any capability it contains",
            related=[],
        )
        for c in sorted(unsupported, key=lambda c: (p.ref(c).name, c))
    ]
    return _check(
        "unsupported_capabilities",
        "Capabilities no platform supports",
        "A capability nothing USES or DEPENDS_ON is a promise without a system behind it "
        "(a parent is supported through the capabilities it contains).",
        "capabilities",
        ctx.counts[CAPABILITY],
        findings,
    )


@dataclass
class _Retiring:
    """Streams that depend on a platform with a phase-out or end-of-life date: for each,
    those platforms and the path (stream first, platform last) it depends on each by."""

    paths: dict[str, dict[str, list[str]]]

    def in_phase(self, ctx: _Context, phase: str) -> list[tuple[str, str, list[str]]]:
        """(stream, platform, path) where the platform is in `phase` on the day evaluated."""
        day = ctx.today.isoformat()
        lifecycle = ctx.facts.platform_lifecycle
        p = ctx.projection
        return [
            (stream, platform, path)
            for stream in sorted(self.paths, key=lambda s: (p.ref(s).name, s))
            for platform, path in sorted(
                self.paths[stream].items(), key=lambda pp: (p.ref(pp[0]).name, pp[0])
            )
            if phase_on(lifecycle[platform], day) == phase
        ]


def _retiring_dependencies(ctx: _Context) -> _Retiring:
    # A stream depends on what reaches it in the dependency graph (u -> v: a change to u
    # affects v), the same reading as the impact question's.
    p = ctx.projection
    streams = set(p.of_type(STREAM))
    paths: dict[str, dict[str, list[str]]] = {}
    for platform in sorted(ctx.facts.platform_lifecycle):
        if platform not in p.graph:
            continue
        for node, path in nx.single_source_shortest_path(p.graph, platform).items():
            if node in streams and node != platform:
                paths.setdefault(node, {})[platform] = path[::-1]
    return _Retiring(paths)


def _via(ctx: _Context, path: list[str]) -> str:
    return " → ".join(ctx.projection.ref(n).name for n in path)


def _retiring_check(
    ctx: _Context,
    retiring: _Retiring,
    phase: str,
    state: Callable[[dict[str, str]], str],
    advice: str,
    check: tuple[str, str, str],
) -> HealthCheck:
    """One finding per (stream, platform in `phase`): `state` says since when from the
    platform's dates; scored over the streams depending on a dated platform."""
    p = ctx.projection
    findings = [
        Finding(
            element=p.ref(stream),
            detail=f"depends on {p.ref(platform).name}, "
            f"{state(ctx.facts.platform_lifecycle[platform])}: {_via(ctx, path)}; {advice}",
            related=[p.ref(n) for n in path[1:]],
        )
        for stream, platform, path in retiring.in_phase(ctx, phase)
    ]
    return _check(
        *check,
        "streams",
        len(retiring.paths),
        findings,
        offending=len({f.element.id for f in findings}),
    )


def end_of_life_dependencies(ctx: _Context, retiring: _Retiring) -> HealthCheck:
    return _retiring_check(
        ctx,
        retiring,
        END_OF_LIFE,
        lambda dates: f"past its end of life since {dates[field_of(END_OF_LIFE)]}",
        "move the stream to its replacement or extend its support",
        (
            "end_of_life_dependencies",
            "Streams depending on a platform past its end of life",
            "A stream that depends, directly or through what it uses, on a platform whose "
            "end-of-life date has come runs on something nobody supports any more: move it "
            "to the replacement, or extend support and date the new end of life. Scored over "
            "the streams depending on a platform with a phase-out or end-of-life date, on the "
            "day evaluated.",
        ),
    )


def _phase_out_state(dates: dict[str, str]) -> str:
    end = dates.get(field_of(END_OF_LIFE))
    ends = f"end of life {end}" if end else "no end-of-life date yet"
    return f"in phase-out since {dates[field_of(PHASE_OUT)]} ({ends})"


def phase_out_dependencies(ctx: _Context, retiring: _Retiring) -> HealthCheck:
    return _retiring_check(
        ctx,
        retiring,
        PHASE_OUT,
        _phase_out_state,
        "plan the move before its end of life",
        (
            "phase_out_dependencies",
            "Streams depending on a platform in phase-out",
            "A platform in phase-out is being retired: each stream still depending on it "
            "needs a planned move before the end-of-life date. Scored over the streams "
            "depending on a platform with a phase-out or end-of-life date, on the day "
            "evaluated.",
        ),
    )


def health(
    store: GraphStore,
    *,
    max_streams_per_team: int = DEFAULT_MAX_STREAMS_PER_TEAM,
    overrides: dict[str, str] | list[str] | None = None,
    today: date | None = None,
) -> HealthReport:
    """Run every check on the present model; `max_streams_per_team` is the overload
    threshold, `today` the day lifecycle dates are read against (default: today, UTC).

    Computed once per model revision and question (`queries.present`): the overview, the
    Health page and a scenario's base side share it. Treat the report as read-only."""
    check_threshold(max_streams_per_team)
    return present_health(
        store,
        max_streams_per_team=max_streams_per_team,
        table=propagation_table(overrides),
        day=today or today_utc(),
    )


def kept_health(
    store: GraphStore,
    *,
    max_streams_per_team: int = DEFAULT_MAX_STREAMS_PER_TEAM,
    overrides: dict[str, str] | list[str] | None = None,
    today: date | None = None,
) -> HealthReport | None:
    """`health`'s answer if it is kept for the present revision, else None (never computes)."""
    check_threshold(max_streams_per_team)
    key = health_key(max_streams_per_team, propagation_table(overrides), today or today_utc())
    kept: HealthReport | None = recalled(store, key)
    return kept


def present_health(
    store: GraphStore, *, max_streams_per_team: int, table: PropagationTable, day: date
) -> HealthReport:
    """`health` with its table and day resolved (a scenario's base side asks so)."""

    def compute() -> HealthReport:
        return health_report(
            present_facts(store),
            present_projection(store, table),
            max_streams_per_team=max_streams_per_team,
            table=table,
            today=day,
            keep=True,  # a scenario's report is found from this one's
        )

    return remember(store, health_key(max_streams_per_team, table, day), compute)


def present_facts(store: GraphStore) -> HealthFacts:
    """The present model's health facts, found once per revision: every health report
    of it reads them, and a scenario's are found from them (`ModelGraph.health_facts_after`)."""
    return remember(store, ("health facts",), lambda: present_model(store).health_facts())


def health_key(max_streams_per_team: int, table: PropagationTable, day: date) -> Hashable:
    """What a health report depends on besides the model, as part of a key (the day: the
    lifecycle checks read it)."""
    return ("health", max_streams_per_team, table_key(table), day)


def check_threshold(max_streams_per_team: int) -> int:
    if max_streams_per_team < 1:
        raise QuestionError("max streams per team must be at least 1")
    return max_streams_per_team


def health_report(
    facts: HealthFacts,
    projection: Projection,
    *,
    max_streams_per_team: int,
    table: PropagationTable,
    today: date | None = None,
    keep: bool = False,
) -> HealthReport:
    """Every check on the given facts and dependency graph (pure but for the default
    `today`; `keep`: see `health_report_and_cut`)."""
    return health_report_and_cut(
        facts,
        projection,
        max_streams_per_team=max_streams_per_team,
        table=table,
        today=today,
        keep=keep,
    )[0]


def health_report_and_cut(
    facts: HealthFacts,
    projection: Projection,
    *,
    max_streams_per_team: int,
    table: PropagationTable,
    today: date | None = None,
    keep: bool = False,
) -> tuple[HealthReport, list[ElementRef]]:
    """`health_report`, and `capabilities_cut` of the same facts found on the way. `keep`:
    keep what its single point of failure check was found from, for the reports of
    scenarios of this model (`health_report_after`)."""
    check_threshold(max_streams_per_team)
    ctx = _Context(facts, projection, max_streams_per_team, today or today_utc())
    delivery = _delivery(ctx)
    needs = _needs_graph(ctx)
    failures = _failures(ctx, delivery, needs)
    if keep and not facts.lost_needs and _kept_found(facts, projection) is None:
        _keep_found(ctx, delivery, needs, failures)
    return _assemble(ctx, delivery, failures, table)


def _assemble(
    ctx: _Context, delivery: _Delivery, failures: _Failures, table: PropagationTable
) -> tuple[HealthReport, list[ElementRef]]:
    """Every check, from the capabilities' delivery and the failures found."""
    retiring = _retiring_dependencies(ctx)
    checks = [
        accountable_owner(ctx),
        project_funding_only(ctx),
        deck_only(ctx),
        unowned(ctx),
        overloaded_teams(ctx),
        stream_cycles(ctx),
        single_points_of_failure(ctx, failures),
        unsupported_capabilities(ctx, delivery),
        end_of_life_dependencies(ctx, retiring),
        phase_out_dependencies(ctx, retiring),
    ]
    scored = [c.score for c in checks if c.score is not None]
    overall = round(sum(scored) / len(scored), 1) if scored else None
    report = HealthReport(
        score=overall,
        checks=checks,
        max_streams_per_team=ctx.max_streams_per_team,
        propagation=table.as_list(),
        today=ctx.today,
    )
    p = ctx.projection
    return report, sorted((p.ref(c) for c in ctx.cut), key=lambda r: (r.name, r.id))


# -- a scenario's report from its base's -----------------------------------------------------


def health_report_after(
    base: HealthReport,
    base_facts: HealthFacts,
    base_projection: Projection,
    facts: HealthFacts,
    projection: Projection,
    *,
    max_streams_per_team: int,
    table: PropagationTable,
    today: date | None = None,
) -> tuple[HealthReport, list[ElementRef]]:
    """`health_report_and_cut(facts, projection, ...)` for a scenario of the model whose
    report, facts and dependency graph are `base`, `base_facts` and `base_projection`:
    equal, found near what the scenario changed. The capabilities' delivery is the base's
    but for those containing a capability whose platforms or children changed; the single
    points of failure are the base's but for the capabilities delivered by a platform the
    scenario stopped or whose chain of needs holds a platform whose needs or owners
    changed; a finding read from a fact row (or a capability's name) that did not change
    is the base's. What the base's check was found from is kept with its facts
    (`health_report_and_cut(keep=True)`), or found here once."""
    check_threshold(max_streams_per_team)
    if base_facts.lost_needs:  # the base is itself a scenario: found anew
        return health_report_and_cut(
            facts, projection, max_streams_per_team=max_streams_per_team, table=table, today=today
        )
    day = today or today_utc()
    found = _kept_found(base_facts, base_projection)
    if found is None:
        was = _Context(base_facts, base_projection, max_streams_per_team, day)
        delivery, needs = _delivery(was), _needs_graph(was)
        found = _keep_found(was, delivery, needs, _failures(was, delivery, needs))
    ctx = _Context(facts, projection, max_streams_per_team, day, before=_made(base, base_facts))
    delivery, redelivered = _delivery_after(ctx, found, base_facts)
    return _assemble(
        ctx, delivery, _failures_after(ctx, found, base_facts, delivery, redelivered), table
    )


@dataclass(frozen=True)
class _Found:
    """What a model's capability delivery and single point of failure check were found
    from, kept for its scenarios' reports: by its facts and dependency graph, held weakly
    (kept no longer than they are)."""

    facts: weakref.ReferenceType[HealthFacts]
    projection: weakref.ReferenceType[Projection]
    delivery: _Delivery
    parents: dict[str, list[str]]  # capability -> the capabilities containing it
    needs: dict[str, list[str]]  # platform -> the platforms it needs
    needed_by: dict[str, list[str]]  # platform -> the platforms needing it
    breakers: dict[str, set[str]]  # (no platform stopped)


# The last two models' kept (the present revision and the one before, or two propagation
# tables): about 17 MiB each on a 100k-element model (L), 2.4 of it more than the
# computation of its report holds.
_FOUND: list[_Found] = []
_FOUND_KEPT = 2
_FOUND_LOCK = threading.Lock()


def _kept_found(facts: HealthFacts, projection: Projection) -> _Found | None:
    with _FOUND_LOCK:
        return next(
            (f for f in _FOUND if f.facts() is facts and f.projection() is projection), None
        )


def _keep_found(ctx: _Context, delivery: _Delivery, needs: _Needs, failures: _Failures) -> _Found:
    parents: dict[str, list[str]] = {}
    for c, children in delivery.tree.items():
        for child in children:
            parents.setdefault(child, []).append(c)
    found = _Found(
        weakref.ref(ctx.facts),
        weakref.ref(ctx.projection),
        delivery,
        parents,
        needs.needs,
        needs.needed_by(),
        failures.breakers,
    )
    with _FOUND_LOCK:
        _FOUND[:] = [f for f in _FOUND if f.facts() is not None and f.projection() is not None]
        _FOUND.append(found)
        del _FOUND[:-_FOUND_KEPT]
    return found


def _made(report: HealthReport, facts: HealthFacts) -> dict[str, dict[str, tuple[object, Finding]]]:
    """The base report's findings that a scenario's may reuse, each with what it was made
    from: a fact row (the checks reading rows), or the capability's name (unsupported)."""
    rows = {
        "accountable_owner": facts.streams_without_accountable,
        "project_funding_only": facts.streams_project_funded_only,
        "deck_only": facts.streams_without_substance,
        "unowned": facts.unowned,
    }
    made: dict[str, dict[str, tuple[object, Finding]]] = {}
    for check in report.checks:
        if check.id in rows and len(check.findings) == len(rows[check.id]):
            made[check.id] = {
                f.element.id: (r, f)
                for r, f in zip(rows[check.id], check.findings, strict=True)
                if f.element.id == str(r["id"])
            }
        elif check.id == "unsupported_capabilities":
            made[check.id] = {f.element.id: (f.element, f) for f in check.findings}
    return made


def _pairs_changed(
    now: set[tuple[str, str]], before: set[tuple[str, str]]
) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(added, removed)."""
    if now is before:
        return set(), set()
    return now - before, before - now


def _regrouped(
    grouped: dict[str, list[str]], added: set[tuple[str, str]], removed: set[tuple[str, str]]
) -> dict[str, list[str]]:
    """`grouped` (first -> seconds, of pairs) with pairs added and removed; the lists of
    the firsts no pair changed are shared."""
    if not added and not removed:
        return grouped
    dropped: dict[str, set[str]] = {}
    for a, b in removed:
        dropped.setdefault(a, set()).add(b)
    gained: dict[str, list[str]] = {}
    for a, b in added:
        gained.setdefault(a, []).append(b)
    out = dict(grouped)
    for a in dropped.keys() | gained.keys():
        gone = dropped.get(a, set())
        out[a] = [b for b in grouped.get(a, ()) if b not in gone] + gained.get(a, [])
    return out


def _flipped(pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
    return {(b, a) for a, b in pairs}


def _delivery_after(
    ctx: _Context, found: _Found, base_facts: HealthFacts
) -> tuple[_Delivery, set[str]]:
    """The scenario's delivery from the base's, and the capabilities it was found again
    for: those whose tree (the capabilities they contain, transitively) holds one whose
    own platforms or children changed, and those the base did not have."""
    facts, base = ctx.facts, found.delivery
    own_added, own_removed = _pairs_changed(
        facts.capability_platforms, base_facts.capability_platforms
    )
    kids_added, kids_removed = _pairs_changed(
        facts.capability_children, base_facts.capability_children
    )
    own = _regrouped(base.own, own_added, own_removed)
    tree = _regrouped(base.tree, kids_added, kids_removed)
    # The tree's capabilities: the model's, and any a pair names (as `_delivery` has them).
    capabilities = set(ctx.projection.of_type(CAPABILITY))
    capabilities.update(c for pair in facts.capability_children for c in pair)
    gone = base.tree.keys() - capabilities
    new = capabilities - base.tree.keys()
    for c in gone:
        tree.pop(c, None)
    for c in new:
        tree.setdefault(c, [])
    changed = {c for c, _ in own_added | own_removed} | {c for c, _ in kids_added | kids_removed}
    again = (_reach(found.parents, (changed | gone) & base.tree.keys()) | new) & capabilities
    platforms = dict(base.platforms)
    for c in gone:
        del platforms[c]
    platforms.update(_delivered(own, tree, again))
    return _Delivery(platforms, own, tree), again


def _failures_after(
    ctx: _Context, found: _Found, base_facts: HealthFacts, delivery: _Delivery, again: set[str]
) -> _Failures:
    """The scenario's failures from the base's: a platform's breakers are the base's
    unless its chain of needs holds a platform whose needs or owners changed, so only the
    capabilities delivered by such a platform (or a stopped one), or whose delivery was
    found again, or that lost something they needed, are looked at again."""
    facts, nodes = ctx.facts, ctx.projection.nodes
    added, removed = _pairs_changed(facts.platform_dependencies, base_facts.platform_dependencies)
    needed_by = _regrouped(found.needed_by, _flipped(added), _flipped(removed))
    lost = {element for element, _ in facts.lost_needs}
    starts = {e for e in lost if (r := nodes.get(e)) is not None and r.type == PLATFORM}
    stopped = _reach(needed_by, starts) if starts else set()
    owners, owned = facts.platform_owners, base_facts.platform_owners
    changed = {p for p, _ in added | removed}
    if owners is not owned:
        # Most owner sets are the base's own: compared by identity first, in C.
        keys = list(owners)
        differ = compress(keys, map(is_not, owners.values(), map(owned.get, keys)))
        changed.update(p for p in differ if owners[p] != owned.get(p))
        changed.update(owned.keys() - owners.keys())
    # The working platforms whose chain (in the base) holds a changed platform: upwards
    # from the changed ones, around the stopped (a path through a stopped platform to a
    # working one passes a platform that lost a need: changed, a start itself).
    reached = changed - stopped
    stack = list(reached)
    while stack:
        for q in found.needed_by.get(stack.pop(), ()):
            if q not in reached and q not in stopped:
                reached.add(q)
                stack.append(q)
    touched = stopped | reached
    recheck = again | (lost & delivery.platforms.keys())
    if touched:
        recheck.update(c for c, ps in delivery.platforms.items() if not touched.isdisjoint(ps))
    cut = {
        c
        for c in recheck
        if ((ps := delivery.platforms[c]) and ps <= stopped) or (not ps and c in lost)
    }
    breakers = {
        c: b for c, b in found.breakers.items() if c not in recheck and c in delivery.platforms
    }
    # A working platform's chain holds working platforms only (one needing a stopped one
    # is stopped): their needs are the base's, or the changed ones'.
    working = {(p, q) for p, q in added if p not in stopped}
    needs = _regrouped(found.needs, working, {(p, q) for p, q in removed if p not in stopped})
    stops = _stops(needs, owners)
    breakers.update(_breakers(delivery, recheck, stopped, cut, stops))
    return _Failures(stopped, cut, breakers)


def score_delta(base: float | None, scenario: float | None) -> float | None:
    """How a score moved; None when either side is not applicable."""
    return None if base is None or scenario is None else round(scenario - base, 1)


def health_markdown(report: HealthReport, *, level: int = 1) -> str:
    """The report as Markdown: a summary table, then each failing check's findings; its
    title a heading of `level` (a report embeds it one level down)."""
    overall = "not applicable" if report.score is None else f"{report.score:g}/100"
    lines = [
        f"{'#' * level} Operating-model health: {overall}",
        "",
        "| Check | Score | Offending | Of |",
        "| --- | ---: | ---: | ---: |",
    ]
    for c in report.checks:
        if c.score is None:
            lines.append(f"| {c.title} (not applicable) | n/a | 0 | 0 |")
            continue
        mark = "ok" if c.passed else "**fail**"
        lines.append(f"| {c.title} ({mark}) | {c.score:g} | {c.offending} | {c.population} |")
    for c in report.checks:
        if c.passed:
            continue
        lines += ["", f"{'#' * (level + 1)} {c.title}", "", c.description, ""]
        # Names come from imported models: escaped, so that none turns into a link or HTML.
        lines += [
            f"- **{md(f.element.name)}** ({md_code(f.element.id)}): {md(f.detail)}"
            for f in c.findings
        ]
    return "\n".join(lines) + "\n"
