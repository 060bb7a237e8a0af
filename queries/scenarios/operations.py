"""What-if operations: what a scenario may change, and how each changes an in-memory model.

Each operation is a pydantic model (the `op` field tells which), checked twice: its shape
when it is parsed (relationship types and node labels only from `graph.schema`), and its
meaning when it is applied to a `ModelGraph` (the elements exist, have the right type,
and the relationships it makes are allowed between their endpoints). Elements are named
by id or exact name when an operation is added (`resolved`, with `queries.resolve`'s
rules, on the model as the earlier operations left it, so an operation can name an
element an earlier one added); a scenario stores them by id, and every later evaluation
applies them to the current base model by id (`apply`), so an operation whose element has
since left the base model fails with its position and reason rather than silently
matching something else.

Elements and relationships an operation creates carry a `payload` saying how to write
them when the scenario is applied: their validated fields, or the base element or
relationship they copy (`copy_of`), read from Neo4j at that moment.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from graph.labels import HAS_STAGE, OWNS, STAGE, STREAM, TEAM
from graph.model import ID_PATTERN, NODE_ADAPTER, REL_ADAPTER, node_id, rel_record
from graph.schema import ANY, SCHEMA
from queries import budget
from queries.errors import QuestionError
from queries.model_graph import MODEL_PROPS, ORDER, ModelGraph, Node, Rel
from queries.resolve import ElementLookupError, ElementRef
from queries.scenarios.models import OperationView

MAX_OPERATIONS = 200


class OperationProblem(QuestionError):
    """Why an operation cannot apply; `candidates` when it names no element or several."""

    def __init__(self, message: str, candidates: list[ElementRef] | None = None) -> None:
        super().__init__(message)
        self.candidates = candidates or []


class OperationError(QuestionError):
    """An operation of a scenario that cannot apply, with its position (from 1)."""

    def __init__(self, index: int, op: str, problem: OperationProblem) -> None:
        super().__init__(f"operation {index} ({op}): {problem}")
        self.index = index
        self.op = op
        self.candidates = problem.candidates

    def as_dict(self) -> dict[str, object]:
        return {
            "msg": str(self),
            "operation": self.index,
            "op": self.op,
            "candidates": [c.model_dump() for c in self.candidates],
        }


Ref = Annotated[
    str, Field(min_length=1, max_length=500, description="An element's id or exact name.")
]
Attributes = Annotated[
    dict[str, Any],
    Field(
        default_factory=dict,
        max_length=100,
        description="Typed properties of the type (e.g. kind, team_type), description, tags, "
        "free `properties`; checked against the schema.",
    ),
]


def _label(value: str) -> str:
    """A node label from the schema, matched regardless of case."""
    wanted = value.strip().lower()
    for label in SCHEMA.labels:
        if label.lower() == wanted:
            return label
    return SCHEMA.node(value.strip()).label  # raises, listing the known labels


def _rel_type(value: str) -> str:
    return SCHEMA.rel(value.strip().upper()).type


def _validation_message(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(x) for x in e['loc'][1:] or e['loc'])}: {e['msg']}" for e in exc.errors()
    )


def _resolve(model: ModelGraph, ref: str) -> str:
    try:
        return model.resolve(ref).id
    except ElementLookupError as exc:
        raise OperationProblem(str(exc), exc.candidates) from exc


def _require(model: ModelGraph, node_id: str, label: str | None = None, role: str = "") -> Node:
    node = model.nodes.get(node_id)
    if node is None:
        raise OperationProblem(
            f"no element with id {node_id!r} (not in the base model, or removed by an "
            "earlier operation)"
        )
    if label is not None and node.type != label:
        raise OperationProblem(
            f"{role or 'element'} must be a {label}; {node.ref} is a {node.type}"
        )
    return node


def _show(model: ModelGraph, node_id: str) -> str:
    node = model.nodes.get(node_id)
    return f"{node.name} ({node_id})" if node else node_id


def _check_new_id(model: ModelGraph, new_id: str) -> None:
    if new_id in model.nodes or new_id in model.base_ids:
        raise OperationProblem(f"id {new_id!r} is already used in the model; give another id")


def _check_endpoints(model: ModelGraph, rel_type: str, source: str, target: str) -> None:
    rel = SCHEMA.rel(rel_type)
    a, b = model.nodes[source], model.nodes[target]
    if not rel.allows(a.type, b.type):
        allowed = ", ".join(
            f"{'any' if s == ANY else s} -> {'any' if t == ANY else t}" for s, t in rel.endpoints
        )
        raise OperationProblem(
            f"{rel.type} may not link {a.type} {a.ref.name!r} to {b.type} {b.ref.name!r} "
            f"(allowed: {allowed})"
        )


def _new_rel(
    model: ModelGraph,
    rel_type: str,
    source: str,
    target: str,
    attributes: dict[str, Any] | None = None,
) -> Rel:
    """A new relationship, checked against the schema, with its validated properties."""
    _check_endpoints(model, rel_type, source, target)
    data = {**(attributes or {}), "type": rel_type, "source": source, "target": target}
    try:
        parsed = REL_ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise OperationProblem(f"invalid {rel_type}: {_validation_message(exc)}") from exc
    record = rel_record(parsed)
    key = model.free_rel_id(source, rel_type, target)
    return Rel(
        key=key,
        id=key,
        type=rel_type,
        source=source,
        target=target,
        original_type=record.props.get("original_type"),
        access_type=record.props.get("access_type"),
        payload={"props": record.props},
    )


def _copy_rel(model: ModelGraph, rel: Rel, source: str, target: str) -> Rel:
    """A copy of a relationship with new endpoints (and a new id), same type and properties."""
    key = model.free_rel_id(source, rel.type, target)
    payload = dict(rel.payload) if rel.payload else {"copy_of": [rel.type, rel.key]}
    return Rel(
        key=key,
        id=key,
        type=rel.type,
        source=source,
        target=target,
        original_type=rel.original_type,
        access_type=rel.access_type,
        payload=payload,
    )


def _same_kind(a: Rel, b: Rel) -> bool:
    return (a.type, a.original_type, a.access_type) == (b.type, b.original_type, b.access_type)


class _Operation(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    op: str

    def resolved(self, model: ModelGraph) -> Self:
        """The operation with every element named by id (raises OperationProblem)."""
        raise NotImplementedError

    def apply(self, model: ModelGraph) -> None:
        """Change the model as the operation says (raises OperationProblem)."""
        raise NotImplementedError

    def describe(self, model: ModelGraph) -> str:
        """One line saying what it does, naming elements as `model` knows them."""
        raise NotImplementedError


class AddElement(_Operation):
    """Add a new element, e.g. the platform that is to replace another."""

    op: Literal["add_element"] = "add_element"
    type: str = Field(description="A node type of the schema, e.g. Platform.")
    name: str = Field(min_length=1, max_length=500)
    id: str | None = Field(
        default=None, pattern=ID_PATTERN, description="Defaults to one made from type and name."
    )
    attributes: Attributes

    @field_validator("type")
    @classmethod
    def check_type(cls, value: str) -> str:
        return _label(value)

    @model_validator(mode="after")
    def _no_shadowing(self) -> Self:
        clash = sorted({"type", "id", "name"} & set(self.attributes))
        if clash:
            raise ValueError(f"give {', '.join(clash)} as fields of the operation, not attributes")
        return self

    def payload(self) -> dict[str, Any]:
        return {
            **self.attributes,
            "type": self.type,
            "id": self.id or node_id(self.type, self.name),
            "name": self.name,
        }

    def _validated(self) -> dict[str, Any]:
        try:
            return NODE_ADAPTER.validate_python(self.payload()).model_dump()
        except ValidationError as exc:
            raise OperationProblem(f"invalid {self.type}: {_validation_message(exc)}") from exc

    def resolved(self, model: ModelGraph) -> Self:
        self._validated()
        return self.model_copy(update={"id": self.payload()["id"]})

    def apply(self, model: ModelGraph) -> None:
        fields = self._validated()
        payload = self.payload()
        _check_new_id(model, payload["id"])
        props = {p: fields.get(p) for p in MODEL_PROPS}
        model.add_node(Node(payload["id"], self.type, props, payload=payload))

    def describe(self, model: ModelGraph) -> str:
        return f"add {self.type} {self.name!r} ({self.payload()['id']})"


class RemoveElement(_Operation):
    """Remove an element and every relationship it has."""

    op: Literal["remove_element"] = "remove_element"
    element: Ref

    def resolved(self, model: ModelGraph) -> Self:
        return self.model_copy(update={"element": _resolve(model, self.element)})

    def apply(self, model: ModelGraph) -> None:
        model.remove_node(_require(model, self.element).id)

    def describe(self, model: ModelGraph) -> str:
        node = model.nodes.get(self.element)
        kind = f"{node.type} " if node else ""
        return f"remove {kind}{_show(model, self.element)} and its relationships"


class ReplaceElement(_Operation):
    """Replace an element by another of the same type: every relationship of the old one
    (its users, what it uses, its data, its owners) moves to the new one, then the old
    one goes. A relationship the new one has already is kept once."""

    op: Literal["replace_element"] = "replace_element"
    old: Ref
    new: Ref

    def resolved(self, model: ModelGraph) -> Self:
        return self.model_copy(
            update={"old": _resolve(model, self.old), "new": _resolve(model, self.new)}
        )

    def apply(self, model: ModelGraph) -> None:
        old, new = _require(model, self.old), _require(model, self.new)
        if old.id == new.id:
            raise OperationProblem(f"{old.ref} cannot replace itself")
        if old.type != new.type:
            raise OperationProblem(
                f"a {new.type} cannot replace a {old.type}: {new.ref} for {old.ref}"
            )
        for r in model.rels_of(old.id):
            source = new.id if r.source == old.id else r.source
            target = new.id if r.target == old.id else r.target
            if source == target:
                continue  # joined the old element to the new one: goes with the old
            if any(_same_kind(x, r) for x in model.rels_between(r.type, source, target)):
                continue
            model.add_rel(_copy_rel(model, r, source, target))
        model.remove_node(old.id)

    def describe(self, model: ModelGraph) -> str:
        return (
            f"replace {_show(model, self.old)} by {_show(model, self.new)}: "
            "its relationships move over"
        )


class MoveOwnership(_Operation):
    """Give an element to another team: `from_team`'s OWNS (or, without it, every current
    owner's) is removed and `to_team` OWNS the element."""

    op: Literal["move_ownership"] = "move_ownership"
    element: Ref
    to_team: Ref
    from_team: Ref | None = None

    def resolved(self, model: ModelGraph) -> Self:
        return self.model_copy(
            update={
                "element": _resolve(model, self.element),
                "to_team": _resolve(model, self.to_team),
                "from_team": _resolve(model, self.from_team) if self.from_team else None,
            }
        )

    def apply(self, model: ModelGraph) -> None:
        element = _require(model, self.element)
        to = _require(model, self.to_team, TEAM, "to_team")
        if self.from_team is not None:
            frm = _require(model, self.from_team, TEAM, "from_team")
            if frm.id == to.id:
                raise OperationProblem("from_team and to_team are the same team")
            gone = model.rels_between(OWNS, frm.id, element.id)
            if not gone:
                raise OperationProblem(f"{frm.ref} does not own {element.ref}")
        else:
            gone = [r for r in model.in_rels(element.id, OWNS) if r.source != to.id]
            if not gone and model.rels_between(OWNS, to.id, element.id):
                raise OperationProblem(f"{to.ref} owns {element.ref} already, and no other team")
        for r in gone:
            model.remove_rel(r.rel_key)
        if not model.rels_between(OWNS, to.id, element.id):
            model.add_rel(_new_rel(model, OWNS, to.id, element.id))

    def describe(self, model: ModelGraph) -> str:
        frm = _show(model, self.from_team) if self.from_team else "every current owner"
        return (
            f"move ownership of {_show(model, self.element)} from {frm} "
            f"to {_show(model, self.to_team)}"
        )


