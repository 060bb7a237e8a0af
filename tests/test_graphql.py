"""GraphQL on a real Neo4j: typed objects, relationship fields batched, mutations, errors."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from graph.store import GraphStore
from samples.demo import load_demo


def gql(client: TestClient, query: str, **variables: Any) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


CREATE = """
mutation($type: NodeKind!, $id: ID, $name: String!, $attributes: JSON) {
  createNode(type: $type, id: $id, name: $name, attributes: $attributes) { id type name }
}
"""


def test_create_link_and_traverse(client: TestClient) -> None:
    gql(
        client,
        CREATE,
        type="ValueStream",
        id="vs",
        name="Mortgage",
        attributes={"funding_model": "persistent"},
    )
    gql(client, CREATE, type="Stage", id="s1", name="Apply", attributes={"order": 1})
    gql(client, CREATE, type="Team", id="t", name="Mortgage team")
    for rel_type, source, target in [("HAS_STAGE", "vs", "s1"), ("SUPPORTS", "t", "vs")]:
        body = gql(
            client,
            "mutation($t: RelKind!, $s: ID!, $d: ID!) "
            "{ createRelationship(type: $t, source: $s, target: $d) { id type } }",
            t=rel_type,
            s=source,
            d=target,
        )
        assert body["data"]["createRelationship"]["type"] == rel_type

    body = gql(
        client,
        """{ node(id: "vs") { __typename name
             ... on ValueStream { fundingModel stages { id ... on Stage { order } }
                                  supportedBy { name } } } }""",
    )
    assert body == {
        "data": {
            "node": {
                "__typename": "ValueStream",
                "name": "Mortgage",
                "fundingModel": "persistent",
                "stages": [{"id": "s1", "order": 1}],
                "supportedBy": [{"name": "Mortgage team"}],
            }
        }
    }


def test_relationship_fields_are_batched(
    client: TestClient, store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_demo(store)
    calls: list[int] = []
    real = GraphStore.neighbours

    def counting(self: GraphStore, keys: Any) -> Any:
        calls.append(len(keys))
        return real(self, keys)

    monkeypatch.setattr(GraphStore, "neighbours", counting)
    body = gql(
        client,
        "{ valueStreams(limit: 50) { total items { id "
        "... on ValueStream { stages { id } accountable { name } } } } }",
    )
    streams = body["data"]["valueStreams"]["items"]
    assert len(streams) == body["data"]["valueStreams"]["total"] >= 5
    # One store call for all streams and both fields, however many streams there are.
    assert calls == [2 * len(streams)]
    assert all(s["stages"] for s in streams)


def test_stages_come_in_their_order(client: TestClient, store: GraphStore) -> None:
    load_demo(store)
    body = gql(
        client,
        '{ node(id: "vs-mortgage") { ... on ValueStream { stages { ... on Stage { order } } } } }',
    )
    orders = [s["order"] for s in body["data"]["node"]["stages"]]
    assert orders == sorted(orders) and len(orders) >= 4


def test_relationship_fields_are_bounded(client: TestClient, store: GraphStore) -> None:
    load_demo(store)
    body = gql(
        client,
        '{ node(id: "plat-api-gateway") { ... on Platform { all: dependedOnBy { id } '
        "two: dependedOnBy(limit: 2) { name } } } }",
    )
    everyone, first_two = body["data"]["node"]["all"], body["data"]["node"]["two"]
    assert len(everyone) > 2
    names = sorted(
        n["name"]
        for n in gql(
            client, '{ node(id: "plat-api-gateway") { ... on Platform { dependedOnBy { name } } } }'
        )["data"]["node"]["dependedOnBy"]
    )
    assert [n["name"] for n in first_two] == names[:2]
    too_many = gql(
        client,
        '{ node(id: "plat-api-gateway") { ... on Platform { usedBy(limit: 9999) { id } } } }',
    )
    assert "limit must be between 1 and 500" in too_many["errors"][0]["message"]


def test_search_and_paged_lists(client: TestClient, store: GraphStore) -> None:
    load_demo(store)
    body = gql(client, '{ search(text: "mortg", types: [ValueStream]) { id name } }')
    assert [r["name"] for r in body["data"]["search"]] == ["Mortgage"]
    page = gql(client, "{ nodes(types: [Platform], limit: 5, offset: 0) { total items { id } } }")
    assert page["data"]["nodes"]["total"] == store.stats()["nodes"]["Platform"]
    assert len(page["data"]["nodes"]["items"]) == 5


def test_errors_are_reported_not_raised(client: TestClient) -> None:
    body = gql(client, CREATE, type="Team", name="T", attributes={"team_type": "squad"})
    assert body["data"] is None
    assert "team_type" in body["errors"][0]["message"]

    body = gql(client, '{ node(id: "missing") { id } }')
    assert body == {"data": {"node": None}}

    body = gql(client, 'mutation { deleteNode(id: "missing") }')
    assert "no element with id 'missing'" in body["errors"][0]["message"]

    body = gql(client, "{ nodes(limit: 100000) { total } }")
    assert "limit must be between 1 and 500" in body["errors"][0]["message"]

    deep = '{ node(id: "x") { ' + "... on Team { owns { " * 14 + "id" + " } }" * 14 + " } }"
    body = gql(client, deep)
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]


def test_update_and_delete(client: TestClient) -> None:
    gql(client, CREATE, type="Platform", id="p", name="Core", attributes={"kind": "application"})
    body = gql(
        client,
        'mutation { updateNode(id: "p", patch: {criticality: "critical"}) '
        "{ ... on Platform { kind criticality } } }",
    )
    assert body["data"]["updateNode"] == {"kind": "application", "criticality": "critical"}
    body = gql(client, 'mutation { updateNode(id: "p", patch: {criticality: "meh"}) { id } }')
    assert "criticality" in body["errors"][0]["message"]
    assert gql(client, 'mutation { deleteNode(id: "p") }')["data"] == {"deleteNode": True}
    assert gql(client, '{ node(id: "p") { id } }')["data"]["node"] is None


def test_a_negative_offset_is_refused_everywhere(client: TestClient) -> None:
    for query in (
        "{ nodes(offset: -5) { total offset } }",
        "{ platforms(offset: -5) { total offset } }",
        "{ relationships(offset: -5) { id } }",
    ):
        body = gql(client, query)
        assert body["data"] is None, query
        assert body["errors"][0]["message"] == "offset must not be negative"
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert client.get("/api/nodes", params={"offset": -5}).status_code == 422
