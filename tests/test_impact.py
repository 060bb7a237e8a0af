"""Change impact, depends-on and dependency paths, on hand-worked graphs and random ones."""

from __future__ import annotations

import itertools
import random
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from question_graphs import Graph, cli_json, gql, run_cli

from graph.schema import ANY, SCHEMA
from graph.store import GraphStore
from queries.errors import QuestionError
from queries.impact import PathDirection, WalkOptions, dependency_path, depends_on, impact
from queries.propagation import (
    DEFAULT_TABLE,
    RELATED,
    Flow,
    PropagationError,
    parse_overrides,
    propagation_table,
    related_key,
)
from queries.resolve import AmbiguousElementError, UnknownElementError, resolve

# -- the propagation table (no database) ------------------------------------------------


def test_every_schema_relationship_type_has_a_propagation_rule() -> None:
    covered = {key.split(":", 1)[0] for key in DEFAULT_TABLE.rules}
    assert covered == set(SCHEMA.rel_types)


def test_documented_table_matches_the_defaults() -> None:
    doc = Path(__file__).parent.parent / "docs" / "questions.md"
    rows = {
        cells[0].strip("` "): cells[1].strip()
        for line in doc.read_text().splitlines()
        if line.startswith("| `")
        for cells in [line.strip("|").split("|")]
    }
    assert rows == {key: rule.flow.value for key, rule in DEFAULT_TABLE.rules.items()}


@pytest.mark.parametrize(
    ("original", "access", "key"),
    [
        ("Serving", None, "RELATED_TO:serving"),
        ("ServingRelationship", None, "RELATED_TO:serving"),
        ("archimate:Realisation", None, "RELATED_TO:realization"),
        ("Access", None, "RELATED_TO:access:write"),  # the exchange format's default
        ("Access", "Read", "RELATED_TO:access:read"),
        ("access", "read_write", "RELATED_TO:access:readwrite"),
        ("Association", "Read", "RELATED_TO:association"),
    ],
)
def test_archimate_types_are_normalised(original: str, access: str | None, key: str) -> None:
    assert related_key(original, access) == key


def test_overrides_are_checked() -> None:
    assert parse_overrides(["uses=None", "related_to:Association=both"]) == {
        "USES": Flow.NONE,
        "RELATED_TO:association": Flow.BOTH,
    }
    with pytest.raises(PropagationError, match="unknown relationship type 'LIKES'"):
        parse_overrides(["LIKES=forward"])
    with pytest.raises(PropagationError, match="unknown flow 'sideways'"):
        parse_overrides({"USES": "sideways"})
    with pytest.raises(PropagationError, match="needs an original type"):
        parse_overrides(["RELATED_TO=both"])
    with pytest.raises(PropagationError, match="expected KEY=flow"):
        parse_overrides(["USES"])


def test_configured_overrides_sit_between_defaults_and_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VALUEGRAPH_PROPAGATION", '{"USES": "none", "READS": "both"}')
    table = propagation_table({"READS": "forward"})
    assert table.flow("USES") is Flow.NONE
    assert table.flow("READS") is Flow.FORWARD
    assert table.flow("WRITES") is Flow.FORWARD


# -- each default, on a two-node graph --------------------------------------------------


def _endpoints(rel_type: str) -> tuple[str, str]:
    source, target = SCHEMA.rel(rel_type).endpoints[0]
    return (
        "GenericElement" if source == ANY else source,
        "GenericElement" if target == ANY else target,
    )


def _sample(g: Graph, label: str, node_id: str) -> None:
    required = {"Stage": {"order": 1}, "GenericElement": {"original_type": "Thing"}}
    g.node(label, node_id, **required.get(label, {}))


