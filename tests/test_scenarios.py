"""What-if scenarios: the in-memory model answers as Neo4j does, operations change only a
copy, comparisons give the hand-worked deltas, and applying changes the base exactly so."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from question_graphs import Graph, cli_json, gql, run_cli

from graph.schema import SCHEMA
from graph.store import ConflictError, GraphStore, NotFoundError
from queries import bottlenecks as bn
from queries import health as hl
from queries import impact as im
from queries.errors import QuestionError
from queries.model_graph import ModelGraph
from queries.present import present_model
from queries.projection import Projection, load_projection, streams_served_directly
from queries.propagation import propagation_table
from queries.resolve import AmbiguousElementError, UnknownElementError, resolve
from queries.scenarios import (
    ScenarioConflictError,
    ScenarioNotFoundError,
    add_operation,
    apply_scenario,
    compare_models,
    compare_scenario,
    create_scenario,
    discard_scenario,
    get_scenario,
    list_scenarios,
    storage,
)
from queries.scenarios.operations import OperationError, apply_operation, parse_operation, replay
from queries.scenarios.storage import load_record, scenario_model
from queries.walk_index import WalkIndex


@pytest.fixture
def clean(store: GraphStore) -> Iterator[GraphStore]:
    """An empty model and no scenarios (the shared fixture clears elements only)."""
    store.execute("MATCH (s:Scenario) DELETE s")
    yield store
    store.execute("MATCH (s:Scenario) DELETE s")


# -- the in-memory model answers exactly as the Cypher does -----------------------------


def _same_projection(a: Projection, b: Projection) -> None:
    assert a.nodes == b.nodes
    assert a.props == b.props
    assert list(a.graph.nodes) == list(b.graph.nodes)
    assert list(a.graph.edges(data=True)) == list(b.graph.edges(data=True))


def _assert_memory_equals_cypher(store: GraphStore, sample: list[str]) -> None:
    model = ModelGraph.load(store)
    table = propagation_table()
    _same_projection(model.projection(table), load_projection(store, table))
    assert model.served_directly() == streams_served_directly(store)
    assert model.health_facts() == hl.health_facts(store)
    assert hl.health_report(
        model.health_facts(), model.projection(table), max_streams_per_team=3, table=table
    ) == hl.health(store, max_streams_per_team=3)
    assert bn.bottleneck_report(
        model.projection(table), model.served_directly(), limit=1000, config=None, table=table
    ) == bn.bottlenecks(store, limit=1000)
    index = WalkIndex.load(store)
    for element in sample:
        expected = im.impact(store, element)
        assert im.impact(model, element) == expected
        assert im.impact(index, element) == expected
        shallow = im.depends_on(store, element, im.WalkOptions(3))
        assert im.depends_on(model, element, im.WalkOptions(3)) == shallow
        assert im.depends_on(index, element, im.WalkOptions(3)) == shallow
        # Overridden propagation, narrowed types and a path to the farthest element.
        overrides = ["USES=both", "RELATED_TO:serving=none", "RELATED_TO:access:read=both"]
        assert im.impact(index, element, im.WalkOptions(overrides=overrides)) == im.impact(
            store, element, im.WalkOptions(overrides=overrides)
        )
        assert im.impact(
            index, element, im.WalkOptions(rel_types=["USES", "DEPENDS_ON"])
        ) == im.impact(store, element, im.WalkOptions(rel_types=["USES", "DEPENDS_ON"]))
        if expected.affected:
            far = expected.affected[-1].element.id
            assert im.dependency_path(index, element, far) == im.dependency_path(
                store, element, far
            )
            assert im.dependency_path(index, far, element, im.WalkOptions(2)) == (
                im.dependency_path(store, far, element, im.WalkOptions(2))
            )


def test_demo_answers_from_memory_equal_the_cypher_answers(clean: GraphStore) -> None:
    from samples.demo import load_demo

    load_demo(clean)
    model = ModelGraph.load(clean)
    assert len(model.nodes) == sum(clean.stats()["nodes"].values())
    assert len(model.rels) == sum(clean.stats()["relationships"].values())
    sample = [n.id for n in model.nodes.values() if n.type in ("Platform", "Team", "DataAsset")]
    sample += ["vs-mortgage", "vs-payments", "cap-payments"]
    assert len(sample) > 30
    _assert_memory_equals_cypher(clean, sample)
    index = WalkIndex.load(clean)
    for node in list(model.nodes.values())[::7]:
        for ref in (node.id, node.name, node.name.upper()):
            try:
                expected = resolve(clean, ref)
            except (UnknownElementError, AmbiguousElementError) as exc:
                for memory in (model, index):
                    with pytest.raises(type(exc)) as got:
                        memory.resolve(ref)
                    assert got.value.candidates == exc.candidates
            else:
                assert model.resolve(ref) == expected
                assert index.resolve(ref) == expected
    with pytest.raises(UnknownElementError) as unknown:
        model.resolve("gateway")
    assert unknown.value.candidates == _resolve_candidates(clean, "gateway")


def _resolve_candidates(store: GraphStore, ref: str) -> list[Any]:
    with pytest.raises(UnknownElementError) as exc:
        resolve(store, ref)
    return exc.value.candidates


_LABELS = [n.label for n in SCHEMA.nodes]


def _random_model(seed: int, n: int = 40, m: int = 110) -> Graph:
    """Every node and relationship type, typed properties the checks read, and duplicates."""
    rnd = random.Random(seed)
    g = Graph()
    labels: dict[str, str] = {}
    for i in range(n):
        label = rnd.choice(_LABELS)
        node_id = f"n{i:02}"
        labels[node_id] = label
        extra: dict[str, Any] = {}
        if label == "Stage":
            extra["order"] = rnd.randint(1, 4)
        if label == "GenericElement":
            extra["original_type"] = "Node"
        if label == "Investment" and rnd.random() < 0.7:
            extra["funding_type"] = rnd.choice(["project", "persistent"])
        if label == "ValueStream" and rnd.random() < 0.5:
            extra["funding_model"] = rnd.choice(["project", "persistent", "mixed"])
        if label == "Team" and rnd.random() < 0.7:
            extra["team_type"] = rnd.choice(["stream-aligned", "platform", "enabling"])
            extra["capacity"] = rnd.choice([4, 8, 12])
        # Some names repeat, so resolving by name meets ambiguity.
        g.node(label, node_id, f"Node {i % 31:02}", **extra)
    ids = sorted(labels)
    seen: set[tuple[str, str, str]] = set()
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
        if rel.type == "RELATED_TO":
            props = {"original_type": rnd.choice(["Serving", "Access", "Composition", "Flow"])}
            if props["original_type"] == "Access":
                props["access_type"] = rnd.choice(["Read", "Write", "ReadWrite"])
        g.rel(rel.type, a, b, **props)
        if rel.type in ("OWNS", "FUNDED_BY") and rnd.random() < 0.2:
            # A second relationship of the same type between the same two elements.
            g.rel(rel.type, a, b, id=f"{a}|{rel.type}|{b}|again")
    return g


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_random_model_answers_from_memory_equal_the_cypher_answers(
    clean: GraphStore, seed: int
) -> None:
    _random_model(seed).write(clean)
    rnd = random.Random(seed)
    _assert_memory_equals_cypher(clean, rnd.sample(sorted(ModelGraph.load(clean).nodes), 8))


# -- a hand-worked model ---------------------------------------------------------------
#
# Change travels (u -> v: a change to u affects v; stage hops are free in the ranking):
#   Old ledger -> Pay out capability -> Payout (stage) -> Alpha ; Old ledger -> Beta
#   Gateway -> Old ledger ; Gateway -> Alpha ; Spare ledger -> Gamma ; Decoy platform -> Delta
#   Core team owns Old ledger and Gateway ; New team owns New ledger (used by nothing yet);
#   Spare team owns Spare ledger ; Alpha team supports Alpha, Beta and Gamma.
# Decoys: Delta, its platform and its team, which no operation touches.


def _scenario_graph() -> Graph:
    g = Graph()
    for sid, name in [("vs-a", "Alpha"), ("vs-b", "Beta"), ("vs-c", "Gamma"), ("vs-d", "Delta")]:
        g.node(
            "ValueStream",
            sid,
            name,
            description=f"The {name} stream",
            purpose=f"Serve {name}",
            funding_model="persistent",
            tags=["retail"],
        )
    for i, (st, name) in enumerate([("st-a1", "Intake"), ("st-a2", "Review"), ("st-a3", "Payout")]):
        g.node("Stage", st, name, order=i + 1).rel("HAS_STAGE", "vs-a", st)
    g.node("Capability", "cap-pay", "Pay out capability")
    for pid, name in [
        ("p-old", "Old ledger"),
        ("p-new", "New ledger"),
        ("p-gw", "Gateway"),
        ("p-spare", "Spare ledger"),
        ("p-decoy", "Decoy platform"),
    ]:
        g.node("Platform", pid, name, kind="application")
    for tid, name, kind in [
        ("t-core", "Core team", "platform"),
        ("t-new", "New team", "platform"),
        ("t-alpha", "Alpha team", "stream-aligned"),
        ("t-spare", "Spare team", "platform"),
        ("t-decoy", "Decoy team", "stream-aligned"),
    ]:
        g.node("Team", tid, name, team_type=kind, capacity=8)
    g.node("Investment", "inv", "Run budget", funding_type="persistent")
    g.node("Measure", "m", "Lead time")
    for sid, pid, person in [
        ("vs-a", "per-a", "Ann"),
        ("vs-b", "per-b", "Bo"),
        ("vs-c", "per-c", "Cy"),
        ("vs-d", "per-d", "Di"),
    ]:
        g.node("Person", pid, person).rel("ACCOUNTABLE_FOR", pid, sid)
        g.rel("FUNDED_BY", sid, "inv").rel("MEASURED_BY", sid, "m")
    (
        g.rel("REQUIRES", "st-a3", "cap-pay")
        .rel("USES", "cap-pay", "p-old")
        .rel("USES", "vs-b", "p-old", properties={"since": "2020"})
        .rel("DEPENDS_ON", "p-old", "p-gw")
        .rel("USES", "vs-a", "p-gw")
        .rel("USES", "vs-c", "p-spare")
        .rel("USES", "vs-d", "p-decoy")
        .rel("OWNS", "t-core", "p-old")
        .rel("OWNS", "t-core", "p-gw")
        .rel("OWNS", "t-new", "p-new")
        .rel("OWNS", "t-spare", "p-spare")
        .rel("OWNS", "t-decoy", "p-decoy")
        .rel("SUPPORTS", "t-alpha", "vs-a")
        .rel("SUPPORTS", "t-alpha", "vs-b")
        .rel("SUPPORTS", "t-alpha", "vs-c")
        .rel("SUPPORTS", "t-decoy", "vs-d")
    )
    return g


RETIRE = [
    {"op": "replace_element", "old": "Old ledger", "new": "New ledger"},
    {"op": "move_ownership", "element": "New ledger", "from_team": "Core team", "to_team": "t-new"},
    {"op": "add_relationship", "type": "uses", "source": "Pay out capability", "target": "p-spare"},
]
SPLIT = [
    {
        "op": "split_stream",
        "stream": "Alpha",
        "into": [
            {"name": "Alpha onboarding", "stages": ["Intake", "st-a2"]},
            {"name": "Alpha payouts", "stages": ["Payout"]},
        ],
    }
]


@pytest.fixture
def model(clean: GraphStore) -> GraphStore:
    return _scenario_graph().write(clean)


def _fingerprint(store: GraphStore) -> tuple[dict[str, dict[str, int]], str]:
    """Counts and a checksum of every property of every element and relationship."""
    nodes = store.read(
        "MATCH (n:Element) RETURN n.id AS id, labels(n) AS labels, properties(n) AS props"
    )
    rels = store.read(
        "MATCH (a:Element)-[r]->(b:Element) "
        "RETURN a.id AS a, type(r) AS type, b.id AS b, properties(r) AS props"
    )
    rows = sorted(json.dumps(r.data(), sort_keys=True, default=str) for r in [*nodes, *rels])
    return store.stats(), hashlib.sha256("\n".join(rows).encode()).hexdigest()


def _rows(comparison: Any) -> list[tuple[Any, ...]]:
    return [
        (
            r.element.id,
            r.base_rank,
            r.scenario_rank,
            r.change.value,
            r.base_score,
            r.scenario_score,
            r.score_delta,
            r.base_stream_count,
            r.scenario_stream_count,
        )
        for r in comparison.bottlenecks.rows
    ]


def test_create_and_compare_leave_the_base_untouched(model: GraphStore) -> None:
    before = _fingerprint(model)
    created = create_scenario(model, name="retire-old-ledger", description="Move to the new one")
    assert (created.status.value, created.operations) == ("open", [])
    for op in RETIRE:
        add_operation(model, "retire-old-ledger", op)
    create_scenario(model, name="split alpha", operations=SPLIT)
    compare_scenario(model, "retire-old-ledger", element="Spare ledger")
    compare_scenario(model, "split alpha", element="Gateway")
    get_scenario(model, "retire-old-ledger")
    list_scenarios(model)
    with pytest.raises(OperationError):
        add_operation(model, "split alpha", {"op": "remove_element", "element": "Nowhere"})
    assert _fingerprint(model) == before
    assert before[0]["nodes"]["Platform"] == 5
    assert model.get_node("p-old") is not None


def test_the_model_an_added_operation_was_checked_on_is_the_scenarios_replayed(
    model: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Adding an operation keeps the copy it was checked on as the scenario's model (not
    # replayed again to describe and compare it): the same model and views as replaying
    # the stored operations on the present model.
    create_scenario(model, name="kept", operations=SPLIT)
    replayed: list[int] = []

    def counted(base: ModelGraph, operations: Any, **kwargs: Any) -> Any:
        replayed.append(len(operations))
        return replay(base, operations, **kwargs)

    monkeypatch.setattr(storage, "replay", counted)
    for op in RETIRE:
        added = add_operation(model, "kept", op)
    record = load_record(model, "kept")
    kept, views, problem = scenario_model(model, record)
    assert replayed == []
    fresh, fresh_views, fresh_problem = replay(
        present_model(model), record.operations, strict=False
    )
    assert (views, problem) == (fresh_views, fresh_problem) == (added.operations, None)
    assert kept.nodes == fresh.nodes and kept.rels == fresh.rels
    # Still a copy of the present model, its changes noted (what the comparison looks at).
    assert kept.copied_from(present_model(model))
    assert kept.changes_from(present_model(model)) == fresh.changes_from(present_model(model))
    base = ModelGraph.load(model)
    fresh_comparison = compare_models(
        base,
        replay(base, record.operations)[0],
        view=added,
        element="Spare ledger",
        max_depth=im.DEFAULT_MAX_DEPTH,
        limit=20,
        max_streams_per_team=hl.DEFAULT_MAX_STREAMS_PER_TEAM,
        config=bn.BottleneckConfig(),
        overrides=None,
    )
    compared = compare_scenario(model, "kept", element="Spare ledger")
    assert compared.model_dump(mode="json") == fresh_comparison.model_dump(mode="json")


def test_operations_are_stored_by_id_and_described(model: GraphStore) -> None:
    view = create_scenario(model, name="retire-old-ledger", operations=RETIRE)
    assert [o.operation for o in view.operations] == [
        {"op": "replace_element", "old": "p-old", "new": "p-new"},
        {"op": "move_ownership", "element": "p-new", "to_team": "t-new", "from_team": "t-core"},
        {
            "op": "add_relationship",
            "type": "USES",
            "source": "cap-pay",
            "target": "p-spare",
            "attributes": {},
        },
    ]
    assert [o.text for o in view.operations] == [
        "replace Old ledger (p-old) by New ledger (p-new): its relationships move over",
        "move ownership of New ledger (p-new) from Core team (t-core) to New team (t-new)",
        "add Pay out capability (cap-pay) -[USES]-> Spare ledger (p-spare)",
    ]
    assert view.problem is None
    summaries = list_scenarios(model)
    assert [(s.name, s.status.value, s.operation_count) for s in summaries] == [
        ("retire-old-ledger", "open", 3)
    ]


def test_retiring_a_platform_compares_as_worked_by_hand(model: GraphStore) -> None:
    create_scenario(model, name="retire", operations=RETIRE)
    result = compare_scenario(model, "retire", element="Spare ledger")

    # Health: Old ledger, Gateway and Core team were single points of failure for Alpha's
    # payout capability; with the spare ledger delivering it too, none is.
    h = result.health
    assert (h.base_score, h.scenario_score, h.score_delta) == (87.5, 100.0, 12.5)
    checks = {c.id: c for c in h.checks}
    spof = checks["single_points_of_failure"]
    assert (spof.base_score, spof.scenario_score, spof.base_offending, spof.scenario_offending) == (
        0.0,
        100.0,
        1,
        0,
    )
    assert [r.id for r in spof.resolved] == ["t-core", "p-gw", "p-old"]
    assert spof.introduced == []
    # No platform has lifecycle dates: the lifecycle checks apply on neither side.
    lifecycle = ("end_of_life_dependencies", "phase_out_dependencies")
    assert [
        (checks[c].base_score, checks[c].scenario_score, checks[c].score_delta) for c in lifecycle
    ] == [(None, None, None)] * 2
    unchanged = [c for c in h.checks if c.id not in ("single_points_of_failure", *lifecycle)]
    assert all((c.score_delta, c.resolved, c.introduced) == (0, [], []) for c in unchanged)

    # Bottlenecks: scores 100 * (0.6 * proximity + 0.2 * betweenness / max + 0.2 * pressure).
    # Base betweenness (pairs through): Old ledger 6, Gateway 1, Spare ledger 1; scenario:
    # New ledger 10, Gateway 5, Spare ledger 4. Alpha team: load 3/2, pressure 0.5.
    assert (result.bottlenecks.base_stream_total, result.bottlenecks.scenario_stream_total) == (
        4,
        4,
    )
    assert _rows(result) == [
        ("t-alpha", 1, 1, "same", 55.0, 55.0, 0.0, 3, 3),
        ("p-new", 9, 2, "higher", 0.0, 42.5, 42.5, 0, 2),
        ("p-gw", 3, 3, "same", 25.8, 32.5, 6.7, 2, 2),
        ("p-spare", 4, 4, "same", 18.3, 30.5, 12.2, 1, 2),
        ("p-decoy", 6, 5, "higher", 15.0, 15.0, 0.0, 1, 1),
        ("t-decoy", 7, 6, "higher", 15.0, 15.0, 0.0, 1, 1),
        ("t-core", 5, 7, "lower", 15.0, 7.5, -7.5, 2, 1),
        ("t-new", 10, 8, "higher", 0.0, 7.5, 7.5, 0, 1),
        ("t-spare", 8, 9, "lower", 7.5, 7.5, 0.0, 1, 1),
        ("p-old", 2, None, "removed", 42.5, None, -42.5, 2, None),
    ]
    assert [r.rank_change for r in result.bottlenecks.rows[:3]] == [0, 7, 0]

    # Impact of the spare ledger: it now reaches Alpha through the payout capability.
    i = result.impact
    assert i is not None
    assert (i.element.id, i.in_base, i.in_scenario) == ("p-spare", True, True)
    assert (i.base_stream_count, i.scenario_stream_count) == (1, 2)
    assert (i.base_affected_count, i.scenario_affected_count) == (1, 4)
    # Listed as the explorer shows them: what changes first, the unchanged last.
    assert [
        (d.element.id, d.base_distance, d.scenario_distance, d.change.value) for d in i.streams
    ] == [
        ("vs-a", None, 3, "added"),
        ("vs-c", 1, 1, "same"),
    ]
    assert i.streams[0].scenario_path == (
        "Spare ledger <-[USES]- Pay out capability <-[REQUIRES]- Payout <-[HAS_STAGE]- Alpha"
    )

    gone = compare_scenario(model, "retire", element="Old ledger").impact
    assert gone is not None
    assert (gone.in_base, gone.in_scenario, gone.scenario) == (True, False, None)
    assert [(d.element.id, d.base_distance, d.change.value) for d in gone.streams] == [
        ("vs-b", 1, "removed"),
        ("vs-a", 3, "removed"),
    ]
    assert result.losses.needs == []
    limited = compare_scenario(model, "retire", limit=2)
    assert [r.element.id for r in limited.bottlenecks.rows] == ["t-alpha", "p-new", "p-old"]
    assert limited.impact is None


def test_removing_what_streams_need_is_a_loss_and_never_raises_health(
    model: GraphStore,
) -> None:
    # The old ledger goes without a replacement: the payout capability (required by
    # Alpha's Payout stage) and Beta used it. Before, the capability simply dropped out
    # of the single-point-of-failure check and the score rose.
    create_scenario(model, name="drop", operations=[{"op": "remove_element", "element": "p-old"}])
    result = compare_scenario(model, "drop", element="Old ledger")
    losses = result.losses
    assert [
        (n.element.id, n.relationship, n.needed.id, n.removed, [s.id for s in n.streams])
        for n in losses.needs
    ] == [
        ("vs-b", "USES", "p-old", True, ["vs-b"]),
        ("cap-pay", "USES", "p-old", True, ["vs-a"]),
    ]
    assert [s.id for s in losses.streams] == ["vs-a", "vs-b"]
    assert [c.id for c in losses.capabilities] == ["cap-pay"]

    h = result.health
    assert h.base_score is not None and h.scenario_score is not None
    assert h.scenario_score <= h.base_score
    spof = next(c for c in h.checks if c.id == "single_points_of_failure")
    assert (spof.unit, spof.base_offending, spof.scenario_offending) == (
        "stream requirements",
        1,
        1,
    )
    assert (spof.base_score, spof.scenario_score) == (0.0, 0.0)
    assert [r.id for r in spof.introduced] == ["cap-pay"]

    # The compared element is gone: the streams it reached lose it (not "no longer reached").
    i = result.impact
    assert i is not None and not i.in_scenario
    assert [(d.element.id, d.change.value) for d in i.streams] == [
        ("vs-b", "lost"),
        ("vs-a", "lost"),
    ]

    # A platform that lost what it needed stops: dropping the gateway the old ledger
    # depends on cuts the payout capability too.
    create_scenario(model, name="no-gw", operations=[{"op": "remove_element", "element": "p-gw"}])
    gw = compare_scenario(model, "no-gw")
    assert [(n.element.id, n.needed.id) for n in gw.losses.needs] == [
        ("p-old", "p-gw"),
        ("vs-a", "p-gw"),
    ]
    assert [c.id for c in gw.losses.capabilities] == ["cap-pay"]
    assert gw.health.scenario_score is not None and gw.health.base_score is not None
    assert gw.health.scenario_score <= gw.health.base_score

    # A replacement is not a loss: the old ledger's users moved to the new one.
    create_scenario(model, name="retire", operations=RETIRE)
    assert compare_scenario(model, "retire").losses.needs == []


def test_removing_a_shared_platform_of_the_demo_is_a_loss(clean: GraphStore) -> None:
    from samples.demo import load_demo

    load_demo(clean)
    create_scenario(
        clean,
        name="no-gateway",
        operations=[{"op": "remove_element", "element": "plat-api-gateway"}],
    )
    result = compare_scenario(clean, "no-gateway", element="plat-api-gateway")
    h = result.health
    assert h.base_score is not None and h.scenario_score is not None
    assert h.scenario_score <= h.base_score
    spof = next(c for c in h.checks if c.id == "single_points_of_failure")
    assert spof.scenario_offending >= spof.base_offending
    streams = {n.id for n in ModelGraph.load(clean).of_type("ValueStream")}
    assert {s.id for s in result.losses.streams} == streams
    assert result.impact is not None
    assert {d.change.value for d in result.impact.streams} == {"lost"}
    # One truth: the comparison's base side is the health report's numbers.
    report = hl.health(clean)
    assert [(c.id, c.offending, c.unit) for c in report.checks] == [
        (c.id, c.base_offending, c.unit) for c in h.checks
    ]


def test_splitting_a_stream_compares_as_worked_by_hand(model: GraphStore) -> None:
    create_scenario(model, name="split", operations=SPLIT)
    result = compare_scenario(model, "split", element="Gateway")
    h = result.health
    # Alpha team now serves four streams against a threshold of three.
    assert (h.base_score, h.scenario_score, h.score_delta) == (87.5, 85.0, -2.5)
    overloaded = next(c for c in h.checks if c.id == "overloaded_teams")
    assert (overloaded.base_score, overloaded.scenario_score, overloaded.score_delta) == (
        100.0,
        80.0,
        -20.0,
    )
    assert [r.id for r in overloaded.introduced] == ["t-alpha"]
    assert [c.id for c in h.checks if c.score_delta] == ["overloaded_teams"]
    team = next(r for r in result.bottlenecks.rows if r.element.id == "t-alpha")
    # proximity 4/5 and load 4/2 (pressure 1): 100 * (0.6 * 0.8 + 0.2) = 68
    assert (team.base_score, team.scenario_score, team.base_stream_count) == (55.0, 68.0, 3)
    assert team.scenario_stream_count == 4
    assert (result.bottlenecks.base_stream_total, result.bottlenecks.scenario_stream_total) == (
        4,
        5,
    )
    i = result.impact
    assert i is not None
    assert [
        (d.element.id, d.base_distance, d.scenario_distance, d.change.value) for d in i.streams
    ] == [
        ("valuestream:alpha-onboarding", None, 1, "added"),
        ("valuestream:alpha-payouts", None, 1, "added"),
        ("vs-a", 1, None, "removed"),
        ("vs-b", 2, 2, "same"),
    ]


def test_scenario_answers_equal_the_cypher_answers_once_applied(model: GraphStore) -> None:
    create_scenario(model, name="retire", operations=RETIRE)
    compared = compare_scenario(model, "retire", element="Spare ledger", limit=100)
    before = _fingerprint(model)
    base = ModelGraph.load(model)

    result = apply_scenario(model, "retire", actor="tester")

    # The base is now what was compared: same elements, relationships and answers.
    scenario_model = ModelGraph.load(model)
    assert scenario_model != base
    assert _fingerprint(model) != before
    health = hl.health(model)
    assert (health.score, [c.score for c in health.checks]) == (
        compared.health.scenario_score,
        [c.scenario_score for c in compared.health.checks],
    )
    ranked = bn.bottlenecks(model, limit=100).bottlenecks
    assert [(b.element.id, b.rank, b.score) for b in ranked] == [
        (r.element.id, r.scenario_rank, r.scenario_score)
        for r in compared.bottlenecks.rows
        if r.scenario_rank is not None
    ]
    assert compared.impact is not None
    assert im.impact(model, "p-spare") == compared.impact.scenario

    assert [e.id for e in result.elements_removed] == ["p-old"]
    assert (result.elements_added, result.elements_changed) == ([], [])
    assert sorted(r.text for r in result.relationships_removed) == [
        "Beta -[USES]-> Old ledger",
        "Core team -[OWNS]-> Old ledger",
        "Old ledger -[DEPENDS_ON]-> Gateway",
        "Pay out capability -[USES]-> Old ledger",
    ]
    assert sorted(r.text for r in result.relationships_added) == [
        "Beta -[USES]-> New ledger",
        "New ledger -[DEPENDS_ON]-> Gateway",
        "Pay out capability -[USES]-> New ledger",
        "Pay out capability -[USES]-> Spare ledger",
    ]
    assert model.get_node("p-old") is None
    rels = {(r["source"], r["type"], r["target"]) for r in model.list_relationships(limit=500)[0]}
    assert {x for x in rels if "p-new" in x or "p-old" in x} == {
        ("t-new", "OWNS", "p-new"),
        ("cap-pay", "USES", "p-new"),
        ("vs-b", "USES", "p-new"),
        ("p-new", "DEPENDS_ON", "p-gw"),
    }
    assert ("cap-pay", "USES", "p-spare") in rels
    copied = model.get_relationship("vs-b|USES|p-new")
    assert copied is not None
    assert (copied["properties"], copied.get("import_source")) == ({"since": "2020"}, None)
    # Four relationships of the old ledger went, three moved to the new one (its owner's
    # OWNS did not: the new team owns it already), and the spare ledger gained a user.
    counts = {
        k: v - before[0]["relationships"][k] for k, v in model.stats()["relationships"].items()
    }
    assert {k: v for k, v in counts.items() if v} == {"USES": 1, "OWNS": -1}
    assert model.stats()["nodes"]["Platform"] == 4

    applied = get_scenario(model, "retire")
    assert (applied.status.value, applied.applied_by, applied.problem) == (
        "applied",
        "tester",
        None,
    )
    with pytest.raises(ScenarioConflictError, match="was applied"):
        apply_scenario(model, "retire")
    with pytest.raises(ScenarioConflictError):
        compare_scenario(model, "retire")
    with pytest.raises(ScenarioConflictError):
        add_operation(model, "retire", {"op": "remove_element", "element": "Gateway"})


def test_applying_a_split_makes_the_new_streams_and_renumbers_stages(model: GraphStore) -> None:
    create_scenario(model, name="split", operations=SPLIT)
    base = ModelGraph.load(model)
    expected = base.copy()
    apply_operation(
        expected, parse_operation(get_scenario(model, "split").operations[0].operation), 1
    )

    result = apply_scenario(model, "split")

    assert ModelGraph.load(model) == expected
    assert [e.id for e in result.elements_added] == [
        "valuestream:alpha-onboarding",
        "valuestream:alpha-payouts",
    ]
    assert [e.id for e in result.elements_removed] == ["vs-a"]
    assert [e.id for e in result.elements_changed] == ["st-a3"]
    onboarding = model.get_node("valuestream:alpha-onboarding")
    assert onboarding is not None
    assert {
        k: onboarding[k] for k in ("name", "description", "purpose", "funding_model", "tags")
    } == {
        "name": "Alpha onboarding",
        "description": "The Alpha stream",
        "purpose": "Serve Alpha",
        "funding_model": "persistent",
        "tags": ["retail"],
    }
    assert onboarding.get("source") is None  # modelled, not imported (vs-a came from "test")
    orders = {i: (model.get_node(i) or {})["order"] for i in ("st-a1", "st-a2", "st-a3")}
    assert orders == {"st-a1": 1, "st-a2": 2, "st-a3": 1}
    rels = {(r["source"], r["type"], r["target"]) for r in model.list_relationships(limit=500)[0]}
    for new in ("valuestream:alpha-onboarding", "valuestream:alpha-payouts"):
        assert {
            ("per-a", "ACCOUNTABLE_FOR", new),
            ("t-alpha", "SUPPORTS", new),
            (new, "USES", "p-gw"),
            (new, "FUNDED_BY", "inv"),
            (new, "MEASURED_BY", "m"),
        } <= rels
    assert ("valuestream:alpha-payouts", "HAS_STAGE", "st-a3") in rels
    assert ("valuestream:alpha-onboarding", "HAS_STAGE", "st-a3") not in rels
    assert not [x for x in rels if "vs-a" in x]


def test_discard_removes_the_scenario_only(model: GraphStore) -> None:
    before = _fingerprint(model)
    create_scenario(model, name="retire", operations=RETIRE)
    create_scenario(model, name="keep")
    discard_scenario(model, "retire")
    assert [s.name for s in list_scenarios(model)] == ["keep"]
    with pytest.raises(ScenarioNotFoundError):
        get_scenario(model, "retire")
    with pytest.raises(ScenarioNotFoundError):
        discard_scenario(model, "retire")
    with pytest.raises(NotFoundError):
        compare_scenario(model, "retire")
    assert _fingerprint(model) == before
    with pytest.raises(ConflictError, match="exists already"):
        create_scenario(model, name="keep")


@pytest.mark.parametrize(
    ("operation", "message"),
    [
        (
            {"op": "remove_element", "element": "ledger"},
            "operation 1 (remove_element): no element with id or name 'ledger'; did you mean: "
            "New ledger (Platform p-new); Old ledger (Platform p-old); "
            "Spare ledger (Platform p-spare)",
        ),
        (
            {"op": "add_relationship", "type": "USES", "source": "Core team", "target": "p-gw"},
            "operation 1 (add_relationship): USES may not link Team 'Core team' to Platform "
            "'Gateway' (allowed: Capability -> Platform, ValueStream -> Platform, "
            "Stage -> Platform, Platform -> Platform)",
        ),
        (
            {"op": "add_relationship", "type": "USES", "source": "vs-b", "target": "p-old"},
            "operation 1 (add_relationship): Beta (ValueStream vs-b) -[USES]-> "
            "Old ledger (Platform p-old) exists already",
        ),
        (
            {"op": "remove_relationship", "type": "USES", "source": "vs-d", "target": "p-old"},
            "operation 1 (remove_relationship): there is no Delta (ValueStream vs-d) -[USES]-> "
            "Old ledger (Platform p-old)",
        ),
        (
            {"op": "replace_element", "old": "p-old", "new": "Core team"},
            "operation 1 (replace_element): a Team cannot replace a Platform: "
            "Core team (Team t-core) for Old ledger (Platform p-old)",
        ),
        (
            {
                "op": "move_ownership",
                "element": "p-old",
                "from_team": "t-spare",
                "to_team": "t-new",
            },
            "operation 1 (move_ownership): Spare team (Team t-spare) does not own "
            "Old ledger (Platform p-old)",
        ),
        (
            {"op": "move_ownership", "element": "p-old", "to_team": "p-gw"},
            "operation 1 (move_ownership): to_team must be a Team; Gateway (Platform p-gw) is a "
            "Platform",
        ),
        (
            {
                "op": "split_stream",
                "stream": "vs-a",
                "into": [
                    {"name": "One", "stages": ["st-a1"]},
                    {"name": "Two", "stages": ["st-a2"]},
                ],
            },
            "operation 1 (split_stream): every stage of Alpha (ValueStream vs-a) must go to one "
            "of the new streams; not given: Payout (st-a3)",
        ),
        (
            {
                "op": "split_stream",
                "stream": "vs-b",
                "into": [{"name": "One", "stages": ["st-a1"]}, {"name": "Two"}],
            },
            "operation 1 (split_stream): Intake (Stage st-a1) is not a stage of "
            "Beta (ValueStream vs-b)",
        ),
        (
            {
                "op": "split_stream",
                "stream": "vs-d",
                "into": [{"name": "Gamma", "id": "vs-c"}, {"name": "X"}],
            },
            "operation 1 (split_stream): id 'vs-c' is already used in the model; give another id",
        ),
        (
            {
                "op": "add_element",
                "type": "platform",
                "name": "Quantum",
                "attributes": {"kind": "q"},
            },
            "operation 1 (add_element): invalid Platform: kind: Input should be 'application', "
            "'technology' or 'data'",
        ),
    ],
)
def test_bad_operations_are_refused_with_clear_errors(
    model: GraphStore, operation: dict[str, Any], message: str
) -> None:
    create_scenario(model, name="bad")
    with pytest.raises(OperationError) as refused:
        add_operation(model, "bad", operation)
    assert str(refused.value) == message
    assert get_scenario(model, "bad").operations == []
    with pytest.raises(OperationError):
        create_scenario(model, name="bad-at-create", operations=[operation])
    assert [s.name for s in list_scenarios(model)] == ["bad"]


def test_malformed_operations_and_names_are_refused(model: GraphStore) -> None:
    with pytest.raises(QuestionError, match="unknown relationship type 'LIKES'"):
        parse_operation({"op": "add_relationship", "type": "likes", "source": "a", "target": "b"})
    with pytest.raises(QuestionError, match="unknown node type 'Robot'"):
        parse_operation({"op": "add_element", "type": "Robot", "name": "R2"})
    with pytest.raises(QuestionError, match="into"):
        parse_operation({"op": "split_stream", "stream": "vs-a", "into": [{"name": "only one"}]})
    with pytest.raises(QuestionError, match="op"):
        parse_operation({"op": "teleport", "element": "vs-a"})
    with pytest.raises(QuestionError, match="invalid scenario name"):
        create_scenario(model, name="no/slashes")
    # Positions count from the first operation given.
    with pytest.raises(OperationError, match=r"^operation 2 \(remove_element\): no element"):
        create_scenario(
            model,
            name="two",
            operations=[RETIRE[0], {"op": "remove_element", "element": "Old ledger"}],
        )


def test_later_operations_see_earlier_ones(model: GraphStore) -> None:
    view = create_scenario(
        model,
        name="new platform",
        operations=[
            {
                "op": "add_element",
                "type": "Platform",
                "name": "Cloud ledger",
                "attributes": {"kind": "application", "description": "Runs in the cloud"},
            },
            {"op": "replace_element", "old": "Old ledger", "new": "Cloud ledger"},
            {"op": "move_ownership", "element": "Cloud ledger", "to_team": "New team"},
        ],
    )
    assert view.operations[0].operation["id"] == "platform:cloud-ledger"
    result = compare_scenario(model, "new platform", element="Cloud ledger")
    assert result.impact is not None
    assert (result.impact.in_base, result.impact.in_scenario) == (False, True)
    assert [(d.element.id, d.scenario_distance) for d in result.impact.streams] == [
        ("vs-b", 1),
        ("vs-a", 3),
    ]
    assert result.impact.scenario is not None
    assert [n.element.id for n in result.impact.scenario.teams_to_notify] == ["t-new"]
    applied = apply_scenario(model, "new platform")
    assert [e.id for e in applied.elements_added] == ["platform:cloud-ledger"]
    cloud = model.get_node("platform:cloud-ledger")
    assert cloud is not None
    assert (cloud["kind"], cloud["description"]) == ("application", "Runs in the cloud")
    owners = model.list_relationships(types=["OWNS"], target="platform:cloud-ledger")[0]
    assert [o["source"] for o in owners] == ["t-new"]


def test_an_operation_that_no_longer_applies_is_reported(model: GraphStore) -> None:
    create_scenario(
        model, name="drop spare", operations=[{"op": "remove_element", "element": "Spare ledger"}]
    )
    model.delete_node("p-spare")
    shown = get_scenario(model, "drop spare")
    assert shown.problem is not None
    assert shown.problem.startswith(
        "operation 1 (remove_element): no element with id 'p-spare' (not in the base model"
    )
    with pytest.raises(OperationError, match="no element with id 'p-spare'"):
        compare_scenario(model, "drop spare")
    with pytest.raises(OperationError):
        apply_scenario(model, "drop spare")
    assert get_scenario(model, "drop spare").status.value == "open"


def test_compare_checks_its_parameters(model: GraphStore) -> None:
    create_scenario(model, name="s", operations=RETIRE)
    with pytest.raises(QuestionError):
        compare_scenario(model, "s", max_depth=0)
    with pytest.raises(QuestionError):
        compare_scenario(model, "s", limit=0)
    with pytest.raises(QuestionError):
        compare_scenario(model, "s", max_streams_per_team=0)
    with pytest.raises(UnknownElementError):
        compare_scenario(model, "s", element="Nowhere")


# -- the interfaces -------------------------------------------------------------------


def test_rest_scenarios(client: TestClient, model: GraphStore) -> None:
    before = _fingerprint(model)
    created = client.post(
        "/api/scenarios",
        json={"name": "retire", "description": "Retire the old ledger", "operations": RETIRE[:2]},
    )
    assert created.status_code == 201, created.text
    assert [o["op"] for o in created.json()["operations"]] == ["replace_element", "move_ownership"]
    assert client.post("/api/scenarios", json={"name": "retire"}).status_code == 409
    assert client.post("/api/scenarios", json={"name": "a/b"}).status_code == 422

    added = client.post("/api/scenarios/retire/operations", json=RETIRE[2])
    assert added.status_code == 200, added.text
    assert added.json()["operation_count"] == 3
    bad = client.post(
        "/api/scenarios/retire/operations",
        json={"op": "add_relationship", "type": "USES", "source": "t-core", "target": "p-gw"},
    )
    assert bad.status_code == 422
    assert bad.json()["detail"]["operation"] == 4
    assert "USES may not link Team" in bad.json()["detail"]["msg"]
    unknown = client.post(
        "/api/scenarios/retire/operations", json={"op": "remove_element", "element": "ledger"}
    )
    assert unknown.status_code == 422
    assert [c["id"] for c in unknown.json()["detail"]["candidates"]] == ["p-new", "p-spare"]
    malformed = client.post(
        "/api/scenarios/retire/operations", json={"op": "add_relationship", "type": "LIKES"}
    )
    assert malformed.status_code == 422

    assert [s["name"] for s in client.get("/api/scenarios").json()] == ["retire"]
    shown = client.get("/api/scenarios/retire").json()
    assert shown["operations"][2]["text"] == (
        "add Pay out capability (cap-pay) -[USES]-> Spare ledger (p-spare)"
    )
    compared = client.get(
        "/api/scenarios/retire/compare", params={"element": "Spare ledger", "limit": 2}
    )
    assert compared.status_code == 200, compared.text
    body = compared.json()
    assert (body["health"]["base_score"], body["health"]["scenario_score"]) == (87.5, 100.0)
    assert [r["element"]["id"] for r in body["bottlenecks"]["rows"]] == [
        "t-alpha",
        "p-new",
        "p-old",
    ]
    assert [(d["element"]["id"], d["change"]) for d in body["impact"]["streams"]] == [
        ("vs-a", "added"),
        ("vs-c", "same"),
    ]
    assert client.get("/api/scenarios/nope").status_code == 404
    assert client.get("/api/scenarios/nope/compare").status_code == 404
    assert (
        client.get("/api/scenarios/retire/compare", params={"element": "Nowhere"}).status_code
        == 404
    )
    assert _fingerprint(model) == before

    applied = client.post("/api/scenarios/retire/apply")
    assert applied.status_code == 200, applied.text
    assert [e["id"] for e in applied.json()["elements_removed"]] == ["p-old"]
    assert client.post("/api/scenarios/retire/apply").status_code == 409
    assert model.get_node("p-old") is None
    assert client.delete("/api/scenarios/retire").status_code == 204
    assert client.delete("/api/scenarios/retire").status_code == 404
    assert client.get("/api/scenarios").json() == []


def test_rest_scenario_roles(model: GraphStore, settings: Any) -> None:
    from app.main import create_app
    from graph.tokens import Role, create_token

    on = settings.model_copy(update={"auth": "on"})
    tokens = {
        r: {"Authorization": f"Bearer {create_token(model, name=r.label, role=r)[1]}"} for r in Role
    }
    with TestClient(create_app(on, store=model)) as secured:
        body = {"name": "retire", "operations": RETIRE}
        assert (
            secured.post("/api/scenarios", json=body, headers=tokens[Role.VIEWER]).status_code
            == 403
        )
        assert (
            secured.post("/api/scenarios", json=body, headers=tokens[Role.EDITOR]).status_code
            == 201
        )
        assert (
            secured.get("/api/scenarios/retire/compare", headers=tokens[Role.VIEWER]).status_code
            == 200
        )
        refused = secured.post("/api/scenarios/retire/apply", headers=tokens[Role.EDITOR])
        assert refused.status_code == 403
        assert "admin" in refused.json()["detail"]
        assert model.get_node("p-old") is not None
        gql_refused = secured.post(
            "/graphql",
            json={"query": 'mutation { applyScenario(name: "retire") { scenario { status } } }'},
            headers=tokens[Role.EDITOR],
        ).json()
        assert "needs the admin role" in gql_refused["errors"][0]["message"]
        assert gql_refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert model.get_node("p-old") is not None
        done = secured.post("/api/scenarios/retire/apply", headers=tokens[Role.ADMIN])
        assert done.status_code == 200
        assert done.json()["scenario"]["applied_by"] == "admin"
        assert (
            secured.delete("/api/scenarios/retire", headers=tokens[Role.VIEWER]).status_code == 403
        )


CREATE = """
mutation($ops: [ScenarioOperationInput!]) {
  createScenario(name: "retire", description: "Retire the old ledger", operations: $ops) {
    name status operationCount operations { index op text operation }
  }
}
"""

COMPARE = """
query {
  compareScenario(name: "retire", element: "Spare ledger") {
    scenario { name operations { text } }
    impact {
      element { id } inBase inScenario
      streams { element { id } baseDistance scenarioDistance change scenarioPath }
      scenario { streams { element { id } distance } }
    }
    bottlenecks { baseStreamTotal rows { element { id } baseRank scenarioRank change scoreDelta } }
    health { baseScore scenarioScore scoreDelta checks { id scoreDelta resolved { id } } }
  }
}
"""


COMPARE_IMPACT_PAGE = """
query($offset: Int!) {
  compareScenario(name: "retire", element: "Spare ledger", wait: false) {
    impact {
      streamsTotal
      changeCounts { lost added removed closer further same }
      streams(limit: 1, offset: $offset) {
        element { id }
        basePathSteps { fromElement { id } toElement { id } storedForward }
        scenarioPathSteps { fromElement { id } toElement { id } storedForward }
      }
    }
  }
}
"""


def test_graphql_scenarios(client: TestClient, model: GraphStore) -> None:
    before = _fingerprint(model)
    ops = [
        {"replaceElement": {"old": "Old ledger", "new": "New ledger"}},
        {"moveOwnership": {"element": "New ledger", "fromTeam": "Core team", "toTeam": "t-new"}},
    ]
    created = gql(client, CREATE, ops=ops)
    assert "errors" not in created, created
    data = created["data"]["createScenario"]
    assert (data["status"], data["operationCount"]) == ("OPEN", 2)
    assert data["operations"][1]["operation"]["from_team"] == "t-core"

    added = gql(
        client,
        """mutation { addScenarioOperation(name: "retire", operation: {addRelationship:
             {type: "USES", source: "Pay out capability", target: "p-spare"}}) { operationCount } }""",
    )
    assert added["data"]["addScenarioOperation"]["operationCount"] == 3
    refused = gql(
        client,
        """mutation { addScenarioOperation(name: "retire", operation: {removeElement:
             {element: "ledger"}}) { operationCount } }""",
    )
    error = refused["errors"][0]
    assert error["message"].startswith("operation 4 (remove_element): no element")
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert (error["extensions"]["reason"], error["extensions"]["operation"]) == (
        "invalid_operation",
        4,
    )
    two = gql(
        client,
        """mutation { addScenarioOperation(name: "retire", operation: {removeElement:
             {element: "p-gw"}, replaceElement: {old: "a", new: "b"}}) { operationCount } }""",
    )
    assert "errors" in two

    listed = gql(client, '{ scenarios { name operationCount } scenario(name: "nope") { name } }')
    assert listed["data"] == {
        "scenarios": [{"name": "retire", "operationCount": 3}],
        "scenario": None,
    }

    compared = gql(client, COMPARE)
    assert "errors" not in compared, compared
    c = compared["data"]["compareScenario"]
    assert c["impact"]["streams"] == [
        {
            "element": {"id": "vs-a"},
            "baseDistance": None,
            "scenarioDistance": 3,
            "change": "ADDED",
            "scenarioPath": "Spare ledger <-[USES]- Pay out capability <-[REQUIRES]- Payout "
            "<-[HAS_STAGE]- Alpha",
        },
        {
            "element": {"id": "vs-c"},
            "baseDistance": 1,
            "scenarioDistance": 1,
            "change": "SAME",
            "scenarioPath": "Spare ledger <-[USES]- Gamma",
        },
    ]
    assert c["bottlenecks"]["rows"][1] == {
        "element": {"id": "p-new"},
        "baseRank": 9,
        "scenarioRank": 2,
        "change": "HIGHER",
        "scoreDelta": 42.5,
    }
    assert (c["health"]["baseScore"], c["health"]["scenarioScore"]) == (87.5, 100.0)
    spof = next(x for x in c["health"]["checks"] if x["id"] == "single_points_of_failure")
    assert [r["id"] for r in spof["resolved"]] == ["t-core", "p-gw", "p-old"]

    # The compared streams a page at a time, as the explorer asks them: the counts true past
    # the page, each stream with both sides' paths hop by hop (what the graph draws).
    paged = gql(client, COMPARE_IMPACT_PAGE, offset=1)
    assert "errors" not in paged, paged
    impact = paged["data"]["compareScenario"]["impact"]
    assert impact["streamsTotal"] == 2
    assert impact["changeCounts"] == {
        "lost": 0,
        "added": 1,
        "removed": 0,
        "closer": 0,
        "further": 0,
        "same": 1,
    }
    assert impact["streams"] == [
        {
            "element": {"id": "vs-c"},
            "basePathSteps": [
                {
                    "fromElement": {"id": "p-spare"},
                    "toElement": {"id": "vs-c"},
                    "storedForward": False,
                }
            ],
            "scenarioPathSteps": [
                {
                    "fromElement": {"id": "p-spare"},
                    "toElement": {"id": "vs-c"},
                    "storedForward": False,
                }
            ],
        }
    ]
    first = gql(client, COMPARE_IMPACT_PAGE, offset=0)["data"]["compareScenario"]["impact"]
    (added,) = first["streams"]
    assert added["element"] == {"id": "vs-a"} and added["basePathSteps"] == []
    assert [s["toElement"]["id"] for s in added["scenarioPathSteps"]] == [
        "cap-pay",
        "st-a3",
        "vs-a",
    ]
    assert _fingerprint(model) == before

    applied = gql(
        client,
        """mutation { applyScenario(name: "retire") {
             scenario { status appliedAt } elementsRemoved { id } relationshipsAdded { text } } }""",
    )
    assert "errors" not in applied, applied
    result = applied["data"]["applyScenario"]
    assert result["scenario"]["status"] == "APPLIED"
    assert result["elementsRemoved"] == [{"id": "p-old"}]
    assert len(result["relationshipsAdded"]) == 4
    assert model.get_node("p-old") is None
    again = gql(client, 'mutation { applyScenario(name: "retire") { scenario { status } } }')
    assert again["errors"][0]["extensions"]["reason"] == "conflict"
    assert gql(client, 'mutation { discardScenario(name: "retire") }')["data"] == {
        "discardScenario": True
    }
    missing = gql(client, 'mutation { discardScenario(name: "retire") }')
    assert missing["errors"][0]["extensions"]["reason"] == "not_found"

    split = gql(
        client,
        """mutation($ops: [ScenarioOperationInput!]) {
             createScenario(name: "split", operations: $ops) { operations { operation } } }""",
        ops=[
            {
                "splitStream": {
                    "stream": "Alpha",
                    "into": [
                        {"name": "Alpha onboarding", "stages": ["Intake", "Review"]},
                        {"name": "Alpha payouts", "id": "vs-payouts", "stages": ["Payout"]},
                    ],
                }
            },
            {
                "addElement": {
                    "type": "Team",
                    "name": "Payouts team",
                    "attributes": {"team_type": "stream-aligned", "capacity": 6},
                }
            },
        ],
    )
    assert "errors" not in split, split
    stored = [o["operation"] for o in split["data"]["createScenario"]["operations"]]
    assert stored[0]["into"][1] == {
        "name": "Alpha payouts",
        "id": "vs-payouts",
        "stages": ["st-a3"],
    }
    assert stored[1]["attributes"] == {"team_type": "stream-aligned", "capacity": 6}


def test_cli_scenarios(
    model: GraphStore,
    neo4j_server: dict[str, str | None],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    def cli(*args: str) -> Any:
        return cli_json(list(args), neo4j_server, monkeypatch, tmp_path)

    def run(*args: str) -> tuple[int, str]:
        """Exit code, and stdout then stderr (where errors go)."""
        from typer.testing import CliRunner

        from app.cli import app

        run_cli(["--help"], neo4j_server, monkeypatch, tmp_path)  # sets the environment
        result = CliRunner().invoke(app, list(args))
        return result.exit_code, result.stdout + result.stderr

    before = _fingerprint(model)
    assert cli("scenario", "create", "retire", "-m", "Retire the old ledger")["status"] == "open"
    cli("scenario", "add", "retire", "replace-element", "Old ledger", "New ledger")
    cli(
        "scenario",
        "add",
        "retire",
        "move-ownership",
        "New ledger",
        "--from",
        "Core team",
        "--to",
        "t-new",
    )
    shown = cli(
        "scenario", "add", "retire", "add-relationship", "USES", "Pay out capability", "p-spare"
    )
    assert [o["op"] for o in shown["operations"]] == [
        "replace_element",
        "move_ownership",
        "add_relationship",
    ]
    code, out = run("scenario", "add", "retire", "add-relationship", "USES", "t-core", "p-gw")
    assert code == 1 and "USES may not link Team" in out
    code, out = run("scenario", "add", "retire", "teleport", "x")
    assert code == 2 and "unknown operation 'teleport'" in out
    code, out = run("scenario", "add", "retire", "move-ownership", "p-gw")
    assert code == 2 and "needs --to TEAM" in out

    cli("scenario", "create", "split")
    split = cli(
        "scenario",
        "add",
        "split",
        "split-stream",
        "Alpha",
        "--into",
        "Alpha onboarding=Intake,st-a2",
        "--into",
        "Alpha payouts=Payout",
    )
    assert split["operations"][0]["operation"]["into"] == [
        {
            "name": "Alpha onboarding",
            "id": "valuestream:alpha-onboarding",
            "stages": ["st-a1", "st-a2"],
        },
        {"name": "Alpha payouts", "id": "valuestream:alpha-payouts", "stages": ["st-a3"]},
    ]
    cli("scenario", "create", "extras")
    added = cli(
        "scenario", "add", "extras", '{"op": "add_element", "type": "Team", "name": "Payouts team"}'
    )
    assert added["operation_count"] == 1
    added = cli(
        "scenario",
        "add",
        "extras",
        "add-element",
        "Platform",
        "Cloud",
        "-a",
        "kind=data",
        "--id",
        "p-cloud",
    )
    assert added["operations"][1]["operation"] == {
        "op": "add_element",
        "type": "Platform",
        "name": "Cloud",
        "id": "p-cloud",
        "attributes": {"kind": "data"},
    }

    assert [s["name"] for s in cli("scenario", "list")] == ["retire", "split", "extras"]
    compared = cli("scenario", "compare", "retire", "--element", "Spare ledger")
    assert compared["health"]["score_delta"] == 12.5
    code, out = run("scenario", "compare", "split", "-e", "Gateway")
    assert code == 0
    assert "Health: 87.5 -> 85 (-2.5)" in out
    assert "Impact of Gateway (Platform p-gw): 2 -> 3 value stream(s)" in out
    code, out = run("scenario", "show", "retire")
    assert code == 0 and "2. move ownership of New ledger (p-new) from Core team" in out
    assert _fingerprint(model) == before

    code, _ = run("scenario", "apply", "retire")  # no --yes, no confirmation: refused
    assert code == 1
    assert model.get_node("p-old") is not None
    applied = cli("scenario", "apply", "retire", "--yes")
    assert [e["id"] for e in applied["elements_removed"]] == ["p-old"]
    assert model.get_node("p-old") is None
    assert cli("scenario", "discard", "split") == {"discarded": "split"}
    code, out = run("scenario", "show", "split")
    assert code == 1 and "no scenario named 'split'" in out


def test_relationships_stored_without_an_id_are_moved_and_deleted(model: GraphStore) -> None:
    # Written by hand in Cypher, outside the store's write path: no id to find them by.
    model.execute(
        "MATCH (a:Element {id: 'vs-d'}), (b:Element {id: 'p-old'}) "
        'CREATE (a)-[:DEPENDS_ON {properties: \'{"note": "hand-made"}\'}]->(b)'
    )
    create_scenario(model, name="retire", operations=RETIRE[:1])
    compared = compare_scenario(model, "retire", element="New ledger")
    assert compared.impact is not None
    assert [(d.element.id, d.change.value) for d in compared.impact.streams] == [
        ("vs-b", "added"),
        ("vs-d", "added"),
        ("vs-a", "added"),
    ]
    apply_scenario(model, "retire")
    moved = model.get_relationship("vs-d|DEPENDS_ON|p-new")
    assert moved is not None
    assert moved["properties"] == {"note": "hand-made"}
    left = model.read("MATCH (:Element {id: 'vs-d'})-[r:DEPENDS_ON]->(b) RETURN b.id AS b")
    assert [r["b"] for r in left] == ["p-new"]


def test_applying_moves_and_drops_relationships_between_surviving_elements(
    model: GraphStore,
) -> None:
    operations = [
        {"op": "move_ownership", "element": "Gateway", "to_team": "New team"},
        {"op": "remove_relationship", "type": "USES", "source": "Delta", "target": "p-decoy"},
        {
            "op": "add_relationship",
            "type": "DEPENDS_ON",
            "source": "Delta",
            "target": "Gateway",
        },
    ]
    create_scenario(model, name="rewire", operations=operations)
    expected = ModelGraph.load(model).copy()
    for index, op in enumerate(get_scenario(model, "rewire").operations, start=1):
        apply_operation(expected, parse_operation(op.operation), index)
    before = model.stats()["relationships"]

    result = apply_scenario(model, "rewire")

    assert ModelGraph.load(model) == expected
    assert (result.elements_added, result.elements_removed) == ([], [])
    assert sorted(r.text for r in result.relationships_removed) == [
        "Core team -[OWNS]-> Gateway",
        "Delta -[USES]-> Decoy platform",
    ]
    assert sorted(r.text for r in result.relationships_added) == [
        "Delta -[DEPENDS_ON]-> Gateway",
        "New team -[OWNS]-> Gateway",
    ]
    rels = {(r["source"], r["type"], r["target"]) for r in model.list_relationships(limit=500)[0]}
    assert ("t-core", "OWNS", "p-gw") not in rels
    assert ("vs-d", "USES", "p-decoy") not in rels
    assert {("t-new", "OWNS", "p-gw"), ("vs-d", "DEPENDS_ON", "p-gw")} <= rels
    after = model.stats()["relationships"]
    assert {k: after[k] - before[k] for k in after if after[k] != before[k]} == {
        "USES": -1,
        "DEPENDS_ON": 1,
    }
