"""The model at a moment, as a `ModelGraph` the questions run on unchanged.

Two kinds of time, kept apart (docs/history.md):

- `as_of`, transaction time: the model as valuegraph knew it at that instant, rebuilt from
  the change history (`graph.history`): for each element and relationship its last change
  at or before the instant; those whose `after` is not null are the model then. An instant
  before the history's horizon (its start, or the last prune) is refused.
- `at`, valid time: the model as it is (or is planned to be) on that day by its lifecycle
  dates (`graph.lifecycle.present_on`): what is not yet phased in or already past its end
  of life is left out, and a relationship goes with either of its ends.

Both at once ask "as of T, what did we plan for day F". Neither changes a question's code:
they all run on the `ModelGraph` as scenarios do (queries.scenarios.comparison).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from graph import cypher
from graph.history import DIGEST, ELEMENT, changes, count_changes
from graph.labels import CHANGE_SET, META
from graph.lifecycle import present_on
from graph.model import node_view
from graph.schema import ELEMENT_LABEL, LIFECYCLE_DATES
from graph.store import GraphStore, NotFoundError
from queries import budget
from queries.errors import QuestionError
from queries.model_graph import ModelGraph, Node, Rel, RelKey
from queries.present import present_model
from queries.states import CHANGES_BETWEEN, State, decode, node_of, rel_of

LIFECYCLE_FIELDS: tuple[str, ...] = tuple(p.name for p in LIFECYCLE_DATES)

HINT = "give YYYY-MM-DD or an ISO date and time, e.g. 2026-12-01 or 2026-12-01T09:30:00Z"


class BeforeHorizon(QuestionError):
    """An instant before what the history holds: the answer would be a guess."""


# -- the moment asked about ----------------------------------------------------------------


def parse_instant(text: str, what: str = "as_of") -> datetime:
    """An instant given as YYYY-MM-DD (its midnight, UTC) or an ISO date and time (UTC when
    it names no zone); QuestionError with a hint otherwise."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise QuestionError(f"{what}: {text!r} is not a date; {HINT}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_day(text: str, what: str = "at") -> date:
    """A day given as YYYY-MM-DD, or an ISO date and time (its day, UTC)."""
    return parse_instant(text, what).date()


def iso(moment: datetime) -> str:
    """As the history stores times (`graph.model.now_iso`), so they compare as text."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Moment:
    """When a question is asked of: `as_of` (transaction time), `at` (valid time); neither:
    the model as it is now."""

    as_of: datetime | None = None
    at: date | None = None

    @classmethod
    def of(cls, as_of: str | None = None, at: str | None = None) -> Moment:
        """From the text a surface was given (blank: not given)."""
        return cls(
            parse_instant(as_of, "as_of") if as_of and as_of.strip() else None,
            parse_day(at, "at") if at and at.strip() else None,
        )

    @property
    def present(self) -> bool:
        return self.as_of is None and self.at is None

    @property
    def day(self) -> date | None:
        """The day lifecycle dates are read against: `at`, else the day of `as_of`."""
        if self.at is not None:
            return self.at
        return self.as_of.date() if self.as_of is not None else None


# -- Cypher --------------------------------------------------------------------------------

HORIZON = f"""
OPTIONAL MATCH (m:{META} {{key: 'history'}})
RETURN m.since AS since, m.pruned_before AS pruned_before
"""

# The last change set committed at or before the instant (seq order is commit order), and
# its digest: the hash chain makes it name the whole history up to it.
POSITION_AT = f"""
MATCH (s:{CHANGE_SET})
WHERE s.at <= $at
RETURN s.seq AS seq, s.{DIGEST} AS digest
ORDER BY s.seq DESC
LIMIT 1
"""

# The newest change set: where the present model stands in the history.
HEAD = f"""
MATCH (s:{CHANGE_SET})
WITH s ORDER BY s.seq DESC LIMIT 1
RETURN s.seq AS seq, s.at AS at
"""

# Each element's and relationship's last change up to the seq; the deleted left out.
# (Both forms of the history: `Change` nodes and chunks' rows, graph.history.changes.)
STATES_AT = (
    changes("{x}.seq <= $seq", fields=("seq", "key", "kind", "after"))
    + """WITH c ORDER BY c.seq DESC
