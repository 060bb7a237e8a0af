"""The model in memory: every element and relationship with the properties the questions
read, so a what-if scenario can change a copy and ask the same questions of it.

`ModelGraph.load` reads the model in two queries. The graph then answers, in Python, the
reads the questions otherwise make of Neo4j, with the same rows: the impact walks'
`ImpactReader` (`resolve`, `refs`, `walk` over `expand`, `owners`, `accountable`), the projection's
rows (`projection`), the streams each team supports (`served_directly`) and the health
checks' facts (`health_facts`). From there the questions run their one code path, so a
base answer and a scenario answer differ only by what the scenario changed.
tests/test_scenarios.py proves each read equal to its Cypher on the demo model and on
random graphs.

Nothing here writes: a scenario changes a `copy()`, and the base model in Neo4j is only
ever changed by applying a scenario (`queries.scenarios.apply_scenario`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from graph.labels import (
    ACCOUNTABLE_FOR,
    CAPABILITY,
    CONTAINS,
    DATA,
    DEPENDS_ON,
    FUNDED_BY,
    HAS_STAGE,
    INVESTMENT,
    MEASURE,
    MEASURED_BY,
    OWNS,
    PERSON,
    PLATFORM,
    REQUIRES,
    STAGE,
    STREAM,
    SUPPORTS,
    TEAM,
    USES,
    node_prop,
    type_of,
)
from graph.schema import ARCHIMATE_TYPE, ELEMENT_LABEL
from graph.store import GraphStore
from queries.health_facts import COUNTED, PLATFORM_RETIREMENT, HealthFacts
from queries.impact import ExpandingReader
from queries.projection import PROJECTED_PROPS, Projection, RelTuple, build_from, derive
from queries.propagation import PropagationTable
from queries.resolve import ElementRef, resolve_in

# The node properties the questions read: the projection's, plus the funding facts of
# the health checks and a stage's order (which splitting a stream renumbers).
FUNDING_MODEL = node_prop(STREAM, "funding_model")
FUNDING_TYPE = node_prop(INVESTMENT, "funding_type")
ORDER = node_prop(STAGE, "order")
MODEL_PROPS: tuple[str, ...] = (
    *PROJECTED_PROPS,
    FUNDING_MODEL,
    FUNDING_TYPE,
    ORDER,
    *PLATFORM_RETIREMENT,
)

# The model's elements and relationships, each collected into one list (node: [id, type,
# props]; relationship: [key, id, type, source, target, original_type, access_type]; `key`
# identifies a relationship: its id, or Neo4j's element id for one stored without): one
# record of 40k small lists arrives several times faster with the Python driver than
# 40k records.
MODEL_NODE_LISTS = f"""
MATCH (n:{ELEMENT_LABEL})
RETURN collect([n.id, {type_of("n")},
                n {{{", ".join(f".{p}" for p in MODEL_PROPS)}}}]) AS rows
"""

MODEL_REL_LISTS = f"""
MATCH (a:{ELEMENT_LABEL})-[r]->(b:{ELEMENT_LABEL})
RETURN collect([coalesce(r.id, 'eid:' + elementId(r)), r.id, type(r), a.id, b.id,
                r.original_type, r.access_type]) AS rows
