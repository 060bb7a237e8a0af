"""Raw model → valuegraph records: pure (no database), dicts in, dicts out.

Steps, in order:
1. refuse duplicate ids; keep each original id as the external id, encoding only the
   ones `graph.model.ID_PATTERN` refuses (with a warning naming both);
2. pick each element's node type from the mapping (a `valuegraph:type` property, then the
   mapping's rules, then its default); unknown types are refused or kept as
   GenericElement, as the mapping says;
3. turn value-stream chains into ordered stages;
4. pick each relationship's type: the first candidate the schema allows between the two
   mapped ends, else RELATED_TO with its original type; relationships whose ends are
   missing are skipped with a warning;
5. keep views as GenericElement nodes listing the ids they show, with their drawing
   (`importers.diagrams`);
6. validate everything with the schema's models (`NODE_ADAPTER` / `REL_ADAPTER`).

The mapping memo (`Memo`, given by a change import): a row the parser digested (its
bytes in the file, `RawElement.span`) has a key made of that digest, the digest of the
rest of the file (`RawModel.context`) and everything else its mapping depends on (its
node type after steps 2 and 3, its id, its ends' types and ids). A row whose key the last
import of the source stored, and which that import mapped without a warning, maps to
what it mapped then: it is not mapped again but handed on as the record the last import
stored (`held`: id, type, ends, digest), which the comparison counts as unchanged.
Rows that warned (here or in the parser) are always mapped. With each key the memo
keeps the one thing the counts read from a row beyond its type (`counted`: an element
without any type, a relationship without a propagation rule), and the row's own digest
(`Memo.spans`) when nothing done before the memo is asked reads the row's children (see
`skimmable`): the parser reads a row with one of those bytes without its children
(`RawElement.skipped`). Such a row can only be taken from the memo; should its key not
be held after all (its type, id or ends changed, or the rest of the file did),
`MemoMiss` is raised before anything is handed on, and the caller reads the file again
in full (`importers.preparation`).
"""

from __future__ import annotations

import hashlib
import json
import operator
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from collections.abc import Mapping as ReadOnly
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from datetime import date
from itertools import repeat
from operator import itemgetter
from types import MappingProxyType
from typing import Any, NamedTuple, TypedDict

from pydantic import ValidationError

from graph import labels
from graph.archimate import RELATIONSHIP_KINDS, element_kind
from graph.labels import STAGE, STREAM
from graph.model import (
    ID_PATTERN,
    NODE_ADAPTER,
    REL_ADAPTER,
    iso_day,
    node_row,
    rel_id,
    rel_row,
    valid_id,
)
from graph.schema import ARCHIMATE_TYPE, SCHEMA, Prop, PropKind, UnknownTypeError
from importers.diagrams import DIAGRAM_KEY, STYLES_KEY, stored_diagram, with_uncarried
from importers.errors import ImportFailure, ReportWarning
from importers.identity import archimate_id
from importers.mapping import FieldSource, Mapping, RelCandidate, property_key
from importers.raw import (
    RawElement,
    RawModel,
    RawRelationship,
    RawView,
    Scalar,
    encode_folder,
)
from importers.xmlstream import Block, Runs

GENERIC = labels.GENERIC
FALLBACK_REL = labels.RELATED_TO
VIEW_TYPE = "View"
MAX_NAME = 500
MAX_DESCRIPTION = 20_000
_ID_CHARS = re.compile(r"[^A-Za-z0-9_.:\-@/]")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
# `valid_id` and the adapters' `validate_python` without their wrappers' calls, for the
# per-record loops.
_valid_id = re.compile(ID_PATTERN).match
_validate_node = NODE_ADAPTER.validator.validate_python
_validate_rel = REL_ADAPTER.validator.validate_python


class TransformResult(TypedDict):
    source: str
    model: dict[str, Any]
    nodes: list[dict[str, Any]]
    relationships: list[dict[str, Any]]
    warnings: list[ReportWarning]
    counts: dict[str, Any]


# Ids that `encode_ids` keeps as they are: valid, and (in an ArchiMate model) not starting
# with a digit, so `archimate_id` adds nothing. Stricter than `ID_PATTERN` (`\Z`, not `$`):
# an id it refuses goes the long way, which decides as before.
_PLAIN_ID = re.compile(r"[A-Za-z0-9_.:|\-@/]{1,300}\Z").match
_PLAIN_ARCHIMATE_ID = re.compile(r"[A-Za-z_.:|\-@/][A-Za-z0-9_.:|\-@/]{0,299}\Z").match


def _plain_ids(items: list[Any], id_key: str, *, archimate: bool) -> list[str] | None:
    """The ids of `items` if `encode_ids` keeps every one as it is (each plain, and no
    item giving its id in the `id_key` property), else None."""
    try:
        ids: list[str] = list(filter(None, map(dict.get, items, repeat("id"))))
        given = any(map(operator.contains, map(itemgetter("properties"), items), repeat(id_key)))
    except (KeyError, TypeError):  # an item without properties: let the loop decide
        return None
    if given or not all(map(_PLAIN_ARCHIMATE_ID if archimate else _PLAIN_ID, ids)):
        return None
    return ids


def external_id(original: str) -> str:
    """The original id when the graph accepts it, else a readable, stable encoding of it."""
    if valid_id(original):
        return original
    cleaned = _ID_CHARS.sub("_", original)[:180] or "id"
    digest = hashlib.sha1(original.encode("utf-8")).hexdigest()[:10]
    return f"{cleaned}@{digest}"


def coerce(prop: Prop, value: Scalar) -> Scalar:
    """A property value (text in most files) as the typed field's kind; ValueError if not."""
    if value is None:
        return None
    if prop.kind is PropKind.STRING:
        return str(value)
    if prop.kind is PropKind.DATE:
        # A day, or the day of a timestamp (tools export both: 2027-03-31T00:00:00Z).
        text = value.isoformat() if isinstance(value, date) else str(value).strip()
        return str(iso_day(text[:10] if _TIMESTAMP.match(text) else text))
    if prop.kind is PropKind.BOOL:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "yes", "1"):
            return True
        if text in ("false", "no", "0"):
            return False
        raise ValueError(f"{value!r} is not a boolean")
    number = float(str(value).strip())
    if prop.kind is PropKind.INT:
        if not number.is_integer():
            raise ValueError(f"{value!r} is not a whole number")
        return int(number)
    return number


def element_label(
    mapping: Mapping, raw_type: str, props: dict[str, Scalar], folder: list[str], name: str = ""
) -> str | None:
    """The node type an element maps to; None when the mapping does not know its type."""
    forced = props.get(f"{mapping.field_prefix}type")
    if isinstance(forced, str) and forced in SCHEMA.labels:
        return forced
    emap = mapping.elements.get(raw_type)
    if emap is None:
        return None
    for rule in emap.rules:
        if rule.matches(folder, props, name):
            return rule.type
    return emap.type


