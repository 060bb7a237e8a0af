"""The whole-model analyses timed against an earlier version, in the same run on the same
model (issue 15): the health report, the full bottleneck ranking and a scenario comparison
(removing the most shared platform), each as the server computes it the first time after
the model changed.

    python -m bench.analytics --size M --baseline ac9dc3d
    flock /tmp/vg-L.lock python -m bench.analytics --size L --heap 8g --txmax 7g --baseline ac9dc3d

The model is generated, imported into a local Neo4j started for it (the recorder off, as
`bench.import_child --no-history`), read as the server reads it (`ModelGraph`) and kept
as a pickle (`--model`, reused when it exists: Neo4j is then not started). Each version
then runs in a process of its own (`git archive` of `--baseline` into a temporary folder,
and this checkout), alternately for `--rounds` rounds; each reports wall and CPU seconds
per step and its answers, and the answers must be equal. Other processes share the
machine: CPU seconds and the ratios of the same run are what compare, not wall seconds
across runs. Writes bench/results/analytics-<size>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DAY = date(2026, 12, 7)  # lifecycle checks read a day: the same for every run
STEPS = (
    "projection",
    "health facts + report",
    "ranking",
    "health, first time",
    "ranking, first time",
    "scenario comparison",
    "comparison, first part",
)


def _timed(steps: dict[str, dict[str, float]], label: str, fn: Callable[[], Any]) -> Any:
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    steps[label] = {
        "wall_s": round(time.perf_counter() - wall, 3),
        "cpu_s": round(time.process_time() - cpu, 3),
    }
    return result


def child(model_path: Path, platform: str, answers_path: Path) -> None:
    """Time one version's analyses (the version on PYTHONPATH); print JSON."""
    from queries import bottlenecks as bn
    from queries import health as hl
    from queries.propagation import propagation_table
    from queries.scenarios.comparison import Side, compare_models
    from queries.scenarios.models import ScenarioView
    from queries.scenarios.operations import parse_operation, replay

    with model_path.open("rb") as f:
        model = pickle.load(f)  # a pickle this benchmark wrote
    table = propagation_table(None)
    config = bn.BottleneckConfig()
    steps: dict[str, dict[str, float]] = {}
    projection = _timed(steps, "projection", lambda: model.projection(table))
    health = _timed(
        steps,
        "health facts + report",
        lambda: hl.health_report(
            model.health_facts(), projection, max_streams_per_team=3, table=table, today=DAY
        ),
    )
    ranking = _timed(
        steps,
        "ranking",
        lambda: bn.bottleneck_report(
            projection,
            model.served_directly(),
            limit=bn.ranked_all(projection),
            config=config,
            table=table,
        ),
    )
    ops = [parse_operation({"op": "remove_element", "element": platform})]

    def scenario_of() -> tuple[Any, ScenarioView]:
        scenario, views, _ = replay(model, ops)
        view = ScenarioView(
            name="bench",
            description="",
            status="open",
            operation_count=len(ops),
            operations=views,
            created_at="2026-12-07T00:00:00Z",
            updated_at="2026-12-07T00:00:00Z",
        )
        return scenario, view

    def compare() -> Any:
        scenario, view = scenario_of()
        return compare_models(
            model,
            scenario,
            view=view,
            element=None,
            max_depth=6,
            limit=20,
            max_streams_per_team=3,
            config=config,
            overrides=None,
            today=DAY,
            base_side=Side(ranking=ranking, health=health, projection=projection),
        )

    comparison = _timed(steps, "scenario comparison", compare)
    from queries.scenarios import comparison as cmp

    # The comparison's first part, in versions that answer in two parts.
    first_part: Callable[..., Any] | None = getattr(cmp, "first_part", None)
    if first_part is not None:
        part = first_part

        def first_only() -> Any:
            scenario, view = scenario_of()
            return part(
                model,
                scenario,
                view=view,
                element=None,
                max_depth=6,
                max_streams_per_team=3,
                overrides=None,
                today=DAY,
                base_health=health,
                base_projection=projection,
            )

        _timed(steps, "comparison, first part", first_only)
    for first, step in (
        ("health, first time", "health facts + report"),
        ("ranking, first time", "ranking"),
    ):
        steps[first] = {
            k: round(steps["projection"][k] + steps[step][k], 3) for k in ("wall_s", "cpu_s")
        }
    with answers_path.open("wb") as out:
        pickle.dump(
            {
                "health": health.model_dump(),
                "ranking": ranking.model_dump(),
                # Without the fields the two-part answer added (the same in every version).
                "comparison": comparison.model_dump(
                    exclude={
                        "ranking_pending": True,
                        "losses": {"needs": {"__all__": {"stream_count"}}},
                    }
                ),
            },
            out,
        )
    json.dump(steps, sys.stdout)


