"""The health report: each operating-model check with its score and offending elements.
Its findings are `queries.health.health_markdown`, the text every surface shows. CSV: one
row per finding, and one per check without findings, so every score is in the table
(`COLUMNS`)."""

from __future__ import annotations

from collections.abc import Sequence

from queries import health as hl
from queries.reports.document import Header, Legend, markdown, propagation_asked
from queries.reports.text import Cell, csv_table

TITLE = "Operating-model health"

COLUMNS: tuple[tuple[str, str], ...] = (
    ("check_id", "the check's id"),
    ("check_title", "what it checks"),
    ("check_score", "0 to 100, the share of what it looks at that passes; empty: not applicable"),
    ("check_passed", "true when nothing offends"),
    ("offending", "how many offend"),
    ("population", "how many it looks at"),
    ("element_id", "an offending element's id; empty on the row of a check without findings"),
    ("element_name", "its name"),
    ("element_type", "its type"),
    ("detail", "what is wrong with it"),
    ("related", "the elements the finding concerns (e.g. the streams it cuts off), '; '"),
)

LEGEND: Legend = (
    ("Score", "of a check, 0 to 100: the share of the elements it looks at that pass."),
    ("Overall score", "the plain mean of the applicable checks' scores."),
    ("Not applicable", "a check with nothing to look at; left out of the overall score."),
    ("Offending", "how many of the elements a check looks at fail it."),
    ("Of", "how many elements the check looks at."),
)


def asked(report: hl.HealthReport, overrides: Sequence[str] | None) -> list[tuple[str, str]]:
    return [
        ("Question", "how healthy is the operating model: is it real, or only in the deck?"),
        (
            "Overloaded",
            f"teams serving more than {report.max_streams_per_team} value stream(s)",
        ),
        ("Propagation overrides", propagation_asked(overrides)),
    ]


def to_markdown(report: hl.HealthReport, header: Header) -> str:
    return markdown(header, LEGEND, [hl.health_markdown(report, level=2)])


def rows(report: hl.HealthReport) -> list[Sequence[Cell]]:
    out: list[Sequence[Cell]] = []
    for c in report.checks:
        check: list[Cell] = [c.id, c.title, c.score, c.passed, c.offending, c.population]
        out += [
            [
                *check,
                f.element.id,
                f.element.name,
                f.element.type,
                f.detail,
                "; ".join(r.name for r in f.related),
            ]
            for f in c.findings
        ] or [[*check, None, None, None, None, None]]
    return out


def to_csv(report: hl.HealthReport) -> str:
    return csv_table([name for name, _ in COLUMNS], rows(report))
