"""`valuegraph import`, `valuegraph export` and `valuegraph imports` (the recorded runs).

Exit codes of `import`: 0 done, 2 input refused (the message names file, line and what to
do; nothing was written), 1 the graph refused the write (e.g. an id clash).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Any

import typer
from neo4j.exceptions import DriverError, Neo4jError
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from app.cli.shared import console, local_neo4j, open_store, print_json, refusals
from app.core.errors import answer
from app.settings import Settings
from graph.store import GraphStore, StoreError
from importers.errors import ImportFailure
from importers.export import export_exchange, export_json
from importers.formats import FORMATS
from importers.mapping import load_mapping
from importers.pipeline import StoredMemo, apply_import
from importers.preparation import prepare
from importers.runs import list_runs

app = typer.Typer()

_PHASES = {
    "read": "reading",
    "map": "mapping types",
    "compare": "comparing with the graph",
    "write": "writing",
}


class _Bar:
    """A rich progress bar fed by the pipeline's (phase, done, total) callback."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
        self.task: TaskID | None = None

    def __enter__(self) -> _Bar:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        text = _PHASES.get(phase, phase)
        if self.task is None:
            self.task = self.progress.add_task(text, total=total)
        self.progress.update(self.task, description=text, completed=done, total=total)


def _summary(console: Console, report: dict[str, Any]) -> None:
    verb = "would change" if report["dry_run"] else "imported"
    run = "" if report["dry_run"] else f", run {report['run_id']}"
    console.print(
        f"[bold]{verb}[/bold] {', '.join(report['files'])} as [cyan]{report['source']}[/cyan] "
        f"({report['format']}){run}"
    )
    table = Table("kind", "type", "in file", "added", "changed", "removed")
    for kind, counts_key in (("nodes", "nodes"), ("relationships", "relationships")):
        diff = report["diff"][kind]
        types = sorted(
            set(report["counts"][counts_key]) | set(diff["added"]) | set(diff["removed"])
        )
        for name in types:
            table.add_row(
                kind,
                name,
                str(report["counts"][counts_key].get(name, 0)),
                str(diff["added"].get(name, 0)),
                str(diff["changed"].get(name, 0)),
                str(diff["removed"].get(name, 0)),
            )
    console.print(table)
    counts = report["counts"]
    console.print(
        f"{counts['unmapped_elements']} element(s) kept as GenericElement, "
        f"{counts['fallback_relationships']} relationship(s) as RELATED_TO, "
        f"{counts['skipped_relationships']} skipped"
    )
    taken = report["diff"]["nodes"].get("total_taken_over", 0)
    taken_rels = report["diff"]["relationships"].get("total_taken_over", 0)
    if taken or taken_rels:
        console.print(
            f"{taken} node(s) and {taken_rels} relationship(s) taken over from other sources "
            "(not counted as added)"
        )
    removed = report["diff"]["nodes"]["total"]["removed"]
    removed_rels = report["diff"]["relationships"]["total"]["removed"]
    if report["prune"] and not report["dry_run"]:
        pruned = report["pruned"]
        console.print(
            f"pruned {pruned['nodes']} node(s) and {pruned['relationships']} relationship(s)"
            + (
                f" (and {pruned['other_relationships']} relationship(s) of other sources "
                "attached to them)"
                if pruned["other_relationships"]
                else ""
            )
        )
    elif removed or removed_rels:
        console.print(
            f"[yellow]{removed} node(s) and {removed_rels} relationship(s) of this source are "
            "no longer in the file[/yellow]; run with --prune to delete them"
        )
    for warning in report["warnings"][:20]:
        where = warning["file"] or ""
        if warning["line"]:
            where += f":{warning['line']}"
        console.print(f"[yellow]warning:[/yellow] {where + ': ' if where else ''}{warning['msg']}")
    if report["warnings_total"] > 20:
        console.print(f"… and {report['warnings_total'] - 20} more warnings (see --json)")


