"""The GraphQL schema at /graphql: Query and Mutation joined from the resolver modules,
the extensions that guard and label every operation, and the FastAPI router."""

from __future__ import annotations

import strawberry
from fastapi import Depends
from graphql import GraphQLError
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.fastapi import GraphQLRouter
from strawberry.types import ExecutionContext

from app.auth import require
from app.core.limits import QuestionGate
from app.deps import get_gate, get_live, get_settings, get_store
from app.graphql.context import Context
from app.graphql.cost import CostBudget
from app.graphql.element_resolvers import ElementsMutation, ElementsQuery, list_fields
from app.graphql.elements import ELEMENT_TYPES
from app.graphql.errors import ClassifyErrors, error_code
from app.graphql.guard import MutationGuard
from app.graphql.history import HistoryQuery
from app.graphql.imports import ImportsMutation, ImportsQuery
from app.graphql.questions import QuestionsMutation, QuestionsQuery
from app.settings import Settings
from graph.store import GraphStore
from graph.tokens import Principal, Role
from queries.live import LiveIndex

Query = strawberry.type(
    type("Query", (ElementsQuery, QuestionsQuery, ImportsQuery, HistoryQuery), list_fields())
)
Mutation = strawberry.type(
    type("Mutation", (ElementsMutation, QuestionsMutation, ImportsMutation), {})
)


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
        CostBudget,
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