_DEFAULT_CASES: list[tuple[str, dict[str, str], bool, bool]] = [
    # (type, relationship properties, change to source reaches target, target reaches source)
    ("DEPENDS_ON", {}, False, True),
    ("USES", {}, False, True),
    ("REQUIRES", {}, False, True),
    ("HAS_STAGE", {}, False, True),
    ("CONTAINS", {}, False, True),
    ("WRITES", {}, True, False),
    ("READS", {}, False, True),
    ("OWNS", {}, True, False),
    ("SUPPORTS", {}, True, False),
    ("MEMBER_OF", {}, False, False),
    ("ACCOUNTABLE_FOR", {}, False, False),
    ("FUNDED_BY", {}, False, False),
    ("MEASURED_BY", {}, False, False),
    ("DECIDES_FOR", {}, False, False),
    (RELATED, {"original_type": "Serving"}, True, False),
    (RELATED, {"original_type": "Realization"}, True, False),
    (RELATED, {"original_type": "Composition"}, False, True),
    (RELATED, {"original_type": "Aggregation"}, False, True),
    (RELATED, {"original_type": "Flow"}, True, False),
    (RELATED, {"original_type": "Triggering"}, True, False),
    (RELATED, {"original_type": "Access", "access_type": "Write"}, True, False),
    (RELATED, {"original_type": "Access"}, True, False),
    (RELATED, {"original_type": "Access", "access_type": "Read"}, False, True),
    (RELATED, {"original_type": "Access", "access_type": "ReadWrite"}, True, True),
    (RELATED, {"original_type": "Association"}, False, False),
    (RELATED, {"original_type": "Influence"}, False, False),
    (RELATED, {"original_type": "Specialization"}, False, False),
]


@pytest.mark.parametrize(
    ("rel_type", "props", "forward", "reverse"),
    _DEFAULT_CASES,
    ids=[
        f"{t}:{p.get('original_type', '')}:{p.get('access_type', '')}"
        for t, p, *_ in _DEFAULT_CASES
    ],
)
def test_each_default_carries_change_the_documented_way(
    store: GraphStore, rel_type: str, props: dict[str, str], forward: bool, reverse: bool
) -> None:
    source_label, target_label = _endpoints(rel_type)
    g = Graph()
    _sample(g, source_label, "a")
    _sample(g, target_label, "b")
    g.rel(rel_type, "a", "b", **props).write(store)

    from_a = {x.element.id for x in impact(store, "a").affected}
    from_b = {x.element.id for x in impact(store, "b").affected}
    assert from_a == ({"b"} if forward else set())
    assert from_b == ({"a"} if reverse else set())


# -- a hand-worked graph: diamond, data hop, part-of chain, decoys ----------------------
#
#   p-core <-DEPENDS_ON- p-mid1 <-DEPENDS_ON- p-top <-USES- cap-child <-CONTAINS- cap-parent
#   p-core <-USES------- p-mid2 <-DEPENDS_ON- p-top      cap-parent <-REQUIRES- st-a1 <-HAS_STAGE- vs-a
#   p-core -WRITES-> d-cust <-READS- p-reader <-USES- vs-b ;  vs-b -DEPENDS_ON-> vs-a
#   decoys: p-core -USES-> p-decoy <-USES- vs-c ; t-core -OWNS-> p-core ; t-top -OWNS-> p-top ;
#           t-alpha -SUPPORTS-> vs-a ; per-a -ACCOUNTABLE_FOR-> vs-a ; per-c -> vs-c


def _hand_graph() -> Graph:
    g = Graph()
    g.node("ValueStream", "vs-a", "Alpha").node("ValueStream", "vs-b", "Beta")
    g.node("ValueStream", "vs-c", "Gamma")
    g.node("Stage", "st-a1", "Alpha stage", order=1)
    g.node("Capability", "cap-parent", "Parent capability")
    g.node("Capability", "cap-child", "Child capability")
    for pid, name in [
        ("p-core", "Core"),
        ("p-mid1", "Mid one"),
        ("p-mid2", "Mid two"),
        ("p-top", "Top"),
        ("p-reader", "Reader"),
        ("p-decoy", "Decoy"),
    ]:
        g.node("Platform", pid, name)
    g.node("DataAsset", "d-cust", "Customer data")
    g.node("Team", "t-core", "Core team").node("Team", "t-top", "Top team")
    g.node("Team", "t-alpha", "Alpha team")
    g.node("Person", "per-a", "Ada").node("Person", "per-c", "Cy")
    (
        g.rel("DEPENDS_ON", "p-mid1", "p-core")
        .rel("USES", "p-mid2", "p-core")
        .rel("DEPENDS_ON", "p-top", "p-mid1")
        .rel("DEPENDS_ON", "p-top", "p-mid2")
        .rel("USES", "cap-child", "p-top")
        .rel("CONTAINS", "cap-parent", "cap-child")
        .rel("REQUIRES", "st-a1", "cap-parent")
        .rel("HAS_STAGE", "vs-a", "st-a1")
        .rel("WRITES", "p-core", "d-cust")
        .rel("READS", "p-reader", "d-cust")
        .rel("USES", "vs-b", "p-reader")
        .rel("DEPENDS_ON", "vs-b", "vs-a")
        .rel("USES", "p-core", "p-decoy")
        .rel("USES", "vs-c", "p-decoy")
        .rel("OWNS", "t-core", "p-core")
        .rel("OWNS", "t-top", "p-top")
        .rel("SUPPORTS", "t-alpha", "vs-a")
        .rel("ACCOUNTABLE_FOR", "per-a", "vs-a")
        .rel("ACCOUNTABLE_FOR", "per-c", "vs-c")
    )
    return g


