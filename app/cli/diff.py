"""`valuegraph diff`: what changed in the model between two moments, and what that did to
the questions (health, the bottleneck ranking, an element's impact)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from app.cli.shared import JsonOpt, PropagationOpt, answer_console, ask, fail, print_json
from queries import over_time as ot
from queries.moment import parse_instant

app = typer.Typer()


@app.command("diff")
def diff(
    from_: Annotated[
        str,
        typer.Option(
            "--from", help="The earlier moment: YYYY-MM-DD (its midnight, UTC) or an ISO time."
        ),
    ],
    to: Annotated[str | None, typer.Option("--to", help="The later moment (default now).")] = None,
    element: Annotated[
        str | None,
        typer.Option("--element", "-e", help="Also: the streams its impact reaches, then and now."),
    ] = None,
    limit: Annotated[
        int, typer.Option(min=1, help="Bottleneck ranks compared, and items listed per list.")
    ] = 20,
    propagation: PropagationOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """What changed between --from and --to, by type, and what it did to the questions."""
    try:
        start = parse_instant(from_, "from")
        end = parse_instant(to, "to") if to else None
    except ValueError as exc:
        fail(str(exc), 2)
    result = ask(ot.diff, start, end, element=element, limit=limit, overrides=propagation)
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    out = answer_console()
    out.print(
        f"From {result.from_moment} (change set {result.from_seq}) "
        f"to {result.to_moment} (change set {result.to_seq}):"
    )
    counts = Table("kind", "type", "added", "removed", "changed")
    for c in result.changes.counts:
        counts.add_row(c.kind, c.type, str(c.added), str(c.removed), str(c.changed))
    out.print(counts)
    h = result.health
    out.print(
        f"[bold]Health[/bold] {h.base_score} -> {h.scenario_score} ({h.score_delta:+g})"
        if h.score_delta is not None
        else f"[bold]Health[/bold] {h.base_score} -> {h.scenario_score}"
    )
    for check in h.checks:
        for word, refs in (("resolved", check.resolved), ("introduced", check.introduced)):
            if refs:
                names = ", ".join(r.name for r in refs)
                out.print(escape(f"  {check.title}: {word} {names}"))
    ranks = Table("element", "then", "now", "change")
    for row in result.bottlenecks.rows:
        ranks.add_row(
            escape(row.element.name),
            str(row.base_rank or "-"),
            str(row.scenario_rank or "-"),
            row.change.value,
        )
    out.print("[bold]Bottleneck ranks[/bold]")
    out.print(ranks)
    if result.impact is not None:
        moved = [s for s in result.impact.streams if s.change.value != "same"]
        out.print(f"[bold]Impact of {escape(result.impact.element.name)}[/bold]:")
        for s in moved:
            out.print(escape(f"  {s.element.name}: {s.change.value}"))
        if not moved:
            out.print("  the same streams, at the same distances")
