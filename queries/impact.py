"""Change impact, the dependency tree, and the dependency path between two elements.

All three walk the graph breadth first, one Cypher round trip per level: the frontier's
relationships that carry a change (per the propagation table) are fetched, nodes not yet
seen become the next frontier, and each keeps the relationship it was first reached by.
That gives every reached element its hop distance and one shortest explaining path
without ever enumerating paths. `impact` walks the way a change travels; `depends_on`
walks against it (what would affect this element); `dependency_path` stops at its target.

The walks read through an `ImpactReader`: Cypher on the store, the in-memory model a
what-if scenario changes (`queries.model_graph`), or the live model's walk index
(`queries.walk_index`, arrays walked a level at a time). All three answer with the same
rows, so every answer is built by the same code below.

A wide impact reaches tens of thousands of elements, and a value stream may depend on
thousands; `ImpactWalk` and `DependencyWalk` hold the walk and build an element's
explaining path only when it is asked for (a page of an answer). Every list of reached
elements is ordered by `nearest_first`, whatever surface pages it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, NamedTuple, Protocol, TypeVar

from pydantic import BaseModel, Field, computed_field

from graph.labels import (
    ACCOUNTABLE_FOR,
    CAPABILITY,
    DATA,
    OWNS,
    PERSON,
    PLATFORM,
    STREAM,
    TEAM,
    type_of,
)
from graph.schema import ELEMENT_LABEL
from graph.store import GraphStore
from queries import budget
from queries.errors import QuestionError
from queries.propagation import PropagationTable, propagation_table
from queries.resolve import ElementRef, resolve

DEFAULT_MAX_DEPTH = 10
MAX_DEPTH_LIMIT = 50

# One BFS level. `$from_source` / `$from_target`: relationship types that may carry a
# change away from the frontier node when it is the relationship's source / target.
# RELATED_TO's original and access types come back so the table decides per relationship,
# and the far end's ArchiMate type, since a change does not enter some (`ELEMENT:` rules).
EXPAND = f"""
UNWIND $frontier AS fid
MATCH (a:{ELEMENT_LABEL} {{id: fid}})-[r]-(b:{ELEMENT_LABEL})
WITH a, r, b, startNode(r) = a AS at_source
WHERE (at_source AND type(r) IN $from_source) OR (NOT at_source AND type(r) IN $from_target)
RETURN a.id AS from_id, b.id AS to_id, type(r) AS type, at_source,
       r.original_type AS original_type, r.access_type AS access_type, r.id AS rel_id,
       b.archimate_type AS to_kind
"""

# EXPAND's rows collected into one record: a level of a wide walk (tens of thousands of
# relationships) arrives several times faster than as one record per row.
EXPAND_COLUMNS = (
    "from_id",
    "to_id",
    "type",
    "at_source",
    "original_type",
    "access_type",
    "rel_id",
    "to_kind",
)
EXPAND_LISTS = f"""
UNWIND $frontier AS fid
MATCH (a:{ELEMENT_LABEL} {{id: fid}})-[r]-(b:{ELEMENT_LABEL})
WITH a, r, b, startNode(r) = a AS at_source
WHERE (at_source AND type(r) IN $from_source) OR (NOT at_source AND type(r) IN $from_target)
RETURN collect([a.id, b.id, type(r), at_source, r.original_type, r.access_type, r.id,
                b.archimate_type]) AS rows
