"""GraphQL fields for the change history, mixed into Query by app.graphql.schema:
`history(id:)` (one element's versions), `changes(...)` (the change sets) and
`changeSet(seq:)` (what one changed). Types are derived from `queries.history`'s models, as
`app.graphql.answers` derives the answers; reading needs the viewer role, like every query.
Pruning is REST and CLI only (admin)."""

from __future__ import annotations

import strawberry
from strawberry.experimental.pydantic import type as pydantic_type
from strawberry.scalars import JSON

from app.graphql.answers import served
from app.graphql.context import Info, check_limit
from queries import history as hq


@pydantic_type(model=hq.Counts, all_fields=True, name="ChangeCounts")
class ChangeCountsType:
    pass


@pydantic_type(
    model=hq.ChangeSet,
    all_fields=True,
    name="ChangeSet",
    description="One committed change to the model: who, when, through what, how much.",
)
class ChangeSetType:
    pass


@pydantic_type(
    model=hq.Version,
    all_fields=True,
    name="Version",
    description="A change of one element or relationship, with its change set.",
)
class VersionType:
    before: JSON | None = strawberry.field(description="Null: it did not exist.")
    after: JSON | None = strawberry.field(description="Null: it was deleted.")


@pydantic_type(
    model=hq.Change,
    all_fields=True,
    name="Change",
    description="What one element or relationship was before and after a change set.",
)
class ChangeType:
    before: JSON | None = strawberry.field(description="Null: it did not exist.")
    after: JSON | None = strawberry.field(description="Null: it was deleted.")


@pydantic_type(model=hq.VersionPage, all_fields=True, name="VersionPage")
class VersionPageType:
    pass


@pydantic_type(model=hq.ChangeSetPage, all_fields=True, name="ChangeSetPage")
class ChangeSetPageType:
    pass


@pydantic_type(model=hq.ChangePage, all_fields=True, name="ChangePage")
class ChangePageType:
    pass


@strawberry.type
class HistoryQuery:
    @strawberry.field(description="The versions of one element or relationship, newest first.")
    async def history(
        self, info: Info, id: strawberry.ID, limit: int = 50, offset: int = 0
    ) -> VersionPageType:
        check_limit(info, limit)
        page = await info.context.run(
            hq.element_history, info.context.store, str(id), limit=limit, offset=max(offset, 0)
        )
        info.context.items.add(len(page.items))
        return served(VersionPageType, page)

    @strawberry.field(
        description="Committed changes to the model, newest first; `source` matches the "
        "channel, the action, the reference or the import source."
    )
    async def changes(
        self,
        info: Info,
        since: str | None = None,
        by: str | None = None,
        source: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> ChangeSetPageType:
        check_limit(info, limit)
        page = await info.context.run(
            hq.change_sets,
            info.context.store,
            since=since,
            by=by,
            source=source,
            limit=limit,
            offset=max(offset, 0),
        )
        info.context.items.add(len(page.items))
        return served(ChangeSetPageType, page)

    @strawberry.field(description="One change set and a page of what it changed.")
    async def change_set(
        self, info: Info, seq: int, limit: int = 50, offset: int = 0
    ) -> ChangePageType:
        check_limit(info, limit)
        page = await info.context.run(
            hq.change_set, info.context.store, seq, limit=limit, offset=max(offset, 0)
        )
        info.context.items.add(len(page.items))
        return served(ChangePageType, page)
