"""Import runs: the `ImportRun` record an import writes, and listing the recorded runs."""

from __future__ import annotations

import json
from typing import Any

from graph.store import GraphStore
from importers import cypher
from importers.diff import DiffPlan
from importers.errors import ReportWarning
from importers.preparation import Prepared
from importers.transform import TransformResult

MAX_STORED_WARNINGS = 200


def run_properties(
    prepared: Prepared,
    result: TransformResult,
    diff: DiffPlan,
    warnings: list[ReportWarning],
    names: list[str],
    *,
    prune: bool,
    finished: str,
) -> dict[str, Any]:
    """The `ImportRun` node's properties: what was read, how it was mapped, what changed."""
    model = result["model"]
    return {
        "id": prepared.run_id,
        "source": prepared.source,
        "format": prepared.format,
        "files": names,
        "checksum": prepared.checksum,
        "mapping": prepared.mapping_file,
        "prune": prune,
        "started_at": prepared.started_at,
        "finished_at": finished,
        "model_id": model.get("model_id") or "",
        "model_name": model.get("name") or "",
        "model_documentation": model.get("documentation") or "",
        "model_properties": json.dumps(model.get("properties") or {}, sort_keys=True),
        "model_language": model.get("language") or "",
        "counts": json.dumps(result["counts"], sort_keys=True),
        "diff": json.dumps(diff["report"], sort_keys=True),
        "warnings": json.dumps([w.as_dict() for w in warnings[:MAX_STORED_WARNINGS]]),
        "warnings_total": len(warnings),
    }


RUN_JSON = ("counts", "diff", "warnings", "pruned", "model_properties")


def run_view(props: dict[str, Any]) -> dict[str, Any]:
    out = dict(props)
    for key in RUN_JSON:
        if isinstance(out.get(key), str):
            out[key] = json.loads(out[key])
    return out


def list_runs(
    store: GraphStore, *, source: str | None = None, limit: int = 20
) -> list[dict[str, Any]]:
    """Recorded import runs, newest first."""
    return [
        run_view(r["props"])
        for r in store.read(cypher.LIST_RUNS, {"source": source, "limit": limit}, timeout=None)
    ]


def get_run(store: GraphStore, run_id: str) -> dict[str, Any] | None:
    records = store.read(cypher.GET_RUN, {"id": run_id}, timeout=None)
    return run_view(records[0]["props"]) if records else None
