"""The import formats: which there are, which parser reads each, and telling them apart.

`detect_format` looks at a file's or folder's name and first bytes; `input_files` lists
what a format reads of a path, and `checksum` fingerprints those files for the run record.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from importers.archi import parse_archi
from importers.archi_csv import find_csv_files, parse_archi_csv
from importers.archive import is_archive
from importers.backstage import YAML_SUFFIXES, catalog_files, parse_backstage
from importers.errors import ImportFailure
from importers.exchange import parse_exchange
from importers.raw import RawModel

FORMATS = ("exchange", "archi", "csv", "backstage")
FAMILY = {
    "exchange": "archimate",
    "archi": "archimate",
    "csv": "archimate",
    "backstage": "backstage",
}
PARSERS: dict[str, Callable[..., RawModel]] = {
    "exchange": parse_exchange,
    "archi": parse_archi,
    "csv": parse_archi_csv,
    "backstage": parse_backstage,
}
# The parsers that read rows the mapping memo holds without their children (`known=`).
SKIMMING = frozenset({"exchange"})


def detect_format(path: Path) -> str:
    """The format of a file or folder, from its name and first bytes."""
    if not path.exists():
        raise ImportFailure("no such file or folder", file=path, hint="check the path")
    if path.is_dir():
        if any(p.name.lower().endswith("elements.csv") for p in path.iterdir()):
            return "csv"
        if any(p.suffix.lower() in YAML_SUFFIXES for p in path.rglob("*")):
            return "backstage"
        raise ImportFailure(
            "cannot tell the format of this folder (no elements.csv, no .yaml files)",
            file=path,
            hint="pass a model file, or --format",
        )
    name = path.name.lower()
    if name.endswith(".csv"):
        return "csv"
    if path.suffix.lower() in YAML_SUFFIXES:
        return "backstage"
    with path.open("rb") as stream:
        head = stream.read(4096)
    # Archi saves a model holding images as a zip archive; its first Archi namespace too.
    if is_archive(head) or b"http://www.bolton.ac.uk/archimate" in head:
        return "archi"
    if b"http://www.archimatetool.com/archimate" in head:
        return "archi"
    if b"opengroup.org/xsd/archimate" in head:
        return "exchange"
    if name.endswith(".archimate"):
        return "archi"
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"<"):
        return "exchange"  # the exchange reader names what is wrong with the XML
    if b"apiVersion" in head and b"kind" in head:
        return "backstage"
    if text.startswith((b'"ID"', b"ID,", b"ID;", b"ID\t")):
        return "csv"
    raise ImportFailure(
        "cannot tell the format of this file",
        file=path,
        hint="pass --format exchange, archi, csv or backstage",
    )


def input_files(path: Path, fmt: str) -> list[Path]:
    if fmt == "csv":
        return [p for p in find_csv_files(path) if p is not None]
    if fmt == "backstage":
        return catalog_files(path)
    if path.is_dir():
        raise ImportFailure(
            f"a {fmt} model is one file, not a folder", file=path, hint="pass the file"
        )
    return [path]


def checksum(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.name.encode("utf-8") + b"\0")
        with file.open("rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
    return f"sha256:{digest.hexdigest()}"