WITH c.key AS key, collect(c)[0] AS last
WHERE last.after IS NOT NULL
RETURN key, last.kind AS kind, last.after AS after
"""
)

# How many changes the history holds, and how many of them come after a position (the
# total from Neo4j's counts, the rest a range of the seq index).
CHANGES_AROUND = (
    count_changes()
    + "WITH changes AS total\n"
    + count_changes("{x}.seq > $seq")
    + "RETURN total, changes AS after\n"
)

# Each element's and relationship's first change after the seq: its `before` is what it
# was at the seq (null: it did not exist).
FIRST_CHANGES_AFTER = (
    changes("{x}.seq > $seq", fields=("seq", "key", "kind", "id", "type", "before"))
    + """WITH c ORDER BY c.seq
WITH c.key AS key, collect(c)[0] AS first
RETURN first.kind AS kind, first.id AS id, first.type AS type, first.before AS before
"""
)

ELEMENT_AT = (
    changes(
        f"{{x}}.kind = '{ELEMENT}' AND {{x}}.seq <= $seq", item_id="$id", fields=("seq", "after")
    )
    + """RETURN c.after AS after
ORDER BY c.seq DESC
LIMIT 1
"""
)

# ELEMENT_AT for several ids: each one's last state up to the seq (null: deleted).
ELEMENTS_AT = (
    """UNWIND $ids AS id
CALL (id) {
"""
    + changes(
        f"{{x}}.kind = '{ELEMENT}' AND {{x}}.seq <= $seq",
        item_id="id",
        fields=("seq", "after"),
        scope="id",
    )
    + """  RETURN c.after AS after
  ORDER BY c.seq DESC
  LIMIT 1
}
RETURN id, after
"""
)

_DATES = ", ".join(f".{f}" for f in LIFECYCLE_FIELDS)
_ANY_DATE = " OR ".join(f"x.{f} IS NOT NULL" for f in LIFECYCLE_FIELDS)

# The lifecycle dates of the present model (only what has any), keyed as `ModelGraph` keys.
LIVE_NODE_DATES = f"""
MATCH (x:{ELEMENT_LABEL})
WHERE {_ANY_DATE}
RETURN x.id AS key, x {{{_DATES}}} AS dates
"""

LIVE_REL_DATES = f"""
MATCH (:{ELEMENT_LABEL})-[x]->(:{ELEMENT_LABEL})
WHERE {_ANY_DATE}
RETURN type(x) AS type, coalesce(x.id, 'eid:' + elementId(x)) AS key, x {{{_DATES}}} AS dates
"""


# -- the history as of an instant ----------------------------------------------------------


def horizon(store: GraphStore) -> str | None:
    """The earliest instant the history answers for (ISO, UTC): its start or the last
    prune's cut, whichever is later; None when nothing is recorded about it."""
    row = store.read(HORIZON)[0]
    bounds = [b for b in (row["since"], row["pruned_before"]) if b]
    return max(bounds) if bounds else None


@dataclass(frozen=True)
class Position:
    """A position in the history: the last change set's seq (0: none yet) and its digest,
    which names everything up to it (`graph.history`'s hash chain)."""

    seq: int
    digest: str | None = None


def position_at(store: GraphStore, as_of: datetime) -> Position:
    """The history's position at `as_of`, refused before its horizon."""
    at = iso(as_of)
    start = horizon(store)
    if start is not None and at < start:
        raise BeforeHorizon(
            f"as_of {at} is before the change history's horizon {start} (when it starts, or "
            "was last pruned): valuegraph cannot say what the model was then; ask about "
            f"{start} or later"
        )
    rows = store.read(POSITION_AT, {"at": at})
    return Position(int(rows[0]["seq"]), rows[0]["digest"]) if rows else Position(0)


def seq_at(store: GraphStore, as_of: datetime) -> int:
    """The history's position at `as_of` (its seq), refused before its horizon."""
    return position_at(store, as_of).seq


def head(store: GraphStore) -> tuple[int, str | None]:
    """The present model's position in the history: the last change set's seq and time
    (0 and None before anything is recorded)."""
    rows = store.read(HEAD)
    return (int(rows[0]["seq"]), str(rows[0]["at"])) if rows else (0, None)


