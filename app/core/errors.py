"""One table from exception to HTTP status, GraphQL error code and CLI exit code.

Every surface asks `answer(exc)` and gets the same verdict, so a failure the asker can fix
is a 4xx, a `BAD_USER_INPUT` and exit 1 (2 for a refused import file) everywhere alike. The
table is read by class hierarchy: the most specific row that matches the exception wins.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from neo4j.exceptions import ServiceUnavailable, SessionExpired

from app.core.limits import Busy, TooManyItems
from graph.edits import FieldErrors
from graph.saved_views import ViewForbidden
from graph.schema import UnknownTypeError
from graph.store import (
    ConflictError,
    NotFoundError,
    PreconditionFailed,
    QueryTimeoutError,
    StoreError,
    TransactionTooLarge,
)
from importers.errors import ImportFailure, ImportTooLarge
from importers.export import ExportFailure
from queries.budget import OutOfTime
from queries.errors import QuestionError
from queries.resolve import AmbiguousElementError, ElementLookupError
from queries.scenarios.operations import OperationError

NEO4J_DOWN = "the graph database (Neo4j) is unreachable; try again shortly"


def _message(exc: BaseException) -> Any:
    return str(exc)


def _msg(exc: BaseException) -> Any:
    return {"msg": str(exc)}


def _as_dict(exc: Any) -> Any:
    return exc.as_dict()


def _with_details(exc: Any) -> Any:
    return {"msg": str(exc), "errors": exc.details}


def _body_fields(exc: Any) -> Any:
    return [{"loc": ("body", *e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors]


def _down(exc: BaseException) -> Any:
    return NEO4J_DOWN


def _candidates(exc: Any) -> dict[str, Any]:
    return {"candidates": [c.model_dump() for c in exc.candidates]}


def _operation(exc: Any) -> dict[str, Any]:
    return {"operation": exc.index, **_candidates(exc)}


def _fields(exc: Any) -> dict[str, Any]:
    return {
        "fields": [{"field": ".".join(map(str, e["loc"])), "msg": e["msg"]} for e in exc.errors]
    }


def _none(exc: BaseException) -> dict[str, Any]:
    return {}


def _retry_after(exc: Any) -> dict[str, Any]:
    return {"retryAfter": exc.retry_after}


@dataclass(frozen=True)
class Answer:
    """How one kind of failure is answered on each surface.

    `status` None: REST has no answer of its own (an unexpected error, 500), although GraphQL
    and the CLI treat it as the caller's. `extensions`: what GraphQL adds to the error so a
    client can offer alternatives (candidates, the failing operation).
    """

    status: int | None
    code: str
    reason: str
    exit: int
    detail: Callable[[Any], Any] = _message
    extensions: Callable[[Any], dict[str, Any]] = _none
    message: Callable[[BaseException], str] = str
    headers: Callable[[Any], dict[str, str]] = _none


FAILURES: dict[type[Exception], Answer] = {
    AmbiguousElementError: Answer(
        422, "BAD_USER_INPUT", "ambiguous_element", 1, _as_dict, _candidates
    ),
    ElementLookupError: Answer(404, "BAD_USER_INPUT", "unknown_element", 1, _as_dict, _candidates),
    OperationError: Answer(422, "BAD_USER_INPUT", "invalid_operation", 1, _as_dict, _operation),
    FieldErrors: Answer(422, "BAD_USER_INPUT", "invalid", 1, _body_fields, _fields),
    QuestionError: Answer(422, "BAD_USER_INPUT", "invalid", 1, _msg),
    ImportTooLarge: Answer(413, "BAD_USER_INPUT", "invalid", 2, _as_dict),
    # The stored model holds text the format cannot carry: the element is named, to fix.
    ExportFailure: Answer(422, "BAD_USER_INPUT", "unexportable", 1, _as_dict),
    ImportFailure: Answer(422, "BAD_USER_INPUT", "invalid", 2, _as_dict),
    QueryTimeoutError: Answer(504, "QUERY_TIMEOUT", "timeout", 1),
    OutOfTime: Answer(504, "QUERY_TIMEOUT", "timeout", 1),
    TooManyItems: Answer(None, "QUERY_TOO_COSTLY", "items", 1),
    Busy: Answer(
        503,
        "SERVICE_UNAVAILABLE",
        "busy",
        1,
        extensions=_retry_after,
        headers=lambda exc: {"Retry-After": str(exc.retry_after)},
    ),
    NotFoundError: Answer(404, "BAD_USER_INPUT", "not_found", 1),
    ConflictError: Answer(409, "BAD_USER_INPUT", "conflict", 1, _with_details),
    # A conditional write (If-Match) to something changed since: read again, then write.
    PreconditionFailed: Answer(412, "BAD_USER_INPUT", "changed", 1),
    # Neo4j's transaction memory is too small for the write (a large import): the server's
    # capacity, not the caller's input; the message says what to raise.
    TransactionTooLarge: Answer(507, "SERVICE_UNAVAILABLE", "database_memory", 1),
    StoreError: Answer(422, "BAD_USER_INPUT", "invalid", 1, _with_details),
    UnknownTypeError: Answer(422, "BAD_USER_INPUT", "invalid", 1),
    # Someone else's saved view: refused on every surface alike (not a role the route knows).
    ViewForbidden: Answer(403, "FORBIDDEN", "forbidden", 1),
    # Raised by a resolver's own role check; REST refuses roles in its dependencies (403).
    PermissionError: Answer(None, "FORBIDDEN", "forbidden", 1),
    ServiceUnavailable: Answer(
        503, "SERVICE_UNAVAILABLE", "database_unreachable", 1, _down, message=_down
    ),
    SessionExpired: Answer(
        503, "SERVICE_UNAVAILABLE", "database_unreachable", 1, _down, message=_down
    ),
    # Resolvers and commands refuse bad arguments as ValueError; REST validates its own first.
    ValueError: Answer(None, "BAD_USER_INPUT", "invalid", 1),
}

UNEXPECTED = Answer(None, "INTERNAL_SERVER_ERROR", "internal", 1)


def answer(exc: BaseException) -> Answer:
    """The table's row for `exc` (the most specific class), else `UNEXPECTED`."""
    for cls in type(exc).__mro__:
        if cls in FAILURES:
            return FAILURES[cls]
    return UNEXPECTED


def printable(value: Any) -> Any:
    """`value` with what JSON or UTF-8 cannot carry (NaN, infinities, lone surrogates) escaped
    as text, so that an answer echoing hostile input is itself valid."""
    if isinstance(value, dict):
        return {printable(k): printable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [printable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def expected(exc: BaseException) -> bool:
    """Whether `exc` is a failure the table answers (not a bug to log with its traceback)."""
    return answer(exc) is not UNEXPECTED
