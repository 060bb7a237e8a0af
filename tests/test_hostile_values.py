"""Values Neo4j or JSON cannot carry are refused at the door, alike on every surface.

NaN and infinities (valid Python floats, invalid JSON), integers past Neo4j's signed 64 bits
and lone surrogates (not Unicode) used to be stored, or to fail deep in the driver with a
500; stored NaN then broke every GraphQL answer listing the node. Control characters XML
cannot carry are refused too: the model must export back to ArchiMate exchange XML.
"""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from graph.store import GraphStore

HOSTILE = {
    "NaN": "NaN",
    "Infinity": "-Infinity",
    "a 65-bit integer": str(2**64),
    "a lone surrogate": '"a\\ud800b"',
    "a NUL": '"a\\u0000b"',
}


def _team_body(raw_value: str) -> str:
    # Written by hand: the JSON encoders that produce these refuse to on the client side.
    return '{"type": "Team", "id": "t-x", "name": "X", "properties": {"v": ' + raw_value + "}}"


@pytest.mark.parametrize("what", HOSTILE)
def test_rest_refuses_with_422_and_stores_nothing(
    client: TestClient, store: GraphStore, what: str
) -> None:
    response = client.post(
        "/api/nodes",
        content=_team_body(HOSTILE[what]),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert "properties.v" in response.text
    json.loads(response.text)  # the refusal itself is valid JSON
    assert store.get_node("t-x") is None


@pytest.mark.parametrize("what", HOSTILE)
def test_rest_patch_refuses_too(client: TestClient, store: GraphStore, what: str) -> None:
    assert (
        client.post("/api/nodes", json={"type": "Team", "id": "t-y", "name": "Y"}).status_code
        == 201
    )
    response = client.patch(
        "/api/nodes/t-y",
        content='{"properties": {"v": ' + HOSTILE[what] + "}}",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert client.get("/api/nodes/t-y").json()["properties"] == {}


@pytest.mark.parametrize("what", HOSTILE)
def test_graphql_refuses_with_bad_user_input(
    client: TestClient, store: GraphStore, what: str
) -> None:
    query = (
        'mutation { createNode(type: Team, id: "t-z", name: "Z", properties: {v: '
        + HOSTILE[what].replace("NaN", '"x"')
        + "}) { id } }"
    )
    variables_query = (
        'mutation($p: JSON) { createNode(type: Team, id: "t-z", name: "Z", properties: $p) { id } }'
    )
    body = (
        '{"query": '
        + json.dumps(variables_query)
        + ', "variables": {"p": {"v": '
        + HOSTILE[what]
        + "}}}"
    )
    response = client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code in (200, 400), response.text
    answer = json.loads(response.text)
    (error,) = answer["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert store.get_node("t-z") is None
    del query
