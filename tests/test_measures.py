"""Measures over time and investment to outcome, on a real Neo4j: a hand-worked sequence of
dated changes with the series, trends and funding totals worked out by hand, a decoy stream
whose measures and funding must not leak in, and the CLI, REST and GraphQL giving the one
answer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli.root import app as cli
from app.main import create_app
from app.settings import Settings
from graph.labels import CHANGE, CHANGE_CHUNK, CHANGE_SET
from graph.store import GraphStore
from importers.preparation import prepare
from queries import investment as iv
from queries import measures as ms


@pytest.fixture
def clean(store: GraphStore) -> GraphStore:
    store.execute(
        f"MATCH (n) WHERE n:{CHANGE} OR n:{CHANGE_CHUNK} OR n:{CHANGE_SET} DETACH DELETE n"
    )
    return store


@pytest.fixture
def api(clean: GraphStore, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store=clean)) as c:
        yield c


def _last_seq(store: GraphStore) -> int:
    return int(store.read(f"MATCH (s:{CHANGE_SET}) RETURN coalesce(max(s.seq), 0) AS m")[0]["m"])


def _recorded_on(store: GraphStore, since: int, day: str) -> None:
    """Date every change set after `since` as recorded on DAY at 09:00 UTC: the test plays a
    quarter's changes in a second, and the series are dated by when changes were recorded."""
    at = f"{day}T09:00:00.000+00:00"
    for label in (CHANGE, CHANGE_CHUNK, CHANGE_SET):
        store.execute(
            f"MATCH (c:{label}) WHERE c.seq > $since SET c.at = $at", {"since": since, "at": at}
        )


def _ok(response: Any) -> Any:
    assert response.status_code in (200, 201, 204), response.text
    return response.json() if response.status_code != 204 else None


def _node(api: TestClient, **body: Any) -> None:
    _ok(api.post("/api/nodes", json=body))


def _rel(api: TestClient, **body: Any) -> str:
    return str(_ok(api.post("/api/relationships", json=body))["id"])


def _patch(api: TestClient, node: str, **body: Any) -> None:
    _ok(api.patch(f"/api/nodes/{node}", json=body))


def _play(store: GraphStore, api: TestClient) -> dict[str, str]:
    """The hand-worked quarter: January to April 2026."""
    rels: dict[str, str] = {}
    seq = _last_seq(store)
    # January 10th: the stream, its two measures, a persistent funding line; and a decoy.
    _node(api, type="ValueStream", id="s-pay", name="Payments")
    _node(
        api,
        type="Measure",
        id="m-lead",
        name="Lead time",
        unit="days",
        direction="lower-is-better",
        target=5,
        current=20,
    )
    _node(
        api,
        type="Measure",
        id="m-nps",
        name="NPS",
        direction="higher-is-better",
        target=50,
        current=30,
        measured_at="2026-01-15",
    )
    _rel(api, type="MEASURED_BY", source="s-pay", target="m-lead")
    _rel(api, type="MEASURED_BY", source="s-pay", target="m-nps")
    _node(
        api,
        type="Investment",
        id="inv-run",
        name="Run budget",
        funding_type="persistent",
        amount=100,
        currency="EUR",
    )
    rels["run"] = _rel(api, type="FUNDED_BY", source="s-pay", target="inv-run")
    _node(api, type="ValueStream", id="s-decoy", name="Decoy")
    _node(api, type="Measure", id="m-decoy", name="Decoy measure", current=1, target=2)
    _rel(api, type="MEASURED_BY", source="s-decoy", target="m-decoy")
    _node(api, type="Investment", id="inv-decoy", name="Decoy budget", amount=999)
    _rel(api, type="FUNDED_BY", source="s-decoy", target="inv-decoy")
    _recorded_on(store, seq, "2026-01-10")

    # February 10th: lead time 15; NPS 35, measured on February 1st; the budget grows.
    seq = _last_seq(store)
    _patch(api, "m-lead", current=15)
    _patch(api, "m-nps", current=35, measured_at="2026-02-01")
    _patch(api, "inv-run", amount=120)
    _patch(api, "m-decoy", current=500)
    _recorded_on(store, seq, "2026-02-10")

    # March 10th: a description (no new value); lead time 12, corrected to 11 the same day;
    # NPS 28 (its measured_at untouched, so dated by the recording); a project line for
    # March 15th to June 30th.
    seq = _last_seq(store)
    _patch(api, "m-lead", description="From commit to production")
    _patch(api, "m-lead", current=12)
    _patch(api, "m-lead", current=11)
    _patch(api, "m-nps", current=28)
    _node(
        api,
        type="Investment",
        id="inv-proj",
        name="Instant payments project",
        funding_type="project",
        amount=50,
        currency="EUR",
    )
    rels["proj"] = _rel(
        api,
        type="FUNDED_BY",
        source="s-pay",
        target="inv-proj",
        lifecycle_phase_in="2026-03-15",
        lifecycle_end_of_life="2026-06-30",
    )
    _recorded_on(store, seq, "2026-03-10")

    # April 10th: the persistent line is cut; lead time's target is relaxed to 8.
    seq = _last_seq(store)
    _ok(api.delete(f"/api/relationships/{rels['run']}"))
    _patch(api, "m-lead", target=8)
    _recorded_on(store, seq, "2026-04-10")
    return rels


