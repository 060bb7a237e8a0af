"""API tokens, kept in Neo4j beside the model (label `ApiToken`, never `Element`).

Only a SHA-256 digest of each token is stored. Tokens are 256 random bits, so a fast
digest is enough: there is nothing to brute-force that a slow hash would protect.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from graph.labels import API_TOKEN
from graph.model import now_iso
from graph.store import GraphStore, NotFoundError

TOKEN_PREFIX = "vg_"


class Role(IntEnum):
    """Ordered: each role may do everything the ones below it may."""

    VIEWER = 1
    EDITOR = 2
    ADMIN = 3

    @classmethod
    def parse(cls, name: str) -> Role:
        try:
            return cls[name.upper()]
        except KeyError:
            raise ValueError(f"unknown role {name!r}; use viewer, editor or admin") from None

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Principal:
    """Who is calling: a token's id and name, or the local development user."""

    token_id: str
    name: str
    role: Role


CREATE = f"""
CREATE (t:{API_TOKEN} {{id: $id, name: $name, role: $role, digest: $digest, created_at: $now}})
"""

LOOKUP = f"""
MATCH (t:{API_TOKEN} {{digest: $digest}})
WHERE t.revoked_at IS NULL
RETURN t.id AS id, t.name AS name, t.role AS role
"""

LIST = f"""
MATCH (t:{API_TOKEN})
RETURN t.id AS id, t.name AS name, t.role AS role, t.created_at AS created_at,
       t.revoked_at AS revoked_at
ORDER BY t.created_at
"""

REVOKE = f"""
MATCH (t:{API_TOKEN} {{id: $id}})
SET t.revoked_at = coalesce(t.revoked_at, $now)
RETURN t.id AS id
"""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(store: GraphStore, *, name: str, role: Role) -> tuple[str, str]:
    """Create a token; returns (token id, secret). The secret is shown once, never stored."""
    token_id = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
    store.execute(
        CREATE,
        {
            "id": token_id,
            "name": name,
            "role": role.label,
            "digest": _digest(secret),
            "now": now_iso(),
        },
    )
    return token_id, secret


# A token found valid is believed for this long without asking Neo4j again: every API
# request is identified, and under load that lookup was a Neo4j round trip per request
# (a tenth of the interpreter's time in bench.adversarial). Only valid tokens are kept, so
# made-up ones always cost a lookup and a new token works at once. A revocation made in
# this process takes effect at once; one made by another process (the CLI beside a
# running service) within this many seconds.
VERIFIED_FOR_S = 5.0
_MAX_VERIFIED = 1024

_verified: dict[str, tuple[Principal, float]] = {}
_verified_lock = threading.Lock()
_revocations = 0  # counted, so a lookup that raced a revocation is not kept


def verified(secret: str) -> Principal | None:
    """The caller of `secret` if it was found valid in the last `VERIFIED_FOR_S`, else None
    (unknown, not necessarily invalid: `authenticate` asks Neo4j). Never waits on Neo4j,
    so the service can ask it on its event loop."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    with _verified_lock:
        known = _verified.get(_digest(secret))
    return known[0] if known is not None and known[1] > time.monotonic() else None


def authenticate(store: GraphStore, secret: str) -> Principal | None:
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    digest = _digest(secret)
    now = time.monotonic()
    with _verified_lock:
        known = _verified.get(digest)
        revocations = _revocations
    if known is not None and known[1] > now:
        return known[0]
    records = store.read(LOOKUP, {"digest": digest})
    if not records:
        return None
    r = records[0]
    principal = Principal(token_id=r["id"], name=r["name"], role=Role.parse(r["role"]))
    with _verified_lock:
        if revocations == _revocations:
            if len(_verified) >= _MAX_VERIFIED:
                _verified.clear()
            _verified[digest] = (principal, now + VERIFIED_FOR_S)
    return principal


def forget_verified() -> None:
    """Believe no token without asking Neo4j again (a token is being revoked, or tests);
    a lookup already under way is not kept either."""
    global _revocations
    with _verified_lock:
        _verified.clear()
        _revocations += 1


def list_tokens(store: GraphStore) -> list[dict[str, Any]]:
    return [dict(r) for r in store.read(LIST)]


def revoke_token(store: GraphStore, token_id: str) -> None:
    forget_verified()
    if not store.execute(REVOKE, {"id": token_id, "now": now_iso()}):
        raise NotFoundError(f"no token with id {token_id!r}")
    forget_verified()  # a request may have verified it while the revocation was written
