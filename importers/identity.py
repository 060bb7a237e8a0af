"""One identity for an ArchiMate model and its ids, whichever of Archi's formats it is read from.

Archi keeps an id as it was made: `id-` and 32 hex digits since Archi 4, but models begun
in older versions keep ids such as `1234` or bare UUIDs, which may start with a digit.
Its `.archimate` files and its CSV export write every id as held. Its exchange export
does not: an XML identifier may not start with a digit, so it writes `id-` before such
an id (`XMLModelExporter.checkID`), the model's own id included, and Archi keeps that
spelling when it opens the exchange file again.

The canonical spelling is the exchange one: `1234` in a `.archimate` or CSV file and
`id-1234` in the exchange file are one id, `id-1234`, for elements, relationships, views,
relationship ends and the source key (`archimate:id-1234`). It is a valid XML name, so an
export writes it back unchanged, and it is what Archi holds once the model has been
through an exchange file. Ids that start with a letter (every id Archi makes today)
are not touched.

`exchange_identifier` is the other direction, for the export: a graph id as an XML
identifier, by the same convention, so importing the export gives the same ids.
"""

from __future__ import annotations

import re

# What Archi puts before an id that starts with a digit (`UUIDFactory.PREFIX`).
ARCHI_PREFIX = "id-"
SOURCE_PREFIX = "archimate:"
# An XML name without a colon (NCName), as far as Python's character classes tell it:
# a letter or "_" first, then letters, digits, "_", "." and "-".
_NCNAME = re.compile(r"^[^\W\d][\w.\-]*$")
_NCNAME_CHAR = re.compile(r"[\w.\-]")


def archimate_id(ident: str) -> str:
    """The canonical spelling of an id read from an ArchiMate file: Archi's exchange one,
    `id-` before an id that starts with a digit (as Java's `Character.isDigit` sees it)."""
    return ARCHI_PREFIX + ident if ident[:1].isdecimal() else ident


def archimate_source(model_id: str, file_name: str) -> str:
    """The source key of an ArchiMate model: its id, canonically spelled; the file's name
    when the model has no id (renaming the file then makes a new source)."""
    if model_id:
        return f"{SOURCE_PREFIX}{archimate_id(model_id)}"
    return f"{SOURCE_PREFIX}file:{file_name}"


def is_xml_name(ident: str) -> bool:
    return bool(_NCNAME.match(ident))


def exchange_identifier(ident: str) -> str:
    """An id as an exchange-file identifier: as it is when it is an XML name; else
    every character an XML name cannot hold written as `_XX_` (its code point in hex,
    `app:core` → `app_3A_core`: readable, and the same on every export), and Archi's
    `id-` before it when its first character may not start one (`1234` → `id-1234`)."""
    if is_xml_name(ident):
        return ident
    escaped = "".join(c if _NCNAME_CHAR.match(c) else f"_{ord(c):X}_" for c in ident)
    return escaped if is_xml_name(escaped) else ARCHI_PREFIX + escaped
