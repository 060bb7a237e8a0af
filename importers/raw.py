"""The parsers' output: plain dicts describing a model as the file states it.

Every format (exchange XML, Archi, Archi CSV, Backstage) is read into this one shape;
the transform (`importers.transform`) maps it to valuegraph records. Ids and types are
still the source's own; `extra` holds what the format says beyond name, documentation
and properties (folder, other-language names, access type …) under reserved keys, so it
can be kept in the node's free properties and written back on export.
"""

from __future__ import annotations

from typing import TypedDict

from importers.diagrams import Diagram
from importers.errors import ReportWarning
from importers.xmlstream import Block

Scalar = str | int | float | bool | None


class RawElement(TypedDict, total=False):
    id: str
    type: str
    name: str
    documentation: str
    properties: dict[str, Scalar]
    extra: dict[str, Scalar]
    folder: list[str]
    tags: list[str]
    file: str
    line: int | None
    # A digest of the row's own bytes in the file, where the parser gives one (with the
    # model's `context`, what the mapping memo of `importers.transform` is keyed on).
    span: bytes
    # Read without its children (names, documentation, properties: none are here), as a
    # row the last import read byte for byte: only the mapping memo can map it.
    skipped: bool


class RawRelationship(TypedDict, total=False):
    id: str
    type: str
    source: str
    target: str
    name: str
    documentation: str
    properties: dict[str, Scalar]
    extra: dict[str, Scalar]
    access: str | None
    folder: list[str]
    file: str
    line: int | None
    span: bytes
    skipped: bool
    # An empty row (`<relationship … />`): its span is its start tag and what follows it
    # up to the next tag, which a run of rows is split into (`xmlstream.Block`).
    empty: bool


class RawView(TypedDict, total=False):
    id: str
    name: str
    documentation: str
    properties: dict[str, Scalar]
    extra: dict[str, Scalar]
    elements: list[str]
    relationships: list[str]
    views: list[str]
    viewpoint: str
    # The drawing (`importers.diagrams`), None when it could not be read.
    diagram: Diagram | None
    folder: list[str]
    file: str
    line: int | None


class RawModel(TypedDict, total=False):
    format: str
    source: str
    model_id: str
    name: str
    documentation: str
    language: str | None
    properties: dict[str, Scalar]
    elements: list[RawElement]
    relationships: list[RawRelationship]
    views: list[RawView]
    warnings: list[ReportWarning]
    files: list[str]
    # With the rows' `span`s: a digest of every byte of the file outside the rows.
    context: bytes
    # Runs of relationships read as blocks of stored rows (`xmlstream.Block`), each with
    # how many of `relationships` come before it; their rows are not in `relationships`.
    blocks: list[tuple[int, Block]]


def new_model(fmt: str, files: list[str]) -> RawModel:
    return RawModel(
        format=fmt,
        source="",
        model_id="",
        name="",
        documentation="",
        language=None,
        properties={},
        elements=[],
        relationships=[],
        views=[],
        warnings=[],
        files=files,
    )


def add_property(
    props: dict[str, Scalar],
    key: str,
    value: Scalar,
    *,
    warn: list[ReportWarning],
    subject: str,
    file: str | None,
    line: int | None,
) -> None:
    """Add a property; a repeated key is kept as "key#2" rather than overwriting the first.

    A property without a key (Archi keeps an empty `<property/>`, and its CSV export
    writes it as a row with an empty Key) has nothing to be stored under: it is skipped
    with a warning naming the property's own file and line, and the model is kept.
    """
    if not key.strip():
        shown = f" (value {value!r} not kept)" if value not in (None, "") else ""
        warn.append(
            ReportWarning(
                "property-without-key",
                f"{subject} has a property without a key; skipped{shown}",
                file=file,
                line=line,
                subject=subject,
            )
        )
        return
    if key not in props:
        props[key] = value
        return
    n = 2
    while f"{key}#{n}" in props:
        n += 1
    props[f"{key}#{n}"] = value
    warn.append(
        ReportWarning(
            "property-repeated",
            f"{subject} has property {key!r} more than once; the repeat is kept as '{key}#{n}'",
            file=file,
            line=line,
            subject=subject,
        )
    )


def encode_folder(path: list[str]) -> str:
    """A folder path as one property value: names joined by "/", each "/" and "%" escaped."""
    return "/".join(p.replace("%", "%25").replace("/", "%2F") for p in path)


def decode_folder(text: str) -> list[str]:
    if not text:
        return []
    return [p.replace("%2F", "/").replace("%25", "%") for p in text.split("/")]