"""

ELEMENT_ID_KEY = "eid:"

T = TypeVar("T")

RelKey = tuple[str, str]  # (relationship type, key)


@dataclass
class Node:
    """An element. `payload` says how to create one a scenario adds (see queries.scenarios.operations)."""

    id: str
    type: str
    props: dict[str, Any]
    payload: dict[str, Any] | None = field(default=None, compare=False)

    @property
    def name(self) -> str:
        return str(self.props.get("name") or self.id)

    @property
    def ref(self) -> ElementRef:
        return ElementRef(id=self.id, type=self.type, name=self.props.get("name") or self.id)


@dataclass(frozen=True)
class Rel:
    """A relationship `source -[type]-> target`; `payload` as for `Node`."""

    key: str
    id: str | None
    type: str
    source: str
    target: str
    original_type: str | None = None
    access_type: str | None = None
    payload: dict[str, Any] | None = field(default=None, compare=False, hash=False)

    @property
    def rel_key(self) -> RelKey:
        return (self.type, self.key)


class ModelGraph(ExpandingReader):
    """The whole model as plain data, with the reads the questions make."""

    def __init__(
        self,
        nodes: Iterable[Node] = (),
        rels: Iterable[Rel] = (),
        *,
        base_ids: frozenset[str] | None = None,
        base_rel_keys: frozenset[RelKey] | None = None,
    ) -> None:
        self.nodes: dict[str, Node] = {}
        self.rels: dict[RelKey, Rel] = {}
        self._out: dict[str, dict[RelKey, None]] = {}
        self._in: dict[str, dict[RelKey, None]] = {}
        for n in nodes:
            self.add_node(n)
        for r in rels:
            self.add_rel(r)
        # Ids the base model uses: a scenario never gives them to something new, so
        # applying it cannot confuse a new element with a removed one.
        self.base_ids = frozenset(self.nodes) if base_ids is None else base_ids
        self.base_rel_keys = frozenset(self.rels) if base_rel_keys is None else base_rel_keys

    @classmethod
    def load(cls, store: GraphStore) -> ModelGraph:
        return cls.from_lists(
            store.read(MODEL_NODE_LISTS)[0]["rows"], store.read(MODEL_REL_LISTS)[0]["rows"]
        )

    @classmethod
    def from_lists(cls, nodes: Iterable[list[Any]], rels: Iterable[list[Any]]) -> ModelGraph:
        """From the lists of MODEL_NODE_LISTS and MODEL_REL_LISTS."""
        return cls(
            (Node(id=i, type=t, props=dict(props)) for i, t, props in sorted(nodes)),
            (
                Rel(key, rel_id, rel_type, source, target, original_type, access_type)
                for key, rel_id, rel_type, source, target, original_type, access_type in sorted(
                    rels, key=lambda r: (r[2], r[0])
                )
            ),
        )

    # Adjacency dicts shared with another model, until this one writes to them: (outgoing,
    # element id) of the ones this model has its own copy of. Class-level defaults: a model
    # that was not copied owns all of its own.
    _borrowed: bool = False
    _owned: set[tuple[bool, str]] = set()
    # What a copy changed, noted as it changes: the element ids and relationship keys where
    # it may differ from the model it was copied from (`changes_from`).
    _copied_from: ModelGraph | None = None
    _noted_nodes: set[str] = set()
    _noted_rels: set[RelKey] = set()

    def copy(self, *, of_base: bool = False) -> ModelGraph:
        """A model to change, sharing with this one what it has not changed: elements and
        relationships are shared (a change replaces an element, never edits it; a `Rel`
        is frozen), and so is each element's adjacency until it is written to. A scenario
        changes a few elements of a model of many: copying them all was most of what a
        comparison spent on its copy, and made every element look changed to
        `projection_after`.

        `of_base`: when this model is itself a copy, the new one is a copy of the model
        this one was copied from, what this one changed noted in it too (a scenario's
        model with one more operation is still a copy of the base, as if replayed)."""
        clone = ModelGraph(base_ids=self.base_ids, base_rel_keys=self.base_rel_keys)
        clone.nodes = dict(self.nodes)
        clone.rels = dict(self.rels)
        clone._out = dict(self._out)
        clone._in = dict(self._in)
        clone._borrowed, clone._owned = True, set()
        if of_base and self._copied_from is not None:
            clone._copied_from = self._copied_from
            clone._noted_nodes, clone._noted_rels = set(self._noted_nodes), set(self._noted_rels)
        else:
            clone._copied_from, clone._noted_nodes, clone._noted_rels = self, set(), set()
        return clone

    def copied_from(self, base: ModelGraph) -> bool:
        """Whether this model is a copy of `base` (what it changed is noted)."""
        return self._copied_from is base

    def changes_from(self, base: ModelGraph) -> tuple[Collection[str], Collection[RelKey]]:
        """The element ids and relationship keys where this model may differ from `base`:
        those noted as it changed when it is a copy of `base`, else all of both models'.
        A scenario's analyses look there only, rather than compare every element and
        relationship of a large model with the base's."""
        if self._copied_from is base:
            return self._noted_nodes, self._noted_rels
        return base.nodes.keys() | self.nodes.keys(), base.rels.keys() | self.rels.keys()

    def _note(self, node_id: str | None = None, key: RelKey | None = None) -> None:
        if self._copied_from is not None:
            if node_id is not None:
                self._noted_nodes.add(node_id)
            if key is not None:
                self._noted_rels.add(key)

    def _writable(self, outgoing: bool, node_id: str) -> dict[RelKey, None]:
        """An element's adjacency, this model's own (copied first if it is shared)."""
        index = self._out if outgoing else self._in
        if self._borrowed and (outgoing, node_id) not in self._owned:
            self._owned.add((outgoing, node_id))
            index[node_id] = dict(index[node_id])
        return index[node_id]

    def changed(
        self, nodes: Mapping[str, Node | None], rels: Mapping[RelKey, Rel | None]
    ) -> ModelGraph:
        """A new model: this one with these elements and relationships set (None: not
        there), a relationship left without an end leaving with it, in the order
        `from_lists` gives a model of the same contents (elements by id, relationships by
        type and key, each element's relationships likewise), so every question walks it
        as it walks that one.

        What did not change is shared with this model, not copied: both are read-only
        (a scenario changes a `copy()`). It costs copies of the indexes' top levels and,
        only when something is added, a sort."""
        if not nodes and not rels:
            return self
        out = ModelGraph()
        out.nodes, out.rels = dict(self.nodes), dict(self.rels)
        out._out, out._in = dict(self._out), dict(self._in)
        owned: set[tuple[bool, str]] = set()  # the adjacency dicts `out` has its own copy of
        unsorted: set[tuple[bool, str]] = set()
        added_nodes = added_rels = False

        def adjacency(outgoing: bool, node_id: str) -> dict[RelKey, None]:
            index = out._out if outgoing else out._in
            if (outgoing, node_id) not in owned:
                owned.add((outgoing, node_id))
                index[node_id] = dict(index.get(node_id, {}))
            return index[node_id]

        def unlink(rel: Rel) -> None:
            del adjacency(True, rel.source)[rel.rel_key]
            del adjacency(False, rel.target)[rel.rel_key]

        for node_id, node in nodes.items():
            if node is None:
                continue
            if node_id not in out.nodes:
                added_nodes = True
                for outgoing in (True, False):
                    adjacency(outgoing, node_id)
            out.nodes[node_id] = node
        for key, rel in rels.items():
            old = out.rels.get(key)
            moved = old is not None and (
                rel is None or (old.source, old.target) != (rel.source, rel.target)
            )
            if old is not None and moved:
                unlink(old)
            if rel is None or rel.source not in out.nodes or rel.target not in out.nodes:
                out.rels.pop(key, None)
                continue
            if old is None:
                added_rels = True
            out.rels[key] = rel  # in its place when it was there
            if old is None or moved:
                adjacency(True, rel.source)[key] = None
                adjacency(False, rel.target)[key] = None
                unsorted.update({(True, rel.source), (False, rel.target)})
        for node_id, node in nodes.items():
            if node is not None or node_id not in out.nodes:
                continue
            for key in dict.fromkeys([*out._out[node_id], *out._in[node_id]]):
                unlink(out.rels.pop(key))
            del out.nodes[node_id], out._out[node_id], out._in[node_id]
        if added_nodes:
            out.nodes = dict(sorted(out.nodes.items()))
        if added_rels:
            out.rels = dict(sorted(out.rels.items()))
        for outgoing, node_id in unsorted:
            index = out._out if outgoing else out._in
            if node_id in index:
                index[node_id] = dict.fromkeys(sorted(index[node_id]))
        out.base_ids, out.base_rel_keys = frozenset(out.nodes), frozenset(out.rels)
        # Read-only as it is; should it be changed, what it shares stays this model's.
        out._borrowed, out._owned = True, owned
        return out

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ModelGraph):
            return NotImplemented
        return self.nodes == other.nodes and self.rels == other.rels

    __hash__ = None  # type: ignore[assignment]

    # -- changing it --------------------------------------------------------------------

    def add_node(self, node: Node) -> None:
        if node.id in self.nodes:
            raise ValueError(f"duplicate element id {node.id!r}")
        self.nodes[node.id] = node
        self._note(node.id)
        for outgoing, index in ((True, self._out), (False, self._in)):
            if node.id not in index:
                index[node.id] = {}
                if self._borrowed:
                    self._owned.add((outgoing, node.id))

    def remove_node(self, node_id: str) -> list[Rel]:
        """Remove an element and its relationships; returns the relationships removed."""
        gone = self.rels_of(node_id)
        for r in gone:
            self.remove_rel(r.rel_key)
        del self.nodes[node_id]
        del self._out[node_id]
        del self._in[node_id]
        self._note(node_id)
        return gone

    def add_rel(self, rel: Rel) -> None:
        key = rel.rel_key
        if key in self.rels:
            raise ValueError(f"duplicate relationship {rel.type} {rel.key!r}")
        for end in (rel.source, rel.target):
            if end not in self.nodes:
                raise ValueError(f"relationship {rel.key!r} names unknown element {end!r}")
        self.rels[key] = rel
        self._note(key=key)
        self._writable(True, rel.source)[key] = None
        self._writable(False, rel.target)[key] = None

    def replace_node(self, node: Node) -> None:
        """Put `node` in place of the element of its id (its relationships stay): how a
        change edits an element, which may be shared with the model it was copied from."""
        if node.id not in self.nodes:
            raise ValueError(f"unknown element id {node.id!r}")
        self.nodes[node.id] = node
        self._note(node.id)

    def remove_rel(self, key: RelKey) -> None:
        rel = self.rels.pop(key)
        self._note(key=key)
        del self._writable(True, rel.source)[key]
        del self._writable(False, rel.target)[key]

    def free_rel_id(self, source: str, rel_type: str, target: str) -> str:
        """`source|TYPE|target` (graph.model.rel_id), numbered on when already taken."""
        base = f"{source}|{rel_type}|{target}"
        candidate, n = base, 1
        while (rel_type, candidate) in self.rels or (rel_type, candidate) in self.base_rel_keys:
            n += 1
            candidate = f"{base}|{n}"
        return candidate

    # -- looking things up -----------------------------------------------------------

    def label(self, node_id: str) -> str | None:
        node = self.nodes.get(node_id)
        return node.type if node else None

    def out_rels(self, node_id: str, *types: str) -> list[Rel]:
        # A key holds its relationship's type: filtered before the relationship is read.
        keys = self._out.get(node_id, {})
        return [self.rels[k] for k in keys if not types or k[0] in types]

    def in_rels(self, node_id: str, *types: str) -> list[Rel]:
        keys = self._in.get(node_id, {})
        return [self.rels[k] for k in keys if not types or k[0] in types]

    def rels_of(self, node_id: str) -> list[Rel]:
        seen = dict.fromkeys([*self._out.get(node_id, {}), *self._in.get(node_id, {})])
        return [self.rels[k] for k in seen]

    def rels_between(self, rel_type: str, source: str, target: str) -> list[Rel]:
        return [r for r in self.out_rels(source, rel_type) if r.target == target]

    def of_type(self, label: str) -> list[Node]:
        return sorted((n for n in self.nodes.values() if n.type == label), key=lambda n: n.id)

    def _targets(self, node_id: str, rel_types: tuple[str, ...], label: str) -> list[str]:
        """Targets of the node's outgoing relationships of these types, with this label:
        one entry per relationship, as a Cypher MATCH gives one row per relationship."""
        # The type is in the key: the others are passed over without being looked up
        # (the health facts ask this of every stream, platform and capability).
        rels, nodes = self.rels, self.nodes
        found = []
        for key in self._out.get(node_id, ()):
            if key[0] in rel_types:
                target = rels[key].target
                node = nodes.get(target)
                if node is not None and node.type == label:
                    found.append(target)
        return found

    def _sources(self, node_id: str, rel_types: tuple[str, ...], label: str) -> list[str]:
        rels, nodes = self.rels, self.nodes
        found = []
        for key in self._in.get(node_id, ()):
            if key[0] in rel_types:
                source = rels[key].source
                node = nodes.get(source)
                if node is not None and node.type == label:
                    found.append(source)
        return found

    def _by_type(self) -> dict[str, list[Node]]:
        """Every element by type, each type's by id (`of_type` for all types at once)."""
        grouped: dict[str, list[Node]] = {}
        for n in self.nodes.values():
            grouped.setdefault(n.type, []).append(n)
        for members in grouped.values():
            members.sort(key=_node_id)
        return grouped

    # -- the impact walks' reads (queries.impact.ImpactReader) ------------------------

    def resolve(self, ref: str) -> ElementRef:
        """queries.resolve.resolve's rules, on this model."""
        return resolve_in(
            ref,
            lambda i: self.nodes[i].ref if i in self.nodes else None,
            lambda: ((n.ref, n.props.get("name")) for n in self.nodes.values()),
        )

    def refs(self, ids: list[str]) -> dict[str, ElementRef]:
        return {i: self.nodes[i].ref for i in ids if i in self.nodes}

    def expand(
        self, frontier: list[str], from_source: list[str], from_target: list[str]
    ) -> list[dict[str, Any]]:
        """queries.impact.EXPAND's rows."""
        forward, backward = set(from_source), set(from_target)
        rows: list[dict[str, Any]] = []
        for fid in frontier:
            for r in self.out_rels(fid):
                if r.type in forward:
                    rows.append(_expand_row(fid, r.target, r, self._kind(r.target), at_source=True))
            for r in self.in_rels(fid):
                if r.type in backward:
                    rows.append(
                        _expand_row(fid, r.source, r, self._kind(r.source), at_source=False)
                    )
        return rows

    def _kind(self, node_id: str) -> str | None:
        node = self.nodes.get(node_id)
        return node.props.get(ARCHIMATE_TYPE.name) if node is not None else None

    def owners(self, ids: list[str]) -> list[tuple[str, str]]:
        return [
            (team, i) for i in ids if i in self.nodes for team in self._sources(i, (OWNS,), TEAM)
        ]

    def accountable(self, ids: list[str]) -> list[tuple[str, str]]:
        return [
            (person, i)
            for i in ids
            if self.label(i) == STREAM
            for person in self._sources(i, (ACCOUNTABLE_FOR,), PERSON)
        ]

    # -- the analytics' reads ------------------------------------------------------------

    def projection(self, table: PropagationTable) -> Projection:
        """queries.projection.load_projection, on this model."""
        types = set(table.types_carrying(from_source=True)) | set(
            table.types_carrying(from_source=False)
        )
        return build_from(
            [
                (n.id, n.type, {p: n.props.get(p) for p in PROJECTED_PROPS})
                for n in self.nodes.values()
            ],
            [
                (r.source, r.target, r.type, r.original_type, r.access_type)
                for r in self.rels.values()
                if r.type in types
            ],
            table,
        )

    def projection_after(
        self, base: ModelGraph, base_projection: Projection, table: PropagationTable
    ) -> Projection:
        """`self.projection(table)`, derived from `base_projection` (`base`'s under
        `table`) by what differs between the two models (queries.projection.derive):
        a scenario changes a few elements of a model of many."""
        types = set(table.types_carrying(from_source=True)) | set(
            table.types_carrying(from_source=False)
        )

        def row(n: Node) -> tuple[str, str, dict[str, Any]]:
            return (n.id, n.type, {p: n.props.get(p) for p in PROJECTED_PROPS})

        def inert(n: Node) -> bool:
            return table.inert(_text(n.props.get(ARCHIMATE_TYPE.name)))

        nodes_changed: dict[str, tuple[str, str, dict[str, Any]] | None] = {}
        touched: set[str] = set()
        node_ids, rel_keys = self.changes_from(base)
        for node_id in node_ids:
            old, new = base.nodes.get(node_id), self.nodes.get(node_id)
            if new is old:
                continue
            if old is None:
                assert new is not None
                nodes_changed[node_id] = row(new)
                touched.add(node_id)
                continue
            if new is None:
                nodes_changed[node_id] = None  # its relationships went with it: below
                continue
            if new.type != old.type or any(
                new.props.get(p) != old.props.get(p) for p in PROJECTED_PROPS
            ):
                nodes_changed[node_id] = row(new)
                if inert(new) != inert(old):  # the edges into it come or go
                    touched.add(node_id)
                    for model in (base, self):
                        for r in model.rels_of(node_id):
                            touched.update((r.source, r.target))
        # Nodes whose only change is a relationship gone with a removed end: their edges
        # are the base's less those to removed nodes (`derive`'s `pruned`).
        pruned: set[str] = set()
        for key in rel_keys:
            old_rel, new_rel = base.rels.get(key), self.rels.get(key)
            if new_rel is old_rel or new_rel == old_rel:
                continue
            if new_rel is None and old_rel is not None:
                ends = (old_rel.source, old_rel.target)
                if any(self.nodes.get(e) is None for e in ends):
                    pruned.update(ends)
                    continue
            for rel in (old_rel, new_rel):
                if rel is not None:
                    touched.update((rel.source, rel.target))

        def rels_of(node_id: str) -> list[RelTuple]:
            return [
                (r.source, r.target, r.type, r.original_type, r.access_type)
                for r in self.rels_of(node_id)
                if r.type in types
            ]

        return derive(base_projection, nodes_changed, touched, rels_of, table, pruned - touched)

    def served_directly(self, by_type: dict[str, list[Node]] | None = None) -> dict[str, set[str]]:
        """queries.projection.SERVED_DIRECTLY: team -> streams it supports, or their stages
        (`by_type`: `_by_type()`, when the caller has it)."""
        served: dict[str, set[str]] = {}
        for team in (by_type or self._by_type()).get(TEAM, []):
            streams = self._served_by(team)
            if streams:
                served[team.id] = streams
        return served

    def _served_by(self, team: Node) -> set[str]:
        streams: set[str] = set()
        for r in self.out_rels(team.id, SUPPORTS):
            if self.label(r.target) == STREAM:
                streams.add(r.target)
            elif self.label(r.target) == STAGE:
                streams.update(self._sources(r.target, (HAS_STAGE,), STREAM))
        return streams

    def health_facts(self) -> HealthFacts:
        """`queries.health.health_facts`, on this model."""
        by_type = self._by_type()

        def of_type(label: str) -> list[Node]:
            return by_type.get(label, [])

        streams = sorted(of_type(STREAM), key=_by_name)
        rows: dict[str, list[dict[str, Any]]] = {k: [] for k in _STREAM_ROWS}
        requirements: set[tuple[str, str]] = set()
        for s in streams:
            self._stream_facts(s, rows, requirements)
        unowned = sorted(
            (n for n in self.nodes.values() if n.type in (PLATFORM, DATA) and self._unowned(n)),
            key=_unowned_order,
        )
        capability_platforms: set[tuple[str, str]] = set()
        capability_children: set[tuple[str, str]] = set()
        for c in of_type(CAPABILITY):
            self._capability_facts(c, capability_platforms, capability_children)
        platform_dependencies: set[tuple[str, str]] = set()
        owners: dict[str, set[str]] = {}
        lifecycle: dict[str, dict[str, str]] = {}
        for p in of_type(PLATFORM):
            self._platform_facts(p, platform_dependencies, owners, lifecycle)
        counts = {label: 0 for label in COUNTED}
        for n in self.nodes.values():
            if n.type in counts:
                counts[n.type] += 1
        return HealthFacts(
            counts=counts,
            streams_without_accountable=rows["accountable"],
            streams_project_funded_only=rows["project"],
            streams_without_substance=rows["substance"],
            unowned=[_row(n) for n in unowned],
            requirements=requirements,
            capability_platforms=capability_platforms,
            platform_dependencies=platform_dependencies,
            platform_owners=owners,
            capability_children=capability_children,
            served=self.served_directly(by_type),
            platform_lifecycle=lifecycle,
        )

    def health_facts_after(self, base: ModelGraph, base_facts: HealthFacts) -> HealthFacts:
        """`self.health_facts()`, from `base_facts` (`base`'s) and what differs between
        the two models: every fact is about an element and what lies one or two
        relationships from it, so only the facts of the elements near a change are
        found again (a scenario changes a few elements of a model of many). Platforms and
        capabilities that only lost what they use, depend on or contain with a removed
        element keep their base facts less the pairs with it: removing a platform 5,600
        others use found those 5,600 platforms' facts again (a third of this, L)."""
        near, pruned = self._near_changes(base)
        if not near:
            return base_facts
        again = near - pruned  # the elements whose facts are found again
        removed = {i for i in near if i in base.nodes and i not in self.nodes}

        def here(label: str) -> list[Node]:
            return sorted(
                (n for i in again if (n := self.nodes.get(i)) is not None and n.type == label),
                key=_node_id,
            )

        rows: dict[str, list[dict[str, Any]]] = {k: [] for k in _STREAM_ROWS}
        requirements = {(s, c) for s, c in base_facts.requirements if s not in again}
        for s in here(STREAM):
            self._stream_facts(s, rows, requirements)

        # The base's lists and dicts are in order (`health_facts` made them so, and so
        # does this): less what is found again they still are, and are sorted again only
        # when something found again joins them (each key ends with the element's id).
        def merged(kept: list[dict[str, Any]], found: list[dict[str, Any]]) -> list[dict[str, Any]]:
            rest = [r for r in kept if r["id"] not in again]
            return sorted(rest + found, key=lambda r: (r["name"] or "", r["id"])) if found else rest

        def ordered(kept: dict[str, T], grew: bool) -> dict[str, T]:
            return dict(sorted(kept.items())) if grew else kept

        def pairs(
            kept: set[tuple[str, str]], first: str, types: tuple[str, ...], second: str
        ) -> set[tuple[str, str]]:
            # The kept pairs less those of an element found again and those with a removed
            # one (the first's: found again, or a pruned one's): the base's pairs of them,
            # as `_capability_facts` and `_platform_facts` found them there, taken out
            # (99,000 platform dependencies on L, each tested before, for a few to go).
            out = set(kept)
            for a in again:
                if base.label(a) == first:
                    out.difference_update((a, b) for b in base._targets(a, types, second))
            for b in removed:
                if base.label(b) == second:
                    out.difference_update((a, b) for a in base._sources(b, types, first))
            return out

        capability_platforms = pairs(
            base_facts.capability_platforms, CAPABILITY, (USES, DEPENDS_ON), PLATFORM
        )
        capability_children = pairs(
            base_facts.capability_children, CAPABILITY, (CONTAINS,), CAPABILITY
        )
        for c in here(CAPABILITY):
            self._capability_facts(c, capability_platforms, capability_children)
        platform_dependencies = pairs(
            base_facts.platform_dependencies, PLATFORM, (USES, DEPENDS_ON), PLATFORM
        )
        owners = {p: t for p, t in base_facts.platform_owners.items() if p not in again}
        lifecycle = {p: d for p, d in base_facts.platform_lifecycle.items() if p not in again}
        kept_owners, kept_lifecycle = len(owners), len(lifecycle)
        for p in here(PLATFORM):
            self._platform_facts(p, platform_dependencies, owners, lifecycle)
        served = {t: s for t, s in base_facts.served.items() if t not in again}
        kept_served = len(served)
        for team in here(TEAM):
            streams = self._served_by(team)
            if streams:
                served[team.id] = streams
        unowned = [r for r in base_facts.unowned if r["id"] not in again]
        found_unowned = [_row(n) for n in (*here(PLATFORM), *here(DATA)) if self._unowned(n)]
        if found_unowned:
            unowned = sorted(
                unowned + found_unowned, key=lambda r: (r["type"], r["name"] or "", r["id"])
            )
        counts = dict(base_facts.counts)
        for i in again:
            old, new = base.nodes.get(i), self.nodes.get(i)
            if old is not None and old.type in counts:
                counts[old.type] -= 1
            if new is not None and new.type in counts:
                counts[new.type] += 1
        return HealthFacts(
            counts=counts,
            streams_without_accountable=merged(
                base_facts.streams_without_accountable, rows["accountable"]
            ),
            streams_project_funded_only=merged(
                base_facts.streams_project_funded_only, rows["project"]
            ),
            streams_without_substance=merged(
                base_facts.streams_without_substance, rows["substance"]
            ),
            unowned=unowned,
            requirements=requirements,
            capability_platforms=capability_platforms,
            platform_dependencies=platform_dependencies,
            platform_owners=ordered(owners, len(owners) > kept_owners),
            capability_children=capability_children,
            served=ordered(served, len(served) > kept_served),
            platform_lifecycle=ordered(lifecycle, len(lifecycle) > kept_lifecycle),
        )

    def _near_changes(self, base: ModelGraph) -> tuple[set[str], set[str]]:
        """The elements whose health facts a change from `base` may have changed: those
        added, removed or changed, the ends of every relationship added or removed, what
        is related to a changed element (on either side), and then the streams and teams
        reading a stage among them (a stream's facts read its stages' teams and
        requirements; a team serves a stream through its stages). And of those, the
        pruned: platforms and capabilities whose only change is losing relationships of
        theirs to removed elements that their facts hold as pairs (`_PAIRED`)."""
        node_ids, rel_keys = self.changes_from(base)
        changed = {i for i in node_ids if self.nodes.get(i) is not base.nodes.get(i)}
        removed = {i for i in changed if i not in self.nodes}
        near = set(changed)
        candidates: set[str] = set()
        spoiled = set(changed)  # near in a way pruning does not cover
        for key in rel_keys:
            old, new = base.rels.get(key), self.rels.get(key)
            if new is old:
                continue
            for rel in (old, new):
                if rel is not None:
                    near.update((rel.source, rel.target))
            if new is None and old is not None and old.target in removed:
                paired = _PAIRED.get(base.nodes[old.source].type, ())
                if old.type in paired:
                    candidates.add(old.source)
                    continue
            for rel in (old, new):
                if rel is not None:
                    spoiled.update((rel.source, rel.target))
        for model in (base, self):
            for i in changed:
                if i in model.nodes:
                    ends = {x for r in model.rels_of(i) for x in (r.source, r.target)}
                    near.update(ends)
                    if i not in removed:  # a changed element's neighbours read it anew
                        spoiled.update(ends)
        for model in (base, self):
            nodes = model.nodes
            for i in [i for i in near if (n := nodes.get(i)) is not None and n.type == STAGE]:
                near.update(model._sources(i, (HAS_STAGE,), STREAM))
                near.update(model._sources(i, (SUPPORTS,), TEAM))
        return near, candidates - spoiled

    def _stream_facts(
        self, s: Node, rows: dict[str, list[dict[str, Any]]], requirements: set[tuple[str, str]]
    ) -> None:
        """A stream's rows (appended in the order streams come) and requirements."""
        if not self._sources(s.id, (ACCOUNTABLE_FOR,), PERSON):
            rows["accountable"].append(_row(s))
        investments = self._targets(s.id, (FUNDED_BY,), INVESTMENT)
        types = [
            t for t in (self.nodes[i].props.get(FUNDING_TYPE) for i in investments) if t is not None
        ]
        if (
            investments and len(types) == len(investments) and all(t == "project" for t in types)
        ) or (not investments and s.props.get(FUNDING_MODEL) == "project"):
            rows["project"].append(_row(s, investments=len(investments)))
        stages = self._targets(s.id, (HAS_STAGE,), STAGE)
        facts = {
            "has_team": bool(self._sources(s.id, (SUPPORTS, OWNS), TEAM))
            or any(self._sources(stage, (SUPPORTS,), TEAM) for stage in stages),
            "has_measure": bool(self._targets(s.id, (MEASURED_BY,), MEASURE)),
            "has_funding": bool(investments),
        }
        if not all(facts.values()):
            rows["substance"].append(_row(s, **facts))
        requirements.update((s.id, c) for c in self._targets(s.id, (REQUIRES,), CAPABILITY))
        requirements.update(
            (s.id, c) for stage in stages for c in self._targets(stage, (REQUIRES,), CAPABILITY)
        )

    def _unowned(self, n: Node) -> bool:
        return not self._sources(n.id, (OWNS,), TEAM)

    def _capability_facts(
        self, c: Node, platforms: set[tuple[str, str]], children: set[tuple[str, str]]
    ) -> None:
        platforms.update((c.id, p) for p in self._targets(c.id, (USES, DEPENDS_ON), PLATFORM))
        children.update((c.id, d) for d in self._targets(c.id, (CONTAINS,), CAPABILITY))

    def _platform_facts(
        self,
        p: Node,
        dependencies: set[tuple[str, str]],
        owners: dict[str, set[str]],
        lifecycle: dict[str, dict[str, str]],
    ) -> None:
        dependencies.update((p.id, q) for q in self._targets(p.id, (USES, DEPENDS_ON), PLATFORM))
        teams = set(self._sources(p.id, (OWNS,), TEAM))
        if teams:
            owners[p.id] = teams
        dates = {f: str(p.props[f]) for f in PLATFORM_RETIREMENT if p.props.get(f) is not None}
        if dates:
            lifecycle[p.id] = dates


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _node_id(n: Node) -> str:
    return n.id


