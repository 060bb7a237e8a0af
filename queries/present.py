"""The present model in memory and the answers computed on it, kept for one revision.

Health, bottlenecks, scenario comparisons and the as-of questions all run on a
`ModelGraph` of the whole model. Reading it costs seconds on a large model, and the
explorer asks several of those questions of the same model in a row (the overview, the
bottleneck and health pages, a scenario's base side). Every transaction that changes the
model counts a new revision (`GraphStore.revision`), so what was read or computed at the
revision Neo4j holds now is still the answer: `present_model` and `remember` keep it
until the revision moves, then drop it. Only the latest revision is kept, so memory is
one model plus a bounded number of answers.

After a change the model is not read again: the changes since its revision are read from
the history (queries.states) and applied (`ModelGraph.changed`), when every revision in
between is a recorded change set (anything else, such as a reset's final sweep or a
write that changed nothing, reads the model anew) and they are few beside the model.

The revision is read in the same transaction as the model (`ModelGraph.load` reads in
two statements), so a model is never labelled with a revision it does not show.
Changes made to Neo4j around valuegraph do not count a revision (as for `queries.live`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from graph import cypher
from graph.history import ELEMENT
from graph.store import GraphStore
from queries.model_graph import MODEL_NODE_LISTS, MODEL_REL_LISTS, ModelGraph, Node, Rel, RelKey
from queries.projection import Projection
from queries.propagation import PropagationTable
from queries.states import CHANGES_BETWEEN, CHANGES_IN_SPAN, decode, node_of, rel_of

T = TypeVar("T")

MAX_ANSWERS = 64  # per revision: distinct questions of the model (with their parameters) kept
# Per revision, apart: what scenarios asked (comparisons, checked operations). Any caller
# may make scenarios; kept apart and fewer, they never push the model's own answers out
# (which would then be computed again), and what they hold stays a few answers' worth.
MAX_SCENARIO_ANSWERS = 8


class _Kept:
    """What one store's present revision has: remembered answers; and the model of the
    latest revision read (the base the next one is caught up from)."""

    def __init__(self) -> None:
        self.revision: str | None = None
        self.model_revision: str | None = None
        self.model: ModelGraph | None = None
        self.answers: OrderedDict[Hashable, Any] = OrderedDict()
        self.loading = threading.Lock()  # one model read at a time per store
        self.lock = threading.Lock()  # guards the fields above

    def at(self, revision: str) -> None:
        """Forget the answers not of `revision` (called under `lock`)."""
        if self.revision != revision:
            self.revision = revision
            self.answers.clear()


_KEPT: WeakKeyDictionary[GraphStore, _Kept] = WeakKeyDictionary()
_KEPT_LOCK = threading.Lock()


def _kept(store: GraphStore) -> _Kept:
    with _KEPT_LOCK:
        kept = _KEPT.get(store)
        if kept is None:
            kept = _KEPT[store] = _Kept()
        return kept


def load_at_revision(store: GraphStore) -> tuple[str, ModelGraph]:
    """The model and the revision it is at, read in one transaction."""
    revision, nodes, rels = store.read_together(
        (cypher.GET_REVISION, {}), (MODEL_NODE_LISTS, {}), (MODEL_REL_LISTS, {})
    )
    model = ModelGraph.from_lists(nodes[0]["rows"], rels[0]["rows"])
    return str(revision[0]["revision"]), model


def present_model(store: GraphStore) -> ModelGraph:
    """The model as Neo4j holds it now, read once per revision.

    Shared between questions and threads: treat it as read-only (`copy()` it to change
    it, as a scenario does)."""
    kept = _kept(store)
    revision = store.revision()
    with kept.lock:
        kept.at(revision)
        if kept.model is not None and kept.model_revision == revision:
            return kept.model
    with kept.loading:
        with kept.lock:
            base_revision, base = kept.model_revision, kept.model
        if base is not None and base_revision == revision:
            return base  # another thread read it while this one waited
        caught = _caught_up(store, base_revision, base, revision)
        read_at, model = caught if caught is not None else load_at_revision(store)
        with kept.lock:
            kept.model_revision, kept.model = read_at, model
        return model


def present_is_kept(store: GraphStore) -> bool:
    """Whether the present model is kept at the revision Neo4j holds now (`present_model`
    then reads nothing)."""
    kept = _kept(store)
    with kept.lock:
        model_revision, model = kept.model_revision, kept.model
    return model is not None and model_revision == store.revision()


def _counter(revision: str) -> tuple[str, int] | None:
    epoch, _, count = revision.rpartition(":")
    return (epoch, int(count)) if count.isdigit() else None


def _caught_up(
    store: GraphStore, base_revision: str | None, base: ModelGraph | None, revision: str
) -> tuple[str, ModelGraph] | None:
    """`base` (at `base_revision`) with the recorded changes up to `revision` applied; None
    when that cannot be trusted or is not worth it (the model is then read anew)."""
    old, new = _counter(base_revision or ""), _counter(revision)
    if base is None or old is None or new is None or old[0] != new[0] or new[1] <= old[1]:
        return None
    span = {"after": old[1], "upto": new[1]}
    counts = store.read(CHANGES_IN_SPAN, span)[0]
    size = len(base.nodes) + len(base.rels)
    if counts["sets"] != new[1] - old[1] or counts["changes"] > max(1_000, size // 5):
        return None
    nodes: dict[str, Node | None] = {}
    rels: dict[RelKey, Rel | None] = {}
    for r in store.read(CHANGES_BETWEEN, span):  # in commit order: the last state wins
        state = decode(r["after"]) if r["after"] is not None else None
        if r["kind"] == ELEMENT:
            nodes[r["id"]] = node_of(state) if state is not None else None
        else:
            rels[(r["type"], r["id"])] = rel_of(state) if state is not None else None
    return revision, base.changed(nodes, rels)


_MISSING: Any = object()


def _recall(store: GraphStore, key: Hashable) -> tuple[_Kept, str, Any]:
    """The store's kept things, the present revision and the answer kept for `key` at it
    (`_MISSING` if none)."""
    kept = _kept(store)
    revision = store.revision()
    with kept.lock:
        kept.at(revision)
        if key in kept.answers:
            kept.answers.move_to_end(key)
            return kept, revision, kept.answers[key]
    return kept, revision, _MISSING


def remember(store: GraphStore, key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`'s answer for `key` at the present revision, computed once per revision.

    `key` must name the question and every parameter and input its answer depends on
    other than the model (today's date for lifecycle checks, say). The revision is read
    before computing, so an answer computed while the model changed is kept under the
    older revision and dropped by the next question. Concurrent first asks of one key
    may both compute; both get equal answers."""
    kept, revision, answer = _recall(store, key)
    if answer is not _MISSING:
        _used(revision, key, answer)
        return answer  # type: ignore[no-any-return]
    computed = compute()
    with kept.lock:
        if kept.revision == revision:
            kept.answers[key] = computed
            _bound(kept.answers, _of_scenario(key))
    _used(revision, key, computed)
    return computed


