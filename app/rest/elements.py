"""REST routes for the model: its schema and counts; create, read, update, delete, list and
search nodes and relationships."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Query, Response, status

from app.deps import SettingsDep, StoreDep
from app.rest.paging import Limit, Offset, cap_limit
from app.rest.questions import When
from graph import edits
from graph.model import (
    NodeIn,
    NodePage,
    NodeView,
    OwnerIn,
    RelIn,
    RelPage,
    RelView,
    entity_tags,
    etag,
)
from graph.schema import SCHEMA
from graph.store import NotFoundError
from queries.moment import element_at

router = APIRouter()

IfMatch = Annotated[
    str | None,
    Header(
        description="Change it only if it is still as read: the ETag of its GET (or `*`); "
        "412 Precondition Failed when it changed since."
    ),
]


def tagged(response: Response, view: dict[str, Any]) -> dict[str, Any]:
    """`view` answered with its ETag, for a later conditional PATCH."""
    response.headers["ETag"] = etag(view)
    return view


@router.get("/api/schema", tags=["schema"])
def get_schema() -> dict[str, Any]:
    """Node and relationship types, their properties and allowed endpoints."""
    return SCHEMA.as_dict()


@router.get("/api/stats", tags=["schema"])
def get_stats(store: StoreDep) -> dict[str, dict[str, int]]:
    """Counts of nodes by type and relationships by type."""
    return store.stats()


# -- nodes ---------------------------------------------------------------------------

ArchimateTypes = Annotated[
    list[str] | None,
    Query(
        description="ArchiMate element type(s) to include, e.g. ApplicationComponent "
        "(any case); every type is listed in GET /api/schema."
    ),
]


@router.get("/api/nodes", response_model=NodePage, tags=["nodes"])
def list_nodes(
    store: StoreDep,
    settings: SettingsDep,
    type: Annotated[list[str] | None, Query(description="Node type(s) to include.")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Name contains.")] = None,
    tag: Annotated[str | None, Query(max_length=100)] = None,
    source: Annotated[str | None, Query(max_length=500, description="Import source.")] = None,
    archimate_type: ArchimateTypes = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """List nodes ordered by name, filtered by type, ArchiMate type, name, tag or source,
    a page at a time."""
    limit = cap_limit(limit, settings)
    items, total = store.list_nodes(
        labels=type,
        q=q,
        tag=tag,
        source=source,
        archimate_types=archimate_type,
        limit=limit,
        offset=offset,
    )
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.get("/api/search", response_model=list[NodeView], tags=["nodes"])
def search(
    store: StoreDep,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    type: Annotated[list[str] | None, Query()] = None,
    archimate_type: ArchimateTypes = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[dict[str, Any]]:
    """Type-ahead search over names and descriptions (word prefixes match)."""
    return store.search(q, labels=type, archimate_types=archimate_type, limit=limit)


@router.post(
    "/api/nodes", response_model=NodeView, status_code=status.HTTP_201_CREATED, tags=["nodes"]
)
def create_node(store: StoreDep, node: Annotated[NodeIn, Body()]) -> dict[str, Any]:
    """Create a node; 409 if its id exists already."""
    return edits.create_node(store, node)


@router.get("/api/nodes/{node_id:path}", response_model=NodeView, tags=["nodes"])
def get_node(store: StoreDep, node_id: str, when: When, response: Response) -> dict[str, Any]:
    """A node (with its `ETag` for a conditional PATCH); `as_of`: as it was then (from the
    change history), `at`: only if in use on that day by its lifecycle dates (404
    otherwise)."""
    if not when.present:
        return element_at(store, node_id, when)
    node = store.get_node(node_id)
    if node is None:
        raise NotFoundError(f"no element with id {node_id!r}")
    return tagged(response, node)


@router.patch("/api/nodes/{node_id:path}", response_model=NodeView, tags=["nodes"])
def update_node(
    store: StoreDep,
    node_id: str,
    patch: Annotated[
        dict[str, Any],
        Body(
            description="Fields to change; typed properties of the node's type, or null to clear."
        ),
    ],
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    """Change fields of a node; with `If-Match`, only if it is still as read (else 412)."""
    node = edits.update_node(store, node_id, patch, if_match=entity_tags(if_match))
    return tagged(response, node)


@router.post("/api/nodes/{node_id:path}/owner", response_model=RelView, tags=["nodes"])
def move_owner(store: StoreDep, node_id: str, owner: Annotated[OwnerIn, Body()]) -> dict[str, Any]:
    """Make `owner` the node's one owner in one change: its OWNS relationship is created
    (kept if there) and every other owner's removed, all or nothing. Returns the OWNS
    relationship."""
    return edits.move_owner(store, node_id, owner.owner)


@router.delete("/api/nodes/{node_id:path}", status_code=status.HTTP_204_NO_CONTENT, tags=["nodes"])
def delete_node(store: StoreDep, node_id: str) -> Response:
    """Delete a node together with its relationships."""
    store.delete_node(node_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# -- relationships ---------------------------------------------------------------------


@router.get("/api/relationships", response_model=RelPage, tags=["relationships"])
def list_relationships(
    store: StoreDep,
    settings: SettingsDep,
    type: Annotated[list[str] | None, Query(description="Relationship type(s).")] = None,
    source: Annotated[str | None, Query(max_length=200)] = None,
    target: Annotated[str | None, Query(max_length=200)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    limit = cap_limit(limit, settings)
    items, total = store.list_relationships(
        types=type, source=source, target=target, limit=limit, offset=offset
    )
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.post(
    "/api/relationships",
    response_model=RelView,
    status_code=status.HTTP_201_CREATED,
    tags=["relationships"],
)
def create_relationship(store: StoreDep, rel: Annotated[RelIn, Body()]) -> dict[str, Any]:
    """Create a relationship between existing nodes; endpoints are checked against the schema."""
    return edits.create_relationship(store, rel)


@router.get("/api/relationships/{rel_id:path}", response_model=RelView, tags=["relationships"])
def get_relationship(store: StoreDep, rel_id: str, response: Response) -> dict[str, Any]:
    """A relationship, with its `ETag` for a conditional PATCH."""
    rel = store.get_relationship(rel_id)
    if rel is None:
        raise NotFoundError(f"no relationship with id {rel_id!r}")
    return tagged(response, rel)


@router.patch("/api/relationships/{rel_id:path}", response_model=RelView, tags=["relationships"])
def update_relationship(
    store: StoreDep,
    rel_id: str,
    patch: Annotated[dict[str, Any], Body()],
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    """Change a relationship's typed or free properties; its endpoints cannot change. With
    `If-Match`, only if it is still as read (else 412)."""
    rel = edits.update_relationship(store, rel_id, patch, if_match=entity_tags(if_match))
    return tagged(response, rel)


@router.delete(
    "/api/relationships/{rel_id:path}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["relationships"],
)
def delete_relationship(store: StoreDep, rel_id: str) -> Response:
    store.delete_relationship(rel_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
