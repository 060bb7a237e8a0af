"""Health, bottlenecks and scenario comparisons kept per model revision (queries.present),
on a real Neo4j: a kept answer equals one computed afresh from Neo4j, a write through the
API (an edit, a scenario applied, an import) is in the next answer, and a kept answer is
served while the question gate is full.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.limits import QuestionGate
from app.main import create_app
from app.settings import Settings
from graph.store import GraphStore
from queries import bottlenecks as bn
from queries import health as hl
from queries import impact as im
from queries import scenarios as sc
from queries.live import LiveIndex, current_index
from queries.model_graph import ModelGraph
from queries.present import forget
from queries.projection import load_projection, streams_served_directly
from queries.propagation import propagation_table
from queries.scenarios import comparison as comparison_module
from queries.scenarios import storage as storage_module
from queries.scenarios.comparison import present_reader
from queries.scenarios.operations import replay
from queries.scenarios.storage import load_record
from queries.walk_index import WalkIndex
from samples.demo import load_demo

IMPORTS = Path(__file__).parent / "data" / "imports"
RETIRE_GATEWAY = [{"op": "remove_element", "element": "plat-api-gateway"}]


@pytest.fixture
def demo(store: GraphStore) -> GraphStore:
    load_demo(store)
    return store


def _fresh_health(store: GraphStore, **asked: Any) -> hl.HealthReport:
    """The health report from Neo4j's own reads (its Cypher), nothing kept."""
    table = propagation_table(asked.get("overrides"))
    return hl.health_report(
        hl.health_facts(store),
        load_projection(store, table),
        max_streams_per_team=asked.get("max_streams_per_team", hl.DEFAULT_MAX_STREAMS_PER_TEAM),
        table=table,
        today=asked.get("today"),
    )


def _fresh_bottlenecks(
    store: GraphStore, limit: int, overrides: list[str] | None = None
) -> bn.BottleneckReport:
    table = propagation_table(overrides)
    return bn.bottleneck_report(
        load_projection(store, table),
        streams_served_directly(store),
        limit=limit,
        config=None,
        table=table,
    )


def _fresh_comparison(store: GraphStore, name: str, **asked: Any) -> sc.ScenarioComparison:
    """The comparison with both sides computed on models read now, nothing kept."""
    record = load_record(store, name)
    base = ModelGraph.load(store)
    scenario, views, _ = replay(base, record.operations)
    return sc.compare_models(
        base,
        scenario,
        view=sc.ScenarioView(**record.summary().model_dump(), operations=views),
        element=asked.get("element"),
        max_depth=asked.get("max_depth", im.DEFAULT_MAX_DEPTH),
        limit=asked.get("limit", 20),
        max_streams_per_team=hl.DEFAULT_MAX_STREAMS_PER_TEAM,
        config=bn.BottleneckConfig(),
        overrides=asked.get("overrides"),
    )


def test_kept_answers_equal_answers_computed_afresh(demo: GraphStore) -> None:
    forget(demo)
    asked: list[dict[str, Any]] = [
        {},
        {"max_streams_per_team": 1, "today": date(2031, 1, 1)},
        {"overrides": ["USES=none"]},
    ]
    for question in asked:
        first = hl.health(demo, **question)
        assert first == _fresh_health(demo, **question)
        assert hl.health(demo, **question) is first  # kept: not computed again
        assert hl.kept_health(demo, **question) is first
    assert hl.kept_health(demo, max_streams_per_team=7) is None  # never asked

    # Every limit is a slice of one full ranking, computed once.
    assert bn.kept_bottlenecks(demo, limit=3) is None
    assert bn.bottlenecks(demo, limit=3) == _fresh_bottlenecks(demo, 3)
    assert bn.kept_bottlenecks(demo, limit=1000) == _fresh_bottlenecks(demo, 1000)
    assert bn.bottlenecks(demo, limit=1, overrides=["USES=none"]) == _fresh_bottlenecks(
        demo, 1, ["USES=none"]
    )

    sc.create_scenario(demo, name="retire", operations=RETIRE_GATEWAY)
    comparisons: list[dict[str, Any]] = [{}, {"element": "Payments Hub", "limit": 3}]
    for question in comparisons:
        compared = sc.compare_scenario(demo, "retire", **question)
        assert compared == _fresh_comparison(demo, "retire", **question)
        assert sc.kept_comparison(demo, "retire", **question) == compared
    # The base side is the present model's kept answers.
    assert compared.health.base_score == hl.health(demo).score
    # The record shown is the scenario as it is now; its operations are in the key.
    sc.update_scenario(demo, "retire", description="Retire the gateway")
    assert sc.compare_scenario(demo, "retire").scenario.description == "Retire the gateway"
    sc.add_operation(demo, "retire", {"op": "remove_element", "element": "plat-crm"})
    assert sc.kept_comparison(demo, "retire") is None
    assert sc.compare_scenario(demo, "retire") == _fresh_comparison(demo, "retire")
    assert sc.get_scenario(demo, "retire").operations[1].text.startswith("remove Platform CRM")


