"""`valuegraph audit`: the audit log, newest first."""

from __future__ import annotations

import unicodedata
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from app.cli.shared import JsonOpt, open_store, print_json
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


def inert(text: str) -> Text:
    """TEXT as the terminal should show it: control and format characters (escape sequences,
    bidi overrides) written as escapes, and Rich markup shown, not interpreted. Audit events
    hold what callers sent, so nothing in them may reach the terminal as a command."""
    shown = "".join(
        ch.encode("unicode_escape").decode("ascii")
        if unicodedata.category(ch) in ("Cc", "Cf")
        else ch
        for ch in text
    )
    return Text(shown)
