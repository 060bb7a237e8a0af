"""The browser benchmark (issue 15): `python -m bench browser --size L` (see `--help`).

A scripted tour of the explorer in real headless Chromium (`bench/browser_tour.mjs`: load
the landing overview, open the graph page, search, expand the most connected element,
impact of the most shared platform, impact of a stream and what it depends on, bottlenecks,
health, scenario mode, create a scenario, remove the most shared platform and compare), run
first on the demo model (the baseline, same run) and then on a generated model, each on a
real `valuegraph serve` (auth off, 127.0.0.1) whose walk index is built and whose answers are
warm (`GET /api/warm-answers`; how long that took after start-up is reported). The browser reports
its long tasks, each step's time to answer and the landing's paints; the result is printed
as a table and written to `bench/results/latest-browser.json` (and `run-browser-<time>.json`).

Starts its own local Neo4j unless `--neo4j-uri` names one (**every valuegraph element
there is deleted**).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench import workloads as wl
from bench.harness import RESULTS, machine, on_neo4j, scratch_dir, serve_app
from graph.store import GraphStore
from samples.demo import load_demo
from samples.generate import generate, size_of

TOUR = Path(__file__).resolve().parent / "browser_tour.mjs"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

# The targets of issue 15 ("Done means").
TARGETS = {"longest_task_ms": 200.0, "answer_ms": 1500.0, "first_paint_ms": 1000.0}

MOST_CONNECTED = """
MATCH (n:Element)
WITH n, COUNT { (n)--() } AS degree
RETURN n.id AS id, n.name AS name, degree
ORDER BY degree DESC, id
LIMIT 1
"""
# The stream that depends on most within two hops: the heaviest "what it depends on".
A_STREAM = """
MATCH (v:ValueStream)
RETURN v.id AS id, v.name AS name, COUNT { (v)-[]->()-[]->() } AS reach
ORDER BY reach DESC, id
LIMIT 1
"""


@dataclass
class BrowserConfig:
    size: str = "L"
    seed: int = 1
    reps: int = 2
    workdir: Path | None = None
    results_dir: Path | None = RESULTS


def tour_plan(store: GraphStore) -> dict[str, Any]:
    """What the tour visits on the model in `store`."""
    connected = store.read(MOST_CONNECTED)[0]
    shared = wl.pick_platforms(store)["most_shared"]
    (name,) = store.read("MATCH (p:Element {id: $id}) RETURN p.name AS n", {"id": shared["id"]})
    stream = store.read(A_STREAM)[0]
    return {
        "connected": {
            "id": connected["id"],
            "name": connected["name"],
            "degree": connected["degree"],
        },
        "shared": {"id": shared["id"], "name": name["n"], "dependants": shared["dependants"]},
        "stream": {"id": stream["id"], "name": stream["name"]},
    }


def run_tour(url: str, plan: dict[str, Any], workdir: Path, name: str) -> dict[str, Any]:
    """One tour in a fresh browser; its JSON result (raises if the tour could not finish)."""
    out = workdir / f"tour-{name}.json"
    env = os.environ | {
        "VALUEGRAPH_URL": url,
        "TOUR_PLAN": json.dumps(plan | {"scenario": f"bench-{name}-{int(time.time())}"}),
        "TOUR_OUT": str(out),
        "CHROMIUM": CHROMIUM,
    }
    node = shutil.which("node") or "node"
    proc = subprocess.run(
        [node, str(TOUR)], capture_output=True, text=True, env=env, timeout=1800, check=False
    )
    (workdir / f"tour-{name}.log").write_text(proc.stdout + proc.stderr)
    if not out.exists():
        raise RuntimeError(f"the tour wrote no result ({proc.returncode}):\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.read_text())
    result["exit_code"] = proc.returncode
    return result


def _tours(
    store: GraphStore,
    target: wl.Neo4jTarget,
    workdir: Path,
    name: str,
    reps: int,
    log: Callable[[str], None],
) -> dict[str, Any]:
    plan = tour_plan(store)
    log(f"  {name}: {json.dumps(plan)}")
    # A shared machine under load (average 40 seen) starts the server in over a minute.
    with serve_app(target, workdir, start_timeout_s=600) as server:
        index = _wait_for_index(store, server.url, server.pid)
        # The tour measures the explorer as a user gets it from a warm server: the health
        # report and bottleneck ranking kept (app.core.warm), as they are seconds after start.
        warm = wl.wait_for_warm(store, server.url)
        log(f"  {name}: answers warm {warm['ready_after_start_s']} s after start-up")
        runs = []
        for rep in range(reps):
            log(f"  {name}: tour {rep + 1}/{reps}")
            runs.append(run_tour(server.url, plan, workdir, f"{name}-{rep + 1}"))
    # The last tour is reported: the first after a server starts also pays for its caches
    # and Neo4j's query plans (kept in the JSON as `runs`).
    return {"plan": plan, "index": index, "warm": warm, "runs": runs, "tour": runs[-1]}


def _wait_for_index(store: GraphStore, url: str, pid: int) -> dict[str, Any]:
    # On a busy shared machine a single status request may take longer than its timeout.
    for attempt in range(10):
        try:
            return wl.wait_for_index(store, url, pid)
        except httpx.TimeoutException:
            if attempt == 9:
                raise
    raise AssertionError("unreachable")


def run_browser_bench(
    config: BrowserConfig, target: wl.Neo4jTarget, log: Callable[[str], None] = print
) -> dict[str, Any]:
    workdir = config.workdir or scratch_dir("valuegraph-browser-bench-")
    workdir.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {
        "size": config.size,
        "seed": config.seed,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "targets": TARGETS,
    }
    store = GraphStore.connect(target.uri, target.user, target.password)
    try:
        store.ensure_schema()
        log("baseline: the demo model")
        store.clear()
        load_demo(store)
        result["demo"] = _tours(store, target, workdir, "demo", config.reps, log)
        n = size_of(config.size)
        file = workdir / f"model-{config.size}-{config.seed}.xml"
        log(f"generating {config.size} ({n} elements) and importing it")
        with file.open("w", encoding="utf-8", buffering=1 << 20) as out:
            counts = generate(n, config.seed, out)
        store.clear()
        start = time.perf_counter()
        child = wl.import_child(file, target)
        result["model"] = {
            "elements": counts.total_elements,
            "relationships": counts.total_relationships,
            "import_s": round(time.perf_counter() - start, 1),
            "nodes_written": child.get("nodes"),
        }
        log(f"  imported in {result['model']['import_s']} s")
        result["generated"] = _tours(store, target, workdir, config.size, config.reps, log)
    finally:
        store.close()
    result["machine"]["loadavg_end"] = list(os.getloadavg())
    result["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    result["table"] = table_rows(result)
    result["verdicts"] = verdicts(result["generated"]["tour"])
    if config.results_dir is not None:
        config.results_dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        text = json.dumps(result, indent=2, default=str) + "\n"
        (config.results_dir / f"run-browser-{stamp}.json").write_text(text)
        (config.results_dir / "latest-browser.json").write_text(text)
    return result


def verdicts(tour: dict[str, Any]) -> dict[str, Any]:
    steps = tour["steps"]
    slow = [
        s["name"]
        for s in steps
        if not s.get("untimed") and (s["ms"] is None or s["ms"] >= TARGETS["answer_ms"])
    ]
    lcp = tour["largest_contentful_paint_ms"]
    return {
        "longest_task_ms": {
            "value": tour["longest_task_ms"],
            "met": tour["longest_task_ms"] <= TARGETS["longest_task_ms"],
        },
        "answers_under_ms": {"slow": slow, "met": not slow},
        "first_paint_ms": {
            "value": lcp,
            "met": lcp is not None and lcp < TARGETS["first_paint_ms"],
        },
    }


Row = tuple[str, str, str, str, str, str, str]


def _ms(x: float | None) -> str:
    return "failed" if x is None else f"{x:,.0f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "" if a is None or b is None or b <= 0 else f"{a / b:.1f}"


def table_rows(result: dict[str, Any]) -> list[Row]:
    demo = {s["name"]: s for s in result["demo"]["tour"]["steps"]}
    rows: list[Row] = []
    for s in result["generated"]["tour"]["steps"]:
        d = demo.get(s["name"], {})
        longest, d_longest = s["longest_task_ms"], d.get("longest_task_ms")
        untimed = bool(s.get("untimed"))
        ok = (
            untimed or (s["ms"] is not None and s["ms"] < TARGETS["answer_ms"])
        ) and longest <= TARGETS["longest_task_ms"]
        element = f" ({s['element']})" if s.get("element") else ""
        rows.append(
            (
                s["name"] + element,
                "not timed" if untimed else _ms(s["ms"]),
                "not timed" if untimed else _ms(d.get("ms")),
                _ratio(s["ms"], d.get("ms")),
                f"{longest:,} ({len(s['longtasks'])})",
                "" if d_longest is None else f"{d_longest:,} ({len(d['longtasks'])})",
                "yes" if ok else "NO",
            )
        )
    g, b = result["generated"]["tour"], result["demo"]["tour"]
    for label, key in (
        ("first contentful paint", "first_contentful_paint_ms"),
        ("largest contentful paint", "largest_contentful_paint_ms"),
    ):
        met = g[key] is not None and g[key] < TARGETS["first_paint_ms"]
        rows.append(
            (
                label,
                _ms(g[key]),
                _ms(b[key]),
                _ratio(g[key], b[key]),
                "",
                "",
                "yes" if met else "NO",
            )
        )
    between = g["longtasks_between_steps"]
    rows.append(
        (
            "between steps (typing, untimed picks)",
            "",
            "",
            "",
            f"{max([0, *between]):,} ({len(between)})",
            f"{max([0, *b['longtasks_between_steps']]):,} ({len(b['longtasks_between_steps'])})",
            "yes" if max([0, *between]) <= TARGETS["longest_task_ms"] else "NO",
        )
    )
    return rows


def render_table(result: dict[str, Any]) -> str:
    header: Row = (
        "step",
        f"{result['size']} ms",
        "demo ms",
        "ratio",
        f"{result['size']} longest task ms (n > 50 ms)",
        "demo longest task",
        "target met",
    )
    rows = [header, *[tuple(r) for r in result["table"]]]
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(header))]
    lines = []
    for k, row in enumerate(rows):
        lines.append("| " + " | ".join(str(c).ljust(widths[i]) for i, c in enumerate(row)) + " |")
        if k == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    m, model = result["machine"], result["model"]
    warm = {k: result[k].get("warm") or {} for k in ("generated", "demo")}
    lines.append(
        f"\nanswers warm after start-up (walk index first): {result['size']} "
        f"{warm['generated'].get('ready_after_start_s')} s (the warm itself "
        f"{warm['generated'].get('warmed_in_s')} s), demo {warm['demo'].get('ready_after_start_s')} s"
    )
    lines.append(
        f"\n{result['size']}: {model['elements']:,} elements, {model['relationships']:,} "
        f"relationships (imported in {model['import_s']} s); {m['cores']} cores, {m['cpu']}; "
        f"load average {m['loadavg_start'][0]:.1f} → {m['loadavg_end'][0]:.1f}; "
        f"targets: no task over {TARGETS['longest_task_ms']:g} ms, answers under "
        f"{TARGETS['answer_ms']:g} ms, largest contentful paint under {TARGETS['first_paint_ms']:g} ms"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench browser", description=__doc__)
    parser.add_argument("--size", default="L", help="S, M, L, XL or a number of elements")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--reps", type=int, default=2, help="tours per model (the last is reported)"
    )
    parser.add_argument("--neo4j-uri", default=os.environ.get("NEO4J_URI"))
    parser.add_argument("--heap", default="4g", help="heap of the Neo4j this starts")
    parser.add_argument("--pagecache", default="2g")
    parser.add_argument("--txmax", default="3g", help="transaction memory of that Neo4j")
    parser.add_argument("--workdir", type=Path, help="keep the model, logs and tours here")
    args = parser.parse_args(argv)
    config = BrowserConfig(
        size=args.size.upper(), seed=args.seed, reps=args.reps, workdir=args.workdir
    )
    result = on_neo4j(
        lambda target: run_browser_bench(config, target),
        uri=args.neo4j_uri,
        heap=args.heap,
        pagecache=args.pagecache,
        txmax=args.txmax,
        prefix="valuegraph-browser-bench-neo4j-",
    )
    print()
    print(render_table(result))
