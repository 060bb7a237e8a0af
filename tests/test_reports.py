"""Reports to hand over (`queries.reports`), on the demo model in a real Neo4j: their content
checked by hand against the demo, CSV that parses back with its documented columns and
neutralises spreadsheet formulas, Markdown with its sections, and the CLI and REST handing
over the same bytes for the same question."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from graph.store import GraphStore
from queries import impact as im
from queries import scenarios as sc
from queries.reports import bottlenecks as bottleneck_doc
from queries.reports import comparison as comparison_doc
from queries.reports import health as health_doc
from queries.reports import impact as impact_doc
from queries.reports import questions as reports
from queries.reports.document import ReportFormat, file_name, generated_at
from queries.reports.text import csv_cell, csv_table, md, md_code
from samples.demo import load_demo
from tests.question_graphs import Graph, run_cli

AT = datetime(2026, 12, 6, 23, 54, tzinfo=UTC)
EPOCH = str(int(AT.timestamp()))
MD, CSV = ReportFormat.MD, ReportFormat.CSV
SCENARIO = "retire reg suite"


@pytest.fixture
def demo(store: GraphStore) -> GraphStore:
    load_demo(store)
    return store


def _table(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _columns(text: str) -> list[str]:
    return next(csv.reader(io.StringIO(text, newline="")))


def _section(markdown: str, heading: str) -> str:
    """The text under HEADING up to the next heading of its level or above."""
    level = heading.split(" ")[0]
    body = markdown.split(heading + "\n", 1)[1]
    ends = [i for i in (body.find("\n" + "#" * n + " ") for n in range(1, len(level) + 1))]
    ends = [i for i in ends if i >= 0]
    return body[: min(ends)] if ends else body


def _rows(table: str) -> list[list[str]]:
    """The body rows of a Markdown table, cells stripped."""
    lines = [line for line in table.strip().splitlines() if line.startswith("|")][2:]
    return [[c.strip() for c in line.strip("|").split(" | ")] for line in lines]


# -- impact -----------------------------------------------------------------------------------

# A change to the Finance Data Warehouse, by hand from samples/retail_bank.yaml: the Payments
# stage "Reconcile & report" uses it, the Regulatory Reporting capability and suite depend
# on it; Payments' stage brings Payments, and Cards, Mortgage and SME lending depend on
# Payments; Savings requires Regulatory Compliance, which contains Regulatory Reporting.
FDW_ROWS = [
    ("1", "st-payments-5-reconcile", "Stage"),
    ("1", "cap-regulatory-reporting", "Capability"),
    ("1", "plat-reg-reporting", "Platform"),
    ("2", "vs-payments", "ValueStream"),
    ("2", "cap-regulatory-compliance", "Capability"),
    ("2", "data-regulatory-returns", "DataAsset"),
    ("3", "vs-cards", "ValueStream"),
    ("3", "vs-mortgage", "ValueStream"),
    ("3", "cap-risk-compliance", "Capability"),
    ("3", "vs-savings", "ValueStream"),
    ("3", "vs-sme-lending", "ValueStream"),
]
# Accountable owners of the affected streams first, nearest first, then by name (SME
# lending has nobody accountable); then the owning teams: Data Platform owns the warehouse
# itself (0), Regulatory Reporting the capability, the suite and the returns (1).
FDW_NOTIFY = [
    ("1", "2", "Tom Okafor", "Person", "accountable owner", "Payments"),
    ("2", "3", "Hannah Lee", "Person", "accountable owner", "Savings"),
    ("3", "3", "James Whitfield", "Person", "accountable owner", "Cards"),
    ("4", "3", "Priya Raman", "Person", "accountable owner", "Mortgage"),
    ("5", "0", "Data Platform", "Team", "owning team", "Finance Data Warehouse"),
    (
        "6",
        "1",
        "Regulatory Reporting",
        "Team",
        "owning team",
        "Regulatory Reporting, Regulatory Returns, Regulatory Reporting Suite",
    ),
]


def test_who_to_notify_is_ranked_at_the_query(demo: GraphStore) -> None:
    result = im.impact(demo, "plat-finance-dwh")
    assert [(n.element.id, n.distance) for n in result.people_to_notify] == [
        ("person-tom-okafor", 2),
        ("person-hannah-lee", 3),
        ("person-james-whitfield", 3),
        ("person-priya-raman", 3),
    ]
    assert [(n.element.id, n.distance) for n in result.teams_to_notify] == [
        ("team-data-platform", 0),
        ("team-regulatory-reporting", 1),
    ]
    ranked = result.who_to_notify()
    assert [n.element.name for n in ranked] == [row[2] for row in FDW_NOTIFY]


def test_impact_csv_lists_the_affected_elements(demo: GraphStore) -> None:
    report = reports.impact_report(demo, "Finance Data Warehouse", im.WalkOptions(), CSV, at=AT)
    assert report.filename == "impact-plat-finance-dwh-20261206-2354.csv"
    assert report.media_type == "text/csv; charset=utf-8"
    assert report.text.startswith("distance,element_id,") and "\r\n" in report.text
    assert _columns(report.text) == [name for name, _ in impact_doc.COLUMNS]
    rows = _table(report.text)
    assert [(r["distance"], r["element_id"], r["element_type"]) for r in rows] == FDW_ROWS
    by_id = {r["element_id"]: r for r in rows}
    assert by_id["st-payments-5-reconcile"]["streams"] == (
        "Payments; Cards; Mortgage; Small Business Lending"
    )
    assert by_id["vs-savings"]["streams"] == "Savings"
    assert by_id["plat-reg-reporting"]["streams"] == ""
    assert by_id["vs-payments"]["notify"] == "Tom Okafor"
    assert by_id["vs-sme-lending"]["notify"] == ""
    assert by_id["data-regulatory-returns"]["notify"] == "Regulatory Reporting"
    assert by_id["data-regulatory-returns"]["path"] == (
        "Finance Data Warehouse <-[DEPENDS_ON]- Regulatory Reporting Suite "
        "-[WRITES]-> Regulatory Returns"
    )


def test_impact_markdown_has_its_sections_and_ranks_who_to_notify(demo: GraphStore) -> None:
    walk = im.WalkOptions(4, overrides=["READS=none"])
    text = reports.impact_report(demo, "plat-finance-dwh", walk, MD, at=AT).text
    assert text.startswith(
        "# Impact of a change: Finance Data Warehouse\n\n"
        "Generated 2026-12-06 23:54 UTC by valuegraph.\n\n## Model\n\n"
        "222 elements and 707 relationships (revision `"
    )
    assert "| demo:retail\\_bank | 222 | not recorded |" in _section(text, "## Model")
    asked = dict(r[:2] for r in _rows(_section(text, "## What was asked")))
    assert asked["Element"] == "Finance Data Warehouse (Platform, `plat-finance-dwh`)"
    assert asked["Depth"] == "at most 4 hop(s)"
    assert asked["Propagation overrides"] == "`READS=none`"
    assert "Direction" in asked and "Relationship types" in asked
    legend = _section(text, "## Legend")
    for term in ("Distance", "Explaining path", "Accountable owner", "Who to notify"):
        assert f"- **{term}**: " in legend
    assert "reaches 11 element(s) within 4 hop(s): 5 value stream(s)" in text
    assert [tuple(r) for r in _rows(_section(text, "## Who to notify"))] == FDW_NOTIFY
    streams = _rows(_section(text, "## Affected value streams (5)"))
    assert [(r[0], r[1]) for r in streams] == [
        ("2", "Payments"),
        ("3", "Cards"),
        ("3", "Mortgage"),
        ("3", "Savings"),
        ("3", "Small Business Lending"),
    ]
    assert streams[0][4] == (
        "`Finance Data Warehouse <-[USES]- Reconcile & report <-[HAS_STAGE]- Payments`"
    )
    # Order: title, date, model, what was asked, legend, then the findings.
    marks = ["\n## Model", "\n## What was asked", "\n## Legend", "\n## Summary"]
    assert [text.index(m) for m in marks] == sorted(text.index(m) for m in marks)


# -- hostile names -------------------------------------------------------------------------


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised() -> None:
    assert [csv_cell(v) for v in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx")] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
    ]
    assert [csv_cell(v) for v in ("Core", "a=b", -3.5, 0, None, True)] == [
        "Core",
        "a=b",
        "-3.5",
        "0",
        "",
        "true",
    ]
    text = csv_table(["a", "b"], [['x, "y"', "line\nbreak"]])
    assert _table(text) == [{"a": 'x, "y"', "b": "line\nbreak"}]
    with pytest.raises(ValueError):
        csv_table(["a"], [["1", "2"]])


def test_hostile_names_stay_text_in_both_formats(demo: GraphStore) -> None:
    formula = '=HYPERLINK("http://evil.test","click")'
    markup = "<img src=x onerror=alert(1)> [x](javascript:alert(1)) | *b* `c`"
    Graph().node("Platform", "p-formula", formula).node("Team", "t-markup", markup).rel(
        "USES", "p-formula", "plat-finance-dwh"
    ).rel("OWNS", "t-markup", "p-formula").write(demo)

    rows = _table(reports.impact_report(demo, "plat-finance-dwh", im.WalkOptions(), CSV).text)
    row = next(r for r in rows if r["element_id"] == "p-formula")
    assert row["element_name"] == "'" + formula
    assert row["notify"] == markup  # starts with "<": no formula
    assert row["path"] == f"Finance Data Warehouse <-[USES]- {formula}"  # not at the start

    text = reports.impact_report(demo, "plat-finance-dwh", im.WalkOptions(), MD).text
    notify_md = _section(text, "## Who to notify")
    assert re.search(r"(?<!\\)[<\[*`]", notify_md) is None  # escaped: no tag, link or code
    assert "[x](javascript" not in text
    assert md(markup) in text
    notify = _rows(_section(text, "## Who to notify"))
    # Its own row, in one cell; nearest first, then by name: "<" sorts before "R".
    assert [r[2:4] for r in notify if r[3] == "Team"] == [
        ["Data Platform", "Team"],
        [md(markup), "Team"],
        ["Regulatory Reporting", "Team"],
    ]
    assert {len(r) for r in notify} == {6}
    assert md_code("a|b") == "`a\\|b`" and md_code("`x`") == "`` `x` ``"


# -- bottlenecks, health ----------------------------------------------------------------------


def test_bottlenecks_report(demo: GraphStore) -> None:
    table = reports.bottlenecks_report(demo, CSV, limit=3, at=AT)
    assert table.filename == "bottlenecks-20261206-2354.csv"
    assert _columns(table.text) == [name for name, _ in bottleneck_doc.COLUMNS]
    rows = _table(table.text)
    # The demo's overloaded stream-aligned team first (samples/retail_bank.yaml's header).
    assert [r["rank"] for r in rows] == ["1", "2", "3"]
    top = rows[0]
    assert (top["element_id"], top["element_type"], top["streams"], top["stream_total"]) == (
        "team-digital-journeys",
        "Team",
        "6",
        "7",
    )
    assert (top["team_type"], top["overloaded"], top["stream_pairs"]) == (
        "stream-aligned",
        "true",
        "15",
    )
    assert all(r["team_type"] == "" for r in rows if r["element_type"] == "Platform")

    text = reports.bottlenecks_report(demo, MD, limit=3, at=AT).text
    assert text.startswith("# Coordination bottlenecks\n\nGenerated 2026-12-06 23:54 UTC")
    ranking = _rows(_section(text, "## Ranking (3)"))
    assert [r[2] for r in ranking] == [r["element_name"] for r in rows]
    assert ranking[0][4] == "6/7" and ranking[0][7] == "2.40 (overloaded)"
    assert "- **Score**: 0 to 100: `score = 100 * (0.6 * proximity" in text
    assert "## Where they cluster" in text and "| cluster-1 |" in text


def test_health_report(demo: GraphStore) -> None:
    table = reports.health_report(demo, CSV, at=AT)
    assert _columns(table.text) == [name for name, _ in health_doc.COLUMNS]
    rows = _table(table.text)
    offenders = {(r["check_id"], r["element_id"]) for r in rows}
    # The weaknesses listed in the header of samples/retail_bank.yaml.
    assert {
        ("accountable_owner", "vs-sme-lending"),
        ("project_funding_only", "vs-savings"),
        ("deck_only", "vs-wealth"),
        ("unowned", "plat-document-mgmt"),
        ("unowned", "data-property-valuation"),
        ("overloaded_teams", "team-digital-journeys"),
    } <= offenders
    first = rows[0]
    assert (first["check_score"], first["check_passed"], first["offending"]) == (
        "85.7",
        "false",
        "1",
    )
    cycles = [r for r in rows if r["check_id"] == "stream_cycles"]
    assert {x for r in cycles for x in r["related"].split("; ")} == {"Cards", "Payments"}

    text = reports.health_report(demo, MD, at=AT).text
    assert text.startswith("# Operating-model health\n\nGenerated 2026-12-06 23:54 UTC")
    assert "| Overloaded | teams serving more than 3 value stream(s) |" in text
    findings = _section(text, "## Operating-model health: 77.9/100")
    assert "| Streams without an accountable owner (**fail**) | 85.7 | 1 | 7 |" in findings
    assert "### Streams without an accountable owner" in findings
    assert "- **Small Business Lending** (`vs-sme-lending`): " in findings


def test_a_check_without_findings_keeps_its_row(store: GraphStore) -> None:
    Graph().node("ValueStream", "vs-a", "Alpha").node("Person", "pe-a", "Ann").rel(
        "ACCOUNTABLE_FOR", "pe-a", "vs-a"
    ).write(store)
    rows = _table(reports.health_report(store, CSV).text)
    owner = [r for r in rows if r["check_id"] == "accountable_owner"]
    assert owner == [
        {
            "check_id": "accountable_owner",
            "check_title": "Streams without an accountable owner",
            "check_score": "100.0",
            "check_passed": "true",
            "offending": "0",
            "population": "1",
            "element_id": "",
            "element_name": "",
            "element_type": "",
            "detail": "",
            "related": "",
        }
    ]
    unowned = next(r for r in rows if r["check_id"] == "unowned")
    assert unowned["check_score"] == ""  # not applicable: no platform or data asset


# -- scenario comparison --------------------------------------------------------------------


def _scenario(store: GraphStore) -> None:
    sc.create_scenario(
        store,
        name=SCENARIO,
        description="Retire the regulatory reporting suite",
        operations=[{"op": "remove_element", "element": "plat-reg-reporting"}],
        actor="test",
    )


def test_comparison_report(demo: GraphStore) -> None:
    _scenario(demo)
    table = reports.comparison_report(
        demo, SCENARIO, CSV, element="plat-finance-dwh", limit=3, at=AT
    )
    assert table.filename == "scenario-retire-reg-suite-impact-plat-finance-dwh-20261206-2354.csv"
    assert _columns(table.text) == [name for name, _ in comparison_doc.COLUMNS]
    rows = _table(table.text)
    assert [r["section"] for r in rows] == ["health"] * 11 + ["bottlenecks"] * 3 + ["impact"] * 5
    unowned = next(r for r in rows if r["id"] == "unowned")
    # One platform fewer to own: 49 of 51 owned in the base, 48 of 50 in the scenario.
    assert (unowned["base"], unowned["scenario"], unowned["delta"], unowned["change"]) == (
        "96.1",
        "96.0",
        "-0.1",  # a number: no formula, left as it is
        "worse",
    )
    impact = [(r["id"], r["base"], r["scenario"], r["change"]) for r in rows[-5:]]
    assert impact[0] == ("vs-payments", "2", "2", "same")
    assert rows[11]["id"] == "team-digital-journeys"  # the first bottleneck row

    text = reports.comparison_report(
        demo, SCENARIO, MD, element="plat-finance-dwh", limit=3, at=AT
    ).text
    assert text.startswith("# Scenario comparison: retire reg suite\n\nGenerated 2026-12-06")
    scenario = _section(text, "## The scenario")
    assert "1. remove Platform Regulatory Reporting Suite (plat-reg-reporting)" in scenario
    assert "Overall score 77.9 → 77.9 (same)." in text
    impact_md = _section(text, "## Impact of Finance Data Warehouse")
    # The suite and the returns only it writes are gone: 11 elements reached, then 9.
    assert "Value streams reached 5 → 5; elements reached 11 → 9." in impact_md
    asked = dict(r[:2] for r in _rows(_section(text, "## What was asked")))
    assert asked["Impact of"] == "Finance Data Warehouse (Platform, `plat-finance-dwh`)"
    assert asked["Scenario"] == "retire reg suite (open)"


# -- one truth: the CLI and REST hand over the same bytes -----------------------------------

SAME_QUESTIONS = [
    (
        ["impact", "plat-finance-dwh", "-d", "5", "-p", "READS=none"],
        "/api/reports/impact/plat-finance-dwh?max_depth=5&propagation=READS%3Dnone",
    ),
    (
        ["bottlenecks", "--limit", "4", "--horizon", "3"],
        "/api/reports/bottlenecks?limit=4&horizon=3",
    ),
    (["health", "--max-streams-per-team", "4"], "/api/reports/health?max_streams_per_team=4"),
    (
        ["scenario", "compare", SCENARIO, "-e", "Finance Data Warehouse", "--limit", "3"],
        "/api/reports/scenarios/retire%20reg%20suite/compare?element=Finance%20Data%20Warehouse"
        "&limit=3",
    ),
]


def _cli_bytes(
    args: list[str],
    neo4j_server: dict[str, str | None],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> tuple[int, bytes]:
    """`run_cli`, with stdout as the bytes written (click's `stdout` turns CRLF into LF)."""
    from app.cli import app

    run_cli(["--help"], neo4j_server, monkeypatch, tmp_path)  # its environment, once
    result = CliRunner().invoke(app, args)
    return result.exit_code, result.stdout_bytes


def test_cli_and_rest_hand_over_the_same_bytes(
    demo: GraphStore,
    client: TestClient,
    neo4j_server: dict[str, str | None],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    _scenario(demo)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert generated_at() == AT
    for args, url in SAME_QUESTIONS:
        for fmt in ("md", "csv"):
            rest = client.get(url + ("&" if "?" in url else "?") + f"format={fmt}")
            assert rest.status_code == 200, (url, rest.text)
            media = "text/markdown" if fmt == "md" else "text/csv"
            assert rest.headers["content-type"] == f"{media}; charset=utf-8"
            disposition = rest.headers["content-disposition"]
            assert disposition.startswith('attachment; filename="') and disposition.endswith(
                f'-20261206-2354.{fmt}"'
            )
            code, out = _cli_bytes([*args, "--format", fmt], neo4j_server, monkeypatch, tmp_path)
            assert code == 0, out
            assert out == rest.content, (args, fmt)
            written = tmp_path / disposition.split('"')[1]
            code, _ = run_cli([*args, "-o", str(written)], neo4j_server, monkeypatch, tmp_path)
            assert code == 0
            assert written.read_bytes() == rest.content


def test_reports_refuse_what_the_questions_refuse(
    demo: GraphStore,
    client: TestClient,
    neo4j_server: dict[str, str | None],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    assert client.get("/api/reports/impact/no-such-element").status_code == 404
    assert client.get("/api/reports/impact/plat-crm?format=xlsx").status_code == 422
    assert client.get("/api/reports/impact/plat-crm?max_depth=0").status_code == 422
    assert client.get("/api/reports/health?max_streams_per_team=0").status_code == 422
    assert client.get("/api/reports/scenarios/nope/compare").status_code == 404
    for args in (
        ["impact", "plat-crm", "--json", "--format", "md"],
        ["health", "--markdown", "--format", "csv"],
        ["bottlenecks", "-o", str(tmp_path / "report.txt")],
    ):
        code, _ = run_cli(args, neo4j_server, monkeypatch, tmp_path)
        assert code == 2, args
    code, _ = run_cli(
        ["impact", "no-such-element", "-f", "md"], neo4j_server, monkeypatch, tmp_path
    )
    assert code == 1


def test_file_names_are_safe() -> None:
    assert file_name("scenario", 'Retire: the/old "suite"', at=AT) == (
        "scenario-retire-the-old-suite-20261206-2354"
    )
    assert generated_at({"SOURCE_DATE_EPOCH": EPOCH}) == AT
