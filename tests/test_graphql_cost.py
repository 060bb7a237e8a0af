"""A GraphQL query's worst case is estimated before it runs and refused over the budget.

The attack this stops: nested relationship fields fan out (each list up to 500 items), so
a few hundred bytes could ask for 500**5 elements and hold the service for minutes.
"""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient
from graphql import parse

from app.graphql import schema
from app.graphql.cost import DEFAULT_BUDGET, estimate
from app.main import create_app
from app.settings import Settings
from graph.store import GraphStore
from samples.demo import load_demo


def _cost(query: str, variables: dict[str, object] | None = None) -> int:
    return estimate(schema._schema, parse(query), variables, None)


FAN_OUT = """query {
  node(id: "plat-kubernetes") { id ... on Platform {
    usedBy { id ... on Platform { usedBy { id ... on Platform { usedBy { id } } } } }
  } }
}"""


def test_costs_multiply_down_nested_lists_by_their_limits() -> None:
    assert _cost('query { node(id: "x") { id name } }') == 1
    assert _cost("query { nodes(limit: 10) { items { id } } }") == 1 + 10  # page, its items
    assert _cost('query { search(text: "a", limit: 7) { id } }') == 7
    per_level = 500  # a relationship field's default limit
    assert _cost(FAN_OUT) == 1 + per_level * (1 + per_level * (1 + per_level))
    assert _cost(FAN_OUT.replace("usedBy {", "usedBy(limit: 5) {")) == 1 + 5 * (1 + 5 * (1 + 5))
    limited = 'query($n: Int!) { search(text: "a", limit: $n) { id } }'
    assert _cost(limited, {"n": 3}) == 3


def test_a_page_of_dependencies_costs_its_limit() -> None:
    # dependsOn answers in pages: a `limit` (literal or variable) multiplies what each
    # dependency selects; without one the page is the server's and the question bounds it.
    query = """query($n: Int) { dependsOn(element: "x") { element { id } total
      dependencies(limit: $n, offset: 25) { element { id } distance path { toElement { id } } }
    } }"""
    each = 1 + 1 + 1 * (1 + 1)  # the dependency, its element, its path's steps and their ends
    assert _cost(query, {"n": 25}) == 1 + 1 + 25 * each
    assert _cost(query.replace("limit: $n", "limit: 500")) == 1 + 1 + 500 * each
    assert _cost(query) == 1 + 1 + each


def test_the_overviews_first_answer_never_waits_for_a_question_slot() -> None:
    # The landing page's first paint waits for it: it must stay far under the gated cost
    # (the stream map asked after it need not: it may wait for a slot).
    operations = Path(__file__).parent.parent / "frontend" / "src" / "operations"
    document = parse(
        (operations / "overview.graphql").read_text()
        + (operations / "fragments.graphql").read_text()
    )
    gated = Settings().graphql_gated_cost
    assert estimate(schema._schema, document, {}, "OverviewFirst") < gated / 10


def test_fragments_on_different_types_are_alternatives() -> None:
    # One object is one type: only the dearest of the type-specific fragments counts.
    query = """query { node(id: "x") { id
      ... on Team { owns(limit: 10) { id } }
      ... on Platform { usedBy(limit: 30) { id } dependedOnBy(limit: 20) { id } }
    } }"""
    assert _cost(query) == 1 + 30 + 20


def test_a_fan_out_query_is_refused_quickly_naming_budget_and_remedy(
    client: TestClient, store: GraphStore
) -> None:
    load_demo(store)
    started = time.monotonic()
    body = client.post("/graphql", json={"query": FAN_OUT}).json()
    assert time.monotonic() - started < 2
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert error["extensions"]["budget"] == DEFAULT_BUDGET
    assert error["extensions"]["cost"] > DEFAULT_BUDGET
    assert "limit" in error["message"]
    narrowed = FAN_OUT.replace("usedBy {", "usedBy(limit: 5) {")
    answered = client.post("/graphql", json={"query": narrowed}).json()
    assert "errors" not in answered, answered
    assert answered["data"]["node"]["id"] == "plat-kubernetes"


def test_a_search_text_is_capped_like_over_rest(client: TestClient) -> None:
    query = "query($t: String!) { search(text: $t) { id } }"
    body = client.post("/graphql", json={"query": query, "variables": {"t": "x" * 1_000_000}})
    assert body.status_code in (200, 400)
    (error,) = body.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "at most 200" in error["message"]


def test_answers_past_the_item_cap_are_stopped(
    store: GraphStore, neo4j_server: dict[str, str | None], tmp_path: Path
) -> None:
    load_demo(store)
    settings = Settings(
        neo4j_uri=neo4j_server["uri"], home=tmp_path / "vg", auth="off", graphql_max_items=3
    )
    query = "query { nodes(limit: 10) { items { id } } }"
    with TestClient(create_app(settings, store=store)) as client:
        body = client.post("/graphql", json={"query": query}).json()
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY", error
    assert error["extensions"]["reason"] == "items"
    assert "3" in error["message"]


def test_a_repeated_document_is_validated_once_and_the_limits_still_hold(
    client: TestClient,
) -> None:
    # Validation is pure CPU under the GIL; a client repeating one document (the explorer,
    # a script, a flood) must cost a lookup, not a validation per request.
    from strawberry.extensions.validation_cache import _get_validate_cache

    from app.graphql.schema import GRAPHQL_DOCUMENT_CACHE

    cache = _get_validate_cache(GRAPHQL_DOCUMENT_CACHE)
    query = 'query Repeated { node(id: "nowhere-repeated") { id name } }'
    client.post("/graphql", json={"query": query})
    before = cache.cache_info()
    for _ in range(3):
        assert client.post("/graphql", json={"query": query}).json()["data"] == {"node": None}
    after = cache.cache_info()
    assert after.hits - before.hits == 3
    assert after.misses == before.misses

    deep = 'query { node(id: "x") { id ' + "... on Platform { usedBy(limit: 1) { id " * 13
    deep += "} }" * 13 + " } }"
    refused = client.post("/graphql", json={"query": deep}).json()
    assert "exceeds maximum operation depth" in refused["errors"][0]["message"]
    aliased = "query { " + " ".join(f'a{i}: node(id: "x") {{ id }}' for i in range(31)) + " }"
    refused = client.post("/graphql", json={"query": aliased}).json()
    assert "aliases" in refused["errors"][0]["message"]