def test_a_scenario_is_replayed_once_to_describe_and_compare_it(
    demo: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    forget(demo)
    replayed: list[int] = []

    def counted(base: ModelGraph, operations: Any, **kwargs: Any) -> Any:
        replayed.append(len(operations))
        return replay(base, operations, **kwargs)

    for module in (storage_module, comparison_module):
        monkeypatch.setattr(module, "replay", counted)
    # The model the operations were checked on when the scenario was made is its model:
    # describing and comparing it replay nothing.
    sc.create_scenario(demo, name="retire", operations=RETIRE_GATEWAY)
    assert sc.get_scenario(demo, "retire").operations[0].text.startswith("remove Platform")
    first = sc.compare_scenario(demo, "retire", element="API Gateway", wait=False)
    assert replayed == []
    assert first.model_dump(exclude={"bottlenecks", "ranking_pending"}) == _fresh_comparison(
        demo, "retire", element="API Gateway"
    ).model_dump(exclude={"bottlenecks", "ranking_pending"})
    # A new operation is checked on a copy: the kept model of the earlier ones (which
    # another scenario of the same operations shares) is not changed by it.
    sc.create_scenario(demo, name="retire-too", operations=RETIRE_GATEWAY)
    sc.add_operation(demo, "retire", {"op": "remove_element", "element": "plat-crm"})
    assert sc.compare_scenario(demo, "retire-too", element="Payments Hub") == _fresh_comparison(
        demo, "retire-too", element="Payments Hub"
    )
    assert sc.compare_scenario(demo, "retire") == _fresh_comparison(demo, "retire")
    assert replayed == []  # nor did adding an operation, describing and comparing it
    # With nothing kept, the earlier operations are replayed once, to check the new one on.
    forget(demo)
    sc.add_operation(demo, "retire-too", {"op": "remove_element", "element": "plat-crm"})
    assert sc.compare_scenario(demo, "retire-too") == _fresh_comparison(demo, "retire-too")
    assert replayed == [1]


def test_the_base_impact_walks_the_live_index_and_answers_the_same(demo: GraphStore) -> None:
    """A comparison's base impact is the present model's: walked on this process's live
    walk index when it is of the present revision, with the answer of the model's walk."""
    forget(demo)
    sc.create_scenario(demo, name="retire", operations=RETIRE_GATEWAY)
    live = LiveIndex(demo)
    assert live.wait(60)
    assert isinstance(present_reader(demo), WalkIndex)
    for question in (
        {"element": "plat-api-gateway"},  # removed: the base side only
        {"element": "Payments Hub", "max_depth": 3},
        {"element": "plat-api-gateway", "overrides": ["USES=none"]},
    ):
        forget(demo)
        assert sc.compare_scenario(demo, "retire", **question) == _fresh_comparison(
            demo, "retire", **question
        )
    # A change makes the index stale: the present model walks until it is built again.
    revision = demo.revision()
    sc.apply_scenario(demo, "retire", actor="test")
    assert current_index(demo, demo.revision()) is None
    assert current_index(demo, revision) is not None
    assert isinstance(present_reader(demo), ModelGraph)
    live.enabled = False  # no rebuild after the test


@pytest.fixture
def api(demo: GraphStore, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store=demo)) as client:
        yield client


def _json(model: Any) -> Any:
    return model.model_dump(mode="json")


