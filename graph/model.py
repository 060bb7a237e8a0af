"""Pydantic models derived from the schema: what may be written, and what is read back.

Each node type gets a create model (`NODE_MODELS`) and a patch model (`NODE_PATCH_MODELS`),
built from its declared properties, so a typo'd property or a value outside a choice list
is refused with the field's name. Free key/value pairs go under `properties`, which is
stored as one JSON value: input can never create a property key outside the schema.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from graph.schema import SCHEMA, NodeType, Prop, PropKind, RelType

# Free properties: flat scalars only, so they survive a JSON round trip unchanged.
Scalar = str | int | float | bool | None
ID_PATTERN = r"^[A-Za-z0-9_.:|\-@/]{1,300}$"
_ID_RE = re.compile(ID_PATTERN)


# What XML 1.0 cannot carry, not even as a character reference (tab, LF and CR it can).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Neo4j integers are signed 64-bit; a larger one would fail deep in the driver.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def storable_problem(value: Any) -> str | None:
    """Why Neo4j (or JSON, on the way back out) cannot hold `value`, or None if it can.

    NaN and infinities are not JSON: stored, they would make every answer listing them
    invalid. A lone surrogate is not Unicode and cannot be encoded to send to Neo4j.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            return "integer outside the 64-bit range Neo4j stores"
    elif isinstance(value, float):
        if not math.isfinite(value):
            return f"{value} is not a number that can be stored (NaN and infinities are refused)"
    elif isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            return f"invalid Unicode (a lone surrogate at character {exc.start})"
        if bad := _NOT_XML.search(value):
            # The model must export back to ArchiMate exchange XML, which cannot carry it.
            return f"control character U+{ord(bad.group()):04X} at character {bad.start()}"
    return None


def _first_problem(value: Any, path: str) -> str | None:
    if isinstance(value, dict):
        for key, item in value.items():
            # Shown escaped: an error message must itself be valid Unicode.
            shown = str(key).encode("utf-8", "backslashreplace").decode("utf-8")
            where = f"{path}.{shown}" if path else shown
            found = storable_problem(key)
            if found:
                return f"{where}: {found}"
            if found := _first_problem(item, where):
                return found
        return None
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            if found := _first_problem(item, f"{path}.{i}"):
                return found
        return None
    problem = storable_problem(value)
    return f"{path}: {problem}" if problem else None


def _all_storable(value: Any) -> bool:
    """True when nothing in `value` can be a `storable_problem` (almost always): its
    strings checked at once, joined, instead of one by one. Every node and relationship
    an import maps is checked, so this is on an import's path per row; `_first_problem`
    walks again only to name what is wrong."""
    strings: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            strings.append(item)
        elif isinstance(item, dict):
            for key, v in item.items():
                if isinstance(key, str):
                    strings.append(key)
                elif storable_problem(key):
                    return False
                stack.append(v)
        elif isinstance(item, list | tuple):
            stack.extend(item)
        elif storable_problem(item):
            return False
    joined = "\n".join(strings)
    try:
        joined.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return _NOT_XML.search(joined) is None


class _Storable(BaseModel):
    """Refuses, before any field is read, a value that Neo4j or JSON cannot carry."""

    @model_validator(mode="before")
    @classmethod
    def _storable(cls, data: Any) -> Any:
        if not _all_storable(data) and (problem := _first_problem(data, "")):
            raise ValueError(problem)
        return data


class NodeBase(_Storable):
    """Fields every node has; subclasses add the typed properties of one node type."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str | None = Field(
        default=None,
        pattern=ID_PATTERN,
        description="Stable external id; generated from type and name when omitted.",
    )
    name: str = Field(min_length=1, max_length=500)
    description: str = Field(default="", max_length=20_000)
    tags: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=100
    )
    properties: dict[Annotated[str, Field(min_length=1, max_length=200)], Scalar] = Field(
        default_factory=dict, max_length=500, description="Free key/value pairs."
    )


class NodePatchBase(_Storable):
    """A partial update: only the fields given are changed; null clears a typed property."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, min_length=1, max_length=500)
    description: str | None = Field(default=None, max_length=20_000)
    tags: list[str] | None = Field(default=None, max_length=100)
    properties: dict[str, Scalar] | None = Field(default=None, max_length=500)


