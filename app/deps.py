"""FastAPI dependencies: handlers declare what they need by type."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool

from app.core.limits import QuestionGate
from app.core.warm import AnswerWarmer
from app.settings import Settings
from graph.store import GraphStore
from queries.live import LiveIndex

# The dependencies are `async`: FastAPI runs a plain `def` dependency in a worker thread,
# and a cheap read would be handed to a thread and back once for each (a wait for the
# interpreter each time on a busy server, bench.adversarial); these only read app state.


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_store(request: Request) -> GraphStore:
    """The shared store; applies the schema first if Neo4j was down at start-up."""
    store: GraphStore = request.app.state.store
    if not request.app.state.schema_ready:
        # raises ServiceUnavailable (-> 503) while Neo4j is still away
        await run_in_threadpool(store.ensure_schema)
        request.app.state.schema_ready = True
    return store


async def get_live(request: Request) -> LiveIndex:
    """The live model's walk index (queries.live), for the impact walks."""
    await get_store(request)
    live: LiveIndex = request.app.state.live
    return live


async def get_gate(request: Request) -> QuestionGate:
    """Admission and time limit for the expensive questions (app.core.limits)."""
    gate: QuestionGate = request.app.state.gate
    return gate


async def get_warmer(request: Request) -> AnswerWarmer:
    """What computes the answers in the background (app.core.warm)."""
    warm: AnswerWarmer = request.app.state.warm
    return warm


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[GraphStore, Depends(get_store)]
LiveDep = Annotated[LiveIndex, Depends(get_live)]
GateDep = Annotated[QuestionGate, Depends(get_gate)]
WarmerDep = Annotated[AnswerWarmer, Depends(get_warmer)]
