"""The explorer's saved views (graph.saved_views): REST and GraphQL alike, who may do what,
bounded sizes and counts, and that a view never shows in the model's answers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from graph import saved_views as sv
from graph.labels import SAVED_VIEW
from graph.store import GraphStore
from graph.tokens import Role, create_token
from samples.demo import load_demo

STATE = "page=graph&sel=plat-api-gateway&n=plat-api-gateway&x=plat-api-gateway&group=team"


@pytest.fixture
def views_store(store: GraphStore) -> GraphStore:
    store.execute(f"MATCH (v:{SAVED_VIEW}) DELETE v")
    return store


@pytest.fixture
def secured(views_store: GraphStore, settings: Settings) -> Iterator[TestClient]:
    on = settings.model_copy(update={"auth": "on", "max_body_bytes": 64 * 1024})
    with TestClient(create_app(on, store=views_store)) as c:
        yield c


@pytest.fixture
def who(views_store: GraphStore) -> dict[str, dict[str, str]]:
    """Bearer headers: a viewer, two editors and an admin."""
    made = {
        "viewer": Role.VIEWER,
        "editor": Role.EDITOR,
        "other": Role.EDITOR,
        "admin": Role.ADMIN,
    }
    return {
        key: {"Authorization": f"Bearer {create_token(views_store, name=key, role=role)[1]}"}
        for key, role in made.items()
    }


def _save(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    response = client.post(
        "/api/views", json={"name": "Gateway", "state": STATE, **body}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_an_editor_saves_a_view_and_a_viewer_reads_it(
    secured: TestClient, who: dict[str, dict[str, str]]
) -> None:
    saved = _save(secured, who["editor"], description="who owns the gateway")
    assert saved["owner"] == "editor"
    assert saved["state"] == STATE
    assert saved["created_at"] == saved["updated_at"]
    got = secured.get(f"/api/views/{saved['id']}", headers=who["viewer"])
    assert got.status_code == 200 and got.json() == saved
    listed = secured.get("/api/views", headers=who["viewer"]).json()
    assert listed["total"] == 1 and [v["id"] for v in listed["items"]] == [saved["id"]]
    # A viewer may not save, change or delete.
    body = {"name": "x", "state": "page=graph"}
    assert secured.post("/api/views", json=body, headers=who["viewer"]).status_code == 403
    view_url = f"/api/views/{saved['id']}"
    assert secured.put(view_url, json=body, headers=who["viewer"]).status_code == 403
    assert secured.delete(view_url, headers=who["viewer"]).status_code == 403


def test_only_the_owner_or_an_admin_changes_a_view(
    secured: TestClient, who: dict[str, dict[str, str]]
) -> None:
    saved = _save(secured, who["editor"])
    url = f"/api/views/{saved['id']}"
    renamed = {"name": "Gateway owners", "state": STATE + "&mode=impact"}
    refused = secured.put(url, json=renamed, headers=who["other"])
    assert refused.status_code == 403
    assert "belongs to editor" in refused.json()["detail"]
    assert secured.delete(url, headers=who["other"]).status_code == 403
    changed = secured.put(url, json=renamed, headers=who["editor"])
    assert changed.status_code == 200
    assert changed.json()["name"] == "Gateway owners"
    assert changed.json()["updated_at"] >= saved["updated_at"]
    assert changed.json()["created_at"] == saved["created_at"]
    by_admin = secured.put(
        url, json={"name": "By admin", "state": "page=graph"}, headers=who["admin"]
    )
    assert by_admin.status_code == 200 and by_admin.json()["owner"] == "editor"
    assert secured.delete(url, headers=who["admin"]).status_code == 204
    assert secured.get(url, headers=who["viewer"]).status_code == 404
    assert secured.delete(url, headers=who["admin"]).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "", "state": "page=graph"}, "name"),
        ({"name": "n" * (sv.MAX_NAME + 1), "state": "page=graph"}, "name"),
        ({"name": "line\nbreak", "state": "page=graph"}, "name"),
        ({"name": "n", "state": "page=graph", "description": "d" * 2001}, "description"),
        ({"name": "lone \ud800 surrogate", "state": "page=graph"}, "name"),
        ({"name": "n", "state": "page=graph", "description": "bell \u0007"}, "description"),
        ({"name": "n", "state": "x" * (sv.MAX_STATE + 1)}, "state"),
        ({"name": "n", "state": "sel=a b"}, "state"),
        ({"name": "n", "state": "sel=a#b"}, "state"),
        ({"name": "n"}, "state"),
    ],
)
def test_oversized_or_malformed_views_are_refused(
    secured: TestClient, who: dict[str, dict[str, str]], body: dict[str, str], field: str
) -> None:
    # Sent as JSON text with escapes: a lone surrogate is valid JSON, not valid UTF-8.
    headers = {**who["editor"], "content-type": "application/json"}
    response = secured.post("/api/views", content=json.dumps(body), headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", field]


def test_a_huge_body_is_413(secured: TestClient, who: dict[str, dict[str, str]]) -> None:
    body = {"name": "n", "state": "page=graph", "description": "d" * 100_000}
    assert secured.post("/api/views", json=body, headers=who["editor"]).status_code == 413


def test_the_number_of_views_is_capped(
    secured: TestClient, who: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sv, "MAX_PER_OWNER", 2)
    monkeypatch.setattr(sv, "MAX_VIEWS", 3)
    _save(secured, who["editor"])
    _save(secured, who["editor"])
    third = secured.post("/api/views", json={"name": "3", "state": ""}, headers=who["editor"])
    assert third.status_code == 422 and "2 saved views already" in third.json()["detail"]["msg"]
    _save(secured, who["other"])
    fourth = secured.post("/api/views", json={"name": "4", "state": ""}, headers=who["other"])
    assert fourth.status_code == 422 and "3 saved views already" in fourth.json()["detail"]["msg"]


def test_graphql_views_follow_the_same_rules(
    secured: TestClient, who: dict[str, dict[str, str]]
) -> None:
    def gql(headers: dict[str, str], query: str, **variables: Any) -> Any:
        return secured.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        ).json()

    create = "mutation($v: ViewInput!) { createView(view: $v) { id name state owner createdAt } }"
    made = gql(who["editor"], create, v={"name": "Streams", "state": "page=graph&group=stream"})
    view = made["data"]["createView"]
    assert view["owner"] == "editor" and view["state"] == "page=graph&group=stream"
    read = gql(
        who["viewer"], "query($id: ID!) { view(id: $id) { name } views { total } }", id=view["id"]
    )
    assert read["data"] == {"view": {"name": "Streams"}, "views": {"total": 1}}
    refused = gql(who["viewer"], create, v={"name": "x", "state": ""})
    assert refused["data"] is None and "editor role" in refused["errors"][0]["message"]
    update = "mutation($id: ID!, $v: ViewInput!) { updateView(id: $id, view: $v) { name } }"
    other = gql(who["other"], update, id=view["id"], v={"name": "Mine now", "state": ""})
    assert other["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    too_long = gql(who["editor"], update, id=view["id"], v={"name": "n" * 500, "state": ""})
    assert too_long["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    ok = gql(who["admin"], update, id=view["id"], v={"name": "Renamed", "state": ""})
    assert ok["data"]["updateView"]["name"] == "Renamed"
    gone = gql(who["editor"], "mutation($id: ID!) { deleteView(id: $id) }", id=view["id"])
    assert gone["data"] == {"deleteView": True}
    assert gql(who["viewer"], "query($id: ID!) { view(id: $id) { id } }", id=view["id"])[
        "data"
    ] == {"view": None}


def test_a_rename_keeps_the_view_and_a_refused_name_is_named_as_the_field(
    secured: TestClient, who: dict[str, dict[str, str]]
) -> None:
    # What the explorer's rename sends: the view as listed, with another name.
    view = _save(secured, who["editor"], description="For the gateway review")
    rename = (
        "mutation($id: ID!, $v: ViewInput!) { updateView(id: $id, view: $v) "
        "{ id name description state } }"
    )

    def gql(name: str, headers: dict[str, str]) -> Any:
        v = {"name": name, "description": view["description"], "state": view["state"]}
        return secured.post(
            "/graphql",
            json={"query": rename, "variables": {"id": view["id"], "v": v}},
            headers=headers,
        ).json()

    renamed = gql("  Gateway, renamed  ", who["editor"])["data"]["updateView"]
    assert renamed == {
        "id": view["id"],
        "name": "Gateway, renamed",
        "description": "For the gateway review",
        "state": STATE,
    }
    for bad, said in (("", "at least 1 character"), ("n" * 121, "at most 120 characters")):
        [error] = gql(bad, who["editor"])["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert [f["field"] for f in error["extensions"]["fields"]] == ["name"]
        assert said in error["extensions"]["fields"][0]["msg"] and said in error["message"]
    assert "editor role" in gql("Mine", who["viewer"])["errors"][0]["message"]
    assert gql("Mine", who["other"])["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    listed = secured.get(f"/api/views/{view['id']}", headers=who["viewer"]).json()
    assert listed["name"] == "Gateway, renamed" and listed["state"] == STATE


def test_views_stay_out_of_the_model(views_store: GraphStore, client: TestClient) -> None:
    load_demo(views_store)
    before = client.get("/api/stats").json()
    changes = client.get("/api/changes").json()["total"]
    exported = client.get("/api/export", params={"format": "json"}).text
    saved = client.post(
        "/api/views", json={"name": "Zanzibar view", "state": STATE, "description": "Zanzibar"}
    ).json()
    assert client.get("/api/stats").json() == before
    assert client.get("/api/changes").json()["total"] == changes
    assert client.get("/api/export", params={"format": "json"}).text == exported
    assert "Zanzibar" not in exported
    found = client.get("/api/search", params={"q": "Zanzibar"})
    assert found.status_code == 200 and found.json() == []
    nodes = client.post("/graphql", json={"query": '{ search(text: "Zanzibar") { id } }'})
    assert nodes.json()["data"]["search"] == []
    labels = views_store.read(f"MATCH (v:{SAVED_VIEW}) RETURN labels(v) AS l")
    assert [r["l"] for r in labels] == [[SAVED_VIEW]]
    # A reset of the model keeps the views (they are the users', like tokens).
    views_store.clear()
    assert client.get(f"/api/views/{saved['id']}").status_code == 200