def _points(series: ms.MeasureSeries) -> list[tuple[str, float, float | None]]:
    return [(p.date, p.value, p.target) for p in series.points]


def test_measure_series_and_trends_as_worked_out_by_hand(
    clean: GraphStore, api: TestClient
) -> None:
    _play(clean, api)
    answer = ms.stream_measures(clean, "Payments")
    assert answer.stream.id == "s-pay"
    lead, nps = answer.measures  # by name: Lead time, NPS
    assert lead.measure.id == "m-lead" and nps.measure.id == "m-nps"

    # The description changed nothing measured; 12 was corrected to 11 on the same day;
    # the target's change in April is not a new value.
    assert _points(lead) == [
        ("2026-01-10", 20.0, 5.0),
        ("2026-02-10", 15.0, 5.0),
        ("2026-03-10", 11.0, 5.0),
    ]
    assert (lead.change, lead.trend) == (-9.0, ms.Trend.IMPROVING)  # lower is better
    assert (lead.target, lead.current) == (8.0, 11.0)
    assert (lead.gap_to_target, lead.on_target) == (-3.0, False)

    # Dated by measured_at where the change set it; by the recording where it did not.
    assert _points(nps) == [
        ("2026-01-15", 30.0, 50.0),
        ("2026-02-01", 35.0, 50.0),
        ("2026-03-10", 28.0, 50.0),
    ]
    assert (nps.change, nps.trend) == (-2.0, ms.Trend.WORSENING)
    assert (nps.gap_to_target, nps.on_target) == (22.0, False)

    decoy = ms.stream_measures(clean, "s-decoy").measures
    assert [m.measure.id for m in decoy] == ["m-decoy"]
    assert [(p.value, p.date) for p in decoy[0].points] == [
        (1.0, "2026-01-10"),
        (500.0, "2026-02-10"),
    ]
    assert decoy[0].trend == ms.Trend.UNKNOWN  # no direction to judge by


def test_investment_to_outcome_as_worked_out_by_hand(clean: GraphStore, api: TestClient) -> None:
    rels = _play(clean, api)
    view = iv.investment_view(clean, "s-pay")
    run, proj = view.lines  # by start
    assert (run.relationship_id, run.investment.id) == (rels["run"], "inv-run")
    assert (run.standing, run.start, run.end) == (False, "2026-01-10", "2026-04-10")
    assert run.removed_at is not None and run.removed_at.startswith("2026-04-10")
    assert (run.funding_type, run.currency, run.amount) == ("persistent", "EUR", 120.0)
    assert [(a.date, a.amount) for a in run.amounts] == [
        ("2026-01-10", 100.0),
        ("2026-02-10", 120.0),
    ]
    assert (proj.relationship_id, proj.investment.id) == (rels["proj"], "inv-proj")
    assert (proj.standing, proj.start, proj.end) == (True, "2026-03-15", "2026-06-30")
    assert [(a.date, a.amount) for a in proj.amounts] == [("2026-03-10", 50.0)]

    # 100 from Jan 10; 120 from Feb 10; both lines from Mar 15 (the project's phase-in);
    # the project alone from Apr 10 (the persistent line cut); nothing after June 30.
    # March 10th changed nothing for the stream (the project had not started): no point.
    assert [(f.date, f.total, f.lines) for f in view.funding] == [
        ("2026-01-10", 100.0, 1),
        ("2026-02-10", 120.0, 1),
        ("2026-03-15", 170.0, 2),
        ("2026-04-10", 50.0, 1),
        ("2026-06-30", 0.0, 0),
    ]
    assert view.currencies == ["EUR"]
    assert [m.measure.id for m in view.measures] == ["m-lead", "m-nps"]
    assert iv.investment_view(clean, "s-decoy").lines[0].investment.id == "inv-decoy"


def test_only_value_streams_have_measures_and_investment(
    clean: GraphStore, api: TestClient
) -> None:
    _play(clean, api)
    assert api.get("/api/streams/m-lead/measures").status_code == 422
    assert api.get("/api/streams/nowhere/investment").status_code == 404


