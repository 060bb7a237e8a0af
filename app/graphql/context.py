"""What every resolver gets: the per-request Context and the typed `Info` that carries it.

A leaf module (it imports nothing else of app.graphql), so every resolver module can take
`info: Info` and have `info.context.store`, `.settings`, `.principal` and `.live` typed.
"""

from __future__ import annotations

import asyncio
import threading
from contextlib import nullcontext
from typing import Any

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from app.core.limits import ADVICE, ItemCount, QuestionGate
from app.settings import Settings
from graph.store import GraphStore
from graph.tokens import Principal
from queries.live import LiveIndex
from queries.moment import ModelThen, Moment, NeighbourKey


class Context(BaseContext):
    def __init__(
        self,
        store: GraphStore,
        settings: Settings,
        principal: Principal,
        live: LiveIndex,
        gate: QuestionGate,
    ) -> None:
        super().__init__()
        self.store = store
        self.gate = gate
        self.items = ItemCount(settings.graphql_max_items)
        # Set when the whole operation holds a question slot (a costly query, app.graphql.cost).
        self.admitted = False
        self.live = live
        self.settings = settings
        self.principal = principal
        self.neighbours: DataLoader[NeighbourKey, list[dict[str, Any]]] = DataLoader(
            load_fn=self._load_neighbours
        )
        # The relationship fields of elements read as of / at a moment: one model per moment
        # and request, built once (the first batch), then asked for every level below.
        self._then: dict[Moment, DataLoader[NeighbourKey, list[dict[str, Any]]]] = {}
        self._models: dict[Moment, ModelThen] = {}
        self._building = threading.Lock()  # two batches of one moment build it once

    async def _load_neighbours(self, keys: list[NeighbourKey]) -> list[list[dict[str, Any]]]:
        return await asyncio.to_thread(self.store.neighbours, keys)

    def neighbours_then(self, moment: Moment) -> DataLoader[NeighbourKey, list[dict[str, Any]]]:
        """The neighbours loader of the model at `moment` (`queries.moment.ModelThen`)."""
        loader = self._then.get(moment)
        if loader is None:

            async def load(keys: list[NeighbourKey]) -> list[list[dict[str, Any]]]:
                found: list[list[dict[str, Any]]] = await self.run(self._read_then, moment, keys)
                return found

            loader = self._then[moment] = DataLoader(load_fn=load)
        return loader

    def _read_then(self, moment: Moment, keys: list[NeighbourKey]) -> list[list[dict[str, Any]]]:
        # Building a model at a moment reads the history (or the whole model): a question's
        # work, so it is admitted and timed as one, unless the operation holds a slot.
        with nullcontext() if self.admitted else self.gate.admit(ADVICE["graphql"]):
            with self._building:
                model = self._models.get(moment)
                if model is None:
                    model = self._models[moment] = ModelThen(self.store, moment)
            return model.neighbours(keys)

    async def run(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a (blocking) store call off the event loop."""
        return await asyncio.to_thread(fn, *args, **kwargs)


Info = strawberry.Info[Context, None]


def check_limit(info: Info, limit: int) -> None:
    """A page size between 1 and the server's (VALUEGRAPH_MAX_PAGE_SIZE)."""
    most: int = info.context.settings.max_page_size
    if not 1 <= limit <= most:
        raise ValueError(f"limit must be between 1 and {most}")