@dataclass
class Snapshot:
    """The states of every element and relationship at one position of the history, by
    their history key; `advance` moves it forward, so a series of moments is built from
    the first one on rather than each from the start."""

    seq: int
    nodes: dict[str, State] = field(default_factory=dict)
    rels: dict[str, State] = field(default_factory=dict)

    @classmethod
    def at(cls, store: GraphStore, seq: int) -> Snapshot:
        snap = cls(seq)
        for i, r in enumerate(store.read(STATES_AT, {"seq": seq})):
            if i % 5_000 == 0:
                budget.check()
            (snap.nodes if r["kind"] == ELEMENT else snap.rels)[r["key"]] = decode(r["after"])
        return snap

    def advance(self, store: GraphStore, seq: int) -> None:
        """Apply the changes committed after this position, up to `seq`."""
        if seq <= self.seq:
            return
        rows = store.read(CHANGES_BETWEEN, {"after": self.seq, "upto": seq})
        for i, r in enumerate(rows):
            if i % 5_000 == 0:
                budget.check()
            states = self.nodes if r["kind"] == ELEMENT else self.rels
            if r["after"] is None:
                states.pop(r["key"], None)
            else:
                states[r["key"]] = decode(r["after"])
        self.seq = seq

    def copy(self) -> Snapshot:
        return Snapshot(self.seq, dict(self.nodes), dict(self.rels))

    def model(self, at: date | None = None) -> ModelGraph:
        """The model these states make (on day `at`, by lifecycle dates), in the order
        `ModelGraph.load` reads the live one."""
        day = at.isoformat() if at is not None else None
        nodes = [
            node_of(s)
            for s in sorted(self.nodes.values(), key=lambda s: str(s["id"]))
            if day is None or present_on(s, day)
        ]
        present = {n.id for n in nodes}
        rels = [
            rel_of(s)
            for s in sorted(self.rels.values(), key=lambda s: (s["type"], str(s["id"])))
            if s["source"] in present
            and s["target"] in present
            and (day is None or present_on(s, day))
        ]
        return ModelGraph(nodes, rels)


def snapshot_at(store: GraphStore, as_of: datetime) -> Snapshot:
    return Snapshot.at(store, seq_at(store, as_of))


# -- the model at a moment -----------------------------------------------------------------

Dates = dict[str, Any]


@dataclass(frozen=True)
class LiveDates:
    """The present model's lifecycle dates (only what has any), read once: a series of days
    (a roadmap's steps, a trend's planned points) filters by each day without reading again."""

    nodes: dict[str, Dates]
    rels: dict[RelKey, Dates]

    @classmethod
    def read(cls, store: GraphStore) -> LiveDates:
        return cls(
            {r["key"]: r["dates"] for r in store.read(LIVE_NODE_DATES)},
            {(r["type"], r["key"]): r["dates"] for r in store.read(LIVE_REL_DATES)},
        )

    def on(self, model: ModelGraph, at: date) -> ModelGraph:
        """The present model (as `ModelGraph.load` read it) on day `at`."""
        day = at.isoformat()
        gone = {k for k, dates in self.nodes.items() if not present_on(dates, day)}
        gone_rels = {k for k, dates in self.rels.items() if not present_on(dates, day)}
        return ModelGraph(
            (n for n in model.nodes.values() if n.id not in gone),
            (
                r
                for r in model.rels.values()
                if r.rel_key not in gone_rels and r.source not in gone and r.target not in gone
            ),
        )


def on_day(model: ModelGraph, store: GraphStore, at: date) -> ModelGraph:
    """The present model (as `ModelGraph.load` read it) on day `at`, by its lifecycle dates."""
    return LiveDates.read(store).on(model, at)


def _dates(state: Mapping[str, Any]) -> Dates:
    return {f: state.get(f) for f in LIFECYCLE_FIELDS}


