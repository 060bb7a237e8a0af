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

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from graph import cypher
from graph.history import ELEMENT
from graph.labels import CHANGE, CHANGE_SET, META
from graph.lifecycle import present_on
from graph.model import node_view
from graph.schema import ELEMENT_LABEL, LIFECYCLE_DATES
from graph.store import GraphStore, NotFoundError
from queries import budget
from queries.errors import QuestionError
from queries.model_graph import MODEL_PROPS, ModelGraph, Node, Rel

State = dict[str, Any]
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

# The last change set committed at or before the instant (seq order is commit order).
SEQ_AT = f"""
MATCH (s:{CHANGE_SET})
WHERE s.at <= $at
RETURN coalesce(max(s.seq), 0) AS seq
"""

# The newest change set: where the present model stands in the history.
HEAD = f"""
MATCH (s:{CHANGE_SET})
WITH s ORDER BY s.seq DESC LIMIT 1
RETURN s.seq AS seq, s.at AS at
"""

# Each element's and relationship's last change up to the seq; the deleted left out.
STATES_AT = f"""
MATCH (c:{CHANGE})
WHERE c.seq <= $seq
WITH c ORDER BY c.seq DESC
WITH c.key AS key, collect(c)[0] AS last
WHERE last.after IS NOT NULL
RETURN key, last.kind AS kind, last.after AS after
"""

# The changes after one seq up to another, in commit order.
CHANGES_BETWEEN = f"""
MATCH (c:{CHANGE})
WHERE c.seq > $after AND c.seq <= $upto
RETURN c.seq AS seq, c.key AS key, c.kind AS kind, c.after AS after
ORDER BY c.seq
"""

ELEMENT_AT = f"""
MATCH (c:{CHANGE} {{id: $id}})
WHERE c.kind = '{ELEMENT}' AND c.seq <= $seq
RETURN c.after AS after
ORDER BY c.seq DESC
LIMIT 1
"""

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


def seq_at(store: GraphStore, as_of: datetime) -> int:
    """The history's position at `as_of`, refused before its horizon."""
    at = iso(as_of)
    start = horizon(store)
    if start is not None and at < start:
        raise BeforeHorizon(
            f"as_of {at} is before the change history's horizon {start} (when it starts, or "
            "was last pruned): valuegraph cannot say what the model was then; ask about "
            f"{start} or later"
        )
    return int(store.read(SEQ_AT, {"at": at})[0]["seq"])


def head(store: GraphStore) -> tuple[int, str | None]:
    """The present model's position in the history: the last change set's seq and time
    (0 and None before anything is recorded)."""
    rows = store.read(HEAD)
    return (int(rows[0]["seq"]), str(rows[0]["at"])) if rows else (0, None)


def _decode(text: str) -> State:
    state: State = json.loads(text)
    return state


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
            (snap.nodes if r["kind"] == ELEMENT else snap.rels)[r["key"]] = _decode(r["after"])
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
                states[r["key"]] = _decode(r["after"])
        self.seq = seq

    def copy(self) -> Snapshot:
        return Snapshot(self.seq, dict(self.nodes), dict(self.rels))

    def model(self, at: date | None = None) -> ModelGraph:
        """The model these states make (on day `at`, by lifecycle dates), in the order
        `ModelGraph.load` reads the live one."""
        day = at.isoformat() if at is not None else None
        nodes = [
            _node(s)
            for s in sorted(self.nodes.values(), key=lambda s: str(s["id"]))
            if day is None or present_on(s, day)
        ]
        present = {n.id for n in nodes}
        rels = [
            _rel(s)
            for s in sorted(self.rels.values(), key=lambda s: (s["type"], str(s["id"])))
            if s["source"] in present
            and s["target"] in present
            and (day is None or present_on(s, day))
        ]
        return ModelGraph(nodes, rels)


def _node(state: Mapping[str, Any]) -> Node:
    return Node(id=state["id"], type=state["type"], props={p: state.get(p) for p in MODEL_PROPS})


def _rel(state: Mapping[str, Any]) -> Rel:
    return Rel(
        key=state["id"],
        id=state["id"],
        type=state["type"],
        source=state["source"],
        target=state["target"],
        original_type=state.get("original_type"),
        access_type=state.get("access_type"),
    )


def snapshot_at(store: GraphStore, as_of: datetime) -> Snapshot:
    return Snapshot.at(store, seq_at(store, as_of))


# -- the model at a moment -----------------------------------------------------------------


@dataclass(frozen=True)
class LiveDates:
    """The present model's lifecycle dates (only what has any), read once: a series of days
    (a roadmap's steps, a trend's planned points) filters by each day without reading again."""

    nodes: dict[str, Mapping[str, Any]]
    rels: dict[tuple[str, str], Mapping[str, Any]]

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


def model_at(
    store: GraphStore, *, as_of: datetime | None = None, at: date | None = None
) -> ModelGraph:
    """The model as valuegraph knew it at `as_of` (None: now), on day `at` (None: every
    element and relationship whatever its lifecycle dates)."""
    if as_of is None:
        model = ModelGraph.load(store)
        return model if at is None else on_day(model, store, at)
    return snapshot_at(store, as_of).model(at)


def model_of(store: GraphStore, moment: Moment) -> ModelGraph:
    return model_at(store, as_of=moment.as_of, at=moment.at)


NeighbourKey = tuple[str, str, bool, int]  # element id, relationship type, outgoing?, limit


class ModelThen:
    """The model at one moment, read once, asked what GraphQL's relationship fields ask of
    the live store (`GraphStore.neighbours`): so an element read as of T, or on day F,
    shows the relationships it had then, not today's (one truth: never two moments mixed).

    As of an instant, the neighbours' whole states come from the same history snapshot as
    the model; on a day alone (the present model), from the live store, one read per batch.
    """

    def __init__(self, store: GraphStore, moment: Moment) -> None:
        self.store = store
        self.states: dict[str, State] | None = None
        if moment.as_of is None:
            self.model = model_at(store, at=moment.at)
        else:
            snap = snapshot_at(store, moment.as_of)
            self.model = snap.model(moment.at)
            self.states = {str(s["id"]): s for s in snap.nodes.values()}

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
        if self.states is None:
            rows = self.store.read(cypher.NODES_BY_IDS, {"ids": sorted(ids)})
            return {str(r["props"]["id"]): node_view(r["label"], r["props"]) for r in rows}
        out: dict[str, dict[str, Any]] = {}
        for i in ids:
            state = dict(self.states[i])
            label = str(state.pop("type"))
            out[i] = node_view(label, state)
        return out


def element_at(store: GraphStore, element_id: str, moment: Moment) -> dict[str, Any]:
    """One element as the API shows it, as it was at `moment.as_of` and on `moment.at`;
    NotFoundError when it did not exist then (or is not in use on that day)."""
    if moment.as_of is None:
        live = store.read(cypher.GET_NODE, {"id": element_id})
        state = {"type": live[0]["label"], **live[0]["props"]} if live else None
    else:
        rows = store.read(ELEMENT_AT, {"id": element_id, "seq": seq_at(store, moment.as_of)})
        state = _decode(rows[0]["after"]) if rows and rows[0]["after"] is not None else None
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
