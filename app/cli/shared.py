"""What the commands share: consoles, JSON output, reports to hand over (`--format md|csv`,
`-o FILE`), `fail`, the options several commands take, and the way to Neo4j (NEO4J_URI, else the local server, started if needed) and its store.

A leaf of `app.cli`: it imports no other module of the package, so every command module can
import it and none needs the root.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.text import Text

from app.core.errors import UNEXPECTED, answer
from app.core.walk import parameter, takes_walk
from app.settings import Settings
from graph.local_neo4j import LocalNeo4j, LocalNeo4jError, free_port, port_in_use
from graph.store import GraphStore
from queries import impact as im
from queries.moment import Moment, parse_day
from queries.reports.document import Report, ReportFormat

T = TypeVar("T")

# Progress, notes and errors go to stderr, so stdout carries only the answer (e.g. --json).
console = Console(stderr=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]
ReportOpt = Annotated[
    ReportFormat | None,
    typer.Option(
        "--format",
        "-f",
        help="Print a report to hand over instead: md (Markdown: title, date, model, what was "
        "asked, legend, findings) or csv (one table).",
    ),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write the report to this file instead of stdout; a name ending .md or .csv "
        "sets --format.",
    ),
]
DepthOpt = Annotated[
    int,
    typer.Option(
        "--depth", "-d", min=1, max=im.MAX_DEPTH_LIMIT, help="How many hops to follow at most."
    ),
]
RelTypeOpt = Annotated[
    list[str] | None,
    typer.Option("--rel-type", "-r", help="Only these relationship types carry the change."),
]
PropagationOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--propagation",
        "-p",
        help="Override the propagation table: KEY=flow, e.g. USES=none or "
        "RELATED_TO:association=both.",
    ),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Ask of the model as valuegraph knew it then (from the change history): "
        "YYYY-MM-DD (its midnight, UTC) or an ISO date and time.",
    ),
]
AtOpt = Annotated[
    str | None,
    typer.Option(
        "--at",
        help="Ask of the model as it is planned to be on this day by its lifecycle dates "
        "(YYYY-MM-DD): what is not yet phased in, or past its end of life, is left out.",
    ),
]


def moment_of(as_of: str | None, at: str | None) -> Moment:
    """The moment a command asks about, checked before Neo4j; a bad date exits 2."""
    try:
        return Moment.of(as_of, at)
    except ValueError as exc:
        fail(str(exc), 2)


def day_of(text: str, what: str) -> date:
    """A day option (YYYY-MM-DD or an ISO time), checked before Neo4j; a bad one exits 2."""
    try:
        return parse_day(text, what)
    except ValueError as exc:
        fail(str(exc), 2)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def report_format(
    fmt: ReportFormat | None, output: Path | None, as_json: bool
) -> ReportFormat | None:
    """The report a command was asked for (None: its usual answer), checked before Neo4j."""
    if fmt is None and output is not None:
        try:
            fmt = ReportFormat(output.suffix.removeprefix(".").lower())
        except ValueError:
            fail("--output needs --format md or csv, or a file name ending .md or .csv", 2)
    if fmt is not None and as_json:
        fail("--format is an answer of its own: leave out --json (and --markdown)", 2)
    return fmt


def hand_over(report: Report, output: Path | None) -> None:
    """The report on stdout, or written to OUTPUT as UTF-8 bytes as they are (CSV's CRLF)."""
    if output is None:
        sys.stdout.write(report.text)
        return
    try:
        output.write_bytes(report.text.encode("utf-8"))
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    console.print(f"wrote {output}")


def answer_console() -> Console:
    """A console on stdout for a question's answer."""
    return Console(soft_wrap=True)


def fail(message: str, code: int = 1) -> NoReturn:
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


def local_neo4j(settings: Settings) -> LocalNeo4j:
    return LocalNeo4j(settings.local_neo4j_home)


def port_or_free(port: int) -> int:
    """PORT if nothing listens on it on 127.0.0.1, else a free one (and say so)."""
    if not port_in_use(port):
        return port
    chosen = free_port()
    console.print(f"port {port} is busy; local Neo4j will use {chosen}")
    return chosen


def local_port(settings: Settings, local: LocalNeo4j) -> int:
    """The port to start the local Neo4j on: the configured one if free, else the one it ran
    on last (so that after a crash a running service finds it where it was), else any."""
    last = local.last_port
    if port_in_use(settings.local_neo4j_port) and last and not port_in_use(last):
        return last
    return port_or_free(settings.local_neo4j_port)


def resolve_uri(settings: Settings, *, start: bool = True) -> tuple[str, bool]:
    """The Neo4j to use: NEO4J_URI, else the local server (started if needed).

    Returns the URI and whether this call started the local server.
    """
    if settings.neo4j_uri:
        return settings.neo4j_uri, False
    local = local_neo4j(settings)
    status = local.status()
    if status.running and status.uri:
        return status.uri, False
    if not start:
        fail("no Neo4j: set NEO4J_URI or run `valuegraph neo4j start`")
    console.print(f"starting local Neo4j (home {local.home}) …")
    try:
        status = local.start(
            port=local_port(settings, local),
            heap=settings.local_neo4j_heap,
            pagecache=settings.local_neo4j_pagecache,
            txmax=settings.local_neo4j_txmax,
        )
    except LocalNeo4jError as exc:
        fail(str(exc))
    assert status.uri
    console.print(f"local Neo4j ready at {status.uri}")
    return status.uri, True


@contextmanager
def open_store(settings: Settings) -> Iterator[GraphStore]:
    """The store on the Neo4j `resolve_uri` picks, its schema ensured; closed on exit."""
    uri, _ = resolve_uri(settings)
    store = GraphStore.connect(
        uri, settings.neo4j_user, settings.neo4j_password, settings.neo4j_database
    )
    try:
        store.ensure_schema()
        yield store
    finally:
        store.close()


@contextmanager
def refusals() -> Iterator[None]:
    """End the command on a failure the asker can fix, with the shared table's exit code."""
    try:
        yield
    except Exception as exc:
        verdict = answer(exc)
        if verdict is UNEXPECTED:
            raise
        fail(verdict.message(exc), verdict.exit)


def ask(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """FN(store, *ARGS, **KWARGS) on the configured store; a refused question exits 1."""
    with open_store(Settings()) as store, refusals():
        return fn(store, *args, **kwargs)


def walk_options(
    depth: int, rel_type: list[str] | None, propagation: list[str] | None
) -> im.WalkOptions:
    """The walk options of a command, checked before Neo4j is reached."""
    with refusals():
        return im.WalkOptions(depth, rel_types=rel_type, overrides=propagation)


# The walk options of impact, depends-on and path (and their defaults), declared once.
walk_parameters = takes_walk(
    [
        parameter("depth", DepthOpt, im.DEFAULT_MAX_DEPTH),
        parameter("rel_type", RelTypeOpt, None),
        parameter("propagation", PropagationOpt, None),
    ],
    walk_options,
)


def inert(text: str) -> Text:
    """TEXT as the terminal should show it: control and format characters (escape sequences,
    bidi overrides) written as escapes, and Rich markup shown, not interpreted. Audit events and
    history hold what callers sent, so nothing in them may reach the terminal as a command."""
    shown = "".join(
        ch.encode("unicode_escape").decode("ascii")
        if unicodedata.category(ch) in ("Cc", "Cf")
        else ch
        for ch in text
    )
    return Text(shown)