class _RelationshipOperation(_Operation):
    type: str = Field(description="A relationship type of the schema, e.g. DEPENDS_ON.")
    source: Ref
    target: Ref

    @field_validator("type")
    @classmethod
    def check_type(cls, value: str) -> str:
        return _rel_type(value)

    def resolved(self, model: ModelGraph) -> Self:
        return self.model_copy(
            update={"source": _resolve(model, self.source), "target": _resolve(model, self.target)}
        )

    def _text(self, model: ModelGraph) -> str:
        return f"{_show(model, self.source)} -[{self.type}]-> {_show(model, self.target)}"


class AddRelationship(_RelationshipOperation):
    """Add a relationship, e.g. a dependency; its endpoints must be allowed by the schema."""

    op: Literal["add_relationship"] = "add_relationship"
    attributes: Attributes

    def apply(self, model: ModelGraph) -> None:
        source = _require(model, self.source)
        target = _require(model, self.target)
        rel = _new_rel(model, self.type, source.id, target.id, self.attributes)
        if any(_same_kind(x, rel) for x in model.rels_between(self.type, source.id, target.id)):
            raise OperationProblem(f"{source.ref} -[{self.type}]-> {target.ref} exists already")
        model.add_rel(rel)

    def describe(self, model: ModelGraph) -> str:
        return f"add {self._text(model)}"


