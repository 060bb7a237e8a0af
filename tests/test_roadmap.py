"""The roadmap on a real Neo4j: scenarios' effective dates (set on create and by update, on
every surface), and the plateaus of a hand-worked model with the impact counts and the
health findings resolved at each step worked out by hand; each step's answers equal a
scenario comparison holding the same changes (one code path), and the CLI, REST and GraphQL
give one answer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli.root import app as cli
from app.main import create_app
from app.settings import Settings
from graph.store import GraphStore
from queries import moment as mo
from queries import roadmap as rm
from queries import scenarios as sc
from queries.errors import QuestionError


@pytest.fixture
def api(store: GraphStore, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store=store)) as c:
        yield c


def _ok(response: Any) -> Any:
    assert response.status_code in (200, 201, 204), response.text
    return response.json() if response.status_code != 204 else None


def _rel(kind: str, source: str, target: str) -> dict[str, str]:
    return {"type": kind, "source": source, "target": target}


def _model(api: TestClient) -> None:
    """Team T1 owns Core (P1), not Ledger (P2); S1 and S2 use Core, S3 uses Ledger; Alice is
    accountable for S1 only."""
    for body in (
        {"type": "Team", "id": "t1", "name": "Core Team", "team_type": "platform"},
        {"type": "Platform", "id": "p1", "name": "Core"},
        {"type": "Platform", "id": "p2", "name": "Ledger"},
        {"type": "ValueStream", "id": "s1", "name": "Loans"},
        {"type": "ValueStream", "id": "s2", "name": "Cards"},
        {"type": "ValueStream", "id": "s3", "name": "Savings"},
        {"type": "Person", "id": "alice", "name": "Alice"},
    ):
        _ok(api.post("/api/nodes", json=body))
    for rel in (
        _rel("OWNS", "t1", "p1"),
        _rel("USES", "s1", "p1"),
        _rel("USES", "s2", "p1"),
        _rel("USES", "s3", "p2"),
        _rel("ACCOUNTABLE_FOR", "alice", "s1"),
    ):
        _ok(api.post("/api/relationships", json=rel))


def _op(op: str, kind: str, source: str, target: str) -> dict[str, str]:
    return {"op": op, **_rel(kind, source, target)}


# The roadmap, in the order the scenarios are created (creation order breaks date ties).
PLAN: list[tuple[str, str | None, list[dict[str, str]]]] = [
    ("z-late", "2026-06-01", [_op("add_relationship", "ACCOUNTABLE_FOR", "alice", "s3")]),
    ("a-own-ledger", "2027-01-01", [_op("add_relationship", "OWNS", "t1", "p2")]),
    ("b-savings-core", "2027-01-01", [_op("add_relationship", "USES", "s3", "p1")]),
    ("c-loans-off-core", "2027-06-01", [_op("remove_relationship", "USES", "s1", "p1")]),
    # Removes what c removed already: it no longer applies on top of c.
    ("d-clash", "2027-06-01", [_op("remove_relationship", "USES", "s1", "p1")]),
    ("e-undated", None, [_op("remove_relationship", "OWNS", "t1", "p1")]),
    ("f-cards-owner", "2027-09-01", [_op("add_relationship", "ACCOUNTABLE_FOR", "alice", "s2")]),
]


def _plan(api: TestClient) -> None:
    _model(api)
    for name, day, ops in PLAN:
        body: dict[str, Any] = {"name": name, "operations": ops}
        if day:
            body["effective_date"] = day
        _ok(api.post("/api/scenarios", json=body))


def _names(refs: list[Any]) -> list[str]:
    return [r.id for r in refs]


def _resolved(step: rm.RoadmapStep, check: str) -> tuple[list[str], list[str]]:
    assert step.health_change is not None
    [found] = [c for c in step.health_change.checks if c.id == check]
    return _names(found.resolved), _names(found.introduced)


def _offending(step: rm.RoadmapStep, check: str) -> int:
    return next(c.offending for c in step.health_checks if c.id == check)


def test_effective_dates_are_set_on_create_and_by_update(
    store: GraphStore, api: TestClient
) -> None:
    _model(api)
    made = _ok(api.post("/api/scenarios", json={"name": "x", "effective_date": "2027-03-31"}))
    assert made["effective_date"] == "2027-03-31"
    assert _ok(api.patch("/api/scenarios/x", json={"description": "Move"}))["effective_date"] == (
        "2027-03-31"
    )
    moved = _ok(api.patch("/api/scenarios/x", json={"effective_date": "2027-04-30"}))
    assert (moved["effective_date"], moved["description"]) == ("2027-04-30", "Move")
    cleared = _ok(api.patch("/api/scenarios/x", json={"effective_date": None}))
    assert cleared["effective_date"] is None and cleared["description"] == "Move"
    assert api.patch("/api/scenarios/x", json={"effective_date": "31/03/2027"}).status_code == 422
    assert api.patch("/api/scenarios/nope", json={"description": "?"}).status_code == 404
    gql = api.post(
        "/graphql",
        json={
            "query": """mutation {
              a: updateScenario(name: "x", effectiveDate: "2027-05-31") { effectiveDate }
              b: createScenario(name: "y", effectiveDate: "2028-01-01") { effectiveDate }
            }"""
        },
    ).json()
    assert "errors" not in gql, gql
    assert gql["data"] == {
        "a": {"effectiveDate": "2027-05-31"},
        "b": {"effectiveDate": "2028-01-01"},
    }
    listed = {s["name"]: s["effective_date"] for s in _ok(api.get("/api/scenarios"))}
    assert listed == {"x": "2027-05-31", "y": "2028-01-01"}
    with pytest.raises(QuestionError, match="not a day"):
        sc.update_scenario(store, "x", effective_date="soon")
    assert sc.update_scenario(store, "y", clear_effective_date=True).effective_date is None


def test_the_plateaus_as_worked_out_by_hand(store: GraphStore, api: TestClient) -> None:
    _plan(api)
    road = rm.roadmap(store, element="Core", limit=3)
    assert road.element is not None and road.element.id == "p1"
    steps = road.steps
    assert [(s.index, s.date, s.overdue) for s in steps] == [
        (0, road.today, False),
        (1, "2026-06-01", True),  # due before today, not applied: overdue
        (2, "2027-01-01", False),
        (3, "2027-06-01", False),
        (4, "2027-09-01", False),
    ]
    assert [s.scenarios for s in steps] == [
        [],
        ["z-late"],
        ["a-own-ledger", "b-savings-core"],
        ["c-loans-off-core", "d-clash"],
        ["f-cards-owner"],
    ]
    assert [s.applied for s in steps] == [
        [],
        ["z-late"],
        ["z-late", "a-own-ledger", "b-savings-core"],
        ["z-late", "a-own-ledger", "b-savings-core", "c-loans-off-core"],
        ["z-late", "a-own-ledger", "b-savings-core", "c-loans-off-core", "f-cards-owner"],
    ]
    assert [len(s.problems) for s in steps] == [0, 0, 0, 1, 0]
    assert steps[3].problems[0].startswith("d-clash: ")

    # Impact of Core: Loans and Cards; Savings joins on step 2; Loans leaves on step 3.
    impacts = [s.impact for s in steps]
    assert all(i is not None and i.in_model for i in impacts)
    assert [i.stream_count for i in impacts if i] == [2, 2, 3, 2, 2]
    assert [(_names(i.streams_added), _names(i.streams_removed)) for i in impacts if i] == [
        ([], []),
        ([], []),
        (["s3"], []),
        ([], ["s1"]),
        ([], []),
    ]

    # Health: Savings gets Alice on step 1, Ledger an owner on step 2, Cards Alice on 4.
    assert steps[0].health_change is None and steps[0].bottleneck_changes == []
    assert [_offending(s, "accountable_owner") for s in steps] == [2, 1, 1, 1, 0]
    assert [_offending(s, "unowned") for s in steps] == [1, 1, 0, 0, 0]
    assert _resolved(steps[1], "accountable_owner") == (["s3"], [])
    assert _resolved(steps[2], "unowned") == (["p2"], [])
    assert _resolved(steps[2], "accountable_owner") == ([], [])
    assert _resolved(steps[4], "accountable_owner") == (["s2"], [])
    assert all(len(s.bottlenecks) <= 3 for s in steps)


def test_a_step_holds_the_model_on_its_day_by_lifecycle_dates(
    store: GraphStore, api: TestClient
) -> None:
    """Ledger reaches its end of life on 2027-03-01: from the first step after that day it
    is gone from the model, and Savings, which used it, no longer reaches it; Core, phased in
    on 2027-05-01, joins on the steps from then on."""
    _model(api)
    _ok(api.patch("/api/nodes/p2", json={"lifecycle_end_of_life": "2027-03-01"}))
    _ok(
        api.post(
            "/api/nodes",
            json={
                "type": "Platform",
                "id": "p3",
                "name": "Vault",
                "lifecycle_phase_in": "2027-05-01",
            },
        )
    )
    _ok(api.post("/api/relationships", json=_rel("USES", "s2", "p3")))
    for name, day in (("early", "2027-01-01"), ("mid", "2027-04-01"), ("late", "2027-06-01")):
        ops = [_op("add_relationship", "ACCOUNTABLE_FOR", "alice", "s2")] if name == "late" else []
        _ok(
            api.post(
                "/api/scenarios", json={"name": name, "effective_date": day, "operations": ops}
            )
        )
    ledger = rm.roadmap(store, element="p2", today=date(2026, 12, 1))
    assert [(s.date, s.impact.in_model if s.impact else None) for s in ledger.steps] == [
        ("2026-12-01", True),
        ("2027-01-01", True),
        ("2027-04-01", False),  # past its end of life
        ("2027-06-01", False),
    ]
    assert [s.impact.stream_count for s in ledger.steps if s.impact] == [1, 1, 0, 0]
    vault = rm.roadmap(store, element="p3", today=date(2026, 12, 1))
    assert [s.impact.in_model for s in vault.steps if s.impact] == [False, False, False, True]
    assert [s.impact.stream_count for s in vault.steps if s.impact] == [0, 0, 0, 1]


class CountingStore(GraphStore):
    """The real store (same driver, same database), counting the reads it runs by query."""

    def __init__(self, real: GraphStore) -> None:
        super().__init__(real.driver, real.database, real.schema, timeout=real.timeout)
        self.reads: list[str] = []

    def read(self, query: str, params: Any = None, **kwargs: Any) -> Any:
        self.reads.append(query)
        return super().read(query, params, **kwargs)


def test_a_roadmap_reads_the_lifecycle_dates_once_for_all_its_steps(
    store: GraphStore, api: TestClient
) -> None:
    _model(api)
    _ok(api.patch("/api/nodes/p2", json={"lifecycle_end_of_life": "2027-03-01"}))
    for name, day in (("one", "2027-01-01"), ("two", "2027-04-01"), ("three", "2027-06-01")):
        _ok(api.post("/api/scenarios", json={"name": name, "effective_date": day}))
    counting = CountingStore(store)
    plan = rm.roadmap(counting, element="p2", today=date(2026, 12, 1))
    assert len(plan.steps) == 4
    assert counting.reads.count(mo.LIVE_NODE_DATES) == 1
    assert counting.reads.count(mo.LIVE_REL_DATES) == 1
    # The same answer as reading them per step (the rule `--at` uses).
    assert plan == rm.roadmap(store, element="p2", today=date(2026, 12, 1))
    present = rm.ModelGraph.load(store)
    for step in plan.steps:
        day = date.fromisoformat(step.date)
        assert rm.model_on(present, mo.LiveDates.read(store), day) == mo.on_day(present, store, day)


def test_a_step_answers_as_a_scenario_holding_its_changes(
    store: GraphStore, api: TestClient
) -> None:
    """Step 3 is the model with z, a, b and c applied: a scenario holding their operations
    (undated, so not on the roadmap) is compared with the same code and must agree."""
    _plan(api)
    ops = [op for name, _, o in PLAN if name[0] in "zabc" for op in o if name != "d-clash"]
    _ok(api.post("/api/scenarios", json={"name": "as-step-3", "operations": ops}))
    road = rm.roadmap(store, element="p1", limit=20)
    step = road.steps[3]
    compared = sc.compare_scenario(store, "as-step-3", element="p1", limit=20)
    assert step.health_score == compared.health.scenario_score
    assert step.health_change is not None
    assert [(c.id, c.score, c.offending) for c in step.health_checks] == [
        (c.id, c.scenario_score, c.scenario_offending) for c in compared.health.checks
    ]
    assert [(b.element.id, b.rank, b.score) for b in step.bottlenecks] == [
        (r.element.id, r.scenario_rank, r.scenario_score)
        for r in compared.bottlenecks.rows
        if r.scenario_rank is not None
    ]
    assert compared.impact is not None and step.impact is not None
    assert step.impact.stream_count == compared.impact.scenario_stream_count
    assert step.impact.affected_count == compared.impact.scenario_affected_count
    # And step 0 is the base the comparison starts from.
    assert road.steps[0].health_score == compared.health.base_score


def test_cli_rest_and_graphql_give_one_roadmap(
    store: GraphStore, api: TestClient, neo4j_server: dict[str, str | None], monkeypatch: Any
) -> None:
    _plan(api)
    rest = _ok(api.get("/api/roadmap", params={"element": "p1", "limit": 2}))
    assert rest == rm.roadmap(store, element="p1", limit=2).model_dump(mode="json")
    gql = api.post(
        "/graphql",
        json={
            "query": """{ roadmap(element: "p1", limit: 2) {
              today element { id } limit
              steps { index date overdue scenarios applied problems healthScore
                      impact { streamCount streamsAdded { id } streamsRemoved { id } }
                      bottlenecks { rank element { id } score }
                      healthChange { scoreDelta checks { id resolved { id } introduced { id } } } }
            } }"""
        },
    ).json()
    assert "errors" not in gql, gql
    road = gql["data"]["roadmap"]
    assert (road["today"], road["element"]["id"], road["limit"]) == (rest["today"], "p1", 2)
    for g, r in zip(road["steps"], rest["steps"], strict=True):
        assert (g["index"], g["date"], g["overdue"], g["scenarios"], g["applied"]) == (
            r["index"],
            r["date"],
            r["overdue"],
            r["scenarios"],
            r["applied"],
        )
        assert (g["problems"], g["healthScore"]) == (r["problems"], r["health_score"])
        assert g["impact"]["streamCount"] == r["impact"]["stream_count"]
        assert [x["id"] for x in g["impact"]["streamsAdded"]] == [
            x["id"] for x in r["impact"]["streams_added"]
        ]
        assert [(b["rank"], b["element"]["id"], b["score"]) for b in g["bottlenecks"]] == [
            (b["rank"], b["element"]["id"], b["score"]) for b in r["bottlenecks"]
        ]
        if r["health_change"] is None:
            assert g["healthChange"] is None
        else:
            assert [
                (c["id"], [x["id"] for x in c["resolved"]], [x["id"] for x in c["introduced"]])
                for c in g["healthChange"]["checks"]
            ] == [
                (c["id"], [x["id"] for x in c["resolved"]], [x["id"] for x in c["introduced"]])
                for c in r["health_change"]["checks"]
            ]

    monkeypatch.setenv("NEO4J_URI", str(neo4j_server["uri"]))
    if neo4j_server["user"]:
        monkeypatch.setenv("NEO4J_USER", str(neo4j_server["user"]))
        monkeypatch.setenv("NEO4J_PASSWORD", str(neo4j_server["password"]))
    runner = CliRunner()
    shown = runner.invoke(cli, ["roadmap", "--element", "p1", "--limit", "2", "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout) == rest
    monkeypatch.setenv("COLUMNS", "200")  # the table whole, not cut to 80 columns
    table = runner.invoke(cli, ["roadmap", "-e", "Core"])
    assert table.exit_code == 0 and "2027-06-01" in table.output and "d-clash" in table.output
    csv_text = runner.invoke(cli, ["roadmap", "-e", "p1", "--format", "csv"])
    assert csv_text.exit_code == 0, csv_text.output
    lines = csv_text.stdout.strip().splitlines()
    assert lines[0].startswith("step,date,overdue,scenarios,problems,health_score")
    assert len(lines) == 1 + 5
    assert lines[3].startswith("2,2027-01-01,false,a-own-ledger; b-savings-core,,")
    md = api.get("/api/reports/roadmap", params={"element": "p1"})
    assert md.status_code == 200 and "## Step 3: 2027-06-01" in md.text

    # Scenario dates over the CLI: updated, shown, cleared (off the roadmap).
    moved = runner.invoke(cli, ["scenario", "update", "f-cards-owner", "--date", "2027-12-01"])
    assert moved.exit_code == 0 and "2027-12-01" in moved.output
    cleared = runner.invoke(cli, ["scenario", "update", "f-cards-owner", "--no-date", "--json"])
    assert cleared.exit_code == 0 and json.loads(cleared.stdout)["effective_date"] is None
    made = runner.invoke(cli, ["scenario", "create", "g", "--effective-date", "2028-01-01"])
    assert made.exit_code == 0, made.output
    assert [s.date for s in rm.roadmap(store).steps][1:] == [
        "2026-06-01",
        "2027-01-01",
        "2027-06-01",
        "2028-01-01",
    ]
