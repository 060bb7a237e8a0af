"""REST round trips on a real Neo4j, and the error responses a client relies on."""

from __future__ import annotations

import json
import threading

import anyio.to_thread
import httpx
import pytest
from fastapi.testclient import TestClient

from app.core.errors import answer
from graph.model import NODE_ADAPTER, node_record
from graph.schema import SCHEMA
from graph.store import ConflictError


def _create(client: TestClient, **body: object) -> dict[str, object]:
    response = client.post("/api/nodes", json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_health_reports_neo4j_and_schema_version(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body == {
        "status": "ok",
        "neo4j": True,
        "schema_version": SCHEMA.version,
        "expected_schema_version": SCHEMA.version,
    }


def test_health_answers_while_every_thread_of_the_route_pool_is_taken(
    client: TestClient,
) -> None:
    """Synchronous routes wait for a thread of Starlette's shared pool, which a busy server's
    other requests may hold entirely; the health check has threads of its own."""
    taken: list[object] = []

    def take_all() -> float:  # in the app's event loop, whose pool it is
        limiter = anyio.to_thread.current_default_thread_limiter()
        while limiter.available_tokens:
            taken.append(object())
            limiter.acquire_on_behalf_of_nowait(taken[-1])
        return limiter.available_tokens

    def give_back() -> None:
        limiter = anyio.to_thread.current_default_thread_limiter()
        for borrower in taken:
            limiter.release_on_behalf_of(borrower)

    answers: list[httpx.Response] = []
    assert client.portal is not None
    try:
        assert client.portal.call(take_all) == 0
        asking = threading.Thread(target=lambda: answers.append(client.get("/healthz")))
        asking.start()
        asking.join(60)  # a guard against hanging the suite, not a speed target
        assert [a.status_code for a in answers] == [200]
    finally:
        client.portal.call(give_back)
    asking.join()


def test_node_crud_round_trip(client: TestClient) -> None:
    created = _create(
        client,
        type="ValueStream",
        name="Mortgage",
        funding_model="persistent",
        tags=["lending"],
        properties={"region": "UK"},
    )
    assert created["id"] == "valuestream:mortgage"
    assert created["properties"] == {"region": "UK"}
    assert created["created_at"] and created["updated_at"]

    got = client.get("/api/nodes/valuestream:mortgage").json()
    assert (got["type"], got["name"], got["funding_model"]) == (
        "ValueStream",
        "Mortgage",
        "persistent",
    )

    patched = client.patch(
        "/api/nodes/valuestream:mortgage",
        json={"funding_model": None, "outcome": "A home", "properties": {"region": "EU"}},
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert "funding_model" not in body
    assert (body["outcome"], body["properties"]) == ("A home", {"region": "EU"})

    assert client.delete("/api/nodes/valuestream:mortgage").status_code == 204
    assert client.get("/api/nodes/valuestream:mortgage").status_code == 404


def test_relationship_crud_and_listing(client: TestClient) -> None:
    _create(client, type="Team", id="t1", name="Payments Team", team_type="stream-aligned")
    _create(client, type="Team", id="t2", name="Cloud Platform", team_type="platform")
    response = client.post(
        "/api/relationships",
        json={
            "type": "DEPENDS_ON",
            "source": "t1",
            "target": "t2",
            "interaction_mode": "x-as-a-service",
        },
    )
    assert response.status_code == 201, response.text
    rel = response.json()
    assert rel == {
        "type": "DEPENDS_ON",
        "id": "t1|DEPENDS_ON|t2",
        "source": "t1",
        "target": "t2",
        "interaction_mode": "x-as-a-service",
        "properties": {},
        "import_source": None,
        "import_run": None,
    }
    listed = client.get("/api/relationships", params={"source": "t1"}).json()
    assert listed["total"] == 1 and listed["items"][0]["target"] == "t2"

    patched = client.patch(
        "/api/relationships/t1|DEPENDS_ON|t2", json={"interaction_mode": "collaboration"}
    )
    assert patched.json()["interaction_mode"] == "collaboration"
    bad = client.patch("/api/relationships/t1|DEPENDS_ON|t2", json={"target": "t1"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "target"]

    assert client.delete("/api/relationships/t1|DEPENDS_ON|t2").status_code == 204
    assert client.get("/api/relationships/t1|DEPENDS_ON|t2").status_code == 404


def test_list_filters_and_paginates(client: TestClient) -> None:
    for i in range(7):
        _create(client, type="Platform", id=f"p{i}", name=f"Platform {i}")
    _create(client, type="Team", id="decoy", name="Platform team")
    page = client.get("/api/nodes", params={"type": "Platform", "limit": 3, "offset": 6}).json()
    assert (page["total"], [i["id"] for i in page["items"]]) == (7, ["p6"])
    everything = client.get("/api/nodes", params={"q": "platform", "limit": 100}).json()
    assert everything["total"] == 8
    found = client.get("/api/search", params={"q": "platf team"}).json()
    assert [f["id"] for f in found] == ["decoy"]
    too_big = client.get("/api/nodes", params={"limit": 100_000})
    assert too_big.status_code == 422
    assert too_big.json()["detail"][0]["loc"] == ["query", "limit"]


def test_validation_errors_name_the_field(client: TestClient) -> None:
    response = client.post("/api/nodes", json={"type": "Team", "name": "T", "team_type": "squad"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "team_type"

    response = client.post("/api/nodes", json={"type": "Spaceship", "name": "X"})
    assert response.status_code == 422
    assert "Spaceship" in response.text

    _create(client, type="Team", id="t", name="T")
    response = client.patch("/api/nodes/t", json={"kind": "application"})  # a Platform field
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "kind"]

    response = client.get("/api/nodes", params={"type": "Robot"})
    assert response.status_code == 422 and "unknown node type 'Robot'" in response.text


def test_conflicts_and_dangling_references(client: TestClient) -> None:
    _create(client, type="Platform", id="p", name="P")
    again = client.post("/api/nodes", json={"type": "Team", "id": "p", "name": "Team P"})
    assert again.status_code == 409

    dangling = client.post(
        "/api/relationships", json={"type": "OWNS", "source": "ghost", "target": "p"}
    )
    assert dangling.status_code == 422
    assert "unknown node id(s): ghost" in dangling.json()["detail"]["msg"]

    _create(client, type="Person", id="alice", name="Alice")
    wrong_end = client.post(
        "/api/relationships", json={"type": "OWNS", "source": "alice", "target": "p"}
    )
    assert wrong_end.status_code == 422
    assert "OWNS may not link Person to Platform" in wrong_end.text
    assert client.get("/api/nodes/nope").status_code == 404
    assert client.delete("/api/relationships/nope").status_code == 404


def test_schema_and_openapi_are_served(client: TestClient) -> None:
    schema = client.get("/api/schema").json()
    assert {n["label"] for n in schema["nodes"]} >= {"ValueStream", "Team", "Platform"}
    openapi = client.get("/openapi.json").json()
    assert "/api/nodes/{node_id}" in openapi["paths"]
    assert client.get("/docs").status_code == 200


def test_me_with_auth_off_is_the_local_developer(client: TestClient) -> None:
    assert client.get("/api/me").json() == {"name": "local developer (auth off)", "role": "admin"}


def test_ids_with_slashes_are_reachable(client: TestClient) -> None:
    """Every Backstage id has a `/` (`component:default/x`): as sent, or encoded as %2F."""
    _create(client, type="Team", id="group:default/payments", name="Payments")
    _create(client, type="Platform", id="component:default/ledger", name="Ledger")
    _create(client, type="Platform", id="decoy", name="Decoy")
    rel = client.post(
        "/api/relationships",
        json={"type": "DEPENDS_ON", "source": "component:default/ledger", "target": "decoy"},
    )
    assert rel.status_code == 201, rel.text
    rel_id = rel.json()["id"]
    assert "/" in rel_id

    for path in ("/api/nodes/component:default/ledger", "/api/nodes/component:default%2Fledger"):
        assert client.get(path).json()["id"] == "component:default/ledger"
    patched = client.patch("/api/nodes/group:default%2Fpayments", json={"name": "Payments Team"})
    assert patched.status_code == 200 and patched.json()["name"] == "Payments Team"
    assert client.get(f"/api/relationships/{rel_id}").json()["target"] == "decoy"
    changed = client.patch(f"/api/relationships/{rel_id}", json={"properties": {"via": "api"}})
    assert changed.status_code == 200 and changed.json()["properties"] == {"via": "api"}
    assert client.delete(f"/api/relationships/{rel_id}").status_code == 204
    assert client.get(f"/api/relationships/{rel_id}").status_code == 404
    assert client.delete("/api/nodes/group:default/payments").status_code == 204
    assert client.get("/api/nodes/group:default/payments").status_code == 404
    assert client.get("/api/nodes/decoy").status_code == 200


def test_a_conflict_does_not_pass_on_neo4js_message(client: TestClient) -> None:
    """Two creates of one id as different types that race past the look-up meet Neo4j's
    constraint: the 409 says what is wrong in valuegraph's words, not Neo4j's."""
    store = client.app.state.store  # type: ignore[attr-defined]
    _create(client, type="Team", id="shared-id", name="A team")
    platform = node_record(
        NODE_ADAPTER.validate_python({"type": "Platform", "id": "shared-id", "name": "P"})
    )
    with pytest.raises(ConflictError) as err:
        store.write(nodes=[platform])  # what the second of two racing creates does
    verdict = answer(err.value)
    body = json.dumps(verdict.detail(err.value))
    assert verdict.status == 409
    assert "already used by an element of another type" in body
    assert "Node(" not in body and "already exists with label" not in body and "`" not in body
