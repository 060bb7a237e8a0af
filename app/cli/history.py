"""`valuegraph history ELEMENT`, `valuegraph changes`, `valuegraph history verify` and
`valuegraph history prune --before DATE`: the change history (`queries.history`), as REST and
GraphQL show it."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from app.cli.shared import JsonOpt, console, inert, open_store, print_json, refusals
from app.settings import Settings
from queries import history as hq

app = typer.Typer()

LimitOpt = Annotated[int, typer.Option(min=1, max=10_000, help="Page size.")]
OffsetOpt = Annotated[int, typer.Option(min=0, help="Skip this many first.")]


@app.command()
def history(
    element: Annotated[
        str, typer.Argument(help="Element or relationship id (or `prune`, or `verify`).")
    ],
    before: Annotated[
        str | None,
        typer.Option(help="With `prune`: forget the history before this ISO date or time."),
    ] = None,
    limit: LimitOpt = 20,
    offset: OffsetOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Show one element's or relationship's versions, newest first.

    `valuegraph history prune --before DATE` forgets the history before DATE, keeping each
    element's state at that date, and records the prune as a change set of its own.

    `valuegraph history verify` walks the history's hash chain and reports the first broken
    link, or that it is intact (exit status 1 when broken).
    """
    if element == "verify":
        with refusals(), open_store(Settings()) as store:
            report = hq.verify(store)
        if as_json:
            print_json(report.model_dump())
        else:
            console.print(inert(report.message))
        if not report.intact:
            raise typer.Exit(1)
        return
    with refusals(), open_store(Settings()) as store:
        if element == "prune" and before is not None:
            pruned = hq.prune(store, before)
            if as_json:
                print_json(pruned.model_dump())
            else:
                console.print(
                    f"pruned {pruned.pruned_changes} change(s) and {pruned.pruned_change_sets} "
                    f"change set(s) before {pruned.pruned_before} (change set {pruned.seq})"
                )
            return
        page = hq.element_history(store, element, limit=limit, offset=offset)
    if as_json:
        print_json(page.model_dump())
        return
    table = Table("seq", "at", "op", "fields", "actor", "via", "action", "ref")
    for v in page.items:
        s = v.change_set
        shown = (v.seq, v.at, v.op, ", ".join(v.fields), s.actor, s.via, s.action, s.ref)
        table.add_row(*(inert(str(f)) for f in shown))
    Console().print(table)
    console.print(f"{len(page.items)} of {page.total} version(s) of {element!r}")


@app.command()
def changes(
    since: Annotated[str | None, typer.Option(help="Only from this ISO date or time on.")] = None,
    by: Annotated[str | None, typer.Option(help="Only this token name (or CLI user).")] = None,
    source: Annotated[
        str | None,
        typer.Option(
            help="Only through this: rest, graphql, cli, import, edit, scenario, reset, prune, "
            "a run id, a scenario or an import source."
        ),
    ] = None,
    limit: LimitOpt = 20,
    offset: OffsetOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Show the committed changes to the model, newest first."""
    with refusals(), open_store(Settings()) as store:
        page = hq.change_sets(store, since=since, by=by, source=source, limit=limit, offset=offset)
    if as_json:
        print_json(page.model_dump())
        return
    table = Table("seq", "at", "actor", "via", "action", "ref", "elements +/~/-", "rels +/~/-")
    for s in page.items:
        e, r = s.elements, s.relationships
        shown = (
            s.seq,
            s.at,
            s.actor,
            s.via,
            s.action,
            s.ref or s.request,
            f"{e.created}/{e.updated}/{e.deleted}",
            f"{r.created}/{r.updated}/{r.deleted}",
        )
        table.add_row(*(inert(str(f)) for f in shown))
    Console().print(table)
    console.print(f"{len(page.items)} of {page.total} change set(s)")
