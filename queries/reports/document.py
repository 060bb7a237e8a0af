"""The frame every report shares: its formats and file name, when it was generated, and the
Markdown around the findings (title, date, model, what was asked, legend)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from queries.reports.model import ModelSummary
from queries.reports.text import md, md_code, md_table


class ReportFormat(StrEnum):
    MD = "md"
    CSV = "csv"


MEDIA_TYPES = {
    ReportFormat.MD: "text/markdown; charset=utf-8",
    ReportFormat.CSV: "text/csv; charset=utf-8",
}


@dataclass(frozen=True)
class Report:
    """A rendered report: its text, and the file name and media type to hand it over as."""

    name: str  # the file name without its suffix
    format: ReportFormat
    text: str

    @property
    def filename(self) -> str:
        return f"{self.name}.{self.format.value}"

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]


def file_name(question: str, *about: str, at: datetime) -> str:
    """A file name safe on every system and in a Content-Disposition header:
    `impact-plat-core-20261206-2354`."""
    parts = [question, *about, at.strftime("%Y%m%d-%H%M")]
    slug = "-".join(re.sub(r"[^a-z0-9]+", "-", p.lower()).strip("-") for p in parts)
    return re.sub(r"-{2,}", "-", slug)[:120].strip("-")


def generated_at(env: Mapping[str, str] | None = None) -> datetime:
    """Now, to the second, in UTC; or SOURCE_DATE_EPOCH when set (the reproducible-builds
    convention), so that a report can be made again byte for byte."""
    epoch = (os.environ if env is None else env).get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class Header:
    """What a report opens with. `asked` pairs a question's parameter with its value, both
    Markdown already (escape names with `text.md`)."""

    title: str
    generated_at: datetime
    model: ModelSummary
    asked: Sequence[tuple[str, str]]


Legend = Sequence[tuple[str, str]]  # a term, and what it means (Markdown)


def when(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def markdown(header: Header, legend: Legend, findings: Sequence[str]) -> str:
    """The report: title, date, model, what was asked, legend, then the findings (blocks of
    Markdown, each opening with its own `##` heading)."""
    m = header.model
    sources = md_table(
        ["Source", "Elements", "Last imported"],
        [
            [
                md(s.source) if s.source is not None else "(made through the API or CLI)",
                str(s.elements),
                md(s.last_import) if s.last_import else "not recorded",
            ]
            for s in m.sources
        ],
    )
    blocks = [
        f"# {md(header.title)}",
        f"Generated {when(header.generated_at)} by valuegraph.",
        "## Model",
        f"{m.elements} elements and {m.relationships} relationships "
        f"(revision {md_code(m.revision)}), from {len(m.sources)} source(s):",
        sources,
        "## What was asked",
        md_table(["Parameter", "Value"], [[k, v] for k, v in header.asked]),
        "## Legend",
        "\n".join(f"- **{term}**: {meaning}" for term, meaning in legend),
        *findings,
    ]
    return "\n\n".join(b.rstrip("\n") for b in blocks) + "\n"


def propagation_asked(overrides: Sequence[str] | Mapping[str, str] | None) -> str:
    """How the propagation table was overridden for the question, as Markdown."""
    if not overrides:
        return "none (the table in force)"
    items = overrides.items() if isinstance(overrides, Mapping) else None
    pairs = [f"{k}={v}" for k, v in items] if items is not None else list(overrides)
    return ", ".join(md_code(p) for p in pairs)