def test_a_write_through_the_api_is_in_the_next_answer(api: TestClient, demo: GraphStore) -> None:
    def answers() -> tuple[Any, Any]:
        health = api.get("/api/health-report")
        ranking = api.get("/api/bottlenecks", params={"limit": 5})
        assert health.status_code == ranking.status_code == 200
        assert health.json() == _json(_fresh_health(demo))
        assert ranking.json() == _json(_fresh_bottlenecks(demo, 5))
        return health.json(), ranking.json()

    before = answers()
    assert answers() == before  # kept

    assert api.delete("/api/nodes/plat-api-gateway").status_code == 204
    edited = answers()
    assert edited != before

    created = api.post("/api/scenarios", json={"name": "crm", "operations": []})
    assert created.status_code == 201, created.text
    added = api.post(
        "/api/scenarios/crm/operations", json={"op": "remove_element", "element": "plat-crm"}
    )
    assert added.status_code == 200, added.text
    compared = api.get("/api/scenarios/crm/compare")
    assert compared.status_code == 200
    assert compared.json() == _json(_fresh_comparison(demo, "crm"))
    assert api.post("/api/scenarios/crm/apply").status_code == 200
    applied = answers()
    assert applied != edited
    assert api.get("/api/scenarios/crm/compare").status_code == 409  # applied: part of the base

    files = [("files", ("bank.xml", (IMPORTS / "bank.xml").read_bytes(), "application/xml"))]
    assert api.post("/api/imports", files=files).status_code == 200
    assert answers() != applied


COMPARE = """query($wait: Boolean!) { compareScenario(name: "two", element: "plat-crm", wait: $wait) {
  rankingPending losses { streams { id } needs { element { id } streamCount } }
  health { scenarioScore checks { id scenarioOffending } }
  impact { scenarioStreamCount streams { element { id } change } }
  bottlenecks { rows { element { id } baseRank scenarioRank scoreDelta } } } }"""


def test_a_comparison_in_two_parts_is_the_whole_answer_on_every_surface(
    api: TestClient, demo: GraphStore
) -> None:
    ops = [{"op": "remove_element", "element": "plat-crm"}]
    assert api.post("/api/scenarios", json={"name": "two", "operations": ops}).status_code == 201
    params = {"element": "plat-crm"}
    first = api.get("/api/scenarios/two/compare", params={**params, "wait": "false"})
    assert first.status_code == 200, first.text
    part = first.json()
    assert part["ranking_pending"] is True and part["bottlenecks"] is None
    # Asked again without waiting, before the ranking: the same first part (kept).
    assert api.get("/api/scenarios/two/compare", params={**params, "wait": "false"}).json() == part
    whole = api.get("/api/scenarios/two/compare", params=params).json()
    assert whole == _json(_fresh_comparison(demo, "two", element="plat-crm"))
    assert whole["ranking_pending"] is False and whole["bottlenecks"]["rows"]
    assert {k: v for k, v in part.items() if k not in ("bottlenecks", "ranking_pending")} == {
        k: v for k, v in whole.items() if k not in ("bottlenecks", "ranking_pending")
    }
    # Once the whole answer is kept, not waiting serves it too.
    assert api.get("/api/scenarios/two/compare", params={**params, "wait": "false"}).json() == whole

    # GraphQL: the same numbers, pending or not.
    graphql = api.post("/graphql", json={"query": COMPARE, "variables": {"wait": True}}).json()
    answer = graphql["data"]["compareScenario"]
    assert answer["rankingPending"] is False
    assert [r["element"]["id"] for r in answer["bottlenecks"]["rows"]] == [
        r["element"]["id"] for r in whole["bottlenecks"]["rows"]
    ]
    assert answer["health"]["scenarioScore"] == whole["health"]["scenario_score"]
    assert [n["streamCount"] for n in answer["losses"]["needs"]] == [
        len(n["streams"]) for n in whole["losses"]["needs"]
    ]
    assert [s["id"] for s in answer["losses"]["streams"]] == [
        s["id"] for s in whole["losses"]["streams"]
    ]


def test_graphql_answers_the_first_part_without_waiting(api: TestClient) -> None:
    ops = [{"op": "remove_element", "element": "plat-crm"}]
    assert api.post("/api/scenarios", json={"name": "two", "operations": ops}).status_code == 201
    first = api.post("/graphql", json={"query": COMPARE, "variables": {"wait": False}}).json()
    part = first["data"]["compareScenario"]
    assert part["rankingPending"] is True and part["bottlenecks"] is None
    whole = api.post("/graphql", json={"query": COMPARE, "variables": {"wait": True}}).json()
    answer = whole["data"]["compareScenario"]
    assert answer["rankingPending"] is False and answer["bottlenecks"]["rows"]
    assert {k: v for k, v in part.items() if k not in ("bottlenecks", "rankingPending")} == {
        k: v for k, v in answer.items() if k not in ("bottlenecks", "rankingPending")
    }


