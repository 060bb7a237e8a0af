"""The house's layering, checked from the source: `pytest tests/test_layering.py`.

- Data flows one way: importers -> graph; app -> queries -> graph. No package imports one
  above it.
- No import cycle among the modules of `app/` (module-level imports and late ones alike).
- No module imports another module's private (`_name`) names.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("app", "graph", "queries", "importers", "samples")
# What each package may import from the project (besides itself).
ALLOWED = {
    "graph": set(),
    "queries": {"graph"},
    "importers": {"graph"},
    "samples": {"graph", "importers"},
    "app": {"graph", "queries", "importers", "samples"},
}


def _modules() -> Iterator[tuple[str, Path]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join(parts), path


MODULES = dict(_modules())


def _imports(name: str, path: Path) -> Iterator[tuple[str, list[str], int]]:
    """(module imported, names taken from it, line) for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            yield base, [a.name for a in node.names], node.lineno


def _project_module(imported: str, taken: str | None = None) -> str | None:
    """The project module an import refers to (`from app.rest import admin` -> app.rest.admin)."""
    if taken and f"{imported}.{taken}" in MODULES:
        return f"{imported}.{taken}"
    return imported if imported in MODULES else None


def test_packages_import_only_the_layers_below_them() -> None:
    wrong = []
    for name, path in MODULES.items():
        top = name.split(".")[0]
        for imported, _, line in _imports(name, path):
            other = imported.split(".")[0]
            if other in PACKAGES and other != top and other not in ALLOWED[top]:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    assert wrong == []


def test_no_import_cycles_in_app() -> None:
    graph = nx.DiGraph()
    for name, path in MODULES.items():
        if not name.startswith("app"):
            continue
        graph.add_node(name)
        for imported, taken, _ in _imports(name, path):
            targets = [_project_module(imported, t) for t in taken] or [_project_module(imported)]
            for target in targets:
                if target and target.startswith("app") and target != name:
                    graph.add_edge(name, target)
    assert list(nx.simple_cycles(graph)) == []


def test_no_module_imports_another_modules_private_names() -> None:
    wrong = []
    for name, path in MODULES.items():
        for imported, taken, line in _imports(name, path):
            if _project_module(imported) is None:
                continue
            private = [t for t in taken if t.startswith("_") and not t.startswith("__")]
            if private and imported != name:
                wrong.append(
                    f"{path.relative_to(ROOT)}:{line} imports {', '.join(private)} from {imported}"
                )
    assert wrong == []
