"""Coordination bottlenecks and stream clusters, on graphs whose answers are worked by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from question_graphs import Graph, cli_json, gql, run_cli

from graph.store import GraphStore
from queries.bottlenecks import BottleneckConfig, bottlenecks
from queries.errors import QuestionError

# Five streams. Impact edges (u -> v: a change to u affects v), stage hops cost nothing:
#   p-shared -> vs-1, vs-2, vs-3 ; p-infra -> p-shared ; p-solo -> vs-4
#   p-pair -> vs-3, st-4a -> vs-4 ; p-shared -> d-x -> p-far -> vs-5
#   team-plat -> p-shared, p-infra ; team-sa -> vs-1, st-4a ; team-idle, per-1: no edges
# Betweenness: 12 shortest paths run through p-shared (from p-infra and team-plat to the
# six nodes behind it), 4 through p-far; normalised by (n-1)(n-2) with n = 16 nodes.


def _bottleneck_graph() -> Graph:
    g = Graph()
    for i in range(1, 6):
        g.node("ValueStream", f"vs-{i}", f"S{i}")
    g.node("Stage", "st-4a", "S4 stage", order=1)
    for pid, name in [
        ("p-shared", "Shared"),
        ("p-infra", "Infra"),
        ("p-solo", "Solo"),
        ("p-pair", "Pair"),
        ("p-far", "Far"),
    ]:
        g.node("Platform", pid, name)
    g.node("DataAsset", "d-x", "X data")
    g.node("Team", "team-plat", "Platform Team", team_type="platform", capacity=8)
    g.node("Team", "team-sa", "Stream Team", team_type="stream-aligned", capacity=4)
    g.node("Team", "team-idle", "Idle Team", team_type="enabling")
    g.node("Person", "per-1", "Pat")
    for s in ("vs-1", "vs-2", "vs-3"):
        g.rel("USES", s, "p-shared")
    (
        g.rel("DEPENDS_ON", "p-shared", "p-infra")
        .rel("HAS_STAGE", "vs-4", "st-4a")
        .rel("USES", "vs-4", "p-solo")
        .rel("USES", "st-4a", "p-pair")
        .rel("USES", "vs-3", "p-pair")
        .rel("WRITES", "p-shared", "d-x")
        .rel("READS", "p-far", "d-x")
        .rel("USES", "vs-5", "p-far")
        .rel("OWNS", "team-plat", "p-shared")
        .rel("OWNS", "team-plat", "p-infra")
        .rel("SUPPORTS", "team-sa", "vs-1")
        .rel("SUPPORTS", "team-sa", "st-4a")
        .rel("ACCOUNTABLE_FOR", "per-1", "vs-1")
    )
    return g


def test_ranking_scores_and_metrics_match_the_hand_computation(store: GraphStore) -> None:
    _bottleneck_graph().write(store)
    report = bottlenecks(store)
    assert report.stream_total == 5
    ranked = [(b.rank, b.element.id, b.score) for b in report.bottlenecks]
    assert ranked == [
        (1, "p-shared", 56.0),
        (2, "team-sa", 44.0),
        (3, "p-pair", 24.0),
        (4, "p-far", 18.7),
        (5, "p-infra", 18.0),
        (6, "team-plat", 18.0),
        (7, "p-solo", 12.0),
        (8, "team-idle", 0.0),
    ]
    by_id = {b.element.id: b for b in report.bottlenecks}
    shared = by_id["p-shared"]
    assert [s.id for s in shared.streams] == ["vs-1", "vs-2", "vs-3"]
    assert (shared.stream_count, shared.blast_radius, shared.cross_stream_pairs) == (3, 4, 3)
    assert shared.proximity == 0.6
    assert shared.betweenness == round(12 / (15 * 14), 6)
    assert by_id["p-far"].betweenness == round(4 / (15 * 14), 6)
    assert by_id["p-infra"].betweenness == 0
    assert shared.explanation.startswith(
        "3 of 5 value streams depend on Shared within 2 hop(s) (4 at any distance); "
        "3 stream pairs must coordinate its changes; betweenness 0.057 (#1"
    )
    assert {s.id for s in by_id["p-pair"].streams} == {"vs-3", "vs-4"}  # the stage hop is free

    team = by_id["team-sa"].team
    assert team is not None
    assert (team.streams_served_directly, team.streams_served) == (2, 2)
    assert (team.guideline, team.load, team.overloaded) == (1.0, 2.0, True)
    platform_team = by_id["team-plat"].team
    assert platform_team is not None
    assert (platform_team.guideline, platform_team.load, platform_team.overloaded) == (
        10.0,
        0.3,
        False,
    )
    assert by_id["team-idle"].team is not None
    assert by_id["team-idle"].team.guideline == 5.0


def test_horizon_and_limit_change_the_answer(store: GraphStore) -> None:
    _bottleneck_graph().write(store)
    near = bottlenecks(store, limit=3, config=BottleneckConfig(horizon=1))
    assert len(near.bottlenecks) == 3
    assert {b.element.id: b.stream_count for b in near.bottlenecks} == {
        "p-shared": 3,
        "team-sa": 2,
        "p-pair": 2,
    }
    wide = {
        b.element.id: b.stream_count
        for b in bottlenecks(store, config=BottleneckConfig(horizon=4)).bottlenecks
    }
    assert (wide["p-shared"], wide["team-plat"], wide["p-infra"]) == (4, 4, 4)
    with pytest.raises(QuestionError):
        bottlenecks(store, limit=0)


# Clusters: A1..A3 share two platforms, B1 and B2 a platform and a team, p-x bridges A3
# and B1, C stands alone. Newman weights: each A pair 1, B1-B2 2, A3-B1 1; the best
# modularity split is {A}, {B}, {C}.


def _cluster_graph() -> Graph:
    g = Graph()
    for sid in ("a1", "a2", "a3", "b1", "b2", "c"):
        g.node("ValueStream", f"vs-{sid}", sid.upper())
    for pid, name in [
        ("p-a1", "Platform A1"),
        ("p-a2", "Platform A2"),
        ("p-b", "Platform B"),
        ("p-x", "Platform X"),
        ("p-c", "Platform C"),
        ("p-unused", "Unused"),
    ]:
        g.node("Platform", pid, name)
    g.node("Team", "team-b", "Team B", team_type="stream-aligned")
    for s in ("vs-a1", "vs-a2", "vs-a3"):
        g.rel("USES", s, "p-a1").rel("DEPENDS_ON", s, "p-a2")
    g.rel("USES", "vs-b1", "p-b").rel("USES", "vs-b2", "p-b")
    g.rel("SUPPORTS", "team-b", "vs-b1").rel("SUPPORTS", "team-b", "vs-b2")
    g.rel("USES", "vs-a3", "p-x").rel("USES", "vs-b1", "p-x").rel("USES", "vs-c", "p-c")
    return g


def test_streams_cluster_by_shared_bottlenecks_deterministically(store: GraphStore) -> None:
    _cluster_graph().write(store)
    report = bottlenecks(store)
    clusters = [
        (
            c.id,
            [s.id for s in c.streams],
            [(b.element.id, b.streams_in_cluster) for b in c.binding],
            c.internal_load,
            c.external_load,
        )
        for c in report.clusters
    ]
    assert clusters == [
        ("cluster-1", ["vs-a1", "vs-a2", "vs-a3"], [("p-a1", 3), ("p-a2", 3)], 6, 1),
        ("cluster-2", ["vs-b1", "vs-b2"], [("p-b", 2), ("team-b", 2)], 2, 1),
        ("cluster-3", ["vs-c"], [], 0, 0),
    ]
    assert (
        report.clusters[2].explanation
        == "C shares no team or platform with another stream directly"
    )
    again = bottlenecks(store)
    assert again.model_dump() == report.model_dump()
    assert bottlenecks(store, config=BottleneckConfig(seed=7)).clusters == report.clusters


def test_widely_shared_platforms_do_not_glue_clusters_together(store: GraphStore) -> None:
    # Three platforms every A and B stream uses: counted plainly they would outweigh what
    # binds each group and merge A and B; weighted 1/(n-1) they bind no group in particular.
    g = _cluster_graph()
    for i in range(3):
        g.node("Platform", f"p-all{i}", f"Everywhere {i}")
        for s in ("vs-a1", "vs-a2", "vs-a3", "vs-b1", "vs-b2"):
            g.rel("USES", s, f"p-all{i}")
    g.write(store)
    clusters = bottlenecks(store).clusters
    assert [([s.id for s in c.streams], c.internal_load, c.external_load) for c in clusters] == [
        (["vs-a1", "vs-a2", "vs-a3"], 15, 19),
        (["vs-b1", "vs-b2"], 5, 19),
        (["vs-c"], 0, 0),
    ]


def test_empty_model_has_no_bottlenecks(store: GraphStore) -> None:
    report = bottlenecks(store)
    assert (report.stream_total, report.bottlenecks, report.clusters) == (0, [], [])


BOTTLENECK_QUERY = """
query($limit: Int!) {
  bottlenecks(limit: $limit) {
    streamTotal formula
    bottlenecks { rank score element { id } streamCount team { load overloaded } }
    clusters { id streams { id } binding { element { id } streamsInCluster } internalLoad }
  }
}
"""


def test_graphql_rest_and_cli_bottlenecks(
    client: TestClient,
    store: GraphStore,
    neo4j_server: dict[str, str | None],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    _bottleneck_graph().write(store)
    data = gql(client, BOTTLENECK_QUERY, limit=2)["data"]["bottlenecks"]
    assert data["streamTotal"] == 5
    assert [(b["element"]["id"], b["score"]) for b in data["bottlenecks"]] == [
        ("p-shared", 56.0),
        ("team-sa", 44.0),
    ]
    assert data["bottlenecks"][1]["team"] == {"load": 2.0, "overloaded": True}
    assert data["formula"].startswith("score = 100 * (0.6 * proximity")

    rest = client.get("/api/bottlenecks", params={"limit": 1, "horizon": 1})
    assert rest.status_code == 200
    assert rest.json()["bottlenecks"][0]["element"]["id"] == "p-shared"
    assert client.get("/api/bottlenecks", params={"limit": 0}).status_code == 422

    cli = cli_json(["bottlenecks", "--limit", "3"], neo4j_server, monkeypatch, tmp_path)
    assert [b["element"]["id"] for b in cli["bottlenecks"]] == ["p-shared", "team-sa", "p-pair"]
    code, out = run_cli(["bottlenecks", "--limit", "2"], neo4j_server, monkeypatch, tmp_path)
    assert code == 0
    assert "Shared" in out and "Where they cluster" in out


def test_demo_concentration_risk_ranks_high(store: GraphStore) -> None:
    from samples.demo import load_demo

    load_demo(store)
    report = bottlenecks(store, limit=10)
    gateway = next(b for b in report.bottlenecks if b.element.id == "plat-api-gateway")
    assert (gateway.stream_count, gateway.proximity) == (report.stream_total, 1.0)
    top = {b.element.id for b in report.bottlenecks[:5]}
    assert {"team-digital-journeys", "plat-api-gateway", "plat-customer-data-platform"} <= top
