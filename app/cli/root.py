"""The `valuegraph` command: the root Typer and its `--verbose` callback, joining each command
module's Typer. Modules added without a name give their commands to the root
(`valuegraph impact`); those added with one are groups (`valuegraph neo4j start`).
The order of `add_typer` is the order of `valuegraph --help`."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from app.cli import (
    audit,
    diff,
    elements,
    generate,
    history,
    imports,
    local_neo4j,
    questions,
    scenarios,
    server,
    tokens,
    trends,
)

app = typer.Typer(
    help="valuegraph: model value streams, their dependencies and operating model as a graph.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(server.app)
app.add_typer(audit.app)
app.add_typer(history.app)
app.add_typer(diff.app)
app.add_typer(questions.app)
app.add_typer(trends.app)
app.add_typer(elements.app)
app.add_typer(imports.app)
app.add_typer(generate.app)
app.add_typer(local_neo4j.app, name="neo4j")
app.add_typer(tokens.app, name="token")
app.add_typer(scenarios.app, name="scenario")


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log debug detail.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("neo4j").setLevel(logging.WARNING)


def main() -> None:
    app()
