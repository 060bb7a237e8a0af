"""Lifecycle dates: validated on every surface, mapped from imports, exported back, and
read by the health checks against a pinned day."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from question_graphs import Graph, cli_json, gql, run_cli

from graph.lifecycle import phase_on
from graph.store import GraphStore
from importers.export import export_exchange
from importers.pipeline import run_import
from importers.preparation import prepare
from queries.health import HealthReport, health
from queries.scenarios import compare_scenario, create_scenario

DATA = Path(__file__).parent / "data" / "imports"
LIFECYCLE_FIELDS = (
    "lifecycle_status",
    "lifecycle_plan",
    "lifecycle_phase_in",
    "lifecycle_active",
    "lifecycle_phase_out",
    "lifecycle_end_of_life",
)


def _lifecycle(props: dict[str, Any]) -> dict[str, Any]:
    return {k: props[k] for k in LIFECYCLE_FIELDS if props.get(k) is not None}


# -- the schema and its validation ------------------------------------------------------------


def test_the_phase_on_a_day_is_the_last_one_started() -> None:
    dates = {"lifecycle_active": "2020-01-01", "lifecycle_end_of_life": "2026-12-06"}
    assert phase_on(dates, "2019-12-31") is None
    assert phase_on(dates, "2026-12-05") == "active"
    assert phase_on(dates, "2026-12-06") == "end_of_life"
    assert phase_on({}, "2026-12-06") is None


def test_rest_stores_dates_and_refuses_bad_ones_naming_the_field(client: TestClient) -> None:
    made = client.post(
        "/api/nodes",
        json={
            "type": "Platform",
            "id": "p-core",
            "name": "Core",
            "lifecycle_active": "2020-01-31",
            "lifecycle_end_of_life": "2027-06-30",
        },
    )
    assert made.status_code == 201, made.text
    assert _lifecycle(made.json()) == {
        "lifecycle_active": "2020-01-31",
        "lifecycle_end_of_life": "2027-06-30",
    }

    def refused(response: Any, field: str, words: str) -> None:
        assert response.status_code == 422, response.text
        error = response.json()["detail"][0]
        assert error["loc"][-1] == field
        assert words in error["msg"]

    refused(
        client.post(
            "/api/nodes",
            json={
                "type": "Team",
                "name": "T",
                "lifecycle_phase_out": "2026-01-01",
                "lifecycle_end_of_life": "2025-12-31",
            },
        ),
        "lifecycle_end_of_life",
        "lifecycle_end_of_life (2025-12-31) is before lifecycle_phase_out (2026-01-01)",
    )
    refused(
        client.post("/api/nodes", json={"type": "Platform", "name": "X", "lifecycle_plan": "soon"}),
        "lifecycle_plan",
        "'soon' is not a date: give YYYY-MM-DD",
    )
    refused(
        client.post(
            "/api/nodes", json={"type": "Platform", "name": "X", "lifecycle_plan": "2026-02-30"}
        ),
        "lifecycle_plan",
        "is not a day of the calendar",
    )
    # A patch is checked against the dates it leaves as they are.
    refused(
        client.patch("/api/nodes/p-core", json={"lifecycle_phase_out": "2028-01-01"}),
        "lifecycle_phase_out",
        "lifecycle_phase_out (2028-01-01) is after lifecycle_end_of_life (2027-06-30)",
    )
    moved = client.patch("/api/nodes/p-core", json={"lifecycle_phase_out": "2027-01-01"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["lifecycle_phase_out"] == "2027-01-01"
    cleared = client.patch("/api/nodes/p-core", json={"lifecycle_end_of_life": None})
    assert "lifecycle_end_of_life" not in _lifecycle(cleared.json())
    # Person has no lifecycle: the field is refused as any unknown one.
    refused(
        client.post(
            "/api/nodes", json={"type": "Person", "name": "P", "lifecycle_plan": "2026-01-01"}
        ),
        "lifecycle_plan",
        "Extra inputs are not permitted",
    )

    client.post("/api/nodes", json={"type": "ValueStream", "id": "vs-a", "name": "A"})
    uses = client.post(
        "/api/relationships",
        json={
            "type": "USES",
            "source": "vs-a",
            "target": "p-core",
            "lifecycle_active": "2021-01-01",
            "lifecycle_plan": "2022-01-01",
        },
    )
    refused(
        uses,
        "lifecycle_active",
        "lifecycle_active (2021-01-01) is before lifecycle_plan (2022-01-01)",
    )
    ok = client.post(
        "/api/relationships",
        json={
            "type": "USES",
            "source": "vs-a",
            "target": "p-core",
            "lifecycle_phase_out": "2026-12-31",
        },
    )
    assert ok.status_code == 201, ok.text
    rel_id = ok.json()["id"]
    refused(
        client.patch(f"/api/relationships/{rel_id}", json={"lifecycle_active": "2027-01-01"}),
        "lifecycle_active",
        "lifecycle_active (2027-01-01) is after lifecycle_phase_out (2026-12-31)",
    )


CREATE = """
mutation($attributes: JSON) {
  createNode(type: Platform, id: "p-g", name: "G", attributes: $attributes) {
    id ... on Platform { lifecyclePhaseIn lifecycleEndOfLife lifecycleStatus }
  }
}
"""
UPDATE = """
mutation($patch: JSON!) {
  updateNode(id: "p-g", patch: $patch) { id ... on Platform { lifecyclePhaseIn } }
}
"""


def test_graphql_reads_and_writes_dates_and_refuses_bad_ones(client: TestClient) -> None:
    bad = gql(client, CREATE, attributes={"lifecycle_phase_in": "2026-13-01"})
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "lifecycle_phase_in" in bad["errors"][0]["message"]

    made = gql(
        client,
        CREATE,
        attributes={
            "lifecycle_phase_in": "2026-03-01",
            "lifecycle_end_of_life": "2030-12-31",
            "lifecycle_status": "proposed",
        },
    )
    assert made["data"]["createNode"] == {
        "id": "p-g",
        "lifecyclePhaseIn": "2026-03-01",
        "lifecycleEndOfLife": "2030-12-31",
        "lifecycleStatus": "proposed",
    }
    late = gql(client, UPDATE, patch={"lifecycle_phase_in": "2031-01-01"})
    assert late["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert (
        "lifecycle_phase_in (2031-01-01) is after lifecycle_end_of_life"
        in (late["errors"][0]["message"])
    )
    moved = gql(client, UPDATE, patch={"lifecycle_phase_in": "2026-04-01"})
    assert moved["data"]["updateNode"]["lifecyclePhaseIn"] == "2026-04-01"


# -- imports and export -----------------------------------------------------------------------


def _nodes(result: Any) -> dict[str, Any]:
    return {n["id"]: n for n in result["nodes"]}


def _free(node: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(node["props"]["properties"]))


def test_archimate_properties_map_to_lifecycle_fields() -> None:
    result = prepare(DATA / "lifecycle.xml").result
    nodes = _nodes(result)
    legacy = nodes["app-legacy"]
    assert _lifecycle(legacy["props"]) == {
        "lifecycle_status": "retiring",  # "Lifecycle Phase" = Phase Out, translated
        "lifecycle_plan": "2010-01-01",
        "lifecycle_active": "2011-06-30",
        "lifecycle_phase_out": "2025-01-01",  # the day of a timestamp
        "lifecycle_end_of_life": "2026-06-30",
    }
    # Dates become the fields; the translated status keeps its source word beside it.
    assert _free(legacy) == {
        "Lifecycle Phase": "Phase Out",
        "archimate:type": "ApplicationComponent",
    }
    assert _lifecycle(nodes["app-new"]["props"]) == {
        "lifecycle_phase_in": "2026-03-01",
        "lifecycle_active": "2026-09-01",  # "Go-Live Date"
    }
    # Not a date, and a date out of order: kept as free properties, with a warning each.
    odd = nodes["app-odd"]
    assert _lifecycle(odd["props"]) == {"lifecycle_plan": "2030-01-01"}
    assert _free(odd) == {
        "End of Life": "31/12/2027",
        "valuegraph:lifecycle_active": "2029-01-01",
        "archimate:type": "ApplicationComponent",
    }
    warned = [(w.code, w.subject, w.line) for w in result["warnings"]]
    assert warned == [("bad-field", "app-odd", 29), ("bad-field", "app-odd", 29)]
    messages = [w.message for w in result["warnings"]]
    assert "'31/12/2027' is not a date" in messages[0]
    assert "lifecycle_active (2029-01-01) is before lifecycle_plan (2030-01-01)" in messages[1]
    # A person has no lifecycle: the property stays what it was, without a warning.
    assert _free(nodes["actor-jane"])["End of Life"] == "2030-01-01"
    rels = {r["id"]: r for r in result["relationships"]}
    assert _lifecycle(rels["r-serve"]["props"]) == {"lifecycle_end_of_life": "2026-06-30"}
    assert _lifecycle(rels["r-serve-new"]["props"]) == {"lifecycle_phase_in": "2026-03-01"}


def test_backstage_spec_lifecycle_is_a_status() -> None:
    result = prepare(DATA / "lifecycle_catalog").result
    nodes = _nodes(result)
    status = {i: n["props"].get("lifecycle_status") for i, n in nodes.items()}
    assert status == {
        "component:default/quotes": "active",
        "component:default/pricing-lab": "proposed",
        "api:default/old-quotes-api": "retiring",
        "component:default/sandbox": None,
    }
    # The catalog's own word stays, whatever it is.
    assert _free(nodes["component:default/sandbox"])["backstage:spec.lifecycle"] == "beta"
    assert _free(nodes["api:default/old-quotes-api"])["backstage:spec.lifecycle"] == "deprecated"
    (warning,) = result["warnings"]
    assert (warning.code, warning.subject) == ("bad-field", "component:default/sandbox")
    assert "'beta' is not one of experimental, production, deprecated" in warning.message


def _dated(store: GraphStore) -> set[tuple[str, str]]:
    records, _, _ = store.driver.execute_query(
        "MATCH (n:Element) RETURN n.id AS id, properties(n) AS props "
        "UNION ALL MATCH ()-[r]->() WHERE r.id IS NOT NULL RETURN r.id AS id, properties(r) AS props"
    )
    return {
        (r["id"], json.dumps(_lifecycle(r["props"]), sort_keys=True))
        for r in records
        if _lifecycle(r["props"])
    }


def test_export_writes_the_dates_back(store: GraphStore, tmp_path: Path) -> None:
    first = run_import(store, DATA / "lifecycle.xml")
    before = _dated(store)
    assert before == {
        (
            "app-legacy",
            '{"lifecycle_active": "2011-06-30", "lifecycle_end_of_life": "2026-06-30", '
            '"lifecycle_phase_out": "2025-01-01", "lifecycle_plan": "2010-01-01", '
            '"lifecycle_status": "retiring"}',
        ),
        ("app-new", '{"lifecycle_active": "2026-09-01", "lifecycle_phase_in": "2026-03-01"}'),
        ("app-odd", '{"lifecycle_plan": "2030-01-01"}'),
        ("r-serve", '{"lifecycle_end_of_life": "2026-06-30"}'),
        ("r-serve-new", '{"lifecycle_phase_in": "2026-03-01"}'),
    }
    exported = tmp_path / "export.xml"
    with exported.open("w", encoding="utf-8") as out:
        export_exchange(store, out, source=first["source"])
    assert "valuegraph:lifecycle_end_of_life" in exported.read_text(encoding="utf-8")

    on_top = run_import(store, exported)
    assert on_top["diff"]["nodes"]["total"]["changed"] == 0
    assert on_top["diff"]["relationships"]["total"]["changed"] == 0
    store.clear()
    run_import(store, exported)
    assert _dated(store) == before


# -- health -----------------------------------------------------------------------------------

TODAY = date(2026, 12, 7)


def _lifecycle_graph() -> Graph:
    g = Graph()
    for sid, name in (("vs-a", "Alpha"), ("vs-b", "Beta"), ("vs-c", "Gamma"), ("vs-d", "Delta")):
        g.node("ValueStream", sid, name)
    g.node("Capability", "cap-x", "Pricing")
    # End of life yesterday (phase-out long since).
    g.node(
        "Platform",
        "p-old",
        "Old Core",
        lifecycle_phase_out="2026-01-01",
        lifecycle_end_of_life="2026-12-06",
    )
    # In phase-out; end of life tomorrow.
    g.node(
        "Platform",
        "p-next",
        "Pricer",
        lifecycle_phase_out="2026-06-01",
        lifecycle_end_of_life="2026-12-08",
    )
    g.node("Platform", "p-later", "Ledger", lifecycle_phase_out="2027-01-01")  # decoy: later
    g.node("Platform", "p-fine", "Fine", lifecycle_active="2020-01-01")  # decoy: no retirement
    g.node("Platform", "p-unused", "Unused", lifecycle_end_of_life="2020-01-01")  # decoy: unused
    (
        g.rel("DEPENDS_ON", "vs-a", "p-old")
        .rel("REQUIRES", "vs-b", "cap-x")
        .rel("USES", "cap-x", "p-next")
        .rel("USES", "vs-c", "p-fine")
        .rel("DEPENDS_ON", "vs-d", "p-later")
    )
    return g


def _checks(report: HealthReport) -> dict[str, Any]:
    return {
        c.id: (c.offending, c.population, c.score, [(f.element.id, f.detail) for f in c.findings])
        for c in report.checks
        if c.id in ("end_of_life_dependencies", "phase_out_dependencies")
    }


def test_streams_on_retired_and_retiring_platforms_are_found(store: GraphStore) -> None:
    _lifecycle_graph().write(store)
    report = health(store, today=TODAY)
    assert report.today == TODAY
    # Looked at: the streams depending on a platform with a phase-out or end-of-life date.
    assert _checks(report) == {
        "end_of_life_dependencies": (
            1,
            3,
            66.7,
            [
                (
                    "vs-a",
                    "depends on Old Core, past its end of life since 2026-12-06: Alpha → "
                    "Old Core; move the stream to its replacement or extend its support",
                )
            ],
        ),
        "phase_out_dependencies": (
            1,
            3,
            66.7,
            [
                (
                    "vs-b",
                    "depends on Pricer, in phase-out since 2026-06-01 (end of life "
                    "2026-12-08): Beta → Pricing → Pricer; plan the move before its end of life",
                )
            ],
        ),
    }
    eol = next(c for c in report.checks if c.id == "end_of_life_dependencies")
    assert [r.id for r in eol.findings[0].related] == ["p-old"]
    phase_out = next(c for c in report.checks if c.id == "phase_out_dependencies")
    assert [r.id for r in phase_out.findings[0].related] == ["cap-x", "p-next"]

    # Two days on, the pricer is past its end of life too; the day before, neither was.
    later = _checks(health(store, today=date(2026, 12, 8)))
    assert [f[0] for f in later["end_of_life_dependencies"][3]] == ["vs-a", "vs-b"]
    assert later["phase_out_dependencies"][:3] == (0, 3, 100.0)
    earlier = _checks(health(store, today=date(2026, 12, 5)))
    assert earlier["end_of_life_dependencies"][:3] == (0, 3, 100.0)
    assert [f[0] for f in earlier["phase_out_dependencies"][3]] == ["vs-a", "vs-b"]


def test_without_retirement_dates_the_checks_do_not_apply(store: GraphStore) -> None:
    Graph().node("ValueStream", "vs-a").node("Platform", "p", lifecycle_active="2020-01-01").rel(
        "USES", "vs-a", "p"
    ).write(store)
    checks = _checks(health(store, today=TODAY))
    assert checks == {
        "end_of_life_dependencies": (0, 0, None, []),
        "phase_out_dependencies": (0, 0, None, []),
    }


HEALTH = """
query($today: String) {
  healthReport(today: $today) {
    score today checks { id offending population findings { element { id } detail } }
  }
}
"""


def test_every_surface_reads_the_same_day(
    client: TestClient,
    store: GraphStore,
    neo4j_server: dict[str, str | None],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    _lifecycle_graph().write(store)
    expected = health(store, today=TODAY).model_dump(mode="json")
    rest = client.get("/api/health-report", params={"today": "2026-12-07"})
    assert rest.status_code == 200 and rest.json() == expected
    cli = cli_json(["health", "--today", "2026-12-07"], neo4j_server, monkeypatch, tmp_path)
    assert cli == expected
    data = gql(client, HEALTH, today="2026-12-07")["data"]["healthReport"]
    assert (data["score"], data["today"]) == (expected["score"], "2026-12-07")
    assert [c["id"] for c in data["checks"]] == [c["id"] for c in expected["checks"]]
    eol = next(c for c in data["checks"] if c["id"] == "end_of_life_dependencies")
    assert eol["findings"] == [
        {"element": {"id": "vs-a"}, "detail": expected["checks"][8]["findings"][0]["detail"]}
    ]

    assert client.get("/api/health-report", params={"today": "07/12/2026"}).status_code == 422
    bad = gql(client, HEALTH, today="2026-12-32")
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "is not a day" in bad["errors"][0]["message"]
    code, _ = run_cli(["health", "--today", "tomorrow"], neo4j_server, monkeypatch, tmp_path)
    assert code == 2


def test_a_scenario_reads_the_same_dates_as_the_model(store: GraphStore) -> None:
    # The in-memory model a scenario is compared on finds what the store finds.
    _lifecycle_graph().write(store)
    move = [
        {"op": "remove_relationship", "type": "DEPENDS_ON", "source": "vs-a", "target": "p-old"}
    ]
    create_scenario(store, name="off-old-core", operations=move)
    result = compare_scenario(store, "off-old-core", today=TODAY)
    eol = next(c for c in result.health.checks if c.id == "end_of_life_dependencies")
    assert (eol.base_offending, eol.scenario_offending) == (1, 0)
    assert (eol.base_score, eol.scenario_score) == (66.7, 100.0)  # of vs-a, vs-b, vs-d; then 2
    assert [r.id for r in eol.resolved] == ["vs-a"]
    phase_out = next(c for c in result.health.checks if c.id == "phase_out_dependencies")
    assert (phase_out.base_offending, phase_out.scenario_offending) == (1, 1)
