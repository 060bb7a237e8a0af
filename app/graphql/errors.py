"""How GraphQL errors are labelled: `extensions.code` / `reason` from the exception behind
them, and the details of unexpected ones hidden from the client (and logged)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from app.core.errors import FAILURES, UNEXPECTED, Answer, answer

log = logging.getLogger(__name__)


def _behind(exc: BaseException | None) -> BaseException | None:
    """The exception a GraphQL error stands for; None for a refusal in GraphQL's own terms."""
    while isinstance(exc, GraphQLError):
        inner = exc.original_error or exc.__cause__
        if inner is None:
            return None
        exc = inner
    return exc


def _verdict(exc: BaseException | None) -> tuple[Answer, BaseException | None]:
    inner = _behind(exc)
    return (answer(inner) if inner is not None else FAILURES[ValueError]), inner


def error_code(exc: BaseException | None) -> tuple[str, str]:
    """`extensions.code` (the class a client branches on: BAD_USER_INPUT is the caller's to
    fix) and `extensions.reason` (what exactly), from the shared table (app.core.errors)."""
    verdict, _ = _verdict(exc)
    return verdict.code, verdict.reason


class ClassifyErrors(SchemaExtension):
    """Label every error with a code, and hide the details of unexpected ones."""

    def on_execute(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in (result.errors if result else None) or []:
            if error.original_error is None:
                continue  # validation and parse errors: graphql-core's message is right
            verdict, inner = _verdict(error.original_error)
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