def relationship_type(
    mapping: Mapping,
    raw_type: str,
    access: str | None,
    source_label: str,
    target_label: str,
    props: dict[str, Scalar],
) -> tuple[str, bool, RelCandidate | None]:
    """(valuegraph type, ends swapped?, candidate used) for a relationship between two labels."""
    forced = props.get(f"{mapping.field_prefix}type")
    if (
        isinstance(forced, str)
        and forced in SCHEMA.rel_types
        and SCHEMA.rel(forced).allows(source_label, target_label)
    ):
        return forced, False, None
    for cand in mapping.relationships.get(raw_type, ()):
        if cand.access is not None and (access or "") not in cand.access:
            continue
        a, b = (target_label, source_label) if cand.reverse else (source_label, target_label)
        if SCHEMA.rel(cand.type).allows(a, b):
            return cand.type, cand.reverse, cand
    return FALLBACK_REL, False, None


def _toposort(items: list[str], edges: list[tuple[str, str]]) -> tuple[list[str], bool]:
    """Order `items` along `edges`, ties by given order; True if a cycle had to be broken."""
    position = {item: i for i, item in enumerate(items)}
    succ: dict[str, list[str]] = defaultdict(list)
    indegree = dict.fromkeys(items, 0)
    for a, b in edges:
        if a in position and b in position and a != b:
            succ[a].append(b)
            indegree[b] += 1
    done: list[str] = []
    remaining = set(items)
    cyclic = False
    while remaining:
        ready = sorted((i for i in remaining if indegree[i] == 0), key=position.__getitem__)
        if not ready:
            cyclic = True
            ready = [min(remaining, key=position.__getitem__)]
        item = ready[0]
        remaining.discard(item)
        done.append(item)
        for nxt in succ[item]:
            indegree[nxt] -= 1
    return done, cyclic


class Memo(NamedTuple):
    """What the last import of a source stored, by row key (see the module doc): its
    node records ({id, label, digest, memo, counted}) and relationship records ({id,
    type, source, target, digest, memo, counted}).

    A row mapped with a memo carries `memo_key` (its key and `counted` flag, `MEMO_SIZE`
    bytes; only if it was mapped without a warning), and `held` when it was not mapped:
    the last import's record."""

    nodes: dict[bytes, dict[str, Any]]
    relationships: dict[bytes, dict[str, Any]]
    spans: AbstractSet[bytes] = frozenset()  # the rows' own digests (`RawElement.span`)
    # The node type of each element row with a span in `spans`, by that span.
    labels: ReadOnly[bytes, str] = MappingProxyType({})
    # The stored relationships as runs of them are carried (`Carry`), if any may be.
    carry: Carry | None = None


class Carry(NamedTuple):
    """The stored table's relationships, in its (the last import's file) order, as the
    block path carries runs of them (`xmlstream.Block`): their keys ([type, id, source,
    target]), digests, memo entries and records (as the comparison is given them); the
    digests the parser matches runs against (`xmlstream.Runs`: the rows flagged
    carriable, see `_Transformer.carriable`); and each stored node's label, by id."""

    keys: list[list[str]]
    digests: list[bytes]
    entries: list[bytes]
    records: list[dict[str, Any]]
    runs: Runs
    labels: dict[str, str]


class Carried(NamedTuple):
    """A run of stored relationships handed on as one (`Carry`, sliced): unchanged, each
    the record the last import stored, as the memo would have held them one by one."""

    keys: list[list[str]]
    digests: list[bytes]
    entries: list[bytes]
    records: list[dict[str, Any]]


class MemoMiss(Exception):
    """A row read without its children (`RawElement.skipped`) that the memo does not hold:
    the file must be read again in full."""


MEMO_KEY_SIZE = 16
SPAN_SIZE = 16
# The key, the `counted` flag (b"\1" or b"\0"), and the row's span (`RawElement.span`).
MEMO_SIZE = MEMO_KEY_SIZE + 1 + SPAN_SIZE
NO_SPAN = bytes(SPAN_SIZE)  # a row the parser reads whole next time too
# The flags byte: 1, `counted`; relationships only: 2, carriable in a run, and 4, its
# stored ends are its own the other way round (`carriable`).
COUNTED, CARRIABLE, REVERSED = 1, 2, 4
_FLAGS = tuple(bytes([i]) for i in range(8))
_STAGED = frozenset({STREAM, STAGE})


def _memo_key(context: bytes, span: bytes, *texts: str) -> bytes:
    # The digests are of fixed size, and no text holds a NUL (XML text, ids and labels
    # cannot): the parts are told apart.
    text = context + span + "\0".join(texts).encode()
    return hashlib.blake2b(text, digest_size=MEMO_KEY_SIZE).digest()


class _RelPlan(NamedTuple):
    """How a relationship is stored: the same for every one with its type, access and ends."""

    type: str
    reverse: bool
    set: dict[str, Scalar]  # typed fields the mapping's candidate sets
    fields: dict[str, Prop]  # the type's typed fields


