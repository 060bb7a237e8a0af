"""The GraphQL schema at /graphql: Query and Mutation joined from the resolver modules,
the extensions that guard and label every operation, and the FastAPI router."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import strawberry
from fastapi import Depends
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.fastapi import GraphQLRouter
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from app.auth import require
from app.core.limits import QuestionGate
from app.deps import get_gate, get_live, get_settings, get_store
from app.graphql.context import Context
from app.graphql.cost import CostBudget
from app.graphql.element_resolvers import ElementsMutation, ElementsQuery, list_fields
from app.graphql.elements import ELEMENT_TYPES
from app.graphql.errors import ClassifyErrors, error_code
from app.graphql.guard import IntrospectionSwitch, MutationGuard
from app.graphql.history import HistoryQuery
from app.graphql.imports import ImportsMutation, ImportsQuery
from app.graphql.kept import KeptOperations
from app.graphql.questions import QuestionsMutation, QuestionsQuery
from app.graphql.trends import TrendsMutation, TrendsQuery
from app.graphql.views import ViewsMutation, ViewsQuery
from app.settings import Settings
from graph.store import GraphStore
from graph.tokens import Principal, Role
from queries.live import LiveIndex

Query = strawberry.type(
    type(
        "Query",
        (ElementsQuery, QuestionsQuery, ImportsQuery, HistoryQuery, TrendsQuery, ViewsQuery),
        list_fields(),
    )
)
Mutation = strawberry.type(
    type(
        "Mutation",
        (ElementsMutation, QuestionsMutation, ImportsMutation, TrendsMutation, ViewsMutation),
        {},
    )
)


# Threads that run GraphQL operations (see `_Schema.execute`); as many as Starlette's pool
# for synchronous routes, since an operation may wait there for a question slot.
_OPERATIONS = ThreadPoolExecutor(max_workers=40, thread_name_prefix="graphql")
_worker = threading.local()


def _worker_loop() -> asyncio.AbstractEventLoop:
    """This worker thread's event loop, made once and kept: a new loop per operation would
    start new threads for every operation's blocking calls as well."""
    loop: asyncio.AbstractEventLoop | None = getattr(_worker, "loop", None)
    if loop is None:
        loop = _worker.loop = asyncio.new_event_loop()
    return loop


class _Schema(strawberry.Schema):
    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        # Completing a large answer (thousands of elements, each field resolved and checked
        # by graphql-core) is seconds of CPU-bound Python. Run on the server's event loop it
        # would stop every other request, `/healthz` included, for that long; so each
        # operation runs in a thread of its own pool (not the loop's default one, which
        # identifies every API request's caller: an operation waiting for a question slot
        # must not hold that up) on an event loop of its own.
        execute = super().execute

        def run() -> ExecutionResult:
            return _worker_loop().run_until_complete(
                execute(
                    query,
                    variable_values,
                    context_value,
                    root_value,
                    operation_name,
                    allowed_operation_types,
                    operation_extensions,
                )
            )

        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(_OPERATIONS, contextvars.copy_context().run, run)

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


# Distinct GraphQL documents whose parse and validation are kept.
GRAPHQL_DOCUMENT_CACHE = 256

# strawberry's depth and alias limiters make a new validation rule class per instance, and
# an extension given as a factory is instantiated per request: the rules then differ on
# every request and the validation cache below (keyed by the document and the rules)
# never hits. The rules are made once here and added by one extension.
_LIMIT_RULES = [
    *QueryDepthLimiter(max_depth=12).validation_rules,
    *MaxAliasesLimiter(max_alias_count=30).validation_rules,
]


class _Limits(AddValidationRules):
    """The depth and alias limits, with the same rule classes on every request."""

    def __init__(self) -> None:
        super().__init__(_LIMIT_RULES)


schema = _Schema(
    query=Query,
    mutation=Mutation,
    types=list(ELEMENT_TYPES.values()),
    extensions=[
        IntrospectionSwitch,
        MutationGuard,
        ClassifyErrors,
        # Before the cost budget: a kept answer takes no question slot.
        KeptOperations,
        CostBudget,
        _Limits,
        lambda: MaxTokensLimiter(max_token_count=4000),
        # Parsing and validating a document is pure CPU under the GIL: a fifth of the
        # interpreter's time in the adversarial run went to re-validating the same few
        # documents (the explorer's, and clients' repeated ones, refused ones included).
        # The caches are keyed by the document's text (and the schema), bounded.
        lambda: ParserCache(maxsize=GRAPHQL_DOCUMENT_CACHE),
        lambda: ValidationCache(maxsize=GRAPHQL_DOCUMENT_CACHE),
    ],
)


def _context_getter(
    store: GraphStore = Depends(get_store),
    settings: Settings = Depends(get_settings),
    principal: Principal = Depends(require(Role.VIEWER)),
    live: LiveIndex = Depends(get_live),
    gate: QuestionGate = Depends(get_gate),
) -> Context:
    return Context(store, settings, principal, live, gate)


def graphql_router(*, graphiql: bool) -> GraphQLRouter[Context, None]:
    return GraphQLRouter(
        schema,
        context_getter=_context_getter,
        graphql_ide="graphiql" if graphiql else None,
    )


def export_sdl() -> str:
    return schema.as_str()