@pytest.fixture
def hand(store: GraphStore) -> GraphStore:
    return _hand_graph().write(store)


def _distances(items: list[Any]) -> dict[str, int]:
    return {a.element.id: a.distance for a in items}


def test_impact_reaches_streams_through_diamond_data_and_parts(hand: GraphStore) -> None:
    result = impact(hand, "p-core")
    assert _distances(result.streams) == {"vs-b": 3, "vs-a": 6}
    assert _distances(result.platforms) == {"p-mid1": 1, "p-mid2": 1, "p-top": 2, "p-reader": 2}
    assert _distances(result.capabilities) == {"cap-child": 3, "cap-parent": 4}
    assert _distances(result.data_assets) == {"d-cust": 1}
    assert _distances(result.other) == {"st-a1": 5}
    alpha = result.streams[1]
    assert alpha.path_text == (
        "Core <-[DEPENDS_ON]- Mid one <-[DEPENDS_ON]- Top <-[USES]- Child capability "
        "<-[CONTAINS]- Parent capability <-[REQUIRES]- Alpha stage <-[HAS_STAGE]- Alpha"
    )
    assert [s.stored_forward for s in result.streams[0].path] == [True, False, False]
    assert result.streams[0].path[0].text == "Core -[WRITES]-> Customer data"
    # Owners of the changed element and of affected elements; the supporting team and the
    # decoy stream's accountable person are not told.
    assert {(n.element.id, tuple(a.id for a in n.about)) for n in result.teams_to_notify} == {
        ("t-core", ("p-core",)),
        ("t-top", ("p-top",)),
    }
    assert [(n.element.id, n.reason) for n in result.people_to_notify] == [
        ("per-a", "accountable for Alpha")
    ]


def test_impact_respects_the_depth_limit(hand: GraphStore) -> None:
    assert _distances(impact(hand, "p-core", WalkOptions(3)).streams) == {"vs-b": 3}
    shallow = impact(hand, "p-core", WalkOptions(2))
    assert shallow.streams == []
    assert {a.element.id for a in shallow.affected} == {
        "p-mid1",
        "p-mid2",
        "d-cust",
        "p-top",
        "p-reader",
    }
    with pytest.raises(QuestionError):
        impact(hand, "p-core", WalkOptions(0))


def test_impact_filters_and_overrides(hand: GraphStore) -> None:
    only_deps = impact(hand, "p-core", WalkOptions(rel_types=["DEPENDS_ON"]))
    assert {a.element.id for a in only_deps.affected} == {"p-mid1", "p-top"}
    # Without data propagation Beta is only reached through Alpha's stream dependency.
    no_reads = impact(hand, "p-core", WalkOptions(overrides=["READS=none"]))
    assert _distances(no_reads.streams) == {"vs-a": 6, "vs-b": 7}
    # Turning USES around makes the decoy reachable and the USES-only routes vanish.
    flipped = impact(hand, "p-core", WalkOptions(overrides={"USES": "forward"}))
    assert "p-decoy" in {a.element.id for a in flipped.affected}
    assert "p-mid2" not in {a.element.id for a in flipped.affected}


