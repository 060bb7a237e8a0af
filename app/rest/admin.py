"""Administration over REST: who the caller is (any role), API tokens and the audit log
(admin role)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, Field

from app.auth import AdminDep, PrincipalDep, RefusedAuthentications
from app.deps import StoreDep
from graph.audit import list_events
from graph.tokens import Role, create_token, list_tokens, revoke_token

router = APIRouter(tags=["admin"])


class Caller(BaseModel):
    name: str = Field(description="The token's name, or the signed-in user's.")
    role: str = Field(description="viewer, editor or admin: what the caller may do.")


@router.get("/api/me", response_model=Caller)
def me(principal: PrincipalDep) -> Caller:
    """Who the caller is and their role, so a client offers only what the role allows (the
    explorer's edit controls); with auth off, the local developer, an admin."""
    return Caller(name=principal.name, role=principal.role.label)


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    role: Annotated[str, Field(pattern="^(viewer|editor|admin)$")] = "viewer"


class TokenCreated(BaseModel):
    id: str
    name: str
    role: str
    token: str = Field(description="The secret; shown this once only.")


@router.post("/api/tokens", response_model=TokenCreated, status_code=status.HTTP_201_CREATED)
def create(store: StoreDep, _: AdminDep, body: TokenIn) -> TokenCreated:
    token_id, secret = create_token(store, name=body.name, role=Role.parse(body.role))
    return TokenCreated(id=token_id, name=body.name, role=body.role, token=secret)


@router.get("/api/tokens")
def tokens(store: StoreDep, _: AdminDep) -> list[dict[str, Any]]:
    """Tokens with their names, roles and dates; never their secrets."""
    return list_tokens(store)


@router.delete("/api/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke(store: StoreDep, _: AdminDep, token_id: str) -> Response:
    revoke_token(store, token_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/api/audit")
def audit(
    store: StoreDep,
    _: AdminDep,
    actor: Annotated[str | None, Query(max_length=200)] = None,
    since: Annotated[str | None, Query(max_length=40, description="ISO time")] = None,
    target: Annotated[str | None, Query(max_length=300)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[dict[str, Any]]:
    """Who changed or imported what, newest first."""
    return list_events(store, actor=actor, since=since, target=target, limit=limit, offset=offset)


class RefusedCount(BaseModel):
    missing_token: int = Field(description="Requests to the API without a bearer token.")
    invalid_token: int = Field(description="Requests with an unknown or revoked token.")
    since: str = Field(description="When counting began (the service's start).")


@router.get("/api/audit/refused-authentications", response_model=RefusedCount)
def refused_authentications(request: Request, _: AdminDep) -> dict[str, Any]:
    """Requests refused for want of a valid token: counted in memory, never stored, so that
    callers without a token cannot grow the audit log."""
    refusals: RefusedAuthentications = request.app.state.refused_authentications
    return refusals.as_dict()


class DuplicateId(BaseModel):
    id: str
    types: list[str] = Field(description="The type of each relationship using the id.")


class Integrity(BaseModel):
    duplicate_relationship_ids: int = Field(
        description="Relationship ids used by more than one relationship (of different types)."
    )
    duplicates: list[DuplicateId] = Field(description="The first of them, by id.")


@router.get("/api/integrity", response_model=Integrity)
def integrity(
    store: StoreDep,
    _: AdminDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Integrity:
    """What the data holds that the model's rules now refuse: relationship ids used by more
    than one relationship (written before ids were unique across types; reported at
    start-up too). Reads every relationship."""
    total, shown = store.duplicate_relationship_ids(limit=limit)
    return Integrity(
        duplicate_relationship_ids=total,
        duplicates=[DuplicateId(**d) for d in shown],
    )
