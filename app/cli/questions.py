"""`valuegraph impact`, `depends-on`, `path`, `bottlenecks` and `health`: the questions asked
of the model, printed as tables and trees (or as JSON, or as reports to hand over)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import typer
from rich.markdown import Markdown
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from app.cli.shared import (
    AsOfOpt,
    AtOpt,
    JsonOpt,
    OutputOpt,
    PropagationOpt,
    ReportOpt,
    answer_console,
    ask,
    day_of,
    fail,
    hand_over,
    moment_of,
    print_json,
    report_format,
    walk_parameters,
)
from queries import bottlenecks as bn
from queries import health as hl
from queries import impact as im
from queries import over_time as ot
from queries.moment import Moment
from queries.reports import questions as reports

app = typer.Typer()

TrendOpt = Annotated[
    bool, typer.Option("--trend", help="Answer for a series of dates (--since, --every).")
]
EveryOpt = Annotated[ot.Every, typer.Option(help="With --trend: one point per day, week or month.")]
SinceOpt = Annotated[
    str | None, typer.Option(help="With --trend: the first date (YYYY-MM-DD); required.")
]
UntilOpt = Annotated[
    str | None,
    typer.Option(
        help="With --trend: the last date at most (default today); dates after today are "
        "the planned model on that day, by lifecycle dates."
    ),
]


def _present_only(moment: Moment) -> None:
    if not moment.present:
        fail("--format reports answer for the present model: leave out --as-of and --at", 2)


def _trend_range(
    since: str | None,
    until: str | None,
    moment: Moment,
    report: object,
    output: object,
) -> tuple[date, date | None]:
    """The dates of a --trend, checked before Neo4j."""
    if since is None:
        fail("--trend needs --since DATE (YYYY-MM-DD)", 2)
    if not moment.present or report is not None or output is not None:
        fail("--trend is an answer of its own: leave out --as-of, --at and --format", 2)
    return day_of(since, "since"), day_of(until, "until") if until else None


def _day(point: ot.HealthPoint | ot.BottleneckPoint) -> str:
    return f"{point.day.isoformat()} (planned)" if point.planned else point.day.isoformat()


def _print_health_trend(trend: ot.HealthTrend, as_json: bool) -> None:
    if as_json:
        print_json(trend.model_dump(mode="json"))
        return
    table = Table("day", "score", "offending", *(c.id for c in trend.points[0].checks))
    for p in trend.points:
        table.add_row(
            _day(p),
            "-" if p.score is None else f"{p.score:g}",
            str(p.offending),
            *("-" if c.score is None else f"{c.score:g}" for c in p.checks),
        )
    answer_console().print(table)


def _print_bottleneck_trend(trend: ot.BottleneckTrend, as_json: bool) -> None:
    if as_json:
        print_json(trend.model_dump(mode="json"))
        return
    table = Table("day", *(f"#{i}" for i in range(1, trend.limit + 1)))
    for p in trend.points:
        names = [f"{r.element.name} ({r.score:g})" for r in p.ranking]
        table.add_row(_day(p), *(escape(n) for n in names), *[""] * (trend.limit - len(names)))
    answer_console().print(table)


@app.command("impact")
@walk_parameters
def impact(
    element: Annotated[str, typer.Argument(help="Element id or exact name.")],
    walk: im.WalkOptions,
    as_json: JsonOpt = False,
    report: ReportOpt = None,
    output: OutputOpt = None,
    as_of: AsOfOpt = None,
    at: AtOpt = None,
) -> None:
    """What a change to ELEMENT affects: value streams with their explaining paths, and who
    to notify."""
    moment = moment_of(as_of, at)
    if fmt := report_format(report, output, as_json):
        _present_only(moment)
        hand_over(ask(reports.impact_report, element, walk, fmt), output)
        return
    if moment.present:
        result = ask(im.impact, element, walk)
    else:
        result = ask(ot.walk_impact, moment, element, walk).result()
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    out = answer_console()
    out.print(
        f"A change to [bold]{escape(str(result.element))}[/bold] affects "
        f"{len(result.streams)} value stream(s) within {result.max_depth} hop(s):"
    )
    table = Table("hops", "value stream", "why")
    for a in result.streams:
        table.add_row(str(a.distance), escape(a.element.name), escape(a.path_text))
    out.print(table)
    for title, items in (
        ("capabilities", result.capabilities),
        ("platforms", result.platforms),
        ("data assets", result.data_assets),
        ("other elements", result.other),
    ):
        if items:
            names = ", ".join(f"{a.element.name} ({a.distance})" for a in items)
            out.print(f"[bold]{len(items)} {title}[/bold] on the way: {escape(names)}")
    for title, notices in (
        ("Teams to notify", result.teams_to_notify),
        ("People to notify", result.people_to_notify),
    ):
        if notices:
            out.print(f"[bold]{title}:[/bold]")
            for n in notices:
                out.print(escape(f"  {n.element.name} ({n.element.id}): {n.reason}"))


@app.command("depends-on")
@walk_parameters
def depends_on(
    element: Annotated[str, typer.Argument(help="Element id or exact name.")],
    walk: im.WalkOptions,
    limit: Annotated[
        int | None,
        typer.Option(min=1, help="Show at most this many, nearest first (default: all)."),
    ] = None,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many nearest first.")] = 0,
    as_json: JsonOpt = False,
    as_of: AsOfOpt = None,
    at: AtOpt = None,
) -> None:
    """What ELEMENT depends on: its dependency tree, to a depth (nearest first; --limit and
    --offset show a page of it, and the total is always said)."""
    moment = moment_of(as_of, at)
    if moment.present:
        walked = ask(im.walk_dependencies, element, walk)
    else:
        walked = ask(ot.walk_dependencies, moment, element, walk)
    result = walked.result(offset, limit)
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    root = Tree(f"[bold]{escape(str(result.element))}[/bold]")
    branches: dict[str, Tree] = {result.element.id: root}
    # Nearest first places each parent before its children; one outside the page shown
    # leaves its child under the root, with the whole path.
    for dep in result.dependencies:
        last = dep.path[-1]
        rel = last.relationship + (f":{last.original_type}" if last.original_type else "")
        arrow = f"-[{rel}]->" if last.stored_forward else f"<-[{rel}]-"
        parent = branches.get(last.from_element.id)
        label = f"{arrow} {dep.element}" if parent else f"{dep.element}: {dep.path_text}"
        branches[dep.element.id] = (parent or root).add(escape(label))
    out = answer_console()
    out.print(root)
    shown = len(result.dependencies)
    counted = (
        f"{result.total:,}"
        if shown == result.total
        else f"{shown:,} (from {offset + 1:,}, nearest first) of {result.total:,}"
    )
    out.print(f"{counted} dependencies within {result.max_depth} hop(s)")


@app.command("path")
@walk_parameters
def path(
    source: Annotated[str, typer.Argument(help="Element id or exact name.")],
    target: Annotated[str, typer.Argument(help="Element id or exact name.")],
    walk: im.WalkOptions,
    as_json: JsonOpt = False,
    as_of: AsOfOpt = None,
    at: AtOpt = None,
) -> None:
    """A shortest dependency path between SOURCE and TARGET, in either direction."""
    moment = moment_of(as_of, at)
    if moment.present:
        result = ask(im.dependency_path, source, target, walk)
    else:
        result = ask(ot.dependency_path, moment, source, target, walk)
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    out = answer_console()
    out.print(escape(result.explanation))
    for i, step in enumerate(result.steps, start=1):
        out.print(escape(f"  {i}. {step.text}"))


@app.command("bottlenecks")
def bottlenecks(
    limit: Annotated[int, typer.Option(min=1, help="How many to rank.")] = 20,
    seed: Annotated[int, typer.Option(help="Seed for community detection.")] = bn.DEFAULT_SEED,
    horizon: Annotated[
        int, typer.Option(min=1, help="Hops within which a stream counts as dependent.")
    ] = 2,
    propagation: PropagationOpt = None,
    as_json: JsonOpt = False,
    report: ReportOpt = None,
    output: OutputOpt = None,
    as_of: AsOfOpt = None,
    at: AtOpt = None,
    trend: TrendOpt = False,
    every: EveryOpt = ot.Every.MONTH,
    since: SinceOpt = None,
    until: UntilOpt = None,
) -> None:
    """Teams and platforms ranked by coordination load, and where they cluster (with
    --trend: the top of the ranking at each date of a series)."""
    config = bn.BottleneckConfig(seed=seed, horizon=horizon)
    moment = moment_of(as_of, at)
    if trend:
        start, end = _trend_range(since, until, moment, report, output)
        ranked = ask(
            ot.bottleneck_trend,
            since=start,
            until=end,
            every=every,
            limit=limit,
            config=config,
            overrides=propagation,
        )
        _print_bottleneck_trend(ranked, as_json)
        return
    if fmt := report_format(report, output, as_json):
        _present_only(moment)
        made = ask(
            reports.bottlenecks_report, fmt, limit=limit, config=config, overrides=propagation
        )
        hand_over(made, output)
        return
    if moment.present:
        result = ask(bn.bottlenecks, limit=limit, config=config, overrides=propagation)
    else:
        result = ask(ot.bottlenecks, moment, limit=limit, config=config, overrides=propagation)
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    out = answer_console()
    by_streams = result.ranked_by == bn.RANKED_BY_STREAMS
    if not by_streams:
        out.print("No value streams in the model: ranked by the elements that depend on each.")
    reach = "streams" if by_streams else "dependents"
    table = Table("#", "score", "element", "type", reach, "pairs", "betweenness", "load")
    for b in result.bottlenecks:
        load = f"{b.team.load:.2f}{' !' if b.team.overloaded else ''}" if b.team else ""
        table.add_row(
            str(b.rank),
            f"{b.score:g}",
            escape(b.element.name),
            b.element.type,
            f"{b.stream_count}/{result.stream_total}" if by_streams else str(b.dependents),
            str(b.cross_stream_pairs),
            f"{b.betweenness:.3f}",
            load,
        )
    out.print(table)
    out.print(f"[dim]{result.formula}[/dim]")
    out.print("[bold]Where they cluster:[/bold]")
    for c in result.clusters:
        out.print(escape(f"  {c.id}: {c.explanation}"))


@app.command("health")
def health(
    max_streams_per_team: Annotated[
        int, typer.Option(min=1, help="Teams serving more streams than this are overloaded.")
    ] = hl.DEFAULT_MAX_STREAMS_PER_TEAM,
    markdown: Annotated[
        bool,
        typer.Option(
            "--markdown", help="Print the findings as raw Markdown (--format md: as a report)."
        ),
    ] = False,
    propagation: PropagationOpt = None,
    as_json: JsonOpt = False,
    report: ReportOpt = None,
    output: OutputOpt = None,
    today: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="The day lifecycle dates are read against (YYYY-MM-DD); default today "
            "(or the day of --at / --as-of).",
        ),
    ] = None,
    as_of: AsOfOpt = None,
    at: AtOpt = None,
    trend: TrendOpt = False,
    every: EveryOpt = ot.Every.MONTH,
    since: SinceOpt = None,
    until: UntilOpt = None,
) -> None:
    """Operating-model health: each check with its score and offending elements (with
    --trend: the scores at each date of a series)."""
    moment = moment_of(as_of, at)
    if trend:
        start, end = _trend_range(since, until, moment, report, output)
        points = ask(
            ot.health_trend,
            since=start,
            until=end,
            every=every,
            max_streams_per_team=max_streams_per_team,
            overrides=propagation,
        )
        _print_health_trend(points, as_json)
        return
    if fmt := report_format(report, output, as_json or markdown):
        _present_only(moment)
        made = ask(
            reports.health_report,
            fmt,
            max_streams_per_team=max_streams_per_team,
            overrides=propagation,
            today=today.date() if today else None,
        )
        hand_over(made, output)
        return
    if moment.present:
        result = ask(
            hl.health,
            max_streams_per_team=max_streams_per_team,
            overrides=propagation,
            today=today.date() if today else None,
        )
    else:
        result = ask(
            ot.health,
            moment,
            max_streams_per_team=max_streams_per_team,
            overrides=propagation,
            today=today.date() if today else None,
        )
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    text = hl.health_markdown(result)
    if markdown:
        typer.echo(text, nl=False)
    else:
        answer_console().print(Markdown(text))
