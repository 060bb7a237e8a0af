"""`valuegraph elements`: the model's elements, filtered by type, ArchiMate type or name;
`valuegraph show`: one element, now or at a moment."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from app.cli.shared import AsOfOpt, AtOpt, JsonOpt, answer_console, ask, moment_of, print_json
from queries.moment import element_at

app = typer.Typer()


@app.command("elements")
def elements(
    node_type: Annotated[
        list[str] | None, typer.Option("--type", "-t", help="valuegraph node type(s).")
    ] = None,
    archimate_type: Annotated[
        list[str] | None,
        typer.Option("--archimate-type", "-a", help="ArchiMate element type(s), any case."),
    ] = None,
    name: Annotated[str | None, typer.Option("--name", "-n", help="Name contains.")] = None,
    source: Annotated[str | None, typer.Option(help="Only this import source.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_json: JsonOpt = False,
) -> None:
    """List elements by name, e.g. `valuegraph elements -a ApplicationComponent`."""
    items, total = ask(
        lambda store: store.list_nodes(
            labels=node_type,
            q=name,
            source=source,
            archimate_types=archimate_type,
            limit=limit,
            offset=offset,
        )
    )
    if as_json:
        print_json({"total": total, "limit": limit, "offset": offset, "items": items})
        return
    table = Table("id", "name", "type", "ArchiMate type")
    for item in items:
        table.add_row(
            escape(item["id"]),
            escape(item["name"]),
            item["type"],
            item.get("archimate_type") or "",
        )
    out = answer_console()
    out.print(table)
    out.print(f"{len(items)} of {total} element(s)")


@app.command("show")
def show(
    element_id: Annotated[str, typer.Argument(metavar="ID", help="The element's id.")],
    as_json: JsonOpt = False,
    as_of: AsOfOpt = None,
    at: AtOpt = None,
) -> None:
    """One element with its fields; --as-of: as it was then, --at: only if in use that day."""
    moment = moment_of(as_of, at)
    view = ask(element_at, element_id, moment)
    if as_json:
        print_json(view)
        return
    table = Table("field", "value")
    for key, value in view.items():
        table.add_row(escape(key), escape(str(value)))
    answer_console().print(table)
