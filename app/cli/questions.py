"""`valuegraph impact`, `depends-on`, `path`, `bottlenecks` and `health`: the questions asked
of the model, printed as tables and trees (or as JSON, or as reports to hand over)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.markdown import Markdown
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from app.cli.shared import (
    JsonOpt,
    OutputOpt,
    PropagationOpt,
    ReportOpt,
    answer_console,
    ask,
    hand_over,
    print_json,
    report_format,
    walk_parameters,
)
from queries import bottlenecks as bn
from queries import health as hl
from queries import impact as im
from queries.reports import questions as reports

app = typer.Typer()


@app.command("impact")
@walk_parameters
def impact(
    element: Annotated[str, typer.Argument(help="Element id or exact name.")],
    walk: im.WalkOptions,
    as_json: JsonOpt = False,
    report: ReportOpt = None,
    output: OutputOpt = None,
) -> None:
    """What a change to ELEMENT affects: value streams with their explaining paths, and who
    to notify."""
    if fmt := report_format(report, output, as_json):
        hand_over(ask(reports.impact_report, element, walk, fmt), output)
        return
    result = ask(im.impact, element, walk)
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
    as_json: JsonOpt = False,
) -> None:
    """What ELEMENT depends on: its dependency tree, to a depth."""
    result = ask(im.depends_on, element, walk)
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    root = Tree(f"[bold]{escape(str(result.element))}[/bold]")
    branches: dict[str, Tree] = {result.element.id: root}
    # Breadth-first order guarantees each parent is placed before its children.
    for dep in result.dependencies:
        last = dep.path[-1]
        rel = last.relationship + (f":{last.original_type}" if last.original_type else "")
        arrow = f"-[{rel}]->" if last.stored_forward else f"<-[{rel}]-"
        parent = branches[last.from_element.id]
        branches[dep.element.id] = parent.add(escape(f"{arrow} {dep.element}"))
    out = answer_console()
    out.print(root)
    out.print(f"{len(result.dependencies)} dependencies within {result.max_depth} hop(s)")


@app.command("path")
@walk_parameters
def path(
    source: Annotated[str, typer.Argument(help="Element id or exact name.")],
    target: Annotated[str, typer.Argument(help="Element id or exact name.")],
    walk: im.WalkOptions,
    as_json: JsonOpt = False,
) -> None:
    """A shortest dependency path between SOURCE and TARGET, in either direction."""
    result = ask(im.dependency_path, source, target, walk)
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
) -> None:
    """Teams and platforms ranked by coordination load, and where they cluster."""
    config = bn.BottleneckConfig(seed=seed, horizon=horizon)
    if fmt := report_format(report, output, as_json):
        made = ask(
            reports.bottlenecks_report, fmt, limit=limit, config=config, overrides=propagation
        )
        hand_over(made, output)
        return
    result = ask(bn.bottlenecks, limit=limit, config=config, overrides=propagation)
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
            help="The day lifecycle dates are read against (YYYY-MM-DD); default today.",
        ),
    ] = None,
) -> None:
    """Operating-model health: each check with its score and offending elements."""
    if fmt := report_format(report, output, as_json or markdown):
        made = ask(
            reports.health_report,
            fmt,
            max_streams_per_team=max_streams_per_team,
            overrides=propagation,
            today=today.date() if today else None,
        )
        hand_over(made, output)
        return
    result = ask(
        hl.health,
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
