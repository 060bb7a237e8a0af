"""`/healthz`: open to probes without a token (everything else sits behind `app.auth`)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from fastapi import APIRouter, FastAPI, Request, Response, status
from pydantic import BaseModel

from graph.schema import SCHEMA
from graph.store import GraphStore

router = APIRouter()

# Threads of the health check's own, for its Neo4j round trip. As a synchronous route it
# went to a thread of Starlette's pool (shared with every other synchronous route) and back,
# then to one again to check its answer against the response model and back: four waits for
# the interpreter, each long on a busy server (docs/benchmarks.md, "Where a slow /healthz
# waits"). Here the loop hands only the check to a thread and renders the small answer
# itself. A few threads, not one: a check stuck on an unresponsive Neo4j does not hold up
# the next probes' checks.
_CHECKS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="valuegraph-health")


class Health(BaseModel):
    status: str
    neo4j: bool
    schema_version: int | None
    expected_schema_version: int


@router.get("/healthz", response_model=Health, tags=["health"])
async def healthz(request: Request, response: Response) -> Health:
    """Whether Neo4j answers and which schema version it holds; 503 when it does not."""
    health = await asyncio.get_running_loop().run_in_executor(_CHECKS, check, request.app)
    if health.status != "ok":
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return health


def check(app: FastAPI) -> Health:
    """Ask Neo4j now (one round trip when it answers), following the local Neo4j to a new
    address after a crash and finishing start-up's schema work when it comes back."""
    store: GraphStore = app.state.store
    reachable, version = store.probe()
    if not reachable and app.state.link.follow(store):
        reachable, version = store.probe()  # the local Neo4j came back elsewhere after a crash
    if reachable and not app.state.schema_ready:  # Neo4j is back: finish start-up now
        try:
            store.ensure_schema()
            app.state.schema_ready = True
            version = store.schema_version()
        except Exception:  # a failure between probe and read still means "not healthy"
            reachable = False
    ok = reachable and version == SCHEMA.version
    return Health(
        status="ok" if ok else "unavailable",
        neo4j=reachable,
        schema_version=version,
        expected_schema_version=SCHEMA.version,
    )
