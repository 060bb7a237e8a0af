"""REST routes for the explorer's saved views (`graph.saved_views`): anyone who may read
lists and opens them; an editor saves views and changes or deletes their own, an admin any.

The router-wide rule gives reads to viewers and writes to editors; whose view it is is
checked by `graph.saved_views` (403). Oversized fields answer 422, an oversized body 413.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from app.auth import PrincipalDep
from app.deps import SettingsDep, StoreDep
from app.rest.paging import Limit, Offset, cap_limit
from graph import saved_views as sv
from graph.tokens import Role

router = APIRouter(tags=["views"])

ViewId = Annotated[str, Path(max_length=64, pattern=r"^[\w-]+$", description="The view's id.")]


@router.get("/api/views", response_model=sv.ViewPage)
def list_views(
    store: StoreDep, settings: SettingsDep, limit: Limit = 100, offset: Offset = 0
) -> sv.ViewPage:
    """The saved views, the latest changed first."""
    return sv.list_views(store, limit=cap_limit(limit, settings), offset=offset)


@router.post("/api/views", response_model=sv.SavedView, status_code=201)
def create_view(store: StoreDep, principal: PrincipalDep, body: sv.ViewDraft) -> sv.SavedView:
    """Save a view, owned by the caller (editor)."""
    return sv.create_view(store, body, owner=principal.name, owner_id=principal.token_id)


@router.get("/api/views/{view_id}", response_model=sv.SavedView)
def get_view(store: StoreDep, view_id: ViewId) -> sv.SavedView:
    """One saved view."""
    return sv.get_view(store, view_id)


@router.put("/api/views/{view_id}", response_model=sv.SavedView)
def update_view(
    store: StoreDep, principal: PrincipalDep, view_id: ViewId, body: sv.ViewDraft
) -> sv.SavedView:
    """Replace a view's name, description and state (its owner, or an admin)."""
    return sv.update_view(
        store,
        view_id,
        body,
        actor_id=principal.token_id,
        admin=principal.role >= Role.ADMIN,
    )


@router.delete("/api/views/{view_id}", status_code=204)
def delete_view(store: StoreDep, principal: PrincipalDep, view_id: ViewId) -> Response:
    """Delete a view (its owner, or an admin)."""
    sv.delete_view(store, view_id, actor_id=principal.token_id, admin=principal.role >= Role.ADMIN)
    return Response(status_code=204)
