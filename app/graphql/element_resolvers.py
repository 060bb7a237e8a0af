"""GraphQL fields for the elements themselves: read, list, search, create, change, delete.

Mixed into the Query and Mutation types by app.graphql.schema, with one paginated list
field per node type (`list_fields`).
"""

from __future__ import annotations

from typing import Annotated, Any, cast

import strawberry
from strawberry.scalars import JSON

from app.graphql.context import Info, check_limit
from app.graphql.elements import (
    Element,
    ElementPage,
    NodeKind,
    Relationship,
    RelKind,
    snake,
    to_element,
    to_relationship,
)
from graph import edits
from graph.model import entity_tags
from graph.schema import SCHEMA
from graph.store import NotFoundError
from queries.moment import Moment, element_at

# The same entity tag REST's GET answers as `ETag` and its PATCH checks in `If-Match`.
IfMatch = Annotated[
    str | None,
    strawberry.argument(
        description="Change it only if it is still as read: the ETag of its REST GET (or `*`). "
        "One changed since is refused (code BAD_USER_INPUT, reason `changed`), checked in "
        "the write's transaction."
    ),
]


def _list_field(label: str) -> Any:
    async def resolve(info: Info, limit: int = 50, offset: int = 0) -> ElementPage:
        check_limit(info, limit)
        items, total = await info.context.run(
            info.context.store.list_nodes, labels=[label], limit=limit, offset=_offset(offset)
        )
        info.context.items.add(len(items))
        return ElementPage(
            total=total, limit=limit, offset=offset, items=[to_element(i) for i in items]
        )

    resolve.__annotations__ = {"info": Info, "limit": int, "offset": int, "return": ElementPage}
    return strawberry.field(resolver=resolve, description=f"All {label} nodes, paginated.")


def _plural(label: str) -> str:
    name = label[0].lower() + label[1:]
    if name.endswith("y"):
        return name[:-1] + "ies"
    return {"person": "people"}.get(name, name + "s")


def list_fields() -> dict[str, Any]:
    """One paginated list field per node type (`valueStreams`, `people`, …), by name."""
    return {snake(_plural(n.label)): _list_field(n.label) for n in SCHEMA.nodes}


def _offset(offset: int) -> int:
    """A page's start, refused when negative as on REST and the questions' pages."""
    if offset < 0:
        raise ValueError("offset must not be negative")
    return offset


# The longest search text, as REST's `q` allows.
MAX_SEARCH_TEXT = 200


@strawberry.type
class ElementsQuery:
    @strawberry.field(description="One element by id, or null.")
    async def node(
        self,
        info: Info,
        id: strawberry.ID,
        as_of: Annotated[
            str | None,
            strawberry.argument(
                description="The element as it was then, from the change history "
                "(YYYY-MM-DD or an ISO time): its own fields and its relationship fields "
                "(and theirs) read the model at that instant."
            ),
        ] = None,
        at: Annotated[
            str | None,
            strawberry.argument(
                description="Null unless the element is in use on this day (YYYY-MM-DD) "
                "by its lifecycle dates; its relationship fields read the model on that day."
            ),
        ] = None,
    ) -> Element | None:
        when = Moment.of(as_of, at)
        if when.present:
            view = await info.context.run(info.context.store.get_node, str(id))
        else:
            try:
                view = await info.context.run(element_at, info.context.store, str(id), when)
            except NotFoundError:
                view = None
        return to_element(view, when) if view else None

    @strawberry.field(description="Elements of any type, filtered and paginated by name.")
    async def nodes(
        self,
        info: Info,
        types: list[NodeKind] | None = None,
        name_contains: str | None = None,
        tag: str | None = None,
        limit: int = 50,
        offset: int = 0,
        archimate_types: list[str] | None = None,
    ) -> ElementPage:
        check_limit(info, limit)
        labels = [t.value for t in types] if types else None
        items, total = await info.context.run(
            info.context.store.list_nodes,
            labels=labels,
            q=name_contains,
            tag=tag,
            archimate_types=archimate_types,
            limit=limit,
            offset=_offset(offset),
        )
        info.context.items.add(len(items))
        return ElementPage(
            total=total, limit=limit, offset=offset, items=[to_element(i) for i in items]
        )

    @strawberry.field(description="Type-ahead search over names and descriptions.")
    async def search(
        self,
        info: Info,
        text: str,
        types: list[NodeKind] | None = None,
        limit: int = 20,
        archimate_types: list[str] | None = None,
    ) -> list[Element]:
        check_limit(info, limit)
        if len(text) > MAX_SEARCH_TEXT:  # as over REST: a search text is a few words
            raise ValueError(f"text must be at most {MAX_SEARCH_TEXT} characters")
        labels = [t.value for t in types] if types else None
        items = await info.context.run(
            info.context.store.search,
            text,
            labels=labels,
            archimate_types=archimate_types,
            limit=limit,
        )
        info.context.items.add(len(items))
        return [to_element(i) for i in items]

    @strawberry.field(description="Relationships, filtered by type and endpoints.")
    async def relationships(
        self,
        info: Info,
        types: list[RelKind] | None = None,
        source: str | None = None,
        target: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Relationship]:
        check_limit(info, limit)
        items, _ = await info.context.run(
            info.context.store.list_relationships,
            types=[t.value for t in types] if types else None,
            source=source,
            target=target,
            limit=limit,
            offset=_offset(offset),
        )
        info.context.items.add(len(items))
        return [to_relationship(i) for i in items]

    @strawberry.field(description="Counts of nodes and relationships by type.")
    async def stats(self, info: Info) -> JSON:
        return cast(JSON, await info.context.run(info.context.store.stats))

    @strawberry.field(description="The graph schema: types, properties, allowed endpoints.")
    def schema(self) -> JSON:
        return cast(JSON, SCHEMA.as_dict())


