"""Export the graph (or one source's subgraph): ArchiMate exchange XML, or JSON.

The exchange writer reads the import mapping backwards, so that importing what it writes
gives the same graph again:

* a node's ArchiMate type is its `archimate:type` (GenericElement: its original type);
  other nodes get the mapping's `export.elements` type. Where importing that type would
  not give the node's valuegraph type back, a `valuegraph:type` property says so;
* typed fields are written as `valuegraph:<field>` properties;
* a relationship's ArchiMate type and direction are the ones the mapping would read back
  as the same valuegraph type (`valuegraph:type` again where none does);
* ids are written as they are; one that is not an XML name the way Archi writes it
  (`id-` before a leading digit; other characters spelled out, `importers.identity`),
  plus a `valuegraph:id` property when importing that identifier would not give the id
  back; the model's identifier is the one it was imported with. Folders become
  organizations; views are drawn as they were imported (`importers.diagram_export`), or
  list the elements they show on a grid.

Elements and relationships are streamed from Neo4j and written as they come; folders,
property definitions and views (which the format puts after them) are kept until the end.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TextIO
from xml.sax.saxutils import escape, quoteattr

from graph.model import node_view, rel_view
from graph.schema import ARCHIMATE_TYPE, SCHEMA
from graph.store import GraphStore
from importers import cypher
from importers.diagram_export import DiagramWriter, carried_properties, layout_of
from importers.diagrams import DIAGRAM_KEY, Diagram
from importers.errors import ImportFailure
from importers.exchange import EXCHANGE_NS
from importers.identity import ARCHI_PREFIX, exchange_identifier
from importers.mapping import Mapping, load_mapping
from importers.raw import decode_folder
from importers.runs import list_runs
from importers.transform import GENERIC, VIEW_TYPE, element_label, relationship_type
from importers.xmlstream import XSI_NS

EXPORT_FORMATS = ("exchange", "json")
SCHEMA_LOCATION = f"{EXCHANGE_NS} http://www.opengroup.org/xsd/archimate/3.1/archimate3_Diagram.xsd"
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_CR = {"\r": "&#xD;"}
# Junction is Archi's name for what the exchange format splits into two types.
_NOT_EXCHANGE_TYPES = frozenset({"Junction"})


def _stream(store: GraphStore, query: str, **params: Any) -> Iterator[Any]:
    # No time limit of ours: an export of a large model takes what it takes.
    return store.stream(query, params, timeout=None)


def export_json(store: GraphStore, out: TextIO, *, source: str | None = None) -> dict[str, int]:
    """Nodes and relationships as one JSON document, written as they are read."""
    counts = {"nodes": 0, "relationships": 0}
    out.write('{"format": "valuegraph-graph", "version": 1, ')
    out.write(f'"source": {json.dumps(source)},\n"nodes": [')
    for i, rec in enumerate(_stream(store, cypher.EXPORT_NODES, source=source)):
        out.write(
            ("," if i else "")
            + "\n  "
            + json.dumps(node_view(rec["label"], dict(rec["props"])), sort_keys=True)
        )
        counts["nodes"] += 1
    out.write('\n],\n"relationships": [')
    for i, rec in enumerate(_stream(store, cypher.EXPORT_RELATIONSHIPS, source=source)):
        view = rel_view(rec["type"], dict(rec["props"]), rec["source"], rec["target"])
        out.write(("," if i else "") + "\n  " + json.dumps(view, sort_keys=True))
        counts["relationships"] += 1
    out.write("\n]}\n")
    return counts


class ExportFailure(ImportFailure):
    """The graph holds text the exchange format cannot carry; nothing is dropped silently."""


class _Unwritable(ValueError):
    """A character XML 1.0 cannot carry, not even as a character reference."""


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    bad = _XML_BAD.search(text)
    if bad:
        raise _Unwritable(f"U+{ord(bad.group()):04X}")
    return text


def _xml(value: Any) -> str:
    """Element text: escaped, with carriage returns as references, which a parser keeps
    (a literal CR, or CR LF, is read back as a line feed)."""
    return escape(_text(value), _CR)


@contextmanager
def _about(what: str) -> Iterator[None]:
    """Name the item whose text cannot be written."""
    try:
        yield
    except _Unwritable as exc:
        raise ExportFailure(
            f"{what} holds the control character {exc}, which XML cannot carry; "
            "nothing was left out silently, so the export stops",
            hint="edit the text to remove the character (it was written through the API: "
            "the importers refuse it), then export again",
        ) from exc


@dataclass
class _PropDefs:
    ids: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, set[str]] = field(default_factory=dict)

    def ref(self, key: str, value: Any) -> str:
        if key not in self.ids:
            self.ids[key] = f"propid-{len(self.ids) + 1}"
            self.kinds[key] = set()
        kind = (
            "boolean"
            if isinstance(value, bool)
            else ("number" if isinstance(value, int | float) else "string")
        )
        self.kinds[key].add(kind)
        return self.ids[key]

    def kind(self, key: str) -> str:
        kinds = self.kinds[key]
        return next(iter(kinds)) if len(kinds) == 1 else "string"


@dataclass
class _Folder:
    children: dict[str, _Folder] = field(default_factory=dict)
    items: list[str] = field(default_factory=list)


class ExchangeWriter:
    def __init__(
        self, out: TextIO, mapping: Mapping, language: str, reserved: frozenset[str] = frozenset()
    ) -> None:
        self.out = out
        self.mapping = mapping
        self.ns = mapping.reserved
        self.prefix = mapping.field_prefix
        self.lang = language
        self.idents: dict[str, str] = {}
        self.rel_idents: dict[str, str] = {}
        self.used: set[str] = set()  # identifiers written: each once in a file
        self.reserved = reserved  # graph ids written as they are (`spelled_alike`)
        self.propdefs = _PropDefs()
        self.folders = _Folder()
        self.views: list[dict[str, Any]] = []
        self.rel_ends: dict[str, tuple[str, str]] = {}
        self.labels: dict[str, str] = {}
        self.counts = {"elements": 0, "relationships": 0, "views": 0}
        self.taken: set[str] | None = None  # identifiers in the file, for drawn views
        self.view_names: dict[str, str] = {}
        known = set(mapping.elements) - _NOT_EXCHANGE_TYPES
        self.element_types = known
        self.relationship_types = set(mapping.relationships)

    # -- helpers ----------------------------------------------------------------------

    def w(self, text: str) -> None:
        self.out.write(text)

    def ident(
        self, graph_id: str, props: dict[str, Any], extra: dict[str, Any], *, rel: bool = False
    ) -> str:
        """The XML identifier for a graph id (`exchange_identifier`; the file's own id
        when the graph holds it encoded), with a `valuegraph:id` property when importing
        the identifier would not give the graph id back."""
        original = props.get(f"{self.ns}id")
        base = original if isinstance(original, str) and original else graph_id
        spelled = ident = exchange_identifier(base)
        n = 1
        # Two ids spelled alike ("1234" beside "id-1234"): the one that is its own
        # identifier keeps it, the other is numbered.
        while ident in self.used or (ident != graph_id and ident in self.reserved):
            n += 1
            ident = f"{spelled}-{n}"
        self.used.add(ident)
        # Read back, an identifier (an XML name: no leading digit) is the graph id as it
        # is, or, when it is the file's own id, encoded into the same graph id again.
        if ident != graph_id and ident != original:
            extra[f"{self.prefix}id"] = graph_id
        if isinstance(original, str) and ident != original:
            # Not the identifier this time, so keep it as a plain property.
            extra[f"{self.ns}id"] = original
        (self.rel_idents if rel else self.idents)[graph_id] = ident
        return ident

    def texts(self, tag: str, primary: str, props: dict[str, Any], key: str, indent: str) -> None:
        lang = props.get(f"{self.ns}lang") or self.lang
        if primary:
            self.w(f"{indent}<{tag} xml:lang={quoteattr(str(lang))}>{_xml(primary)}</{tag}>\n")
        for k, v in props.items():
            if k.startswith(f"{self.ns}{key}@"):
                other = k.split("@", 1)[1]
                attr = f" xml:lang={quoteattr(other)}" if other else ""
                self.w(f"{indent}<{tag}{attr}>{_xml(v)}</{tag}>\n")

    _CONSUMED = (
        "type",
        "folder",
        "lang",
        "accessType",
        "modifier",
        "isDirected",
        "elements",
        "relationships",
        "viewpoint",
        "viewType",
        DIAGRAM_KEY,
        "name",
        "documentation",
        "fullName",
        "fullDocumentation",
    )

    def consumed(self, key: str) -> bool:
        if not key.startswith(self.ns):
            return False
        rest = key[len(self.ns) :]
        return rest in self._CONSUMED or rest.startswith(("name@", "documentation@"))

    def exported(self, free: dict[str, Any], extra: dict[str, Any]) -> list[tuple[str, Any]]:
        """The properties to write: free ones the format does not carry otherwise, plus extra.

        archimate:id is carried by the identifier, unless `extra` puts it back.
        """
        items = {
            k: v
            for k, v in free.items()
            if v is not None and not self.consumed(k) and k != f"{self.ns}id"
        }
        items.update(extra)
        return list(items.items())

    def properties(self, items: list[tuple[str, Any]], indent: str) -> None:
        if not items:
            return
        self.w(f"{indent}<properties>\n")
        for key, value in items:
            ref = self.propdefs.ref(key, value)
            self.w(
                f"{indent}  <property propertyDefinitionRef={quoteattr(ref)}>"
                f"<value xml:lang={quoteattr(self.lang)}>{_xml(value)}</value></property>\n"
            )
        self.w(f"{indent}</properties>\n")

    def file_in(self, props: dict[str, Any], ident: str) -> None:
        folder = props.get(f"{self.ns}folder")
        if not isinstance(folder, str) or not folder:
            return
        node = self.folders
        for name in decode_folder(folder):
            node = node.children.setdefault(name, _Folder())
        node.items.append(ident)

    # -- elements ---------------------------------------------------------------------

    def element_type(
        self, view: dict[str, Any], free: dict[str, Any], extra: dict[str, Any]
    ) -> str:
        label = view["type"]
        node = SCHEMA.node(label)
        # The ArchiMate type kept as a field (and, from imports, as `archimate:type`).
        given = free.get(f"{self.ns}type") or view.get(ARCHIMATE_TYPE.name)
        if label == GENERIC:
            original = str(view.get("original_type") or "")
            if original in self.element_types:
                chosen = original
            elif original == "Junction":
                # Archi's one junction type is the exchange format's two.
                junction = free.get(f"{self.ns}junctionType")
                chosen = "OrJunction" if junction == "or" else "AndJunction"
                extra[f"{self.prefix}original_type"] = original
            else:
                extra[f"{self.prefix}original_type"] = original
                exp = self.mapping.export.elements.get(GENERIC)
                chosen = exp.type if exp else "Grouping"
        elif isinstance(given, str) and given in self.element_types:
            chosen = given
        else:
            exp = self.mapping.export.elements.get(label)
            chosen = exp.type if exp else "Grouping"
            if exp:
                for fname, choices in exp.by_field.items():
                    value = view.get(fname)
                    if value is not None and str(value) in choices:
                        chosen = choices[str(value)]
        if not view.get(ARCHIMATE_TYPE.name):
            # Made in valuegraph, not drawn in ArchiMate: an empty value says so, and the
            # import leaves the element without an ArchiMate type, as it was.
            extra[f"{self.prefix}{ARCHIMATE_TYPE.name}"] = ""
        for prop in node.props:
            if prop.name == ARCHIMATE_TYPE.name:
                continue  # written as the element's type itself
            if view.get(prop.name) is not None and label != GENERIC:
                extra[f"{self.prefix}{prop.name}"] = view[prop.name]
        if view.get("tags"):
            extra[f"{self.prefix}tags"] = json.dumps(view["tags"])
        folder = decode_folder(str(free.get(f"{self.ns}folder") or ""))
        name = str(view.get("name") or "")
        if element_label(self.mapping, chosen, {**free, **extra}, folder, name) != label:
            extra[f"{self.prefix}type"] = label
        return chosen

    def element(self, view: dict[str, Any]) -> None:
        free: dict[str, Any] = dict(view.get("properties") or {})
        extra: dict[str, Any] = {}
        if view["type"] == GENERIC and view.get("original_type") == VIEW_TYPE:
            # Views go last in the file, but their folder and property keys are
            # written before them: note those now.
            ident = self.ident(view["id"], free, extra)
            self.file_in(free, ident)
            view["_diagram"] = layout_of(free, f"{self.ns}{DIAGRAM_KEY}")
            extra.update(carried_properties(view["_diagram"], self.prefix))
            view["_extra"] = extra
            for key, value in self.exported(free, extra):
                self.propdefs.ref(key, value)
            self.views.append(view)
            return
        ident = self.ident(view["id"], free, extra)
        xsi = self.element_type(view, free, extra)
        self.labels[view["id"]] = view["type"]
        self.file_in(free, ident)
        self.w(f"    <element identifier={quoteattr(ident)} xsi:type={quoteattr(xsi)}>\n")
        name = free.get(f"{self.ns}fullName") or view.get("name") or ""
        self.texts("name", str(name), free, "name", "      ")
        doc = free.get(f"{self.ns}fullDocumentation") or view.get("description") or ""
        self.texts("documentation", str(doc), free, "documentation", "      ")
        self.properties(self.exported(free, extra), "      ")
        self.w("    </element>\n")
        self.counts["elements"] += 1

    # -- relationships ------------------------------------------------------------------

    def relationship_form(
        self, view: dict[str, Any], free: dict[str, Any], extra: dict[str, Any]
    ) -> tuple[str, str, str, str | None]:
        """(xsi:type, xml source id, xml target id, access type) for a relationship."""
        rel_type, a, b = view["type"], view["source"], view["target"]
        la, lb = self.labels.get(a, GENERIC), self.labels.get(b, GENERIC)
        access = free.get(f"{self.ns}accessType")
        access = str(access) if access else None
        rel = SCHEMA.rel(rel_type)
        for prop in rel.props:
            if view.get(prop.name) is not None:
                extra[f"{self.prefix}{prop.name}"] = view[prop.name]
        if rel_type == "RELATED_TO":
            original = str(view.get("original_type") or "")
            extra.pop(f"{self.prefix}original_type", None)
            extra.pop(f"{self.prefix}access_type", None)
            if original not in self.relationship_types:
                extra[f"{self.prefix}original_type"] = original
                original = "Association"
            if original == "Access" and access is None and view.get("access_type"):
                access = {"read": "Read", "write": "Write", "readwrite": "ReadWrite"}.get(
                    str(view["access_type"]), "Access"
                )
            elif view.get("access_type") and original != "Access":
                extra[f"{self.prefix}access_type"] = view["access_type"]
            got = relationship_type(self.mapping, original, access, la, lb, {**free, **extra})
            if got[0] != rel_type:
                extra[f"{self.prefix}type"] = rel_type
            return original, a, b, access
        candidates: list[str] = []
        given = free.get(f"{self.ns}type")
        if isinstance(given, str) and given in self.relationship_types:
            candidates.append(given)
        candidates += [t for t in self.mapping.relationships if t not in candidates]
        for xsi in candidates:
            for cand in self.mapping.relationships[xsi]:
                if cand.type != rel_type:
                    continue
                acc = access
                if cand.access is not None and (acc or "") not in cand.access:
                    if xsi == given:
                        continue
                    acc = cand.access[0]
                src, dst = (b, a) if cand.reverse else (a, b)
                ls, ld = self.labels.get(src, GENERIC), self.labels.get(dst, GENERIC)
                got = relationship_type(self.mapping, xsi, acc, ls, ld, {**free, **extra})
                if got[0] == rel_type and got[1] == cand.reverse:
                    return xsi, src, dst, acc
        extra[f"{self.prefix}type"] = rel_type
        xsi = (
            given if isinstance(given, str) and given in self.relationship_types else "Association"
        )
        return xsi, a, b, access if xsi == "Access" else None

    def on_relationship(self, view: dict[str, Any]) -> bool:
        """Whether the relationship was imported with a relationship at one end (kept
        attached to that relationship's source, its id in `archimate:<end>Relationship`)."""
        props = view.get("properties") or {}
        return any(f"{self.ns}{end}Relationship" in props for end in ("source", "target"))

    def relationship(self, view: dict[str, Any]) -> None:
        free: dict[str, Any] = dict(view.get("properties") or {})
        extra: dict[str, Any] = {}
        ident = self.ident(view["id"], free, extra, rel=True)
        xsi, src, dst, access = self.relationship_form(view, free, extra)
        ends = {"source": self.idents.get(src, src), "target": self.idents.get(dst, dst)}
        for end in ends:
            # Its end was a relationship: name that one again when it is in the file.
            ref = free.get(f"{self.ns}{end}Relationship")
            if isinstance(ref, str) and ref in self.rel_idents:
                ends[end] = self.rel_idents[ref]
                del free[f"{self.ns}{end}Relationship"]
        self.rel_ends[view["id"]] = (ends["source"], ends["target"])
        self.file_in(free, ident)
        attrs = (
            f"identifier={quoteattr(ident)} source={quoteattr(ends['source'])} "
            f"target={quoteattr(ends['target'])} xsi:type={quoteattr(xsi)}"
        )
        if xsi == "Access" and access:
            attrs += f" accessType={quoteattr(access)}"
        if xsi == "Influence" and free.get(f"{self.ns}modifier") is not None:
            attrs += f" modifier={quoteattr(_text(free[f'{self.ns}modifier']))}"
        if xsi == "Association" and free.get(f"{self.ns}isDirected") is not None:
            attrs += f" isDirected={quoteattr(_text(bool(free[f'{self.ns}isDirected'])))}"
        self.w(f"    <relationship {attrs}>\n")
        name = free.get(f"{self.ns}name")
        if name:
            self.w(f"      <name xml:lang={quoteattr(self.lang)}>{_xml(name)}</name>\n")
        doc = free.get(f"{self.ns}documentation")
        if doc:
            self.w(
                f"      <documentation xml:lang={quoteattr(self.lang)}>"
                f"{_xml(doc)}</documentation>\n"
            )
        self.properties(self.exported(free, extra), "      ")
        self.w("    </relationship>\n")
        self.counts["relationships"] += 1

    # -- the end of the file ---------------------------------------------------------------

    def organizations(self) -> None:
        if not self.folders.children:
            return

        def item(name: str, folder: _Folder, indent: str) -> None:
            self.w(
                f"{indent}<item>\n{indent}  <label xml:lang={quoteattr(self.lang)}>{_xml(name)}</label>\n"
            )
            for child_name, child in folder.children.items():
                item(child_name, child, indent + "  ")
            for ref in folder.items:
                self.w(f"{indent}  <item identifierRef={quoteattr(ref)}/>\n")
            self.w(f"{indent}</item>\n")

        self.w("  <organizations>\n")
        for name, folder in self.folders.children.items():
            item(name, folder, "    ")
        self.w("  </organizations>\n")

    def write_views(self) -> None:
        if not self.views:
            return
        self.w("  <views>\n    <diagrams>\n")
        for view in self.views:
            free: dict[str, Any] = dict(view.get("properties") or {})
            ident = self.idents[view["id"]]
            viewpoint = free.get(f"{self.ns}viewpoint")
            vp = f" viewpoint={quoteattr(str(viewpoint))}" if viewpoint else ""
            self.w(f'      <view identifier={quoteattr(ident)} xsi:type="Diagram"{vp}>\n')
            self.texts("name", str(view.get("name") or ""), free, "name", "        ")
            self.texts(
                "documentation",
                str(view.get("description") or ""),
                free,
                "documentation",
                "        ",
            )
            self.properties(self.exported(free, view["_extra"]), "        ")
            if view["_diagram"] is not None:
                self.diagram(view["_diagram"], ident)
                self.w("      </view>\n")
                self.counts["views"] += 1
                continue
            nodes: dict[str, str] = {}
            for i, element in enumerate(str(free.get(f"{self.ns}elements") or "").split()):
                ref = self.idents.get(element)
                if ref is None or ref in nodes:
                    continue
                node_id = f"{ident}-n{i + 1}"
                nodes[ref] = node_id
                x, y = 20 + (i % 6) * 160, 20 + (i // 6) * 90
                self.w(
                    f"        <node identifier={quoteattr(node_id)} elementRef={quoteattr(ref)} "
                    f'xsi:type="Element" x="{x}" y="{y}" w="120" h="55"/>\n'
                )
            for j, rel in enumerate(str(free.get(f"{self.ns}relationships") or "").split()):
                ends = self.rel_ends.get(rel)
                if ends is None or ends[0] not in nodes or ends[1] not in nodes:
                    continue
                self.w(
                    f"        <connection identifier={quoteattr(f'{ident}-c{j + 1}')} "
                    f'relationshipRef={quoteattr(self.rel_idents[rel])} xsi:type="Relationship" '
                    f"source={quoteattr(nodes[ends[0]])} target={quoteattr(nodes[ends[1]])}/>\n"
                )
            self.w("      </view>\n")
            self.counts["views"] += 1
        self.w("    </diagrams>\n  </views>\n")

    def diagram(self, diagram: Diagram, view_ident: str) -> None:
        """The view as it was drawn (nodes, nesting, styles, connections, bendpoints)."""
        if self.taken is None:
            self.taken = {*self.idents.values(), *self.rel_idents.values()}
            self.view_names = {v["id"]: str(v.get("name") or "") for v in self.views}
        views = self.view_names
        DiagramWriter(
            self.w,
            text=_xml,
            lang=self.lang,
            element=lambda ref: self.idents.get(ref) if ref in self.labels else None,
            relationship=self.rel_idents.get,
            view=lambda ref: self.idents[ref] if ref in views else None,
            view_name=lambda ref: views.get(ref, ""),
            taken=self.taken,
        ).write(diagram, view_ident, "        ")

    def property_definitions(self) -> None:
        if not self.propdefs.ids:
            return
        self.w("  <propertyDefinitions>\n")
        for key, ref in self.propdefs.ids.items():
            self.w(
                f"    <propertyDefinition identifier={quoteattr(ref)} "
                f"type={quoteattr(self.propdefs.kind(key))}>\n"
                f"      <name xml:lang={quoteattr(self.lang)}>{_xml(key)}</name>\n"
                "    </propertyDefinition>\n"
            )
        self.w("  </propertyDefinitions>\n")


def spelled_alike(store: GraphStore, source: str | None) -> frozenset[str]:
    """The exported node ids another id could be spelled as (`exchange_identifier` writes
    `id-…`, or `_XX_` for a character): each keeps its own identifier."""
    return frozenset(
        ident
        for rec in _stream(store, cypher.EXPORT_NODE_IDS, source=source)
        if (ident := rec["id"]).startswith(ARCHI_PREFIX) or "_" in ident
    )


def export_exchange(
    store: GraphStore,
    out: TextIO,
    *,
    source: str | None = None,
    mapping: Mapping | None = None,
) -> dict[str, int]:
    """Write an Open Group exchange file (3.1 schema) of the graph or of one source."""
    mapping = mapping or load_mapping("archimate")
    runs = list_runs(store, source=source, limit=1) if source else []
    run = runs[0] if runs else None
    # The identifier the model was imported with (its source key's, else), written as
    # Archi writes it, so importing the file gives the same source key again.
    model_id = (run or {}).get("model_id") or ""
    if not model_id and source and source.startswith(mapping.reserved):
        model_id = source[len(mapping.reserved) :]
    model_id = exchange_identifier(model_id) if model_id else "id-valuegraph-export"
    language = (run or {}).get("model_language") or mapping.language or "en"
    writer = ExchangeWriter(out, mapping, language, spelled_alike(store, source))
    name = (run or {}).get("model_name") or source or "valuegraph"
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(
        f"<model xmlns={quoteattr(EXCHANGE_NS)} xmlns:xsi={quoteattr(XSI_NS)} "
        f"xsi:schemaLocation={quoteattr(SCHEMA_LOCATION)} identifier={quoteattr(model_id)}>\n"
    )
    with _about("the model's name, documentation or a property"):
        out.write(f"  <name xml:lang={quoteattr(language)}>{_xml(name)}</name>\n")
        doc = (run or {}).get("model_documentation")
        if doc:
            out.write(
                f"  <documentation xml:lang={quoteattr(language)}>{_xml(doc)}</documentation>\n"
            )
        writer.properties(list(((run or {}).get("model_properties") or {}).items()), "  ")
    out.write("  <elements>\n")
    for rec in _stream(store, cypher.EXPORT_NODES, source=source):
        node = node_view(rec["label"], dict(rec["props"]))
        with _about(f"element {node['id']!r}"):
            writer.element(node)
    out.write("  </elements>\n  <relationships>\n")
    # A relationship whose end was another relationship goes last, once every
    # relationship's identifier is known, so it can name that relationship again.
    later: list[dict[str, Any]] = []
    for rec in _stream(store, cypher.EXPORT_RELATIONSHIPS, source=source):
        view = rel_view(rec["type"], dict(rec["props"]), rec["source"], rec["target"])
        if view["source"] in writer.labels and view["target"] in writer.labels:
            if writer.on_relationship(view):
                later.append(view)
                continue
            with _about(f"relationship {view['id']!r}"):
                writer.relationship(view)
    for view in later:
        with _about(f"relationship {view['id']!r}"):
            writer.relationship(view)
    out.write("  </relationships>\n")
    with _about("a folder name, property key or view"):
        writer.organizations()
        writer.property_definitions()
        writer.write_views()
    out.write("</model>\n")
    return writer.counts
