"""One truth across surfaces (issue 15, item 7): the CLI (`--json`), REST and GraphQL give
the same numbers for the same questions, on the demo and on a generated model.

The questions an architect compares between screens: the impact counts of the most shared
platform, what a stream depends on, the bottleneck top 10 (ranks and scores), the health
score with each check's finding counts, and a scenario comparison (removing that
platform). `tests/test_reports.py` checks that the CLI and REST hand over the same report
bytes; the explorer's e2e checks the overview and the Health page against REST.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from bench.workloads import pick_platforms
from graph.store import GraphStore
from importers.pipeline import run_import
from samples.demo import load_demo
from samples.generate import generate
from tests.question_graphs import cli_json, gql

SCENARIO = "one truth without the most shared platform"

# The stream with the most below it: its dependency tree is the largest to compare.
A_STREAM = """
MATCH (v:ValueStream)
RETURN v.id AS id ORDER BY COUNT { (v)-[]->()-[]->() } DESC, id LIMIT 1
"""


@pytest.fixture(params=["demo", "generated S"])
def model(request: pytest.FixtureRequest, store: GraphStore, tmp_path: Path) -> Iterator[str]:
    if request.param == "demo":
        load_demo(store)
    else:
        file = tmp_path / "model-S.xml"
        with file.open("w", encoding="utf-8") as out:
            generate(1000, 1, out)
        run_import(store, file)
    yield request.param


IMPACT = """query($e: String!) { impact(element: $e) {
  counts { affected streams capabilities platforms dataAssets other teamsToNotify peopleToNotify }
  streams(limit: 500) { element { id } distance }
} }"""


def _counts(c: dict[str, Any]) -> dict[str, int]:
    keys = ("affected", "streams", "capabilities", "platforms", "other")
    out = {k: c[k] for k in keys}
    for snake, camel in (
        ("data_assets", "dataAssets"),
        ("teams_to_notify", "teamsToNotify"),
        ("people_to_notify", "peopleToNotify"),
    ):
        out[snake] = c[snake] if snake in c else c[camel]
    return out


def test_cli_rest_and_graphql_give_the_same_numbers(
    model: str,
    store: GraphStore,
    client: TestClient,
    neo4j_server: dict[str, str | None],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    def cli(*args: str) -> Any:
        return cli_json(list(args), neo4j_server, monkeypatch, tmp_path)

    def rest(url: str) -> Any:
        response = client.get(url)
        assert response.status_code == 200, (url, response.text)
        return response.json()

    def graphql(query: str, **variables: Any) -> dict[str, Any]:
        body = gql(client, query, **variables)
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    shared = pick_platforms(store)["most_shared"]["id"]
    stream = store.read(A_STREAM)[0]["id"]

    # Impact of the most shared platform: the totals, and the streams with their distances.
    by_cli = cli("impact", shared)
    by_rest = rest(f"/api/impact/{quote(shared)}")
    by_gql = graphql(IMPACT, e=shared)["impact"]
    assert _counts(by_cli["counts"]) == _counts(by_rest["counts"]) == _counts(by_gql["counts"])
    assert by_rest["counts"]["streams"] > 0, model

    def streams(answer: dict[str, Any]) -> list[tuple[str, int]]:
        return sorted((s["element"]["id"], s["distance"]) for s in answer["streams"])

    assert streams(by_cli) == streams(by_rest) == streams(by_gql)

    # What a stream depends on: the same elements at the same distances.
    def dependencies(answer: dict[str, Any]) -> list[tuple[str, int]]:
        return sorted((d["element"]["id"], d["distance"]) for d in answer["dependencies"])

    query = (
        "query($e: String!) { dependsOn(element: $e) { dependencies { element { id } distance } } }"
    )
    deps = (
        dependencies(cli("depends-on", stream)),
        dependencies(rest(f"/api/depends-on/{quote(stream)}")),
        dependencies(graphql(query, e=stream)["dependsOn"]),
    )
    assert deps[0] == deps[1] == deps[2] and deps[0], (model, stream)

    # Bottlenecks, top 10: ranks, elements and scores.
    def ranking(items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return [
            (b["rank"], b["element"]["id"], b["score"], b.get("stream_count", b.get("streamCount")))
            for b in items
        ]

    query = "{ bottlenecks(limit: 10) { bottlenecks { rank element { id } score streamCount } } }"
    top = (
        ranking(cli("bottlenecks", "--limit", "10")["bottlenecks"]),
        ranking(rest("/api/bottlenecks?limit=10")["bottlenecks"]),
        ranking(graphql(query)["bottlenecks"]["bottlenecks"]),
    )
    assert top[0] == top[1] == top[2] and len(top[0]) == 10, model

    # Health: the score, and each check's population, finding count and score.
    def checks(report: dict[str, Any]) -> tuple[Any, list[tuple[str, int, int, Any, int]]]:
        return report["score"], [
            (c["id"], c["population"], c["offending"], c["score"], len(c["findings"]))
            for c in report["checks"]
        ]

    query = "{ healthReport { score checks { id population offending score findings { element { id } } } } }"
    health = (
        checks(cli("health")),
        checks(rest("/api/health-report")),
        checks(graphql(query)["healthReport"]),
    )
    assert health[0] == health[1] == health[2], model
    assert any(c[2] > 0 for c in health[0][1]), "no check has a finding to compare"

    # A scenario that removes the most shared platform, compared on every surface.
    created = client.post(
        "/api/scenarios",
        json={"name": SCENARIO, "operations": [{"op": "remove_element", "element": shared}]},
    )
    assert created.status_code == 201, created.text

    def comparison(c: dict[str, Any]) -> dict[str, Any]:
        def g(d: dict[str, Any], snake: str) -> Any:
            camel = snake.split("_")[0] + "".join(w.title() for w in snake.split("_")[1:])
            return d[snake] if snake in d else d[camel]

        impact, health, bottlenecks = c["impact"], c["health"], c["bottlenecks"]
        return {
            "impact": [
                g(impact, k)
                for k in (
                    "base_stream_count",
                    "scenario_stream_count",
                    "base_affected_count",
                    "scenario_affected_count",
                )
            ],
            "streams": sorted((s["element"]["id"], s["change"].lower()) for s in impact["streams"]),
            "losses": sorted(s["id"] for s in c["losses"]["streams"]),
            "health": [g(health, "base_score"), g(health, "scenario_score")],
            "checks": [
                (ch["id"], g(ch, "base_offending"), g(ch, "scenario_offending"))
                for ch in health["checks"]
            ],
            "bottlenecks": [
                (
                    r["element"]["id"],
                    r["change"].lower(),
                    g(r, "base_rank"),
                    g(r, "scenario_rank"),
                    g(r, "base_score"),
                    g(r, "scenario_score"),
                )
                for r in bottlenecks["rows"]
            ],
        }

    query = """query($n: String!, $e: String!) { compareScenario(name: $n, element: $e) {
      impact { baseStreamCount scenarioStreamCount baseAffectedCount scenarioAffectedCount
               streams { element { id } change } }
      losses { streams { id } }
      health { baseScore scenarioScore checks { id baseOffending scenarioOffending } }
      bottlenecks { rows { element { id } change baseRank scenarioRank baseScore scenarioScore } }
    } }"""
    compared = (
        comparison(cli("scenario", "compare", SCENARIO, "-e", shared)),
        comparison(rest(f"/api/scenarios/{quote(SCENARIO)}/compare?element={quote(shared)}")),
        comparison(graphql(query, n=SCENARIO, e=shared)["compareScenario"]),
    )
    assert compared[0] == compared[1] == compared[2], model
    # The comparison's base side is the model as the questions above answered it.
    base = compared[0]
    assert base["health"][0] == health[0][0]
    assert [(c[0], c[1]) for c in base["checks"]] == [(c[0], c[2]) for c in health[0][1]]
    assert base["impact"][0] == by_rest["counts"]["streams"]
    assert base["impact"][2] == by_rest["counts"]["affected"]
    assert base["losses"], "removing the most shared platform loses nothing"