@app.command("import")
def import_cmd(
    path: Annotated[
        Path, typer.Argument(help="Model file, Archi CSV folder or Backstage catalog folder.")
    ],
    format: Annotated[
        str,
        typer.Option(
            "--format", help="auto, exchange, archi, csv or backstage (auto: from content)."
        ),
    ] = "auto",
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="YAML overriding the default mapping.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report the diff, write nothing.")
    ] = False,
    prune: Annotated[
        bool,
        typer.Option("--prune", help="Delete what this source holds that the file has not."),
    ] = False,
    source: Annotated[
        str | None,
        typer.Option("--source", help="Source key (default: taken from the model)."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON on stdout.")
    ] = False,
) -> None:
    """Import an ArchiMate model (exchange XML, Archi, Archi CSV) or a Backstage catalog.

    Safe to run again: unchanged elements are left alone, changed ones updated, new ones
    added; with --prune, what this source no longer has is deleted (this source only).
    """
    if format != "auto" and format not in FORMATS:
        console.print(f"[red]error:[/red] --format must be auto or one of {', '.join(FORMATS)}")
        raise typer.Exit(2)
    settings = Settings()
    limit = getattr(settings, "max_upload_bytes", None)
    try:
        with ExitStack() as stack:
            # The file is read and its elements checked before a Neo4j is started; one
            # already running is asked first what the last import stored, so the rows
            # unchanged since are not mapped again. The relationships are mapped while
            # the elements are written.
            memo = StoredMemo(_if_running(settings, stack))
            with _Bar(console) as bar:
                prepared = prepare(
                    path,
                    fmt=format,
                    mapping_file=mapping,
                    source=source,
                    max_bytes=limit if isinstance(limit, int) else None,
                    progress=bar,
                    whole=False,
                    memo=memo,
                )
            store = memo.store or stack.enter_context(open_store(settings))
            with _Bar(console) as bar:
                report = apply_import(
                    store,
                    prepared,
                    dry_run=dry_run,
                    prune=prune,
                    progress=bar,
                    stored=memo.found,
                )
    except ImportFailure as exc:
        console.print(f"[red]error:[/red] {exc.render()}")
        raise typer.Exit(answer(exc).exit) from exc
    except StoreError as exc:
        console.print(f"[red]error:[/red] {exc}")
        for detail in exc.details[:10]:
            console.print(f"  {detail}")
        raise typer.Exit(answer(exc).exit) from exc
    if as_json:
        print_json(report)
    else:
        _summary(console, report)


def _if_running(settings: Settings, stack: ExitStack) -> Callable[[], GraphStore | None]:
    """The store, opened on `stack`, if a Neo4j answers without being started; else None."""

    def opened() -> GraphStore | None:
        if not settings.neo4j_uri and not local_neo4j(settings).status().running:
            return None
        try:
            return stack.enter_context(open_store(settings))
        except (StoreError, Neo4jError, DriverError, OSError):
            return None  # the write opens it again and says what is wrong

    return opened


@app.command("export")
def export_cmd(
    format: Annotated[
        str, typer.Option("--format", help="exchange (ArchiMate XML) or json.")
    ] = "exchange",
    source: Annotated[
        str | None, typer.Option("--source", help="Only this import source's subgraph.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", help="Mapping YAML to read backwards (exchange only)."),
    ] = None,
) -> None:
    """Export the graph as an ArchiMate exchange file (re-importable) or as JSON."""
    if format not in ("exchange", "json"):
        console.print("[red]error:[/red] --format must be exchange or json")
        raise typer.Exit(2)
    try:
        loaded = load_mapping("archimate", mapping) if format == "exchange" else None
    except ImportFailure as exc:
        console.print(f"[red]error:[/red] {exc.render()}")
        raise typer.Exit(answer(exc).exit) from exc
    with open_store(Settings()) as store, refusals():
        out = output.open("w", encoding="utf-8") if output else sys.stdout
        try:
            if format == "exchange":
                counts = export_exchange(store, out, source=source, mapping=loaded)
            else:
                counts = export_json(store, out, source=source)
        except BaseException:
            if output:  # no half-written file left behind to be mistaken for an export
                out.close()
                output.unlink(missing_ok=True)
            raise
        finally:
            if output:
                out.close()
    if output:
        console.print(f"exported {counts} to {output}")


@app.command("imports")
def imports_cmd(
    source: Annotated[str | None, typer.Option("--source", help="Only this source.")] = None,
    limit: Annotated[int, typer.Option(help="How many runs, newest first.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    """List recorded import runs, newest first."""
    with open_store(Settings()) as store:
        runs = list_runs(store, source=source, limit=limit)
    if as_json:
        print_json(runs)
        return
    table = Table("run", "finished", "source", "format", "added", "changed", "removed")
    for run in runs:
        total = run["diff"]["nodes"]["total"]
        table.add_row(
            run["id"],
            run["finished_at"],
            run["source"],
            run["format"],
            str(total["added"]),
            str(total["changed"]),
            str(total["removed"]),
        )
    Console().print(table)
