"""Organisations' sign-in against an issuer the tests run themselves: RSA and EC keys made
here, the discovery document and JWKS served on loopback, Neo4j real."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.main import create_app
from app.oidc import IssuerUnavailable, fetch_json
from app.settings import Settings
from graph.store import GraphStore
from graph.tokens import Role, create_token

AUDIENCE = "valuegraph-api"
ROLE_MAP = {"vg-viewers": "viewer", "vg-editors": "editor", "vg-admins": "admin"}
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


class Issuer:
    """A tiny OIDC issuer: signs tokens with keys it publishes (`publish`, `retire`) at
    `/jwks`, discovered through `/.well-known/openid-configuration`. `delay` slows every
    answer; `fetches` counts the JWKS fetches."""

    def __init__(self) -> None:
        self.keys: dict[str, tuple[str, PrivateKey]] = {}  # kid -> (alg, private key)
        self.published: set[str] = set()
        self.fetches = 0
        self.delay = 0.0
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                time.sleep(issuer.delay)
                if self.path == "/.well-known/openid-configuration":
                    body: dict[str, Any] = {"issuer": issuer.url, "jwks_uri": issuer.url + "/jwks"}
                elif self.path == "/jwks":
                    issuer.fetches += 1
                    body = issuer.jwks()
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                # A client that timed out has gone (the slow issuer's test).
                with contextlib.suppress(ConnectionError):
                    self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def add_key(self, kid: str, alg: str, *, publish: bool = True) -> None:
        key: PrivateKey = (
            ec.generate_private_key(ec.SECP256R1())
            if alg.startswith("ES")
            else rsa.generate_private_key(public_exponent=65537, key_size=2048)
        )
        self.keys[kid] = (alg, key)
        if publish:
            self.published.add(kid)

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid in sorted(self.published):
            alg, key = self.keys[kid]
            algorithm = (
                jwt.algorithms.ECAlgorithm if alg.startswith("ES") else jwt.algorithms.RSAAlgorithm
            )
            jwk = json.loads(algorithm.to_jwk(key.public_key()))
            keys.append({**jwk, "kid": kid, "use": "sig", "alg": alg})
        return {"keys": keys}

    def claims(self, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.url,
            "aud": AUDIENCE,
            "sub": "f3c1-0042",
            "preferred_username": "alice",
            "iat": now,
            "nbf": now,
            "exp": now + 300,
            "realm_access": {"roles": ["offline_access", "vg-editors"]},
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def token(self, kid: str = "rsa-1", **overrides: Any) -> str:
        alg, key = self.keys[kid]
        return jwt.encode(self.claims(**overrides), key, algorithm=alg, headers={"kid": kid})

    def public_pem(self, kid: str) -> bytes:
        return (
            self.keys[kid][1]
            .public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def hand_signed(header: dict[str, Any], claims: dict[str, Any], secret: bytes | None) -> str:
    """A JWT made without PyJWT's guards: `alg: none`, or HMAC keyed with whatever is given."""

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    if secret is None:
        return signing_input + "."
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    issuer = Issuer()
    issuer.add_key("rsa-1", "RS256")
    yield issuer
    issuer.stop()


def signed_in_settings(settings: Settings, issuer: Issuer, **update: Any) -> Settings:
    return settings.model_copy(
        update={
            "auth": "on",
            "oidc_issuer": issuer.url,
            "oidc_audience": AUDIENCE,
            "oidc_roles_claim": "realm_access.roles",
            "oidc_role_map": ROLE_MAP,
            "oidc_refetch_interval_s": 0.5,
            "oidc_fetch_timeout_s": 1.0,
            **update,
        }
    )


@pytest.fixture
def app_client(store: GraphStore, settings: Settings, issuer: Issuer) -> Iterator[TestClient]:
    with TestClient(create_app(signed_in_settings(settings, issuer), store=store)) as c:
        yield c