class _Transformer:
    def __init__(
        self,
        model: RawModel,
        mapping: Mapping,
        source: str,
        run_id: str | None,
        memo: Memo | None = None,
    ) -> None:
        self.model = model
        # The memo needs the parser's digests: the rows' and the rest of the file's.
        self.memo = memo if model.get("context") else None
        self.context = model.get("context", b"")
        self.mapping = mapping
        self.ns = mapping.reserved
        self.prefix = mapping.field_prefix
        self.source = source
        self.run_id = run_id
        self.warnings: list[ReportWarning] = list(model.get("warnings", []))
        # Rows the parser warned about: always mapped, so that their warnings are made.
        self.parser_warned = {w.subject for w in self.warnings if w.subject}
        self.rel_keys: dict[str, bytes] = {}  # the memo keys of skipped relationships
        # Runs of relationships the parser read as blocks (`xmlstream.Block`), and the
        # stored rows they are (`Carry`): valid only once `check_blocks` has passed.
        self.blocks = model.get("blocks") or []
        self.carry = self.memo.carry if self.memo is not None else None
        self.block_ids: list[str] = []
        self.block_id_set: set[str] = set()
        cfg = mapping.value_stream_stages
        self.stage_types = frozenset((*cfg.parent_relationships, *cfg.order_relationships))
        self.ids: dict[str, str] = {}
        self.rel_ids: dict[str, str] = {}
        # Original id -> its spelling, for the ids stored encoded (`encode_ids`).
        self.encoded: dict[str, str] = {}
        self.labels: dict[str, str] = {}
        self.derived: dict[str, dict[str, Scalar]] = defaultdict(dict)
        self.forced: set[str] = set()
        self.counts: Counter[str] = Counter()
        self.unknown_rels: list[RawRelationship] = []
        self.kept_rels: dict[str, str] = {}
        # Only views look relationships up by their original ids (`kept_rels`).
        self.has_views = bool(model.get("views"))
        # ArchiMate models carry ArchiMate element types (Backstage's "Resource" is not one).
        self.archimate = mapping.namespace == "archimate"
        self.rel_ends: dict[str, tuple[str, str]] | None = None  # built on first need
        self.view_ids: set[str] | None = None  # the views' own ids, on first need
        # Property keys, formatted once rather than once per record.
        self.type_key = f"{self.prefix}type"
        self.id_key = f"{self.prefix}id"
        self.tags_key = f"{self.prefix}tags"
        self.ns_keys = {
            k: f"{self.ns}{k}" for k in ("type", "folder", "id", "name", "documentation")
        }
        # What depends only on types and labels is worked out once per combination:
        # a large model has hundreds of thousands of records but a handful of types.
        self.field_memo: dict[tuple[str, str], dict[str, Prop]] = {}
        self.rel_plans: dict[tuple[str, str | None, str, str], _RelPlan] = {}
        self.rel_mapping = mapping.relationships
        self.folder_memo: dict[tuple[str, ...], str] = {}
        # Field sources by matching key, and each property key's matching form, once.
        self.sources: dict[str, tuple[str, FieldSource]] = {}
        for fname, fsource in mapping.field_sources.items():
            for k in fsource.keys:
                self.sources.setdefault(property_key(k), (fname, fsource))
        self.key_memo: dict[str, str] = {}

    def warn(self, code: str, message: str, raw: Any = None) -> None:
        raw = raw or {}
        self.warnings.append(
            ReportWarning(
                code, message, file=raw.get("file"), line=raw.get("line"), subject=raw.get("id")
            )
        )

    def fields(self, kind: str, name: str) -> dict[str, Prop]:
        """The typed fields of a node label ("node") or relationship type ("rel"), by name."""
        fields = self.field_memo.get((kind, name))
        if fields is None:
            props = SCHEMA.node(name).props if kind == "node" else SCHEMA.rel(name).props
            fields = self.field_memo[kind, name] = {p.name: p for p in props}
        return fields

    def folder(self, path: list[str]) -> str:
        """`encode_folder`, once per folder: a folder holds many elements."""
        key = tuple(path)
        text = self.folder_memo.get(key)
        if text is None:
            text = self.folder_memo[key] = encode_folder(path)
        return text

    # -- 1. ids ----------------------------------------------------------------------

    def check_ids(self) -> None:
        seen: dict[str, Any] = {}
        dupes: list[dict[str, Any]] = []
        items: list[Any] = [
            *self.model.get("elements", []),
            *self.model.get("views", []),
            *self.model.get("relationships", []),
        ]
        ids = [rid for raw in items if (rid := raw.get("id"))]
        if self.blocks:
            if self.carry is None:
                raise MemoMiss("blocks without the stored rows")
            keys = self.carry.keys
            self.block_ids = [
                key[1] for _, block in self.blocks for key in keys[block.start : block.end]
            ]
            self.block_id_set = set(self.block_ids)
            # The rows of a run are distinct (the last import refused duplicates); one
            # met again, or another item's id, is named by reading the file whole.
            if len(self.block_id_set.union(ids)) < len(ids) + len(self.block_ids):
                raise MemoMiss("an id of a run is used twice")
        # The item-by-item search below only runs to name the duplicates.
        for raw in items if len(set(ids)) < len(ids) else ():
            rid = raw.get("id")
            if not rid:
                continue
            if rid in seen:
                first = seen[rid]
                dupes.append(
                    {
                        "id": rid,
                        "file": raw.get("file"),
                        "line": raw.get("line"),
                        "first_line": first.get("line"),
                    }
                )
            else:
                seen[rid] = raw
        if dupes:
            d = dupes[0]
            more = f" (and {len(dupes) - 1} more)" if len(dupes) > 1 else ""
            first = f" (first used at line {d['first_line']})" if d["first_line"] else ""
            raise ImportFailure(
                f"duplicate id {d['id']!r}{first}{more}",
                file=d["file"],
                line=d["line"],
                hint="every element, relationship and view needs its own id; give one of "
                "them a new id in the modelling tool and export again",
                details=dupes,
            )
        n_nodes = len(items) - len(self.model.get("relationships", []))
        self.encode_ids(items[:n_nodes], "node", self.ids)
        if not self.block_ids:
            self.encode_ids(items[n_nodes:], "relationship", self.rel_ids)
            return
        own: dict[str, str] = {}
        self.encode_ids(items[n_nodes:], "relationship", own)
        # A run's ids are their own (`carriable`); another relationship's that comes out
        # as one of them (refused as a clash) is named by reading the file whole.
        if not self.block_id_set.isdisjoint(own.values()):
            raise MemoMiss("a relationship id meets one of a run")
        self.rel_ids.update(zip(self.block_ids, self.block_ids, strict=True))
        self.rel_ids.update(own)

    def encode_ids(self, items: list[Any], kind: str, out: dict[str, str]) -> None:
        """Each item's external id into `out`; two ids that come out alike are refused.

        An ArchiMate id is first spelled as Archi's exchange export spells it
        (`importers.identity`), so the three formats give one id; only an id the graph
        cannot hold even then is encoded, its spelling kept in `encoded`.
        """
        id_key = self.id_key
        ids = _plain_ids(items, id_key, archimate=self.archimate)
        if ids is not None:
            # Every id is its own spelling and valid, and none is given by a property:
            # the loop below would map each to itself (no warning, no clash). In C
            # rather than a Python step per row: a large model has hundreds of thousands.
            out.update(zip(ids, ids, strict=True))
            return
        spell = archimate_id if self.archimate else None
        changed = False
        for raw in items:
            rid = raw.get("id")
            if not rid:
                continue
            given = raw.get("properties", {}).get(id_key)
            if isinstance(given, str) and valid_id(given):
                ext = given
            else:
                spelled = spell(rid) if spell is not None else rid
                ext = spelled if _valid_id(spelled) else external_id(spelled)
                if ext != spelled and given is None:
                    self.encoded[rid] = spelled
                    self.counts["encoded_ids"] += 1
                    self.warn(
                        "id-encoded",
                        f"id {spelled!r} has characters valuegraph ids cannot hold; stored as "
                        f"{ext!r} (the original is kept in the {self.ns}id property)",
                        raw,
                    )
            if ext != rid:
                changed = True
            out[rid] = ext
        # The ids are distinct (`check_ids`), so only a changed one can meet another.
        if changed:
            self.refuse_clashes(items, kind, out)

    def refuse_clashes(self, items: list[Any], kind: str, out: dict[str, str]) -> None:
        encoded: dict[str, str] = {}
        for raw in items:
            rid = raw.get("id")
            if not rid:
                continue
            ext = out[rid]
            if ext in encoded:
                raise ImportFailure(
                    f"ids {encoded[ext]!r} and {rid!r} both become {kind} id {ext!r}",
                    file=raw.get("file"),
                    line=raw.get("line"),
                    hint=f"give one of them another id (or another {self.prefix}id property)",
                )
            encoded[ext] = rid

    # -- 2. and 3. node types ---------------------------------------------------------

    def map_types(self) -> None:
        unknown: list[RawElement] = []
        for raw in self.model.get("elements", []):
            props = raw.get("properties", {})
            forced = props.get(self.type_key)
            emap = self.mapping.elements.get(raw["type"])
            if forced is None and emap is not None and not emap.rules:
                label: str | None = emap.type  # element_label's answer, without its work
            elif raw.get("skipped"):
                label = self.memo_label(raw)
            else:
                label = element_label(
                    self.mapping, raw["type"], props, raw.get("folder", []), raw.get("name") or ""
                )
            if forced is not None and forced != label:
                self.warn(
                    "bad-type-property",
                    f"{self.prefix}type = {forced!r} is not a valuegraph node type; "
                    f"used the mapping instead",
                    raw,
                )
            elif forced is not None:
                self.forced.add(raw["id"])
            if label is None:
                if self.mapping.unknown_types == "error":
                    unknown.append(raw)
                    continue
                label = GENERIC
                self.warn(
                    "unknown-type",
                    f"element type {raw['type']!r} is not in the mapping; kept as "
                    f"GenericElement with its original type",
                    raw,
                )
            self.labels[raw["id"]] = label
        if unknown:
            types = sorted({u["type"] for u in unknown})
            first = unknown[0]
            raise ImportFailure(
                f"unknown element type(s) {', '.join(map(repr, types))} "
                f"({len(unknown)} element(s), first {first['id']!r})",
                file=first.get("file"),
                line=first.get("line"),
                hint="this is not an ArchiMate 3.x type; add it to a mapping file "
                "(elements: {TYPE: GenericElement}) and pass --mapping, or set "
                "`unknown_types: keep` there to keep such elements as GenericElement",
                details=[
                    {"id": u["id"], "type": u["type"], "line": u.get("line")} for u in unknown
                ],
            )
        self.derive_stages()

    def memo_label(self, raw: RawElement) -> str:
        """The node type the mapping's rules gave a row read without its children (they
        read its name, properties and folder): as they gave it to the row with these
        bytes last time (`Memo.labels`), before the stages were derived (`derive_stages`
        derives them again). A stage the rules themselves gave is taken for a stream
        here, which its memo key then does not hold: the file is read again whole."""
        label = self.memo.labels.get(raw.get("span", b"")) if self.memo is not None else None
        if label is None:
            raise MemoMiss(raw["id"])
        return STREAM if label == STAGE else label

    def derive_stages(self) -> None:
        cfg = self.mapping.value_stream_stages
        if not cfg.enabled:
            return
        streams = {
            i for i, label in self.labels.items() if label == STREAM and i not in self.forced
        }
        parent: dict[str, str] = {}
        # Chain edges by their start: each stream's stages need only the edges that leave
        # them, not a pass over every chain edge of the model per stream.
        chain: dict[str, list[tuple[str, str]]] = defaultdict(list)
        parent_types, order_types = set(cfg.parent_relationships), set(cfg.order_relationships)
        for raw in self.model.get("relationships", []):
            if raw["type"] in order_types:
                start = raw.get("source", "")
                chain[start].append((start, raw.get("target", "")))
            if raw["type"] not in parent_types:
                continue
            s, t = raw.get("source"), raw.get("target")
            if s in streams and t in streams and s != t:
                if t in parent and parent[t] != s:
                    self.warn(
                        "stage-two-parents",
                        f"value stream {t!r} is part of both {parent[t]!r} and {s!r}; "
                        f"it is a stage of {parent[t]!r} only",
                        raw,
                    )
                    continue
                parent[t] = s
        # Only the first level becomes stages: a stage has no stages of its own.
        parent = {c: p for c, p in parent.items() if p not in parent}
        children: dict[str, list[str]] = defaultdict(list)
        order = {raw["id"]: i for i, raw in enumerate(self.model.get("elements", []))}
        for child, par in sorted(parent.items(), key=lambda cp: order.get(cp[0], 0)):
            children[par].append(child)
        for par, kids in children.items():
            edges = [edge for kid in kids for edge in chain.get(kid, ())]
            ordered, cyclic = _toposort(kids, edges)
            if cyclic:
                self.warn(
                    "stage-cycle",
                    f"the stages of value stream {par!r} are chained in a cycle; "
                    "file order was used where the chain loops",
                    {"id": par},
                )
            for position, child in enumerate(ordered, start=1):
                self.labels[child] = STAGE
                self.derived[child].setdefault("order", position)
                self.counts["derived_stages"] += 1

    # -- nodes ------------------------------------------------------------------------

    def typed_and_free(
        self,
        props: dict[str, Scalar],
        fields: dict[str, Prop],
        typed: dict[str, Scalar],
        raw: Any,
    ) -> dict[str, Scalar]:
        """Split properties into typed fields (prefixed keys) and free ones; returns free."""
        free: dict[str, Scalar] = {}
        prefix = self.prefix
        for key, value in props.items():
            if not key.startswith(prefix):
                free[key] = value
                continue
            name = key[len(prefix) :]
            if name in ("type", "id", "tags"):
                continue
            prop = fields.get(name)
            if prop is None:
                self.warn(
                    "unknown-field",
                    f"property {key!r}: the type has no field {name!r}; kept as a free property",
                    raw,
                )
                free[key] = value
                continue
            try:
                typed[name] = coerce(prop, value)
            except ValueError as exc:
                self.warn("bad-field", f"property {key!r}: {exc}; kept as a free property", raw)
                free[key] = value
        if self.sources and free:
            self.from_sources(free, fields, typed, raw)
        return free

    def from_sources(
        self, free: dict[str, Scalar], fields: dict[str, Prop], typed: dict[str, Scalar], raw: Any
    ) -> None:
        """Typed fields the mapping reads from other tools' property names (`field_sources`);
        a field set under its own `valuegraph:` key keeps that value."""
        memo = self.key_memo
        for key in list(free):
            norm = memo.get(key)
            if norm is None:
                norm = memo[key] = property_key(key)
            found = self.sources.get(norm)
            if found is None:
                continue
            name, source = found
            prop = fields.get(name)
            if prop is None or name in typed:
                continue
            value = free[key]
            try:
                typed[name] = coerce(prop, source.translate(value))
            except ValueError as exc:
                self.warn(
                    "bad-field",
                    f"property {key!r} (read as {name}): {exc}; kept as a free property",
                    raw,
                )
                continue
            if not source.values:
                del free[key]

    def add_extra(self, free: dict[str, Scalar], extra: dict[str, Scalar], raw: Any) -> None:
        for key, value in extra.items():
            if key in free and free[key] != value:
                self.warn(
                    "reserved-property",
                    f"property {key!r} uses a key the importer reserves; its value was replaced",
                    raw,
                )
            free[key] = value

    def text_fields(self, raw: Any, free: dict[str, Scalar], fallback: str) -> tuple[str, str]:
        # As written: "Check and  Sign Contract" keeps both spaces (lookups match loosely).
        name = raw.get("name") or ""
        name = name if name.strip() else fallback
        if len(name) > MAX_NAME:
            free[f"{self.ns}fullName"] = name
            name = name[: MAX_NAME - 1] + "…"
            self.warn("name-truncated", f"name longer than {MAX_NAME} characters shortened", raw)
        doc = (raw.get("documentation") or "").strip()
        if len(doc) > MAX_DESCRIPTION:
            free[f"{self.ns}fullDocumentation"] = doc
            doc = doc[: MAX_DESCRIPTION - 1] + "…"
            self.warn(
                "description-truncated",
                f"documentation longer than {MAX_DESCRIPTION} characters shortened in "
                "description (kept whole in a property)",
                raw,
            )
        return name, doc

    def validated_node(self, data: dict[str, Any], typed: dict[str, Scalar], raw: Any) -> Any:
        try:
            return _validate_node({**data, **typed})
        except ValidationError as exc:
            movable = _refused(exc, typed)
            if not movable or "original_type" in movable:
                raise self.invalid(exc, raw) from exc
            self.keep_as_free(movable, typed, data, raw, _reasons(exc))
            try:
                return _validate_node({**data, **typed})
            except ValidationError as exc2:
                raise self.invalid(exc2, raw) from exc2

    def keep_as_free(
        self,
        fields: set[str],
        holder: dict[str, Any],
        data: dict[str, Any],
        raw: Any,
        reasons: dict[str, str] | None = None,
    ) -> None:
        """Move refused typed `fields` out of `holder` into `data`'s free properties, with
        a warning each."""
        for name in sorted(fields):
            value = holder.pop(name)
            why = (reasons or {}).get(name, "").removeprefix("Value error, ")
            why = f" ({why})" if why else ""
            self.warn(
                "bad-field",
                f"{name} = {value!r} is not valid for {data['type']}{why}; "
                f"kept as free property {self.prefix}{name}",
                raw,
            )
            data["properties"][f"{self.prefix}{name}"] = value

    def invalid(self, exc: ValidationError, raw: Any) -> ImportFailure:
        parts = [f"{'.'.join(str(x) for x in e['loc'][1:])}: {e['msg']}" for e in exc.errors()]
        return ImportFailure(
            f"{raw.get('id')!r} cannot be stored: {'; '.join(parts[:3])}",
            file=raw.get("file"),
            line=raw.get("line"),
            hint="fix the value in the model (or the mapping) and import again",
        )

    def node(self, raw: RawElement) -> dict[str, Any]:
        memo = self.memo
        span = raw.get("span")
        rid = raw["id"]
        if memo is None or not span or rid in self.parser_warned:
            if raw.get("skipped"):
                raise MemoMiss(rid)
            return self.mapped_node(raw)
        label = self.labels[rid]
        derived = self.derived.get(rid)
        key = _memo_key(
            self.context,
            span,
            label,
            self.ids[rid],
            self.encoded.get(rid, ""),
            repr(sorted(derived.items())) if derived else "",
        )
        held = memo.nodes.get(key)
        if held is not None:
            if label == GENERIC:  # as `mapped_node` counts it
                self.counts["unmapped_elements"] += 1
            return {
                "id": held["id"],
                "label": held["label"],
                "held": held,
                "memo_key": held["memo"],
            }
        if raw.get("skipped"):
            raise MemoMiss(rid)
        warned = len(self.warnings)
        row = self.mapped_node(raw)
        if len(self.warnings) == warned:
            row["memo_key"] = key + _FLAGS[_untyped(row)] + self.skimmable(raw, span)
        return row

    def skimmable(self, raw: RawElement, span: bytes) -> bytes:
        """`span` if the parser may read the row without its children next time, else
        none: only if what is done before the memo is asked (`encode_ids`, `map_types`)
        needs nothing but the row's attributes and its span (no id or type property; a
        type the mapping knows, whose rules, if any, the memo answers: `memo_label`)."""
        props = raw.get("properties", {})
        if self.id_key in props or self.type_key in props:
            return NO_SPAN
        return span if raw["type"] in self.mapping.elements else NO_SPAN

    def mapped_node(self, raw: RawElement) -> dict[str, Any]:
        rid, raw_type = raw["id"], raw["type"]
        label = self.labels[rid]
        typed: dict[str, Scalar] = {}
        emap = self.mapping.elements.get(raw_type)
        if emap is not None and emap.type == label:
            typed.update(emap.set)
        typed.update(self.derived.get(rid, {}))
        props = raw.get("properties", {})
        free = self.typed_and_free(props, self.fields("node", label), typed, raw)
        extra = raw.get("extra", {})
        if extra:
            self.add_extra(free, extra, raw)
        if label == GENERIC:
            typed.setdefault("original_type", raw_type)
        else:
            free[self.ns_keys["type"]] = raw_type
        if typed.get(ARCHIMATE_TYPE.name) == "":
            # Exported from an element without an ArchiMate type: it still has none.
            del typed[ARCHIMATE_TYPE.name]
        elif self.archimate and (kind := element_kind(raw_type)):
            # What the architect drew, beside the operating-model role the label gives.
            typed.setdefault(ARCHIMATE_TYPE.name, kind)
        if raw.get("folder"):
            free[self.ns_keys["folder"]] = self.folder(raw["folder"])
        ext = self.ids[rid]
        if rid in self.encoded:
            free[self.ns_keys["id"]] = self.encoded[rid]
        name, doc = self.text_fields(raw, free, raw_type)
        data: dict[str, Any] = {
            "type": label,
            "id": ext,
            "name": name,
            "description": doc,
            "tags": self.tags(raw, free),
            "properties": free,
        }
        model = self.validated_node(data, typed, raw)
        row = node_row(model, source=self.source, run=self.run_id)
        if label == GENERIC:
            self.counts["unmapped_elements"] += 1
        return row

    def tags(self, raw: RawElement, free: dict[str, Scalar]) -> list[str]:
        """The element's tags; ArchiMate has none, so exports carry them as a JSON list."""
        tags = list(raw.get("tags", []))
        given = raw.get("properties", {}).get(self.tags_key)
        if given is None:
            return tags
        try:
            parsed = json.loads(str(given))
        except ValueError:
            parsed = None
        if isinstance(parsed, list) and all(isinstance(t, str) for t in parsed):
            return [*tags, *(t for t in parsed if t not in tags)]
        self.warn(
            "bad-field",
            f"{self.prefix}tags must be a JSON list of strings; kept as a free property",
            raw,
        )
        free[f"{self.prefix}tags"] = given
        return tags

    def view(self, raw: RawView) -> dict[str, Any]:
        free = dict(raw.get("properties", {}))
        free.pop(f"{self.prefix}id", None)
        self.add_extra(free, dict(raw.get("extra", {})), raw)
        shown = [self.ids[e] for e in raw.get("elements", []) if e in self.ids]
        shown_rels = [
            self.kept_rels[r] for r in raw.get("relationships", []) if r in self.kept_rels
        ]
        refs = [self.ids[v] for v in raw.get("views", []) if v in self.ids]
        missing = len(raw.get("elements", [])) - len(shown)
        if missing:
            self.warn(
                "view-missing-elements",
                f"view shows {missing} element(s) that are not in the model; they are left out",
                raw,
            )
        free[f"{self.ns}elements"] = " ".join(dict.fromkeys(shown))
        free[f"{self.ns}relationships"] = " ".join(dict.fromkeys(shown_rels))
        if refs:
            free[f"{self.ns}views"] = " ".join(dict.fromkeys(refs))
        if raw.get("viewpoint"):
            free[f"{self.ns}viewpoint"] = raw["viewpoint"]
        self.layout(raw, free)
        if raw.get("folder"):
            free[f"{self.ns}folder"] = encode_folder(raw["folder"])
        if raw["id"] in self.encoded:
            free[f"{self.ns}id"] = self.encoded[raw["id"]]
        name, doc = self.text_fields(raw, free, VIEW_TYPE)
        data = {
            "type": GENERIC,
            "id": self.ids[raw["id"]],
            "name": name,
            "description": doc,
            "properties": free,
        }
        model = self.validated_node(data, {"original_type": VIEW_TYPE}, raw)
        self.counts["views"] += 1
        return node_row(model, source=self.source, run=self.run_id)

    def layout(self, raw: RawView, free: dict[str, Scalar]) -> None:
        """The view's drawing as one property, its references as graph ids."""
        carried = free.pop(f"{self.prefix}{STYLES_KEY}", None)  # what an export carried aside
        diagram = raw.get("diagram")
        if diagram is None:
            return
        if isinstance(carried, str):
            diagram = with_uncarried(diagram, carried)
        if self.view_ids is None:
            self.view_ids = {v["id"] for v in self.model.get("views", [])}
        view_ids, ids, labels = self.view_ids, self.ids, self.labels
        stored = stored_diagram(
            diagram,
            element=lambda ref: ids[ref] if ref in labels else None,
            relationship=self.kept_rels.get,
            view=lambda ref: ids[ref] if ref in view_ids else None,
            warn=lambda code, message: self.warn(code, message, raw),
        )
        if stored is not None:
            free[f"{self.ns}{DIAGRAM_KEY}"] = stored

    # -- 4. relationships ----------------------------------------------------------------

    def rel_key(self, raw: RawRelationship) -> bytes | None:
        """The relationship's memo key, None if it has none (then it is mapped)."""
        span = raw.get("span")
        rid = raw.get("id")
        src, dst = raw.get("source") or "", raw.get("target") or ""
        labels = self.labels
        if (
            self.memo is None
            or not span
            or not rid
            or rid in self.parser_warned
            or src not in labels
            or dst not in labels
        ):
            return None
        ids = self.ids
        return _memo_key(
            self.context,
            span,
            labels[src],
            labels[dst],
            ids[src],
            ids[dst],
            self.rel_ids[rid],
            self.encoded.get(rid, ""),
        )

    def check_skipped(self) -> None:
        """Raise `MemoMiss` now if a relationship read without its children is not held
        (they are mapped later, while the write runs); their keys are kept for then."""
        memo = self.memo
        for raw in self.model.get("relationships", []):
            if raw.get("skipped"):
                key = self.rel_key(raw)
                if key is None or memo is None or key not in memo.relationships:
                    raise MemoMiss(raw.get("id"))
                self.rel_keys[raw["id"]] = key

    def relationship(self, raw: RawRelationship) -> dict[str, Any] | None:
        rid = raw.get("id")
        key = self.rel_keys.pop(rid) if raw.get("skipped") else self.rel_key(raw)  # type: ignore[arg-type]
        if key is None:
            return self.mapped_relationship(raw)
        assert self.memo is not None  # there is a key
        held = self.memo.relationships.get(key)
        if held is not None:
            if self.has_views:
                self.kept_rels[rid] = held["id"]  # type: ignore[index]
            return {
                "type": held["type"],
                "id": held["id"],
                "source": held["source"],
                "target": held["target"],
                "held": held,
                "memo_key": held["memo"],
            }
        warned, unknown = len(self.warnings), len(self.unknown_rels)
        row = self.mapped_relationship(raw)
        if row is not None and len(self.warnings) == warned and len(self.unknown_rels) == unknown:
            span = NO_SPAN if self.id_key in raw.get("properties", {}) else raw["span"]
            flags = _without_rule(row) | self.carriable(raw, row)
            row["memo_key"] = key + _FLAGS[flags] + span
        return row

    def carriable(self, raw: RawRelationship, row: dict[str, Any]) -> int:
        """`CARRIABLE` (with `REVERSED`) if the next import may carry the row in a run
        without its raw row (`Carry`), else 0: an empty row, whose record's id and ends
        are its own attributes' (the ends maybe the other way round), so that the stored
        keys say what its key depends on (its id, the ends' ids and labels); and not one
        `derive_stages` reads (a stage-chain type touching a stream or a stage)."""
        rid, src, dst = raw.get("id"), raw.get("source"), raw.get("target")
        if not raw.get("empty") or row["id"] != rid:
            return 0
        if (row["source"], row["target"]) == (src, dst):
            flags = CARRIABLE
        elif (row["source"], row["target"]) == (dst, src):
            flags = CARRIABLE | REVERSED
        else:
            return 0
        if raw["type"] in self.stage_types and (
            self.labels[row["source"]] in _STAGED or self.labels[row["target"]] in _STAGED
        ):
            return 0
        return flags

    def mapped_relationship(self, raw: RawRelationship) -> dict[str, Any] | None:
        src, dst = raw.get("source") or "", raw.get("target") or ""
        anchored: dict[str, Scalar] = {}
        if src not in self.labels and src in self.rel_ids:
            src = self.anchor(raw, "source", src, anchored)
        if dst not in self.labels and dst in self.rel_ids:
            dst = self.anchor(raw, "target", dst, anchored)
        src_label = self.labels.get(src)
        if src_label is None:
            self.dangling(raw, "source", src)
            return None
        dst_label = self.labels.get(dst)
        if dst_label is None:
            self.dangling(raw, "target", dst)
            return None
        props = raw.get("properties", {})
        raw_type = raw["type"]
        if raw_type not in self.rel_mapping and self.type_key not in props:
            if self.mapping.unknown_types == "error":
                self.unknown_rels.append(raw)
                return None
            self.warn(
                "unknown-type",
                f"relationship type {raw_type!r} is not in the mapping; kept as "
                f"{FALLBACK_REL} with its original type",
                raw,
            )
        access = raw.get("access")
        plan = self.rel_plan(raw_type, access, src_label, dst_label, props)
        rel_type = plan.type
        typed: dict[str, Scalar] = dict(plan.set) if plan.set else {}
        # Most relationships have neither properties nor extras: skip the calls then.
        free = self.typed_and_free(props, plan.fields, typed, raw) if props else {}
        extra = raw.get("extra", {})
        if extra:
            self.add_extra(free, extra, raw)
        if anchored:
            free.update(anchored)
        ns_keys = self.ns_keys
        if rel_type == FALLBACK_REL:
            typed.setdefault("original_type", raw_type)
            if access:
                typed.setdefault("access_type", access.lower())
        else:
            free[ns_keys["type"]] = raw_type
        if raw.get("folder"):
            free[ns_keys["folder"]] = self.folder(raw["folder"])
        name = raw.get("name")
        if name and name.strip():
            free[ns_keys["name"]] = name
        if raw.get("documentation"):
            free[ns_keys["documentation"]] = (raw.get("documentation") or "").strip()
        rid = raw.get("id")
        ext = self.rel_ids.get(rid) if rid else None
        if rid in self.encoded:
            free[ns_keys["id"]] = self.encoded[rid]
        ids = self.ids
        a, b = (ids[dst], ids[src]) if plan.reverse else (ids[src], ids[dst])
        data: dict[str, Any] = {
            "type": rel_type,
            "source": a,
            "target": b,
            "properties": free,
            **typed,
        }
        if ext:
            data["id"] = ext
        try:
            model = _validate_rel(data)
        except ValidationError as exc:
            model = self.revalidated_rel(exc, data, typed, raw)
        row = rel_row(model, source=self.source, run=self.run_id)
        if not rid and rel_type == FALLBACK_REL:
            # Generated ids name the type; two different unmapped relations between the
            # same ends must not collapse into one.
            row["id"] = rel_id(a, f"{FALLBACK_REL}:{raw_type}", b)
        if rid and self.has_views:
            self.kept_rels[rid] = row["id"]
        return row

    def anchor(self, raw: RawRelationship, end: str, ref: str, anchored: dict[str, Scalar]) -> str:
        """An end that is a relationship (ArchiMate allows associating with, or aggregating,
        a relationship): kept, attached to that relationship's source element (its source's,
        if that is a relationship too), the relationship's id in `archimate:<end>Relationship`.
        Returns the element id to attach to, or `ref` when there is none."""
        if self.rel_ends is None:
            self.rel_ends = {
                r["id"]: (r.get("source") or "", r.get("target") or "")
                for r in self.model.get("relationships", [])
                if r.get("id")
            }
            if self.carry is not None:  # a run's rows: their ends are their stored keys'
                carry = self.carry
                for _, block in self.blocks:
                    at = slice(block.start, block.end)
                    for (_, rid, a, b), entry in zip(
                        carry.keys[at], carry.entries[at], strict=True
                    ):
                        reverse = entry[MEMO_KEY_SIZE] & REVERSED
                        self.rel_ends[rid] = (b, a) if reverse else (a, b)
        anchored[f"{self.ns}{end}Relationship"] = self.rel_ids[ref]
        node, seen = ref, set()
        while node not in self.labels and node in self.rel_ends and node not in seen:
            seen.add(node)
            node = self.rel_ends[node][0]
        if node not in self.labels:
            return ref
        self.counts["anchored_relationships"] += 1
        self.warn(
            "relationship-end-anchored",
            f"{raw['type']} relationship: its {end} {ref!r} is a relationship; kept, attached "
            f"to that relationship's source element {node!r} (the relationship's id is in "
            f"{self.ns}{end}Relationship)",
            raw,
        )
        return node

    def dangling(self, raw: RawRelationship, end: str, ref: str) -> None:
        """Skip a relationship whose `end` is not an element, saying what it is instead."""
        self.counts["skipped_relationships"] += 1
        if ref in self.rel_ids:
            why = (
                f"its {end} {ref!r} is a relationship; valuegraph relationships "
                "connect elements only"
            )
        elif ref in self.ids:
            why = f"its {end} {ref!r} is a view, not an element"
        else:
            why = f"its {end} {ref!r} is not an element of the model"
        self.warn("dangling-relationship", f"{raw['type']} relationship skipped: {why}", raw)

    def rel_plan(
        self,
        raw_type: str,
        access: str | None,
        source_label: str,
        target_label: str,
        props: dict[str, Scalar],
    ) -> _RelPlan:
        """How to store such a relationship; remembered unless it forces its own type."""
        key = (raw_type, access, source_label, target_label)
        plan = None if self.type_key in props else self.rel_plans.get(key)
        if plan is None:
            rel_type, reverse, cand = relationship_type(
                self.mapping, raw_type, access, source_label, target_label, props
            )
            fields = self.fields("rel", rel_type)
            plan = _RelPlan(rel_type, reverse, cand.set if cand else {}, fields)
            if self.type_key not in props:
                self.rel_plans[key] = plan
        return plan

    def revalidated_rel(
        self, exc: ValidationError, data: dict[str, Any], typed: dict[str, Scalar], raw: Any
    ) -> Any:
        """After `exc`: the typed fields the type refuses become free properties, or fail."""
        bad = _refused(exc, typed)
        bad.discard("original_type")
        if not bad:
            raise self.invalid(exc, raw) from exc
        # The typed fields are in `data` here.
        self.keep_as_free(bad, data, data, raw, _reasons(exc))
        try:
            return _validate_rel(data)
        except ValidationError as exc2:
            raise self.invalid(exc2, raw) from exc2

    # -- all --------------------------------------------------------------------------

    def elements(self) -> list[dict[str, Any]]:
        """The elements' node records: final before any relationship is mapped."""
        self.check_ids()
        self.map_types()
        nodes = [self.node(raw) for raw in self.model.get("elements", [])]
        self.check_skipped()
        self.check_blocks()
        return nodes

    def check_blocks(self) -> None:
        """Raise `MemoMiss` unless every row of every run maps to what the last import
        stored for it, as the memo would say row by row: its key, `_memo_key(context,
        span, the ends' labels and ids, its id)`, is the stored one. The span is (the
        parser matched it), and so are its id and ends (`carriable`: they are the stored
        keys'); the ends' labels and ids must be what they were (an element renamed
        keeps them; one whose type or id changed, or that is gone, does not), and the
        rest of the file too (`context`): checked with each run's first key, in full."""
        if not self.blocks:
            return
        carry = self.carry
        assert carry is not None  # `check_ids` made sure
        if not self.parser_warned.isdisjoint(self.block_id_set):
            raise MemoMiss("a row of a run warned")
        ids, labels, old = self.ids, self.labels, carry.labels
        # The elements whose label and id are what they were, and whose id is their own.
        same = {rid for rid, label in labels.items() if ids[rid] == rid and old.get(rid) == label}
        for _, block in self.blocks:
            keys = carry.keys[block.start : block.end]
            if not same.issuperset(map(itemgetter(2), keys)) or not same.issuperset(
                map(itemgetter(3), keys)
            ):
                raise MemoMiss("an end of a run changed")
            _, rid, a, b = keys[0]
            entry = carry.entries[block.start]
            if entry[MEMO_KEY_SIZE] & REVERSED:
                a, b = b, a
            key = _memo_key(
                self.context,
                entry[MEMO_KEY_SIZE + 1 :],
                labels[a],
                labels[b],
                ids[a],
                ids[b],
                self.rel_ids[rid],
                self.encoded.get(rid, ""),
            )
            if key != entry[:MEMO_KEY_SIZE]:
                raise MemoMiss("the rest of the file changed")

    def carried(self, block: Block) -> Carried:
        """A run's stored rows, handed on as one (see `Carried`)."""
        carry = self.carry
        assert carry is not None
        at = slice(block.start, block.end)
        keys = carry.keys[at]
        if self.has_views:  # views name relationships by their ids, their own here
            ids = list(map(itemgetter(1), keys))
            self.kept_rels.update(zip(ids, ids, strict=True))
        return Carried(keys, carry.digests[at], carry.entries[at], carry.records[at])

    def relationships(self) -> Iterator[Any]:
        """The relationship records, one by one as they are mapped (after `elements`),
        and the runs of stored ones as `Carried`."""
        seen_generated: set[str] = set()
        blocks = iter(self.blocks)
        following = next(blocks, None)
        for index, raw in enumerate(self.model.get("relationships", [])):
            while following is not None and following[0] == index:
                yield self.carried(following[1])
                following = next(blocks, None)
            rel = self.relationship(raw)
            if rel is None:
                continue
            if not raw.get("id"):
                # Generated ids (catalog relations): the same fact stated twice is one.
                if rel["id"] in seen_generated:
                    continue
                seen_generated.add(rel["id"])
            yield rel
        while following is not None:
            yield self.carried(following[1])
            following = next(blocks, None)
        if self.unknown_rels:
            first = self.unknown_rels[0]
            types = sorted({r["type"] for r in self.unknown_rels})
            raise ImportFailure(
                f"unknown relationship type(s) {', '.join(map(repr, types))} "
                f"({len(self.unknown_rels)} relationship(s))",
                file=first.get("file"),
                line=first.get("line"),
                hint="this is not an ArchiMate 3.x relationship type; add it to a mapping "
                "file (relationships: {TYPE: []}) and pass --mapping, or set "
                "`unknown_types: keep` there",
            )

    def result(self, elements: list[dict[str, Any]], rels: list[Any]) -> TransformResult:
        """After `elements` and every relationship (records and `Carried` runs): the
        views, and the whole result."""
        nodes = elements + [self.view(raw) for raw in self.model.get("views", [])]
        runs: list[Carried] = [r for r in rels if type(r) is Carried]
        rows: list[dict[str, Any]] = [r for r in rels if type(r) is not Carried]
        coverage = {
            # Neither an operating-model type nor an ArchiMate one.
            "untyped_elements": sum(map(_untyped, elements)),
            # Kept as RELATED_TO with a type no propagation rule is declared for.
            "relationships_without_rule": sum(map(_without_rule, rows))
            + sum(
                bool(flags & COUNTED)
                for run in runs
                for flags in map(itemgetter(MEMO_KEY_SIZE), run.entries)
            ),
        }
        by_type = Counter(map(itemgetter("type"), rows))
        for run in runs:
            by_type.update(map(itemgetter(0), run.keys))
        counts: dict[str, Any] = {
            "nodes": dict(sorted(Counter(map(itemgetter("label"), nodes)).items())),
            "relationships": dict(sorted(by_type.items())),
            "elements_in_file": len(self.model.get("elements", [])),
            "relationships_in_file": len(self.model.get("relationships", []))
            + sum(block.rows for _, block in self.blocks),
            "views_in_file": len(self.model.get("views", [])),
            **{
                k: self.counts[k]
                for k in (
                    "unmapped_elements",
                    "skipped_relationships",
                    "derived_stages",
                    "encoded_ids",
                    "views",
                    "anchored_relationships",
                )
            },
            # Counted from the records themselves: a relationship stated twice (a
            # catalog's `parent` and `children`) is one record, written once.
            "fallback_relationships": by_type[FALLBACK_REL],
            **coverage,
        }
        return TransformResult(
            source=self.source,
            model={
                "format": self.model.get("format"),
                "model_id": self.model.get("model_id"),
                "name": self.model.get("name"),
                "documentation": self.model.get("documentation"),
                "language": self.model.get("language"),
                "properties": dict(self.model.get("properties", {})),
                "files": list(self.model.get("files", [])),
            },
            nodes=nodes,
            relationships=rels,
            warnings=self.warnings,
            counts=counts,
        )


