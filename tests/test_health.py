"""Operating-model health checks on a hand-made model with one planted weakness per check."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from question_graphs import Graph, cli_json, gql, run_cli

from graph.store import GraphStore
from queries.errors import QuestionError
from queries.health import HealthReport, health, health_markdown

STREAMS = {
    "vs-good": "Good",
    "vs-noowner": "No owner",
    "vs-project": "Project",
    "vs-mixed": "Mixed",
    "vs-modelproject": "Model project",
    "vs-deck": "Deck",
    "vs-c1": "Cycle one",
    "vs-c2": "Cycle two",
}


def _health_graph() -> Graph:
    g = Graph()
    for sid, name in STREAMS.items():
        extra = {"funding_model": "project"} if sid == "vs-modelproject" else {}
        g.node("ValueStream", sid, name, **extra)
    for st in ("st-good", "st-mixed", "st-c1"):
        g.node("Stage", st, order=1)
    g.rel("HAS_STAGE", "vs-good", "st-good").rel("HAS_STAGE", "vs-mixed", "st-mixed")
    g.rel("HAS_STAGE", "vs-c1", "st-c1")

    g.node("Person", "per-1", "Pat").node("Measure", "m-1", "Lead time")
    for sid in STREAMS:
        if sid not in ("vs-noowner", "vs-deck"):
            g.rel("ACCOUNTABLE_FOR", "per-1", sid)
        if sid != "vs-deck":
            g.rel("MEASURED_BY", sid, "m-1")

    g.node("Investment", "inv-persistent", funding_type="persistent")
    g.node("Investment", "inv-p1", funding_type="project")
    g.node("Investment", "inv-p2", funding_type="project")
    g.node("Investment", "inv-unknown")
    for sid, inv in [
        ("vs-good", "inv-persistent"),
        ("vs-noowner", "inv-persistent"),
        ("vs-project", "inv-p1"),
        ("vs-project", "inv-p2"),
        ("vs-mixed", "inv-p1"),  # decoy: one project, one persistent
        ("vs-mixed", "inv-persistent"),
        ("vs-c1", "inv-unknown"),  # decoy: unknown type gets the benefit of the doubt
        ("vs-c1", "inv-p1"),
        ("vs-c2", "inv-persistent"),
    ]:
        g.rel("FUNDED_BY", sid, inv)

    for tid, name in [
        ("team-1", "Team 1"),
        ("team-2", "Team 2"),
        ("team-3", "Team 3"),
        ("team-busy", "Busy team"),
        ("team-three", "Three-stream team"),
    ]:
        g.node("Team", tid, name)
    for target in ("vs-good", "vs-noowner", "vs-project", "vs-mixed", "st-mixed"):
        g.rel("SUPPORTS", "team-busy", target)  # four distinct streams
    for target in ("vs-good", "vs-noowner", "vs-project"):
        g.rel("SUPPORTS", "team-three", target)  # exactly the threshold: not flagged
    g.rel("SUPPORTS", "team-2", "st-c1").rel("SUPPORTS", "team-2", "vs-c2")

    for pid, name in [
        ("p-one", "One platform"),
        ("p-base", "Base platform"),
        ("p-s1", "S1 platform"),
        ("p-s2", "S2 platform"),
        ("p-r1", "R1 platform"),
        ("p-r2", "R2 platform"),
        ("p-orphan", "Orphan platform"),
    ]:
        g.node("Platform", pid, name)
    g.node("DataAsset", "d-owned", "Owned data").node("DataAsset", "d-orphan", "Orphan data")
    for tid, target in [
        ("team-1", "vs-modelproject"),  # a team owning the stream counts as its team
        ("team-1", "p-base"),
        ("team-2", "p-base"),
        ("team-1", "p-s1"),
        ("team-2", "p-s2"),
        ("team-1", "p-r1"),
        ("team-2", "p-r2"),
        ("team-3", "p-one"),
        ("team-1", "d-owned"),
    ]:
        g.rel("OWNS", tid, target)

    for cid in (
        "cap-single",
        "cap-redundant",
        "cap-shared-base",
        "cap-parent",
        "cap-child",
        "cap-none",
        "cap-unreq",
    ):
        g.node("Capability", cid)
    (
        g.rel("USES", "cap-single", "p-one")
        .rel("USES", "cap-redundant", "p-r1")
        .rel("USES", "cap-redundant", "p-r2")
        .rel("USES", "cap-shared-base", "p-s1")
        .rel("DEPENDS_ON", "cap-shared-base", "p-s2")
        .rel("USES", "cap-child", "p-r1")
        .rel("USES", "cap-unreq", "p-one")
        .rel("CONTAINS", "cap-parent", "cap-child")
        .rel("DEPENDS_ON", "p-s1", "p-base")
        .rel("USES", "p-s2", "p-base")
        .rel("REQUIRES", "vs-good", "cap-single")
        .rel("REQUIRES", "st-good", "cap-redundant")
        .rel("REQUIRES", "vs-good", "cap-redundant")
        .rel("REQUIRES", "vs-noowner", "cap-shared-base")
        .rel("REQUIRES", "vs-project", "cap-parent")
        .rel("REQUIRES", "st-mixed", "cap-none")
        .rel("DEPENDS_ON", "vs-c1", "vs-c2")
        .rel("DEPENDS_ON", "vs-c2", "vs-c1")
        .rel("DEPENDS_ON", "vs-good", "vs-noowner")  # decoy: one way only
    )
    return g


def _offenders(report: HealthReport) -> dict[str, set[str]]:
    return {c.id: {f.element.id for f in c.findings} for c in report.checks}


def test_every_check_finds_exactly_its_planted_weakness(store: GraphStore) -> None:
    _health_graph().write(store)
    report = health(store)
    assert _offenders(report) == {
        "accountable_owner": {"vs-noowner", "vs-deck"},
        "project_funding_only": {"vs-project", "vs-modelproject"},
        "deck_only": {"vs-modelproject", "vs-deck"},
        "unowned": {"p-orphan", "d-orphan"},
        "overloaded_teams": {"team-busy"},
        "stream_cycles": {"vs-c1"},
        "single_points_of_failure": {"p-one", "team-3", "p-base", "p-r1", "team-1"},
        "unsupported_capabilities": {"cap-none"},
        # No platform has lifecycle dates: nothing to check.
        "end_of_life_dependencies": set(),
        "phase_out_dependencies": set(),
    }
    scores = {c.id: (c.offending, c.population, c.score) for c in report.checks}
    assert scores == {
        "accountable_owner": (2, 8, 75.0),
        "project_funding_only": (2, 8, 75.0),
        "deck_only": (2, 8, 75.0),
        "unowned": (2, 9, 77.8),
        "overloaded_teams": (1, 5, 80.0),
        "stream_cycles": (2, 8, 75.0),
        "single_points_of_failure": (3, 5, 40.0),
        "unsupported_capabilities": (1, 7, 85.7),
        "end_of_life_dependencies": (0, 0, None),
        "phase_out_dependencies": (0, 0, None),
    }
    assert report.score == 72.9

    checks = {c.id: c for c in report.checks}
    details = {f.element.id: f.detail for f in checks["deck_only"].findings}
    assert details == {
        "vs-modelproject": "no funding",
        "vs-deck": "no team, no measure, no funding: exists only in decks",
    }
    funding = {f.element.id: f.detail for f in checks["project_funding_only"].findings}
    assert (
        funding["vs-project"] == "all 2 investment(s) are project funding; no persistent capacity"
    )
    busy = checks["overloaded_teams"].findings[0]
    assert [s.id for s in busy.related] == ["vs-good", "vs-mixed", "vs-noowner", "vs-project"]
    cycle = checks["stream_cycles"].findings[0]
    assert cycle.detail == "dependency cycle: Cycle one depends on Cycle two depends on Cycle one"
    assert {s.id for s in cycle.related} == {"vs-c1", "vs-c2"}
    spof = {
        f.element.id: {s.id for s in f.related} for f in checks["single_points_of_failure"].findings
    }
    assert spof == {
        "p-one": {"vs-good"},
        "team-3": {"vs-good"},
        "p-base": {"vs-noowner"},
        "p-r1": {"vs-project"},
        "team-1": {"vs-project"},
    }
    base = next(f for f in checks["single_points_of_failure"].findings if f.element.id == "p-base")
    assert base.detail == "removing it cuts 1 stream requirement(s): No owner from cap-shared-base"


def test_overload_threshold_is_configurable(store: GraphStore) -> None:
    _health_graph().write(store)
    strict = health(store, max_streams_per_team=2)
    assert _offenders(strict)["overloaded_teams"] == {"team-busy", "team-three"}
    assert strict.checks[4].title == "Teams serving more than 2 streams"
    with pytest.raises(QuestionError):
        health(store, max_streams_per_team=0)


def test_an_empty_model_has_nothing_to_score(store: GraphStore) -> None:
    # Nothing to check is "not applicable", not 100: no check scores, and so no overall score.
    report = health(store)
    assert report.score is None
    assert all(c.passed and c.population == 0 for c in report.checks)
    assert all(c.score is None and not c.applicable for c in report.checks)
    assert health_markdown(report).startswith("# Operating-model health: not applicable\n")


def test_markdown_lists_failing_checks_with_their_elements(store: GraphStore) -> None:
    _health_graph().write(store)
    text = health_markdown(health(store))
    assert text.startswith("# Operating-model health: 72.9/100\n")
    assert "| Streams without an accountable owner (**fail**) | 75 | 2 | 8 |" in text
    assert "- **Deck** (`vs-deck`): no team, no measure, no funding: exists only in decks" in text


def test_demo_model_weaknesses_are_found(store: GraphStore) -> None:
    from samples.demo import load_demo

    load_demo(store)
    report = health(store)
    found = _offenders(report)
    # The weaknesses listed in the header of samples/retail_bank.yaml.
    assert found["accountable_owner"] == {"vs-sme-lending"}
    assert found["project_funding_only"] == {"vs-savings"}
    assert found["deck_only"] == {"vs-wealth"}
    assert found["unowned"] == {"plat-document-mgmt", "data-property-valuation"}
    assert found["overloaded_teams"] == {"team-digital-journeys"}
    cycles = next(c for c in report.checks if c.id == "stream_cycles")
    assert {s.id for f in cycles.findings for s in f.related} == {"vs-cards", "vs-payments"}
    deck = next(c for c in report.checks if c.id == "deck_only").findings[0]
    assert deck.detail.endswith("exists only in decks")


HEALTH_QUERY = """
query($max: Int!) {
  healthReport(maxStreamsPerTeam: $max) {
    score markdown
    checks { id score offending passed findings { element { id } detail } }
  }
}
"""


def test_graphql_rest_and_cli_health(
    client: TestClient,
    store: GraphStore,
    neo4j_server: dict[str, str | None],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    _health_graph().write(store)
    data = gql(client, HEALTH_QUERY, max=3)["data"]["healthReport"]
    assert data["score"] == 72.9
    checks = {c["id"]: c for c in data["checks"]}
    assert {f["element"]["id"] for f in checks["unowned"]["findings"]} == {"p-orphan", "d-orphan"}
    assert data["markdown"].startswith("# Operating-model health")

    rest = client.get("/api/health-report", params={"max_streams_per_team": 2})
    assert rest.status_code == 200
    overloaded = next(c for c in rest.json()["checks"] if c["id"] == "overloaded_teams")
    assert overloaded["offending"] == 2
    markdown = client.get("/api/health-report", params={"format": "markdown"})
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert "exists only in decks" in markdown.text
    assert client.get("/api/health-report", params={"max_streams_per_team": 0}).status_code == 422

    cli = cli_json(["health"], neo4j_server, monkeypatch, tmp_path)
    assert cli["score"] == 72.9
    code, out = run_cli(["health", "--markdown"], neo4j_server, monkeypatch, tmp_path)
    assert code == 0
    assert out.startswith("# Operating-model health: 72.9/100")
