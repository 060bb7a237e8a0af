"""GraphQL at /graphql, with the object types generated from the graph schema.

Each node type becomes an object type implementing the `Element` interface, with its
typed properties and one field per relationship it can take part in (named by the
schema's `forward` / `reverse` names). Relationship fields resolve through a per-request
DataLoader, so a list of N elements asking for their neighbours costs one Neo4j query
per relationship field, not N.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterator
from enum import Enum
from typing import TYPE_CHECKING, Any, cast

import strawberry
from fastapi import Depends
from graphql import ExecutionResult, FieldNode, GraphQLError, OperationDefinitionNode
from strawberry.dataloader import DataLoader
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.fastapi import BaseContext, GraphQLRouter
from strawberry.scalars import JSON
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from app.auth import require
from app.core.errors import FAILURES, UNEXPECTED, answer
from app.deps import get_live, get_settings, get_store
from app.graphql_imports import ImportsMutation, ImportsQuery
from app.graphql_questions import QuestionsMutation, QuestionsQuery, check_limit
from app.middleware import audit_detail
from app.settings import Settings
from graph import edits
from graph.audit import record_event
from graph.schema import ANY, SCHEMA, NodeType, PropKind, RelType
from graph.store import GraphStore
from graph.tokens import Principal, Role
from queries.live import LiveIndex

log = logging.getLogger(__name__)

NeighbourKey = tuple[str, str, bool, int]  # node id, relationship type, outgoing?, limit


class Context(BaseContext):
    def __init__(
        self, store: GraphStore, settings: Settings, principal: Principal, live: LiveIndex
    ) -> None:
        super().__init__()
        self.store = store
        self.live = live
        self.settings = settings
        self.principal = principal
        self.neighbours: DataLoader[NeighbourKey, list[dict[str, Any]]] = DataLoader(
            load_fn=self._load_neighbours
        )

    async def _load_neighbours(self, keys: list[NeighbourKey]) -> list[list[dict[str, Any]]]:
        return await asyncio.to_thread(self.store.neighbours, keys)

    async def run(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a (blocking) store call off the event loop."""
        return await asyncio.to_thread(fn, *args, **kwargs)


Info = strawberry.Info[Context, None]

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


_SCALARS: dict[PropKind, Any] = {
    PropKind.STRING: str,
    PropKind.INT: int,
    PropKind.FLOAT: float,
    PropKind.BOOL: bool,
}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _participates(node: NodeType, rel: RelType, *, as_source: bool) -> bool:
    side = 0 if as_source else 1
    return any(e[side] in (node.label, ANY) for e in rel.endpoints)


def _relationship_resolver(rel: RelType, outgoing: bool) -> Any:
    async def resolve(root: Element, info: Info, limit: int = 500) -> list[Element]:
        # Bounded like every list: a platform used by thousands returns a page, by name.
        check_limit(info, limit)
        items = await info.context.neighbours.load((str(root.id), rel.type, outgoing, limit))
        return [to_element(i) for i in items]

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
                namespace[_snake(name)] = strawberry.field(
                    resolver=_relationship_resolver(rel, outgoing),
                    description=f"{'→' if outgoing else '←'} {rel.type}: {rel.description}",
                )
    cls = type(node.label, (Element,), namespace)
    return strawberry.type(cls, description=node.description)


ELEMENT_TYPES: dict[str, type] = {n.label: _make_type(n) for n in SCHEMA.nodes}
_COMMON = ("id", "name", "description", "tags", "source", "import_run", "created_at", "updated_at")


def to_element(view: dict[str, Any]) -> Any:
    """A node view (as the store returns it) as an instance of its GraphQL type."""
    label = view["type"]
    node = SCHEMA.node(label)
    kwargs: dict[str, Any] = {k: view.get(k) for k in _COMMON}
    kwargs["description"] = kwargs["description"] or ""
    kwargs["tags"] = kwargs["tags"] or []
    kwargs["type"] = label
    kwargs["properties"] = view.get("properties", {})
    for p in node.props:
        kwargs[p.name] = view.get(p.name)
    return ELEMENT_TYPES[label](**kwargs)


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


