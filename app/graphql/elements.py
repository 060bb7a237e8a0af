"""The element types, generated from the graph schema (`graph.schema.SCHEMA`).

Each node type becomes an object type implementing the `Element` interface, with its
typed properties and one field per relationship it can take part in (named by the
schema's `forward` / `reverse` names). Relationship fields resolve through the
per-request DataLoader (`Context.neighbours`), so a list of N elements asking for their
neighbours costs one Neo4j query per relationship field, not N. An element read as of a
moment (`node(asOf:, at:)`) carries that moment, and its relationship fields, and theirs
below, read the model at that moment (`Context.neighbours_then`), never today's. These compute lazily,
so they are written here rather than derived from the pydantic views.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import TYPE_CHECKING, Any, cast

import strawberry
from strawberry.scalars import JSON

from app.graphql.context import Info, check_limit
from graph.model import etag as etag_of
from graph.schema import ANY, SCHEMA, NodeType, PropKind, RelType
from queries.moment import Moment

# Enums generated from the schema; type checkers see plain Enums.
if TYPE_CHECKING:
    NodeKind = Enum
    RelKind = Enum
else:
    NodeKind = strawberry.enum(
        Enum("NodeKind", {n.label: n.label for n in SCHEMA.nodes}),
        description="The node types of the valuegraph schema.",
    )
    RelKind = strawberry.enum(
        Enum("RelKind", {r.type: r.type for r in SCHEMA.rels}),
        description="The relationship types of the valuegraph schema.",
    )


_ETAG = (
    "Its entity tag, as REST's GET answers it in `ETag`: pass it as `ifMatch` to change it "
    "only if it is still as read. Null when read as of another moment."
)
# Where an element or relationship keeps the stored view it was made from (an attribute,
# not a field): its tag is a digest of that view, computed only when asked for.
VIEW = "_valuegraph_view"


def _etag(root: object) -> str | None:
    view = getattr(root, VIEW, None)
    return None if view is None else etag_of(view)


@strawberry.interface(description="Fields every element of the graph has.")
class Element:
    id: strawberry.ID
    type: str
    name: str
    description: str
    tags: list[str]
    properties: JSON
    source: str | None
    import_run: str | None
    created_at: str | None
    updated_at: str | None
    archimate_type: str | None = strawberry.field(
        description="The element's ArchiMate type, beside its operating-model type."
    )

    @strawberry.field(description=_ETAG)
    def etag(self) -> str | None:
        return _etag(self)


_SCALARS: dict[PropKind, Any] = {
    PropKind.STRING: str,
    PropKind.INT: int,
    PropKind.FLOAT: float,
    PropKind.BOOL: bool,
    PropKind.DATE: str,  # ISO text, YYYY-MM-DD, as stored and as REST shows it
}


def snake(name: str) -> str:
    """`ValueStream` → `value_stream` (strawberry prints it back in camelCase)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _participates(node: NodeType, rel: RelType, *, as_source: bool) -> bool:
    side = 0 if as_source else 1
    return any(e[side] in (node.label, ANY) for e in rel.endpoints)


def _relationship_resolver(rel: RelType, outgoing: bool) -> Any:
    async def resolve(root: Element, info: Info, limit: int = 500) -> list[Element]:
        # Bounded like every list: a platform used by thousands returns a page, by name.
        check_limit(info, limit)
        moment: Moment | None = getattr(root, MOMENT, None)
        loader = info.context.neighbours if moment is None else info.context.neighbours_then(moment)
        items = await loader.load((str(root.id), rel.type, outgoing, limit))
        info.context.items.add(len(items))
        return [to_element(i, moment) for i in items]

    resolve.__annotations__ = {
        "root": Element,
        "info": Info,
        "limit": int,
        "return": list[Element],
    }
    return resolve


def _make_type(node: NodeType) -> type:
    annotations: dict[str, Any] = {p.name: _SCALARS[p.kind] | None for p in node.props}
    namespace: dict[str, Any] = {"__annotations__": annotations}
    namespace.update({p.name: None for p in node.props})
    for rel in SCHEMA.rels:
        for outgoing, name in ((True, rel.forward), (False, rel.reverse)):
            if _participates(node, rel, as_source=outgoing):
                namespace[snake(name)] = strawberry.field(
                    resolver=_relationship_resolver(rel, outgoing),
                    description=f"{'→' if outgoing else '←'} {rel.type}: {rel.description}",
                )
    cls = type(node.label, (Element,), namespace)
    return strawberry.type(cls, description=node.description)


ELEMENT_TYPES: dict[str, type] = {n.label: _make_type(n) for n in SCHEMA.nodes}
_COMMON = ("id", "name", "description", "tags", "source", "import_run", "created_at", "updated_at")


# Where an element read at a moment keeps it: an attribute, not a field, so never published.
MOMENT = "_valuegraph_moment"


def to_element(view: dict[str, Any], moment: Moment | None = None) -> Any:
    """A node view (as the store returns it) as an instance of its GraphQL type; with a
    moment (not the present), its relationship fields read the model at that moment."""
    label = view["type"]
    node = SCHEMA.node(label)
    kwargs: dict[str, Any] = {k: view.get(k) for k in _COMMON}
    kwargs["description"] = kwargs["description"] or ""
    kwargs["tags"] = kwargs["tags"] or []
    kwargs["type"] = label
    kwargs["properties"] = view.get("properties", {})
    for p in node.props:
        kwargs[p.name] = view.get(p.name)
    element = ELEMENT_TYPES[label](**kwargs)
    if moment is not None and not moment.present:
        setattr(element, MOMENT, moment)
    else:
        setattr(element, VIEW, view)
    return element


@strawberry.type
class ElementPage:
    total: int
    limit: int
    offset: int
    items: list[Element]


@strawberry.type
class Relationship:
    id: strawberry.ID
    type: str
    source: str
    target: str
    properties: JSON
    attributes: JSON = strawberry.field(description="Typed properties of the relationship type.")

    @strawberry.field(description=_ETAG)
    def etag(self) -> str | None:
        return _etag(self)


def to_relationship(view: dict[str, Any]) -> Relationship:
    """A relationship view (as the store returns it) as a `Relationship`."""
    typed = {p.name: view.get(p.name) for p in SCHEMA.rel(view["type"]).props}
    rel = Relationship(
        id=strawberry.ID(view["id"]),
        type=view["type"],
        source=view["source"],
        target=view["target"],
        properties=view.get("properties", {}),
        attributes=cast(JSON, typed),
    )
    setattr(rel, VIEW, view)
    return rel
