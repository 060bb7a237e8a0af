"""Run one import in a process of its own and report its time and peak memory (JSON).

`python -m bench.import_child FILE --uri URI [--user U --password P]` runs exactly the
pipeline `valuegraph import` and `POST /api/imports` run (`importers.pipeline.run_import`).
Peak resident memory is the kernel's high-water mark of this process (`VmHWM`), so it
covers parsing, transforming, diffing and writing; `rss_before_mb` is the same process
before the import (interpreter, driver and app modules loaded).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from graph.store import GraphStore
from importers.pipeline import run_import


def proc_status_mb(field: str) -> float:
    """A memory field of /proc/self/status (VmRSS, VmHWM) in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _durations(starts: dict[str, float], end: float) -> dict[str, float]:
    marks = sorted(starts.items(), key=lambda kv: kv[1])
    ends = [t for _, t in marks[1:]] + [end]
    return {name: round(stop - begin, 3) for (name, begin), stop in zip(marks, ends, strict=True)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", type=Path)
    parser.add_argument("--uri", required=True)
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument(
        "--no-history",
        action="store_true",
        help="the recorder off: the history benchmark's baseline (bench.history)",
    )
    args = parser.parse_args()
    with ExitStack() as stack:
        if args.no_history:
            from bench.history import history_off

            stack.enter_context(history_off())
        _run(args)


def _run(args: argparse.Namespace) -> None:
    store = GraphStore.connect(args.uri, args.user, args.password, retry_time=0.0)
    try:
        store.ensure_schema()
        before = proc_status_mb("VmRSS")
        phases: dict[str, float] = {}
        start, cpu = time.perf_counter(), time.process_time()

        def progress(phase: str, _done: int, _total: int | None) -> None:
            # When each phase (read, map, compare, write) first reports, from the start.
            phases.setdefault(phase, round(time.perf_counter() - start, 3))

        report = run_import(store, args.file, max_bytes=1 << 40, progress=progress)
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu
    finally:
        store.close()
    diff = report["diff"]
    json.dump(
        {
            "seconds": round(seconds, 3),
            # This process's CPU time (all its threads): what a loaded machine changes least.
            "cpu_s": round(cpu, 3),
            # Seconds spent in each phase: parse, transform (map), diff and checks, write.
            "phases_s": _durations(phases, seconds),
            "nodes_written": diff["nodes"]["total"]["added"] + diff["nodes"]["total"]["changed"],
            "relationships_written": diff["relationships"]["total"]["added"]
            + diff["relationships"]["total"]["changed"],
            "nodes": sum(report["counts"]["nodes"].values()),
            "relationships": sum(report["counts"]["relationships"].values()),
            "warnings": report["warnings_total"],
            "rss_before_mb": before,
            "peak_rss_mb": proc_status_mb("VmHWM"),
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