def _to_relationship(view: dict[str, Any]) -> Relationship:
    typed = {p.name: view.get(p.name) for p in SCHEMA.rel(view["type"]).props}
    return Relationship(
        id=strawberry.ID(view["id"]),
        type=view["type"],
        source=view["source"],
        target=view["target"],
        properties=view.get("properties", {}),
        attributes=cast(JSON, typed),
    )


def _list_field(label: str) -> Any:
    async def resolve(info: Info, limit: int = 50, offset: int = 0) -> ElementPage:
        check_limit(info, limit)
        items, total = await info.context.run(
            info.context.store.list_nodes, labels=[label], limit=limit, offset=max(0, offset)
        )
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


@strawberry.type
class _QueryBase:
    @strawberry.field(description="One element by id, or null.")
    async def node(self, info: Info, id: strawberry.ID) -> Element | None:
        view = await info.context.run(info.context.store.get_node, str(id))
        return to_element(view) if view else None

    @strawberry.field(description="Elements of any type, filtered and paginated by name.")
    async def nodes(
        self,
        info: Info,
        types: list[NodeKind] | None = None,
        name_contains: str | None = None,
        tag: str | None = None,
        archimate_types: list[str] | None = None,
        limit: int = 50,
        offset: int = 0,
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
            offset=max(0, offset),
        )
        return ElementPage(
            total=total, limit=limit, offset=offset, items=[to_element(i) for i in items]
        )

    @strawberry.field(description="Type-ahead search over names and descriptions.")
    async def search(
        self,
        info: Info,
        text: str,
        types: list[NodeKind] | None = None,
        archimate_types: list[str] | None = None,
        limit: int = 20,
    ) -> list[Element]:
        check_limit(info, limit)
        labels = [t.value for t in types] if types else None
        items = await info.context.run(
            info.context.store.search,
            text,
            labels=labels,
            archimate_types=archimate_types,
            limit=limit,
        )
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
            offset=max(0, offset),
        )
        return [_to_relationship(i) for i in items]

    @strawberry.field(description="Counts of nodes and relationships by type.")
    async def stats(self, info: Info) -> JSON:
        return cast(JSON, await info.context.run(info.context.store.stats))

    @strawberry.field(description="The graph schema: types, properties, allowed endpoints.")
    def schema(self) -> JSON:
        return cast(JSON, SCHEMA.as_dict())


Query = strawberry.type(
    type(
        "Query",
        (_QueryBase, QuestionsQuery, ImportsQuery),
        {_snake(_plural(n.label)): _list_field(n.label) for n in SCHEMA.nodes},
    )
)


@strawberry.type
class _MutationBase:
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
        description="Change fields of a node; typed properties set to null are cleared."
    )
    async def update_node(self, info: Info, id: strawberry.ID, patch: JSON) -> Element:
        if not isinstance(patch, dict):
            raise ValueError("patch must be an object")
        updated: Element = to_element(
            await info.context.run(edits.update_node, info.context.store, str(id), patch)
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
        return _to_relationship(
            await info.context.run(edits.create_relationship, info.context.store, rel)
        )

    @strawberry.mutation(description="Delete a relationship.")
    async def delete_relationship(self, info: Info, id: strawberry.ID) -> bool:
        await info.context.run(info.context.store.delete_relationship, str(id))
        return True


Mutation = strawberry.type(
    type("Mutation", (_MutationBase, QuestionsMutation, ImportsMutation), {})
)


class MutationGuard(SchemaExtension):
    """Mutations need the editor role, and each one is written to the audit log."""

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        is_mutation = ctx.operation_type == OperationType.MUTATION
        context: Context = ctx.context
        if is_mutation and context.principal.role < Role.EDITOR:
            ctx.result = ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        "mutations need the editor role; your token has "
                        + context.principal.role.label
                    )
                ],
            )
        yield
        if is_mutation:
            self._audit(context)

    def _audit(self, context: Context) -> None:
        ctx = self.execution_context
        fields = sorted(
            {
                sel.name.value
                for op in (ctx.graphql_document.definitions if ctx.graphql_document else [])
                if isinstance(op, OperationDefinitionNode)
                for sel in op.selection_set.selections
                if isinstance(sel, FieldNode)
            }
        )
        errors = ctx.result.errors if ctx.result else None
        ids = sorted(
            {str(v) for k, v in (ctx.variables or {}).items() if k in ("id", "source", "target")}
        )
        try:
            record_event(
                context.store,
                actor=context.principal.name,
                token_id=context.principal.token_id,
                role=context.principal.role.label,
                action="graphql " + ",".join(fields),
                target=",".join(ids),
                status=400 if errors else 200,
                detail=audit_detail("", {"variables": ctx.variables or {}}),
            )
        except Exception:  # the mutation is done; a lost audit line must not fail it
            log.exception("could not record audit event for GraphQL mutation")


