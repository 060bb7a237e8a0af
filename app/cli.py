"""The `valuegraph` command line."""

from __future__ import annotations

import json
import logging
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from app import cli_bench, cli_imports, cli_questions
from app.settings import Settings
from graph.local_neo4j import LocalNeo4j, LocalNeo4jError
from graph.store import GraphStore

app = typer.Typer(
    help="valuegraph: model value streams, their dependencies and operating model as a graph.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
neo4j_app = typer.Typer(help="Manage the local Neo4j (used when NEO4J_URI is not set).")
app.add_typer(neo4j_app, name="neo4j")
token_app = typer.Typer(help="Create, list and revoke API tokens (bearer tokens with roles).")
app.add_typer(token_app, name="token")

console = Console(stderr=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def _fail(message: str, code: int = 1) -> None:
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


def _local(settings: Settings) -> LocalNeo4j:
    return LocalNeo4j(settings.local_neo4j_home)


def _resolve_uri(settings: Settings, *, start: bool = True) -> tuple[str, bool]:
    """The Neo4j to use: NEO4J_URI, else the local server (started if needed).

    Returns the URI and whether this call started the local server.
    """
    if settings.neo4j_uri:
        return settings.neo4j_uri, False
    local = _local(settings)
    status = local.status()
    if status.running and status.uri:
        return status.uri, False
    if not start:
        _fail("no Neo4j: set NEO4J_URI or run `valuegraph neo4j start`")
    console.print(f"starting local Neo4j (home {local.home}) …")
    try:
        status = local.start(
            port=_port_or_free(settings.local_neo4j_port),
            heap=settings.local_neo4j_heap,
            pagecache=settings.local_neo4j_pagecache,
            txmax=settings.local_neo4j_txmax,
        )
    except LocalNeo4jError as exc:
        _fail(str(exc))
    assert status.uri
    console.print(f"local Neo4j ready at {status.uri}")
    return status.uri, True


def _port_or_free(port: int) -> int:
    import socket

    from graph.local_neo4j import free_port

    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return port
        except OSError:
            chosen = free_port()
            console.print(f"port {port} is busy; local Neo4j will use {chosen}")
            return chosen


@contextmanager
def _store(settings: Settings) -> Iterator[GraphStore]:
    uri, _ = _resolve_uri(settings)
    store = GraphStore.connect(
        uri, settings.neo4j_user, settings.neo4j_password, settings.neo4j_database
    )
    try:
        store.ensure_schema()
        yield store
    finally:
        store.close()


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log debug detail.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("neo4j").setLevel(logging.WARNING)


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
    import uvicorn

    from app.main import create_app

    settings = Settings()
    bind_host = host or settings.host
    bind_port = port or settings.port
    try:
        settings.check_exposure(bind_host)
    except ValueError as exc:
        _fail(str(exc))
    uri, started = _resolve_uri(settings)
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
        uvicorn.run(create_app(settings), host=bind_host, port=bind_port, log_level="info")
    finally:
        if started and not keep_neo4j:
            console.print("stopping the local Neo4j this command started …")
            _local(settings).stop()


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _load_demo(settings: Settings) -> dict[str, Any]:
    from samples.demo import load_demo

    with _store(settings) as store:
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
        _print_json(counts)


@app.command()
def stats(as_json: JsonOpt = False) -> None:
    """Count nodes and relationships by type."""
    with _store(Settings()) as store:
        data = store.stats()
    if as_json:
        _print_json(data)
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
        from app.graphql import export_sdl

        sys.stdout.write(export_sdl() + "\n")
        return
    from graph.schema import SCHEMA

    _print_json(SCHEMA.as_dict())


@app.command()
def reset(
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete every element and relationship (the schema stays)."""
    if not yes:
        typer.confirm("Delete the whole model?", abort=True)
    with _store(Settings()) as store:
        store.clear()
    console.print("model deleted")


@neo4j_app.command("start")
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
    local = _local(settings)
    try:
        status = local.start(
            port=port or _port_or_free(settings.local_neo4j_port),
            heap=heap or settings.local_neo4j_heap,
            pagecache=pagecache or settings.local_neo4j_pagecache,
            txmax=txmax or settings.local_neo4j_txmax,
        )
    except LocalNeo4jError as exc:
        _fail(str(exc))
    if as_json:
        _print_json(local.as_dict())
    else:
        console.print(f"local Neo4j running at {status.uri} (pid {status.pid}, home {status.home})")


@neo4j_app.command("stop")
def neo4j_stop(as_json: JsonOpt = False) -> None:
    """Stop the local Neo4j cleanly."""
    stopped = _local(Settings()).stop()
    if as_json:
        _print_json({"stopped": stopped})
    else:
        console.print("local Neo4j stopped" if stopped else "local Neo4j was not running")


@neo4j_app.command("status")
def neo4j_status(as_json: JsonOpt = False) -> None:
    """Show whether the local Neo4j runs, and where. Exit code 3 when it does not."""
    local = _local(Settings())
    status = local.status()
    if as_json:
        _print_json(local.as_dict())
    elif status.running:
        console.print(f"running at {status.uri} (pid {status.pid}, home {status.home})")
    else:
        console.print(f"not running (home {status.home})")
    if not status.running:
        raise typer.Exit(3)


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Option(help="Who or what the token is for.")],
    role: Annotated[str, typer.Option(help="viewer, editor or admin.")] = "viewer",
    as_json: JsonOpt = False,
) -> None:
    """Create a token and print its secret (shown once; only a digest is stored)."""
    from graph.tokens import Role, create_token

    try:
        parsed = Role.parse(role)
    except ValueError as exc:
        _fail(str(exc), code=2)
    with _store(Settings()) as store:
        token_id, secret = create_token(store, name=name, role=parsed)
    if as_json:
        _print_json({"id": token_id, "name": name, "role": parsed.label, "token": secret})
    else:
        console.print(f"token {token_id} ({parsed.label}) for {name}; keep it secret:")
        sys.stdout.write(secret + "\n")


@token_app.command("list")
def token_list(as_json: JsonOpt = False) -> None:
    """List tokens (ids, names, roles, dates; never secrets)."""
    from graph.tokens import list_tokens

    with _store(Settings()) as store:
        rows = list_tokens(store)
    if as_json:
        _print_json(rows)
        return
    table = Table("id", "name", "role", "created", "revoked")
    for r in rows:
        table.add_row(r["id"], r["name"], r["role"], r["created_at"], r["revoked_at"] or "")
    Console().print(table)


@token_app.command("revoke")
def token_revoke(token_id: Annotated[str, typer.Argument(help="Token id.")]) -> None:
    """Revoke a token: it stops working at once."""
    from graph.store import NotFoundError
    from graph.tokens import revoke_token

    with _store(Settings()) as store:
        try:
            revoke_token(store, token_id)
        except NotFoundError as exc:
            _fail(str(exc))
    console.print(f"token {token_id} revoked")


@app.command()
def audit(
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    actor: Annotated[str | None, typer.Option(help="Only this token name.")] = None,
    since: Annotated[str | None, typer.Option(help="Only from this ISO time on.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the audit log: who changed or imported what, newest first."""
    from graph.audit import list_events

    with _store(Settings()) as store:
        events = list_events(store, actor=actor, since=since, limit=limit)
    if as_json:
        _print_json(events)
        return
    table = Table("at", "actor", "action", "target", "status")
    for e in events:
        table.add_row(e["at"], e["actor"], e["action"], e["target"], str(e["status"]))
    Console().print(table)


cli_questions.register(app)
cli_imports.register(app)
cli_bench.register(app)


def main() -> None:
    app()
