"""Archi's native `.archimate` files: read, streaming.

Structure read (namespace http://www.archimatetool.com/archimate; the namespace of early
Archi versions, http://www.bolton.ac.uk/archimate, is read the same way):

    archimate:model@name@id  folder*  purpose  property@key@value  profile@id@name
      (the root is archimate:ArchimateModel in files saved by Archi 3 and earlier)
      folder@name@type  (nested folders)
        element@xsi:type="archimate:BusinessActor"@id@name  documentation  property
        element@xsi:type="archimate:ServingRelationship"@source@target
            (@accessType 0 write (default) / 1 read / 2 access / 3 readwrite,
             @strength on Influence, @directed on Association)
        element@xsi:type="archimate:Junction"@type="or" (absent: and)
        element@xsi:type="archimate:ArchimateDiagramModel"  child@archimateElement …
            sourceConnection@archimateRelationship, child DiagramModelReference@model

Each folder-level `element` is handed over complete and then dropped, so a large model
never sits in memory as a tree. Sketch and canvas views hold no ArchiMate concepts and
are skipped with a warning.

Models saved before ArchiMate 3 (Archi 3.x and older) use ArchiMate 2.1 names; they are
read under the 3.x names Archi itself gives them when it opens such a model (Archi's
`ConverterExtendedMetadata`): see `LEGACY_ELEMENTS` and `LEGACY_RELATIONSHIPS`, each
renaming reported once per type. A model that holds images is saved as a zip archive
(`model.xml` plus `images/…`): `model.xml` is read from it (`importers.archive`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO
from xml.etree.ElementTree import Element

from importers.archive import ZIP_MAGIC, archived_model, is_archive
from importers.diagrams import parse_archi_diagram, read_layout
from importers.errors import ImportFailure, ReportWarning
from importers.exchange import ACCEPTED_NS, ARCHI_LEGACY_NS, ARCHI_NS
from importers.identity import archimate_source
from importers.raw import RawModel, Scalar, add_property, new_model
from importers.xmlstream import iter_xml, line_of, local, namespace, xsi_type

NS = "archimate:"
# Early Archi versions (from the University of Bolton) wrote this namespace; Archi still
# opens such models.
ARCHI_NAMESPACES = (ARCHI_NS, ARCHI_LEGACY_NS)
# Archi 4 and later write <archimate:model>; Archi 3 and earlier <archimate:ArchimateModel>.
ROOT_NAMES = ("model", "ArchimateModel")
ACCESS_TYPES = {"0": "Write", "1": "Read", "2": "Access", "3": "ReadWrite"}
# Relationship class names from before ArchiMate 3 (without "Relationship"), as Archi
# reads them.
LEGACY_RELATIONSHIPS = {
    "UsedBy": "Serving",
    "Realisation": "Realization",
    "Specialisation": "Specialization",
}
# Element class names from before ArchiMate 3 and what Archi opens them as. And/Or
# junctions became one Junction with a type.
LEGACY_ELEMENTS = {
    "InfrastructureService": "TechnologyService",
    "InfrastructureInterface": "TechnologyInterface",
    "InfrastructureFunction": "TechnologyFunction",
    "CommunicationPath": "Path",
    "Network": "CommunicationNetwork",
    "BusinessActivity": "BusinessProcess",
    "AndJunction": "Junction",
    "OrJunction": "Junction",
    "DiagramModel": "ArchimateDiagramModel",
}
VIEW_TYPES = {"ArchimateDiagramModel"}
OTHER_VIEW_TYPES = {"SketchModel", "CanvasModel"}


def _want(path: tuple[str, ...]) -> bool:
    if len(path) == 2:
        return path[1] in ("purpose", "property", "profile", "documentation")
    return path[-1] == "element" and all(p == "folder" for p in path[1:-1])


class _Reader:
    def __init__(self, file: Path) -> None:
        self.file = str(file)
        self.model: RawModel = new_model("archi", [self.file])
        self.warnings: list[ReportWarning] = self.model["warnings"]
        self.profiles: dict[str, str] = {}
        self.profile_refs: list[tuple[dict[str, Scalar], str]] = []
        # (ArchiMate 2.1 name, 3.x name) -> [how many, first line]
        self.renamed: dict[tuple[str, str], list[int]] = {}

    def check_root(self, root: Element) -> None:
        ns, name = namespace(root.tag), local(root.tag)
        if name in ROOT_NAMES and ns in ARCHI_NAMESPACES:
            return
        if ns in ACCEPTED_NS:
            hint = "this is an Open Group exchange file: use --format exchange (or auto)"
        elif name in ROOT_NAMES and "archi" in ns.lower():
            hint = (
                f"the Archi namespace {ns!r} is not one Archi has written (it reads "
                + " and ".join(repr(n) for n in ARCHI_NAMESPACES)
                + "); open the model in Archi and save it again"
            )
        else:
            hint = f'an Archi file\'s root is <archimate:model xmlns:archimate="{ARCHI_NS}">'
        raise ImportFailure(
            f"wrong namespace or root element: <{name}> in namespace {ns or '(none)'!r}",
            file=self.file,
            line=line_of(root),
            hint=hint,
        )

    def common(self, elem: Element, subject: str) -> tuple[str, dict[str, Scalar]]:
        doc = elem.get("documentation") or ""
        props: dict[str, Scalar] = {}
        for child in elem:
            tag = local(child.tag)
            if tag == "documentation":
                doc = child.text or ""
            elif tag == "property":
                add_property(
                    props,
                    child.get("key") or "",
                    child.get("value") or "",
                    warn=self.warnings,
                    subject=subject,
                    file=self.file,
                    line=line_of(child),
                )
        return doc.strip(), props

    def migrated(self, kind: str, elem: Element) -> str:
        """The ArchiMate 3 class name of an Archi class name, as Archi reads it."""
        base = kind[: -len("Relationship")] if kind.endswith("Relationship") else None
        if base is not None and base in LEGACY_RELATIONSHIPS:
            new = LEGACY_RELATIONSHIPS[base] + "Relationship"
        elif kind in LEGACY_ELEMENTS:
            new = LEGACY_ELEMENTS[kind]
        else:
            return kind
        seen = self.renamed.setdefault((kind, new), [0, line_of(elem) or 0])
        seen[0] += 1
        return new

    def element(self, elem: Element, ancestors: tuple[Element, ...]) -> None:
        folder = [a.get("name") or "" for a in ancestors[1:]]
        legacy = xsi_type(elem)
        kind = self.migrated(legacy, elem)
        ident = elem.get("id") or ""
        if not ident:
            raise ImportFailure(
                f"<element xsi:type={kind!r}> without an id",
                file=self.file,
                line=line_of(elem),
                hint="every Archi element needs an id; open and save the model in Archi",
            )
        doc, props = self.common(elem, ident)
        extra: dict[str, Scalar] = {}
        if elem.get("profiles"):
            self.profile_refs.append((extra, elem.get("profiles", "")))
        if kind in VIEW_TYPES:
            self.view(elem, ident, folder, doc, props, extra)
        elif kind in OTHER_VIEW_TYPES:
            self.warnings.append(
                ReportWarning(
                    "view-skipped",
                    f"{kind} {elem.get('name')!r} skipped: sketch and canvas views hold no "
                    "ArchiMate elements",
                    file=self.file,
                    line=line_of(elem),
                    subject=ident,
                )
            )
        elif kind.endswith("Relationship"):
            self.relationship(elem, kind[: -len("Relationship")], ident, folder, doc, props, extra)
        else:
            if kind == "Junction":
                junction = "or" if elem.get("type") == "or" or legacy == "OrJunction" else "and"
                extra[f"{NS}junctionType"] = junction
            self.model["elements"].append(
                {
                    "id": ident,
                    "type": kind,
                    "name": elem.get("name") or "",
                    "documentation": doc,
                    "properties": props,
                    "extra": extra,
                    "folder": folder,
                    "file": self.file,
                    "line": line_of(elem),
                }
            )

    def relationship(
        self,
        elem: Element,
        kind: str,
        ident: str,
        folder: list[str],
        doc: str,
        props: dict[str, Scalar],
        extra: dict[str, Scalar],
    ) -> None:
        access = None
        if kind == "Access":
            access = ACCESS_TYPES.get(elem.get("accessType") or "0", "Write")
            extra[f"{NS}accessType"] = access
        if elem.get("strength"):
            extra[f"{NS}modifier"] = elem.get("strength")
        if kind == "Association":
            extra[f"{NS}isDirected"] = elem.get("directed") == "true"
        self.model["relationships"].append(
            {
                "id": ident,
                "type": kind,
                "source": elem.get("source") or "",
                "target": elem.get("target") or "",
                "name": elem.get("name") or "",
                "documentation": doc,
                "properties": props,
                "extra": extra,
                "access": access,
                "folder": folder,
                "file": self.file,
                "line": line_of(elem),
            }
        )

    def view(
        self,
        elem: Element,
        ident: str,
        folder: list[str],
        doc: str,
        props: dict[str, Scalar],
        extra: dict[str, Scalar],
    ) -> None:
        shown: list[str] = []
        shown_rels: list[str] = []
        refs: list[str] = []
        for sub in elem.iter():
            if sub.get("archimateElement"):
                shown.append(sub.get("archimateElement", ""))
            rel = sub.get("archimateRelationship") or sub.get("relationship")
            if rel:
                shown_rels.append(rel)
            if xsi_type(sub) == "DiagramModelReference" and sub.get("model"):
                refs.append(sub.get("model", ""))
        self.model["views"].append(
            {
                "id": ident,
                "name": elem.get("name") or "",
                "documentation": doc,
                "properties": props,
                "extra": extra,
                "elements": shown,
                "relationships": shown_rels,
                "views": refs,
                "viewpoint": elem.get("viewpoint") or "",
                "diagram": read_layout(
                    lambda: parse_archi_diagram(elem),
                    warnings=self.warnings,
                    file=self.file,
                    line=line_of(elem),
                    subject=ident,
                ),
                "folder": folder,
                "file": self.file,
                "line": line_of(elem),
            }
        )

    def top_level(self, elem: Element) -> None:
        tag = local(elem.tag)
        if tag in ("purpose", "documentation"):
            self.model["documentation"] = (elem.text or "").strip()
        elif tag == "property":
            add_property(
                self.model["properties"],
                elem.get("key") or "",
                elem.get("value") or "",
                warn=self.warnings,
                subject="the model",
                file=self.file,
                line=line_of(elem),
            )
        elif tag == "profile" and elem.get("id"):
            self.profiles[elem.get("id", "")] = elem.get("name") or ""

    def finish(self) -> None:
        for extra, refs in self.profile_refs:
            names = [self.profiles.get(r, r) for r in refs.split()]
            extra[f"{NS}specialization"] = " ".join(names)
        for (old, new), (count, line) in self.renamed.items():
            self.warnings.append(
                ReportWarning(
                    "type-migrated",
                    f"{count} {old} read as {new}: a name from before ArchiMate 3, migrated as Archi "
                    "migrates it when it opens the model",
                    file=self.file,
                    line=line or None,
                )
            )


def parse_archi(
    path: Path,
    *,
    language: str | None = None,
    on_bytes: Callable[[int], None] | None = None,
) -> RawModel:
    """Read an Archi `.archimate` file (plain XML or Archi's zip archive) into a raw model
    (no mapping applied yet)."""
    with path.open("rb") as stream:
        zipped = is_archive(stream.read(len(ZIP_MAGIC)))
    if not zipped:
        with path.open("rb") as stream:
            return _read(path, stream, str(path), language, on_bytes)
    with archived_model(path) as archived:
        model = _read(path, archived.stream, archived.file, language, on_bytes)
    model["warnings"].insert(
        0,
        ReportWarning(
            "archive-read",
            f"a zipped Archi model: model.xml read, {archived.images} image file(s) in the "
            "archive not imported",
            file=str(path),
        ),
    )
    return model


def _read(
    path: Path,
    stream: BinaryIO,
    file: str,
    language: str | None,
    on_bytes: Callable[[int], None] | None,
) -> RawModel:
    reader = _Reader(Path(file))
    for kind, elem, p, ancestors in iter_xml(stream, file=file, want=_want, on_bytes=on_bytes):
        if kind == "start":
            reader.check_root(elem)
            ident = elem.get("id") or ""
            reader.model["model_id"] = ident
            reader.model["name"] = elem.get("name") or ""
            reader.model["source"] = archimate_source(ident, path.name)
        elif len(p) == 2:
            reader.top_level(elem)
        else:
            reader.element(elem, ancestors)
    reader.finish()
    reader.model["language"] = language
    return reader.model
