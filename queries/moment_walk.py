"""The walks as of a moment without building the moment's model: the present graph in
Neo4j, walked a level at a time, with what changed since the moment undone on the way.

An as-of impact is a walk from one element, and the model at T differs from the present
only by the changes recorded after T (usually few beside the model). Building the whole
model at T (`queries.moment.rewound`) first reads the whole present model: seconds on
100,000 elements in a process that has not read it since the last change. `ThenReader`
instead reads only the changes after T (their `before`: each thing's state at T) and
answers the walks' reads (`queries.impact.ImpactReader`) from Neo4j's present rows with
those states laid over them, so an ask costs about its answer, not the model.

It answers exactly as the model `rewound` builds would, by the same rule: an element is
there at T as its state then (changed since: its `before`; else as it is now); a
relationship likewise, when both its ends are there at T; relationships stored without
an id have no history and are left out. tests/test_moment_walk.py proves every walk's
answer equal to the one on the model built forward from the history.

`walk_reader` picks the reader a question walks: the moment's model when it is kept, or
cheap to build because the present model is kept (the service's warmer keeps it); this
overlay otherwise, for `as_of` alone (a day's lifecycle dates filter the whole model:
those questions build it). A name that is not an id at T is resolved on the built model.
The present is read over several transactions, so a change committed during a walk
would mix two moments: the revision is read before and after, and a walk it moved under
is walked again on the moment's model (`walked`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from graph.history import ELEMENT
from graph.labels import ACCOUNTABLE_FOR, OWNS, PERSON, STREAM, TEAM, type_of
from graph.schema import ARCHIMATE_TYPE, ELEMENT_LABEL
from graph.store import GraphStore
from queries import budget
from queries.impact import ExpandingReader, ImpactReader, StoreReader
from queries.model_graph import ModelGraph, RelKey
from queries.moment import (
    CHANGES_AROUND,
    FIRST_CHANGES_AFTER,
    Moment,
    Position,
    is_kept_at,
    kept_at,
    model_of,
    position_at,
)
from queries.present import present_is_kept
from queries.resolve import ElementRef
from queries.states import State, decode

T = TypeVar("T")

_KIND = ARCHIMATE_TYPE.name
_UNREAD: Any = object()  # a row's far end not yet looked up

# The present elements among the ids: [id, type, name, ArchiMate type].
ELEMENTS_NOW = f"""
UNWIND $ids AS ref
MATCH (n:{ELEMENT_LABEL} {{id: ref}})
RETURN collect([n.id, {type_of("n")}, n.name, n.{_KIND}]) AS rows
"""

# The present relationships of a type into the ids, with their id and their source's
# type: [source id, source type, target id, relationship id].
INTO_NOW = f"""
UNWIND $ids AS ref
MATCH (s:{ELEMENT_LABEL})-[r]->(x:{ELEMENT_LABEL} {{id: ref}})
WHERE type(r) = $type
RETURN collect([s.id, {type_of("s")}, x.id, r.id]) AS rows
"""


class ThenReader(ExpandingReader):
    """The walks' reads of the model at `position` (`as_of` alone), from Neo4j's present
    rows with the states at that position of what changed since laid over them."""

    def __init__(self, store: GraphStore, position: Position) -> None:
        self.store = store
        self.position = position
        self.revision = store.revision()  # before the changes: see `walked`
        self.now = StoreReader(store)
        # What changed after the position, as it was at it (None: not there then).
        self.nodes: dict[str, State | None] = {}
        self.rels: dict[RelKey, State | None] = {}
        for i, r in enumerate(store.read(FIRST_CHANGES_AFTER, {"seq": position.seq})):
            if i % 5_000 == 0:
                budget.check()
            state = decode(r["before"]) if r["before"] is not None else None
            if r["kind"] == ELEMENT:
                self.nodes[r["id"]] = state
            else:
                self.rels[(r["type"], r["id"])] = state
        # The relationships there at the position that changed since, by each end.
        self._out: dict[str, list[State]] = {}
        self._in: dict[str, list[State]] = {}
        for state in self.rels.values():
            if state is not None:
                self._out.setdefault(state["source"], []).append(state)
                self._in.setdefault(state["target"], []).append(state)
        self._model: ModelGraph | None = None

    def current(self) -> bool:
        """Whether the present has not moved since the changes were read."""
        return self.store.revision() == self.revision

    def model(self) -> ModelGraph:
        """The moment's whole model (kept with the others, `queries.moment.kept_at`)."""
        if self._model is None:
            self._model = kept_at(self.store, self.position)
        return self._model

    # -- elements at the position --------------------------------------------------------

    def _elements(self, ids: list[str]) -> dict[str, tuple[str, str, str | None]]:
        """(type, name, ArchiMate type) of those of `ids` there at the position."""
        out: dict[str, tuple[str, str, str | None]] = {}
        unchanged = []
        for i in dict.fromkeys(ids):
            if i in self.nodes:
                state = self.nodes[i]
                if state is not None:
                    out[i] = (str(state["type"]), state.get("name") or i, state.get(_KIND))
            else:
                unchanged.append(i)
        if unchanged:
            for i, t, name, kind in self.store.read(ELEMENTS_NOW, {"ids": unchanged})[0]["rows"]:
                out[i] = (t, name or i, kind)
        return out

    def resolve(self, ref: str) -> ElementRef:
        """By id at the position; a name on the moment's model (`resolve`'s rules need
        every element's name then)."""
        found = self.refs([ref.strip()])
        if found:
            return next(iter(found.values()))
        return self.model().resolve(ref)

    def refs(self, ids: list[str]) -> dict[str, ElementRef]:
        there = self._elements(ids)
        return {i: ElementRef(id=i, type=there[i][0], name=there[i][1]) for i in ids if i in there}

    # -- relationships at the position ---------------------------------------------------

    def expand(
        self, frontier: list[str], from_source: list[str], from_target: list[str]
    ) -> list[dict[str, Any]]:
        """queries.impact.EXPAND's rows on the model at the position."""
        # Present rows of unchanged relationships: their far end, if unchanged too, is
        # as the row shows it (there now and unchanged since: there then, alike).
        rows = [
            r
            for r in self.now.expand(frontier, from_source, from_target)
            if r["rel_id"] is not None and (r["type"], r["rel_id"]) not in self.rels
        ]
        forward, backward = set(from_source), set(from_target)
        for fid in frontier:
            for s in self._out.get(fid, ()):
                if s["type"] in forward:
                    rows.append(_row(fid, s["target"], s, at_source=True))
            for s in self._in.get(fid, ()):
                if s["type"] in backward:
                    rows.append(_row(fid, s["source"], s, at_source=False))
        # The other far ends as they were (a read only for unchanged ends of relationships
        # changed since): gone ones drop the row.
        ends = self._elements(
            [r["to_id"] for r in rows if r["to_id"] in self.nodes or r["to_kind"] is _UNREAD]
        )
        kept = []
        for r in rows:
            if r["to_id"] not in self.nodes and r["to_kind"] is not _UNREAD:
                kept.append(r)
            elif (end := ends.get(r["to_id"])) is not None:
                kept.append({**r, "to_kind": end[2]})
        return kept

    def _into(self, ids: list[str], rel_type: str, source_type: str) -> list[tuple[str, str]]:
        """(source, target) of each relationship of `rel_type` into `ids` at the position
        from an element of `source_type`: one pair per relationship."""
        pairs: list[tuple[str, str]] = []
        sources: dict[str, str | None] = {}
        rows = self.store.read(INTO_NOW, {"ids": ids, "type": rel_type})[0]["rows"]
        for source, t, target, rel_id in rows:
            if rel_id is not None and (rel_type, rel_id) not in self.rels:
                pairs.append((source, target))
                sources[source] = None if source in self.nodes else t
        for i in dict.fromkeys(ids):
            for s in self._in.get(i, ()):
                if s["type"] == rel_type:
                    pairs.append((s["source"], i))
                    sources.setdefault(s["source"], None)
        missing = [i for i, t in sources.items() if t is None]
        types = {i: t for i, t in sources.items() if t is not None}
        types.update({i: e[0] for i, e in self._elements(missing).items()})
        return [(s, x) for s, x in pairs if types.get(s) == source_type]

    def owners(self, ids: list[str]) -> list[tuple[str, str]]:
        elements = self._elements(ids)
        there = [i for i in ids if i in elements]
        return sorted(self._into(there, OWNS, TEAM))

    def accountable(self, ids: list[str]) -> list[tuple[str, str]]:
        streams = [i for i, e in self._elements(ids).items() if e[0] == STREAM]
        return sorted(self._into(streams, ACCOUNTABLE_FOR, PERSON))


