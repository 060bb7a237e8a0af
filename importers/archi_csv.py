"""Archi's CSV export: `elements.csv`, `relations.csv`, `properties.csv`, optional prefix.

As Archi writes them (File → Export → Model To CSV):

    elements.csv    "ID","Type","Name","Documentation"[,"Specialization"]
                    the first row is the model itself, Type "ArchimateModel"
    relations.csv   "ID","Type","Name","Documentation","Source","Target"[,"Specialization"]
    properties.csv  "ID","Key","Value"   (the model's, elements' and relations' properties)

Types are Archi class names ("BusinessActor", "ServingRelationship", "Junction").
Attributes without a column are written as properties with reserved keys: Access_Type,
Influence_Strength, Directed, Junction_Type. The delimiter may be comma, semicolon or
tab; the encoding UTF-8 (with or without BOM) or "ANSI" (read as Windows-1252). Rows are
read one at a time. ArchiMate 2.1 type names (an export from Archi 3.x) are read as Archi
reads them (`importers.archi.LEGACY_ELEMENTS`). A control character XML cannot carry
(U+0000 to U+001F but tab, line feed and carriage return) is refused with its line: it
could not be exported again.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from importers.archi import LEGACY_ELEMENTS, LEGACY_RELATIONSHIPS
from importers.errors import ImportFailure, ReportWarning
from importers.identity import archimate_source
from importers.raw import RawModel, RawRelationship, Scalar, add_property, new_model

NS = "archimate:"
MODEL_TYPE = "ArchimateModel"
ELEMENTS_HEADER = ["ID", "Type", "Name", "Documentation"]
RELATIONS_HEADER = ["ID", "Type", "Name", "Documentation", "Source", "Target"]
PROPERTIES_HEADER = ["ID", "Key", "Value"]
ACCESS_TYPES = {"write": "Write", "read": "Read", "access": "Access", "readwrite": "ReadWrite"}
_EXCEL_TEXT = re.compile(r'^="(.*)"$', re.S)
# What XML 1.0 cannot carry at all, not even as a character reference.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# Archi writes long documentation into single fields; the csv module's default cap
# (128 KiB) would refuse them. The file size limit still bounds what is read.
csv.field_size_limit(64 * 1024 * 1024)


def find_csv_files(path: Path) -> tuple[Path, Path | None, Path | None]:
    """(elements, relations, properties) for a folder or for one of the three files."""
    if path.is_dir():
        candidates = sorted(p for p in path.iterdir() if p.name.lower().endswith("elements.csv"))
        if not candidates:
            raise ImportFailure(
                "no elements.csv in the folder",
                file=path,
                hint="point at the folder Archi exported to, or at its elements.csv",
            )
        if len(candidates) > 1:
            raise ImportFailure(
                f"several Archi CSV exports in the folder ({', '.join(p.name for p in candidates)})",
                file=path,
                hint="pass the elements.csv of the export you mean",
            )
        elements = candidates[0]
    else:
        lower = path.name.lower()
        for suffix in ("elements.csv", "relations.csv", "properties.csv"):
            if lower.endswith(suffix):
                elements = path.with_name(
                    path.name[: len(path.name) - len(suffix)] + "elements.csv"
                )
                break
        else:
            raise ImportFailure(
                "an Archi CSV export is named [prefix]elements.csv, relations.csv and "
                "properties.csv",
                file=path,
                hint="pass the folder or the elements.csv file",
            )
        if not elements.is_file():
            raise ImportFailure("the export's elements.csv is missing", file=elements)
    prefix = elements.name[: -len("elements.csv")]
    relations = elements.with_name(f"{prefix}relations.csv")
    properties = elements.with_name(f"{prefix}properties.csv")
    return (
        elements,
        relations if relations.is_file() else None,
        properties if properties.is_file() else None,
    )


def _clean(value: str) -> str:
    # Archi's "Excel compatible" option writes ="0123" for text with leading zeros.
    match = _EXCEL_TEXT.match(value)
    return match.group(1).replace('""', '"') if match else value


class _Rows:
    """Rows of one CSV file with their line numbers; header checked, delimiter sniffed."""

    def __init__(
        self, path: Path, header: list[str], on_bytes: Callable[[int], None] | None
    ) -> None:
        self.path = path
        self.header = header
        self.on_bytes = on_bytes
        self.warnings: list[ReportWarning] = []

    def _text(self) -> io.TextIOBase:
        with self.path.open("rb") as sample:
            raw = sample.read(65536)
        try:
            raw.decode("utf-8")
            encoding = "utf-8-sig"
        except UnicodeDecodeError as exc:
            if exc.start < len(raw) - 4:  # not just a character cut at the sample's end
                encoding = "cp1252"
                self.warnings.append(
                    ReportWarning(
                        "encoding",
                        "the file is not UTF-8; read as Windows-1252 (Archi's ANSI option)",
                        file=str(self.path),
                    )
                )
            else:
                encoding = "utf-8-sig"
        return open(self.path, encoding=encoding, errors="strict", newline="")

    def refuse_character(self, value: str, line: int) -> None:
        found = _NOT_XML.search(value)
        assert found is not None
        raise ImportFailure(
            f"a field holds the control character U+{ord(found.group()):04X}, which XML "
            "(and so the model's export) cannot carry",
            file=self.path,
            line=line,
            hint="remove the character from that field in Archi (it is usually pasted in "
            "by accident) and export the CSV again",
        )

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        with self._text() as text:
            first = text.readline()
            delimiter = max((",", ";", "\t"), key=first.count)
            text.seek(0)
            reader = csv.reader(text, delimiter=delimiter, strict=True)
            try:
                head = next(reader, None)
                if (
                    head is None
                    or [h.strip().lstrip("\ufeff") for h in head][: len(self.header)] != self.header
                ):
                    raise ImportFailure(
                        f"unexpected header {head!r}",
                        file=self.path,
                        line=1,
                        hint=f"an Archi {self.path.name} starts with "
                        + ",".join(f'"{h}"' for h in self.header),
                    )
                width = len(head)
                for row in reader:
                    if not row or row == [""]:
                        continue
                    if len(row) < len(self.header) or len(row) > width:
                        raise ImportFailure(
                            f"row has {len(row)} fields, the header {width}",
                            file=self.path,
                            line=reader.line_num,
                            hint="a field probably holds an unquoted delimiter or quote; "
                            "export the CSV from Archi again",
                        )
                    for value in row:
                        if _NOT_XML.search(value):
                            self.refuse_character(value, reader.line_num)
                    yield reader.line_num, [_clean(v) for v in row]
                if self.on_bytes is not None:
                    self.on_bytes(self.path.stat().st_size)
            except csv.Error as exc:
                raise ImportFailure(
                    f"malformed CSV: {exc}",
                    file=self.path,
                    line=reader.line_num,
                    hint="export the CSV from Archi again, or fix the quoting at that line",
                ) from exc
            except UnicodeDecodeError as exc:
                raise ImportFailure(
                    f"undecodable text: {exc.reason}",
                    file=self.path,
                    line=reader.line_num,
                    hint="save the file as UTF-8",
                ) from exc


def parse_archi_csv(
    path: Path,
    *,
    language: str | None = None,
    on_bytes: Callable[[int], None] | None = None,
) -> RawModel:
    """Read an Archi CSV export (folder or one of its files) into a raw model."""
    elements_file, relations_file, properties_file = find_csv_files(path)
    files = [str(p) for p in (elements_file, relations_file, properties_file) if p is not None]
    model = new_model("csv", files)
    warnings = model["warnings"]
    by_id: dict[str, Any] = {}
    # (ArchiMate 2.1 name, 3.x name) -> [how many, file, first line]
    renamed: dict[tuple[str, str], list[Any]] = {}

    def migrated(kind: str, new: str, file: Path, line: int) -> str:
        if new != kind:
            seen = renamed.setdefault((kind, new), [0, str(file), line])
            seen[0] += 1
        return new

    rows = _Rows(elements_file, ELEMENTS_HEADER, on_bytes)
    for line, row in rows:
        ident, legacy, name, doc = row[0], row[1], row[2], row[3]
        kind = migrated(legacy, LEGACY_ELEMENTS.get(legacy, legacy), elements_file, line)
        special = row[4] if len(row) > 4 else ""
        if kind == MODEL_TYPE:
            model["model_id"] = ident
            model["name"] = name
            model["documentation"] = doc
            by_id[ident] = {"properties": model["properties"], "file": str(elements_file)}
            continue
        if not ident:
            raise ImportFailure(
                f"{kind} {name!r} has no ID",
                file=elements_file,
                line=line,
                hint="every element needs an ID so relations and properties can refer to it",
            )
        extra: dict[str, Scalar] = {f"{NS}specialization": special} if special else {}
        if legacy in ("AndJunction", "OrJunction"):
            extra[f"{NS}junctionType"] = "or" if legacy == "OrJunction" else "and"
        item = {
            "id": ident,
            "type": kind,
            "name": name,
            "documentation": doc,
            "properties": {},
            "extra": extra,
            "folder": [],
            "file": str(elements_file),
            "line": line,
        }
        model["elements"].append(item)  # type: ignore[arg-type]
        by_id.setdefault(ident, item)
    warnings += rows.warnings
    if relations_file is None:
        warnings.append(
            ReportWarning(
                "file-missing",
                "no relations.csv next to elements.csv: the model is read without relationships",
                file=str(elements_file),
            )
        )
    else:
        rows = _Rows(relations_file, RELATIONS_HEADER, on_bytes)
        for line, row in rows:
            ident, kind, name, doc, src, dst = row[:6]
            special = row[6] if len(row) > 6 else ""
            base = kind[: -len("Relationship")] if kind.endswith("Relationship") else kind
            if base in LEGACY_RELATIONSHIPS:
                migrated(kind, f"{LEGACY_RELATIONSHIPS[base]}Relationship", relations_file, line)
            rel: RawRelationship = {
                "id": ident,
                "type": LEGACY_RELATIONSHIPS.get(base, base),
                "source": src,
                "target": dst,
                "name": name,
                "documentation": doc,
                "properties": {},
                "extra": {f"{NS}specialization": special} if special else {},
                "access": "Write" if base == "Access" else None,
                "file": str(relations_file),
                "line": line,
            }
            if rel["access"]:
                rel["extra"][f"{NS}accessType"] = "Write"
            elif rel["type"] == "Association":
                # Undirected unless a "Directed" row says otherwise, as in Archi's file.
                rel["extra"][f"{NS}isDirected"] = False
            model["relationships"].append(rel)
            if ident:
                by_id.setdefault(ident, rel)
        warnings += rows.warnings
    if properties_file is not None:
        rows = _Rows(properties_file, PROPERTIES_HEADER, on_bytes)
        for line, row in rows:
            ident, key, value = row[:3]
            owner = by_id.get(ident)
            if owner is None:
                warnings.append(
                    ReportWarning(
                        "orphan-property",
                        f"property {key!r} belongs to unknown ID {ident!r}; skipped",
                        file=str(properties_file),
                        line=line,
                        subject=ident,
                    )
                )
                continue
            if _special(owner, key, value):
                continue
            add_property(
                owner["properties"],
                key,
                value,
                warn=warnings,
                subject=ident,
                file=str(properties_file),
                line=line,
            )
        warnings += rows.warnings
    for (old, new), (count, file, line) in renamed.items():
        warnings.append(
            ReportWarning(
                "type-migrated",
                f"{count} {old} read as {new}: a name from before ArchiMate 3, migrated as Archi "
                "migrates it when it opens the model",
                file=file,
                line=line,
            )
        )
    model["source"] = archimate_source(model["model_id"], elements_file.name)
    model["language"] = language
    return model


def _special(item: dict[str, Any], key: str, value: str) -> bool:
    """Archi's attribute-as-property rows; True when consumed."""
    kind = item.get("type")
    extra = item.setdefault("extra", {})
    if key == "Access_Type" and kind == "Access":
        access = ACCESS_TYPES.get(value.strip().lower(), "Write")
        item["access"] = access
        extra[f"{NS}accessType"] = access
        return True
    if key == "Influence_Strength" and kind == "Influence":
        extra[f"{NS}modifier"] = value
        return True
    if key == "Directed" and kind == "Association":
        extra[f"{NS}isDirected"] = value.strip().lower() == "true"
        return True
    if key == "Junction_Type" and kind == "Junction":
        extra[f"{NS}junctionType"] = "or" if value.strip().lower() == "or" else "and"
        return True
    return False
