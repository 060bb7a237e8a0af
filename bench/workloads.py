"""The six workloads of issue 6, each measured against a baseline in the same run.

1. import: end-to-end `run_import` (in a child process) vs the same rows written by a
   bare batched `UNWIND … MERGE` loop on the driver;
2. impact: GraphQL over HTTP vs the same Cypher round trips run directly on the driver,
   for the most shared platform and a typical one;
3. bottlenecks: the whole analysis vs reading the projection out of Neo4j;
4. health: the whole report vs reading the projection;
5. load: locust against the real server (32 users, 60 s) vs the same request mix as bare
   driver calls from as many threads;
6. memory: peak RSS of the importing process vs the same process before importing.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from neo4j import Driver, RoutingControl

from bench.mix import IMPACT_QUERY, MIX, SEARCH_TERMS
from bench.stats import median, percentile, ratio, summary, timed
from graph import cypher as graph_cypher
from graph.labels import ELEMENT
from graph.model import now_iso
from graph.store import GraphStore, fulltext_query
from importers.preparation import prepare
from queries import impact as im
from queries import resolve
from queries.bottlenecks import bottlenecks
from queries.health import health
from queries.projection import load_projection
from queries.propagation import PropagationTable, propagation_table
from samples.generate import generate

REPO = Path(__file__).resolve().parent.parent
BARE_BATCH = 5_000

# -- 1 and 6: import ---------------------------------------------------------------------

# The baseline's Cypher, written here on purpose rather than taken from graph.cypher:
# the plainest batched MERGE a developer would write against the same constraints.
BARE_NODES = """
UNWIND $rows AS row
MERGE (n:Element:{label} {{id: row.id}})
SET n += row.props
"""
BARE_RELS = """
UNWIND $rows AS row
MATCH (a:Element {{id: row.source}})
MATCH (b:Element {{id: row.target}})
MERGE (a)-[r:{type} {{id: row.id}}]->(b)
SET r += row.props
"""


@dataclass
class Neo4jTarget:
    uri: str
    user: str | None = None
    password: str | None = None

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
        env["NEO4J_URI"] = self.uri
        if self.user:
            env["NEO4J_USER"] = self.user
        if self.password:
            env["NEO4J_PASSWORD"] = self.password
        return env


def bare_write(driver: Driver, rows: dict[str, Any]) -> float:
    """Write prepared rows with the bare loop: one auto-committed transaction per batch."""
    now = now_iso()
    start = time.perf_counter()
    for label, batch_rows in rows["nodes"].items():
        query = BARE_NODES.format(label=label)
        for i in range(0, len(batch_rows), BARE_BATCH):
            driver.execute_query(query, rows=batch_rows[i : i + BARE_BATCH], now=now)
    for rel_type, batch_rows in rows["relationships"].items():
        query = BARE_RELS.format(type=rel_type)
        for i in range(0, len(batch_rows), BARE_BATCH):
            driver.execute_query(query, rows=batch_rows[i : i + BARE_BATCH])
    return time.perf_counter() - start


def _rows(file: Path) -> tuple[dict[str, Any], int]:
    result = prepare(file, max_bytes=1 << 40).result
    nodes: dict[str, list[dict[str, Any]]] = defaultdict(list)
    rels: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for n in result["nodes"]:
        nodes[n["label"]].append({"id": n["id"], "props": n["props"]})
    for r in result["relationships"]:
        rels[r["type"]].append(
            {"id": r["id"], "source": r["source"], "target": r["target"], "props": r["props"]}
        )
    total = len(result["nodes"]) + len(result["relationships"])
    return {"nodes": dict(nodes), "relationships": dict(rels)}, total


def import_child(file: Path, target: Neo4jTarget, extra: list[str] | None = None) -> dict[str, Any]:
    """Run `bench.import_child` (with `extra` arguments) and return its JSON report."""
    cmd = [sys.executable, "-m", "bench.import_child", str(file), "--uri", target.uri]
    cmd += extra or []
    if target.user:
        cmd += ["--user", target.user]
    if target.password:
        cmd += ["--password", target.password]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, env=target.env())
    if proc.returncode != 0:
        raise RuntimeError(f"import failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    report: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return report


def workload_import(
    store: GraphStore, target: Neo4jTarget, file: Path, reps: int, log: Callable[[str], None]
) -> dict[str, Any]:
    """Import end to end vs the bare loop, alternating; the graph ends up imported."""
    rows, total = _rows(file)
    # Warm Neo4j up (JIT, query plans) for both ways of writing before measuring: the
    # bare loop on a slice of the rows, the import on a small model of its own.
    store.clear()
    bare_write(
        store.driver,
        {kind: {k: v[:2_000] for k, v in rows[kind].items()} for kind in rows},
    )
    store.clear()
    warm = file.with_name(f"warm-up-{file.name}")
    with warm.open("w", encoding="utf-8") as out:
        generate(500, 99, out)
    import_child(warm, target)
    bare: list[float] = []
    runs: list[dict[str, Any]] = []
    for rep in range(reps):
        store.clear()
        bare.append(bare_write(store.driver, rows))
        log(f"  import rep {rep + 1}/{reps}: bare loop {bare[-1]:.2f} s")
        store.clear()
        runs.append(import_child(file, target))
        log(f"  import rep {rep + 1}/{reps}: valuegraph import {runs[-1]['seconds']:.2f} s")
    del rows
    seconds = median([r["seconds"] for r in runs])
    base = median(bare)
    return {
        "rows": total,
        "file_mb": round(file.stat().st_size / 2**20, 1),
        "import_s": seconds,
        "import_runs_s": [r["seconds"] for r in runs],
        "import_rows_per_s": round(total / seconds),
        "baseline_s": round(base, 3),
        "baseline_runs_s": [round(b, 3) for b in bare],
        "baseline_rows_per_s": round(total / base),
        "throughput_vs_baseline": ratio(base, seconds),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
        "rss_before_mb": min(r["rss_before_mb"] for r in runs),
        "child": runs[-1],
    }


# -- 2: impact ----------------------------------------------------------------------------

IN_DEGREE = """
MATCH (p:Platform)
WITH p, COUNT { (p)<-[:USES|DEPENDS_ON]-() } AS users
WHERE users > 0
RETURN p.id AS id, users, p.kind AS kind
ORDER BY users, id
"""


def pick_platforms(store: GraphStore) -> dict[str, Any]:
    """The most shared platform (most USES/DEPENDS_ON dependants), and a typical one: the
    application platform with the median number of dependants (and 50 around it)."""
    all_rows = [(r["id"], r["users"], r["kind"]) for r in store.read(IN_DEGREE)]
    most = max(all_rows, key=lambda r: (r[1], r[0]))
    rows = [r for r in all_rows if r[2] == "application"] or all_rows
    typical = rows[len(rows) // 2]
    around = rows[max(0, len(rows) // 2 - 25) : len(rows) // 2 + 25]
    return {
        "most_shared": {"id": most[0], "dependants": most[1]},
        "typical": {"id": typical[0], "dependants": typical[1]},
        "typical_sample": [r[0] for r in around],
    }


def bare_impact(driver: Driver, element: str, table: PropagationTable) -> int:
    """The impact question's Cypher, run directly on the driver: the same statements the
    app sends (resolve, one EXPAND per level, owners, accountable people, names), with
    only the breadth-first bookkeeping in Python."""

    def read(query: str, **params: Any) -> list[Any]:
        records, _, _ = driver.execute_query(query, params, routing_=RoutingControl.READ)
        return records

    start = read(resolve.BY_ID, ref=element)[0]["id"]
    from_source = table.types_carrying(from_source=True)
    from_target = table.types_carrying(from_source=False)
    seen = {start}
    frontier = [start]
    for _ in range(im.DEFAULT_MAX_DEPTH):
        if not frontier:
            break
        nxt = []
        rows = read(
            im.EXPAND_LISTS, frontier=frontier, from_source=from_source, from_target=from_target
        )[0]["rows"]
        for _a, to, rel_type, at_source, original, access, _rel, to_kind in rows:
            if (
                to not in seen
                and table.carries(rel_type, original, access, from_source=at_source)
                and not table.inert(to_kind)  # a change does not enter some ArchiMate types
            ):
                seen.add(to)
                nxt.append(to)
        frontier = nxt
    ids = sorted(seen)
    owners = read(im.OWNERS, ids=ids)
    people = read(im.ACCOUNTABLE, ids=ids)
    read(im.REF_LISTS, ids=[*ids, *(r["id"] for r in owners), *(r["id"] for r in people)])
    return len(seen) - 1


def graphql_impact(client: httpx.Client, element: str) -> int:
    resp = client.post("/graphql", json={"query": IMPACT_QUERY, "variables": {"element": element}})
    resp.raise_for_status()
    body = resp.json()
    if body.get("errors"):
        raise RuntimeError(f"GraphQL errors: {body['errors']}")
    # The lists are pages (of VALUEGRAPH_MAX_PAGE_SIZE); the walk reached them all.
    affected: int = body["data"]["impact"]["counts"]["affected"]
    return affected


def wait_for_index(
    store: GraphStore,
    base_url: str,
    pid: int,
    timeout_s: float = 600,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Wait until the server's walk index holds the model's current revision; its build
    time and the server's resident memory with it (`headers`: a token, when auth is on)."""
    deadline = time.monotonic() + timeout_s
    while True:
        status = httpx.get(f"{base_url}/api/impact-index", timeout=10, headers=headers).json()
        if status["revision"] is not None and status["revision"] == store.revision():
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"the walk index was not built within {timeout_s:g} s: {status}")
        # An impact question is what starts a rebuild if the index is out of date. It waits
        # for that build (seconds on a busy machine, longer while analysis workers start
        # beside it): its answer is not what is awaited, the status above is.
        with contextlib.suppress(httpx.TimeoutException):
            httpx.post(
                f"{base_url}/graphql",
                json={"query": IMPACT_QUERY, "variables": {"element": "x"}},
                headers=headers,
                timeout=10,
            )
        time.sleep(1.0)
    rss = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = round(int(line.split()[1]) / 1024, 1)
    return {
        "built_in_s": status["built_in_s"],
        "elements": status["elements"],
        "server_rss_mb": rss,
    }