# The ArchiMate relationship types (and access types) a propagation rule is declared for.
_RULED = frozenset(k.name for k in RELATIONSHIP_KINDS)


def _untyped(node: dict[str, Any]) -> bool:
    """Neither an operating-model type nor an ArchiMate one (as the memo counted it)."""
    held = node.get("held")
    if held is not None:
        return bool(held["counted"])
    return node["label"] == GENERIC and not node["props"].get(ARCHIMATE_TYPE.name)


def _without_rule(rel: dict[str, Any]) -> bool:
    held = rel.get("held")
    if held is not None:
        return bool(held["counted"])
    return not _has_rule(rel)


def _has_rule(rel: dict[str, Any]) -> bool:
    """Whether the questions know how a change travels along this relationship: every
    schema type has a rule; RELATED_TO has one when its ArchiMate type is declared."""
    if rel["type"] != FALLBACK_REL:
        return True
    kind = str(rel["props"].get("original_type") or "").lower()
    if kind == "access":
        kind = f"access:{rel['props'].get('access_type') or 'write'}".lower()
    return kind in _RULED


class Staged(NamedTuple):
    """A transform in steps (`transform_staged`)."""

    elements: list[dict[str, Any]]
    relationships: Iterator[Any]  # records, and runs of stored ones (`Carried`)
    finish: Callable[[list[dict[str, Any]]], TransformResult]