PAGED = """query($limit: Int, $offset: Int!) {
  compareScenario(name: "gw", element: "plat-api-gateway", wait: false) {
    losses {
      needsTotal needs(limit: $limit, offset: $offset) { element { id } needed { id } streamCount }
      streamsTotal streams(limit: $limit, offset: $offset) { id }
      capabilitiesTotal capabilities(limit: $limit, offset: $offset) { id }
    }
    health { checks { id resolvedTotal resolved(limit: $limit, offset: $offset) { id }
                      introducedTotal introduced(limit: $limit, offset: $offset) { id } } }
  }
}"""


def test_a_comparisons_lists_paged_are_its_whole_lists_from_the_kept_answer(
    api: TestClient, demo: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The explorer asks the first page of each list, then the next pages when one is opened:
    # the pages joined are REST's whole lists in order, the totals their lengths, and no
    # page computes the comparison again (its first part is computed once).
    forget(demo)
    computed: list[str] = []
    first_part = comparison_module.first_part

    def counted(*args: Any, **kwargs: Any) -> Any:
        computed.append(kwargs["element"])
        return first_part(*args, **kwargs)

    monkeypatch.setattr(comparison_module, "first_part", counted)
    assert (
        api.post("/api/scenarios", json={"name": "gw", "operations": RETIRE_GATEWAY}).status_code
        == 201
    )
    whole = api.get(
        "/api/scenarios/gw/compare", params={"element": "plat-api-gateway", "wait": "false"}
    ).json()
    lists = {
        "needs": [
            (n["element"]["id"], n["needed"]["id"], n["stream_count"])
            for n in whole["losses"]["needs"]
        ],
        "streams": [s["id"] for s in whole["losses"]["streams"]],
        "capabilities": [c["id"] for c in whole["losses"]["capabilities"]],
    }
    findings = {
        (c["id"], kind): [e["id"] for e in c[kind]]
        for c in whole["health"]["checks"]
        for kind in ("resolved", "introduced")
    }
    assert len(lists["needs"]) > 2 and any(len(f) > 2 for f in findings.values())

    def ask(limit: int | None, offset: int) -> dict[str, Any]:
        answer = api.post(
            "/graphql", json={"query": PAGED, "variables": {"limit": limit, "offset": offset}}
        ).json()
        assert "errors" not in answer, answer
        return answer["data"]["compareScenario"]

    unpaged = ask(None, 0)
    paged: dict[str, list[Any]] = {k: [] for k in lists}
    found: dict[tuple[str, str], list[str]] = {k: [] for k in findings}
    longest = max(len(v) for v in [*lists.values(), *findings.values()])
    for offset in range(0, longest + 2, 2):
        page = ask(2, offset)
        losses = page["losses"]
        assert (losses["needsTotal"], losses["streamsTotal"], losses["capabilitiesTotal"]) == (
            len(lists["needs"]),
            len(lists["streams"]),
            len(lists["capabilities"]),
        )
        assert all(len(losses[k]) <= 2 for k in lists)
        paged["needs"] += [
            (n["element"]["id"], n["needed"]["id"], n["streamCount"]) for n in losses["needs"]
        ]
        paged["streams"] += [s["id"] for s in losses["streams"]]
        paged["capabilities"] += [c["id"] for c in losses["capabilities"]]
        for c in page["health"]["checks"]:
            for kind in ("resolved", "introduced"):
                assert c[f"{kind}Total"] == len(findings[(c["id"], kind)])
                found[(c["id"], kind)] += [e["id"] for e in c[kind]]
    assert paged == lists
    assert found == findings
    # No `limit`: the whole list, as before paging.
    assert [s["id"] for s in unpaged["losses"]["streams"]] == lists["streams"]
    assert computed == ["plat-api-gateway"]
    refused = api.post("/graphql", json={"query": PAGED, "variables": {"limit": 2, "offset": -1}})
    assert "offset must not be negative" in refused.json()["errors"][0]["message"]


@pytest.fixture
def one_slot(
    demo: GraphStore, neo4j_server: dict[str, str | None], tmp_path: Path
) -> Iterator[TestClient]:
    settings = Settings(
        neo4j_uri=neo4j_server["uri"],
        home=tmp_path / ".valuegraph",
        auth="off",
        question_slots=1,
        question_queue=0,
        warm_answers=False,
    )
    with TestClient(create_app(settings, store=demo)) as client:
        yield client


HEALTH = "query { healthReport { score } }"
BOTTLENECKS = "query { bottlenecks(limit: 2) { bottlenecks { element { id } } } }"


def test_a_kept_answer_is_served_while_the_gate_is_full(one_slot: TestClient) -> None:
    health = one_slot.get("/api/health-report")
    ranking = one_slot.get("/api/bottlenecks", params={"limit": 5})
    created = one_slot.post("/api/scenarios", json={"name": "s", "operations": RETIRE_GATEWAY})
    assert created.status_code == 201, created.text
    compared = one_slot.get("/api/scenarios/s/compare")
    assert health.status_code == ranking.status_code == compared.status_code == 200
    graphql = one_slot.post("/graphql", json={"query": HEALTH}).json()

    gate: QuestionGate = one_slot.app.state.gate  # type: ignore[attr-defined]
    with gate.admit("held by the test"):  # the one slot taken, no queue
        again = one_slot.get("/api/health-report")
        assert again.status_code == 200 and again.json() == health.json()
        fewer = one_slot.get("/api/bottlenecks", params={"limit": 2})
        assert fewer.status_code == 200
        assert fewer.json()["bottlenecks"] == ranking.json()["bottlenecks"][:2]
        assert one_slot.get("/api/scenarios/s/compare").json() == compared.json()
        assert one_slot.post("/graphql", json={"query": HEALTH}).json() == graphql
        top = one_slot.post("/graphql", json={"query": BOTTLENECKS}).json()
        assert "errors" not in top, top
        # Not kept: computing it needs the slot.
        assert (
            one_slot.get("/api/health-report", params={"max_streams_per_team": 9}).status_code
            == 503
        )
        assert one_slot.get("/api/bottlenecks", params={"horizon": 3}).status_code == 503
        assert one_slot.get("/api/scenarios/s/compare", params={"limit": 3}).status_code == 503


def test_many_scenarios_never_push_the_models_own_answers_out(
    demo: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Any editor may make and compare scenarios; what they keep is bounded apart, so the
    # health report and ranking everyone shares are not computed again because of them.
    from queries import present

    monkeypatch.setattr(present, "MAX_ANSWERS", 4)
    monkeypatch.setattr(present, "MAX_SCENARIO_ANSWERS", 2)
    forget(demo)
    health = hl.health(demo)
    ranking = bn.bottlenecks(demo, limit=1000)
    names = [f"s{i}" for i in range(5)]
    for name in names:
        sc.create_scenario(demo, name=name, operations=RETIRE_GATEWAY)
        sc.compare_scenario(demo, name, limit=3 + names.index(name))
    assert hl.kept_health(demo) is health
    assert bn.kept_bottlenecks(demo, limit=1000) is ranking
    kept = [sc.kept_comparison(demo, n, limit=3 + names.index(n)) for n in names]
    # The newest is kept; the scenarios' answers (their checked operations too) are two.
    assert kept[-1] is not None and kept[0] is None
    answers = present._kept(demo).answers
    assert sum(present._of_scenario(k) for k in answers) == 2


def test_rest_sends_a_kept_answer_as_fastapi_would_render_it(
    api: TestClient, demo: GraphStore
) -> None:
    # The question routes render in their own thread (app.rest.rendered); the bytes must be
    # what FastAPI's response_model rendering gives, every time it is asked.
    from pydantic import TypeAdapter

    first = api.get("/api/health-report")
    again = api.get("/api/health-report")
    expected = TypeAdapter(hl.HealthReport).dump_json(hl.health(demo), by_alias=True)
    assert first.content == again.content == expected
    assert first.headers["content-type"] == "application/json"
    ranking = api.get("/api/bottlenecks", params={"limit": 2})
    assert ranking.content == TypeAdapter(bn.BottleneckReport).dump_json(
        bn.bottlenecks(demo, limit=2), by_alias=True
    )
