"""The CLI package keeps its shape: command modules import only the shared leaf, never the
root or each other, import no private names, and import late only what is slow to load."""

from __future__ import annotations

import ast
from pathlib import Path

CLI = Path(__file__).resolve().parents[1] / "app" / "cli"
COMMAND_MODULES = {p.stem for p in CLI.glob("*.py")} - {"__init__", "root", "shared"}
# Slow to import (FastAPI, strawberry) and needed by one command each: see app/cli/server.py.
LATE_IMPORTS_ALLOWED = {"app.main", "app.graphql"}


def _imports(path: Path) -> list[tuple[ast.ImportFrom | ast.Import, bool]]:
    """Every import in PATH, with whether it sits at module level."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    return [
        (node, id(node) in top)
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
    ]


def _cli_modules_imported(path: Path) -> set[str]:
    found = set()
    for node, _ in _imports(path):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "app.cli":
                found |= {alias.name for alias in node.names}
            elif node.module.startswith("app.cli."):
                found.add(node.module.removeprefix("app.cli."))
        elif isinstance(node, ast.Import):
            found |= {
                a.name.removeprefix("app.cli.") for a in node.names if a.name.startswith("app.cli")
            }
    return found


def test_shared_is_a_leaf_and_commands_import_only_it() -> None:
    assert COMMAND_MODULES
    assert _cli_modules_imported(CLI / "shared.py") == set()
    for name in sorted(COMMAND_MODULES):
        assert _cli_modules_imported(CLI / f"{name}.py") <= {"shared"}, name
    assert _cli_modules_imported(CLI / "root.py") == COMMAND_MODULES


def test_no_private_names_imported_and_no_late_imports_but_slow_ones() -> None:
    for path in sorted(CLI.glob("*.py")):
        for node, at_top in _imports(path):
            if isinstance(node, ast.ImportFrom):
                private = [a.name for a in node.names if a.name.startswith("_")]
                assert not private, f"{path.name} imports {private} from {node.module}"
            if not at_top:
                modules = (
                    {node.module or ""}
                    if isinstance(node, ast.ImportFrom)
                    else {a.name for a in node.names}
                )
                assert modules <= LATE_IMPORTS_ALLOWED, f"{path.name}: late import of {modules}"
