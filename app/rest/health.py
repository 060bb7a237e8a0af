"""`/healthz`: open to probes without a token (everything else sits behind `app.auth`)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel

from graph.schema import SCHEMA
from graph.store import GraphStore

router = APIRouter()


class Health(BaseModel):
    status: str
    neo4j: bool
    schema_version: int | None
    expected_schema_version: int


@router.get("/healthz", response_model=Health, tags=["health"])
def healthz(request: Request, response: Response) -> Health:
    """Whether Neo4j answers and which schema version it holds; 503 when it does not."""
    store: GraphStore = request.app.state.store
    reachable, version = store.probe()
    if not reachable and request.app.state.link.follow(store):
        reachable, version = store.probe()  # the local Neo4j came back elsewhere after a crash
    if reachable and not request.app.state.schema_ready:  # Neo4j is back: finish start-up now
        try:
            store.ensure_schema()
            request.app.state.schema_ready = True
            version = store.schema_version()
        except Exception:  # a failure between probe and read still means "not healthy"
            reachable = False
    ok = reachable and version == SCHEMA.version
    if not ok:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return Health(
        status="ok" if ok else "unavailable",
        neo4j=reachable,
        schema_version=version,
        expected_schema_version=SCHEMA.version,
    )