class RemoveRelationship(_RelationshipOperation):
    """Remove every relationship of the type from source to target, e.g. drop a dependency."""

    op: Literal["remove_relationship"] = "remove_relationship"

    def apply(self, model: ModelGraph) -> None:
        source = _require(model, self.source)
        target = _require(model, self.target)
        gone = model.rels_between(self.type, source.id, target.id)
        if not gone:
            raise OperationProblem(f"there is no {source.ref} -[{self.type}]-> {target.ref}")
        for r in gone:
            model.remove_rel(r.rel_key)

    def describe(self, model: ModelGraph) -> str:
        return f"remove {self._text(model)}"


class NewStream(BaseModel):
    """One of the streams a split makes, with the stages of the old stream it takes."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    name: str = Field(min_length=1, max_length=500)
    id: str | None = Field(
        default=None, pattern=ID_PATTERN, description="Defaults to one made from the name."
    )
    stages: list[Ref] = Field(default_factory=list, max_length=500)

    @property
    def stream_id(self) -> str:
        return self.id or node_id(STREAM, self.name)


class SplitStream(_Operation):
    """Split a value stream into new ones. Every stage of the old stream goes to exactly
    one new stream (renumbered from 1 in their old order); every other relationship of the
    old stream (capabilities and platforms it needs, teams, accountable people, funding,
    measures, governance, dependencies either way) is copied to each new stream; the old
    stream goes. Adjust the copies with further operations."""

    op: Literal["split_stream"] = "split_stream"
    stream: Ref
    into: list[NewStream] = Field(min_length=2, max_length=20)

    def resolved(self, model: ModelGraph) -> Self:
        into = [
            part.model_copy(
                update={
                    "id": part.stream_id,
                    "stages": [_resolve(model, s) for s in part.stages],
                }
            )
            for part in self.into
        ]
        return self.model_copy(update={"stream": _resolve(model, self.stream), "into": into})

    def apply(self, model: ModelGraph) -> None:
        old = _require(model, self.stream, STREAM, "stream")
        stages = [r.target for r in model.out_rels(old.id, HAS_STAGE) if r.target in model.nodes]
        assigned: dict[str, str] = {}
        new_ids: list[str] = []
        for part in self.into:
            new_id = part.stream_id
            if new_id in new_ids:
                raise OperationProblem(f"two new streams would have the id {new_id!r}")
            _check_new_id(model, new_id)
            new_ids.append(new_id)
            for stage in part.stages:
                node = _require(model, stage, STAGE, "a stage")
                if stage not in stages:
                    raise OperationProblem(f"{node.ref} is not a stage of {old.ref}")
                if stage in assigned:
                    raise OperationProblem(f"{node.ref} is given to two new streams")
                assigned[stage] = new_id
        missing = [s for s in dict.fromkeys(stages) if s not in assigned]
        if missing:
            raise OperationProblem(
                f"every stage of {old.ref} must go to one of the new streams; not given: "
                + ", ".join(_show(model, s) for s in missing)
            )
        for part, new_id in zip(self.into, new_ids, strict=True):
            props = {**old.props, "name": part.name}
            payload = (
                {**old.payload, "id": new_id, "name": part.name}
                if old.payload
                else {"copy_of": old.id, "type": STREAM, "id": new_id, "name": part.name}
            )
            model.add_node(Node(new_id, STREAM, props, payload=payload))
        for r in model.rels_of(old.id):
            if r.type == HAS_STAGE and r.source == old.id and r.target in assigned:
                model.add_rel(_copy_rel(model, r, assigned[r.target], r.target))
                continue
            if r.source == r.target:
                continue  # a stream related to itself: nothing to carry over
            for new_id in new_ids:
                source = new_id if r.source == old.id else r.source
                target = new_id if r.target == old.id else r.target
                model.add_rel(_copy_rel(model, r, source, target))
        for part in self.into:
            ordered = sorted(
                dict.fromkeys(part.stages),
                key=lambda s: (
                    model.nodes[s].props.get(ORDER) is None,
                    model.nodes[s].props.get(ORDER) or 0,
                    model.nodes[s].name,
                    s,
                ),
            )
            for position, stage in enumerate(ordered, start=1):
                node = model.nodes[stage]  # shared with the base: replaced, not edited
                model.replace_node(dataclasses.replace(node, props={**node.props, ORDER: position}))
        model.remove_node(old.id)

    def describe(self, model: ModelGraph) -> str:
        parts = ", ".join(
            f"{p.name!r} ({p.stream_id}, {len(p.stages)} stage(s))" for p in self.into
        )
        return f"split {_show(model, self.stream)} into {parts}"


Operation = Annotated[
    AddElement
    | RemoveElement
    | ReplaceElement
    | MoveOwnership
    | AddRelationship
    | RemoveRelationship
    | SplitStream,
    Field(discriminator="op"),
]
OPERATION_ADAPTER: TypeAdapter[Operation] = TypeAdapter(Operation)
OPERATION_KINDS: tuple[str, ...] = (
    "add_element",
    "remove_element",
    "replace_element",
    "move_ownership",
    "add_relationship",
    "remove_relationship",
    "split_stream",
)


def parse_operation(data: Any) -> Operation:
    """An operation from JSON-like data; a malformed one raises QuestionError."""
    if isinstance(data, _Operation):
        return data  # type: ignore[return-value]
    try:
        return OPERATION_ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise QuestionError(f"invalid operation: {_validation_message(exc)}") from exc


def apply_operation(model: ModelGraph, op: Operation, index: int) -> None:
    try:
        op.apply(model)
    except OperationProblem as exc:
        raise OperationError(index, op.op, exc) from exc


def resolve_operation(model: ModelGraph, op: Operation, index: int) -> Operation:
    """The operation with its elements named by id, as a scenario stores it."""
    try:
        resolved: Operation = op.resolved(model)
    except OperationProblem as exc:
        raise OperationError(index, op.op, exc) from exc
    return resolved


def replay(
    base: ModelGraph, operations: Sequence[Operation], *, apply: bool = True, strict: bool = True
) -> tuple[ModelGraph, list[OperationView], str | None]:
    """The scenario model, a view of each operation, and the first problem (if not strict)."""
    model = base.copy()
    views: list[OperationView] = []
    problem: str | None = None
    for index, op in enumerate(operations, start=1):
        budget.check()
        text = op.describe(model)
        if apply and problem is None:
            try:
                apply_operation(model, op, index)
            except OperationError as exc:
                if strict:
                    raise
                problem = f"{exc}; the operations after it are not evaluated"
        views.append(
            OperationView(
                index=index,
                op=op.op,
                text=text,
                operation=op.model_dump(mode="json", exclude_none=True),
            )
        )
    return model, views, problem


def append_operations(
    model: ModelGraph, operations: list[Operation], new: Sequence[Any]
) -> list[OperationView]:
    """Check new operations against the model (changing it) and append them, by id; a
    view of each, as `replay` describes it (on the model before it applies)."""
    if len(operations) + len(new) > MAX_OPERATIONS:
        raise QuestionError(f"a scenario holds at most {MAX_OPERATIONS} operations")
    views = []
    for data in new:
        index = len(operations) + 1
        op = resolve_operation(model, parse_operation(data), index)
        text = op.describe(model)
        apply_operation(model, op, index)
        operations.append(op)
        views.append(
            OperationView(
                index=index,
                op=op.op,
                text=text,
                operation=op.model_dump(mode="json", exclude_none=True),
            )
        )
    return views
