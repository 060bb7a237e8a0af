"""What every resolver gets: the per-request Context and the typed `Info` that carries it.

A leaf module (it imports nothing else of app.graphql), so every resolver module can take
`info: Info` and have `info.context.store`, `.settings`, `.principal` and `.live` typed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from app.core.limits import ItemCount, QuestionGate
from app.settings import Settings
from graph.store import GraphStore
from graph.tokens import Principal
from queries.live import LiveIndex

NeighbourKey = tuple[str, str, bool, int]  # node id, relationship type, outgoing?, limit


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

    async def _load_neighbours(self, keys: list[NeighbourKey]) -> list[list[dict[str, Any]]]:
        return await asyncio.to_thread(self.store.neighbours, keys)

    async def run(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a (blocking) store call off the event loop."""
        return await asyncio.to_thread(fn, *args, **kwargs)


Info = strawberry.Info[Context, None]


def check_limit(info: Info, limit: int) -> None:
    """A page size between 1 and the server's (VALUEGRAPH_MAX_PAGE_SIZE)."""
    most: int = info.context.settings.max_page_size
    if not 1 <= limit <= most:
        raise ValueError(f"limit must be between 1 and {most}")
