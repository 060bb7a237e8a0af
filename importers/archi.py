"""Archi's native `.archimate` files: read, streaming.

Structure read (namespace http://www.archimatetool.com/archimate; Archi 4.x and 5.x):

    archimate:model@name@id  folder*  purpose  property@key@value  profile@id@name
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
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from xml.etree.ElementTree import Element

from importers.errors import ImportFailure, ReportWarning
from importers.exchange import ACCEPTED_NS, ARCHI_NS
from importers.raw import RawModel, Scalar, add_property, new_model
from importers.xmlstream import iter_xml, line_of, local, namespace, xsi_type

NS = "archimate:"
ACCESS_TYPES = {"0": "Write", "1": "Read", "2": "Access", "3": "ReadWrite"}
# Relationship class names from before ArchiMate 3 that Archi still reads.
LEGACY_RELATIONSHIPS = {
    "UsedBy": "Serving",
    "Realisation": "Realization",
    "Specialisation": "Specialization",
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

    def check_root(self, root: Element) -> None:
        ns, name = namespace(root.tag), local(root.tag)
        if name == "model" and ns == ARCHI_NS:
            return
        if ns in ACCEPTED_NS:
            hint = "this is an Open Group exchange file: use --format exchange (or auto)"
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

    def element(self, elem: Element, ancestors: tuple[Element, ...]) -> None:
        folder = [a.get("name") or "" for a in ancestors[1:]]
        kind = xsi_type(elem)
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
                extra[f"{NS}junctionType"] = "or" if elem.get("type") == "or" else "and"
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
        kind = LEGACY_RELATIONSHIPS.get(kind, kind)
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


def parse_archi(
    path: Path,
    *,
    language: str | None = None,
    on_bytes: Callable[[int], None] | None = None,
) -> RawModel:
    """Read an Archi `.archimate` file into a raw model (no mapping applied yet)."""
    reader = _Reader(path)
    with path.open("rb") as stream:
        for kind, elem, p, ancestors in iter_xml(stream, file=path, want=_want, on_bytes=on_bytes):
            if kind == "start":
                reader.check_root(elem)
                ident = elem.get("id") or ""
                reader.model["model_id"] = ident
                reader.model["name"] = elem.get("name") or ""
                reader.model["source"] = f"{NS}{ident}" if ident else f"{NS}file:{path.name}"
            elif len(p) == 2:
                reader.top_level(elem)
            else:
                reader.element(elem, ancestors)
    reader.finish()
    reader.model["language"] = language
    return reader.model
