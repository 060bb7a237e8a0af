"""`valuegraph neo4j start|stop|status`: the local Neo4j, used when NEO4J_URI is not set."""

from __future__ import annotations

from typing import Annotated

import typer

from app.cli.shared import JsonOpt, console, fail, local_neo4j, local_port, print_json
from app.settings import Settings
from graph.local_neo4j import LocalNeo4jError

app = typer.Typer(help="Manage the local Neo4j (used when NEO4J_URI is not set).")


@app.command("start")
def neo4j_start(
    port: Annotated[
        int | None, typer.Option(help="Bolt port [VALUEGRAPH_LOCAL_NEO4J_PORT].")
    ] = None,
    heap: Annotated[str | None, typer.Option(help="JVM heap, e.g. 1g.")] = None,
    pagecache: Annotated[str | None, typer.Option(help="Page cache, e.g. 512m.")] = None,
    txmax: Annotated[
        str | None,
        typer.Option(help="Memory of all open transactions, e.g. 3g (large imports)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Start the local Neo4j (building it with Maven on first use) and wait until Bolt answers."""
    settings = Settings()
    local = local_neo4j(settings)
    try:
        status = local.start(
            port=port or local_port(settings, local),
            heap=heap or settings.local_neo4j_heap,
            pagecache=pagecache or settings.local_neo4j_pagecache,
            txmax=txmax or settings.local_neo4j_txmax,
        )
    except LocalNeo4jError as exc:
        fail(str(exc))
    if as_json:
        print_json(local.as_dict())
    else:
        console.print(f"local Neo4j running at {status.uri} (pid {status.pid}, home {status.home})")


@app.command("stop")
def neo4j_stop(as_json: JsonOpt = False) -> None:
    """Stop the local Neo4j cleanly."""
    stopped = local_neo4j(Settings()).stop()
    if as_json:
        print_json({"stopped": stopped})
    else:
        console.print("local Neo4j stopped" if stopped else "local Neo4j was not running")


@app.command("status")
def neo4j_status(as_json: JsonOpt = False) -> None:
    """Show whether the local Neo4j runs, and where. Exit code 3 when it does not."""
    local = local_neo4j(Settings())
    status = local.status()
    if as_json:
        print_json(local.as_dict())
    elif status.running:
        console.print(f"running at {status.uri} (pid {status.pid}, home {status.home})")
    else:
        console.print(f"not running (home {status.home})")
    if not status.running:
        raise typer.Exit(3)
