"""The hand-written demo model of a retail bank, loaded through the one write path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graph.model import NODE_ADAPTER, REL_ADAPTER, NodeRecord, RelRecord, node_record, rel_record
from graph.store import GraphStore, WriteSummary
from importers.bounded_yaml import safe_load

DEMO_FILE = Path(__file__).parent / "retail_bank.yaml"
DEMO_SOURCE = "demo:retail_bank"


def demo_records(path: Path = DEMO_FILE) -> tuple[list[NodeRecord], list[RelRecord]]:
    """Parse and validate the demo file (pure: no database)."""
    data: dict[str, Any] = safe_load(path.read_text(encoding="utf-8"))
    nodes = [
        node_record(NODE_ADAPTER.validate_python({"type": label, **item}), source=DEMO_SOURCE)
        for label, items in data["nodes"].items()
        for item in items
    ]
    rels = []
    for rel_type, items in data["relationships"].items():
        for item in items:
            source, target, *extra = item
            fields = {
                "type": rel_type,
                "source": source,
                "target": target,
                **(extra[0] if extra else {}),
            }
            rels.append(rel_record(REL_ADAPTER.validate_python(fields), source=DEMO_SOURCE))
    return nodes, rels


def load_demo(store: GraphStore, path: Path = DEMO_FILE) -> WriteSummary:
    """Load (or refresh) the demo model; idempotent, in one transaction."""
    nodes, rels = demo_records(path)
    return store.write(nodes, rels)
