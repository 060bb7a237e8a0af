"""`valuegraph audit`: the audit log, newest first."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from app.cli.shared import JsonOpt, inert, open_store, print_json
from app.settings import Settings
from graph.audit import list_events

app = typer.Typer()


@app.command()
def audit(
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    actor: Annotated[str | None, typer.Option(help="Only this token name.")] = None,
    since: Annotated[str | None, typer.Option(help="Only from this ISO time on.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the audit log: who changed or imported what, newest first."""
    with open_store(Settings()) as store:
        events = list_events(store, actor=actor, since=since, limit=limit)
    if as_json:
        print_json(events)
        return
    table = Table("at", "actor", "action", "target", "status")
    for e in events:
        fields = (e["at"], e["actor"], e["action"], e["target"], e["status"])
        table.add_row(*(inert(str(f)) for f in fields))
    Console().print(table)
