"""A model whose change history starts now, for the tests of history and as-of answers."""

from __future__ import annotations

from graph.labels import CHANGE, CHANGE_CHUNK, CHANGE_SET, META
from graph.model import now_iso
from graph.store import GraphStore
from queries.moment import forget_moments
from queries.present import forget


def history_from_now(store: GraphStore) -> GraphStore:
    """Drop every recorded change and start the history now (no prune horizon), and forget
    what an earlier test kept (the present model, moments): an as-of answer must come from
    this test's changes alone."""
    store.execute(
        f"MATCH (n) WHERE n:{CHANGE} OR n:{CHANGE_CHUNK} OR n:{CHANGE_SET} DETACH DELETE n"
    )
    store.execute(
        f"MERGE (m:{META} {{key: 'history'}}) SET m.since = $now REMOVE m.pruned_before",
        {"now": now_iso()},
    )
    forget(store)
    forget_moments(store)
    return store
