"""Change history: every committed change to the model, recorded in the change's transaction.

A `ChangeSet` node stands for one committed change (an import, an edit, a scenario applied,
a batch of a reset, the baseline, a prune): who made it, when, through what. A `Change` node
per element or relationship it changed holds what that was before and after, as JSON (Neo4j
properties cannot be maps); null before means created, null after deleted. A change that
creates many (`CHUNK_MIN`: an import, the baseline) records its creations as `ChangeChunk`
nodes instead, each holding up to `CHUNK_ROWS` created rows of one kind and type: their ids
(sorted) and their states, as two aligned lists; its other changes are `Change` nodes as
before. Readers see both forms as one list of changes (`changes`). All three labels live
beside the model (never `Element`), so no question, count, import or export sees them.
docs/history.md says why time is kept this way and what it costs.

How a write is recorded (`GraphStore` does it; importers and scenarios only say what they
touch in their own steps):

1. The store opens a `Recorder` for the transaction (`recording`).
2. Before a statement changes elements or relationships, their ids are *touched*
   (`touch_nodes`, `touch_relationships`): the first touch reads what they are, taking their
   write locks first, so a concurrent writer's change is either wholly before this one or
   wholly after it. Ids the caller knows are new are not read (they were nothing).
3. Last, `commit` takes the model's revision lock (held until the commit, so sequence
   numbers follow commit order), reads what every touched id is now and writes one change
   set with a change per id whose state differs. Nothing differs, nothing is written.

Who and through what come from the `Origin` in effect (`acting_as`): the REST middleware sets
the caller's for each request; a process that sets none (the CLI) is its OS user via `cli`.

The change sets form a hash chain: each `Change` holds the digest of its own canonical JSON,
each `ChangeSet` the digest of its fields (its predecessor's digest among them) and of its
changes' digests, and the revision node the digest of the last one (the head), all written
in the change's transaction. `queries.history.verify` walks it.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Final

from neo4j import ManagedTransaction

from graph import cypher
from graph.labels import CHANGE, CHANGE_CHUNK, CHANGE_SET, META, type_of
from graph.model import now_iso
from graph.schema import ELEMENT_LABEL, SCHEMA

BATCH = 5_000

# A change creating at least this many elements and relationships records them in chunks:
# a node per row is what made a large import's history cost as much again as the import
# (docs/history.md, "Costs"). Below it (edits, small imports) each is a `Change` node.
CHUNK_MIN = 100
# Rows per chunk: an element's history is found in one chunk per import (the ids are
# sorted, `lo` and `hi` bound them) and read with that chunk's lists (~0.2 MB).
CHUNK_ROWS = 500

ELEMENT: Final = "element"
RELATIONSHIP: Final = "relationship"

# Fields that move on every write without the element changing: a write that changes only
# these (a re-import touching an unchanged node, a PATCH with the same values) records nothing.
VOLATILE = frozenset({"updated_at", "import_run"})

# Set and removed at once: takes the write lock of what is touched without changing it
# (plain Cypher has no lock statement and APOC is not there).
_LOCK = "_history_lock"


# -- who and through what ------------------------------------------------------------------


@dataclass(frozen=True)
class Origin:
    """Who makes a change (actor, token) and through what (via: rest, graphql, cli, start-up;
    request: the route and request id)."""

    actor: str
    via: str
    token_id: str = ""
    request: str = ""


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in a bare container: still a CLI change
        return "cli"


_ORIGIN: ContextVar[Origin | None] = ContextVar("history_origin", default=None)


def current_origin() -> Origin:
    return _ORIGIN.get() or Origin(actor=_os_user(), via="cli")


@contextmanager
def acting_as(origin: Origin) -> Iterator[None]:
    """Changes made in the block (and in threads started from it) are `origin`'s."""
    token = _ORIGIN.set(origin)
    try:
        yield
    finally:
        _ORIGIN.reset(token)


# -- Cypher --------------------------------------------------------------------------------

NODE_STATES = f"""
UNWIND $ids AS id
MATCH (n:{ELEMENT_LABEL} {{id: id}})
RETURN id, {type_of("n")} AS label, properties(n) AS props
"""

LOCK_NODE_STATES = f"""
UNWIND $ids AS id
MATCH (n:{ELEMENT_LABEL} {{id: id}})
SET n.{_LOCK} = true
REMOVE n.{_LOCK}
RETURN id, {type_of("n")} AS label, properties(n) AS props
"""

