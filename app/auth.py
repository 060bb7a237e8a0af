"""Who may do what: bearer tokens with roles viewer < editor < admin.

REST routes get their role from the HTTP method (reads: viewer; writes: editor), and
routes that destroy or administer ask for admin explicitly. GraphQL authenticates as a
viewer and mutations ask for editor (`app.graphql.guard.MutationGuard`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from app.settings import Settings
from graph.store import GraphStore
from graph.tokens import Principal, Role, authenticate

LOCAL_DEVELOPER = Principal(token_id="local", name="local developer (auth off)", role=Role.ADMIN)
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, message, headers={"WWW-Authenticate": "Bearer"}
    )


def current_principal(request: Request) -> Principal:
    """The caller, from `Authorization: Bearer <token>`; cached on the request."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    settings: Settings = request.app.state.settings
    if not settings.auth_enabled:
        principal = LOCAL_DEVELOPER
    else:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized("authentication required: send 'Authorization: Bearer <token>'")
        store: GraphStore = request.app.state.store
        found = authenticate(store, token.strip())
        if found is None:
            raise _unauthorized("invalid or revoked token")
        principal = found
    request.state.principal = principal
    return principal


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


def by_method(request: Request) -> Principal:
    """Router-wide rule: reading needs viewer, anything else editor."""
    return require(Role.VIEWER if request.method in READ_METHODS else Role.EDITOR)(request)


PrincipalDep = Annotated[Principal, Depends(current_principal)]
AdminDep = Annotated[Principal, Depends(require(Role.ADMIN))]
