"""Files uploaded together (REST or GraphQL): every one was chosen, so every one is imported.

A folder given to the CLI is a repository, where files of no model are expected and
skipped; an upload has none of those. Several files make one model only as the CSV files
of one Archi export or as Backstage YAML files; anything else is refused rather than
imported in part.
"""

from __future__ import annotations

from pathlib import Path

from importers.errors import ImportFailure
from importers.formats import detect_format

MULTI_FILE_FORMATS = ("csv", "backstage")


def refuse_mixed(files: list[Path]) -> None:
    """Refuse several uploaded files unless they are one model of a multi-file format."""
    if len(files) < 2:
        return
    formats = {f.name: detect_format(f) for f in files}
    kinds = set(formats.values())
    if len(kinds) == 1 and kinds <= set(MULTI_FILE_FORMATS):
        return
    listed = ", ".join(f"{name} ({kind})" for name, kind in formats.items())
    raise ImportFailure(
        f"these files cannot be imported together: {listed}",
        hint="import each model on its own; files go together only as the CSV files of one "
        "Archi export or as Backstage catalog YAML files",
    )
