"""Naming elements in questions: by id, or by exact name, with a clear error otherwise."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pydantic import BaseModel, ConfigDict

from graph.labels import type_of
from graph.schema import ELEMENT_LABEL
from graph.store import GraphStore
from queries.errors import QuestionError

_LABEL = f"{type_of('n')}"
_REF = f"n.id AS id, {_LABEL} AS type, n.name AS name"

BY_ID = f"MATCH (n:{ELEMENT_LABEL} {{id: $ref}}) RETURN {_REF}"

# Exact name first; a name that differs only in case is accepted when it is unique, so
# `valuegraph impact "core banking"` works without remembering capitals.
BY_NAME = f"""
MATCH (n:{ELEMENT_LABEL})
WHERE n.name = $ref
RETURN {_REF}
ORDER BY id
LIMIT $limit
"""

BY_NAME_ANY_CASE = f"""
MATCH (n:{ELEMENT_LABEL})
WHERE toLower(n.name) = toLower($ref)
RETURN {_REF}
ORDER BY id
LIMIT $limit
"""

SUGGESTIONS = f"""
MATCH (n:{ELEMENT_LABEL})
WHERE toLower(n.name) CONTAINS toLower($ref) OR toLower(n.id) CONTAINS toLower($ref)
RETURN {_REF}
ORDER BY size(n.name), n.name, id
LIMIT $limit
"""

REFS_BY_IDS = f"""
UNWIND $ids AS ref
MATCH (n:{ELEMENT_LABEL} {{id: ref}})
RETURN {_REF}
"""

MAX_CANDIDATES = 10


class ElementRef(BaseModel):
    """An element as named in an answer: enough to show it and to look it up."""

    model_config = ConfigDict(frozen=True)

    id: str
    type: str
    name: str

    def __str__(self) -> str:
        return f"{self.name} ({self.type} {self.id})"


class ElementLookupError(QuestionError):
    """An element reference that names no element, or more than one: the asker's to fix."""

    def __init__(self, message: str, ref: str, candidates: list[ElementRef]) -> None:
        shown = "; ".join(str(c) for c in candidates)
        super().__init__(f"{message}: {shown}" if candidates else message)
        self.ref = ref
        self.candidates = candidates

    def as_dict(self) -> dict[str, object]:
        return {
            "msg": str(self),
            "ref": self.ref,
            "candidates": [c.model_dump() for c in self.candidates],
        }


class UnknownElementError(ElementLookupError):
    pass


class AmbiguousElementError(ElementLookupError):
    pass


def resolve(store: GraphStore, ref: str) -> ElementRef:
    """The element with this id, else the one with this exact name (case-insensitive if unique).

    Raises `AmbiguousElementError` or `UnknownElementError`, listing candidates.
    """
    ref = ref.strip()
    records = store.read(BY_ID, {"ref": ref})
    if records:
        return ElementRef(**records[0].data())
    for query in (BY_NAME, BY_NAME_ANY_CASE):
        found = [
            ElementRef(**r.data())
            for r in store.read(query, {"ref": ref, "limit": MAX_CANDIDATES + 1})
        ]
        if len(found) == 1:
            return found[0]
        if found:
            raise AmbiguousElementError(
                f"{ref!r} names more than one element; use an id", ref, found[:MAX_CANDIDATES]
            )
    suggestions = [
        ElementRef(**r.data())
        for r in store.read(SUGGESTIONS, {"ref": ref, "limit": MAX_CANDIDATES})
    ]
    message = f"no element with id or name {ref!r}"
    if suggestions:
        message += "; did you mean"
    raise UnknownElementError(message, ref, suggestions)


def refs(store: GraphStore, ids: list[str]) -> dict[str, ElementRef]:
    """Id, type and name of many elements in one query."""
    if not ids:
        return {}
    return {r["id"]: ElementRef(**r.data()) for r in store.read(REFS_BY_IDS, {"ids": list(ids)})}


Named = Callable[[], Iterable[tuple[ElementRef, str | None]]]


def resolve_in(ref: str, find: Callable[[str], ElementRef | None], named: Named) -> ElementRef:
    """`resolve`'s rules over a model held in memory (scenarios, the live walk index):
    `find` looks an id up; `named` gives every element with its stored name (or None)."""
    ref = ref.strip()
    found_by_id = find(ref)
    if found_by_id is not None:
        return found_by_id
    lowered = ref.lower()
    rules: list[Callable[[str | None], bool]] = [
        lambda name: name == ref,
        lambda name: (name or "").lower() == lowered,
    ]
    for matches in rules:
        found = sorted((e for e, name in named() if matches(name)), key=lambda e: e.id)
        if len(found) == 1:
            return found[0]
        if found:
            raise AmbiguousElementError(
                f"{ref!r} names more than one element; use an id", ref, found[:MAX_CANDIDATES]
            )
    suggestions = sorted(
        (
            (e, name or "")
            for e, name in named()
            if lowered in (name or "").lower() or lowered in e.id.lower()
        ),
        key=lambda pair: (len(pair[1]), pair[1], pair[0].id),
    )[:MAX_CANDIDATES]
    message = f"no element with id or name {ref!r}"
    if suggestions:
        message += "; did you mean"
    raise UnknownElementError(message, ref, [e for e, _ in suggestions])