# The relationships a deletion of these elements takes along (those with an id: a
# relationship written without one, outside the store, has nothing to key its history on).
LOCK_ATTACHED = f"""
UNWIND $ids AS id
MATCH (n:{ELEMENT_LABEL} {{id: id}})-[r]-(:{ELEMENT_LABEL})
WHERE r.id IS NOT NULL
SET r.{_LOCK} = true
REMOVE r.{_LOCK}
RETURN DISTINCT type(r) AS type, r.id AS id, startNode(r).id AS source,
       endNode(r).id AS target, properties(r) AS props
"""


def _rel_states(rel_type: str, *, lock: bool) -> str:
    rel = SCHEMA.rel(rel_type)
    locking = f"\nSET r.{_LOCK} = true\nREMOVE r.{_LOCK}" if lock else ""
    return f"""
UNWIND $ids AS id
MATCH (a:{ELEMENT_LABEL})-[r:{rel.type} {{id: id}}]->(b:{ELEMENT_LABEL}){locking}
RETURN id, a.id AS source, b.id AS target, properties(r) AS props
"""


# The revision lock also orders the chain: the head read here is the last committed set's.
BUMP_SEQUENCE = (
    cypher.BUMP_REVISION + "RETURN m.revision AS seq, coalesce(m.history_head, '') AS head\n"
)

CREATE_CHANGE_SET = f"""
CREATE (s:{CHANGE_SET}) SET s = $props
WITH s
MATCH (m:{META} {{key: 'revision'}})
SET m.history_head = s.digest, m.history_head_seq = s.seq
"""

CREATE_CHANGES = f"""
UNWIND $rows AS row
CREATE (c:{CHANGE})
SET c = row
"""

CREATE_CHUNKS = f"""
UNWIND $rows AS row
CREATE (k:{CHANGE_CHUNK})
SET k = row
"""


def schema_statements() -> list[str]:
    """Indexes of the history (run with the model's, `graph.cypher.schema_statements`)."""
    return [
        f"CREATE CONSTRAINT change_set_seq IF NOT EXISTS "
        f"FOR (s:{CHANGE_SET}) REQUIRE s.seq IS UNIQUE",
        f"CREATE INDEX change_set_at IF NOT EXISTS FOR (s:{CHANGE_SET}) ON (s.at)",
        f"CREATE INDEX change_id IF NOT EXISTS FOR (c:{CHANGE}) ON (c.id)",
        f"CREATE INDEX change_seq IF NOT EXISTS FOR (c:{CHANGE}) ON (c.seq)",
        f"CREATE INDEX change_at IF NOT EXISTS FOR (c:{CHANGE}) ON (c.at)",
        f"CREATE INDEX change_chunk_seq IF NOT EXISTS FOR (k:{CHANGE_CHUNK}) ON (k.seq)",
        f"CREATE INDEX change_chunk_lo IF NOT EXISTS FOR (k:{CHANGE_CHUNK}) ON (k.lo)",
    ]


# -- reading both forms as one ---------------------------------------------------------------

# Each field of a change as a `Change` node (`ch`) and as a chunk's row (`k`, row `i` of
# its lists bound as `kids` and `kstates`) give it.
_FIELDS: Final[dict[str, tuple[str, str]]] = {
    "seq": ("ch.seq", "k.seq"),
    "at": ("ch.at", "k.at"),
    "kind": ("ch.kind", "k.kind"),
    "key": (
        "ch.key",
        f"CASE k.kind WHEN '{ELEMENT}' THEN 'e:' ELSE 'r:' + k.type + ':' END + kids[i]",
    ),
    "id": ("ch.id", "kids[i]"),
    "type": ("ch.type", "k.type"),
    "op": ("ch.op", "'created'"),
    "fields": ("ch.fields", "null"),
    "before": ("ch.before", "null"),
    "after": ("ch.after", "kstates[i]"),
    # Where the states are, to read them after a page is chosen (`STATES_OF`).
    "node": ("ch", "null"),
    "chunk": ("null", "k"),
    "row": ("null", "i"),
}
CHANGE_FIELDS: Final = ("seq", "at", "kind", "key", "id", "type", "op", "fields", "before", "after")
# A change without its states, with where they are (for pages: states read for the page only).
CHANGE_REFS: Final = (
    "seq",
    "at",
    "kind",
    "key",
    "id",
    "type",
    "op",
    "fields",
    "node",
    "chunk",
    "row",
)