def read_model(size: str, model_path: Path, heap: str, txmax: str) -> None:
    """Generate, import into a local Neo4j, read the model and pickle it."""
    from bench.history import history_off
    from graph.local_neo4j import LocalNeo4j
    from graph.store import GraphStore
    from importers.pipeline import run_import
    from queries.present import load_at_revision
    from samples.generate import generate

    work = Path(tempfile.mkdtemp(prefix="vg-analytics-"))
    xml = work / f"model-{size}.xml"
    with xml.open("w", encoding="utf-8") as out:
        generate(size, 1, out)  # = valuegraph generate --size SIZE (seed 1)
    server = LocalNeo4j(work / "neo4j")
    status = server.start(heap=heap, pagecache="2g", txmax=txmax)
    assert status.uri
    try:
        store = GraphStore.connect(status.uri, None, None, retry_time=0.0)
        try:
            store.ensure_schema()
            with history_off():
                run_import(store, xml, max_bytes=1 << 40)
            _, model = load_at_revision(store)
        finally:
            store.close()
    finally:
        server.stop()
    with model_path.open("wb") as f:
        pickle.dump(model, f, protocol=pickle.HIGHEST_PROTOCOL)
    print(f"model: {len(model.nodes):,} elements, {len(model.rels):,} relationships")


def _checkout(rev: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="vg-baseline-"))
    archive = subprocess.run(
        [
            "git",
            "-C",
            str(ROOT),
            "archive",
            rev,
            "queries",
            "graph",
            "importers",
            "samples",
            "app",
            "bench",
        ],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def _run_child(code: Path, model: Path, platform: str, answers: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(code)}
    out = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            "--model",
            str(model),
            "--platform",
            platform,
            "--answers",
            str(answers),
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--size", default="M")
    parser.add_argument("--baseline", required=False, help="git revision to compare with")
    parser.add_argument(
        "--model", type=Path, help="pickled model (default: /tmp/vg-analytics-SIZE.pkl)"
    )
    parser.add_argument("--platform", default="plat-t0", help="the platform the scenario removes")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--heap", default="4g")
    parser.add_argument("--txmax", default="3g")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--answers", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    model = args.model or Path(f"/tmp/vg-analytics-{args.size}.pkl")
    if args.child:
        child(model, args.platform, args.answers)
        return
    if not model.exists():
        read_model(args.size, model, args.heap, args.txmax)
    versions = {"current": ROOT}
    if args.baseline:
        versions = {"baseline": _checkout(args.baseline), **versions}
    load_start = os.getloadavg()
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in versions}
    answers: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(1, args.rounds + 1):
            for name, code in versions.items():
                path = Path(tmp) / f"{name}.pkl"
                runs[name].append(_run_child(code, model, args.platform, path))
                answers[name] = path.read_bytes()
                print(
                    f"round {round_} {name}: "
                    + ", ".join(
                        f"{s} {runs[name][-1][s]['cpu_s']:.2f} s"
                        for s in STEPS
                        if s in runs[name][-1]
                    ),
                    flush=True,
                )
    same = len({pickle.dumps(pickle.loads(a)) for a in answers.values()}) == 1
    median = {
        name: {
            s: {k: statistics.median(r[s][k] for r in rs) for k in ("wall_s", "cpu_s")}
            for s in STEPS
            if all(s in r for r in rs)
        }
        for name, rs in runs.items()
    }
    result = {
        "size": args.size,
        "baseline": args.baseline,
        "platform": args.platform,
        "rounds": args.rounds,
        "loadavg_start": load_start,
        "loadavg_end": os.getloadavg(),
        "cores": os.cpu_count(),
        "same_answers": same,
        "median": median,
        "runs": runs,
    }
    print(
        f"\n{args.size}: medians of {args.rounds} rounds (CPU s, wall s); load average "
        f"{load_start[0]:.1f} -> {result['loadavg_end'][0]:.1f}; same answers: {same}"
    )
    for s in STEPS:
        line = f"  {s:24s}"
        for name in versions:
            if s not in median[name]:
                line += f"  {name} {'-':>7} cpu {'-':>7} wall"
                continue
            m = median[name][s]
            line += f"  {name} {m['cpu_s']:7.2f} cpu {m['wall_s']:7.2f} wall"
        if "baseline" in median and all(s in median[n] for n in versions):
            b, c = median["baseline"][s]["cpu_s"], median["current"][s]["cpu_s"]
            line += f"  ratio (CPU) {b / c:5.1f}x" if c else ""
        print(line)
    out = ROOT / "bench" / "results" / f"analytics-{args.size}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
