"""Single-element edits: create and update one node or relationship.

REST and GraphQL both call these, so validation, the existence check, the write and the
re-read happen one way whatever the surface. Values the schema refuses raise `FieldErrors`
(each with where and why); an id in use raises `ConflictError`; a missing one `NotFoundError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from neo4j import ManagedTransaction
from pydantic import ValidationError

from graph import history
from graph.model import (
    NODE_ADAPTER,
    NODE_PATCH_MODELS,
    REL_ADAPTER,
    REL_MODELS,
    NodeBase,
    RelBase,
    node_record,
    patch_props,
    rel_record,
    sequence_problem,
)
from graph.schema import SCHEMA
from graph.store import ConflictError, GraphStore, NotFoundError

T = TypeVar("T")

# A relationship's identity and ends are fixed once it exists.
FIXED_REL_FIELDS = ("type", "source", "target", "id")
# Provenance stays with the import that wrote a relationship; an edit never moves it.
PROVENANCE = ("import_source", "import_run")
# The relationship that says who owns an element (from the owner to what it owns).
OWNERSHIP = "OWNS"


class FieldErrors(ValueError):
    """Fields the schema refuses: each error has `loc` (the field's path), `msg` and `type`."""

    def __init__(self, errors: Sequence[Mapping[str, Any]]) -> None:
        self.errors = [
            {"loc": tuple(e["loc"]), "msg": str(e["msg"]), "type": str(e["type"])} for e in errors
        ]
        parts = [f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in self.errors]
        super().__init__("invalid input: " + "; ".join(parts))

    @classmethod
    def of(cls, exc: ValidationError) -> FieldErrors:
        return cls(exc.errors())


def parse_node(data: Mapping[str, Any]) -> NodeBase:
    """A node of any type from plain data (its `type` picks the model)."""
    return _valid(NODE_ADAPTER.validate_python, data)


def parse_relationship(data: Mapping[str, Any]) -> RelBase:
    """A relationship of any type from plain data (its `type` picks the model)."""
    return _valid(REL_ADAPTER.validate_python, data)


def create_node(store: GraphStore, node: NodeBase) -> dict[str, Any]:
    """Write a new node and return it as stored; its id must be free."""
    record = node_record(node)
    what = f"an element with id {record.id!r}"
    _free(store.get_node(record.id), what)
    # CREATEd, not merged: of two creates of one id at once, the constraint refuses one.
    with _conflict_as(what):
        store.write(nodes=[record], new_nodes={record.id})
    return _found(store.get_node(record.id), f"element {record.id!r}")


def update_node(
    store: GraphStore,
    node_id: str,
    patch: Mapping[str, Any],
    *,
    if_match: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Change the fields named in `patch` (null clears one) and return the node as stored;
    with `if_match` (entity tags), only if the node is still one of those."""
    node = _found(store.get_node(node_id), f"element with id {node_id!r}")
    parsed = _valid(NODE_PATCH_MODELS[node["type"]].model_validate, patch)
    props = patch_props(parsed)
    _in_order(SCHEMA.node(node["type"]).sequences, node, props)
    return store.patch_node(node_id, props, if_match=if_match)


def create_relationship(store: GraphStore, rel: RelBase) -> dict[str, Any]:
    """Write a new relationship between existing nodes; ends are checked against the schema."""
    record = rel_record(rel)
    what = f"a relationship with id {record.id!r}"
    _free(store.get_relationship(record.id), what)
    with _conflict_as(what):
        store.write(
            rels=[record],
            new_relationships={(record.type, record.id)},
            also=lambda tx: store.claim_relationship_id(tx, record.id),
        )
    return _found(store.get_relationship(record.id), f"relationship {record.id!r}")


def update_relationship(
    store: GraphStore,
    rel_id: str,
    patch: Mapping[str, Any],
    *,
    if_match: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Change a relationship's typed or free properties; its id, type and ends cannot change.
    `if_match` as for `update_node`."""
    rel = _found(store.get_relationship(rel_id), f"relationship with id {rel_id!r}")
    merged = {
        **{k: rel.get(k) for k in FIXED_REL_FIELDS},
        **{p.name: rel.get(p.name) for p in SCHEMA.rel(rel["type"]).props},
        "properties": rel.get("properties", {}),
        **patch,
    }
    for fixed in FIXED_REL_FIELDS:
        if merged[fixed] != rel[fixed]:
            raise FieldErrors(
                [{"loc": (fixed,), "msg": "cannot be changed", "type": "value_error"}]
            )
    # Dates the patch leaves alone are checked against the ones it sets below, so that
    # the error names a field the caller sent.
    sequences = SCHEMA.rel(rel["type"]).sequences
    held = {name for sequence in sequences for name in sequence if name not in patch}
    checked = {k: v for k, v in merged.items() if k not in held}
    props = rel_record(_valid(REL_MODELS[rel["type"]].model_validate, checked)).props
    _in_order(sequences, rel, {k: v for k, v in props.items() if k in patch})
    # Validated whole, written in part: only the fields sent change, so two edits of
    # different fields at once both land (the rest of the record may be stale by now).
    sent = {k: v for k, v in props.items() if k in patch and k not in PROVENANCE}
    return store.patch_relationship(rel_id, sent, if_match=if_match)


def move_owner(store: GraphStore, node_id: str, owner_id: str) -> dict[str, Any]:
    """Make `owner_id` the element's one owner and return that ownership relationship.

    One write, one change set: the new ownership is created (kept if it is there already)
    and every other owner's removed in the same transaction, so a failure anywhere leaves
    the element with the owners it had, never with none or two."""
    node = _found(store.get_node(node_id), f"element with id {node_id!r}")
    owner = store.get_node(owner_id)
    owns = SCHEMA.rel(OWNERSHIP)
    if owner is None:
        problem = f"no element with id {owner_id!r}"
    elif not owns.allows(owner["type"], node["type"]):
        problem = f"a {owner['type']} cannot own a {node['type']}"
    else:
        problem = ""
    if problem:
        raise FieldErrors([{"loc": ("owner",), "msg": problem, "type": "value_error"}])
    record = rel_record(
        parse_relationship({"type": OWNERSHIP, "source": owner_id, "target": node_id})
    )
    held = store.get_relationship(record.id)
    # An ownership there already is left as it is (with its import provenance).
    held = held if held and held["type"] == OWNERSHIP else None

    def release(tx: ManagedTransaction) -> None:
        # The element's lock first: two moves at once change its owners one after the other.
        history.touch_nodes(tx, [node_id])
        if held is None:
            store.claim_relationship_id(tx, record.id)
        store.drop_others_into(tx, OWNERSHIP, node_id, keep=record.id)

    with _conflict_as(f"a relationship with id {record.id!r}"):
        store.write(
            rels=[] if held else [record],
            new_relationships=frozenset() if held else {(OWNERSHIP, record.id)},
            also=release,
        )
    return _found(store.get_relationship(record.id), f"relationship {record.id!r}")


def _in_order(
    sequences: Sequence[Sequence[str]], stored: Mapping[str, Any], changed: Mapping[str, Any]
) -> None:
    """Refuse `changed` values that break a sequence's order with the values `stored`
    keeps (a patch is in order by itself: its model checked that)."""
    for sequence in sequences:
        merged = {name: changed.get(name, stored.get(name)) for name in sequence}
        for name in sequence:
            if name in changed and (problem := sequence_problem(sequence, merged, name)):
                raise FieldErrors([{"loc": (name,), "msg": problem, "type": "value_error"}])


def _valid(validate: Callable[[Any], T], data: Mapping[str, Any]) -> T:
    try:
        return validate(data)
    except ValidationError as exc:
        raise FieldErrors.of(exc) from exc


@contextmanager
def _conflict_as(what: str) -> Iterator[None]:
    """A create that lost a race to another of the same id says so as the check would have."""
    try:
        yield
    except ConflictError as exc:
        if "exists already" in str(exc):
            raise
        raise ConflictError(f"{what} exists already") from exc


def _free(view: dict[str, Any] | None, what: str) -> None:
    if view is not None:
        raise ConflictError(f"{what} exists already")


def _found(view: dict[str, Any] | None, what: str) -> dict[str, Any]:
    # Also after a write: only a concurrent delete can make a just-written element vanish.
    if view is None:
        raise NotFoundError(f"no {what}")
    return view