# A page's states, `c` being a change read with `CHANGE_REFS`.
STATES_OF = """c {.seq, .at, .kind, .key, .id, .type, .op, .fields,
  before: c.node.before,
  after: CASE WHEN c.chunk IS NULL THEN c.node.after ELSE c.chunk.states[c.row] END}"""


def changes(
    where: str = "true",
    *,
    fields: Sequence[str] = CHANGE_FIELDS,
    item_id: str | None = None,
    scope: str = "",
) -> str:
    """A subquery yielding every recorded change, in either form, as a map `c` of `fields`.

    `where` filters on the fields a chunk shares with its rows (`seq`, `at`, `kind`,
    `type`), written with `{x}` for the node (`"{x}.seq <= $seq"`); `item_id`, a Cypher
    expression, keeps one element's or relationship's changes (by the index on `id` and the
    chunks' bounds); `scope` lists the outer variables the subquery uses."""
    node_where = where.replace("{x}", "ch")
    chunk_where = where.replace("{x}", "k")
    match = f"MATCH (ch:{CHANGE})"
    rows = "range(0, size(kids) - 1)"
    if item_id is not None:
        match = f"MATCH (ch:{CHANGE} {{id: {item_id}}})"
        chunk_where += f" AND k.lo <= {item_id} AND k.hi >= {item_id}"
        rows = f"[j IN range(0, size(kids) - 1) WHERE kids[j] = {item_id}]"
    states = ", k.states AS kstates" if "after" in fields else ""
    as_node = ", ".join(f"{f}: {_FIELDS[f][0]}" for f in fields)
    as_row = ", ".join(f"{f}: {_FIELDS[f][1]}" for f in fields)
    return f"""CALL ({scope}) {{
  {match}
  WHERE {node_where}
  RETURN {{{as_node}}} AS c
  UNION ALL
  MATCH (k:{CHANGE_CHUNK})
  WHERE {chunk_where}
  WITH k, k.ids AS kids{states}
  UNWIND {rows} AS i
  RETURN {{{as_row}}} AS c
}}
"""


def count_changes(where: str = "true", *, scope: str = "") -> str:
    """A subquery yielding `changes`, how many changes match `where` (as in `changes`),
    counted without reading a chunk's lists (each holds `count` rows)."""
    return f"""CALL ({scope}) {{
  CALL ({scope}) {{
    MATCH (ch:{CHANGE}) WHERE {where.replace("{x}", "ch")} RETURN count(ch) AS n
    UNION ALL
    MATCH (k:{CHANGE_CHUNK}) WHERE {where.replace("{x}", "k")} RETURN sum(k.count) AS n
  }}
  RETURN sum(n) AS changes
}}
"""


# -- states --------------------------------------------------------------------------------

State = dict[str, Any]
RelKey = tuple[str, str]  # (type, id)


def _node_state(label: str, props: Mapping[str, Any]) -> State:
    return {"type": label, **props}


def _rel_state(rel_type: str, source: str, target: str, props: Mapping[str, Any]) -> State:
    return {**props, "type": rel_type, "source": source, "target": target}


def _created_node(label: str, row: Mapping[str, Any], now: str) -> State:
    """What `cypher.create_nodes` makes of a row (Neo4j stores no nulls)."""
    props = {k: v for k, v in row["props"].items() if v is not None}
    return _node_state(label, {**props, "id": row["id"], "created_at": now, "updated_at": now})


def _created_rel(rel_type: str, row: Mapping[str, Any]) -> State:
    """What `cypher.create_relationships` makes of a row."""
    props = {k: v for k, v in row["props"].items() if v is not None}
    return _rel_state(rel_type, row["source"], row["target"], {**props, "id": row["id"]})


def changed_fields(before: State | None, after: State | None) -> list[str]:
    """The fields that differ between two states, volatile ones aside."""
    b, a = before or {}, after or {}
    return sorted(k for k in b.keys() | a.keys() if k not in VOLATILE and b.get(k) != a.get(k))