def test_impact_of_a_stream_in_a_cycle_terminates(store: GraphStore) -> None:
    g = Graph().nodes_of("ValueStream", "vs-1", "vs-2", "vs-3")
    g.rel("DEPENDS_ON", "vs-1", "vs-2").rel("DEPENDS_ON", "vs-2", "vs-3")
    g.rel("DEPENDS_ON", "vs-3", "vs-1").write(store)
    assert _distances(impact(store, "vs-1").streams) == {"vs-3": 1, "vs-2": 2}
    assert _distances(depends_on(store, "vs-1").dependencies) == {"vs-2": 1, "vs-3": 2}


def test_depends_on_walks_against_the_change(hand: GraphStore) -> None:
    result = depends_on(hand, "vs-a")
    assert _distances(result.dependencies) == {
        "st-a1": 1,
        "t-alpha": 1,
        "cap-parent": 2,
        "cap-child": 3,
        "p-top": 4,
        "p-mid1": 5,
        "p-mid2": 5,
        "t-top": 5,
        "p-core": 6,
        "p-decoy": 7,
        "t-core": 7,
    }
    top = next(d for d in result.dependencies if d.element.id == "p-top")
    assert [s.to_element.id for s in top.path] == ["st-a1", "cap-parent", "cap-child", "p-top"]
    assert top.path[0].text == "Alpha -[HAS_STAGE]-> Alpha stage"
    assert _distances(depends_on(hand, "vs-a", WalkOptions(2)).dependencies) == {
        "st-a1": 1,
        "t-alpha": 1,
        "cap-parent": 2,
    }


def test_dependency_path_in_both_directions_and_none(hand: GraphStore) -> None:
    forward = dependency_path(hand, "Core", "Beta")
    assert forward.direction is PathDirection.SOURCE_AFFECTS_TARGET
    assert forward.distance == 3
    assert [s.to_element.id for s in forward.steps] == ["d-cust", "p-reader", "vs-b"]
    backward = dependency_path(hand, "vs-b", "p-core")
    assert backward.direction is PathDirection.TARGET_AFFECTS_SOURCE
    assert [s.from_element.id for s in backward.steps] == ["p-core", "d-cust", "p-reader"]
    assert backward.explanation.startswith("a change to Core reaches Beta in 3 step(s)")
    disconnected = dependency_path(hand, "vs-c", "vs-a")
    assert (disconnected.direction, disconnected.distance, disconnected.steps) == (
        PathDirection.NONE,
        None,
        [],
    )
    too_short = dependency_path(hand, "p-core", "vs-a", WalkOptions(5))
    assert too_short.direction is PathDirection.NONE


def test_elements_are_named_by_id_or_exact_name(store: GraphStore) -> None:
    g = Graph().node("Platform", "p-1", "Payments Hub").node("Team", "t-1", "Payments Hub")
    g.node("Platform", "p-2", "Ledger").node("Platform", "p-3", "Ledger Archive")
    g.write(store)
    assert resolve(store, "p-1").name == "Payments Hub"
    assert resolve(store, "Ledger").id == "p-2"
    assert resolve(store, "ledger archive").id == "p-3"
    with pytest.raises(AmbiguousElementError) as ambiguous:
        resolve(store, "Payments Hub")
    assert {c.id for c in ambiguous.value.candidates} == {"p-1", "t-1"}
    with pytest.raises(UnknownElementError) as unknown:
        resolve(store, "ledg")
    assert [c.id for c in unknown.value.candidates] == ["p-2", "p-3"]
    assert "did you mean: Ledger (Platform p-2)" in str(unknown.value)


# -- cross-check against networkx on seeded random graphs -------------------------------

_ARCHIMATE = [
    ("Serving", None),
    ("ServingRelationship", None),
    ("Composition", None),
    ("Aggregation", None),
    ("Flow", None),
    ("Triggering", None),
    ("Realization", None),
    ("Access", "Read"),
    ("Access", "Write"),
    ("Access", "ReadWrite"),
    ("Access", None),
    ("Association", None),
    ("Influence", None),
]
_LABELS = ["ValueStream", "Stage", "Capability", "Platform", "DataAsset", "Team", "GenericElement"]