@pytest.fixture
def admin(store: GraphStore) -> dict[str, str]:
    return bearer(create_token(store, name="admin-bot", role=Role.ADMIN)[1])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_valid_token_gets_its_mapped_role_and_is_audited_by_name(
    app_client: TestClient, issuer: Issuer, store: GraphStore, admin: dict[str, str]
) -> None:
    store.execute("MATCH (e:AuditEvent) DELETE e")
    editor = bearer(issuer.token())
    assert app_client.get("/api/nodes", headers=editor).status_code == 200
    created = app_client.post(
        "/api/nodes", json={"type": "Team", "id": "t-oidc", "name": "T"}, headers=editor
    )
    assert created.status_code == 201
    mutation = 'mutation { createNode(type: Team, id: "t-gql", name: "G") { id } }'
    answer = app_client.post("/graphql", json={"query": mutation}, headers=editor).json()
    assert answer == {"data": {"createNode": {"id": "t-gql"}}}
    # Without preferred_username the caller is named by sub; the highest mapped role wins.
    bob = bearer(
        issuer.token(
            preferred_username=None,
            sub="bob-sub",
            realm_access={"roles": ["vg-viewers", "vg-admins"]},
        )
    )
    assert app_client.get("/api/tokens", headers=bob).status_code == 200
    assert app_client.delete("/api/nodes/t-oidc", headers=bob).status_code == 204

    events = app_client.get("/api/audit", headers=admin).json()
    summary = {(e["actor"], e["token_id"], e["role"], e["action"], e["status"]) for e in events}
    assert summary == {
        ("alice", "oidc:f3c1-0042", "editor", "POST /api/nodes", 201),
        ("alice", "oidc:f3c1-0042", "editor", "graphql createNode", 200),
        ("bob-sub", "oidc:bob-sub", "admin", "DELETE /api/nodes/t-oidc", 204),
    }


def test_a_viewer_may_read_but_not_write(app_client: TestClient, issuer: Issuer) -> None:
    viewer = bearer(issuer.token(realm_access={"roles": ["vg-viewers"]}))
    assert app_client.get("/api/nodes", headers=viewer).status_code == 200
    refused = app_client.post("/api/nodes", json={"type": "Team", "name": "T"}, headers=viewer)
    assert refused.status_code == 403
    assert "needs the editor role" in refused.json()["detail"]
    read = app_client.post("/graphql", json={"query": "{ nodes { total } }"}, headers=viewer)
    assert read.json() == {"data": {"nodes": {"total": 0}}}


def _refused_tokens(issuer: Issuer) -> dict[str, tuple[str, str]]:
    """Name -> (token, what the 401 says)."""
    issuer.add_key("forger", "RS256", publish=False)
    forged = jwt.encode(issuer.claims(), issuer.keys["forger"][1], "RS256", {"kid": "rsa-1"})
    now = int(time.time())
    return {
        "wrong signature": (forged, "signature does not verify"),
        "wrong issuer": (issuer.token(iss="https://evil.example"), "another issuer"),
        "wrong audience": (issuer.token(aud="another-app"), "not for this service"),
        "no audience": (issuer.token(aud=None), "no aud claim"),
        "expired": (issuer.token(iat=now - 900, nbf=now - 900, exp=now - 600), "expired"),
        "not yet valid": (issuer.token(nbf=now + 600), "not valid yet"),
        "no expiry": (issuer.token(exp=None), "no exp claim"),
        "alg none": (
            hand_signed({"alg": "none", "kid": "rsa-1"}, issuer.claims(), None),
            "'none' are not accepted",
        ),
        "HS256 keyed with the public key": (
            hand_signed(
                {"alg": "HS256", "kid": "rsa-1", "typ": "JWT"},
                issuer.claims(),
                issuer.public_pem("rsa-1"),
            ),
            "'HS256' are not accepted",
        ),
        "unknown kid": (
            jwt.encode(issuer.claims(), issuer.keys["forger"][1], "RS256", {"kid": "forger"}),
            "unknown kid",
        ),
        "no kid": (jwt.encode(issuer.claims(), issuer.keys["rsa-1"][1], "RS256"), "no signing key"),
        "not a JWT": ("eyJhbGciOi.garbage", "not a valid JWT"),
    }


