"""The investment-to-outcome report of one value stream: its funding over time beside its
measures' trends. CSV: one row per funding total and per measure value (`COLUMNS`)."""

from __future__ import annotations

from collections.abc import Sequence

from queries import investment as iv
from queries.reports.document import Header, Legend, markdown
from queries.reports.text import Cell, csv_table, md, md_table, number

TITLE = "Investment to outcome"

COLUMNS: tuple[tuple[str, str], ...] = (
    ("series", "funding (the stream's total) or measure"),
    ("name", "empty for funding; the measure's name"),
    ("date", "from this day (funding) or measured on it (measure)"),
    ("value", "the total, or the measured value"),
    ("target", "the measure's target then; empty for funding"),
    ("detail", "open funding lines, or the measure's trend"),
)

LEGEND: Legend = (
    ("Funding line", "a FUNDED\\_BY relationship of the stream, now or in its history."),
    ("Total", "from each day, the amount in force of every open line, added as given."),
    ("Trend", "a measure's first value against its last, by its direction."),
)


def asked(view: iv.InvestmentView) -> list[tuple[str, str]]:
    return [
        ("Question", "how does the stream's funding connect to its outcomes?"),
        ("Value stream", md(str(view.stream))),
        ("Currencies", md(", ".join(view.currencies)) or "(none given)"),
    ]


def rows(view: iv.InvestmentView) -> list[Sequence[Cell]]:
    out: list[Sequence[Cell]] = [
        ["funding", None, f.date, f.total, None, f"{f.lines} line(s)"] for f in view.funding
    ]
    for m in view.measures:
        out += [
            ["measure", m.measure.name, p.date, p.value, p.target, m.trend.value] for p in m.points
        ]
    return out


def to_csv(view: iv.InvestmentView) -> str:
    return csv_table([name for name, _ in COLUMNS], rows(view))


def to_markdown(view: iv.InvestmentView, header: Header) -> str:
    lines = md_table(
        ["Investment", "Type", "Amount", "From", "Until", "Now"],
        [
            [
                md(x.investment.name),
                md(x.funding_type or ""),
                number(x.amount, "") + (f" {md(x.currency)}" if x.currency else ""),
                x.start,
                x.end or "open",
                "yes" if x.standing else "removed",
            ]
            for x in view.lines
        ],
    )
    funding = md_table(
        ["From", "Total", "Lines"],
        [[f.date, number(f.total), str(f.lines)] for f in view.funding],
        right=0,
    )
    measures = md_table(
        ["Measure", "Trend", "Change", "Last", "Target", "Values (date: value)"],
        [
            [
                md(m.measure.name),
                m.trend.value,
                number(m.change),
                number(m.points[-1].value if m.points else m.current),
                number(m.target),
                md(", ".join(f"{p.date}: {p.value:g}" for p in m.points)),
            ]
            for m in view.measures
        ],
    )
    return markdown(
        header,
        LEGEND,
        [
            f"## Funding lines\n\n{lines}",
            f"## Funding over time\n\n{funding}",
            f"## Measures\n\n{measures}",
        ],
    )