"""

# queries.resolve.REFS_BY_IDS, collected the same way.
REF_LISTS = f"""
UNWIND $ids AS ref
MATCH (n:{ELEMENT_LABEL} {{id: ref}})
RETURN collect([n.id, {type_of("n")}, n.name]) AS rows
"""


OWNERS = f"""
UNWIND $ids AS ref
MATCH (t:{TEAM})-[:{OWNS}]->(x:{ELEMENT_LABEL} {{id: ref}})
RETURN t.id AS id, x.id AS about
ORDER BY id, about
"""

ACCOUNTABLE = f"""
UNWIND $ids AS ref
MATCH (p:{PERSON})-[:{ACCOUNTABLE_FOR}]->(s:{STREAM} {{id: ref}})
RETURN p.id AS id, s.id AS about
ORDER BY id, about
"""


# OWNERS and ACCOUNTABLE, collected into one record each (a wide impact has tens of
# thousands of owned elements); callers sort the pairs.
OWNER_LISTS = f"""
UNWIND $ids AS ref
MATCH (t:{TEAM})-[:{OWNS}]->(x:{ELEMENT_LABEL} {{id: ref}})
RETURN collect([t.id, x.id]) AS rows
"""

ACCOUNTABLE_LISTS = f"""
UNWIND $ids AS ref
MATCH (p:{PERSON})-[:{ACCOUNTABLE_FOR}]->(s:{STREAM} {{id: ref}})
RETURN collect([p.id, s.id]) AS rows
"""


class Walk(StrEnum):
    IMPACT = "impact"  # the way a change travels
    DEPENDENCY = "dependency"  # against it: what this element depends on


class Hop(NamedTuple):
    """How a walk first reached an element: from `parent` over one stored relationship."""

    parent: str
    type: str
    stored_forward: bool
    original_type: str | None


Walked = tuple[dict[str, int], dict[str, Hop]]  # hop distance and first hop of each element


class ImpactReader(Protocol):
    """Where the walks read the graph: Neo4j (`StoreReader`), an in-memory model
    (`queries.model_graph.ModelGraph`, which what-if scenarios change) or the live walk
    index (`queries.walk_index.WalkIndex`), each answering the same reads the same way."""

    def resolve(self, ref: str) -> ElementRef: ...

    def refs(self, ids: list[str]) -> dict[str, ElementRef]: ...

    def walk(
        self,
        start: str,
        table: PropagationTable,
        *,
        way: Walk,
        max_depth: int,
        stop_at: str | None = None,
    ) -> Walked:
        """Breadth first from `start`: see `bfs`, whose answer every reader gives."""
        ...

    def owners(self, ids: list[str]) -> list[tuple[str, str]]:
        """(team id, owned element id) for the given elements."""
        ...

    def accountable(self, ids: list[str]) -> list[tuple[str, str]]:
        """(person id, stream id) for the given value streams."""
        ...


Expand = Callable[[list[str], list[str], list[str]], list[dict[str, Any]]]


class ExpandingReader:
    """A reader that walks by `bfs` over its own one-level `expand` (EXPAND's rows)."""

    def expand(
        self, frontier: list[str], from_source: list[str], from_target: list[str]
    ) -> list[dict[str, Any]]:
        raise NotImplementedError

    def walk(
        self,
        start: str,
        table: PropagationTable,
        *,
        way: Walk,
        max_depth: int,
        stop_at: str | None = None,
    ) -> Walked:
        return bfs(self.expand, start, table, way=way, max_depth=max_depth, stop_at=stop_at)


class StoreReader(ExpandingReader):
    """The walks' reads as Cypher on the store."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store

    def resolve(self, ref: str) -> ElementRef:
        return resolve(self.store, ref)

    def refs(self, ids: list[str]) -> dict[str, ElementRef]:
        """`queries.resolve.refs`, read as one collected record."""
        if not ids:
            return {}
        rows = self.store.read(REF_LISTS, {"ids": list(ids)})[0]["rows"]
        return {i: ElementRef(id=i, type=t, name=n) for i, t, n in rows}

    def expand(
        self, frontier: list[str], from_source: list[str], from_target: list[str]
    ) -> list[dict[str, Any]]:
        rows = self.store.read(
            EXPAND_LISTS,
            {"frontier": frontier, "from_source": from_source, "from_target": from_target},
        )[0]["rows"]
        return [dict(zip(EXPAND_COLUMNS, row, strict=True)) for row in rows]

    def owners(self, ids: list[str]) -> list[tuple[str, str]]:
        rows = self.store.read(OWNER_LISTS, {"ids": ids})[0]["rows"]
        return sorted((who, about) for who, about in rows)

    def accountable(self, ids: list[str]) -> list[tuple[str, str]]:
        rows = self.store.read(ACCOUNTABLE_LISTS, {"ids": ids})[0]["rows"]
        return sorted((who, about) for who, about in rows)


def as_reader(source: GraphStore | ImpactReader) -> ImpactReader:
    return StoreReader(source) if isinstance(source, GraphStore) else source


class Step(BaseModel):
    """One hop of an explaining path, in travel order, naming the stored relationship."""

    from_element: ElementRef
    to_element: ElementRef
    relationship: str
    original_type: str | None = None
    stored_forward: bool = Field(
        description="True when stored as fromElement -[relationship]-> toElement."
    )
    text: str


class Affected(BaseModel):
    element: ElementRef
    distance: int
    path: list[Step] = Field(description="The explaining path, hop by hop.")

    @computed_field(description="The explaining path as one line of text.")  # type: ignore[prop-decorator]
    @property
    def path_text(self) -> str:
        return path_text(self.path)


def nearest_first(distance: int, ref: ElementRef) -> tuple[int, str, str]:
    """The order of every list of reached elements, on every surface and every page:
    nearest first, then by name (case folded), then by id (names repeat)."""
    return (distance, ref.name.lower(), ref.id)


def _order(a: Affected) -> tuple[int, str, str]:
    return nearest_first(a.distance, a.element)


class Notice(BaseModel):
    """Someone to tell: a team owning affected elements, or a person accountable for a stream."""

    element: ElementRef
    reason: str
    about: list[ElementRef]
    distance: int = Field(
        description="Hops from the change to the nearest element it is about (0: the changed "
        "element itself); each list of notices is ordered by it, then by name."
    )


class ImpactCounts(BaseModel):
    """How many elements (and teams, people) each list of an impact answer holds in all,
    whatever page of it the answer shows."""

    affected: int
    streams: int
    capabilities: int
    platforms: int
    data_assets: int
    other: int
    teams_to_notify: int
    people_to_notify: int


T = TypeVar("T")


def page(items: list[T], offset: int, limit: int | None) -> list[T]:
    """`limit` items from `offset` (all from it when `limit` is None)."""
    return items[offset:] if limit is None else items[offset : offset + limit]


class ImpactResult(BaseModel):
    element: ElementRef
    max_depth: int
    counts: ImpactCounts
    streams: list[Affected]
    capabilities: list[Affected]
    platforms: list[Affected]
    data_assets: list[Affected]
    other: list[Affected]
    teams_to_notify: list[Notice]
    people_to_notify: list[Notice]
    propagation: list[dict[str, str]]

    @property
    def affected(self) -> list[Affected]:
        return sorted(
            [*self.streams, *self.capabilities, *self.platforms, *self.data_assets, *self.other],
            key=_order,
        )

    # The pages an `ImpactWalk` serves, from an answer already made (a scenario's).

    def page_of(self, category: Category, offset: int, limit: int | None) -> list[Affected]:
        items: list[Affected] = getattr(self, category)
        return page(items, offset, limit)

    def notices_page(self, kind: NoticeKind, offset: int, limit: int | None) -> list[Notice]:
        items = self.teams_to_notify if kind == "teams" else self.people_to_notify
        return page(items, offset, limit)

    def who_to_notify(self) -> list[Notice]:
        """Everyone to tell, ranked: the people accountable for an affected value stream
        first (they answer for what the change reaches), then the owning teams; each by
        distance, then name, as the lists come."""
        return [*self.people_to_notify, *self.teams_to_notify]


class DependsOnResult(BaseModel):
    element: ElementRef
    max_depth: int
    total: int = Field(
        description="How many elements it depends on in all, whatever page `dependencies` shows."
    )
    dependencies: list[Affected] = Field(
        description="What it depends on, nearest first (then by name, then id): a page of "
        "`total`, or all of it."
    )
    propagation: list[dict[str, str]]


class PathDirection(StrEnum):
    SOURCE_AFFECTS_TARGET = "source_affects_target"
    TARGET_AFFECTS_SOURCE = "target_affects_source"
    NONE = "none"


class PathResult(BaseModel):
    source: ElementRef
    target: ElementRef
    direction: PathDirection
    distance: int | None
    steps: list[Step]
    explanation: str


def check_depth(max_depth: int) -> int:
    if not 1 <= max_depth <= MAX_DEPTH_LIMIT:
        raise QuestionError(f"max depth must be between 1 and {MAX_DEPTH_LIMIT}")
    return max_depth


@dataclass(frozen=True)
class WalkOptions:
    """How far a walk goes and what carries it, asked once per request on every surface.

    `rel_types` limits which relationship types carry a change; `overrides` changes the
    propagation table for this request (`{"USES": "none"}` or `["USES=none"]`). Both are
    checked when the options are made, so a bad one is refused before any element is looked up.
    """

    max_depth: int = DEFAULT_MAX_DEPTH
    rel_types: list[str] | None = None
    overrides: dict[str, str] | list[str] | None = None
    table: PropagationTable = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_depth(self.max_depth)
        object.__setattr__(self, "table", propagation_table(self.overrides, self.rel_types))


CarryTest = Callable[[str, str | None, str | None, bool], bool]


def carries_away(table: PropagationTable, way: Walk) -> CarryTest:
    """Whether a change, walked `way`, travels over a relationship (type, original type,
    access type) away from the end the walk stands at: its source (`at_source`) or its
    target. Every reader's walk decides by this test."""
    impact = way is Walk.IMPACT
    away_from_source = set(table.types_carrying(from_source=impact))
    away_from_target = set(table.types_carrying(from_source=not impact))

    def carries(rel_type: str, original: str | None, access: str | None, at_source: bool) -> bool:
        # Walking against the change, the change starts at the far end.
        return rel_type in (away_from_source if at_source else away_from_target) and (
            table.carries(rel_type, original, access, from_source=at_source == impact)
        )

    return carries


def bfs(
    expand: Expand,
    start: str,
    table: PropagationTable,
    *,
    way: Walk,
    max_depth: int,
    stop_at: str | None = None,
) -> Walked:
    """Breadth first from `start`, a level per `expand` call: the hop distance of every
    element reached and the hop it was first reached by. Within a level, relationships
    are taken in (from id, type, to id, relationship id) order, so the explaining path
    chosen among equally short ones is reproducible. Stops before a level once `stop_at`
    is reached."""
    impact = way is Walk.IMPACT
    # What Neo4j is asked for: the types that may carry the change away from each end.
    from_source = table.types_carrying(from_source=impact)
    from_target = table.types_carrying(from_source=not impact)
    carries = carries_away(table, way)
    distance = {start: 0}
    hops: dict[str, Hop] = {}
    frontier = [start]
    for depth in range(1, max_depth + 1):
        if not frontier or stop_at in distance:
            break
        budget.check()
        rows = expand(frontier, from_source, from_target)
        ordered = sorted(
            rows, key=lambda r: (r["from_id"], r["type"], r["to_id"], r["rel_id"] or "")
        )
        nxt: list[str] = []
        for r in ordered:
            at_source: bool = r["at_source"]
            if (
                r["to_id"] in distance
                or not carries(r["type"], r["original_type"], r["access_type"], at_source)
                or table.inert(r.get("to_kind"))
            ):
                continue
            distance[r["to_id"]] = depth
            hops[r["to_id"]] = Hop(r["from_id"], r["type"], at_source, r["original_type"])
            nxt.append(r["to_id"])
        frontier = sorted(nxt)
    return distance, hops


def _steps(target: str, hops: dict[str, Hop], names: dict[str, ElementRef]) -> list[Step]:
    steps: list[Step] = []
    node = target
    while node in hops:
        hop = hops[node]
        steps.append(_step(names[hop.parent], names[node], hop))
        node = hop.parent
    steps.reverse()
    return steps


def _step(a: ElementRef, b: ElementRef, hop: Hop) -> Step:
    rel = f"{hop.type}:{hop.original_type}" if hop.original_type else hop.type
    text = (
        f"{a.name} -[{rel}]-> {b.name}" if hop.stored_forward else f"{a.name} <-[{rel}]- {b.name}"
    )
    return made(
        Step,
        from_element=a,
        to_element=b,
        relationship=hop.type,
        original_type=hop.original_type,
        stored_forward=hop.stored_forward,
        text=text,
    )


M = TypeVar("M", bound=BaseModel)
_new = object.__new__
_set = object.__setattr__


def made(cls: type[M], **fields: Any) -> M:
    """`cls(**fields)` for values already of their fields' types (a walk's own: names,
    numbers, and answer objects made here), every field given, without validating them:
    what pydantic's `model_construct` leaves, without its pass over the fields. A wide
    impact makes a step and an affected element for each of 50,000 elements; validating
    them was most of its answer's time, and `model_construct` is slower still.
    tests/test_impact_answer.py proves the objects equal to validated ones."""
    answer = _new(cls)
    _set(answer, "__dict__", fields)
    _set(answer, "__pydantic_fields_set__", set(fields))
    _set(answer, "__pydantic_extra__", None)
    _set(answer, "__pydantic_private__", None)
    return answer


def path_text(steps: list[Step]) -> str:
    if not steps:
        return ""
    parts = [steps[0].from_element.name]
    for s in steps:
        rel = f"{s.relationship}:{s.original_type}" if s.original_type else s.relationship
        parts.append(f"-[{rel}]->" if s.stored_forward else f"<-[{rel}]-")
        parts.append(s.to_element.name)
    return " ".join(parts)


class _Paths:
    """Explaining paths, each made once: an element's path is its parent's plus one step
    (making every path from scratch would make each hop again for every element beyond)."""

    def __init__(self, hops: dict[str, Hop], names: dict[str, ElementRef]) -> None:
        self.hops = hops
        self.names = names
        self.known: dict[str, list[Step]] = {}

    def __call__(self, node: str) -> list[Step]:
        chain = []
        while node in self.hops and node not in self.known:
            chain.append(node)
            node = self.hops[node].parent
        path = self.known.get(node, [])
        for n in reversed(chain):
            hop = self.hops[n]
            path = [*path, _step(self.names[hop.parent], self.names[n], hop)]
            self.known[n] = path
        return path


def _notices(rows: Iterable[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    grouped: dict[str, list[str]] = {}
    for who, about in sorted(rows):
        grouped.setdefault(who, []).append(about)
    return sorted(grouped.items())


Category = Literal["streams", "capabilities", "platforms", "data_assets", "other"]
# The lists of an impact answer, and the element type each holds ("other": the rest).
CATEGORIES: dict[Category, str | None] = {
    "streams": STREAM,
    "capabilities": CAPABILITY,
    "platforms": PLATFORM,
    "data_assets": DATA,
    "other": None,
}
_CATEGORY_OF: dict[str, Category] = {t: c for c, t in CATEGORIES.items() if t is not None}
NoticeKind = Literal["teams", "people"]


@dataclass
class ImpactWalk:
    """A change's walk, kept so the answer's lists can be built a page at a time: a
    change to a platform everything uses reaches tens of thousands of elements, and
    nobody reads tens of thousands of explaining paths at once."""

    element: ElementRef
    max_depth: int
    table: PropagationTable
    distance: dict[str, int]
    hops: dict[str, Hop]
    names: dict[str, ElementRef]
    # By distance to the nearest element they are about, then name, then id.
    owners: list[tuple[str, list[str]]]  # team id, the reached elements it owns
    accountable: list[tuple[str, list[str]]]  # person id, the reached streams
    # What pages were made from so far: not part of the walk (two equal walks are equal
    # whichever pages each has served).
    _ordered: dict[Category, list[str]] = field(default_factory=dict, repr=False, compare=False)
    _paths: _Paths | None = field(default=None, repr=False, compare=False)

    def ids(self, category: Category) -> list[str]:
        """The category's elements by distance, then name, then id."""
        if not self._ordered:
            rows: dict[Category, list[tuple[int, str, str]]] = {c: [] for c in CATEGORIES}
            for i, d in self.distance.items():
                ref = self.names.get(i)
                if i != self.element.id and ref is not None:  # None: gone since the walk
                    rows[_CATEGORY_OF.get(ref.type, "other")].append(nearest_first(d, ref))
            self._ordered.update({c: [i for *_, i in sorted(r)] for c, r in rows.items()})
        return self._ordered[category]

    def count(self, category: Category) -> int:
        return len(self.ids(category))

    def page_of(
        self, category: Category, offset: int = 0, limit: int | None = None
    ) -> list[Affected]:
        if self._paths is None:
            self._paths = _Paths(self.hops, self.names)
        path = self._paths
        names, distance = self.names, self.distance
        return [
            made(Affected, element=names[i], distance=distance[i], path=path(i))
            for i in page(self.ids(category), offset, limit)
        ]

    def notice_count(self, kind: NoticeKind) -> int:
        return len(self.owners if kind == "teams" else self.accountable)

    def notices_page(
        self, kind: NoticeKind, offset: int = 0, limit: int | None = None
    ) -> list[Notice]:
        rows = self.owners if kind == "teams" else self.accountable
        verb = "owns " if kind == "teams" else "accountable for "
        return [
            Notice(
                element=self.names[who],
                reason=verb + ", ".join(self.names[x].name for x in about),
                about=[self.names[x] for x in about],
                distance=min(self.distance[x] for x in about),
            )
            for who, about in page(rows, offset, limit)
        ]

    def counts(self) -> ImpactCounts:
        each = {c: self.count(c) for c in CATEGORIES}
        return ImpactCounts(
            affected=sum(each.values()),
            **each,
            teams_to_notify=self.notice_count("teams"),
            people_to_notify=self.notice_count("people"),
        )

    def result(self, offset: int = 0, limit: int | None = None) -> ImpactResult:
        """The answer, each list from `offset` and at most `limit` long (None: whole)."""
        return ImpactResult(
            element=self.element,
            max_depth=self.max_depth,
            counts=self.counts(),
            streams=self.page_of("streams", offset, limit),
            capabilities=self.page_of("capabilities", offset, limit),
            platforms=self.page_of("platforms", offset, limit),
            data_assets=self.page_of("data_assets", offset, limit),
            other=self.page_of("other", offset, limit),
            teams_to_notify=self.notices_page("teams", offset, limit),
            people_to_notify=self.notices_page("people", offset, limit),
            propagation=self.table.as_list(),
        )


def walk_impact(
    store: GraphStore | ImpactReader,
    element: str,
    options: WalkOptions | None = None,
) -> ImpactWalk:
    """Walk a change to `element`: what it reaches, and who owns or answers for that."""
    options = options or WalkOptions()
    max_depth, table = options.max_depth, options.table
    reader = as_reader(store)
    origin = reader.resolve(element)
    distance, hops = reader.walk(origin.id, table, way=Walk.IMPACT, max_depth=max_depth)
    # The changed element counts too: its own owners and accountable people hear first.
    reached = sorted(distance)
    owners = _notices(reader.owners(reached))
    accountable = _notices(reader.accountable(reached))
    names = reader.refs([*distance, *(t for t, _ in owners), *(p for p, _ in accountable)])
    owners, accountable = (_nearest_first(n, distance, names) for n in (owners, accountable))
    return ImpactWalk(origin, max_depth, table, distance, hops, names, owners, accountable)


def _nearest_first(
    notices: list[tuple[str, list[str]]], distance: dict[str, int], names: dict[str, ElementRef]
) -> list[tuple[str, list[str]]]:
    """Notices ordered as they are read: whom the change comes nearest first, then by name."""
    return sorted(
        notices,
        key=lambda n: (min(distance[x] for x in n[1]), names[n[0]].name.lower(), n[0]),
    )


def impact(
    store: GraphStore | ImpactReader,
    element: str,
    options: WalkOptions | None = None,
) -> ImpactResult:
    """Everything a change to `element` affects, with distances, paths and who to notify."""
    return walk_impact(store, element, options).result()


@dataclass
class DependencyWalk:
    """What an element depends on, walked and kept so the answer can be served a page at a
    time: a value stream of a large model depends on thousands of elements, and their
    explaining paths are most of the cost of the answer (made here only for a page)."""

    element: ElementRef
    max_depth: int
    table: PropagationTable
    distance: dict[str, int]
    hops: dict[str, Hop]
    names: dict[str, ElementRef]
    _ordered: list[str] | None = field(default=None, repr=False)
    _paths: _Paths | None = field(default=None, repr=False)

    def ids(self) -> list[str]:
        """Every dependency, `nearest_first`."""
        if self._ordered is None:
            rows = [
                nearest_first(d, ref)
                for i, d in self.distance.items()
                if i != self.element.id and (ref := self.names.get(i)) is not None
            ]
            self._ordered = [i for *_, i in sorted(rows)]
        return self._ordered

    @property
    def total(self) -> int:
        return len(self.ids())

    def page(self, offset: int = 0, limit: int | None = None) -> list[Affected]:
        if self._paths is None:
            self._paths = _Paths(self.hops, self.names)
        path = self._paths
        return [
            Affected(element=self.names[i], distance=self.distance[i], path=path(i))
            for i in page(self.ids(), offset, limit)
        ]

    def result(self, offset: int = 0, limit: int | None = None) -> DependsOnResult:
        """The answer, its dependencies from `offset` and at most `limit` (None: all)."""
        return DependsOnResult(
            element=self.element,
            max_depth=self.max_depth,
            total=self.total,
            dependencies=self.page(offset, limit),
            propagation=self.table.as_list(),
        )


def walk_dependencies(
    store: GraphStore | ImpactReader,
    element: str,
    options: WalkOptions | None = None,
) -> DependencyWalk:
    """Walk what `element` depends on: every element a change to which would affect it."""
    options = options or WalkOptions()
    max_depth, table = options.max_depth, options.table
    reader = as_reader(store)
    origin = reader.resolve(element)
    distance, hops = reader.walk(origin.id, table, way=Walk.DEPENDENCY, max_depth=max_depth)
    names = reader.refs(list(distance))
    return DependencyWalk(origin, max_depth, table, distance, hops, names)


def depends_on(
    store: GraphStore | ImpactReader,
    element: str,
    options: WalkOptions | None = None,
    *,
    offset: int = 0,
    limit: int | None = None,
) -> DependsOnResult:
    """What `element` depends on, nearest first: all of it, or the page from `offset` at
    most `limit` long (`total` counts all of it either way)."""
    return walk_dependencies(store, element, options).result(offset, limit)


def dependency_path(
    store: GraphStore | ImpactReader,
    source: str,
    target: str,
    options: WalkOptions | None = None,
) -> PathResult:
    """A shortest path along which a change to `source` reaches `target`, or else the reverse."""
    options = options or WalkOptions()
    max_depth, table = options.max_depth, options.table
    reader = as_reader(store)
    a, b = reader.resolve(source), reader.resolve(target)
    attempts = (
        (a, b, PathDirection.SOURCE_AFFECTS_TARGET),
        (b, a, PathDirection.TARGET_AFFECTS_SOURCE),
    )
    for start, end, direction in attempts:
        distance, hops = reader.walk(
            start.id, table, way=Walk.IMPACT, max_depth=max_depth, stop_at=end.id
        )
        if end.id in distance:
            chain = [end.id]
            while chain[-1] in hops:
                chain.append(hops[chain[-1]].parent)
            names = reader.refs(chain)
            steps = _steps(end.id, hops, names)
            return PathResult(
                source=a,
                target=b,
                direction=direction,
                distance=distance[end.id],
                steps=steps,
                explanation=(
                    f"a change to {start.name} reaches {end.name} in {distance[end.id]} "
                    f"step(s): {path_text(steps)}"
                    if steps
                    else f"{start.name} and {end.name} are the same element"
                ),
            )
    return PathResult(
        source=a,
        target=b,
        direction=PathDirection.NONE,
        distance=None,
        steps=[],
        explanation=(
            f"no dependency path within {max_depth} step(s): a change to neither "
            f"{a.name} nor {b.name} reaches the other"
        ),
    )
