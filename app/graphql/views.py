"""GraphQL fields for the explorer's saved views (`graph.saved_views`), mixed into Query and
Mutation by app.graphql.schema: `views` and `view(id:)` for every reader; `createView`,
`updateView` and `deleteView` for editors (the mutation guard), changing only their own
views unless they are admins (FORBIDDEN otherwise, as REST's 403)."""

from __future__ import annotations

import strawberry
from pydantic import ValidationError
from strawberry.experimental.pydantic import type as pydantic_type

from app.graphql.answers import served
from app.graphql.context import Info, check_limit
from graph import saved_views as sv
from graph.edits import FieldErrors
from graph.store import NotFoundError
from graph.tokens import Role


@pydantic_type(
    model=sv.SavedView,
    all_fields=True,
    name="SavedView",
    description="A saved, named view of the explorer; `?view=<id>` opens it.",
)
class SavedViewType:
    id: strawberry.ID


@pydantic_type(model=sv.ViewPage, all_fields=True, name="SavedViewPage")
class SavedViewPageType:
    pass


@strawberry.input(description="A view to save: its name, what it is for, the explorer's state.")
class ViewInput:
    name: str
    state: str = strawberry.field(
        description="The explorer's URL state: its query string without the leading '?'."
    )
    description: str = ""


def _draft(given: ViewInput) -> sv.ViewDraft:
    """The draft as `graph.saved_views` checks it; too long or malformed: `FieldErrors`,
    naming each field refused (`extensions.fields`), as REST's 422 does."""
    try:
        return sv.ViewDraft(name=given.name, description=given.description, state=given.state)
    except ValidationError as exc:
        raise FieldErrors.of(exc) from exc


@strawberry.type
class ViewsQuery:
    @strawberry.field(description="The saved views, the latest changed first.")
    async def views(self, info: Info, limit: int = 100, offset: int = 0) -> SavedViewPageType:
        check_limit(info, limit)
        page = await info.context.run(
            sv.list_views, info.context.store, limit=limit, offset=max(offset, 0)
        )
        info.context.items.add(len(page.items))
        return served(SavedViewPageType, page)

    @strawberry.field(description="One saved view, or null.")
    async def view(self, info: Info, id: strawberry.ID) -> SavedViewType | None:
        try:
            found = await info.context.run(sv.get_view, info.context.store, str(id))
        except NotFoundError:
            return None
        return served(SavedViewType, found)


@strawberry.type
class ViewsMutation:
    @strawberry.mutation(description="Save a view, owned by the caller (editor).")
    async def create_view(self, info: Info, view: ViewInput) -> SavedViewType:
        principal = info.context.principal
        saved = await info.context.run(
            sv.create_view,
            info.context.store,
            _draft(view),
            owner=principal.name,
            owner_id=principal.token_id,
        )
        return served(SavedViewType, saved)

    @strawberry.mutation(description="Replace a saved view (its owner, or an admin).")
    async def update_view(self, info: Info, id: strawberry.ID, view: ViewInput) -> SavedViewType:
        principal = info.context.principal
        saved = await info.context.run(
            sv.update_view,
            info.context.store,
            str(id),
            _draft(view),
            actor_id=principal.token_id,
            admin=principal.role >= Role.ADMIN,
        )
        return served(SavedViewType, saved)

    @strawberry.mutation(description="Delete a saved view (its owner, or an admin).")
    async def delete_view(self, info: Info, id: strawberry.ID) -> bool:
        principal = info.context.principal
        await info.context.run(
            sv.delete_view,
            info.context.store,
            str(id),
            actor_id=principal.token_id,
            admin=principal.role >= Role.ADMIN,
        )
        return True
