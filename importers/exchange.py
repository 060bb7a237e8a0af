"""The Open Group ArchiMate Model Exchange File Format (3.0, 3.1, 3.2): read, streaming.

Structure read (namespace http://www.opengroup.org/xsd/archimate/3.0/, which 3.1 and 3.2
files keep):

    model@identifier  name*  documentation*  properties
      elements/element@identifier@xsi:type      name* documentation* properties
      relationships/relationship@identifier@source@target@xsi:type
                          (@accessType on Access, default "Access"; @modifier on Influence,
                           @isDirected on Association)
      organizations/item  (label*, item@identifierRef, nested items = folders)
      propertyDefinitions/propertyDefinition@identifier  name
      views/diagrams/view@identifier@viewpoint  name*  node@elementRef …
                                                connection@relationshipRef

`name*` / `documentation*`: one per `xml:lang`. Property definitions come after the
elements in the file, so property names are resolved once the file has been read.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from pathlib import Path
from xml.etree.ElementTree import Element

from importers.diagrams import parse_exchange_diagram, read_layout
from importers.errors import ImportFailure, ReportWarning
from importers.identity import archimate_source
from importers.raw import (
    RawElement,
    RawModel,
    RawRelationship,
    RawView,
    Scalar,
    add_property,
    new_model,
)
from importers.xmlstream import (
    XML_LANG,
    Block,
    Known,
    Runs,
    Spans,
    iter_xml,
    line_of,
    local,
    namespace,
    xsi_type,
)

EXCHANGE_NS = "http://www.opengroup.org/xsd/archimate/3.0/"
ACCEPTED_NS = (
    EXCHANGE_NS,
    "http://www.opengroup.org/xsd/archimate/3.1/",
    "http://www.opengroup.org/xsd/archimate/3.2/",
)
ARCHI_NS = "http://www.archimatetool.com/archimate"
# The namespace of early Archi versions, which Archi still opens.
ARCHI_LEGACY_NS = "http://www.bolton.ac.uk/archimate"
NS = "archimate:"


def pick_language(
    texts: list[tuple[str | None, str]], preferred: str | None
) -> tuple[str, str | None, list[tuple[str | None, str]]]:
    """(primary text, its language, the other (language, text) pairs)."""
    if not texts:
        return "", None, []
    if len(texts) == 1:  # the usual case, and then the language does not matter
        lang, text = texts[0]
        return text, lang, []
    index = 0
    if preferred:
        for i, (lang, _) in enumerate(texts):
            if lang and lang.lower().split("-")[0] == preferred.lower():
                index = i
                break
    lang, text = texts[index]
    return text, lang, [t for i, t in enumerate(texts) if i != index]


def _text(elem: Element) -> tuple[str | None, str]:
    return elem.get(XML_LANG), (elem.text or "").strip()


def _texts(elem: Element, tag: str) -> list[tuple[str | None, str]]:
    return [_text(child) for child in elem if local(child.tag) == tag]


class _Reader:
    def __init__(
        self,
        file: Path,
        language: str | None,
        known: Callable[[str], AbstractSet[bytes]] | None = None,
        runs: Callable[[str], Runs | None] | None = None,
    ) -> None:
        self.file = str(file)
        self.language = language
        self.model: RawModel = new_model("exchange", [self.file])
        self.warnings: list[ReportWarning] = self.model["warnings"]
        self.propdefs: dict[str, str] = {}
        self.folders: dict[str, list[str]] = {}
        # The folders come last in the file. Until then items are in none, all sharing one
        # empty list (as the items of one folder share its path); and they are indexed by
        # id, so `finish` visits only the items in folders (unless an id repeats).
        self.no_folder: list[str] = []
        self.by_id: dict[str, RawElement | RawRelationship | RawView] = {}
        # Properties name definitions that come later in the file, so they wait here:
        # (target dict, definition ref, value, lang, line, subject)
        self.pending: list[tuple[dict[str, Scalar], str, str, str | None, int | None, str]] = []
        self.spans = Spans(
            _ROWS,
            known=(
                None
                if known is None
                else lambda root: known(archimate_source(root.get("identifier") or "", file.name))
            ),
            runs=(
                None
                if runs is None
                else (
                    _RELATIONSHIP,
                    lambda root: runs(archimate_source(root.get("identifier") or "", file.name)),
                )
            ),
        )
        # Runs of relationships read as blocks (`xmlstream.Block`): (how many
        # relationships were read before it, the block), in file order.
        self.blocks: list[tuple[int, Block]] = []
        self.model["blocks"] = self.blocks

    def check_root(self, root: Element) -> None:
        ns, name = namespace(root.tag), local(root.tag)
        if name == "model" and ns in ACCEPTED_NS:
            return
        if ns in (ARCHI_NS, ARCHI_LEGACY_NS):
            hint = "this is an Archi .archimate file: use --format archi (or auto)"
        elif ns.startswith("http://www.opengroup.org/xsd/archimate"):
            hint = (
                "only ArchiMate 3.x exchange files are read; open the model in a 3.x tool "
                "and export it in the 3.1 exchange format"
            )
        else:
            hint = (
                f'an exchange file\'s root is <model xmlns="{EXCHANGE_NS}">; check the file '
                "is an Open Group ArchiMate exchange file"
            )
        raise ImportFailure(
            f"wrong namespace or root element: <{name}> in namespace {ns or '(none)'!r}",
            file=self.file,
            line=line_of(root),
            hint=hint,
        )

    def content(
        self, elem: Element, extra: dict[str, Scalar], subject: str
    ) -> tuple[str, str, dict[str, Scalar]]:
        """`texts` and `properties` in one pass over the children (this runs for every item)."""
        names: list[tuple[str | None, str]] = []
        docs: list[tuple[str | None, str]] = []
        props: dict[str, Scalar] = {}
        for child in elem:
            tag = local(child.tag)
            if tag == "name":
                names.append(_text(child))
            elif tag == "documentation":
                docs.append(_text(child))
            elif tag == "properties":
                self.read_properties(child, props, subject)
        name, doc = self.pick_texts(names, docs, extra)
        return name, doc, props

    def texts(self, elem: Element, extra: dict[str, Scalar]) -> tuple[str, str]:
        return self.pick_texts(_texts(elem, "name"), _texts(elem, "documentation"), extra)

    def pick_texts(
        self,
        names: list[tuple[str | None, str]],
        docs: list[tuple[str | None, str]],
        extra: dict[str, Scalar],
    ) -> tuple[str, str]:
        name, lang, other_names = pick_language(names, self.language)
        doc, _, other_docs = pick_language(docs, self.language)
        for other, text in other_names:
            extra[f"{NS}name@{other or ''}"] = text
        for other, text in other_docs:
            extra[f"{NS}documentation@{other or ''}"] = text
        if other_names and lang:
            extra[f"{NS}lang"] = lang
        return name, doc

    def properties(self, elem: Element, subject: str) -> dict[str, Scalar]:
        props: dict[str, Scalar] = {}
        for container in elem:
            if local(container.tag) == "properties":
                self.read_properties(container, props, subject)
        return props

    def read_properties(self, container: Element, props: dict[str, Scalar], subject: str) -> None:
        for prop in container:
            if local(prop.tag) != "property":
                continue
            ref = prop.get("propertyDefinitionRef") or prop.get("identifierRef") or ""
            values = _texts(prop, "value")
            value, lang, _ = pick_language(values, self.language)
            self.pending.append((props, ref, value, lang, line_of(prop), subject))

    def element(self, elem: Element) -> None:
        extra: dict[str, Scalar] = {}
        ident = elem.get("identifier") or ""
        # A childless item (most relationships) has no names or properties to look for.
        name, doc, props = self.content(elem, extra, ident) if len(elem) else ("", "", {})
        if not ident:
            self.require_id(elem, ident)
        item: RawElement = {
            "id": ident,
            "type": xsi_type(elem),
            "name": name,
            "documentation": doc,
            "properties": props,
            "extra": extra,
            "folder": self.no_folder,
            "file": self.file,
            "line": line_of(elem),
            "span": self.spans.by_element.pop(elem, b""),
        }
        self.model["elements"].append(item)
        self.by_id[ident] = item

    def known_element(self, row: Known) -> None:
        """`element` for a row read without an `Element` (`xmlstream.Known`): what its
        start tag says, all there is to an empty element; a row with children read
        without them (`skipped`) only the mapping memo can map."""
        ident = row.attrib.get("identifier") or ""
        if not ident:
            self.require_id(None, ident, "element", row.line)
        item: RawElement = {
            "id": ident,
            "type": row.xsi_type(),
            "name": "",
            "documentation": "",
            "properties": {},
            "extra": {},
            "folder": self.no_folder,
            "file": self.file,
            "line": row.line,
            "span": row.digest,
        }
        if row.skipped:
            item["skipped"] = True
        self.model["elements"].append(item)
        self.by_id[ident] = item

    def element_type(self, ident: str) -> str | None:
        item = self.by_id.get(ident)
        return str(item.get("type")) if item is not None and "type" in item else None

    def relationship(self, elem: Element) -> None:
        extra: dict[str, Scalar] = {}
        ident = elem.get("identifier") or ""
        name, doc, props = self.content(elem, extra, ident) if len(elem) else ("", "", {})
        if not ident:
            self.require_id(elem, ident)
        rel = self.new_relationship(elem.attrib, ident, xsi_type(elem), line_of(elem), extra)
        rel["name"], rel["documentation"], rel["properties"] = name, doc, props
        rel["span"] = self.spans.by_element.pop(elem, b"")

    def known_relationship(self, row: Known) -> None:
        """`relationship` for a row read without an `Element` (`xmlstream.Known`)."""
        ident = row.attrib.get("identifier") or ""
        if not ident:
            self.require_id(None, ident, "relationship", row.line)
        rel = self.new_relationship(row.attrib, ident, row.xsi_type(), row.line, {})
        rel["span"] = row.digest
        if row.skipped:
            rel["skipped"] = True
        else:
            rel["empty"] = True  # its span is its start tag and what follows up to a tag

    def new_relationship(
        self,
        attrib: dict[str, str],
        ident: str,
        rel_type: str,
        line: int | None,
        extra: dict[str, Scalar],
    ) -> RawRelationship:
        """The relationship as its start tag's (un-namespaced) attributes say, added to
        the model; its name, documentation, properties and span are the caller's."""
        access = None
        if rel_type == "Access":
            # Absent, the schema's default is "Access": an access of unspecified kind (not
            # Archi's own default, Write, which Archi writes out explicitly).
            access = attrib.get("accessType") or "Access"
            extra[f"{NS}accessType"] = access
        modifier = attrib.get("modifier")
        if modifier is not None:
            extra[f"{NS}modifier"] = modifier
        directed = attrib.get("isDirected")
        if directed is not None:
            extra[f"{NS}isDirected"] = directed.lower() == "true"
        elif rel_type == "Association":
            # Absent, the schema's default (undirected), as Archi's own file says it.
            extra[f"{NS}isDirected"] = False
        rel: RawRelationship = {
            "id": ident,
            "type": rel_type,
            "source": attrib.get("source") or "",
            "target": attrib.get("target") or "",
            "name": "",
            "documentation": "",
            "properties": {},
            "extra": extra,
            "access": access,
            "file": self.file,
            "line": line,
            "folder": self.no_folder,
        }
        self.model["relationships"].append(rel)
        self.by_id[ident] = rel
        return rel

    def require_id(
        self, elem: Element | None, ident: str, tag: str = "", line: int | None = None
    ) -> None:
        if not ident:
            raise ImportFailure(
                f"<{local(elem.tag) if elem is not None else tag}> without an identifier",
                file=self.file,
                line=line_of(elem) if elem is not None else line,
                hint="every element, relationship and view needs an identifier attribute",
            )

    def organization(self, item: Element, path: list[str]) -> None:
        ref = item.get("identifierRef")
        if ref and ref not in self.folders:
            self.folders[ref] = path
        if not len(item):  # most items only name an element: no label, no sub-items
            return
        labels = _texts(item, "label")
        label, _, _ = pick_language(labels, self.language)
        here = [*path, label] if labels else path
        for child in item:
            if local(child.tag) == "item":
                self.organization(child, here)

    def view(self, elem: Element) -> None:
        extra: dict[str, Scalar] = {}
        name, doc = self.texts(elem, extra)
        ident = elem.get("identifier") or ""
        self.require_id(elem, ident)
        shown: list[str] = []
        shown_rels: list[str] = []
        refs: list[str] = []
        for sub in elem.iter():
            if local(sub.tag) == "node":
                if sub.get("elementRef"):
                    shown.append(sub.get("elementRef", ""))
                if sub.get("viewRef"):
                    refs.append(sub.get("viewRef", ""))
            elif local(sub.tag) == "viewRef" and sub.get("ref"):  # as Archi writes it
                refs.append(sub.get("ref", ""))
            elif local(sub.tag) == "connection" and sub.get("relationshipRef"):
                shown_rels.append(sub.get("relationshipRef", ""))
        if xsi_type(elem) and xsi_type(elem) != "Diagram":
            extra[f"{NS}viewType"] = xsi_type(elem)
        self.model["views"].append(
            {
                "id": ident,
                "name": name,
                "documentation": doc,
                "properties": self.properties(elem, ident),
                "extra": extra,
                "elements": shown,
                "relationships": shown_rels,
                "views": refs,
                "viewpoint": elem.get("viewpoint") or "",
                "diagram": read_layout(
                    lambda: parse_exchange_diagram(elem, self.language, self.element_type),
                    warnings=self.warnings,
                    file=self.file,
                    line=line_of(elem),
                    subject=ident,
                ),
                "folder": [],
                "file": self.file,
                "line": line_of(elem),
            }
        )
        self.by_id[ident] = self.model["views"][-1]

    def top_folder(self, item: Element) -> None:
        self.organization(item, [])

    def property_definition(self, elem: Element) -> None:
        names = _texts(elem, "name")
        label, _, _ = pick_language(names, self.language)
        ident = elem.get("identifier") or ""
        # Early 3.0 tools wrote the name as an attribute.
        self.propdefs[ident] = label or elem.get("name") or ident

    def model_name(self, elem: Element) -> None:
        if not self.model["name"]:
            self.model["name"] = (elem.text or "").strip()

    def model_documentation(self, elem: Element) -> None:
        if not self.model["documentation"]:
            self.model["documentation"] = (elem.text or "").strip()

    def model_properties(self, elem: Element) -> None:
        holder = Element("model")
        holder.append(elem)
        self.model["properties"] = self.properties(holder, "the model")

    def finish(self) -> None:
        for props, ref, value, _lang, line, subject in self.pending:
            key = self.propdefs.get(ref)
            if key is None:
                self.warnings.append(
                    ReportWarning(
                        "unknown-property-definition",
                        f"property refers to undefined property definition {ref!r}; "
                        "kept under that id",
                        file=self.file,
                        line=line,
                        subject=subject,
                    )
                )
                key = ref or "property"
            if key not in props:  # as add_property would, minus a call per property
                props[key] = value
                continue
            add_property(
                props, key, value, warn=self.warnings, subject=subject, file=self.file, line=line
            )
        self.pending.clear()
        self.place_in_folders()

    def place_in_folders(self) -> None:
        model = self.model
        items = len(model["elements"]) + len(model["relationships"]) + len(model["views"])
        if len(self.by_id) == items:  # all ids distinct: the index holds every item
            for ref, path in self.folders.items():
                held = self.by_id.get(ref)
                if held is not None:
                    held["folder"] = path
            return
        # An id is used twice (refused later): every item with it gets the folder.
        for item in (*model["elements"], *model["views"]):
            item["folder"] = self.folders.get(item["id"], self.no_folder)
        for rel in model["relationships"]:
            rel["folder"] = self.folders.get(rel["id"], self.no_folder)