def test_bad_tokens_get_401_with_the_reason_and_are_only_counted(
    app_client: TestClient, issuer: Issuer, store: GraphStore, admin: dict[str, str]
) -> None:
    store.execute("MATCH (e:AuditEvent) DELETE e")
    cases = _refused_tokens(issuer)
    for name, (token, reason) in cases.items():
        for response in (
            app_client.get("/api/nodes", headers=bearer(token)),
            app_client.post("/graphql", json={"query": "{ stats }"}, headers=bearer(token)),
        ):
            assert response.status_code == 401, name
            assert response.headers["www-authenticate"] == "Bearer", name
            assert reason in response.json()["detail"], (name, response.json())
    app_client.post("/api/nodes", json={"type": "Team"}, headers=bearer(cases["expired"][0]))
    counted = app_client.get("/api/audit/refused-authentications", headers=admin).json()
    assert counted["invalid_token"] == 2 * len(cases) + 1
    assert app_client.get("/api/audit", headers=admin).json() == []


def test_a_token_mapping_to_no_role_gets_403_with_what_to_do(
    app_client: TestClient, issuer: Issuer, admin: dict[str, str]
) -> None:
    for roles in (["offline_access"], [], "not-a-list-but-unmapped", None):
        token = bearer(issuer.token(realm_access={"roles": roles} if roles is not None else None))
        for response in (
            app_client.get("/api/nodes", headers=token),
            app_client.post("/graphql", json={"query": "{ stats }"}, headers=token),
        ):
            assert response.status_code == 403, roles
            detail = response.json()["detail"]
            assert "'realm_access.roles' claim is mapped" in detail
            assert "VALUEGRAPH_OIDC_ROLE_MAP" in detail
    counted = app_client.get("/api/audit/refused-authentications", headers=admin).json()
    assert counted["invalid_token"] == 8


def test_a_rotated_key_is_fetched_and_unknown_kids_cannot_flood_the_issuer(
    app_client: TestClient, issuer: Issuer
) -> None:
    assert app_client.get("/api/nodes", headers=bearer(issuer.token())).status_code == 200
    assert issuer.fetches == 1
    # The issuer rotates to an EC key: tokens signed with it work once the refetch
    # interval has passed, and the retired key stops working with it.
    issuer.add_key("ec-2", "ES256")
    issuer.published.discard("rsa-1")
    time.sleep(0.6)
    new = bearer(issuer.token("ec-2"))
    assert app_client.get("/api/nodes", headers=new).status_code == 200
    assert issuer.fetches == 2
    # A flood of made-up key ids costs at most one fetch per interval.
    issuer.add_key("made-up", "RS256", publish=False)
    started = time.monotonic()
    for _ in range(40):
        kid = uuid.uuid4().hex
        token = jwt.encode(issuer.claims(), issuer.keys["made-up"][1], "RS256", {"kid": kid})
        assert app_client.get("/api/nodes", headers=bearer(token)).status_code == 401
    elapsed = time.monotonic() - started
    assert issuer.fetches <= 2 + 1 + int(elapsed / 0.5)
    old = app_client.get("/api/nodes", headers=bearer(issuer.token("rsa-1")))
    assert old.status_code == 401
    assert "unknown kid" in old.json()["detail"]
    assert app_client.get("/api/nodes", headers=new).status_code == 200


