"""Who may do what: bearer tokens with roles viewer < editor < admin.

A bearer token is an API token (`graph.tokens`, `vg_...`) or, when an issuer is configured,
a JWT of the organisation's sign-in (`app.oidc`) whose claims give the role.

REST routes get their role from the HTTP method (reads: viewer; writes: editor), and
routes that destroy or administer ask for admin explicitly. GraphQL authenticates as a
viewer and mutations ask for editor (`app.graphql.guard.MutationGuard`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool

from app.oidc import IssuerUnavailable, NoRole, OidcVerifier, SignInRefused
from app.settings import Settings
from graph.model import now_iso
from graph.store import GraphStore
from graph.tokens import TOKEN_PREFIX, Principal, Role, authenticate, verified

LOCAL_DEVELOPER = Principal(token_id="local", name="local developer (auth off)", role=Role.ADMIN)
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, message, headers={"WWW-Authenticate": "Bearer"}
    )


MISSING_TOKEN = "authentication required: send 'Authorization: Bearer <token>'"
INVALID_TOKEN = "invalid or revoked token"


class RefusedAuthentications:
    """How many requests were refused for want of a valid token, counted in memory only:
    storing each refused request would let anyone without a token grow the database."""

    def __init__(self) -> None:
        self.since = now_iso()
        self._counts = {MISSING_TOKEN: 0, INVALID_TOKEN: 0}
        self._lock = threading.Lock()

    def count(self, reason: str) -> None:
        with self._lock:
            self._counts[reason] = self._counts.get(reason, 0) + 1

    def as_dict(self) -> dict[str, Any]:
        with self._lock:
            return {
                "missing_token": self._counts[MISSING_TOKEN],
                "invalid_token": self._counts[INVALID_TOKEN],
                "since": self.since,
            }


def current_principal(request: Request) -> Principal:
    """The caller, from `Authorization: Bearer <token>`; cached on the request (and resolved
    for every API request by `app.middleware.AuditMiddleware` before routing)."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    refused: HTTPException | None = getattr(request.state, "auth_refused", None)
    if refused is not None:
        raise refused
    settings: Settings = request.app.state.settings
    if not settings.auth_enabled:
        principal = LOCAL_DEVELOPER
    else:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized(MISSING_TOKEN)
        token = token.strip()
        verifier: OidcVerifier | None = request.app.state.oidc
        if verifier is not None and not token.startswith(TOKEN_PREFIX):
            principal = _signed_in(verifier, token)
        else:
            store: GraphStore = request.app.state.store
            found = authenticate(store, token)
            if found is None:
                raise _unauthorized(INVALID_TOKEN)
            principal = found
    request.state.principal = principal
    return principal


def _signed_in(verifier: OidcVerifier, token: str) -> Principal:
    """The caller of an organisation's sign-in token: 401 with the reason it is refused,
    403 if it maps to no role, 503 while the issuer's keys cannot be fetched."""
    try:
        return verifier.principal(token)
    except SignInRefused as exc:
        raise _unauthorized(f"{INVALID_TOKEN}: {exc}") from None
    except NoRole as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from None
    except IssuerUnavailable:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "sign-in cannot be checked now: the issuer's keys cannot be fetched "
            "(see the service log); try again shortly, or use an API token",
            headers={"Retry-After": "30"},
        ) from None


def identified_at_once(request: Request) -> Principal | None:
    """The caller when that is known without waiting (auth off, or an API token verified
    moments ago: `graph.tokens.verified`), kept on the request as `current_principal`
    keeps it; None otherwise (`identify` then, in a thread: it may ask Neo4j). Every API
    request is identified: on a busy server each hand-over to a thread and back is a wait
    for the interpreter (and, on a loaded machine, for a core)."""
    settings: Settings = request.app.state.settings
    if not settings.auth_enabled:
        principal: Principal | None = LOCAL_DEVELOPER
    else:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        principal = verified(token.strip()) if scheme.lower() == "bearer" else None
    if principal is not None:
        request.state.principal = principal
    return principal


def identify(request: Request) -> Principal | None:
    """The caller if the request proves who it is, else None: the refusal is counted, and
    kept on the request for the route's answer. Neo4j being away propagates (nothing known)."""
    try:
        return current_principal(request)
    except HTTPException as exc:
        request.state.auth_refused = exc
        if exc.status_code in (status.HTTP_401_UNAUTHORIZED, status.HTTP_403_FORBIDDEN):
            # By kind only: a reason may quote the token, and distinct reasons are many.
            refusals: RefusedAuthentications = request.app.state.refused_authentications
            refusals.count(MISSING_TOKEN if exc.detail == MISSING_TOKEN else INVALID_TOKEN)
        return None


def require(role: Role) -> Callable[[Request], Principal]:
    def check(request: Request) -> Principal:
        principal = current_principal(request)
        if principal.role < role:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"this needs the {role.label} role; your token has {principal.role.label}",
            )
        return principal

    return check


async def by_method(request: Request) -> Principal:
    """Router-wide rule: reading needs viewer, anything else editor. Checked on the event
    loop when the caller is already known (`app.middleware.AuditMiddleware` identified
    every API request), in a thread when it is not (a token look-up in Neo4j)."""
    check = require(Role.VIEWER if request.method in READ_METHODS else Role.EDITOR)
    state = request.state
    if getattr(state, "principal", None) is None and getattr(state, "auth_refused", None) is None:
        return await run_in_threadpool(check, request)
    return check(request)


PrincipalDep = Annotated[Principal, Depends(current_principal)]
AdminDep = Annotated[Principal, Depends(require(Role.ADMIN))]
