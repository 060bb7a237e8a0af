"""The FastAPI application: wiring only; the questions live in `queries/`."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from neo4j.exceptions import ServiceUnavailable, SessionExpired

from app.auth import RefusedAuthentications, by_method
from app.core.analyses import AnalysisPool
from app.core.errors import FAILURES, answer, printable
from app.core.limits import IO_THREADS, SWITCH_INTERVAL_S, QuestionGate
from app.core.warm import AnswerWarmer, default_steps
from app.explorer import first_answer, mount_explorer, warm_overview
from app.graphql import graphql_router
from app.middleware import AuditMiddleware, BodyLimitMiddleware, WritesSeen
from app.neo4j_link import Neo4jLink
from app.oidc import OidcVerifier
from app.rest import ROUTERS
from app.rest import health as rest_health
from app.rest import imports as rest_imports
from app.settings import Settings
from graph.store import GraphStore
from queries import bottlenecks as bn
from queries.live import LiveIndex

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> FastAPI:
    """Build the app. Pass `store` to reuse a driver (tests); otherwise one is made at start-up."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_store = store is None
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        # Every API request's caller is identified in the loop's default executor (a token
        # look-up in Neo4j); Python sizes it by cores (6 threads on 2), too few for the
        # requests of many clients waiting on Neo4j at once.
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(max_workers=IO_THREADS, thread_name_prefix="valuegraph-io")
        )
        if removed := rest_imports.remove_stale_uploads():
            log.info("removed %d temporary upload folder(s) left by a stopped service", removed)
        app.state.link = Neo4jLink(settings)
        app.state.store = app.state.link.connect() if store is None else store
        app.state.schema_ready = False
        app.state.live = LiveIndex(app.state.store, enabled=settings.impact_index == "on")
        app.state.warm = AnswerWarmer(
            app.state.store,
            app.state.live,
            enabled=settings.warm_answers,
            # The explorer's first answer too, when the page may embed it (cheap: first);
            # the overview's other answers last (they read the report and the ranking).
            steps=[
                *([] if settings.auth_enabled else [("first answer", lambda _: first_answer(app))]),
                *default_steps(app.state.gate.compute),
                ("overview", lambda _: warm_overview(app)),
                # Last: only a scenario's ranking reads them (its betweenness, mostly).
                (
                    "scenario base",
                    lambda store: app.state.gate.compute(bn.prepare_scenarios, store),
                ),
            ],
        )
        try:
            app.state.store.ensure_schema()
            app.state.schema_ready = True
            _report_duplicate_relationship_ids(app.state.store)
            app.state.live.refresh()
        except (ServiceUnavailable, SessionExpired, OSError) as exc:
            # Serve anyway: /healthz reports it, requests get 503 until Neo4j answers.
            log.warning("Neo4j unreachable at start-up (%s); will retry on demand", exc)
        app.state.warm.start()
        yield
        app.state.warm.stop()
        if app.state.gate.pool is not None:
            app.state.gate.pool.stop()
        if own_store:
            app.state.store.close()

    app = FastAPI(
        title="valuegraph",
        version="0.1.0",
        summary="Dependency and architecture modeller for value stream operating models.",
        lifespan=lifespan,
        # Production answers only what the explorer and API clients use (VALUEGRAPH_DOCS).
        docs_url="/docs" if settings.docs_enabled else None,
        redoc_url="/redoc" if settings.docs_enabled else None,
        openapi_url="/openapi.json" if settings.docs_enabled else None,
    )
    app.state.settings = settings
    app.state.oidc = OidcVerifier.of(settings)
    pool = (
        AnalysisPool(settings.question_slots, settings.analysis_worker_max_mib)
        if settings.analysis_workers
        else None
    )
    app.state.gate = QuestionGate.of(settings, pool)
    app.state.refused_authentications = RefusedAuthentications()
    app.include_router(rest_health.router)
    for router in ROUTERS:
        app.include_router(router, dependencies=[Depends(by_method)])
    app.include_router(graphql_router(graphiql=settings.graphiql), prefix="/graphql")
    _install_error_handlers(app)
    # Added last is outermost: the audit sees the caller and the 413 of the body limit.
    app.add_middleware(BodyLimitMiddleware, settings=settings)
    app.add_middleware(AuditMiddleware)
    app.add_middleware(WritesSeen)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["authorization", "content-type", "if-match"],
            # A browser client on another origin reads it for its conditional PATCH.
            expose_headers=["etag"],
        )
    _mount_explorer(app)
    return app


def _report_duplicate_relationship_ids(store: GraphStore) -> None:
    """Say at start-up which relationship ids name more than one relationship (data written
    before ids were unique across types): a PATCH or DELETE of such an id touches them all.
    They are reported, not changed: which one to keep is the model owner's call
    (`GET /api/integrity` lists them again)."""
    total, shown = store.duplicate_relationship_ids(limit=20)
    if total:
        listed = "; ".join(f"{d['id']!r} ({', '.join(d['types'])})" for d in shown)
        more = f" and {total - len(shown)} more" if total > len(shown) else ""
        log.warning(
            "%d relationship id(s) are used by more than one relationship, of different "
            "types: %s%s. Delete or re-create all but one of each "
            "(DELETE /api/relationships/{id} removes every one of them); "
            "GET /api/integrity lists them",
            total,
            listed,
            more,
        )


EXPLORER_DIST = Path(__file__).resolve().parent.parent / "frontend" / "dist"


def _mount_explorer(app: FastAPI) -> None:
    """Serve the built web explorer at / (same origin as the API) when it has been built."""
    dist = Path(os.environ.get("VALUEGRAPH_EXPLORER_DIST", EXPLORER_DIST))
    if (dist / "index.html").exists():
        mount_explorer(app, dist)
    else:
        log.info("explorer not built (%s missing); run `make frontend`", dist / "index.html")


def _install_error_handlers(app: FastAPI) -> None:
    """Answer every failure the shared table knows with its status and detail."""

    async def answered(request: Request, exc: Exception) -> JSONResponse:
        verdict = answer(exc)
        assert verdict.status is not None
        if verdict.reason == "database_unreachable":
            log.warning("Neo4j unavailable serving %s: %s", request.url.path, exc)
            # The local Neo4j may be back elsewhere after a crash: the next request finds it.
            await asyncio.to_thread(request.app.state.link.follow, request.app.state.store)
        return JSONResponse(
            status_code=verdict.status,
            content={"detail": verdict.detail(exc)},
            headers=verdict.headers(exc),
        )

    for cls, verdict in FAILURES.items():
        if verdict.status is not None:
            app.add_exception_handler(cls, answered)

    async def refused(request: Request, exc: Exception) -> JSONResponse:
        # FastAPI's own answer, except that the input it echoes may be what JSON and UTF-8
        # cannot carry (NaN, a lone surrogate): shown escaped rather than failing with a 500.
        assert isinstance(exc, RequestValidationError)
        errors = printable(jsonable_encoder(exc.errors()))
        return JSONResponse(status_code=422, content={"detail": errors})

    app.add_exception_handler(RequestValidationError, refused)
