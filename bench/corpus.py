"""How much of a corpus of models the importer understands: `python -m bench corpus DIR`.

Every model under DIR is read as `valuegraph import MODEL --dry-run --json` reads it
(parse and transform, the same code and the same `counts`; no database is needed, since
the figures do not depend on what the graph holds) and reported per model and in total:
refused (with file, line and hint), elements, elements without an ArchiMate or
operating-model type, relationships, and relationships without a propagation rule.

A model is a file (`.archimate`, `.xml`, `.yaml`, `.yml`), or a folder that is one model
as a whole: an Archi CSV export (a `*elements.csv` in it) or a Backstage repository (a
`catalog-info.yaml` in it). Any other folder is walked into.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from importers.errors import ImportFailure
from importers.preparation import prepare

MODEL_SUFFIXES = (".archimate", ".xml", ".yaml", ".yml")
CATALOG_NAMES = ("catalog-info.yaml", "catalog-info.yml")
# Issue 12's targets: at most this share of elements untyped, of relationships unruled.
TARGET_SHARE = 0.05


@dataclass
class ModelFigures:
    """One model's line: refused (and why), or its counts from the dry run."""

    path: str
    format: str | None = None
    refused: dict[str, Any] | None = None
    elements: int = 0
    untyped: int = 0
    relationships: int = 0
    without_rule: int = 0
    warnings: int = 0


def models(root: Path) -> list[Path]:
    """The models under `root`, each a file or a folder read as one, in path order."""
    if root.is_file():
        return [root]
    names = {p.name.lower() for p in root.iterdir()}
    if root.is_dir() and (
        any(n.endswith("elements.csv") for n in names) or names & set(CATALOG_NAMES)
    ):
        return [root]
    found: list[Path] = []
    for child in sorted(root.iterdir()):
        if child.is_dir():
            found.extend(models(child))
        elif child.suffix.lower() in MODEL_SUFFIXES:
            found.append(child)
    return found


def measure(path: Path, root: Path) -> ModelFigures:
    shown = path.relative_to(root).as_posix() if path != root else path.name
    figures = ModelFigures(shown or ".")
    try:
        result = prepare(path).result
    except ImportFailure as exc:
        figures.refused = exc.as_dict()
        figures.refused.pop("details", None)
        if figures.refused["file"]:
            figures.refused["file"] = _relative(figures.refused["file"], root)
        return figures
    counts = result["counts"]
    figures.format = result["model"]["format"]
    figures.elements = counts["elements_in_file"]
    figures.untyped = counts["untyped_elements"]
    figures.relationships = counts["relationships_in_file"]
    figures.without_rule = counts["relationships_without_rule"]
    figures.warnings = len(result["warnings"])
    return figures


def _relative(file: str, root: Path) -> str:
    try:
        return Path(file).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return file


def _share(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


def survey(root: Path) -> dict[str, Any]:
    """Every model's figures and the totals over those that were read."""
    rows = [measure(p, root) for p in models(root)]
    read = [r for r in rows if r.refused is None]
    elements = sum(r.elements for r in read)
    untyped = sum(r.untyped for r in read)
    relationships = sum(r.relationships for r in read)
    without_rule = sum(r.without_rule for r in read)
    return {
        "corpus": str(root),
        "models": [asdict(r) for r in rows],
        "totals": {
            "models": len(rows),
            "refused": len(rows) - len(read),
            "elements": elements,
            "untyped": untyped,
            "untyped_pct": _share(untyped, elements),
            "relationships": relationships,
            "without_rule": without_rule,
            "without_rule_pct": _share(without_rule, relationships),
        },
    }


def table(report: dict[str, Any]) -> str:
    head = ("model", "format", "elements", "untyped", "relationships", "without rule")
    lines = [head]
    refusals: list[str] = []
    for m in report["models"]:
        if m["refused"]:
            r = m["refused"]
            where = f"{r['file'] or m['path']}" + (f":{r['line']}" if r["line"] else "")
            refusals.append(f"  {m['path']}: {where}: {r['msg']} — {r['hint']}")
            lines.append((m["path"], "refused", "", "", "", ""))
            continue
        lines.append(
            (
                m["path"],
                m["format"],
                str(m["elements"]),
                str(m["untyped"]),
                str(m["relationships"]),
                str(m["without_rule"]),
            )
        )
    t = report["totals"]
    lines.append(
        (
            f"total: {t['models']} models, {t['refused']} refused",
            "",
            str(t["elements"]),
            f"{t['untyped']} ({t['untyped_pct']} %)",
            str(t["relationships"]),
            f"{t['without_rule']} ({t['without_rule_pct']} %)",
        )
    )
    widths = [max(len(row[i]) for row in lines) for i in range(len(head))]
    out = [
        "  ".join(
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in lines
    ]
    out.insert(1, "  ".join("-" * w for w in widths))
    out.insert(len(out) - 1, "  ".join("-" * w for w in widths))
    if refusals:
        out += ["", "refused:", *refusals]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench corpus",
        description="Dry-run every model under a folder and report how much is understood.",
    )
    parser.add_argument("corpus", type=Path, help="a folder of models (or one model)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    report = survey(args.corpus)
    print(json.dumps(report, indent=2) if args.json else table(report))
    t = report["totals"]
    within = t["untyped_pct"] <= 100 * TARGET_SHARE and t["without_rule_pct"] <= 100 * TARGET_SHARE
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