def _row(fid: str, other: str, s: State, *, at_source: bool) -> dict[str, Any]:
    return {
        "from_id": fid,
        "to_id": other,
        "type": s["type"],
        "at_source": at_source,
        "original_type": s.get("original_type"),
        "access_type": s.get("access_type"),
        "rel_id": s["id"],
        "to_kind": _UNREAD,  # set from the far end as it was
    }


def walk_reader(store: GraphStore, moment: Moment) -> ImpactReader:
    """What a question at `moment` walks: the moment's model when it is kept or the
    present model is (building it then costs little), else the present graph with the
    changes since laid over it (`as_of` alone, and those changes fewer than the rest of
    the history: otherwise the model is built forward, as `built_at` would)."""
    if moment.as_of is None or moment.at is not None:
        return model_of(store, moment)
    position = position_at(store, moment.as_of)
    if is_kept_at(store, position) or present_is_kept(store):
        return kept_at(store, position)
    counts = store.read(CHANGES_AROUND, {"seq": position.seq})[0]
    after = int(counts["after"])
    if after > int(counts["total"]) - after:
        return kept_at(store, position)
    return ThenReader(store, position)


def walked(store: GraphStore, moment: Moment, walk: Callable[[ImpactReader], T]) -> T:
    """`walk` on the reader of `moment`; again on the moment's model if the present moved
    while it walked the overlay (its levels read Neo4j in several transactions)."""
    reader = walk_reader(store, moment)
    answer = walk(reader)
    if isinstance(reader, ThenReader) and not reader.current():
        return walk(reader.model())
    return answer
