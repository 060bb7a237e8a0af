"""`valuegraph measures STREAM`, `valuegraph investment STREAM` and `valuegraph roadmap`: the
model over time (`queries.measures`, `queries.investment`, `queries.roadmap`), as REST and
GraphQL show it."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from app.cli.shared import (
    DepthOpt,
    JsonOpt,
    OutputOpt,
    PropagationOpt,
    ReportOpt,
    answer_console,
    ask,
    hand_over,
    print_json,
    report_format,
)
from queries import health as hl
from queries import impact as im
from queries import investment as iv
from queries import measures as ms
from queries import roadmap as rm
from queries.reports import questions as reports

app = typer.Typer()

StreamArg = Annotated[str, typer.Argument(help="The value stream (id or name).")]


def _n(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _measures_table(series: list[ms.MeasureSeries]) -> Table:
    table = Table("measure", "trend", "change", "last", "target", "values (date: value)")
    for m in series:
        table.add_row(
            escape(m.measure.name),
            m.trend.value,
            _n(m.change),
            _n(m.points[-1].value if m.points else m.current),
            _n(m.target),
            escape(", ".join(f"{p.date}: {p.value:g}" for p in m.points)),
        )
    return table


@app.command()
def measures(stream: StreamArg, as_json: JsonOpt = False) -> None:
    """Each measure of a value stream: its values over time against target, and the trend."""
    result = ask(ms.stream_measures, stream)
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    out = answer_console()
    out.print(f"[bold]Measures of {escape(str(result.stream))}[/bold]")
    out.print(_measures_table(result.measures))


@app.command()
def investment(
    stream: StreamArg,
    as_json: JsonOpt = False,
    report: ReportOpt = None,
    output: OutputOpt = None,
) -> None:
    """A value stream's funding lines over time beside its measures' trends."""
    if fmt := report_format(report, output, as_json):
        hand_over(ask(reports.investment_report, stream, fmt), output)
        return
    result = ask(iv.investment_view, stream)
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    out = answer_console()
    out.print(f"[bold]Investment to outcome: {escape(str(result.stream))}[/bold]")
    table = Table("investment", "type", "amount", "from", "until", "now")
    for x in result.lines:
        table.add_row(
            escape(x.investment.name),
            x.funding_type or "",
            _n(x.amount) + (f" {escape(x.currency)}" if x.currency else ""),
            x.start,
            x.end or "open",
            "yes" if x.standing else "removed",
        )
    out.print(table)
    out.print(
        "Funding over time: "
        + (", ".join(f"{f.date}: {f.total:g}" for f in result.funding) or "none recorded")
    )
    out.print(_measures_table(result.measures))


@app.command()
def roadmap(
    element: Annotated[
        str | None, typer.Option("--element", "-e", help="Show the impact of this element.")
    ] = None,
    depth: DepthOpt = im.DEFAULT_MAX_DEPTH,
    limit: Annotated[int, typer.Option(min=1, help="Bottlenecks listed per step.")] = 10,
    max_streams_per_team: Annotated[
        int, typer.Option(min=1, help="Health: teams serving more streams are overloaded.")
    ] = hl.DEFAULT_MAX_STREAMS_PER_TEAM,
    propagation: PropagationOpt = None,
    as_json: JsonOpt = False,
    report: ReportOpt = None,
    output: OutputOpt = None,
) -> None:
    """The roadmap: today's model, then each effective date with the scenarios due by then
    applied, each step compared with the one before."""
    asked = dict(
        element=element,
        max_depth=depth,
        limit=limit,
        max_streams_per_team=max_streams_per_team,
        overrides=propagation,
    )
    if fmt := report_format(report, output, as_json):
        hand_over(ask(reports.roadmap_report, fmt, **asked), output)
        return
    result = ask(rm.roadmap, **asked)
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    out = answer_console()
    table = Table("step", "date", "scenarios", "health", "resolved", "introduced", "impact", "top")
    for s in result.steps:
        change = s.health_change
        table.add_row(
            str(s.index),
            s.date + (" (overdue)" if s.overdue else ""),
            escape("today" if s.index == 0 else ", ".join(s.scenarios))
            + (f" [red](left out: {escape('; '.join(s.problems))})[/red]" if s.problems else ""),
            _n(s.health_score)
            + (f" ({change.score_delta:+g})" if change and change.score_delta else ""),
            str(sum(len(c.resolved) for c in change.checks)) if change else "-",
            str(sum(len(c.introduced) for c in change.checks)) if change else "-",
            f"{s.impact.stream_count} stream(s)" if s.impact else "-",
            escape(s.bottlenecks[0].element.name) if s.bottlenecks else "-",
        )
    out.print(table)
