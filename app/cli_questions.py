"""CLI commands for the questions."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `valuegraph` CLI."""
