"""The explorer's saved named views: a name, a description, the explorer's URL state and who
owns it, stored as `SavedView` nodes beside the model.

A saved view is never an `Element`: no question, search, export, import or change history
sees it, and writing one is not a change to the model. What it holds is the explorer's query
string (`frontend/src/urlstate.ts`) as an opaque, bounded text: the explorer decodes it, the
server only keeps it. Sizes and counts are capped so that no caller can grow the database
without bound: the fields by their models (422 past a cap), the number of views per owner
and in all by `create_view` (422, naming the cap).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints, field_validator

from graph.labels import SAVED_VIEW
from graph.model import Page, now_iso, storable_problem
from graph.store import GraphStore, NotFoundError, StoreError

MAX_NAME = 120
MAX_DESCRIPTION = 2000
MAX_STATE = 4000
MAX_PER_OWNER = 200
MAX_VIEWS = 2000

# The explorer's query string is percent-encoded: printable ASCII without spaces or '#'.
STATE_PATTERN = r"^[!-\"$-~]*$"

# -- Cypher -----------------------------------------------------------------------------------

# Created only while the owner and the whole store are under their caps (counted in the
# same statement, so a burst of creations cannot pass the cap by much).
CREATE_VIEW = f"""
OPTIONAL MATCH (any:{SAVED_VIEW})
WITH count(any) AS total
OPTIONAL MATCH (mine:{SAVED_VIEW} {{owner_id: $props.owner_id}})
WITH total, count(mine) AS owned
WHERE total < $max_views AND owned < $max_per_owner
CREATE (v:{SAVED_VIEW})
SET v = $props
RETURN properties(v) AS props
"""

COUNT_VIEWS = f"""
OPTIONAL MATCH (any:{SAVED_VIEW})
WITH count(any) AS total
OPTIONAL MATCH (mine:{SAVED_VIEW} {{owner_id: $owner_id}})
RETURN total, count(mine) AS owned
"""

GET_VIEW = f"MATCH (v:{SAVED_VIEW} {{id: $id}}) RETURN properties(v) AS props"

LIST_VIEWS = f"""
MATCH (v:{SAVED_VIEW})
RETURN properties(v) AS props
ORDER BY v.updated_at DESC, v.id
SKIP $offset LIMIT $limit
"""

TOTAL_VIEWS = f"MATCH (v:{SAVED_VIEW}) RETURN count(v) AS total"

UPDATE_VIEW = f"""
MATCH (v:{SAVED_VIEW} {{id: $id}})
SET v.name = $name, v.description = $description, v.state = $state, v.updated_at = $now
RETURN properties(v) AS props
"""

DELETE_VIEW = f"""
MATCH (v:{SAVED_VIEW} {{id: $id}})
DELETE v
RETURN count(*) AS deleted
"""

# -- models -----------------------------------------------------------------------------------

Name = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=MAX_NAME, pattern=r"^[^\x00-\x1f\x7f]+$"
    ),
]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_DESCRIPTION)]
State = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=MAX_STATE, pattern=STATE_PATTERN)
]


class ViewDraft(BaseModel):
    """What the caller gives to create or replace a view."""

    name: Name = Field(description=f"What the view is called (1 to {MAX_NAME} characters).")
    description: Description = Field(
        default="", description=f"What the view is for (at most {MAX_DESCRIPTION} characters)."
    )
    state: State = Field(
        description="The explorer's URL state: its query string without the leading '?' "
        f"(at most {MAX_STATE} characters)."
    )

    @field_validator("name", "description", mode="before")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        # A lone surrogate cannot be sent to Neo4j; a control character would not export.
        if isinstance(value, str) and (problem := storable_problem(value)):
            raise ValueError(problem)
        return value


class SavedView(BaseModel):
    """A stored view, as every surface shows it."""

    id: str = Field(description="The view's id; `?view=<id>` opens it in the explorer.")
    name: str
    description: str
    state: str = Field(description="The explorer's URL state (query string, no '?').")
    owner: str = Field(description="Who saved it (token or sign-in name).")
    created_at: str
    updated_at: str

    @classmethod
    def from_props(cls, props: dict[str, Any]) -> SavedView:
        return cls(
            id=props["id"],
            name=props.get("name") or "",
            description=props.get("description") or "",
            state=props.get("state") or "",
            owner=props.get("owner") or "",
            created_at=props.get("created_at") or "",
            updated_at=props.get("updated_at") or "",
        )


class ViewPage(Page):
    items: list[SavedView]


class ViewForbidden(PermissionError):
    """The caller may not change this view: it is someone else's and they are no admin."""