# The paths read, each handed over whole by `iter_xml`, and what reads them.
_HANDLERS: dict[tuple[str, ...], Callable[[_Reader, Element], None]] = {
    ("model", "name"): _Reader.model_name,
    ("model", "documentation"): _Reader.model_documentation,
    ("model", "properties"): _Reader.model_properties,
    ("model", "elements", "element"): _Reader.element,
    ("model", "relationships", "relationship"): _Reader.relationship,
    ("model", "organizations", "item"): _Reader.top_folder,
    ("model", "propertyDefinitions", "propertyDefinition"): _Reader.property_definition,
    ("model", "views", "diagrams", "view"): _Reader.view,
}


# The rows read without their children (`xmlstream.Known`), and what reads them.
_KNOWN: dict[tuple[str, ...], Callable[[_Reader, Known], None]] = {
    ("model", "elements", "element"): _Reader.known_element,
    ("model", "relationships", "relationship"): _Reader.known_relationship,
}

# The rows: what the mapping memo may skip (`importers.transform`).
_RELATIONSHIP = ("model", "relationships", "relationship")
_ROWS = frozenset({("model", "elements", "element"), _RELATIONSHIP})


def parse_exchange(
    path: Path,
    *,
    language: str | None = "en",
    on_bytes: Callable[[int], None] | None = None,
    known: Callable[[str], AbstractSet[bytes]] | None = None,
    runs: Callable[[str], Runs | None] | None = None,
) -> RawModel:
    """Read an exchange file into a raw model (no mapping applied yet).

    `known(source key)`, asked once the root is read: the digests of rows the last import
    of that source read; such rows are read without their names, documentation and
    properties (`skipped`: only the mapping memo can map them, see `importers.transform`).
    `runs(source key)`, asked once the relationships' section has started: the stored
    relationships that may be read in runs (`xmlstream.Runs`); each run is in the model's
    `blocks` (with how many relationships were read before it), its relationships not in
    `relationships`: only the memo they came from can map them.
    """
    reader = _Reader(path, language, known, runs)
    with path.open("rb") as stream:
        for kind, elem, p, _ in iter_xml(
            stream, file=path, want=_HANDLERS.__contains__, on_bytes=on_bytes, spans=reader.spans
        ):
            if kind == "start":
                reader.check_root(elem)
                ident = elem.get("identifier")
                reader.model["model_id"] = ident or ""
                reader.model["source"] = archimate_source(ident or "", path.name)
                if not ident:
                    reader.warnings.append(
                        ReportWarning(
                            "no-model-identifier",
                            "the model has no identifier; the file name is used as the source "
                            "key, so renaming the file makes a new source",
                            file=str(path),
                            line=line_of(elem),
                        )
                    )
            elif kind == "known":
                _KNOWN[p](reader, elem)
            elif kind == "block":
                reader.blocks.append((len(reader.model["relationships"]), elem))
            else:
                _HANDLERS[p](reader, elem)
    reader.finish()
    reader.model["language"] = language
    # Everything a row's reading depends on beyond its own bytes (namespaces, property
    # definitions, folders) is in the bytes between the rows.
    reader.model["context"] = reader.spans.between()
    reader.spans = Spans()  # the file's bytes are not needed any more
    return reader.model