class RelBase(_Storable):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str | None = Field(
        default=None,
        pattern=ID_PATTERN,
        description="Stable id; defaults to SOURCE|TYPE|TARGET.",
    )
    source: str = Field(pattern=ID_PATTERN, description="Id of the source node.")
    target: str = Field(pattern=ID_PATTERN, description="Id of the target node.")
    properties: dict[str, Scalar] = Field(default_factory=dict, max_length=500)


_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def iso_day(value: Any) -> Any:
    """A calendar day as ISO text: `date` objects (YAML reads them so) and YYYY-MM-DD
    strings that name a real day. Anything else is refused: a day must compare as text."""
    if isinstance(value, datetime):
        raise ValueError("a date is a day (YYYY-MM-DD), not a time")
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str):
        raise ValueError("a date must be text in the form YYYY-MM-DD")
    text = value.strip()
    if not _DAY.match(text):
        raise ValueError(f"{value!r} is not a date: give YYYY-MM-DD, e.g. 2027-03-31")
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError(f"{value!r} is not a day of the calendar") from None


# Stored as ISO text: compares as dates do, and reads back unchanged on every surface.
Day = Annotated[str, BeforeValidator(iso_day), Field(json_schema_extra={"format": "date"})]

_PY_TYPES: dict[PropKind, Any] = {
    PropKind.STRING: str,
    PropKind.INT: int,
    PropKind.FLOAT: float,
    PropKind.BOOL: bool,
    PropKind.DATE: Day,
}


def sequence_problem(
    sequence: Sequence[str], values: Mapping[str, Any], field: str | None = None
) -> str | None:
    """Why the dates of `sequence` in `values` are out of order (only problems involving
    `field`, when given), or None. Dates may repeat or be missing, never go back."""
    given = [(name, str(values[name])) for name in sequence if values.get(name) is not None]
    rule = "these dates must not decrease: " + " <= ".join(sequence)
    for i, (a, day_a) in enumerate(given):
        for b, day_b in given[i + 1 :]:
            if day_b < day_a and field in (None, a, b):
                if field == a:
                    return f"{a} ({day_a}) is after {b} ({day_b}); {rule}"
                return f"{b} ({day_b}) is before {a} ({day_a}); {rule}"
    return None


def _sequence_check(sequence: tuple[str, ...]) -> Any:
    def check(cls: Any, value: Any, info: ValidationInfo) -> Any:
        name = info.field_name or ""
        # Only the dates before it: those after are checked when their turn comes.
        given = {k: info.data.get(k) for k in sequence[: sequence.index(name)]}
        if value is not None and (
            problem := sequence_problem(sequence, {**given, name: value}, name)
        ):
            raise ValueError(problem)
        return value

    return check


def _sequence_validators(sequences: tuple[tuple[str, ...], ...]) -> dict[str, Any]:
    """Field validators refusing a date earlier than one before it in its sequence, so the
    error names the field (and an import keeps just that value as a free property)."""
    return {
        f"_sequence_{i}": field_validator(*sequence[1:])(_sequence_check(sequence))
        for i, sequence in enumerate(sequences)
    }


def _annotation(prop: Prop) -> Any:
    if prop.choices:
        return Literal[prop.choices]
    return _PY_TYPES[prop.kind]


def _field(prop: Prop, *, optional: bool) -> tuple[Any, Any]:
    ann = _annotation(prop)
    if prop.required and not optional:
        return ann, Field(description=prop.description)
    return ann | None, Field(default=None, description=prop.description)


def _node_model(node: NodeType) -> type[NodeBase]:
    fields: dict[str, Any] = {p.name: _field(p, optional=False) for p in node.props}
    fields["type"] = (Literal[node.label], Field(description=node.description))
    return create_model(
        f"{node.label}In",
        __base__=NodeBase,
        __validators__=_sequence_validators(node.sequences),
        **fields,
    )


def _node_patch_model(node: NodeType) -> type[NodePatchBase]:
    fields: dict[str, Any] = {p.name: _field(p, optional=True) for p in node.props}
    return create_model(
        f"{node.label}Patch",
        __base__=NodePatchBase,
        __validators__=_sequence_validators(node.sequences),
        **fields,
    )


def _rel_model(rel: RelType) -> type[RelBase]:
    fields: dict[str, Any] = {p.name: _field(p, optional=False) for p in rel.props}
    fields["type"] = (Literal[rel.type], Field(description=rel.description))
    return create_model(
        f"{rel.type.title().replace('_', '')}In",
        __base__=RelBase,
        __validators__=_sequence_validators(rel.sequences),
        **fields,
    )