class TooManyViews(StoreError):
    """A cap on the number of saved views is reached."""


# -- reading and writing ----------------------------------------------------------------------


def _props(store: GraphStore, view_id: str) -> dict[str, Any]:
    records = store.read(GET_VIEW, {"id": view_id})
    if not records:
        raise NotFoundError(f"no saved view with id {view_id!r}")
    return dict(records[0]["props"])


def get_view(store: GraphStore, view_id: str) -> SavedView:
    return SavedView.from_props(_props(store, view_id))


def list_views(store: GraphStore, *, limit: int = 100, offset: int = 0) -> ViewPage:
    """Every saved view, the latest changed first."""
    total = int(store.read(TOTAL_VIEWS)[0]["total"])
    records = store.read(LIST_VIEWS, {"limit": limit, "offset": offset})
    return ViewPage(
        total=total,
        limit=limit,
        offset=offset,
        items=[SavedView.from_props(dict(r["props"])) for r in records],
    )


def create_view(store: GraphStore, draft: ViewDraft, *, owner: str, owner_id: str) -> SavedView:
    now = now_iso()
    props = {
        "id": uuid.uuid4().hex[:16],
        "name": draft.name,
        "description": draft.description,
        "state": draft.state.removeprefix("?"),
        "owner": owner[:200],
        "owner_id": owner_id[:200],
        "created_at": now,
        "updated_at": now,
    }
    records = store.execute(
        CREATE_VIEW, {"props": props, "max_views": MAX_VIEWS, "max_per_owner": MAX_PER_OWNER}
    )
    if records:
        return SavedView.from_props(dict(records[0]["props"]))
    counts = store.read(COUNT_VIEWS, {"owner_id": props["owner_id"]})[0]
    if counts["owned"] >= MAX_PER_OWNER:
        raise TooManyViews(
            f"you have {MAX_PER_OWNER} saved views already, the most one owner may keep; "
            "delete one first"
        )
    raise TooManyViews(f"there are {MAX_VIEWS} saved views already, the most kept; delete some")


def _check_owner(props: dict[str, Any], *, actor_id: str, admin: bool) -> None:
    if not admin and props.get("owner_id") != actor_id:
        raise ViewForbidden(
            f"the saved view {props['id']!r} belongs to {props.get('owner') or 'someone else'}: "
            "only its owner or an admin may change or delete it"
        )


def update_view(
    store: GraphStore, view_id: str, draft: ViewDraft, *, actor_id: str, admin: bool
) -> SavedView:
    """Replace a view's name, description and state (its owner or an admin)."""
    _check_owner(_props(store, view_id), actor_id=actor_id, admin=admin)
    records = store.execute(
        UPDATE_VIEW,
        {
            "id": view_id,
            "name": draft.name,
            "description": draft.description,
            "state": draft.state.removeprefix("?"),
            "now": now_iso(),
        },
    )
    if not records:
        raise NotFoundError(f"no saved view with id {view_id!r}")
    return SavedView.from_props(dict(records[0]["props"]))


def delete_view(store: GraphStore, view_id: str, *, actor_id: str, admin: bool) -> None:
    """Delete a view (its owner or an admin)."""
    _check_owner(_props(store, view_id), actor_id=actor_id, admin=admin)
    if not store.execute(DELETE_VIEW, {"id": view_id})[0]["deleted"]:
        raise NotFoundError(f"no saved view with id {view_id!r}")
