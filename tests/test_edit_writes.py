"""Edits that must be one write on a real Neo4j: moving an element's owner (all or nothing,
one change set, audited, editors only), and conditional updates (If-Match: the check and
the write in one transaction, so of two writers on one read exactly one lands)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from graph import edits
from graph.labels import CHANGE, CHANGE_CHUNK, CHANGE_SET
from graph.model import now_iso
from graph.store import GraphStore
from graph.tokens import Role, create_token
from queries import history as hq


@pytest.fixture
def owned(store: GraphStore, client: TestClient) -> TestClient:
    """Capability `cap` owned by team `old`; teams `new` and `decoy`; decoy owns `other`."""
    store.execute(
        f"MATCH (n) WHERE n:{CHANGE} OR n:{CHANGE_CHUNK} OR n:{CHANGE_SET} DETACH DELETE n"
    )
    store.execute("MATCH (m:ValuegraphMeta {key: 'revision'}) REMOVE m.history_head")
    for node in (
        {"type": "Team", "id": "old", "name": "Old team"},
        {"type": "Team", "id": "new", "name": "New team"},
        {"type": "Team", "id": "decoy", "name": "Decoy team"},
        {"type": "Capability", "id": "cap", "name": "Payments"},
        {"type": "Capability", "id": "other", "name": "Lending"},
    ):
        assert client.post("/api/nodes", json=node).status_code == 201
    for source, target in (("old", "cap"), ("decoy", "other")):
        created = client.post(
            "/api/relationships", json={"type": "OWNS", "source": source, "target": target}
        )
        assert created.status_code == 201
    return client


def _owners(store: GraphStore) -> set[tuple[str, str]]:
    return {
        (r["source"], r["target"]) for r in store.list_relationships(types=["OWNS"], limit=100)[0]
    }


def test_moving_the_owner_replaces_it_in_one_change_set(
    store: GraphStore, owned: TestClient
) -> None:
    before, at = hq.change_sets(store, limit=1000).total, now_iso()
    moved = owned.post("/api/nodes/cap/owner", json={"owner": "new"})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["type"], moved.json()["source"], moved.json()["target"]) == (
        "OWNS",
        "new",
        "cap",
    )
    assert _owners(store) == {("new", "cap"), ("decoy", "other")}
    sets = hq.change_sets(store, limit=1000)
    assert sets.total == before + 1
    latest = sets.items[0]
    assert (latest.relationships.created, latest.relationships.deleted) == (1, 1)
    changed = {(c.id, c.op) for c in hq.change_set(store, latest.seq, limit=100).items}
    assert changed == {("new|OWNS|cap", "created"), ("old|OWNS|cap", "deleted")}
    audit = owned.get("/api/audit", params={"target": "nodes/cap/owner", "since": at}).json()
    assert [(e["action"], e["status"]) for e in audit] == [("POST /api/nodes/cap/owner", 200)]


def test_moving_to_the_owner_it_has_keeps_that_and_drops_any_other(
    store: GraphStore, owned: TestClient
) -> None:
    owned.post("/api/relationships", json={"type": "OWNS", "source": "new", "target": "cap"})
    assert owned.post("/api/nodes/cap/owner", json={"owner": "old"}).status_code == 200
    assert _owners(store) == {("old", "cap"), ("decoy", "other")}
    again = owned.post("/api/nodes/cap/owner", json={"owner": "old"})
    assert again.status_code == 200 and again.json()["id"] == "old|OWNS|cap"
    assert _owners(store) == {("old", "cap"), ("decoy", "other")}


def test_a_failure_midway_leaves_the_old_owner(
    store: GraphStore, owned: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = hq.change_sets(store, limit=1000).total
    drop = GraphStore.drop_others_into

    def drop_then_fail(tx: Any, *args: Any, **kwargs: Any) -> list[str]:
        dropped = drop(tx, *args, **kwargs)
        assert dropped == ["old|OWNS|cap"]
        tx.run("RETURN 1 / 0").consume()  # Neo4j fails after the create and the delete
        return dropped

    monkeypatch.setattr(GraphStore, "drop_others_into", staticmethod(drop_then_fail))
    with pytest.raises(Exception, match="/ by zero"):
        edits.move_owner(store, "cap", "new")
    assert _owners(store) == {("old", "cap"), ("decoy", "other")}
    assert hq.change_sets(store, limit=1000).total == before


@pytest.mark.parametrize(
    ("owner", "message"),
    [("nobody", "no element with id 'nobody'"), ("other", "a Capability cannot own")],
)
def test_an_owner_that_cannot_own_is_refused_beside_the_field(
    store: GraphStore, owned: TestClient, owner: str, message: str
) -> None:
    refused = owned.post("/api/nodes/cap/owner", json={"owner": owner})
    assert refused.status_code == 422
    [error] = refused.json()["detail"]
    assert error["loc"] == ["body", "owner"] and message in error["msg"]
    assert _owners(store) == {("old", "cap"), ("decoy", "other")}
    assert owned.post("/api/nodes/gone/owner", json={"owner": "new"}).status_code == 404


def test_graphql_moves_the_owner_the_same_way(store: GraphStore, owned: TestClient) -> None:
    answer = owned.post(
        "/graphql",
        json={"query": 'mutation { moveOwner(id: "cap", owner: "new") { id source target } }'},
    ).json()
    assert answer["data"]["moveOwner"] == {"id": "new|OWNS|cap", "source": "new", "target": "cap"}
    assert _owners(store) == {("new", "cap"), ("decoy", "other")}


@pytest.fixture
def secured(owned: TestClient, store: GraphStore, settings: Settings) -> Iterator[TestClient]:
    on = settings.model_copy(update={"auth": "on"})
    with TestClient(create_app(on, store=store)) as c:
        yield c


def test_viewers_may_not_move_an_owner(store: GraphStore, secured: TestClient) -> None:
    viewer = {"Authorization": f"Bearer {create_token(store, name='v', role=Role.VIEWER)[1]}"}
    editor = {"Authorization": f"Bearer {create_token(store, name='e', role=Role.EDITOR)[1]}"}
    refused = secured.post("/api/nodes/cap/owner", json={"owner": "new"}, headers=viewer)
    assert refused.status_code == 403
    gql = secured.post(
        "/graphql",
        json={"query": 'mutation { moveOwner(id: "cap", owner: "new") { id } }'},
        headers=viewer,
    ).json()
    assert "mutations need the editor role" in gql["errors"][0]["message"]
    assert _owners(store) == {("old", "cap"), ("decoy", "other")}
    moved = secured.post("/api/nodes/cap/owner", json={"owner": "new"}, headers=editor)
    assert moved.status_code == 200
    assert _owners(store) == {("new", "cap"), ("decoy", "other")}


# -- conditional updates (If-Match) ---------------------------------------------------------


def test_a_patch_on_what_was_read_lands_and_on_a_stale_read_is_refused(
    owned: TestClient,
) -> None:
    read = owned.get("/api/nodes/cap")
    tag = read.headers["etag"]
    first = owned.patch("/api/nodes/cap", json={"description": "one"}, headers={"If-Match": tag})
    assert first.status_code == 200
    assert first.headers["etag"] == owned.get("/api/nodes/cap").headers["etag"] != tag
    stale = owned.patch("/api/nodes/cap", json={"description": "two"}, headers={"If-Match": tag})
    assert stale.status_code == 412
    assert "changed by someone else since you read it" in stale.json()["detail"]
    assert owned.get("/api/nodes/cap").json()["description"] == "one"
    # Without If-Match, or with `*`, a PATCH is unconditional as before.
    assert owned.patch("/api/nodes/cap", json={"description": "three"}).status_code == 200
    star = owned.patch("/api/nodes/cap", json={"description": "four"}, headers={"If-Match": "*"})
    assert star.status_code == 200
    assert (
        owned.get("/api/nodes/decoy").headers["etag"] != owned.get("/api/nodes/cap").headers["etag"]
    )


def test_a_relationship_patch_is_conditional_the_same_way(owned: TestClient) -> None:
    rel = "old|OWNS|cap"
    tag = owned.get(f"/api/relationships/{rel}").headers["etag"]
    first = owned.patch(
        f"/api/relationships/{rel}", json={"properties": {"since": 2020}}, headers={"If-Match": tag}
    )
    assert first.status_code == 200, first.text
    stale = owned.patch(
        f"/api/relationships/{rel}", json={"properties": {"since": 2021}}, headers={"If-Match": tag}
    )
    assert stale.status_code == 412
    assert owned.get(f"/api/relationships/{rel}").json()["properties"] == {"since": 2020}
    again = owned.patch(
        f"/api/relationships/{rel}",
        json={"properties": {"since": 2022}},
        headers={"If-Match": first.headers["etag"]},
    )
    assert again.status_code == 200


@pytest.mark.parametrize("path", ["/api/nodes/cap", "/api/relationships/old|OWNS|cap"])
def test_two_patches_at_once_on_one_read_give_one_200_and_one_412(
    owned: TestClient, path: str
) -> None:
    tag = owned.get(path).headers["etag"]
    bodies = [{"properties": {"who": "first"}}, {"properties": {"who": "second"}}]
    start = threading.Barrier(len(bodies))

    def send(body: dict[str, Any]) -> int:
        start.wait()
        return owned.patch(path, json=body, headers={"If-Match": tag}).status_code

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        statuses = sorted(pool.map(send, bodies))
    assert statuses == [200, 412]


def test_an_if_match_on_a_missing_element_is_not_found(owned: TestClient) -> None:
    assert (
        owned.patch("/api/nodes/gone", json={"name": "x"}, headers={"If-Match": '"x"'}).status_code
        == 404
    )


# -- the same over GraphQL (ifMatch) ----------------------------------------------------------

UPDATES = {
    "/api/nodes/cap": (
        "updateNode",
        "mutation($id: ID!, $patch: JSON!, $tag: String) "
        "{ updateNode(id: $id, patch: $patch, ifMatch: $tag) { id description } }",
        "cap",
    ),
    "/api/relationships/old|OWNS|cap": (
        "updateRelationship",
        "mutation($id: ID!, $patch: JSON!, $tag: String) "
        "{ updateRelationship(id: $id, patch: $patch, ifMatch: $tag) { id properties } }",
        "old|OWNS|cap",
    ),
}


def _update(client: TestClient, path: str, patch: dict[str, Any], tag: str | None) -> Any:
    _, query, item = UPDATES[path]
    variables = {"id": item, "patch": patch, "tag": tag}
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("path", list(UPDATES))
def test_graphql_updates_take_the_rest_etag_as_if_match(owned: TestClient, path: str) -> None:
    field = UPDATES[path][0]
    tag = owned.get(path).headers["etag"]
    first = _update(owned, path, {"properties": {"who": "first"}}, tag)
    assert "errors" not in first, first
    assert first["data"][field]["id"] == UPDATES[path][2]
    # The tag without its quotes names the same version, as REST's If-Match takes it.
    stale = _update(owned, path, {"properties": {"who": "second"}}, tag.strip('"'))
    (error,) = stale["errors"]
    assert (error["extensions"]["code"], error["extensions"]["reason"]) == (
        "BAD_USER_INPUT",
        "changed",
    )
    assert "changed by someone else since you read it" in error["message"]
    assert owned.get(path).json()["properties"] == {"who": "first"}
    fresh = owned.get(path).headers["etag"]
    assert "errors" not in _update(owned, path, {"properties": {"who": "third"}}, fresh)
    assert "errors" not in _update(owned, path, {"properties": {"who": "fourth"}}, None)


@pytest.mark.parametrize("path", list(UPDATES))
def test_two_graphql_updates_at_once_on_one_read_give_one_success_and_one_conflict(
    owned: TestClient, path: str
) -> None:
    tag = owned.get(path).headers["etag"]
    bodies = [{"properties": {"who": "first"}}, {"properties": {"who": "second"}}]
    start = threading.Barrier(len(bodies))

    def send(body: dict[str, Any]) -> str:
        start.wait()
        answer = _update(owned, path, body, tag)
        return answer["errors"][0]["extensions"]["reason"] if "errors" in answer else "ok"

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        outcomes = sorted(pool.map(send, bodies))
    assert outcomes == ["changed", "ok"]
    landed = owned.get(path).json()["properties"]["who"]
    assert landed in {"first", "second"}


def _gql(client: TestClient, query: str, **variables: Any) -> Any:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200 and "errors" not in response.json(), response.text
    return response.json()["data"]


def test_graphql_reads_give_the_same_etag_as_rest(owned: TestClient) -> None:
    """A GraphQL-only client (the explorer's editing) needs the tag its `ifMatch` takes:
    every way GraphQL reads an element or relationship gives REST's `ETag` for it."""
    node_tag = owned.get("/api/nodes/cap").headers["etag"]
    rel_tag = owned.get("/api/relationships/old|OWNS|cap").headers["etag"]
    before = now_iso()
    read = _gql(
        owned,
        'query { node(id: "cap") { etag } '
        "nodes(types: [Capability], limit: 10) { items { id etag } } "
        'old: node(id: "old") { ... on Team { owns { id etag } } } '
        "relationships(types: [OWNS], limit: 10) { id etag } }",
    )
    assert read["node"]["etag"] == node_tag
    assert {i["id"]: i["etag"] for i in read["nodes"]["items"]}["cap"] == node_tag
    assert read["old"]["owns"] == [{"id": "cap", "etag": node_tag}]
    assert {r["id"]: r["etag"] for r in read["relationships"]}["old|OWNS|cap"] == rel_tag
    # The answer of a change carries the new tag, which the next conditional change takes.
    changed = _gql(
        owned,
        'mutation($tag: String) { updateNode(id: "cap", patch: {description: "x"}, '
        "ifMatch: $tag) { etag } }",
        tag=node_tag,
    )["updateNode"]["etag"]
    assert changed != node_tag and changed == owned.get("/api/nodes/cap").headers["etag"]
    stale = owned.post(
        "/graphql",
        json={
            "query": 'mutation($tag: String) { updateNode(id: "cap", '
            'patch: {description: "y"}, ifMatch: $tag) { id } }',
            "variables": {"tag": node_tag},
        },
    ).json()
    assert stale["errors"][0]["extensions"]["reason"] == "changed"
    # As of another moment an element is not the stored version: no tag to write against.
    query = 'query($at: String) { node(id: "cap", asOf: $at) { description etag } }'
    assert _gql(owned, query, at=before)["node"] == {"description": "", "etag": None}