NODE_MODELS: dict[str, type[NodeBase]] = {n.label: _node_model(n) for n in SCHEMA.nodes}
NODE_PATCH_MODELS: dict[str, type[NodePatchBase]] = {
    n.label: _node_patch_model(n) for n in SCHEMA.nodes
}
REL_MODELS: dict[str, type[RelBase]] = {r.type: _rel_model(r) for r in SCHEMA.rels}

# Discriminated unions: what the REST API accepts and documents in OpenAPI.
# Built at run time from the schema, so type checkers see only the common base.
if TYPE_CHECKING:
    NodeIn = NodeBase
    RelIn = RelBase
else:
    NodeIn = Annotated[Union[tuple(NODE_MODELS.values())], Field(discriminator="type")]  # noqa: UP007
    RelIn = Annotated[Union[tuple(REL_MODELS.values())], Field(discriminator="type")]  # noqa: UP007
NODE_ADAPTER: TypeAdapter[NodeBase] = TypeAdapter(NodeIn)
REL_ADAPTER: TypeAdapter[RelBase] = TypeAdapter(RelIn)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:120] or "x"


def node_id(label: str, name: str) -> str:
    """The id given to a node created without one: readable and stable for the same name."""
    return f"{slug(label)}:{slug(name)}"


def rel_id(source: str, rel_type: str, target: str) -> str:
    return f"{source}|{rel_type}|{target}"


def valid_id(value: str) -> bool:
    return bool(_ID_RE.match(value))


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class NodeRecord(BaseModel):
    """A validated node ready for the store: label from the schema, props flat for Neo4j."""

    label: str
    id: str
    props: dict[str, Any]


class RelRecord(BaseModel):
    type: str
    id: str
    source: str
    target: str
    props: dict[str, Any]


def node_record(node: NodeBase, *, source: str | None = None, run: str | None = None) -> NodeRecord:
    data = node.model_dump(exclude={"type", "id"})
    label: str = node.type  # type: ignore[attr-defined]
    data["properties"] = json.dumps(data["properties"], sort_keys=True)
    data["source"] = source
    data["import_run"] = run
    return NodeRecord(label=label, id=node.id or node_id(label, node.name), props=data)


def patch_props(patch: NodePatchBase) -> dict[str, Any]:
    """Neo4j properties to SET for a patch; typed properties sent as null are removed."""
    data = patch.model_dump(exclude_unset=True)
    for key in ("name", "description", "tags"):
        if key in data and data[key] is None:
            del data[key]
    if "properties" in data:
        data["properties"] = json.dumps(data["properties"] or {}, sort_keys=True)
    return data


def rel_record(rel: RelBase, *, source: str | None = None, run: str | None = None) -> RelRecord:
    data = rel.model_dump(exclude={"type", "id", "source", "target"})
    rel_type: str = rel.type  # type: ignore[attr-defined]
    data["properties"] = json.dumps(data["properties"], sort_keys=True)
    # On relationships `source` is the start node, so provenance is `import_source`.
    data["import_source"] = source
    data["import_run"] = run
    return RelRecord(
        type=rel_type,
        id=rel.id or rel_id(rel.source, rel_type, rel.target),
        source=rel.source,
        target=rel.target,
        props=data,
    )


# Bulk paths (the importers) make records by the hundred thousand. The `*_row` functions
# give what `node_record(...).model_dump()` and `rel_record(...).model_dump()` give,
# without building and re-validating a record, without `model_dump` copying values the
# row is the only user of, and with one JSON encoder (`json.dumps` with options builds
# one per call; same settings, same text).
_SORTED_JSON = json.JSONEncoder(sort_keys=True)
# Each relationship type's own fields, in declaration order (as `model_dump` lists them).
_REL_TYPED_FIELDS: dict[str, tuple[str, ...]] = {
    rel_type: tuple(n for n in model.model_fields if n not in RelBase.model_fields and n != "type")
    for rel_type, model in REL_MODELS.items()
}