# What a platform's or capability's health facts hold as pairs with the element at the
# far end of its relationships of these types (`_platform_facts`, `_capability_facts`):
# losing such a relationship to a removed element only drops the pair.
_PAIRED: dict[str, tuple[str, ...]] = {
    PLATFORM: (USES, DEPENDS_ON),
    CAPABILITY: (USES, DEPENDS_ON, CONTAINS),
}

# The health facts' lists of streams, in the order `HealthFacts` names them.
_STREAM_ROWS = ("accountable", "project", "substance")


def _row(n: Node, **extra: Any) -> dict[str, Any]:
    return {"id": n.id, "type": n.type, "name": n.props.get("name"), **extra}


def _by_name(n: Node) -> tuple[str, str]:
    return (n.props.get("name") or "", n.id)


def _unowned_order(n: Node) -> tuple[str, str, str]:
    return (n.type, n.props.get("name") or "", n.id)


def _expand_row(
    fid: str, other: str, r: Rel, kind: str | None, *, at_source: bool
) -> dict[str, Any]:
    return {
        "from_id": fid,
        "to_id": other,
        "type": r.type,
        "at_source": at_source,
        "original_type": r.original_type,
        "access_type": r.access_type,
        "rel_id": r.id,
        "to_kind": kind,
    }