def test_cli_rest_and_graphql_give_one_answer(
    clean: GraphStore, api: TestClient, neo4j_server: dict[str, str | None], monkeypatch: Any
) -> None:
    _play(clean, api)
    rest_measures = _ok(api.get("/api/streams/s-pay/measures"))
    rest_investment = _ok(api.get("/api/streams/Payments/investment"))
    assert rest_measures == ms.stream_measures(clean, "s-pay").model_dump(mode="json")
    assert rest_investment == iv.investment_view(clean, "s-pay").model_dump(mode="json")

    gql = api.post(
        "/graphql",
        json={
            "query": """{
              streamMeasures(stream: "s-pay") {
                stream { id } measures { measure { id } trend change points { date value } }
              }
              streamInvestment(stream: "s-pay") {
                funding { date total lines } lines { relationshipId start end standing }
              }
            }"""
        },
    ).json()
    assert "errors" not in gql, gql
    measures = gql["data"]["streamMeasures"]["measures"]
    assert [
        (m["measure"]["id"], m["trend"].lower(), m["change"], m["points"]) for m in measures
    ] == [
        (
            m["measure"]["id"],
            m["trend"],
            m["change"],
            [{"date": p["date"], "value": p["value"]} for p in m["points"]],
        )
        for m in rest_measures["measures"]
    ]
    assert gql["data"]["streamInvestment"]["funding"] == rest_investment["funding"]
    assert [
        (x["relationshipId"], x["start"], x["end"], x["standing"])
        for x in gql["data"]["streamInvestment"]["lines"]
    ] == [
        (x["relationship_id"], x["start"], x["end"], x["standing"])
        for x in rest_investment["lines"]
    ]

    monkeypatch.setenv("NEO4J_URI", str(neo4j_server["uri"]))
    if neo4j_server["user"]:
        monkeypatch.setenv("NEO4J_USER", str(neo4j_server["user"]))
        monkeypatch.setenv("NEO4J_PASSWORD", str(neo4j_server["password"]))
    runner = CliRunner()
    shown = runner.invoke(cli, ["measures", "s-pay", "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout) == rest_measures
    shown = runner.invoke(cli, ["investment", "Payments", "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout) == rest_investment
    table = runner.invoke(cli, ["measures", "s-pay"])
    assert table.exit_code == 0 and "improving" in table.output

    # The report: one CSV row per funding point and per measure value, as REST serves it.
    csv_text = runner.invoke(cli, ["investment", "s-pay", "--format", "csv"])
    assert csv_text.exit_code == 0, csv_text.output
    lines = csv_text.stdout.strip().splitlines()
    assert lines[0] == "series,name,date,value,target,detail"
    assert len(lines) == 1 + 5 + 3 + 3
    assert "funding,,2026-03-15,170.0,,2 line(s)" in lines
    downloaded = api.get("/api/reports/streams/s-pay/investment", params={"format": "csv"})
    assert downloaded.status_code == 200
    assert (
        downloaded.text.replace("\r\n", "\n").strip()
        == csv_text.stdout.replace("\r\n", "\n").strip()
    )
    md = api.get("/api/reports/streams/s-pay/investment").text
    assert "# Investment to outcome: Payments" in md and "Instant payments project" in md


MEASURE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/"
       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" identifier="id-m" version="1.0">
  <name xml:lang="en">Measured</name>
  <elements>
    <element identifier="m-nps" xsi:type="Outcome">
      <name xml:lang="en">NPS</name>
      <properties>
        <property propertyDefinitionRef="pd-type"><value xml:lang="en">Measure</value></property>
        <property propertyDefinitionRef="pd-current"><value xml:lang="en">35</value></property>
        <property propertyDefinitionRef="pd-measured"><value xml:lang="en">2026-02-01</value></property>
      </properties>
    </element>
  </elements>
  <propertyDefinitions>
    <propertyDefinition identifier="pd-type" type="string"><name xml:lang="en">valuegraph:type</name></propertyDefinition>
    <propertyDefinition identifier="pd-current" type="string"><name xml:lang="en">valuegraph:current</name></propertyDefinition>
    <propertyDefinition identifier="pd-measured" type="string"><name xml:lang="en">Measurement Date</name></propertyDefinition>
  </propertyDefinitions>
</model>
"""


def test_archimate_properties_date_a_measured_value(tmp_path: Path) -> None:
    path = tmp_path / "measured.xml"
    path.write_text(MEASURE_XML, encoding="utf-8")
    [node] = prepare(path).result["nodes"]
    assert node["label"] == "Measure"
    assert (node["props"]["current"], node["props"]["measured_at"]) == (35.0, "2026-02-01")
