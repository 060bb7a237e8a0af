"""What an import reports back: a refusal (`ImportFailure`) or a `ReportWarning`.

Both name the file and, where the parser knows it, the line, so an architect can open
the file at the right place; a failure also says what to do about it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ImportFailure(Exception):
    """The import was refused; nothing was written.

    Named so that it does not shadow the builtin `ImportError`.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        hint: str | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.hint = hint
        self.details = details or []
        super().__init__(self.render())

    def render(self) -> str:
        where = self.file or ""
        if self.line is not None:
            where = f"{where}:{self.line}" if where else f"line {self.line}"
        text = f"{where}: {self.message}" if where else self.message
        return f"{text} — {self.hint}" if self.hint else text

    def as_dict(self) -> dict[str, Any]:
        return {
            "msg": self.message,
            "file": self.file,
            "line": self.line,
            "hint": self.hint,
            "details": self.details,
        }


class ImportTooLarge(ImportFailure):
    """The input is over the configured size limit."""


@dataclass(frozen=True)
class ReportWarning:
    """Something the import skipped or changed, listed in the report instead of dropped."""

    code: str
    message: str
    file: str | None = None
    line: int | None = None
    subject: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "msg": self.message,
            "file": self.file,
            "line": self.line,
            "subject": self.subject,
        }

    def render(self) -> str:
        where = self.file or ""
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}" if where else self.message
