"""Commands about the service and the model as a whole: `serve`, `demo`, `stats`, `schema`
and `reset`."""

from __future__ import annotations

import signal
import sys
from typing import Annotated, Any

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from app.cli.shared import (
    JsonOpt,
    console,
    fail,
    local_neo4j,
    open_store,
    print_json,
    resolve_uri,
)
from app.core.memory import limit_arenas, limit_heap_growth, settle
from app.settings import Settings
from graph.schema import SCHEMA
from samples.demo import load_demo

app = typer.Typer()


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address [VALUEGRAPH_HOST].")] = None,
    port: Annotated[int | None, typer.Option(help="HTTP port [VALUEGRAPH_PORT].")] = None,
    demo: Annotated[
        bool, typer.Option("--demo/--no-demo", help="Load (or refresh) the demo model first.")
    ] = False,
    keep_neo4j: Annotated[
        bool, typer.Option(help="Leave a local Neo4j this command started running on exit.")
    ] = False,
) -> None:
    """Run the HTTP service (REST at /api, GraphQL at /graphql, docs at /docs).

    Without NEO4J_URI a local Neo4j is started under VALUEGRAPH_HOME (.valuegraph/neo4j).
    """
    # Imported here, not at the top: the FastAPI app and its GraphQL schema take about as long
    # to import as the rest of the CLI, and only `serve` needs them.
    from app.main import create_app

    settings = Settings()
    bind_host = host or settings.host
    bind_port = port or settings.port
    try:
        settings.check_exposure(bind_host)
    except ValueError as exc:
        fail(str(exc))
    uri, started = resolve_uri(settings)
    # Without NEO4J_URI the service reads the local Neo4j's address from its state file, and
    # reads it again when Neo4j stops answering: it follows a restart after a crash.
    app_settings = settings
    settings = settings.model_copy(update={"neo4j_uri": uri})
    try:
        if demo:
            _load_demo(settings)
        if not settings.auth_enabled:
            console.print(
                "[yellow]auth is off[/yellow] (VALUEGRAPH_AUTH=off): local development only"
            )
        console.print(
            f"valuegraph on http://{bind_host}:{bind_port}  "
            f"(GraphQL /graphql, REST docs /docs, Neo4j {uri})"
        )
        # uvicorn re-raises the signal that stopped it; turning SIGTERM into SystemExit lets
        # the `finally` below stop the local Neo4j, as Ctrl-C (KeyboardInterrupt) already does.
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
        service = create_app(app_settings)
        # Only the service's own process: tests build many apps in one process, and what
        # they freeze would never be collected.
        settle()
        limit_arenas()
        limit_heap_growth()
        uvicorn.run(service, host=bind_host, port=bind_port, log_level="info")
    finally:
        if started and not keep_neo4j:
            console.print("stopping the local Neo4j this command started …")
            local_neo4j(settings).stop()


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _load_demo(settings: Settings) -> dict[str, Any]:
    with open_store(settings) as store:
        summary = load_demo(store)
    counts = {
        "nodes": sum(summary.nodes.values()),
        "relationships": sum(summary.relationships.values()),
    }
    console.print(
        f"demo model loaded: {counts['nodes']} nodes, {counts['relationships']} relationships"
    )
    return counts


@app.command()
def demo(as_json: JsonOpt = False) -> None:
    """Load (or refresh) the retail-bank demo model; safe to run again."""
    counts = _load_demo(Settings())
    if as_json:
        print_json(counts)


@app.command()
def stats(as_json: JsonOpt = False) -> None:
    """Count nodes and relationships by type."""
    with open_store(Settings()) as store:
        data = store.stats()
    if as_json:
        print_json(data)
        return
    for kind, counts in data.items():
        table = Table(title=kind)
        table.add_column("type")
        table.add_column("count", justify="right")
        for name, count in counts.items():
            table.add_row(name, str(count))
        table.add_row("[bold]total[/bold]", f"[bold]{sum(counts.values())}[/bold]")
        Console().print(table)


@app.command("schema")
def schema_cmd(
    graphql: Annotated[
        bool, typer.Option("--graphql", help="Print the GraphQL SDL instead.")
    ] = False,
) -> None:
    """Print the graph schema as JSON (or the GraphQL SDL)."""
    if graphql:
        # Imported here for the same reason as in `serve`: strawberry and the GraphQL types
        # are slow to import and only this option needs them.
        from app.graphql import export_sdl

        sys.stdout.write(export_sdl() + "\n")
        return
    print_json(SCHEMA.as_dict())


@app.command()
def reset(
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete every element and relationship (the schema stays)."""
    if not yes:
        typer.confirm("Delete the whole model?", abort=True)
    with open_store(Settings()) as store:
        store.clear()
    console.print("model deleted")
