"""How long the cyclic collector holds the interpreter while the analytics run (issue 14).

    .venv/bin/python -m bench.gc_pauses --size M --rounds 3

Every collection holds the GIL, so its longest pause is what a health check waiting
behind a question can lose at once. This loads the demo and a generated model (M unless
`--size`), then asks `rounds` times bottlenecks (limit 1,000) and the health report in
one thread, first with CPython's collector settings (the baseline, same run), then with
the service's (`app.core.memory.settle`: start-up's objects frozen out of the passes),
then with nothing frozen again (to show the first figures were not a warm-up effect).
Collections are timed in the collecting thread's CPU time, which the machine's load does
not inflate. Writes bench/results/latest-gc-pauses.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from app.core.memory import settle
from bench import workloads as wl
from bench.harness import machine, on_neo4j
from graph.store import GraphStore
from importers.pipeline import run_import
from queries.bottlenecks import bottlenecks
from queries.health import health
from samples.demo import load_demo
from samples.generate import generate, size_of

RESULTS = Path(__file__).resolve().parent / "results"


class PauseLog:
    """Each collection's generation and CPU milliseconds, through `gc.callbacks`."""

    def __init__(self) -> None:
        self.pauses: list[tuple[int, float]] = []
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.thread_time()
        else:
            self.pauses.append((info["generation"], (time.thread_time() - self._started) * 1e3))

    def summary(self) -> dict[str, Any]:
        full = [ms for g, ms in self.pauses if g == 2]
        return {
            "collections": len(self.pauses),
            "full_passes": len(full),
            "collector_cpu_ms": round(sum(ms for _, ms in self.pauses), 1),
            "longest_pause_ms": round(max((ms for _, ms in self.pauses), default=0.0), 1),
        }


def _rounds(store: GraphStore, rounds: int, log: PauseLog) -> dict[str, Any]:
    log.pauses.clear()
    started = time.thread_time()
    for _ in range(rounds):
        bottlenecks(store, limit=1000)
        health(store)
    return {"questions_cpu_ms": round((time.thread_time() - started) * 1e3, 1)} | log.summary()


def run(target: wl.Neo4jTarget, size: str, seed: int, rounds: int) -> dict[str, Any]:
    store = GraphStore.connect(target.uri, target.user, target.password)
    try:
        store.ensure_schema()
        store.clear()
        load_demo(store)
        model = Path(tempfile.mkdtemp(prefix="vg-gc-")) / "model.json"
        with model.open("w") as out:
            generate(size_of(size), seed, out)
        run_import(store, model, max_bytes=1 << 40)
        import app.main  # noqa: F401  (the service's modules, as its process holds them)

        log = PauseLog()
        gc.callbacks.append(log)
        runs: dict[str, Any] = {}
        try:
            runs["default"] = _rounds(store, rounds, log)
            settle()
            runs["service"] = _rounds(store, rounds, log)
            gc.unfreeze()
            runs["default_again"] = _rounds(store, rounds, log)
        finally:
            gc.callbacks.remove(log)
        return {"size": size, "rounds": rounds, "thresholds": gc.get_threshold(), "runs": runs}
    finally:
        store.close()


def _table(result: dict[str, Any]) -> str:
    base = result["runs"]["default"]
    lines = [
        "| collector | full passes | collector CPU ms | longest pause ms | questions CPU ms |",
        "|---|---|---|---|---|",
    ]
    for name, r in result["runs"].items():
        ratio = r["longest_pause_ms"] / base["longest_pause_ms"] if base["longest_pause_ms"] else 0
        lines.append(
            f"| {name} | {r['full_passes']} | {r['collector_cpu_ms']:,.0f} | "
            f"{r['longest_pause_ms']:,.0f} ({ratio:.2f}x) | {r['questions_cpu_ms']:,.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="M", help="generated model: S, M, L or a number")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--neo4j-uri", default=os.environ.get("NEO4J_URI"))
    args = parser.parse_args(argv)
    result = on_neo4j(
        lambda target: run(target, args.size.upper(), args.seed, args.rounds),
        uri=args.neo4j_uri,
        heap="2g",
        pagecache="1g",
        prefix="valuegraph-gc-neo4j-",
    )
    result["machine"] = machine()
    result["machine"]["loadavg_end"] = list(os.getloadavg())
    print(_table(result))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest-gc-pauses.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