def _reasons(exc: ValidationError) -> dict[str, str]:
    """Why each field `exc` names was refused, as pydantic says it."""
    return {str(e["loc"][-1]): str(e["msg"]) for e in exc.errors() if len(e["loc"]) >= 2}


def _refused(exc: ValidationError, typed: dict[str, Scalar]) -> set[str]:
    """The typed fields among those `exc` refuses (field errors, not whole-record ones)."""
    return {str(e["loc"][-1]) for e in exc.errors() if len(e["loc"]) >= 2} & set(typed)


def transform_staged(
    model: RawModel,
    mapping: Mapping,
    *,
    source: str,
    run_id: str | None = None,
    memo: Memo | None = None,
) -> Staged:
    """The elements' node records now; the relationships as they are iterated; then
    `finish(every relationship record)` maps the views and gives the whole result.

    An import writes the elements while it maps the relationships, and writes those
    as they come. The steps must be taken once each, in that order. With `memo` (an
    empty one too), the rows carry their memo keys, and rows the memo holds are not
    mapped (see the module doc): only a comparison with what the memo came from may
    take such records.
    """
    if not source:
        raise ImportFailure("the import has no source key")
    transformer = _Transformer(model, mapping, source, run_id, memo)
    with _known_types():
        elements = transformer.elements()

    def relationships() -> Iterator[Any]:
        with _known_types():
            yield from transformer.relationships()

    def finish(rels: list[dict[str, Any]]) -> TransformResult:
        with _known_types():
            return transformer.result(elements, rels)

    return Staged(elements, relationships(), finish)


def transform(
    model: RawModel, mapping: Mapping, *, source: str, run_id: str | None = None
) -> TransformResult:
    """Map a parsed model to node and relationship records (validated; no database)."""
    staged = transform_staged(model, mapping, source=source, run_id=run_id)
    return staged.finish(list(staged.relationships))


@contextmanager
def _known_types() -> Iterator[None]:
    try:
        yield
    except UnknownTypeError as exc:  # pragma: no cover - mappings are checked on load
        raise ImportFailure(str(exc)) from exc
