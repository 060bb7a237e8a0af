"""Request-wide guards: body size limits and the audit trail of REST writes; and telling
the answer warmer (`app.core.warm`) when a request may have changed the model."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.auth import READ_METHODS, identified_at_once, identify
from app.settings import Settings
from graph.audit import record_event
from graph.history import Origin, acting_as
from graph.tokens import Principal

log = logging.getLogger(__name__)

UPLOAD_PATH_PREFIX = "/api/import"


class BodyLimitMiddleware:
    """413 for bodies over the limit, counted as they stream in (Content-Length may lie or,
    for a chunked body, be absent)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        limit = (
            self.settings.max_upload_bytes
            if path.startswith(UPLOAD_PATH_PREFIX)
            else self.settings.max_body_bytes
        )
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        received = 0
        exceeded = False
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if exceeded:
                # The app may turn the failed read into an answer of its own (FastAPI: 400
                # "error parsing the body"; GraphQL: 500): the answer is 413 whatever it says.
                if message["type"] == "http.response.start" and not response_started:
                    response_started = True
                    await _too_large(send, limit)
                return
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except Exception:
            if not exceeded:
                raise
            if not response_started:
                await _too_large(send, limit)


class _BodyTooLarge(Exception):
    pass


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps({"detail": f"request body larger than {limit} bytes"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})


def audit_detail(query: str, extra: dict[str, Any] | None = None) -> str:
    data: dict[str, Any] = {"query": query} if query else {}
    if extra:
        data.update(extra)
    return json.dumps(data, default=str) if data else ""


IDENTIFIED_PREFIXES = ("/api/", "/graphql")


class AuditMiddleware:
    """Resolves the caller of every API request before anything can refuse the request (a
    missing route, a body over the limit), and records each REST write attempt by an
    identified caller. Requests without a valid token are only counted
    (`app.auth.RefusedAuthentications`); GraphQL mutations are recorded by their extension.

    Placed outside `BodyLimitMiddleware`, so that a write refused with 413 is recorded too.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(IDENTIFIED_PREFIXES):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        principal = identified_at_once(request)
        if principal is None:
            try:
                principal = await asyncio.to_thread(identify, request)
            except Exception:  # Neo4j away: the route's own check answers (503)
                principal = None
        # Whatever the request changes in the model is recorded as this caller's.
        origin = Origin(
            actor=principal.name if principal else "",
            token_id=principal.token_id if principal else "",
            via="rest" if path.startswith("/api/") else "graphql",
            request=f"{request.method} {path[:200]} {uuid.uuid4().hex[:12]}",
        )
        with acting_as(origin):
            await self._answer(scope, receive, send, request, principal, path)

    async def _answer(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        request: Request,
        principal: Principal | None,
        path: str,
    ) -> None:
        if principal is None or request.method in READ_METHODS or not path.startswith("/api/"):
            await self.app(scope, receive, send)
            return
        status = 500

        async def noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, noting_status)
        finally:
            try:
                await asyncio.to_thread(
                    record_event,
                    request.app.state.store,
                    actor=principal.name,
                    token_id=principal.token_id,
                    role=principal.role.label,
                    action=f"{request.method} {path}",
                    target=path.removeprefix("/api/"),
                    status=status,
                    detail=audit_detail(request.url.query),
                )
            except Exception:  # the change itself is done; a lost audit line must not fail it
                log.exception("could not record audit event for %s", path[:200])


class WritesSeen:
    """After a request that may have changed the model (any method but a read's; GraphQL
    mutations come as POST like its queries) is answered, pokes the answer warmer, which
    then looks at the model's revision: answers are warmed seconds after a change rather
    than at its next periodic look."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            if scope["type"] == "http" and scope.get("method") not in READ_METHODS:
                warm = getattr(scope["app"].state, "warm", None)
                if warm is not None:
                    warm.poke()