def _random_graph(seed: int, n: int = 36, m: int = 90) -> tuple[Graph, nx.DiGraph, list[str]]:
    rnd = random.Random(seed)
    g = Graph()
    labels: dict[str, str] = {}
    for i in range(n):
        label = rnd.choice(_LABELS)
        node_id = f"n{i:02}"
        labels[node_id] = label
        extra: dict[str, Any] = {}
        if label == "Stage":
            extra["order"] = 1
        if label == "GenericElement":
            extra["original_type"] = "ApplicationComponent"
        g.node(label, node_id, f"Node {i:02}", **extra)
    ids = sorted(labels)
    expected = nx.DiGraph()
    expected.add_nodes_from(ids)
    seen = set()
    while len(g.rels) < m:
        a, b = rnd.choice(ids), rnd.choice(ids)
        allowed = [r for r in SCHEMA.rels if r.allows(labels[a], labels[b])]
        if not allowed:
            continue
        rel = rnd.choice(allowed)
        if (a, rel.type, b) in seen:
            continue
        seen.add((a, rel.type, b))
        props: dict[str, Any] = {}
        original = access = None
        if rel.type == RELATED:
            original, access = rnd.choice(_ARCHIMATE)
            props = {"original_type": original}
            if access:
                props["access_type"] = access
        g.rel(rel.type, a, b, **props)
        flow = DEFAULT_TABLE.flow_of(rel.type, original, access)
        if flow in (Flow.FORWARD, Flow.BOTH):
            expected.add_edge(a, b)
        if flow in (Flow.REVERSE, Flow.BOTH):
            expected.add_edge(b, a)
    return g, expected, ids


def _check_path(steps: list[Any], start: str, end: str, graph: nx.DiGraph) -> None:
    assert steps[0].from_element.id == start
    assert steps[-1].to_element.id == end
    for prev, step in itertools.pairwise(steps):
        assert prev.to_element.id == step.from_element.id
    for step in steps:
        assert graph.has_edge(step.from_element.id, step.to_element.id)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_neo4j_answers_equal_networkx_on_random_graphs(store: GraphStore, seed: int) -> None:
    g, expected, ids = _random_graph(seed)
    g.write(store)
    reverse = expected.reverse()
    rnd = random.Random(seed * 100)
    for start in rnd.sample(ids, 4):
        for depth in (2, 50):
            want = nx.single_source_shortest_path_length(expected, start, cutoff=depth)
            got = impact(store, start, WalkOptions(depth))
            assert _distances(got.affected) == {k: v for k, v in want.items() if k != start}
            for a in got.affected:
                _check_path(a.path, start, a.element.id, expected)
                assert len(a.path) == a.distance
            want_deps = nx.single_source_shortest_path_length(reverse, start, cutoff=depth)
            got_deps = depends_on(store, start, WalkOptions(depth))
            assert _distances(got_deps.dependencies) == {
                k: v for k, v in want_deps.items() if k != start
            }
        end = rnd.choice([i for i in ids if i != start])
        path = dependency_path(store, start, end, WalkOptions(50))
        if nx.has_path(expected, start, end):
            assert path.direction is PathDirection.SOURCE_AFFECTS_TARGET
            assert path.distance == nx.shortest_path_length(expected, start, end)
            _check_path(path.steps, start, end, expected)
        elif nx.has_path(expected, end, start):
            assert path.direction is PathDirection.TARGET_AFFECTS_SOURCE
            assert path.distance == nx.shortest_path_length(expected, end, start)
            _check_path(path.steps, end, start, expected)
        else:
            assert path.direction is PathDirection.NONE


# -- the interfaces -----------------------------------------------------------------


IMPACT_QUERY = """
query($element: String!, $depth: Int!, $overrides: [PropagationOverride!]) {
  impact(element: $element, maxDepth: $depth, propagation: $overrides) {
    element { id }
    streams { element { id name } distance pathText path { relationship storedForward } }
    teamsToNotify { element { id } reason }
  }
}
"""


