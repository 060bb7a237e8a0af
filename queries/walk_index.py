"""The model's relationships as arrays, for impact walks that reach most of a large model.

Walking a change to a platform everything uses, one Cypher round trip per level, moves
hundreds of thousands of relationship rows out of Neo4j for every question. A
`WalkIndex` reads the model once (three reads in one transaction, with the model's
revision, so `queries.live` knows when it is out of date) and then walks it in memory:
every element is a number given in id order, every relationship is held twice (once at
each end) in a compressed sparse row layout sorted by (element, type, other end,
relationship id), and a level of the walk is a handful of numpy operations over the
frontier's rows.

That layout is what makes the answer the Cypher walk's answer (`queries.impact.bfs`):
frontier elements in id order, each one's relationships in (type, other id, id) order,
and the first row reaching an element names its hop. tests/test_walk_index.py proves
the answers equal on the demo and on random graphs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from graph import cypher
from graph.labels import ACCOUNTABLE_FOR, OWNS, PERSON, STREAM, TEAM, type_of
from graph.schema import ARCHIMATE_TYPE, ELEMENT_LABEL
from graph.store import GraphStore
from queries.impact import Hop, Walk, Walked, carries_away
from queries.propagation import PropagationTable
from queries.resolve import ElementRef, resolve_in

INDEX_NODES = f"""
MATCH (n:{ELEMENT_LABEL})
RETURN collect([n.id, {type_of("n")}, n.name, n.{ARCHIMATE_TYPE.name}]) AS rows
"""

INDEX_RELS = f"""
MATCH (a:{ELEMENT_LABEL})-[r]->(b:{ELEMENT_LABEL})
RETURN collect([type(r), a.id, b.id, r.id, r.original_type, r.access_type]) AS rows
"""


# What decides whether a relationship carries a change, seen from one end:
# (type, original type, access type, whether that end is the relationship's source).
EdgeKey = tuple[str, str | None, str | None, bool]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class WalkIndex:
    revision: str  # GraphStore.revision when read
    ids: list[str]  # sorted: an element's number is its place here
    number: dict[str, int]
    refs_by_number: list[ElementRef]
    names: list[str | None]  # as stored, for resolving by name
    offsets: IntArray  # element i's rows are offsets[i] .. offsets[i + 1]
    owner: IntArray  # per row: the element it belongs to
    other: IntArray  # per row: the element at the far end
    key: IntArray  # per row: its EdgeKey's place in `keys`
    keys: list[EdgeKey]
    owners_of: dict[int, list[int]]  # element -> teams owning it, one per relationship
    accountable_for: dict[int, list[int]]  # stream -> people accountable, likewise
    kinds: list[str | None]  # the ArchiMate types present
    kind_of: IntArray  # per element: its ArchiMate type's place in `kinds`

    @classmethod
    def load(cls, store: GraphStore) -> WalkIndex:
        """Read the model (and its revision) in one transaction and index it."""
        revision, nodes, rels = store.read_together(
            (cypher.GET_REVISION, {}), (INDEX_NODES, {}), (INDEX_RELS, {})
        )
        return cls.build(revision[0]["revision"], nodes[0]["rows"], rels[0]["rows"])

    @classmethod
    def build(cls, revision: str, nodes: list[list[Any]], rels: list[list[Any]]) -> WalkIndex:
        """From INDEX_NODES and INDEX_RELS rows: [id, type, name, ArchiMate type] and
        [type, source, target, id, original type, access type]."""
        nodes = sorted(nodes, key=lambda n: n[0])
        ids = [n[0] for n in nodes]
        number = {i: k for k, i in enumerate(ids)}
        refs = [ElementRef(id=n[0], type=n[1], name=n[2] or n[0]) for n in nodes]
        types = [n[1] for n in nodes]
        kind_number: dict[str | None, int] = {None: 0}
        kind_of = np.fromiter(
            (kind_number.setdefault(n[3] if len(n) > 3 else None, len(kind_number)) for n in nodes),
            dtype=np.int64,
            count=len(nodes),
        )
        keys: dict[EdgeKey, int] = {}
        # One row per relationship end, with what the sort needs.
        rows: list[tuple[int, str, int, str, int]] = []
        owners_of: dict[int, list[int]] = {}
        accountable_for: dict[int, list[int]] = {}
        for rel_type, source, target, rid, original, access in rels:
            s, t = number.get(source), number.get(target)
            if s is None or t is None:  # cannot happen within one transaction; be safe
                continue
            at_s = keys.setdefault((rel_type, original, access, True), len(keys))
            at_t = keys.setdefault((rel_type, original, access, False), len(keys))
            rows.append((s, rel_type, t, rid or "", at_s))
            rows.append((t, rel_type, s, rid or "", at_t))
            if rel_type == OWNS and types[s] == TEAM:
                owners_of.setdefault(t, []).append(s)
            elif rel_type == ACCOUNTABLE_FOR and types[s] == PERSON and types[t] == STREAM:
                accountable_for.setdefault(t, []).append(s)
        rows.sort(key=lambda r: r[:4])
        owner = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        degree = np.bincount(owner, minlength=len(ids)) if rows else np.zeros(len(ids), np.int64)
        offsets = np.zeros(len(ids) + 1, dtype=np.int64)
        np.cumsum(degree, out=offsets[1:])
        return cls(
            revision=revision,
            ids=ids,
            number=number,
            refs_by_number=refs,
            names=[n[2] for n in nodes],
            offsets=offsets,
            owner=owner,
            other=np.fromiter((r[2] for r in rows), dtype=np.int64, count=len(rows)),
            key=np.fromiter((r[4] for r in rows), dtype=np.int64, count=len(rows)),
            keys=[k for k, _ in sorted(keys.items(), key=lambda kv: kv[1])],
            owners_of=owners_of,
            accountable_for=accountable_for,
            kinds=list(kind_number),
            kind_of=kind_of,
        )

    def __len__(self) -> int:
        return len(self.ids)

    # -- queries.impact.ImpactReader ----------------------------------------------------

    def resolve(self, ref: str) -> ElementRef:
        return resolve_in(
            ref,
            lambda i: self.refs_by_number[self.number[i]] if i in self.number else None,
            lambda: zip(self.refs_by_number, self.names, strict=True),
        )

    def refs(self, ids: list[str]) -> dict[str, ElementRef]:
        return {i: self.refs_by_number[self.number[i]] for i in ids if i in self.number}

    def owners(self, ids: list[str]) -> list[tuple[str, str]]:
        return self._pairs(self.owners_of, ids)

    def accountable(self, ids: list[str]) -> list[tuple[str, str]]:
        return self._pairs(self.accountable_for, ids)

    def _pairs(self, held: dict[int, list[int]], ids: list[str]) -> list[tuple[str, str]]:
        """(holder id, element id), one per relationship, for the elements of `ids`."""
        return [
            (self.ids[holder], i)
            for i in ids
            if i in self.number
            for holder in held.get(self.number[i], ())
        ]

    def _carrying(self, table: PropagationTable, way: Walk) -> npt.NDArray[np.bool_]:
        """Per EdgeKey: does a change travel over it, away from that end."""
        carries = carries_away(table, way)
        return np.array([carries(*key) for key in self.keys], dtype=bool)

    def walk(
        self,
        start: str,
        table: PropagationTable,
        *,
        way: Walk,
        max_depth: int,
        stop_at: str | None = None,
    ) -> Walked:
        """`queries.impact.bfs`, a level at a time over the frontier's rows."""
        carrying = self._carrying(table, way)
        # Elements a change does not enter (`ELEMENT:` rules), by ArchiMate type.
        inert = np.array([table.inert(k) for k in self.kinds], dtype=bool)[self.kind_of]
        distance = np.full(len(self.ids), -1, dtype=np.int64)
        first_row = np.full(len(self.ids), -1, dtype=np.int64)
        origin = self.number[start]
        distance[origin] = 0
        stop = self.number.get(stop_at) if stop_at is not None else None
        frontier = np.array([origin], dtype=np.int64)
        for depth in range(1, max_depth + 1):
            if frontier.size == 0 or (stop is not None and distance[stop] >= 0):
                break
            rows = self._rows_of(frontier)
            reached = self.other[rows]
            keep = carrying[self.key[rows]] & (distance[reached] < 0) & ~inert[reached]
            rows, reached = rows[keep], reached[keep]
            # Rows are in bfs's order, so each element's first row is the one it keeps
            # (np.unique's first indices come from a stable sort).
            frontier, first = np.unique(reached, return_index=True)
            distance[frontier] = depth
            first_row[frontier] = rows[first]
        walked = np.flatnonzero(distance >= 0)
        ids = self.ids
        distances = dict(zip((ids[i] for i in walked), distance[walked].tolist(), strict=True))
        hops: dict[str, Hop] = {}
        for node, row in zip(walked.tolist(), first_row[walked].tolist(), strict=True):
            if row >= 0:
                rel_type, original, _, at_source = self.keys[self.key[row]]
                hops[ids[node]] = Hop(ids[self.owner[row]], rel_type, at_source, original)
        return distances, hops

    def _rows_of(self, frontier: IntArray) -> IntArray:
        """The row numbers of the frontier's elements, element after element."""
        starts = self.offsets[frontier]
        lengths = self.offsets[frontier + 1] - starts
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(0, dtype=np.int64)
        # Each row number is its element's first row plus its place within the element.
        before = np.cumsum(lengths) - lengths
        return np.repeat(starts - before, lengths) + np.arange(total, dtype=np.int64)
