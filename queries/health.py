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
count as offending, so removing what streams need never raises the score.

Each check says what its `population` and `offending` count (`unit`): for most it is the
findings' elements, but single points of failure are scored over stream requirements and
cycles over the streams in them, so every surface shows the same number with its unit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date
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

    @property
    def counts(self) -> dict[str, int]:
        return self.facts.counts


def accountable_owner(ctx: _Context) -> HealthCheck:
    findings = [
        Finding(element=_ref(r), detail="no person is ACCOUNTABLE_FOR this stream", related=[])
        for r in ctx.facts.streams_without_accountable
    ]
    return _check(
        "accountable_owner",
        "Streams without an accountable owner",
        "Every value stream needs one person accountable for it end to end.",
        "streams",
        ctx.counts[STREAM],
        findings,
    )


def project_funding_only(ctx: _Context) -> HealthCheck:
    findings = []
    for r in ctx.facts.streams_project_funded_only:
        n = int(r["investments"])
        detail = (
            f"all {n} investment(s) are project funding; no persistent capacity"
            if n
            else "funding model is 'project' and no investment is linked"
        )
        findings.append(Finding(element=_ref(r), detail=detail, related=[]))
    return _check(
        "project_funding_only",
        "Streams funded only by projects",
        "A long-lived stream needs persistent funding, not a sequence of projects.",
        "streams",
        ctx.counts[STREAM],
        findings,
    )


def deck_only(ctx: _Context) -> HealthCheck:
    findings = []
    for r in ctx.facts.streams_without_substance:
        missing = [what for what in ("team", "measure", "funding") if not r[f"has_{what}"]]
        detail = "no " + ", no ".join(missing)
        if len(missing) == 3:
            detail += ": exists only in decks"
        findings.append(Finding(element=_ref(r), detail=detail, related=[]))
    return _check(
        "deck_only",
        "Streams with no team, no measure or no funding",
        "A stream nobody works on, nobody measures or nobody pays for exists only in decks.",
        "streams",
        ctx.counts[STREAM],
        findings,
    )


def unowned(ctx: _Context) -> HealthCheck:
    findings = [
        Finding(element=_ref(r), detail="no team OWNS it", related=[]) for r in ctx.facts.unowned
    ]
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
    for team in sorted(served, key=lambda t: (p.ref(t).name, t)):
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
    """Which platforms deliver each capability: its own, and its descendants'."""

    platforms: dict[str, set[str]]


def _delivery(ctx: _Context) -> _Delivery:
    own: dict[str, set[str]] = {}
    for capability, platform in ctx.facts.capability_platforms:
        own.setdefault(capability, set()).add(platform)
    # The capability tree (capability -> those it contains) as plain adjacency: a search
    # per capability over networkx's was most of this on a 100k-element model.
    tree: dict[str, list[str]] = {c: [] for c in ctx.projection.of_type(CAPABILITY)}
    for parent, child in sorted(ctx.facts.capability_children):
        tree.setdefault(parent, []).append(child)
        tree.setdefault(child, [])
    platforms = {c: set().union(*(own.get(d, set()) for d in _reach(tree, (c,)))) for c in tree}
    return _Delivery(platforms)


def _reach(adjacency: dict[str, list[str]], starts: Iterable[str]) -> set[str]:
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
        return found


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


def single_points_of_failure(ctx: _Context, delivery: _Delivery) -> HealthCheck:
    p = ctx.projection
    needs = _needs_graph(ctx)
    owners = ctx.facts.platform_owners
    fails_without: dict[str, set[str]] = {}

    def breakers(platform: str) -> set[str]:
        # A platform stops when it, or anything it needs (transitively), is removed, or
        # when the only team owning one of those goes.
        if platform not in fails_without:
            chain = _reach(needs.needs, (platform,))
            sole = {next(iter(owners[q])) for q in chain if len(owners.get(q, ())) == 1}
            fails_without[platform] = chain | sole
        return fails_without[platform]

    stopped = _stopped(ctx, needs)
    cut = ctx.cut = _cut_capabilities(ctx, delivery, stopped)
    # A capability is cut off when every platform delivering it stops; the platforms a
    # scenario stopped already deliver nothing, so only the working ones count.
    spofs_of = {
        capability: set.intersection(*(breakers(x) for x in sorted(platforms - stopped)))
        for capability, platforms in delivery.platforms.items()
        if platforms and capability not in cut
    }
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

    def finding(x: str, cut_pairs: list[tuple[str, str]], what: str) -> Finding:
        text = "; ".join(f"{p.ref(s).name} from {p.ref(c).name}" for s, c in cut_pairs[:8])
        more = f" (and {len(cut_pairs) - 8} more)" if len(cut_pairs) > 8 else ""
        streams = sorted({s for s, _ in cut_pairs}, key=lambda s: (p.ref(s).name, s))
        return Finding(
            element=p.ref(x),
            detail=f"{what} {len(cut_pairs)} stream requirement(s): {text}{more}",
            related=[p.ref(s) for s in streams],
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
    findings = [
        Finding(
            element=p.ref(c),
            detail="no platform supports it or any capability it contains",
            related=[],
        )
        for c in sorted(delivery.platforms, key=lambda c: (p.ref(c).name, c))
        if not delivery.platforms[c]
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
) -> HealthReport:
    """Every check on the given facts and dependency graph (pure but for the default
    `today`)."""
    return health_report_and_cut(
        facts, projection, max_streams_per_team=max_streams_per_team, table=table, today=today
    )[0]


def health_report_and_cut(
    facts: HealthFacts,
    projection: Projection,
    *,
    max_streams_per_team: int,
    table: PropagationTable,
    today: date | None = None,
) -> tuple[HealthReport, list[ElementRef]]:
    """`health_report`, and `capabilities_cut` of the same facts found on the way."""
    check_threshold(max_streams_per_team)
    ctx = _Context(facts, projection, max_streams_per_team, today or today_utc())
    delivery = _delivery(ctx)
    retiring = _retiring_dependencies(ctx)
    checks = [
        accountable_owner(ctx),
        project_funding_only(ctx),
        deck_only(ctx),
        unowned(ctx),
        overloaded_teams(ctx),
        stream_cycles(ctx),
        single_points_of_failure(ctx, delivery),
        unsupported_capabilities(ctx, delivery),
        end_of_life_dependencies(ctx, retiring),
        phase_out_dependencies(ctx, retiring),
    ]
    scored = [c.score for c in checks if c.score is not None]
    overall = round(sum(scored) / len(scored), 1) if scored else None
    report = HealthReport(
        score=overall,
        checks=checks,
        max_streams_per_team=max_streams_per_team,
        propagation=table.as_list(),
        today=ctx.today,
    )
    p = ctx.projection
    return report, sorted((p.ref(c) for c in ctx.cut), key=lambda r: (r.name, r.id))


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