@strawberry.type
class ElementsMutation:
    @strawberry.mutation(
        description="Create a node of the given type (409-like error if it exists)."
    )
    async def create_node(
        self,
        info: Info,
        type: NodeKind,
        name: str,
        id: strawberry.ID | None = None,
        description: str = "",
        tags: list[str] | None = None,
        properties: JSON | None = None,
        attributes: JSON | None = None,
    ) -> Element:
        data: dict[str, Any] = {
            "type": type.value,
            "name": name,
            "description": description,
            "tags": tags or [],
            "properties": properties or {},
            **(attributes if isinstance(attributes, dict) else {}),
        }
        if id is not None:
            data["id"] = str(id)
        node = edits.parse_node(data)
        created: Element = to_element(
            await info.context.run(edits.create_node, info.context.store, node)
        )
        return created

    @strawberry.mutation(
        description="Change fields of a node; typed properties set to null are cleared. With "
        "`ifMatch`, only if it is still as read."
    )
    async def update_node(
        self, info: Info, id: strawberry.ID, patch: JSON, if_match: IfMatch = None
    ) -> Element:
        if not isinstance(patch, dict):
            raise ValueError("patch must be an object")
        updated: Element = to_element(
            await info.context.run(
                edits.update_node,
                info.context.store,
                str(id),
                patch,
                if_match=entity_tags(if_match),
            )
        )
        return updated

    @strawberry.mutation(description="Delete a node and its relationships.")
    async def delete_node(self, info: Info, id: strawberry.ID) -> bool:
        await info.context.run(info.context.store.delete_node, str(id))
        return True

    @strawberry.mutation(description="Create a relationship between existing nodes.")
    async def create_relationship(
        self,
        info: Info,
        type: RelKind,
        source: strawberry.ID,
        target: strawberry.ID,
        id: strawberry.ID | None = None,
        properties: JSON | None = None,
        attributes: JSON | None = None,
    ) -> Relationship:
        data: dict[str, Any] = {
            "type": type.value,
            "source": str(source),
            "target": str(target),
            "properties": properties or {},
            **(attributes if isinstance(attributes, dict) else {}),
        }
        if id is not None:
            data["id"] = str(id)
        rel = edits.parse_relationship(data)
        return to_relationship(
            await info.context.run(edits.create_relationship, info.context.store, rel)
        )

    @strawberry.mutation(
        description="Make `owner` the element's one owner in one change (all or nothing)."
    )
    async def move_owner(self, info: Info, id: strawberry.ID, owner: strawberry.ID) -> Relationship:
        return to_relationship(
            await info.context.run(edits.move_owner, info.context.store, str(id), str(owner))
        )

    @strawberry.mutation(
        description="Change a relationship's typed fields or free `properties` (its id, type "
        "and ends cannot change); fields set to null are cleared. With `ifMatch`, only if it "
        "is still as read."
    )
    async def update_relationship(
        self, info: Info, id: strawberry.ID, patch: JSON, if_match: IfMatch = None
    ) -> Relationship:
        if not isinstance(patch, dict):
            raise ValueError("patch must be an object")
        return to_relationship(
            await info.context.run(
                edits.update_relationship,
                info.context.store,
                str(id),
                patch,
                if_match=entity_tags(if_match),
            )
        )

    @strawberry.mutation(description="Delete a relationship.")
    async def delete_relationship(self, info: Info, id: strawberry.ID) -> bool:
        await info.context.run(info.context.store.delete_relationship, str(id))
        return True
