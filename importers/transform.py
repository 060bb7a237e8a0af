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
5. keep views as GenericElement nodes listing the ids they show;
6. validate everything with the schema's models (`NODE_ADAPTER` / `REL_ADAPTER`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from typing import Any, TypedDict

from pydantic import ValidationError

from graph.model import NODE_ADAPTER, REL_ADAPTER, node_record, rel_id, rel_record, valid_id
from graph.schema import SCHEMA, Prop, PropKind, UnknownTypeError
from importers.errors import ImportFailure, ReportWarning
from importers.mapping import Mapping, RelCandidate
from importers.raw import (
    RawElement,
    RawModel,
    RawRelationship,
    RawView,
    Scalar,
    encode_folder,
)

GENERIC = "GenericElement"
FALLBACK_REL = "RELATED_TO"
VIEW_TYPE = "View"
MAX_NAME = 500
MAX_DESCRIPTION = 20_000
_ID_CHARS = re.compile(r"[^A-Za-z0-9_.:\-@/]")


class TransformResult(TypedDict):
    source: str
    model: dict[str, Any]
    nodes: list[dict[str, Any]]
    relationships: list[dict[str, Any]]
    warnings: list[ReportWarning]
    counts: dict[str, Any]


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
    mapping: Mapping, raw_type: str, props: dict[str, Scalar], folder: list[str]
) -> str | None:
    """The node type an element maps to; None when the mapping does not know its type."""
    forced = props.get(f"{mapping.field_prefix}type")
    if isinstance(forced, str) and forced in SCHEMA.labels:
        return forced
    emap = mapping.elements.get(raw_type)
    if emap is None:
        return None
    for rule in emap.rules:
        if rule.matches(folder, props):
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