def _batches(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# -- recording a transaction ---------------------------------------------------------------


@dataclass
class Recorder:
    """What one transaction touched, with the states before it touched them."""

    origin: Origin
    nodes: dict[str, State | None] = field(default_factory=dict)
    rels: dict[RelKey, State | None] = field(default_factory=dict)
    action: str = "edit"
    ref: str = ""
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # What rows this transaction CREATEd said (the rows themselves, held by the write until
    # it commits anyway): their state after, unless something touches them again.
    rows: dict[str, tuple[str, Mapping[str, Any], str]] = field(default_factory=dict)
    rel_rows: dict[RelKey, Mapping[str, Any]] = field(default_factory=dict)

    def created_nodes(self, label: str, rows: Sequence[Mapping[str, Any]], now: str) -> None:
        for row in rows:
            if row["id"] not in self.nodes:
                self.nodes[row["id"]] = None
                self.rows[row["id"]] = (label, row, now)

    def created_relationships(self, rel_type: str, rows: Sequence[Mapping[str, Any]]) -> None:
        for row in rows:
            key = (rel_type, row["id"])
            if key not in self.rels:
                self.rels[key] = None
                self.rel_rows[key] = row

    def touch_nodes(
        self,
        tx: ManagedTransaction,
        ids: Iterable[str],
        *,
        new: bool = False,
        attached: bool = False,
    ) -> None:
        ids = list(dict.fromkeys(ids))
        for i in ids:
            self.rows.pop(i, None)
        fresh = [i for i in ids if i not in self.nodes]
        if new:
            self.nodes.update(dict.fromkeys(fresh))
            return
        found: dict[str, State] = {}
        for batch in _batches(fresh):
            for r in tx.run(LOCK_NODE_STATES, ids=list(batch)):
                found[r["id"]] = _node_state(r["label"], r["props"])
        self.nodes.update({i: found.get(i) for i in fresh})
        if attached:
            # The relationships a delete takes along, read once the elements are locked,
            # also for ids seen before (they may have gained some in this transaction).
            for batch in _batches(ids):
                for r in tx.run(LOCK_ATTACHED, ids=list(batch)):
                    key = (r["type"], r["id"])
                    self.rel_rows.pop(key, None)
                    if key not in self.rels:
                        self.rels[key] = _rel_state(r["type"], r["source"], r["target"], r["props"])

    def touch_relationships(
        self, tx: ManagedTransaction, keys: Iterable[RelKey], *, new: bool = False
    ) -> None:
        keys = list(dict.fromkeys(keys))
        for key in keys:
            self.rel_rows.pop(key, None)
        fresh = [k for k in keys if k not in self.rels]
        if new:
            self.rels.update(dict.fromkeys(fresh))
            return
        self.rels.update(_read_rels(tx, fresh, lock=True))

    def _created_node(self, item_id: str) -> State:
        return _created_node(*self.rows[item_id])

    def _created_rel(self, rel_type: str, item_id: str) -> State:
        return _created_rel(rel_type, self.rel_rows[(rel_type, item_id)])

    def commit(self, tx: ManagedTransaction) -> int:
        """Take the revision lock, then write a change per touched element and relationship
        whose state changed, a batch at a time (a large import's rows are never all held at
        once), and the change set if any did. Returns the seq.

        When the transaction CREATEd `CHUNK_MIN` rows or more, those are written as chunks
        (their states are what the rows said: nothing to read or compare)."""
        seq, head = bump_sequence(tx)
        out = ChangeWriter(tx, seq, head)
        chunked = len(self.rows) + len(self.rel_rows) >= CHUNK_MIN
        if chunked:
            by_label: dict[str, list[str]] = defaultdict(list)
            for i, (label, _, _) in self.rows.items():
                by_label[label].append(i)
            for label, ids in by_label.items():
                out.add_created(ELEMENT, label, ids, self._created_node)
            by_type: dict[str, list[str]] = defaultdict(list)
            for t, i in self.rel_rows:
                by_type[t].append(i)
            for t, ids in by_type.items():
                out.add_created(RELATIONSHIP, t, ids, partial(self._created_rel, t))
        nodes = [i for i in self.nodes if i not in self.rows] if chunked else list(self.nodes)
        for batch in _batches(nodes):
            # A created row's state is what it said; the others' is read back.
            after = {i: _created_node(*self.rows[i]) for i in batch if i in self.rows}
            unknown = [i for i in batch if i not in self.rows]
            for r in tx.run(NODE_STATES, ids=unknown) if unknown else ():
                after[r["id"]] = _node_state(r["label"], r["props"])
            out.add(
                row
                for i in batch
                for row in _row(ELEMENT, f"e:{i}", i, self.nodes[i], after.get(i))
            )
        rel_keys = [k for k in self.rels if k not in self.rel_rows] if chunked else list(self.rels)
        for keys in _batches(rel_keys):
            unknown = [k for k in keys if k not in self.rel_rows]
            rels = _read_rels(tx, unknown, lock=False) if unknown else {}
            rels.update(
                {k: _created_rel(k[0], self.rel_rows[k]) for k in keys if k in self.rel_rows}
            )
            out.add(
                row
                for (t, i) in keys
                for row in _row(RELATIONSHIP, f"r:{t}:{i}", i, self.rels[(t, i)], rels[(t, i)])
            )
        out.finish(self)
        return seq


def _read_rels(
    tx: ManagedTransaction, keys: Sequence[RelKey], *, lock: bool
) -> dict[RelKey, State | None]:
    by_type: dict[str, list[str]] = defaultdict(list)
    for rel_type, rel_id in keys:
        by_type[rel_type].append(rel_id)
    out: dict[RelKey, State | None] = dict.fromkeys(keys)
    for rel_type, ids in by_type.items():
        query = _rel_states(rel_type, lock=lock)
        for batch in _batches(ids):
            for r in tx.run(query, ids=list(batch)):
                out[(rel_type, r["id"])] = _rel_state(
                    rel_type, r["source"], r["target"], r["props"]
                )
    return out


def _row(
    kind: str, key: str, item_id: str, before: State | None, after: State | None
) -> list[dict[str, Any]]:
    if before is None and after is None:
        return []
    if before is None or after is None:
        # Every field of a creation or deletion is in its one state: not listed again.
        fields: list[str] = []
        op = "created" if before is None else "deleted"
    else:
        fields = changed_fields(before, after)
        if not fields:
            return []
        op = "updated"
    return [
        {
            "kind": kind,
            "key": key,
            "id": item_id,
            "type": (after or before or {}).get("type"),
            "op": op,
            "fields": fields or None,  # not stored when empty: a property less per change
            "before": _json(before),
            "after": _json(after),
        }
    ]


def _json(state: State | None) -> str | None:
    # Compact: the states are most of the history's size, on disk and in the transaction.
    return None if state is None else json.dumps(state, sort_keys=True, separators=_COMPACT)


_COMPACT = (",", ":")


# -- the hash chain ------------------------------------------------------------------------

DIGEST = "digest"
PREV = "prev_digest"


def canonical(props: Mapping[str, Any]) -> bytes:
    """A node's properties as canonical JSON (sorted keys, compact, UTF-8), its digest
    aside; absent and null are the same (Neo4j stores no nulls)."""
    kept = {k: v for k, v in props.items() if v is not None and k != DIGEST}
    return json.dumps(kept, sort_keys=True, separators=_COMPACT, ensure_ascii=False).encode()


def change_digest(props: Mapping[str, Any]) -> str:
    """The digest of one `Change` (its seq and time included: it cannot be moved)."""
    return hashlib.sha256(canonical(props)).hexdigest()


def set_digest(props: Mapping[str, Any], change_digests: Iterable[str]) -> str:
    """The digest of one `ChangeSet`: its fields (the predecessor's digest among them) and
    its changes' digests, sorted (the order they were written in is not kept)."""
    h = hashlib.sha256(canonical(props))
    for d in sorted(change_digests):
        h.update(b"\n" + d.encode())
    return h.hexdigest()


def bump_sequence(tx: ManagedTransaction) -> tuple[int, str]:
    """Take the revision lock: the new seq, and the digest of the last change set."""
    r = tx.run(BUMP_SEQUENCE).single(strict=True)
    return int(r["seq"]), str(r["head"])


class ChangeWriter:
    """Writes one change set's changes as they come, counting and digesting them, and then
    the set, chained to its predecessor (`head`, read under the revision lock)."""

    def __init__(self, tx: ManagedTransaction, seq: int, head: str) -> None:
        self.tx, self.seq, self.head, self.at = tx, seq, head, now_iso()
        self.counts = {f"{kind}s_{op}": 0 for kind in (ELEMENT, RELATIONSHIP) for op in OPS}
        self.total = 0
        self.digests: list[str] = []

    def add(self, rows: Iterable[dict[str, Any]]) -> None:
        batch = list(rows)
        if not batch:
            return
        for row in batch:
            row["seq"], row["at"] = self.seq, self.at
            row[DIGEST] = change_digest(row)
            self.digests.append(row[DIGEST])
            self.counts[f"{row['kind']}s_{row['op']}"] += 1
        self.tx.run(CREATE_CHANGES, rows=batch).consume()
        self.total += len(batch)

    def add_created(
        self, kind: str, item_type: str, ids: Iterable[str], state: Callable[[str], State]
    ) -> None:
        """Creations of one kind and type as chunks: `CHUNK_ROWS` rows each, by id, the
        states made (`state(id)`) a chunk at a time. A chunk is digested whole, like a
        `Change`; the change set counts its rows."""
        ordered = sorted(ids)
        chunks = []
        for part in _batches(ordered, CHUNK_ROWS):
            props: dict[str, Any] = {
                "seq": self.seq,
                "at": self.at,
                "kind": kind,
                "type": item_type,
                "ids": list(part),
                "states": [_json(state(i)) for i in part],
                "lo": part[0],
                "hi": part[-1],
                "count": len(part),
            }
            props[DIGEST] = change_digest(props)
            self.digests.append(props[DIGEST])
            chunks.append(props)
            if len(chunks) * CHUNK_ROWS >= BATCH:
                self.tx.run(CREATE_CHUNKS, rows=chunks).consume()
                chunks = []
        if chunks:
            self.tx.run(CREATE_CHUNKS, rows=chunks).consume()
        self.counts[f"{kind}s_created"] += len(ordered)
        self.total += len(ordered)

    def finish(self, rec: Recorder) -> None:
        """The change set, if it changed anything (or records something else: a prune)."""
        if not self.total and not rec.extra:
            return
        o = rec.origin
        props = {
            "seq": self.seq,
            "id": str(uuid.uuid4()),
            "at": self.at,
            "actor": o.actor,
            "token_id": o.token_id,
            "via": o.via,
            "request": o.request,
            "action": rec.action,
            "ref": rec.ref,
            "source": rec.source,
            "changes": self.total,
            **self.counts,
            **rec.extra,
            PREV: self.head,
        }
        props[DIGEST] = set_digest(props, self.digests)
        self.tx.run(CREATE_CHANGE_SET, props=props).consume()


OPS = ("created", "updated", "deleted")

# The recorder of the transaction running in this thread (the store's write opens it), so
# that an importer's or a scenario's step inside the write can say what it touches.
_ACTIVE: ContextVar[tuple[ManagedTransaction, Recorder] | None] = ContextVar(
    "history_recorder", default=None
)


@contextmanager
def recording(tx: ManagedTransaction) -> Iterator[Recorder]:
    """A recorder for `tx`, found by `touch_nodes` & co. while the block runs."""
    rec = Recorder(current_origin())
    token = _ACTIVE.set((tx, rec))
    try:
        yield rec
    finally:
        _ACTIVE.reset(token)


def _recorder(tx: ManagedTransaction) -> Recorder:
    active = _ACTIVE.get()
    if active is None or active[0] is not tx:
        raise RuntimeError("a change to the model outside GraphStore's recorded transactions")
    return active[1]


def touch_nodes(
    tx: ManagedTransaction, ids: Iterable[str], *, new: bool = False, attached: bool = False
) -> None:
    """Elements this transaction is about to change (`attached`: delete, with their
    relationships); `new`: ids the caller knows are not in the graph."""
    _recorder(tx).touch_nodes(tx, ids, new=new, attached=attached)


def created_nodes(
    tx: ManagedTransaction, label: str, rows: Sequence[Mapping[str, Any]], now: str
) -> None:
    """Elements this transaction is about to CREATE (`cypher.create_nodes`) from `rows`
    ({id, props}) at `now`: new, and their state after is what the rows say, so it is not
    read back (unless something touches them again in the transaction)."""
    _recorder(tx).created_nodes(label, rows, now)


def created_relationships(
    tx: ManagedTransaction, rel_type: str, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Relationships about to be CREATEd (`cypher.create_relationships`) from `rows`
    ({id, source, target, props}), as `created_nodes`."""
    _recorder(tx).created_relationships(rel_type, rows)


def touch_relationships(
    tx: ManagedTransaction, keys: Iterable[RelKey], *, new: bool = False
) -> None:
    """Relationships ((type, id)) this transaction is about to change."""
    _recorder(tx).touch_relationships(tx, keys, new=new)


def describe(tx: ManagedTransaction, *, action: str, ref: str = "", source: str = "") -> None:
    """What this transaction's change is (an import run, a scenario), beyond who made it."""
    rec = _recorder(tx)
    rec.action, rec.ref, rec.source = action, ref, source


# -- the baseline and pruning ----------------------------------------------------------------

CLAIM_BASELINE = f"""
MERGE (m:{META} {{key: 'history'}})
WITH m, m.since IS NULL AS first
SET m.since = coalesce(m.since, $at)
RETURN first
"""

ALL_NODE_STATES = f"""
MATCH (n:{ELEMENT_LABEL})
WHERE n.id IS NOT NULL
RETURN n.id AS id, {type_of("n")} AS label, properties(n) AS props
"""

ALL_REL_STATES = f"""
MATCH (a:{ELEMENT_LABEL})-[r]->(b:{ELEMENT_LABEL})
WHERE r.id IS NOT NULL
RETURN type(r) AS type, r.id AS id, a.id AS source, b.id AS target, properties(r) AS props
"""


def write_baseline(tx: ManagedTransaction) -> int | None:
    """Once per database: the model as it is, as the first recorded version of everything
    in it (a `baseline` change set). Returns its seq; None when it was written before (or
    the model is empty: then history simply starts with the first change)."""
    if not tx.run(CLAIM_BASELINE, at=now_iso()).single(strict=True)["first"]:
        return None
    # The revision lock first: no change commits while the model is read.
    seq, head = bump_sequence(tx)
    out = ChangeWriter(tx, seq, head)
    # Everything is a creation: recorded as chunks, by type.
    nodes: dict[str, dict[str, State]] = defaultdict(dict)
    for r in tx.run(ALL_NODE_STATES):
        nodes[r["label"]][r["id"]] = _node_state(r["label"], r["props"])
    for label, states in nodes.items():
        out.add_created(ELEMENT, label, states, states.__getitem__)
    del nodes
    rels: dict[str, dict[str, State]] = defaultdict(dict)
    for r in tx.run(ALL_REL_STATES):
        rels[r["type"]][r["id"]] = _rel_state(r["type"], r["source"], r["target"], r["props"])
    for rel_type, states in rels.items():
        out.add_created(RELATIONSHIP, rel_type, states, states.__getitem__)
    out.finish(Recorder(Origin(actor="valuegraph", via="startup"), action="baseline"))
    return seq if out.total else None


# Changes before the cut go, except each element's or relationship's last one before it
# when that left it existing: that is its state at the cut, which later changes build on.
PRUNE_CHANGES = f"""
MATCH (c:{CHANGE})
WHERE c.at < $before
WITH c ORDER BY c.seq DESC
WITH c.key AS key, collect(c) AS changes
WITH changes[0] AS last, changes[1..] AS older
UNWIND older + CASE WHEN last.after IS NULL THEN [last] ELSE [] END AS gone
DELETE gone
RETURN count(*) AS changes
"""

PRUNE_CHANGE_SETS = f"""
MATCH (s:{CHANGE_SET})
WHERE s.at < $before AND NOT EXISTS {{ MATCH (c:{CHANGE} {{seq: s.seq}}) }}
  AND NOT EXISTS {{ MATCH (k:{CHANGE_CHUNK} {{seq: s.seq}}) }}
DELETE s
RETURN count(*) AS sets
"""

# The last change of every key before the cut, in either form (a chunk's rows keep theirs
# when they are it: they are then each one's state at the cut).
LAST_BEFORE = (
    changes("{x}.at < $before", fields=("key", "seq")) + "RETURN c.key AS key, max(c.seq) AS seq"
)

CHUNKS_BEFORE = f"""
MATCH (k:{CHANGE_CHUNK})
WHERE k.at < $before
RETURN elementId(k) AS ref, k.seq AS seq, k.kind AS kind, k.type AS type, k.ids AS ids
"""

DELETE_CHUNK = f"MATCH (k:{CHANGE_CHUNK}) WHERE elementId(k) = $ref DELETE k"

# A chunk left with the rows at `keep`; its digest is made again from what it then holds.
KEEP_ROWS = f"""
MATCH (k:{CHANGE_CHUNK}) WHERE elementId(k) = $ref
SET k.ids = [i IN $keep | k.ids[i]], k.states = [i IN $keep | k.states[i]]
SET k.lo = k.ids[0], k.hi = k.ids[size(k.ids) - 1], k.count = size(k.ids)
RETURN properties(k) AS props
"""

SET_CHUNK_DIGEST = f"MATCH (k:{CHANGE_CHUNK}) WHERE elementId(k) = $ref SET k.{DIGEST} = $digest"

SET_HORIZON = f"""
MERGE (m:{META} {{key: 'history'}})
SET m.pruned_before = CASE WHEN m.pruned_before IS NULL OR m.pruned_before < $before
                           THEN $before ELSE m.pruned_before END
"""


# Where the chain goes on after a prune: the first change set at or after the cut (the
# latest cut, if an earlier prune cut later), and the digest it follows.
CHAIN_FROM = f"""
OPTIONAL MATCH (m:{META} {{key: 'history'}})
WITH CASE WHEN m.pruned_before > $before THEN m.pruned_before ELSE $before END AS cut
MATCH (s:{CHANGE_SET})
WHERE s.at >= cut
RETURN s.seq AS seq, s.{PREV} AS prev
ORDER BY s.seq
LIMIT 1
"""

KEPT_CHANGES = f"""
MATCH (c:{CHANGE})
WHERE c.seq < $seq
RETURN properties(c) AS c
UNION ALL
MATCH (c:{CHANGE_CHUNK})
WHERE c.seq < $seq
RETURN properties(c) AS c
"""


def rows_of(props: Mapping[str, Any]) -> int:
    """How many changes one stored node holds: a `Change` one, a chunk its rows."""
    return len(props["ids"]) if "ids" in props else 1


def kept_digest(records: Iterable[Mapping[str, Any]]) -> tuple[int, str]:
    """The changes a prune keeps before the chain's new start (`KEPT_CHANGES`' records),
    as one digest (of their contents, so changes written before the chain existed are
    covered too), and how many changes they hold."""
    rows, digests = 0, []
    for r in records:
        rows += rows_of(r["c"])
        digests.append(change_digest(r["c"]))
    return rows, set_digest({}, digests)


def _prune_chunks(tx: ManagedTransaction, before: str) -> int:
    """Drop the rows of chunks before the cut that are not their key's last change before
    it (a later change before the cut supersedes them); returns how many were dropped.
    A chunk's rows are creations, so a row that is its key's last leaves it existing."""
    last = {r["key"]: r["seq"] for r in tx.run(LAST_BEFORE, before=before)}
    dropped = 0
    for r in list(tx.run(CHUNKS_BEFORE, before=before)):
        prefix = "e:" if r["kind"] == ELEMENT else f"r:{r['type']}:"
        keep = [j for j, i in enumerate(r["ids"]) if last.get(prefix + i) == r["seq"]]
        if len(keep) == len(r["ids"]):
            continue
        dropped += len(r["ids"]) - len(keep)
        if not keep:
            tx.run(DELETE_CHUNK, ref=r["ref"]).consume()
            continue
        props = tx.run(KEEP_ROWS, ref=r["ref"], keep=keep).single(strict=True)["props"]
        tx.run(SET_CHUNK_DIGEST, ref=r["ref"], digest=change_digest(props)).consume()
    return dropped


def prune(tx: ManagedTransaction, before: str) -> dict[str, Any]:
    """Forget the history before `before` (ISO time) but each thing's state at that time;
    recorded as a `prune` change set of its own, which says where the chain now starts
    (`chain_from`, following `chain_prev`) and digests the changes kept before it, so the
    pruned history still verifies. Returns its summary."""
    seq, head = bump_sequence(tx)
    start = tx.run(CHAIN_FROM, before=before).single()
    chain_from, chain_prev = (start["seq"], start["prev"] or "") if start else (seq, head)
    dropped = _prune_chunks(tx, before)
    changes = int(tx.run(PRUNE_CHANGES, before=before).single(strict=True)["changes"])
    changes += dropped
    sets = int(tx.run(PRUNE_CHANGE_SETS, before=before).single(strict=True)["sets"])
    tx.run(SET_HORIZON, before=before).consume()
    kept, kept_d = kept_digest(tx.run(KEPT_CHANGES, seq=chain_from))
    extra = {
        "pruned_before": before,
        "pruned_changes": changes,
        "pruned_change_sets": sets,
        "chain_from": chain_from,
        "chain_prev": chain_prev,
        "kept_changes": kept,
        "kept_digest": kept_d,
    }
    ChangeWriter(tx, seq, head).finish(
        Recorder(current_origin(), action="prune", ref=before, extra=extra)
    )
    return {"seq": seq, **extra}
