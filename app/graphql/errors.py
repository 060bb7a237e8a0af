"""How GraphQL errors are labelled: `extensions.code` / `reason` from the exception behind
them, and the details of unexpected ones hidden from the client (and logged)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from neo4j.exceptions import ServiceUnavailable, SessionExpired
from strawberry.extensions import SchemaExtension

from graph.store import ConflictError, NotFoundError, QueryTimeoutError, StoreError
from importers.errors import ImportFailure
from queries.resolve import AmbiguousElementError, ElementLookupError

log = logging.getLogger(__name__)


def error_code(exc: BaseException | None) -> tuple[str, str]:
    """`extensions.code` (the class a client branches on: BAD_USER_INPUT is the caller's to
    fix) and `extensions.reason` (what exactly), from the exception behind an error."""
    while isinstance(exc, GraphQLError):
        inner = exc.original_error or exc.__cause__
        if inner is None:
            return "BAD_USER_INPUT", "invalid"  # a resolver refused in GraphQL's own terms
        exc = inner
    if isinstance(exc, AmbiguousElementError):
        return "BAD_USER_INPUT", "ambiguous"
    if isinstance(exc, NotFoundError | ElementLookupError):
        return "BAD_USER_INPUT", "not_found"
    if isinstance(exc, ConflictError):
        return "BAD_USER_INPUT", "conflict"
    if isinstance(exc, PermissionError):
        return "FORBIDDEN", "forbidden"
    if isinstance(exc, QueryTimeoutError):
        return "QUERY_TIMEOUT", "timeout"
    if isinstance(exc, ServiceUnavailable | SessionExpired):
        return "SERVICE_UNAVAILABLE", "database_unreachable"
    if isinstance(exc, StoreError | ValueError | ImportFailure):
        return "BAD_USER_INPUT", "invalid"
    return "INTERNAL_SERVER_ERROR", "internal"


class ClassifyErrors(SchemaExtension):
    """Label every error with a code, and hide the details of unexpected ones."""

    def on_execute(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in (result.errors if result else None) or []:
            if error.original_error is None:
                continue  # validation and parse errors: graphql-core's message is right
            code, reason = error_code(error.original_error)
            if (error.extensions or {}).get("reason") == "forbidden":
                code = "FORBIDDEN"  # a resolver's own role check, raised as a GraphQLError
            error.extensions = {"reason": reason, **(error.extensions or {}), "code": code}
            if code == "INTERNAL_SERVER_ERROR":
                log.error("GraphQL resolver failed", exc_info=error.original_error)
                error.message = "internal error; the server log has the details"
            elif code == "SERVICE_UNAVAILABLE":
                error.message = "the graph database (Neo4j) is unreachable; try again shortly"
