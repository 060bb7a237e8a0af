"""Access control, limits and faults, with auth on as in production."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from graph.local_neo4j import LocalNeo4j, free_port
from graph.store import GraphStore, QueryTimeoutError
from graph.tokens import Role, create_token

MUTATION = 'mutation { createNode(type: Team, id: "t-gql", name: "GraphQL team") { id } }'


@pytest.fixture
def secured(store: GraphStore, settings: Settings) -> Iterator[TestClient]:
    on = settings.model_copy(update={"auth": "on", "max_body_bytes": 64 * 1024})
    with TestClient(create_app(on, store=store)) as c:
        yield c


@pytest.fixture
def tokens(store: GraphStore) -> dict[str, str]:
    return {
        role.label: create_token(store, name=f"{role.label}-bot", role=role)[1] for role in Role
    }


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_no_token_no_access_but_health_is_open(secured: TestClient) -> None:
    assert secured.get("/healthz").status_code == 200
    for response in (
        secured.get("/api/nodes"),
        secured.post("/api/nodes", json={"type": "Team", "name": "T"}),
        secured.post("/graphql", json={"query": "{ stats }"}),
        secured.get("/api/nodes", headers=bearer("vg_forged_token")),
    ):
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"


def test_roles_are_enforced_on_rest_and_graphql(
    secured: TestClient, tokens: dict[str, str]
) -> None:
    viewer, editor = bearer(tokens["viewer"]), bearer(tokens["editor"])
    assert secured.get("/api/nodes", headers=viewer).status_code == 200
    refused = secured.post("/api/nodes", json={"type": "Team", "name": "T"}, headers=viewer)
    assert refused.status_code == 403
    assert "needs the editor role" in refused.json()["detail"]
    assert (
        secured.post("/api/nodes", json={"type": "Team", "name": "T"}, headers=editor).status_code
        == 201
    )

    read = secured.post("/graphql", json={"query": "{ nodes { total } }"}, headers=viewer)
    assert read.json() == {"data": {"nodes": {"total": 1}}}
    denied = secured.post("/graphql", json={"query": MUTATION}, headers=viewer).json()
    assert denied["data"] is None
    assert "mutations need the editor role" in denied["errors"][0]["message"]
    assert secured.get("/api/nodes/t-gql", headers=viewer).status_code == 404
    allowed = secured.post("/graphql", json={"query": MUTATION}, headers=editor).json()
    assert allowed == {"data": {"createNode": {"id": "t-gql"}}}

    assert secured.get("/api/tokens", headers=editor).status_code == 403
    assert secured.get("/api/audit", headers=editor).status_code == 403


def test_me_says_who_the_caller_is_and_their_role(
    secured: TestClient, tokens: dict[str, str]
) -> None:
    for role, secret in tokens.items():
        answer = secured.get("/api/me", headers=bearer(secret))
        assert answer.status_code == 200
        assert answer.json() == {"name": f"{role}-bot", "role": role}
    assert secured.get("/api/me").status_code == 401
    assert secured.get("/api/me", headers=bearer("vg_forged_token")).status_code == 401


def test_admin_manages_tokens_and_revocation_is_immediate(
    secured: TestClient, tokens: dict[str, str]
) -> None:
    admin = bearer(tokens["admin"])
    created = secured.post("/api/tokens", json={"name": "ci", "role": "editor"}, headers=admin)
    assert created.status_code == 201
    secret = created.json()["token"]
    listed = secured.get("/api/tokens", headers=admin).json()
    assert {t["name"] for t in listed} >= {"ci", "viewer-bot"}
    assert secret not in json.dumps(listed) and "digest" not in json.dumps(listed)
    assert secured.get("/api/nodes", headers=bearer(secret)).status_code == 200
    assert secured.delete(f"/api/tokens/{created.json()['id']}", headers=admin).status_code == 204
    assert secured.get("/api/nodes", headers=bearer(secret)).status_code == 401


def test_audit_log_records_who_changed_what(secured: TestClient, tokens: dict[str, str]) -> None:
    editor, admin = bearer(tokens["editor"]), bearer(tokens["admin"])
    secured.post("/api/nodes", json={"type": "Team", "id": "t-rest", "name": "R"}, headers=editor)
    secured.post("/graphql", json={"query": MUTATION}, headers=editor)
    secured.post("/api/nodes", json={"type": "Team", "name": "X"}, headers=bearer(tokens["viewer"]))
    events = secured.get("/api/audit", headers=admin).json()
    summary = {(e["actor"], e["action"], e["status"]) for e in events}
    assert ("editor-bot", "POST /api/nodes", 201) in summary
    assert ("editor-bot", "graphql createNode", 200) in summary
    assert ("viewer-bot", "POST /api/nodes", 403) in summary
    assert all(e["at"] for e in events)


def _audit_events(store: GraphStore) -> list[dict[str, object]]:
    return [dict(r["e"]) for r in store.read("MATCH (e:AuditEvent) RETURN properties(e) AS e")]


def test_only_identified_callers_are_audited(
    secured: TestClient, tokens: dict[str, str], store: GraphStore
) -> None:
    store.execute("MATCH (e:AuditEvent) DELETE e")  # events of earlier tests are kept by clear()
    editor, admin = bearer(tokens["editor"]), bearer(tokens["admin"])
    assert secured.post("/api/" + "x" * 60_000).status_code >= 400
    assert (
        secured.post("/api/nodes", json={"type": "Team"}, headers=bearer("vg_forged")).status_code
        == 401
    )
    assert secured.post("/graphql", json={"query": MUTATION}).status_code == 401
    assert _audit_events(store) == []  # nothing stored for callers without a valid token
    refused = secured.get("/api/audit/refused-authentications", headers=admin).json()
    assert refused["missing_token"] == 2 and refused["invalid_token"] == 1
    assert "x" * 100 not in json.dumps(refused)

    # 404, or 405 where the built explorer is mounted at / and takes the path as a page.
    missing = secured.post("/api/no-such-route", headers=editor).status_code
    assert missing in (404, 405)
    huge = {"type": "Team", "name": "T", "description": "x" * 100_000}
    assert secured.post("/api/nodes", json=huge, headers=editor).status_code == 413
    assert secured.post("/api/" + "y" * 60_000, headers=editor).status_code >= 400
    events = _audit_events(store)
    summary = {(e["actor"], e["action"], e["status"]) for e in events}
    assert ("editor-bot", "POST /api/no-such-route", missing) in summary
    assert ("editor-bot", "POST /api/nodes", 413) in summary
    assert len(events) == 3
    assert all(len(str(v)) <= 4000 for e in events for v in e.values())
    assert max(len(str(e["target"])) for e in events) <= 300


def test_oversized_bodies_are_refused(secured: TestClient, tokens: dict[str, str]) -> None:
    huge = {"type": "Team", "name": "T", "description": "x" * 100_000}
    response = secured.post("/api/nodes", json=huge, headers=bearer(tokens["editor"]))
    assert response.status_code == 413
    assert "larger than 65536 bytes" in response.json()["detail"]


def test_chunked_bodies_over_the_limit_are_refused(
    secured: TestClient, tokens: dict[str, str]
) -> None:
    def chunked() -> Iterator[bytes]:  # no Content-Length: sent with Transfer-Encoding
        yield b'{"type": "Team", "name": "T", "description": "'
        for _ in range(20):
            yield b"x" * 8192
        yield b'"}'

    headers = {**bearer(tokens["editor"]), "content-type": "application/json"}
    for path in ("/api/nodes", "/graphql"):
        response = secured.post(path, content=chunked(), headers=headers)
        assert response.status_code == 413, (path, response.text)
        assert "larger than 65536 bytes" in response.json()["detail"]


def test_cors_is_closed_unless_configured(store: GraphStore, settings: Settings) -> None:
    preflight = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    with TestClient(create_app(settings, store=store)) as c:
        assert "access-control-allow-origin" not in c.options("/graphql", headers=preflight).headers
    opened = settings.model_copy(update={"cors_origins": ["https://ea.example"]})
    with TestClient(create_app(opened, store=store)) as c:
        ok = c.options("/graphql", headers={**preflight, "Origin": "https://ea.example"})
        assert ok.headers["access-control-allow-origin"] == "https://ea.example"


def test_auth_off_only_on_loopback(tmp_path: Path) -> None:
    Settings(auth="off").check_exposure("127.0.0.1")
    with pytest.raises(ValueError, match="only allowed on a loopback"):
        Settings(auth="off").check_exposure("0.0.0.0")
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("valuegraph")), "serve", "--host", "0.0.0.0"],
        env={"VALUEGRAPH_AUTH": "off", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert "only allowed on a loopback address" in proc.stderr


def test_long_queries_are_stopped_with_a_clear_error(neo4j_server: dict[str, str | None]) -> None:
    assert neo4j_server["uri"]
    store = GraphStore.connect(
        neo4j_server["uri"], neo4j_server["user"], neo4j_server["password"], timeout=0.5
    )
    try:
        with pytest.raises(QueryTimeoutError, match=r"longer than the 0\.5 s limit"):
            store.read("UNWIND range(1, 1000000000) AS x WITH x WHERE x = -1 RETURN count(*)")
    finally:
        store.close()


@pytest.mark.slow
def test_neo4j_outage_gives_503_and_the_app_recovers(tmp_path: Path) -> None:
    """Start with Neo4j down, bring it up, kill -9 it mid-service, restart: no crash, data kept."""
    port = free_port()
    server = LocalNeo4j(tmp_path / "neo4j")
    uri = f"bolt://127.0.0.1:{port}"
    settings = Settings(neo4j_uri=uri, auth="off", home=tmp_path)
    # create_app makes its own store here, as `valuegraph serve` does (short retries).
    with TestClient(create_app(settings)) as c:
        health = c.get("/healthz")
        assert (health.status_code, health.json()["neo4j"]) == (503, False)
        down = c.get("/api/nodes")
        assert down.status_code == 503
        assert "Neo4j" in down.json()["detail"] and "unreachable" in down.json()["detail"]

        server.start(port=port, heap="512m", pagecache="64m")
        try:
            assert c.get("/healthz").status_code == 200
            assert (
                c.post("/api/nodes", json={"type": "Team", "id": "kept", "name": "K"}).status_code
                == 201
            )
            server.kill()
            assert c.get("/api/nodes/kept").status_code == 503
            server.start(port=port, heap="512m", pagecache="64m")
            # Committed data survived the crash; the app reconnected by itself.
            assert c.get("/api/nodes/kept").json()["name"] == "K"
        finally:
            server.stop()


def test_import_needs_editor_and_prune_needs_admin(
    secured: TestClient, tokens: dict[str, str], store: GraphStore
) -> None:
    bank = Path(__file__).parent / "data" / "imports" / "bank.xml"

    def post(token: str, **form: str) -> int:
        files = [("files", (bank.name, bank.read_bytes(), "application/xml"))]
        return secured.post(
            "/api/imports", files=files, data=form, headers=bearer(token)
        ).status_code

    assert post(tokens["viewer"]) == 403
    assert post(tokens["editor"]) == 200
    assert post(tokens["editor"], prune="true", dry_run="true") == 200  # a preview deletes nothing
    assert post(tokens["editor"], prune="true") == 403
    assert post(tokens["admin"], prune="true") == 200
    query = 'mutation { importModel(files: [{filename: "x.xml", content: "<x/>"}], prune: true) { written } }'
    body = secured.post("/graphql", json={"query": query}, headers=bearer(tokens["editor"])).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "needs the admin role" in body["errors"][0]["message"]


def test_a_revocation_by_another_process_takes_effect_within_the_verified_time(
    secured: TestClient, store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A valid token is believed for VERIFIED_FOR_S without a Neo4j lookup; `valuegraph
    # token revoke` run beside the service writes the revocation itself.
    from graph import tokens as tk

    monkeypatch.setattr(tk, "VERIFIED_FOR_S", 0.5)
    token_id, secret = tk.create_token(store, name="elsewhere", role=Role.VIEWER)
    assert secured.get("/api/nodes", headers=bearer(secret)).status_code == 200
    store.execute(tk.REVOKE, {"id": token_id, "now": "2026-12-07T00:00:00Z"})
    time.sleep(0.6)
    assert secured.get("/api/nodes", headers=bearer(secret)).status_code == 401