class _Transformer:
    def __init__(self, model: RawModel, mapping: Mapping, source: str, run_id: str | None) -> None:
        self.model = model
        self.mapping = mapping
        self.ns = mapping.reserved
        self.prefix = mapping.field_prefix
        self.source = source
        self.run_id = run_id
        self.warnings: list[ReportWarning] = list(model.get("warnings", []))
        self.ids: dict[str, str] = {}
        self.rel_ids: dict[str, str] = {}
        self.labels: dict[str, str] = {}
        self.derived: dict[str, dict[str, Scalar]] = defaultdict(dict)
        self.forced: set[str] = set()
        self.counts: Counter[str] = Counter()
        self.unknown_rels: list[RawRelationship] = []
        self.kept_rels: dict[str, str] = {}

    def warn(self, code: str, message: str, raw: Any = None) -> None:
        raw = raw or {}
        self.warnings.append(
            ReportWarning(
                code, message, file=raw.get("file"), line=raw.get("line"), subject=raw.get("id")
            )
        )

    # -- 1. ids ----------------------------------------------------------------------

    def check_ids(self) -> None:
        seen: dict[str, Any] = {}
        dupes: list[dict[str, Any]] = []
        items: list[Any] = [
            *self.model.get("elements", []),
            *self.model.get("views", []),
            *self.model.get("relationships", []),
        ]
        for raw in items:
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
        encoded: dict[tuple[str, str], str] = {}
        n_nodes = len(items) - len(self.model.get("relationships", []))
        for i, raw in enumerate(items):
            rid = raw.get("id")
            if not rid:
                continue
            given = raw.get("properties", {}).get(f"{self.prefix}id")
            ext = given if isinstance(given, str) and valid_id(given) else external_id(rid)
            if given is None and ext != rid:
                self.counts["encoded_ids"] += 1
                self.warn(
                    "id-encoded",
                    f"id {rid!r} has characters valuegraph ids cannot hold; stored as {ext!r} "
                    f"(the original is kept in the {self.ns}id property)",
                    raw,
                )
            kind = "relationship" if i >= n_nodes else "node"
            if (kind, ext) in encoded:
                raise ImportFailure(
                    f"ids {encoded[kind, ext]!r} and {rid!r} both become {kind} id {ext!r}",
                    file=raw.get("file"),
                    line=raw.get("line"),
                    hint=f"give one of them another id (or another {self.prefix}id property)",
                )
            encoded[kind, ext] = rid
            if i >= n_nodes:
                self.rel_ids[rid] = ext
            else:
                self.ids[rid] = ext

    # -- 2. and 3. node types ---------------------------------------------------------

    def map_types(self) -> None:
        unknown: list[RawElement] = []
        for raw in self.model.get("elements", []):
            props = raw.get("properties", {})
            forced = props.get(f"{self.prefix}type")
            label = element_label(self.mapping, raw["type"], props, raw.get("folder", []))
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

    def derive_stages(self) -> None:
        cfg = self.mapping.value_stream_stages
        if not cfg.enabled:
            return
        streams = {
            i for i, label in self.labels.items() if label == "ValueStream" and i not in self.forced
        }
        parent: dict[str, str] = {}
        for raw in self.model.get("relationships", []):
            if raw["type"] not in cfg.parent_relationships:
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
        chain = [
            (raw.get("source", ""), raw.get("target", ""))
            for raw in self.model.get("relationships", [])
            if raw["type"] in cfg.order_relationships
        ]
        for par, kids in children.items():
            ordered, cyclic = _toposort(kids, chain)
            if cyclic:
                self.warn(
                    "stage-cycle",
                    f"the stages of value stream {par!r} are chained in a cycle; "
                    "file order was used where the chain loops",
                    {"id": par},
                )
            for position, child in enumerate(ordered, start=1):
                self.labels[child] = "Stage"
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
        for key, value in props.items():
            if not key.startswith(self.prefix):
                free[key] = value
                continue
            name = key[len(self.prefix) :]
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
        return free

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
        name = " ".join((raw.get("name") or "").split()) or fallback
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
            return NODE_ADAPTER.validate_python({**data, **typed})
        except ValidationError as exc:
            bad = {str(e["loc"][-1]) for e in exc.errors() if len(e["loc"]) >= 2}
            movable = bad & set(typed)
            if not movable or "original_type" in movable:
                raise self.invalid(exc, raw) from exc
            for name in sorted(movable):
                self.warn(
                    "bad-field",
                    f"{name} = {typed[name]!r} is not valid for {data['type']}; "
                    f"kept as free property {self.prefix}{name}",
                    raw,
                )
                data["properties"][f"{self.prefix}{name}"] = typed.pop(name)
            try:
                return NODE_ADAPTER.validate_python({**data, **typed})
            except ValidationError as exc2:
                raise self.invalid(exc2, raw) from exc2

    def invalid(self, exc: ValidationError, raw: Any) -> ImportFailure:
        parts = [f"{'.'.join(str(x) for x in e['loc'][1:])}: {e['msg']}" for e in exc.errors()]
        return ImportFailure(
            f"{raw.get('id')!r} cannot be stored: {'; '.join(parts[:3])}",
            file=raw.get("file"),
            line=raw.get("line"),
            hint="fix the value in the model (or the mapping) and import again",
        )

    def node(self, raw: RawElement) -> dict[str, Any]:
        label = self.labels[raw["id"]]
        node_type = SCHEMA.node(label)
        fields = {p.name: p for p in node_type.props}
        typed: dict[str, Scalar] = {}
        emap = self.mapping.elements.get(raw["type"])
        if emap is not None and emap.type == label:
            typed.update(emap.set)
        typed.update(self.derived.get(raw["id"], {}))
        free = self.typed_and_free(raw.get("properties", {}), fields, typed, raw)
        self.add_extra(free, dict(raw.get("extra", {})), raw)
        if label == GENERIC:
            typed.setdefault("original_type", raw["type"])
        else:
            free[f"{self.ns}type"] = raw["type"]
        if raw.get("folder"):
            free[f"{self.ns}folder"] = encode_folder(raw["folder"])
        if self.ids[raw["id"]] != raw["id"] and f"{self.prefix}id" not in raw.get("properties", {}):
            free[f"{self.ns}id"] = raw["id"]
        name, doc = self.text_fields(raw, free, raw["type"])
        data: dict[str, Any] = {
            "type": label,
            "id": self.ids[raw["id"]],
            "name": name,
            "description": doc,
            "tags": self.tags(raw, free),
            "properties": free,
        }
        model = self.validated_node(data, typed, raw)
        record = node_record(model, source=self.source, run=self.run_id)
        if label == GENERIC:
            self.counts["unmapped_elements"] += 1
        return record.model_dump()

    def tags(self, raw: RawElement, free: dict[str, Scalar]) -> list[str]:
        """The element's tags; ArchiMate has none, so exports carry them as a JSON list."""
        tags = list(raw.get("tags", []))
        given = raw.get("properties", {}).get(f"{self.prefix}tags")
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
        if raw.get("folder"):
            free[f"{self.ns}folder"] = encode_folder(raw["folder"])
        if self.ids[raw["id"]] != raw["id"] and f"{self.prefix}id" not in raw.get("properties", {}):
            free[f"{self.ns}id"] = raw["id"]
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
        return node_record(model, source=self.source, run=self.run_id).model_dump()

    # -- 4. relationships ----------------------------------------------------------------

    def relationship(self, raw: RawRelationship) -> dict[str, Any] | None:
        ends = []
        for end in ("source", "target"):
            ref = raw.get(end) or ""
            if ref in self.labels:
                ends.append(ref)
                continue
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
            return None
        src, dst = ends
        props = raw.get("properties", {})
        access = raw.get("access")
        if raw["type"] not in self.mapping.relationships and (f"{self.prefix}type" not in props):
            if self.mapping.unknown_types == "error":
                self.unknown_rels.append(raw)
                return None
            self.warn(
                "unknown-type",
                f"relationship type {raw['type']!r} is not in the mapping; kept as "
                f"{FALLBACK_REL} with its original type",
                raw,
            )
        rel_type, reverse, cand = relationship_type(
            self.mapping, raw["type"], access, self.labels[src], self.labels[dst], props
        )
        rel = SCHEMA.rel(rel_type)
        fields = {p.name: p for p in rel.props}
        typed: dict[str, Scalar] = dict(cand.set) if cand else {}
        free = self.typed_and_free(props, fields, typed, raw)
        self.add_extra(free, dict(raw.get("extra", {})), raw)
        if rel_type == FALLBACK_REL:
            typed.setdefault("original_type", raw["type"])
            if access:
                typed.setdefault("access_type", access.lower())
            self.counts["fallback_relationships"] += 1
        else:
            free[f"{self.ns}type"] = raw["type"]
        if raw.get("folder"):
            free[f"{self.ns}folder"] = encode_folder(raw["folder"])
        name = " ".join((raw.get("name") or "").split())
        if name:
            free[f"{self.ns}name"] = name
        if raw.get("documentation"):
            free[f"{self.ns}documentation"] = (raw.get("documentation") or "").strip()
        rid = raw.get("id")
        ext = self.rel_ids.get(rid) if rid else None
        if rid and ext != rid and f"{self.prefix}id" not in props:
            free[f"{self.ns}id"] = rid
        a, b = (self.ids[dst], self.ids[src]) if reverse else (self.ids[src], self.ids[dst])
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
            model = REL_ADAPTER.validate_python(data)
        except ValidationError as exc:
            bad = {str(e["loc"][-1]) for e in exc.errors() if len(e["loc"]) >= 2} & set(typed)
            bad.discard("original_type")
            if not bad:
                raise self.invalid(exc, raw) from exc
            for field in sorted(bad):
                self.warn(
                    "bad-field",
                    f"{field} = {typed[field]!r} is not valid for {rel_type}; kept as free "
                    f"property {self.prefix}{field}",
                    raw,
                )
                free[f"{self.prefix}{field}"] = data.pop(field)
            try:
                model = REL_ADAPTER.validate_python(data)
            except ValidationError as exc2:
                raise self.invalid(exc2, raw) from exc2
        record = rel_record(model, source=self.source, run=self.run_id)
        if not rid and rel_type == FALLBACK_REL:
            # Generated ids name the type; two different unmapped relations between the
            # same ends must not collapse into one.
            record.id = rel_id(a, f"{FALLBACK_REL}:{raw['type']}", b)
        if rid:
            self.kept_rels[rid] = record.id
        return record.model_dump()

    # -- all --------------------------------------------------------------------------

    def run(self) -> TransformResult:
        self.check_ids()
        self.map_types()
        nodes = [self.node(raw) for raw in self.model.get("elements", [])]
        rels: list[dict[str, Any]] = []
        seen_generated: set[str] = set()
        for raw in self.model.get("relationships", []):
            rel = self.relationship(raw)
            if rel is None:
                continue
            if not raw.get("id"):
                # Generated ids (catalog relations): the same fact stated twice is one.
                if rel["id"] in seen_generated:
                    continue
                seen_generated.add(rel["id"])
            rels.append(rel)
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
        nodes += [self.view(raw) for raw in self.model.get("views", [])]
        counts: dict[str, Any] = {
            "nodes": dict(sorted(Counter(n["label"] for n in nodes).items())),
            "relationships": dict(sorted(Counter(r["type"] for r in rels).items())),
            "elements_in_file": len(self.model.get("elements", [])),
            "relationships_in_file": len(self.model.get("relationships", [])),
            "views_in_file": len(self.model.get("views", [])),
            **{
                k: self.counts[k]
                for k in (
                    "unmapped_elements",
                    "fallback_relationships",
                    "skipped_relationships",
                    "derived_stages",
                    "encoded_ids",
                    "views",
                )
            },
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


def transform(
    model: RawModel, mapping: Mapping, *, source: str, run_id: str | None = None
) -> TransformResult:
    """Map a parsed model to node and relationship records (validated; no database)."""
    if not source:
        raise ImportFailure("the import has no source key")
    try:
        return _Transformer(model, mapping, source, run_id).run()
    except UnknownTypeError as exc:  # pragma: no cover - mappings are checked on load
        raise ImportFailure(str(exc)) from exc