# Relationships' free properties keep coming back (often just the source model's type),
# so the JSON texts of small ones are remembered, a bounded number of them. Keyed by
# repr, which tells apart values that are equal but written differently (1, 1.0 and True;
# 0.0 and -0.0).
_REL_PROPERTIES_JSON: dict[str, str] = {}
_REL_PROPERTIES_JSON_MAX = 4096
_REL_PROPERTIES_JSON_KEY_MAX = 256


def _rel_properties_json(properties: dict[str, Scalar]) -> str:
    key = repr(properties)
    text = _REL_PROPERTIES_JSON.get(key)
    if text is None:
        text = _SORTED_JSON.encode(properties)
        if (
            len(key) <= _REL_PROPERTIES_JSON_KEY_MAX
            and len(_REL_PROPERTIES_JSON) < _REL_PROPERTIES_JSON_MAX
        ):
            _REL_PROPERTIES_JSON[key] = text
    return text


def node_row(
    node: NodeBase, *, source: str | None = None, run: str | None = None
) -> dict[str, Any]:
    """`node_record(...).model_dump()`, for a node nothing else will use."""
    data = node.__dict__.copy()  # the validated field values
    label: str = data.pop("type")
    ident: str | None = data.pop("id")
    data["properties"] = _SORTED_JSON.encode(data["properties"])
    data["source"] = source
    data["import_run"] = run
    return {"label": label, "id": ident or node_id(label, node.name), "props": data}


def rel_row(rel: RelBase, *, source: str | None = None, run: str | None = None) -> dict[str, Any]:
    """`rel_record(...).model_dump()`, for a relationship nothing else will use."""
    fields = rel.__dict__  # the validated field values
    rel_type: str = fields["type"]
    # Built from flat values only, so the garbage collector leaves it alone (a dict that
    # ever held a dict stays tracked): an import keeps hundreds of thousands of these.
    data: dict[str, Any] = {"properties": _rel_properties_json(fields["properties"])}
    for name in _REL_TYPED_FIELDS[rel_type]:
        data[name] = fields[name]
    data["import_source"] = source
    data["import_run"] = run
    return {
        "type": rel_type,
        "id": fields["id"] or rel_id(fields["source"], rel_type, fields["target"]),
        "source": fields["source"],
        "target": fields["target"],
        "props": data,
    }


def node_view(label: str, props: dict[str, Any]) -> dict[str, Any]:
    """A stored node as the API shows it: type first, free properties decoded."""
    out: dict[str, Any] = {"type": label, **props}
    out["properties"] = json.loads(props.get("properties") or "{}")
    out.setdefault("description", "")
    out.setdefault("tags", [])
    return out


def rel_view(rel_type: str, props: dict[str, Any], source: str, target: str) -> dict[str, Any]:
    out: dict[str, Any] = {**props, "type": rel_type, "source": source, "target": target}
    out["properties"] = json.loads(props.get("properties") or "{}")
    return out


def etag(view: Mapping[str, Any]) -> str:
    """The HTTP entity tag of a node or relationship as the API shows it: a digest of its
    stored state, so any write gives another (a node's `updated_at` moves on every one)."""
    text = json.dumps(view, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:24] + '"'


def entity_tags(value: str | None) -> list[str] | None:
    """The entity tags a conditional write names (an HTTP `If-Match` header, or GraphQL's
    `ifMatch`): comma-separated, each quoted as `etag` gives it (a bare one is quoted), `*`
    for anything stored; None when the write is not conditional."""
    if value is None:
        return None
    tags = [t.strip() for t in value.split(",") if t.strip()]
    return [t if t == "*" or t.startswith('"') else f'"{t}"' for t in tags]


class NodeView(BaseModel):
    """A node as returned by the API: common fields plus its type's properties."""

    model_config = ConfigDict(extra="allow")

    type: str
    id: str
    name: str
    description: str = ""
    tags: list[str] = []
    properties: dict[str, Scalar] = {}
    source: str | None = None
    import_run: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


class RelView(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str
    id: str
    source: str
    target: str
    properties: dict[str, Scalar] = {}
    import_source: str | None = None
    import_run: str | None = None


class OwnerIn(BaseModel):
    """An element's new owner: it becomes the only one (`POST /api/nodes/{id}/owner`)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    owner: str = Field(pattern=ID_PATTERN, description="Id of the element's owner from now on.")


class Page(BaseModel):
    total: int
    limit: int
    offset: int


class NodePage(Page):
    items: list[NodeView]


class RelPage(Page):
    items: list[RelView]