def test_graphql_impact_depends_on_and_path(client: TestClient, store: GraphStore) -> None:
    _hand_graph().write(store)
    body = gql(client, IMPACT_QUERY, element="Core", depth=10)
    assert "errors" not in body, body
    data = body["data"]["impact"]
    assert data["element"]["id"] == "p-core"
    assert [(s["element"]["id"], s["distance"]) for s in data["streams"]] == [
        ("vs-b", 3),
        ("vs-a", 6),
    ]
    assert data["streams"][0]["path"][0] == {"relationship": "WRITES", "storedForward": True}
    assert {t["element"]["id"] for t in data["teamsToNotify"]} == {"t-core", "t-top"}

    overridden = gql(
        client,
        IMPACT_QUERY,
        element="p-core",
        depth=10,
        overrides=[{"key": "READS", "flow": "NONE"}],
    )
    assert [s["distance"] for s in overridden["data"]["impact"]["streams"]] == [6, 7]

    other = gql(
        client,
        """{ dependsOn(element: "vs-a", maxDepth: 1) {
               dependencies { element { id } } propagation { key flow } }
             dependencyPath(source: "vs-b", target: "p-core") { direction distance explanation } }""",
    )["data"]
    assert {d["element"]["id"] for d in other["dependsOn"]["dependencies"]} == {"st-a1", "t-alpha"}
    assert {"key": "READS", "flow": "reverse"} in other["dependsOn"]["propagation"]
    assert other["dependencyPath"]["direction"] == "TARGET_AFFECTS_SOURCE"
    assert other["dependencyPath"]["distance"] == 3


def test_graphql_errors_name_candidates(client: TestClient, store: GraphStore) -> None:
    Graph().node("Platform", "p-1", "Hub").node("Team", "t-1", "Hub").write(store)
    body = gql(client, '{ impact(element: "Hub") { element { id } } }')
    error = body["errors"][0]
    assert error["message"].startswith("'Hub' names more than one element")
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["reason"] == "ambiguous_element"
    assert {c["id"] for c in error["extensions"]["candidates"]} == {"p-1", "t-1"}
    unknown = gql(client, '{ dependsOn(element: "Nowhere") { element { id } } }')["errors"][0]
    # Every caller-fixable error shares one code; `reason` says which kind it is.
    assert (unknown["extensions"]["code"], unknown["extensions"]["reason"]) == (
        "BAD_USER_INPUT",
        "unknown_element",
    )
    bad = gql(client, '{ impact(element: "p-1", maxDepth: 99) { element { id } } }')
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert bad["errors"][0]["message"] == "max depth must be between 1 and 50"


def test_rest_impact_depends_on_path_and_errors(client: TestClient, store: GraphStore) -> None:
    _hand_graph().write(store)
    Graph().node("Team", "t-dup", "Core").write(store)
    response = client.get("/api/impact/p-core", params={"max_depth": 3})
    assert response.status_code == 200
    body = response.json()
    assert [(s["element"]["id"], s["distance"]) for s in body["streams"]] == [("vs-b", 3)]
    assert body["streams"][0]["path_text"] == (
        "Core -[WRITES]-> Customer data <-[READS]- Reader <-[USES]- Beta"
    )
    filtered = client.get(
        "/api/impact/p-core", params={"rel_type": ["DEPENDS_ON"], "propagation": "USES=none"}
    ).json()
    assert filtered["streams"] == []
    assert client.get("/api/depends-on/Alpha", params={"max_depth": 1}).status_code == 200
    path = client.get("/api/path", params={"source": "p-core", "target": "Alpha"}).json()
    assert (path["direction"], path["distance"]) == ("source_affects_target", 6)

    ambiguous = client.get("/api/impact/Core")
    assert ambiguous.status_code == 422
    assert {c["id"] for c in ambiguous.json()["detail"]["candidates"]} == {"p-core", "t-dup"}
    unknown = client.get("/api/impact/Nowhere")
    assert unknown.status_code == 404
    assert unknown.json()["detail"]["candidates"] == []
    assert client.get("/api/impact/p-core", params={"propagation": "USES=up"}).status_code == 422
    assert client.get("/api/impact/p-core", params={"max_depth": 0}).status_code == 422
    table = client.get("/api/propagation").json()
    assert {"key": "READS", "flow": "reverse"} in [
        {"key": r["key"], "flow": r["flow"]} for r in table
    ]