def rewound(store: GraphStore, seq: int, at: date | None = None) -> ModelGraph:
    """The model at position `seq` (on day `at`), built backward: the present model
    (`queries.present`, kept per revision) with the changes after `seq` undone. Each
    element's and relationship's first change after `seq` says in `before` what it was at
    `seq`; what changed after it is set to that, and the rest is as it is now.

    The present is read before the changes, so a change committed in between is among
    them and undone too. Relationships stored without an id have no history: left out, as
    the history's model leaves them out."""
    present = present_model(store)
    dates = LiveDates.read(store) if at is not None else None
    nodes: dict[str, Node | None] = {}
    rels: dict[RelKey, Rel | None] = {k: None for k, r in present.rels.items() if r.id is None}
    node_dates: dict[str, Dates | None] = {}
    rel_dates: dict[RelKey, Dates | None] = {}
    for i, r in enumerate(store.read(FIRST_CHANGES_AFTER, {"seq": seq})):
        if i % 5_000 == 0:
            budget.check()
        state = decode(r["before"]) if r["before"] is not None else None
        if r["kind"] == ELEMENT:
            nodes[r["id"]] = node_of(state) if state is not None else None
            node_dates[r["id"]] = _dates(state) if state is not None else None
        else:
            key = (r["type"], r["id"])
            rels[key] = rel_of(state) if state is not None else None
            rel_dates[key] = _dates(state) if state is not None else None
    model = present.changed(nodes, rels)
    if dates is None or at is None:
        return model
    return LiveDates(_overlaid(dates.nodes, node_dates), _overlaid(dates.rels, rel_dates)).on(
        model, at
    )


K = TypeVar("K")


def _overlaid(now: dict[K, Dates], then: Mapping[K, Dates | None]) -> dict[K, Dates]:
    """The dates now, with those of what changed since set to what they were."""
    out = dict(now)
    for key, dates in then.items():
        if dates is None:
            out.pop(key, None)
        else:
            out[key] = dates
    return out


def forward(store: GraphStore, seq: int, at: date | None = None) -> ModelGraph:
    """The model at position `seq` (on day `at`), built forward: each element's and
    relationship's last change up to `seq` (`Snapshot.at`)."""
    return Snapshot.at(store, seq).model(at)


def built_at(store: GraphStore, seq: int, at: date | None = None) -> ModelGraph:
    """The model at position `seq`, built the cheaper way: backward from the present when
    the changes after `seq` are no more than those up to it, forward otherwise (each way
    reads about its own share of the history)."""
    counts = store.read(CHANGES_AROUND, {"seq": seq})[0]
    after = int(counts["after"])
    if after > int(counts["total"]) - after:
        return forward(store, seq, at)
    return rewound(store, seq, at)


# The models of the last few moments asked about. A model is large (the whole model's
# size, though one built backward shares what did not change with the present model), so
# only a few are kept: the repeated questions at one moment (an explorer's pages, a
# comparison's sides) find it. A position names the history up to it (seq and digest), so
# a kept model stays right while that history does: a prune does not change it (it keeps
# each thing's state at its cut, and a moment before the cut is refused before the cache
# is looked at), and a history deleted and written anew has other digests.
MAX_MOMENTS = 2
MomentKey = tuple[int, str | None, date | None]
_MOMENTS: WeakKeyDictionary[GraphStore, OrderedDict[MomentKey, ModelGraph]] = WeakKeyDictionary()
_MOMENTS_LOCK = threading.Lock()


def forget_moments(store: GraphStore) -> None:
    """Drop the models of moments kept for `store` (tests, benchmarks)."""
    with _MOMENTS_LOCK:
        _MOMENTS.pop(store, None)


def is_kept_at(store: GraphStore, position: Position, at: date | None = None) -> bool:
    """Whether the model at `position` (on day `at`) is kept: `kept_at` then builds nothing."""
    with _MOMENTS_LOCK:
        return (position.seq, position.digest, at) in _MOMENTS.get(store, {})


def kept_at(store: GraphStore, position: Position, at: date | None = None) -> ModelGraph:
    """The model at `position` (on day `at`): kept from an earlier question, else built
    (`built_at`) and kept. Shared between questions: read-only (`copy()` it to change it)."""
    key: MomentKey = (position.seq, position.digest, at)
    with _MOMENTS_LOCK:
        kept = _MOMENTS.setdefault(store, OrderedDict())
        if key in kept:
            kept.move_to_end(key)
            return kept[key]
    model = built_at(store, position.seq, at)
    with _MOMENTS_LOCK:
        kept = _MOMENTS.setdefault(store, OrderedDict())
        kept[key] = model
        kept.move_to_end(key)
        while len(kept) > MAX_MOMENTS:
            kept.popitem(last=False)
    return model