def wait_for_warm(
    store: GraphStore,
    base_url: str,
    timeout_s: float = 600,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Wait until the server's answers are warm for the model's current revision
    (`app.core.warm`); how long that took after start-up and how long the warm itself."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            status = httpx.get(f"{base_url}/api/warm-answers", timeout=10, headers=headers)
            warm: dict[str, Any] = status.json()
        except httpx.TimeoutException:  # a busy shared machine: ask again
            warm = {"state": "unknown"}
        if warm.get("state") == "ready" and warm.get("revision") == store.revision():
            return {
                "ready_after_start_s": warm["ready_after_start_s"],
                "warmed_in_s": warm["warmed_in_s"],
            }
        if time.monotonic() > deadline:
            raise RuntimeError(f"the answers were not warm within {timeout_s:g} s: {warm}")
        time.sleep(0.5)


def graphql_trivial(client: httpx.Client) -> None:
    client.post("/graphql", json={"query": "{ __typename }"}).raise_for_status()


def _latencies(fn: Callable[[], Any], n: int, budget_s: float, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        fn()
    out: list[float] = []
    deadline = time.monotonic() + budget_s
    while len(out) < n and (len(out) < 3 or time.monotonic() < deadline):
        out.append(timed(fn)[0])
    return out


def workload_impact(
    store: GraphStore,
    base_url: str,
    picked: dict[str, Any],
    n: int,
    budget_s: float,
    log: Callable[[str], None],
) -> dict[str, Any]:
    table = propagation_table(None)
    out: dict[str, Any] = {}
    with httpx.Client(base_url=base_url, timeout=120.0) as client:
        # The floor: the smallest GraphQL request over HTTP, no database involved.
        floor = _latencies(partial(graphql_trivial, client), n, budget_s)
        out["graphql_floor"] = summary(floor)
        for key in ("typical", "most_shared"):
            element = picked[key]["id"]
            affected = graphql_impact(client, element)
            bare_affected = bare_impact(store.driver, element, table)
            http = _latencies(partial(graphql_impact, client, element), n, budget_s)
            bare = _latencies(partial(bare_impact, store.driver, element, table), n, budget_s)
            h, b = summary(http), summary(bare)
            out[key] = {
                "element": element,
                "dependants": picked[key]["dependants"],
                "affected": affected,
                "bare_affected": bare_affected,
                "graphql_http": h,
                "bare_cypher": b,
                "overhead_p50": ratio(h["p50_ms"], b["p50_ms"]),
                "overhead_p95": ratio(h["p95_ms"], b["p95_ms"]),
            }
            log(
                f"  impact {key} {element} ({affected} affected): GraphQL p50 "
                f"{h['p50_ms']:.0f} ms p95 {h['p95_ms']:.0f} ms; bare p50 {b['p50_ms']:.0f} ms "
                f"p95 {b['p95_ms']:.0f} ms"
            )
    return out


# -- 3 and 4: bottlenecks and health --------------------------------------------------------


def workload_analysis(store: GraphStore, reps: int, log: Callable[[str], None]) -> dict[str, Any]:
    table = propagation_table(None)
    projection = [timed(lambda: load_projection(store, table))[0] for _ in range(reps)]
    log(f"  projection read {median(projection):.2f} s")
    bottleneck_runs = [timed(lambda: bottlenecks(store))[0] for _ in range(reps)]
    log(f"  bottlenecks {median(bottleneck_runs):.2f} s")
    health_runs = [timed(lambda: health(store))[0] for _ in range(reps)]
    log(f"  health {median(health_runs):.2f} s")
    proj = median(projection)
    return {
        "projection_read_s": round(proj, 3),
        "projection_runs_s": [round(x, 3) for x in projection],
        "bottlenecks_s": round(median(bottleneck_runs), 3),
        "bottlenecks_runs_s": [round(x, 3) for x in bottleneck_runs],
        "bottlenecks_vs_projection": ratio(median(bottleneck_runs), proj),
        "health_s": round(median(health_runs), 3),
        "health_runs_s": [round(x, 3) for x in health_runs],
        "health_vs_projection": ratio(median(health_runs), proj),
    }


# -- 5: load ----------------------------------------------------------------------------------


def sample_ids(store: GraphStore, k: int = 500) -> list[str]:
    rows = store.read(f"MATCH (n:{ELEMENT}) RETURN n.id AS id ORDER BY id")
    ids = [r["id"] for r in rows]
    return random.Random(6).sample(ids, min(k, len(ids)))


def run_locust(
    base_url: str,
    ids: list[str],
    impact_ids: list[str],
    users: int,
    seconds: int,
    workdir: Path,
) -> dict[str, Any]:
    """Headless locust against the server; returns aggregated and per-request stats."""
    data = workdir / "load-ids.json"
    data.write_text(json.dumps({"ids": ids, "impact": impact_ids, "terms": SEARCH_TERMS}))
    prefix = workdir / "locust"
    cmd = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(REPO / "bench" / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "30",
        "--host",
        base_url,
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    env = {**os.environ, "VG_BENCH_LOAD_DATA": str(data)}
    proc = subprocess.run(
        cmd, capture_output=True, text=True, cwd=REPO, env=env, timeout=seconds + 120
    )
    stats = _read_locust_csv(Path(f"{prefix}_stats.csv"))
    stats["exit_code"] = proc.returncode
    if proc.returncode not in (0, 1):
        stats["stderr"] = proc.stderr[-2000:]
    return stats


def _read_locust_csv(path: Path) -> dict[str, Any]:
    import csv

    out: dict[str, Any] = {"requests": {}}
    with path.open() as fh:
        for row in csv.DictReader(fh):
            entry = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": round(float(row["Requests/s"]), 2),
                "p50_ms": float(row["50%"] or 0),
                "p95_ms": float(row["95%"] or 0),
                "max_ms": round(float(row["Max Response Time"] or 0), 1),
            }
            if row["Name"] == "Aggregated":
                out["aggregated"] = entry
            else:
                out["requests"][row["Name"]] = entry
    return out


def bare_load(
    store: GraphStore, ids: list[str], impact_ids: list[str], users: int, seconds: float
) -> dict[str, Any]:
    """The load test's mix as bare driver calls from `users` threads, closed loop."""
    table = propagation_table(None)
    driver = store.driver
    kinds = [k for k, w in MIX.items() for _ in range(w)]
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def user(seed: int) -> None:
        rng = random.Random(seed)
        mine: list[float] = []
        while time.monotonic() < deadline:
            kind = rng.choice(kinds)
            start = time.perf_counter()
            try:
                if kind == "impact":
                    bare_impact(driver, rng.choice(impact_ids), table)
                elif kind == "search":
                    driver.execute_query(
                        graph_cypher.SEARCH_NODES,
                        query=fulltext_query(rng.choice(SEARCH_TERMS)),
                        labels=None,
                        archimate_types=None,
                        limit=20,
                        routing_=RoutingControl.READ,
                    )
                else:
                    driver.execute_query(
                        graph_cypher.GET_NODE, id=rng.choice(ids), routing_=RoutingControl.READ
                    )
            except Exception:
                with lock:
                    errors[0] += 1
                continue
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {
        "requests": len(latencies),
        "failures": errors[0],
        "rps": round(len(latencies) / seconds, 2),
        "p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 95) * 1000, 1),
    }


def workload_load(
    store: GraphStore,
    base_url: str,
    picked: dict[str, Any],
    users: int,
    seconds: int,
    baseline_seconds: int,
    workdir: Path,
    log: Callable[[str], None],
) -> dict[str, Any]:
    ids = sample_ids(store)
    impact_ids = picked["typical_sample"]
    bare = bare_load(store, ids, impact_ids, users, baseline_seconds)
    log(f"  bare mix: {bare['rps']} req/s, p95 {bare['p95_ms']} ms, {bare['failures']} errors")
    http = run_locust(base_url, ids, impact_ids, users, seconds, workdir)
    agg = http.get("aggregated", {})
    log(
        f"  locust: {agg.get('rps')} req/s, p95 {agg.get('p95_ms')} ms, "
        f"{agg.get('failures')} errors"
    )
    return {
        "users": users,
        "seconds": seconds,
        "mix": MIX,
        "http": http,
        "bare": bare,
        "throughput_vs_bare": ratio(agg.get("rps", 0.0), bare["rps"]),
    }