def _behind(exc: BaseException | None) -> BaseException | None:
    """The exception a GraphQL error stands for; None for a refusal in GraphQL's own terms."""
    while isinstance(exc, GraphQLError):
        inner = exc.original_error or exc.__cause__
        if inner is None:
            return None
        exc = inner
    return exc


def error_code(exc: BaseException | None) -> tuple[str, str]:
    """`extensions.code` (the class a client branches on: BAD_USER_INPUT is the caller's to
    fix) and `extensions.reason` (what exactly), from the exception behind an error."""
    inner = _behind(exc)
    if inner is None:
        return "BAD_USER_INPUT", "invalid"
    verdict = answer(inner)
    return verdict.code, verdict.reason


class ClassifyErrors(SchemaExtension):
    """Label every error with a code, and hide the details of unexpected ones."""

    def on_execute(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in (result.errors if result else None) or []:
            if error.original_error is None:
                continue  # validation and parse errors: graphql-core's message is right
            inner = _behind(error.original_error)
            verdict = answer(inner) if inner is not None else FAILURES[ValueError]
            code = verdict.code
            if (error.extensions or {}).get("reason") == "forbidden":
                code = "FORBIDDEN"  # a resolver's own role check, raised as a GraphQLError
            extra = verdict.extensions(inner) if inner is not None else {}
            error.extensions = {
                "reason": verdict.reason,
                **extra,
                **(error.extensions or {}),
                "code": code,
            }
            if verdict is UNEXPECTED:
                log.error("GraphQL resolver failed", exc_info=error.original_error)
                error.message = "internal error; the server log has the details"
            elif inner is not None and verdict.message is not str:
                error.message = verdict.message(inner)


class _Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # The caller's mistakes are answered, not logged as failures; ClassifyErrors
        # logs the unexpected ones with their traceback.
        unexpected = [
            e
            for e in errors
            if e.original_error is not None
            and error_code(e.original_error)[0] == "INTERNAL_SERVER_ERROR"
        ]
        if unexpected:
            super().process_errors(unexpected, execution_context)


schema = _Schema(
    query=Query,
    mutation=Mutation,
    types=list(ELEMENT_TYPES.values()),
    extensions=[
        MutationGuard,
        ClassifyErrors,
        lambda: QueryDepthLimiter(max_depth=12),
        lambda: MaxAliasesLimiter(max_alias_count=30),
        lambda: MaxTokensLimiter(max_token_count=4000),
    ],
)


def _context_getter(
    store: GraphStore = Depends(get_store),
    settings: Settings = Depends(get_settings),
    principal: Principal = Depends(require(Role.VIEWER)),
    live: LiveIndex = Depends(get_live),
) -> Context:
    return Context(store, settings, principal, live)


def graphql_router(*, graphiql: bool) -> GraphQLRouter[Context, None]:
    return GraphQLRouter(
        schema,
        context_getter=_context_getter,
        graphql_ide="graphiql" if graphiql else None,
    )


def export_sdl() -> str:
    return schema.as_str()


__all__ = ["Context", "export_sdl", "graphql_router", "schema", "to_element"]