def model_at(
    store: GraphStore, *, as_of: datetime | None = None, at: date | None = None
) -> ModelGraph:
    """The model as valuegraph knew it at `as_of` (None: now), on day `at` (None: every
    element and relationship whatever its lifecycle dates). One as of a moment is shared
    with other questions at that moment (`kept_at`): read-only."""
    if as_of is None:
        model = ModelGraph.load(store)
        return model if at is None else on_day(model, store, at)
    return kept_at(store, position_at(store, as_of), at)


def model_of(store: GraphStore, moment: Moment) -> ModelGraph:
    return model_at(store, as_of=moment.as_of, at=moment.at)


NeighbourKey = tuple[str, str, bool, int]  # element id, relationship type, outgoing?, limit


class ModelThen:
    """The model at one moment, read once, asked what GraphQL's relationship fields ask of
    the live store (`GraphStore.neighbours`): so an element read as of T, or on day F,
    shows the relationships it had then, not today's (one truth: never two moments mixed).

    As of an instant the model is the one kept for that moment (`kept_at`, shared with
    the questions asked of it) and the neighbours' whole states are read from the history
    at the same position, only for the neighbours shown; on a day alone (the present
    model), from the live store. One read per batch either way.
    """

    def __init__(self, store: GraphStore, moment: Moment) -> None:
        self.store = store
        self.seq: int | None = None
        if moment.as_of is None:
            self.model = model_at(store, at=moment.at)
        else:
            position = position_at(store, moment.as_of)
            self.seq = position.seq
            self.model = kept_at(store, position, moment.at)

    def neighbours(self, keys: list[NeighbourKey]) -> list[list[dict[str, Any]]]:
        """For each key its neighbours (each once), in `cypher.NEIGHBOURS`' order: a stage
        by its `order`, then by name; at most `limit`."""
        picked: list[list[str]] = []
        for node_id, rel_type, outgoing, limit in keys:
            rels = (
                self.model.out_rels(node_id, rel_type)
                if outgoing
                else self.model.in_rels(node_id, rel_type)
            )
            ends = {r.target if outgoing else r.source for r in rels}
            nodes = sorted(
                (self.model.nodes[i] for i in ends),
                key=lambda n: (n.props.get("order") or 0, str(n.props.get("name") or ""), n.id),
            )
            picked.append([n.id for n in nodes[:limit]])
        views = self._views({i for ids in picked for i in ids})
        return [[views[i] for i in ids if i in views] for ids in picked]

    def _views(self, ids: set[str]) -> dict[str, dict[str, Any]]:
        if self.seq is None:
            rows = self.store.read(cypher.NODES_BY_IDS, {"ids": sorted(ids)})
            return {str(r["props"]["id"]): node_view(r["label"], r["props"]) for r in rows}
        out: dict[str, dict[str, Any]] = {}
        for r in self.store.read(ELEMENTS_AT, {"ids": sorted(ids), "seq": self.seq}):
            if r["after"] is not None:
                state = decode(r["after"])
                out[str(r["id"])] = node_view(str(state.pop("type")), state)
        return out


def element_at(store: GraphStore, element_id: str, moment: Moment) -> dict[str, Any]:
    """One element as the API shows it, as it was at `moment.as_of` and on `moment.at`;
    NotFoundError when it did not exist then (or is not in use on that day)."""
    if moment.as_of is None:
        live = store.read(cypher.GET_NODE, {"id": element_id})
        state = {"type": live[0]["label"], **live[0]["props"]} if live else None
    else:
        rows = store.read(ELEMENT_AT, {"id": element_id, "seq": seq_at(store, moment.as_of)})
        state = decode(rows[0]["after"]) if rows and rows[0]["after"] is not None else None
    when = _describe(moment)
    if state is None:
        raise NotFoundError(f"no element with id {element_id!r}{when}")
    if moment.at is not None and not present_on(state, moment.at.isoformat()):
        raise NotFoundError(
            f"element {element_id!r} is not in use on {moment.at.isoformat()} by its lifecycle "
            f"dates{_describe(Moment(moment.as_of))}"
        )
    label = str(state.pop("type"))
    return node_view(label, state)


def _describe(moment: Moment) -> str:
    parts = []
    if moment.as_of is not None:
        parts.append(f" as of {iso(moment.as_of)}")
    if moment.at is not None:
        parts.append(f" on {moment.at.isoformat()}")
    return "".join(parts)