def test_an_issuer_that_is_down_or_slow_gives_503_quickly(
    store: GraphStore, settings: Settings, issuer: Issuer, admin: dict[str, str]
) -> None:
    token = issuer.token()
    for trouble in ("slow", "down"):
        on = signed_in_settings(settings, issuer)
        with TestClient(create_app(on, store=store)) as client:
            if trouble == "slow":
                issuer.delay = 3.0
            else:
                issuer.stop()
            started = time.monotonic()
            answers = [client.get("/api/nodes", headers=bearer(token)) for _ in range(5)]
            assert time.monotonic() - started < 2.5, trouble  # one timeout (1 s), not five
            for response in answers:
                assert response.status_code == 503, trouble
                assert "issuer's keys cannot be fetched" in response.json()["detail"]
                assert response.headers["retry-after"] == "30"
            # API tokens do not depend on the issuer.
            assert client.get("/api/nodes", headers=admin).status_code == 200


def test_api_tokens_work_alongside_and_the_jwks_url_may_be_given(
    store: GraphStore, settings: Settings, issuer: Issuer, admin: dict[str, str]
) -> None:
    issuer.add_key("ec-1", "ES256")
    on = signed_in_settings(
        settings,
        issuer,
        oidc_jwks_url=issuer.url + "/jwks",
        oidc_roles_claim="groups",
        oidc_username_claim="email",
    )
    with TestClient(create_app(on, store=store)) as client:
        token = issuer.token("ec-1", groups=["vg-admins"], email="carol@example.org")
        assert client.get("/api/tokens", headers=bearer(token)).status_code == 200
        assert client.get("/api/tokens", headers=admin).status_code == 200
        forged = client.get("/api/nodes", headers=bearer("vg_forged_token"))
        assert forged.status_code == 401
        assert forged.json()["detail"] == "invalid or revoked token"
        missing = client.get("/api/nodes")
        assert missing.status_code == 401
        counted = client.get("/api/audit/refused-authentications", headers=admin).json()
        assert (counted["missing_token"], counted["invalid_token"]) == (1, 1)


def test_a_discovery_document_naming_another_issuer_is_not_trusted(
    store: GraphStore, settings: Settings, issuer: Issuer
) -> None:
    # The configured issuer has a trailing slash the document does not: not the same issuer.
    on = signed_in_settings(settings, issuer, oidc_issuer=issuer.url + "/")
    with TestClient(create_app(on, store=store)) as client:
        response = client.get("/api/nodes", headers=bearer(issuer.token(iss=issuer.url + "/")))
        assert response.status_code == 503
    assert issuer.fetches == 0


def test_settings_refuse_symmetric_algorithms_and_an_issuer_without_audience() -> None:
    with pytest.raises(ValidationError, match="may list only"):
        Settings(oidc_algorithms=["RS256", "HS256"])
    with pytest.raises(ValidationError, match="may list only"):
        Settings(oidc_algorithms=["none"])
    with pytest.raises(ValidationError, match="needs VALUEGRAPH_OIDC_AUDIENCE"):
        Settings(oidc_issuer="https://login.example/realms/ea")
    configured = Settings(
        oidc_issuer="https://login.example/realms/ea",
        oidc_audience="valuegraph",
        oidc_role_map={"ea-admins": "admin"},
    )
    assert configured.oidc_username_claim == "preferred_username"


class _Hostile(BaseHTTPRequestHandler):
    """A JWKS endpoint that answers too much (`/big`) or drips its answer (`/drip`)."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        with contextlib.suppress(ConnectionError):
            if self.path == "/big":
                self.wfile.write(b'{"keys": [' + b'{"kid": "x"},' * 100_000)
            else:
                for _ in range(40):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.1)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def hostile() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_key_fetches_are_capped_in_size_and_time(hostile: str) -> None:
    with pytest.raises(IssuerUnavailable, match="more than 524288 bytes"):
        fetch_json(hostile + "/big", timeout_s=5)
    started = time.monotonic()
    with pytest.raises(IssuerUnavailable, match="took longer than 1 s"):
        fetch_json(hostile + "/drip", timeout_s=1)  # each byte in time, the whole too slow
    assert time.monotonic() - started < 1.5
    with pytest.raises(IssuerUnavailable, match="not an http"):
        fetch_json("file:///etc/passwd", timeout_s=1)
