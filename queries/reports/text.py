"""Markdown and CSV text: escaping element names into Markdown, tables, and CSV cells that a
spreadsheet will not run as formulas. A leaf: it imports nothing from the project."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

# Punctuation that would start emphasis, code, a link, raw HTML or a table cell in CommonMark.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
# What a spreadsheet may take as the start of a formula (OWASP's CSV injection list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | bool | None


def md(text: str) -> str:
    """TEXT as literal Markdown on one line: special characters escaped, line breaks spaced."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.splitlines()))


def md_code(text: str) -> str:
    """TEXT as a code span (an id, a path): backticks inside get a longer fence, and a pipe
    is escaped, which a table needs even inside code (GitHub's tables)."""
    text = " ".join(text.splitlines()).replace("|", "\\|")
    fence = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def md_table(headers: Sequence[str], rows: Iterable[Sequence[str]], *, right: int = 0) -> str:
    """A Markdown table; cells are Markdown already (escape them with `md`). The first
    `right` columns are right-aligned (numbers)."""
    align = ["---:" if i < right else "---" for i in range(len(headers))]
    lines = [_row(headers), _row(align)]
    lines += [_row(r) for r in rows]
    return "\n".join(lines)


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(c if c else " " for c in cells) + " |"


def number(value: float | None, missing: str = "n/a") -> str:
    """A number as people read it: 12, 0.5, 83.4; `missing` for None."""
    return missing if value is None else f"{value:g}"


def csv_cell(value: Cell) -> str:
    """A CSV cell. Text a spreadsheet would run as a formula gets a leading apostrophe,
    which spreadsheets show as text; numbers stay numbers (a negative delta is no formula)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_table(columns: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    """RFC 4180 CSV: a header row, then the rows; fields quoted where they need it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        if len(row) != len(columns):
            raise ValueError(f"a row of {len(row)} cells under {len(columns)} columns")
        writer.writerow([csv_cell(c) for c in row])
    return out.getvalue()