def test_cli_impact_depends_on_and_path(
    store: GraphStore,
    neo4j_server: dict[str, str | None],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    _hand_graph().write(store)
    data = cli_json(["impact", "Core", "--depth", "3"], neo4j_server, monkeypatch, tmp_path)
    assert [(s["element"]["id"], s["distance"]) for s in data["streams"]] == [("vs-b", 3)]
    deps = cli_json(["depends-on", "vs-a", "-d", "2"], neo4j_server, monkeypatch, tmp_path)
    assert {d["element"]["id"] for d in deps["dependencies"]} == {"st-a1", "t-alpha", "cap-parent"}
    path = cli_json(
        ["path", "Beta", "Core", "-p", "READS=none"], neo4j_server, monkeypatch, tmp_path
    )
    assert (path["direction"], path["distance"]) == ("target_affects_source", 7)

    code, out = run_cli(["impact", "Core"], neo4j_server, monkeypatch, tmp_path)
    assert code == 0
    assert "affects 2 value stream(s)" in out
    assert "Core team (t-core): owns Core" in out
    code, out = run_cli(["depends-on", "Alpha", "-d", "2"], neo4j_server, monkeypatch, tmp_path)
    assert code == 0 and "-[HAS_STAGE]-> Alpha stage" in out
    code, _ = run_cli(["impact", "Nowhere"], neo4j_server, monkeypatch, tmp_path)
    assert code == 1


DEPENDS_ON_PAGE = """query($e: String!, $limit: Int, $offset: Int!, $at: String) {
  dependsOn(element: $e, at: $at) {
    total dependencies(limit: $limit, offset: $offset) { element { id } distance pathText }
  }
}"""


def test_depends_on_pages_nearest_first_alike_on_every_surface(
    client: TestClient,
    store: GraphStore,
    neo4j_server: dict[str, str | None],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    _hand_graph().write(store)
    whole = depends_on(store, "vs-a")
    ids = [d.element.id for d in whole.dependencies]
    # Distance, then name, then id: the three at five hops by name.
    assert ids[5:8] == ["p-mid1", "p-mid2", "t-top"]
    assert whole.total == len(ids) == 11
    pages = [depends_on(store, "vs-a", offset=o, limit=4) for o in (0, 4, 8)]
    assert [d for p in pages for d in p.dependencies] == whole.dependencies
    assert {p.total for p in pages} == {11}

    want = ids[4:8]
    for at in (None, date.today().isoformat()):  # a planned day pages the same way
        data = gql(client, DEPENDS_ON_PAGE, e="vs-a", limit=4, offset=4, at=at)["data"]
        assert data["dependsOn"]["total"] == 11
        assert [d["element"]["id"] for d in data["dependsOn"]["dependencies"]] == want
        params: dict[str, Any] = {"limit": 4, "offset": 4, **({"at": at} if at else {})}
        rest = client.get("/api/depends-on/vs-a", params=params).json()
        assert (rest["total"], [d["element"]["id"] for d in rest["dependencies"]]) == (11, want)
    assert client.get("/api/depends-on/vs-a", params={"limit": 501}).status_code == 422
    refused = gql(client, DEPENDS_ON_PAGE, e="vs-a", limit=0, offset=0)["errors"][0]
    assert refused["extensions"]["code"] == "BAD_USER_INPUT"

    cli = cli_json(
        ["depends-on", "vs-a", "--limit", "4", "--offset", "4"], neo4j_server, monkeypatch, tmp_path
    )
    assert (cli["total"], [d["element"]["id"] for d in cli["dependencies"]]) == (11, want)
    code, out = run_cli(
        ["depends-on", "vs-a", "--limit", "4", "--offset", "4"], neo4j_server, monkeypatch, tmp_path
    )
    assert code == 0
    assert "4 (from 5, nearest first) of 11 dependencies within 10 hop(s)" in out
    # Parents outside the page: the dependency stands under the root with its whole path.
    assert "Top (Platform p-top): Alpha -[HAS_STAGE]-> Alpha stage" in out
    assert "-[DEPENDS_ON]-> Mid one (Platform p-mid1)" in out  # beneath p-top, in the page
    code, out = run_cli(["depends-on", "vs-a"], neo4j_server, monkeypatch, tmp_path)
    assert code == 0 and "11 dependencies within 10 hop(s)" in out
