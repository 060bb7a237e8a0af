"""REST routes for the change history: an element's versions, the change sets, one change
set's changes (viewer), verifying the hash chain and pruning before a date (admin). There is no route that changes
or deletes a recorded change: the history is written only by the changes themselves."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from app.auth import AdminDep
from app.deps import SettingsDep, StoreDep
from app.rest.paging import Limit, Offset, cap_limit
from queries import history as hq

router = APIRouter(tags=["history"])


@router.get("/api/changes", response_model=hq.ChangeSetPage)
def changes(
    store: StoreDep,
    settings: SettingsDep,
    since: Annotated[
        str | None, Query(max_length=40, description="ISO date or time (UTC if no zone).")
    ] = None,
    by: Annotated[str | None, Query(max_length=200, description="Token name or id.")] = None,
    source: Annotated[
        str | None,
        Query(
            max_length=500,
            description="Channel (rest, graphql, cli), action (import, edit, scenario, reset, "
            "prune), reference (run id, scenario) or import source.",
        ),
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> hq.ChangeSetPage:
    """Committed changes to the model, newest first."""
    limit = cap_limit(limit, settings)
    return hq.change_sets(store, since=since, by=by, source=source, limit=limit, offset=offset)


@router.get("/api/changes/{seq}", response_model=hq.ChangePage)
def change_set(
    store: StoreDep, settings: SettingsDep, seq: int, limit: Limit = 50, offset: Offset = 0
) -> hq.ChangePage:
    """One change set and a page of what it changed, before and after."""
    return hq.change_set(store, seq, limit=cap_limit(limit, settings), offset=offset)


# Declared before the element route, which would otherwise take `verify` for an id.
@router.get("/api/history/verify", response_model=hq.ChainReport)
def verify(store: StoreDep, _: AdminDep) -> hq.ChainReport:
    """Walk the history's hash chain and report the first broken link, or that it is intact
    (admin)."""
    return hq.verify(store)


@router.get("/api/history/{item_id:path}", response_model=hq.VersionPage)
def element_history(
    store: StoreDep, settings: SettingsDep, item_id: str, limit: Limit = 50, offset: Offset = 0
) -> hq.VersionPage:
    """The versions of one element or relationship, newest first."""
    return hq.element_history(store, item_id, limit=cap_limit(limit, settings), offset=offset)


class PruneIn(BaseModel):
    before: str = Field(max_length=40, description="ISO date or time; history before it goes.")


@router.post("/api/history/prune", response_model=hq.ChangeSet)
def prune(store: StoreDep, _: AdminDep, body: PruneIn) -> hq.ChangeSet:
    """Forget the history before a date, keeping each element's state at that date; the
    prune is recorded as a change set of its own (admin)."""
    return hq.prune(store, body.before)
