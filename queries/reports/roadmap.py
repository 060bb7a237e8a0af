"""The roadmap report: each plateau's impact, health and top bottlenecks, and what changed
from the step before. CSV: one row per step (`COLUMNS`)."""

from __future__ import annotations

from collections.abc import Sequence

from queries import roadmap as rm
from queries.reports.document import Header, Legend, markdown
from queries.reports.text import Cell, csv_table, md, md_table, number

TITLE = "Roadmap"

COLUMNS: tuple[tuple[str, str], ...] = (
    ("step", "0 for today, then one per effective date"),
    ("date", "the step's day"),
    ("overdue", "due before today, not applied"),
    ("scenarios", "the scenarios the step adds, '; '"),
    ("problems", "scenarios left out because they no longer apply, '; '"),
    ("health_score", "0 to 100; empty: no check applies"),
    ("health_delta", "against the step before"),
    ("findings_resolved", "health findings gone since the step before"),
    ("findings_introduced", "health findings new since the step before"),
    ("impact_streams", "value streams the chosen element affects; empty: none chosen"),
    ("impact_affected", "everything it affects"),
    ("top_bottleneck", "the first of the ranking"),
    ("top_score", "its score"),
)

LEGEND: Legend = (
    ("Step", "a plateau: the model with every scenario due by its date applied, in order."),
    ("Resolved / introduced", "health findings gone / new since the step before."),
    ("Overdue", "a scenario due before today that is not applied to the model yet."),
)


def asked(result: rm.Roadmap) -> list[tuple[str, str]]:
    return [
        ("Question", "what does the model look like at each planned step?"),
        ("Today", result.today),
        ("Impact of", md(str(result.element)) if result.element else "(none)"),
        ("Bottlenecks listed", str(result.limit)),
    ]


def _counts(step: rm.RoadmapStep) -> tuple[int, int]:
    change = step.health_change
    if change is None:
        return 0, 0
    return sum(len(c.resolved) for c in change.checks), sum(
        len(c.introduced) for c in change.checks
    )


def rows(result: rm.Roadmap) -> list[Sequence[Cell]]:
    out: list[Sequence[Cell]] = []
    for s in result.steps:
        resolved, introduced = _counts(s)
        top = s.bottlenecks[0] if s.bottlenecks else None
        out.append(
            [
                s.index,
                s.date,
                s.overdue,
                "; ".join(s.scenarios),
                "; ".join(s.problems),
                s.health_score,
                s.health_change.score_delta if s.health_change else None,
                resolved,
                introduced,
                s.impact.stream_count if s.impact else None,
                s.impact.affected_count if s.impact else None,
                top.element.name if top else None,
                top.score if top else None,
            ]
        )
    return out


def to_csv(result: rm.Roadmap) -> str:
    return csv_table([name for name, _ in COLUMNS], rows(result))


def _step(s: rm.RoadmapStep) -> str:
    title = "today" if s.index == 0 else ", ".join(s.scenarios) or "(nothing applies)"
    lines = [f"## Step {s.index}: {s.date} ({md(title)})" + (" (overdue)" if s.overdue else "")]
    if s.problems:
        lines.append("Left out: " + md("; ".join(s.problems)))
    delta = s.health_change.score_delta if s.health_change else None
    lines.append(
        f"Health {number(s.health_score)}"
        + (f" ({delta:+g})" if delta else "")
        + (
            f"; impact: {s.impact.stream_count} value stream(s), "
            f"{s.impact.affected_count} element(s)"
            if s.impact
            else ""
        )
    )
    if s.health_change:
        changed = [
            [
                md(c.title),
                md(", ".join(r.name for r in c.resolved)),
                md(", ".join(r.name for r in c.introduced)),
            ]
            for c in s.health_change.checks
            if c.resolved or c.introduced
        ]
        if changed:
            lines.append(md_table(["Check", "Resolved", "Introduced"], changed))
    if s.bottlenecks:
        lines.append(
            md_table(
                ["Rank", "Score", "Streams", "Bottleneck"],
                [
                    [str(b.rank), number(b.score), str(b.stream_count), md(b.element.name)]
                    for b in s.bottlenecks
                ],
                right=3,
            )
        )
    return "\n\n".join(lines)


def to_markdown(result: rm.Roadmap, header: Header) -> str:
    return markdown(header, LEGEND, [_step(s) for s in result.steps])
