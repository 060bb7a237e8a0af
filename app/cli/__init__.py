"""The `valuegraph` command line.

- `root`: the `valuegraph` Typer; it only joins the command modules' Typers with `add_typer`.
- `shared`: what commands share (consoles, `--json` output, `fail`, the walk options, the
  way to Neo4j and its store). A leaf: command modules import it, never `root`.
- one module per group of commands, each owning its `app = typer.Typer()`: `server` (serve,
  demo, stats, schema, reset), `audit`, `questions` (impact, depends-on, path, bottlenecks,
  health), `scenarios` (`scenario …`), `imports` (import, export, imports), `generate`,
  `local_neo4j` (`neo4j …`) and `tokens` (`token …`).
"""

from app.cli.root import app, main

__all__ = ["app", "main"]