# The answers `remember` gave while `collecting` (in an analysis worker: the service keeps
# them too, app.core.analyses), of the kinds asked for (a key's first item).
Used = list[tuple[str, Hashable, Any]]
_collected: ContextVar[tuple[Used, frozenset[str]] | None] = ContextVar(
    "valuegraph_answers_used", default=None
)


def _used(revision: str, key: Hashable, answer: Any) -> None:
    collected = _collected.get()
    if collected is not None and isinstance(key, tuple) and key and key[0] in collected[1]:
        collected[0].append((revision, key, answer))


@contextmanager
def collecting(kinds: frozenset[str]) -> Iterator[Used]:
    """Note (revision, key, answer) of every answer of `kinds` that `remember` gives
    inside the block."""
    used: Used = []
    token = _collected.set((used, kinds))
    try:
        yield used
    finally:
        _collected.reset(token)


def keep(store: GraphStore, revision: str, key: Hashable, answer: Any) -> None:
    """Keep `answer` for `key`, computed elsewhere at `revision`, if that is still the
    present revision (an answer of an older one is dropped, never served)."""
    kept = _kept(store)
    with kept.lock:
        seen = kept.revision
    if seen != revision and store.revision() != revision:
        return
    with kept.lock:
        if kept.revision not in (seen, revision):
            return  # it moved on meanwhile
        kept.at(revision)
        # One already kept stays (the same object keeps its rendered bytes, app.rest).
        kept.answers.setdefault(key, answer)
        kept.answers.move_to_end(key)
        _bound(kept.answers, _of_scenario(key))


def read_present(store: GraphStore) -> None:
    """Read (or catch up) the present model, keeping it; nothing is returned (a worker
    warms its own model this way, without sending it back)."""
    present_model(store)


def _of_scenario(key: Hashable) -> bool:
    return isinstance(key, tuple) and bool(key) and str(key[0]).startswith("scenario")


def _bound(answers: OrderedDict[Hashable, Any], scenario: bool) -> None:
    """Drop the least recently used answers of `scenario`'s kind past its bound."""
    kind = [k for k in answers if _of_scenario(k) == scenario]
    for k in kind[: max(0, len(kind) - (MAX_SCENARIO_ANSWERS if scenario else MAX_ANSWERS))]:
        del answers[k]


def recalled(store: GraphStore, key: Hashable) -> Any | None:
    """The answer kept for `key` at the present revision, or None; never computes (so a
    caller can serve a kept answer before deciding to queue for computing one)."""
    answer = _recall(store, key)[2]
    return None if answer is _MISSING else answer


def recalled_all(store: GraphStore, keys: list[Hashable]) -> list[Any | None]:
    """`recalled` for each of `keys`, all at one revision (read once)."""
    kept = _kept(store)
    revision = store.revision()
    with kept.lock:
        kept.at(revision)
        return [kept.answers.get(key) for key in keys]


def table_key(table: PropagationTable) -> tuple[tuple[str, str, str], ...]:
    """A propagation table as part of a key: every rule, its flow and its reason (the
    answers show the table they followed)."""
    return tuple((r["key"], r["flow"], r["reason"]) for r in table.as_list())


def present_projection(store: GraphStore, table: PropagationTable) -> Projection:
    """The present model's dependency graph under `table`, built once per revision
    (shared read-only, as the model is)."""
    return remember(
        store, ("projection", table_key(table)), lambda: present_model(store).projection(table)
    )


def forget(store: GraphStore) -> None:
    """Drop what is kept for `store` (tests; a reset done around valuegraph)."""
    with _KEPT_LOCK:
        _KEPT.pop(store, None)
