"""FastAPI dependencies: handlers declare what they need by type."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.core.limits import QuestionGate
from app.core.warm import AnswerWarmer
from app.settings import Settings
from graph.store import GraphStore
from queries.live import LiveIndex


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_store(request: Request) -> GraphStore:
    """The shared store; applies the schema first if Neo4j was down at start-up."""
    store: GraphStore = request.app.state.store
    if not request.app.state.schema_ready:
        store.ensure_schema()  # raises ServiceUnavailable (-> 503) while Neo4j is still away
        request.app.state.schema_ready = True
    return store


def get_live(request: Request) -> LiveIndex:
    """The live model's walk index (queries.live), for the impact walks."""
    get_store(request)
    live: LiveIndex = request.app.state.live
    return live


def get_gate(request: Request) -> QuestionGate:
    """Admission and time limit for the expensive questions (app.core.limits)."""
    gate: QuestionGate = request.app.state.gate
    return gate


def get_warmer(request: Request) -> AnswerWarmer:
    """What computes the answers in the background (app.core.warm)."""
    warm: AnswerWarmer = request.app.state.warm
    return warm


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[GraphStore, Depends(get_store)]
LiveDep = Annotated[LiveIndex, Depends(get_live)]
GateDep = Annotated[QuestionGate, Depends(get_gate)]
WarmerDep = Annotated[AnswerWarmer, Depends(get_warmer)]
