"""One command for every workload: `python -m bench --size M` (see `--help`).

Steps: start a Neo4j (the local launcher in a folder of its own, unless `--neo4j-uri`
or NEO4J_URI names one; **the benchmark deletes every valuegraph element there**),
generate the model, run workloads 1 (import) and 6 (memory), start the app as a real
uvicorn process on 127.0.0.1 with authentication off, run workloads 2 (impact),
3 and 4 (bottlenecks, health) and 5 (load), then print a table and write JSON to
`bench/results/run-<size>-<time>.json` (and `bench/results/latest-<size>.json`).
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx

from bench import workloads as wl
from graph.local_neo4j import LocalNeo4j
from graph.store import GraphStore
from samples.generate import generate, size_of

RESULTS = Path(__file__).resolve().parent / "results"
ALL = (1, 2, 3, 4, 5, 6)

# Targets of issue 6 (seconds unless named otherwise).
TARGETS = {
    "import_vs_baseline": 0.70,
    "import_L_s": 120.0,
    "impact_typical_p95_ms": 100.0,
    "impact_most_shared_p95_ms": 1000.0,
    "impact_overhead": 1.5,
    "bottlenecks_s": 15.0,
    "health_s": 15.0,
    "load_errors": 0,
    "import_peak_rss_mb": 1536.0,
}


@dataclass
class BenchConfig:
    size: str = "M"
    seed: int = 1
    workloads: tuple[int, ...] = ALL
    import_reps: int = 3
    question_reps: int = 3
    impact_requests: int = 30
    impact_budget_s: float = 60.0
    load_users: int = 32
    load_seconds: int = 60
    load_baseline_seconds: int = 20
    heap: str = "4g"
    pagecache: str = "2g"
    txmax: str = "3g"
    workdir: Path | None = None
    results_dir: Path | None = RESULTS
    extra: dict[str, Any] = field(default_factory=dict)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        mem_kb = 0
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kb / 2**20, 1),
        "python": platform.python_version(),
        "os": platform.platform(),
        "neo4j_driver": _version("neo4j"),
        "neo4j_rust_ext": _version("neo4j-rust-ext"),
        "loadavg_start": list(os.getloadavg()),
    }


@dataclass(frozen=True)
class Server:
    url: str
    pid: int


@contextmanager
def serve_app(
    target: wl.Neo4jTarget,
    workdir: Path,
    env_extra: dict[str, str] | None = None,
    start_timeout_s: float = 60,
) -> Iterator[Server]:
    """`valuegraph serve` (uvicorn) on a free loopback port, auth off."""
    port = _free_port()
    env = target.env() | {"VALUEGRAPH_AUTH": "off", "VALUEGRAPH_HOME": str(workdir / "home")}
    # The load test's 32 closed-loop users all ask questions: queued (never refused with
    # 503), so it measures throughput and latency, not admission (tests/test_limits.py does).
    env |= {"VALUEGRAPH_QUESTION_QUEUE": "64", "VALUEGRAPH_QUESTION_WAIT_S": "120"}
    env |= env_extra or {}
    log = (workdir / "serve.log").open("a")
    cmd = [str(Path(sys.executable).parent / "valuegraph"), "serve", "--host", "127.0.0.1"]
    cmd += ["--port", str(port)]
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=wl.REPO, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"the server exited: {(workdir / 'serve.log').read_text()[-2000:]}"
                )
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the server did not answer /healthz within {start_timeout_s:g} s"
                )
            time.sleep(0.3)
        yield Server(url, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def run_bench(
    config: BenchConfig,
    target: wl.Neo4jTarget,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Run the chosen workloads against the Neo4j at `target`; returns the result dict."""
    workdir = config.workdir or scratch_dir("valuegraph-bench-")
    workdir.mkdir(parents=True, exist_ok=True)
    n = size_of(config.size)
    result: dict[str, Any] = {
        "size": config.size,
        "elements_target": n,
        "seed": config.seed,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "config": {k: str(v) for k, v in asdict(config).items()},
        "targets": TARGETS,
        "workloads": {},
    }
    file = workdir / f"model-{config.size}-{config.seed}.xml"
    log(f"generating {config.size} ({n} elements, seed {config.seed}) → {file}")
    start = time.perf_counter()
    with file.open("w", encoding="utf-8", buffering=1 << 20) as out:
        counts = generate(n, config.seed, out)
    result["generate"] = {
        "seconds": round(time.perf_counter() - start, 2),
        "elements": counts.total_elements,
        "relationships": counts.total_relationships,
        "file_mb": round(file.stat().st_size / 2**20, 1),
    }
    store = GraphStore.connect(target.uri, target.user, target.password)
    try:
        store.ensure_schema()
        server = store.read("CALL dbms.components() YIELD versions RETURN versions[0] AS v")
        result["machine"]["neo4j"] = server[0]["v"] if server else None
        w = result["workloads"]
        log("workload 1 (import) and 6 (memory)")
        imp = wl.workload_import(store, target, file, config.import_reps, log)
        w["1_import"] = {k: v for k, v in imp.items() if k not in ("peak_rss_mb", "rss_before_mb")}
        w["6_memory"] = {
            "peak_rss_mb": imp["peak_rss_mb"],
            "rss_before_mb": imp["rss_before_mb"],
            "file_mb": imp["file_mb"],
        }
        picked = wl.pick_platforms(store)
        result["picked"] = {k: v for k, v in picked.items() if k != "typical_sample"}
        if 3 in config.workloads or 4 in config.workloads:
            log("workloads 3 (bottlenecks) and 4 (health)")
            w["3_4_analysis"] = wl.workload_analysis(store, config.question_reps, log)
        if 2 in config.workloads or 5 in config.workloads:
            with serve_app(target, workdir) as app_server:
                url = app_server.url
                log("waiting for the server's walk index")
                index = wl.wait_for_index(store, url, app_server.pid)
                log(f"  built in {index['built_in_s']} s; server RSS {index['server_rss_mb']} MiB")
                if 2 in config.workloads:
                    log("workload 2 (impact)")
                    w["2_impact"] = wl.workload_impact(
                        store, url, picked, config.impact_requests, config.impact_budget_s, log
                    )
                    w["2_impact"]["index"] = index
                if 5 in config.workloads:
                    log(f"workload 5 (load: {config.load_users} users, {config.load_seconds} s)")
                    w["5_load"] = wl.workload_load(
                        store,
                        url,
                        picked,
                        config.load_users,
                        config.load_seconds,
                        config.load_baseline_seconds,
                        workdir,
                        log,
                    )
        if 2 in config.workloads:
            # The same questions while the index is stale (or off): walked in Cypher.
            off = {"VALUEGRAPH_IMPACT_INDEX": "off"}
            with serve_app(target, workdir, off) as app_server:
                log("workload 2 (impact), index off: walked in Cypher")
                w["2_impact_cypher"] = wl.workload_impact(
                    store,
                    app_server.url,
                    picked,
                    config.impact_requests,
                    config.impact_budget_s,
                    log,
                )
    finally:
        store.close()
    result["machine"]["loadavg_end"] = list(os.getloadavg())
    result["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    result["table"] = table_rows(result)
    if config.results_dir is not None:
        config.results_dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        text = json.dumps(result, indent=2, default=str) + "\n"
        (config.results_dir / f"run-{config.size}-{stamp}.json").write_text(text)
        (config.results_dir / f"latest-{config.size}.json").write_text(text)
    return result


Row = tuple[str, str, str, str, str, str]


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        value = f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    elif isinstance(value, int):
        value = f"{value:,}"
    return f"{value}{unit}"


def _check(ok: bool | None) -> str:
    return "-" if ok is None else ("yes" if ok else "NO")


def table_rows(result: dict[str, Any]) -> list[Row]:
    """(workload, measure, value, baseline, ratio, target met) rows for the table."""
    w = result["workloads"]
    rows: list[Row] = []
    large = result["size"] in ("L", "XL")
    if "1_import" in w:
        i = w["1_import"]
        ok = i["throughput_vs_baseline"] >= TARGETS["import_vs_baseline"]
        rows.append(
            (
                "1 import",
                f"{i['rows']:,} rows, rows/s (s)",
                f"{_fmt(i['import_rows_per_s'])} ({_fmt(i['import_s'], ' s')})",
                f"{_fmt(i['baseline_rows_per_s'])} ({_fmt(i['baseline_s'], ' s')})",
                _fmt(i["throughput_vs_baseline"]),
                _check(ok) + " (≥ 0.70)",
            )
        )
        if result["size"] == "L":
            rows.append(
                (
                    "1 import",
                    "L under 2 minutes",
                    _fmt(i["import_s"], " s"),
                    "",
                    "",
                    _check(i["import_s"] < TARGETS["import_L_s"]),
                )
            )
    if "2_impact" in w:
        floor = w["2_impact"].get("graphql_floor")
        if floor:
            rows.append(
                (
                    "2 impact",
                    "floor: `{ __typename }` over HTTP p50 / p95",
                    f"{_fmt(floor['p50_ms'])} / {_fmt(floor['p95_ms'], ' ms')}",
                    "",
                    "",
                    "",
                )
            )
        index = w["2_impact"].get("index")
        if index:
            rows.append(
                (
                    "2 impact",
                    "walk index: build time, server RSS with it",
                    f"{_fmt(index['built_in_s'], ' s')}, {_fmt(index['server_rss_mb'], ' MiB')}",
                    "",
                    "",
                    "",
                )
            )
    for section, how in (("2_impact", ""), ("2_impact_cypher", ", index off")):
        if section not in w:
            continue
        for key, limit in (("typical", 100.0), ("most_shared", 1000.0)):
            x = w[section][key]
            h, b = x["graphql_http"], x["bare_cypher"]
            rows.append(
                (
                    "2 impact",
                    f"{key}{how} ({x['affected']:,} affected) p50 / p95",
                    f"{_fmt(h['p50_ms'])} / {_fmt(h['p95_ms'], ' ms')}",
                    f"{_fmt(b['p50_ms'])} / {_fmt(b['p95_ms'], ' ms')}",
                    f"{_fmt(x['overhead_p50'])} / {_fmt(x['overhead_p95'])}",
                    _check(h["p95_ms"] < limit if large else None)
                    + f" (p95 < {limit:g} ms), overhead "
                    + _check((x["overhead_p50"] or 0) < TARGETS["impact_overhead"]),
                )
            )
    if "3_4_analysis" in w:
        a = w["3_4_analysis"]
        rows.append(
            (
                "3 bottlenecks",
                "whole analysis (projection read)",
                _fmt(a["bottlenecks_s"], " s"),
                _fmt(a["projection_read_s"], " s"),
                _fmt(a["bottlenecks_vs_projection"]),
                _check(a["bottlenecks_s"] < TARGETS["bottlenecks_s"] if large else None)
                + " (< 15 s)",
            )
        )
        rows.append(
            (
                "4 health",
                "whole report (projection read)",
                _fmt(a["health_s"], " s"),
                _fmt(a["projection_read_s"], " s"),
                _fmt(a["health_vs_projection"]),
                _check(a["health_s"] < TARGETS["health_s"] if large else None) + " (< 15 s)",
            )
        )
    if "5_load" in w:
        ld = w["5_load"]
        agg = ld["http"].get("aggregated", {})
        rows.append(
            (
                "5 load",
                f"{ld['users']} users {ld['seconds']} s: req/s, p95, errors",
                f"{_fmt(agg.get('rps'))}, {_fmt(agg.get('p95_ms'), ' ms')}, "
                f"{_fmt(agg.get('failures'))}",
                f"{_fmt(ld['bare']['rps'])}, {_fmt(ld['bare']['p95_ms'], ' ms')}, "
                f"{_fmt(ld['bare']['failures'])}",
                _fmt(ld["throughput_vs_bare"]),
                _check(agg.get("failures", 1) == 0 and agg.get("requests", 0) > 0) + " (0 errors)",
            )
        )
    if "6_memory" in w:
        m = w["6_memory"]
        rows.append(
            (
                "6 memory",
                "peak RSS of the importing process",
                _fmt(m["peak_rss_mb"], " MiB"),
                _fmt(m["rss_before_mb"], " MiB") + " before",
                _fmt(
                    round(m["peak_rss_mb"] / m["rss_before_mb"], 2) if m["rss_before_mb"] else None
                ),
                _check(m["peak_rss_mb"] < TARGETS["import_peak_rss_mb"] if large else None)
                + " (< 1.5 GiB)",
            )
        )
    return rows


def render_table(result: dict[str, Any]) -> str:
    header: Row = ("workload", "measure", "valuegraph", "baseline", "ratio", "target met")
    rows = [header, *[tuple(r) for r in result["table"]]]
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(header))]
    lines = []
    for k, row in enumerate(rows):
        lines.append("| " + " | ".join(str(c).ljust(widths[i]) for i, c in enumerate(row)) + " |")
        if k == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    g = result.get("generate", {})
    m = result["machine"]
    lines.append(
        f"\nsize {result['size']} seed {result['seed']}: {g.get('elements', 0):,} elements, "
        f"{g.get('relationships', 0):,} relationships, {g.get('file_mb')} MB, generated in "
        f"{g.get('seconds')} s; {m['cores']} cores, {m['cpu']}; Neo4j {m.get('neo4j')}; "
        f"load average {m['loadavg_start'][0]:.1f} → {m.get('loadavg_end', [0])[0]:.1f}"
    )
    return "\n".join(lines)


def on_neo4j(
    run: Callable[[wl.Neo4jTarget], dict[str, Any]],
    *,
    uri: str | None,
    heap: str,
    pagecache: str,
    txmax: str | None = None,
    prefix: str,
) -> dict[str, Any]:
    """`run` against the Neo4j at `uri` (credentials from NEO4J_USER/NEO4J_PASSWORD), or
    against a local Neo4j started for it in a temporary folder and stopped after."""
    if uri:
        user, password = os.environ.get("NEO4J_USER", "neo4j"), os.environ.get("NEO4J_PASSWORD")
        return run(wl.Neo4jTarget(uri, user, password))
    home = scratch_dir(prefix)
    server = LocalNeo4j(home)
    print(f"starting a local Neo4j in {home} (heap {heap}, page cache {pagecache})")
    try:
        status = server.start(heap=heap, pagecache=pagecache, txmax=txmax)
        assert status.uri
        return run(wl.Neo4jTarget(status.uri))
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


def scratch_dir(prefix: str) -> Path:
    """A temporary folder removed when the benchmark exits, also when it is interrupted
    or sent SIGTERM: an L run leaves gigabytes of Neo4j store and model behind otherwise,
    and a full disk is what crashes the next run's Neo4j (`--workdir` keeps a folder)."""
    _exit_cleanly_on_sigterm()
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _exit_cleanly_on_sigterm() -> None:
    # Python's default SIGTERM ends the process without `finally` or atexit; as SystemExit
    # the local Neo4j is stopped and the scratch folders removed.
    main = threading.current_thread() is threading.main_thread()
    if main and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--size", default="M", help="S, M, L, XL or a number of elements")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--workloads", default="1,2,3,4,5,6", help="comma-separated subset of 1-6 (1 always runs)"
    )
    parser.add_argument("--import-reps", type=int, help="imports (and bare loops) to run")
    parser.add_argument("--question-reps", type=int, help="runs of bottlenecks and health")
    parser.add_argument("--impact-requests", type=int, default=30)
    parser.add_argument("--users", type=int, default=32, help="load test users")
    parser.add_argument("--seconds", type=int, default=60, help="load test duration")
    parser.add_argument("--neo4j-uri", default=os.environ.get("NEO4J_URI"))
    parser.add_argument("--heap", default="4g", help="heap of the Neo4j this starts")
    parser.add_argument("--pagecache", default="2g")
    parser.add_argument("--txmax", default="3g", help="transaction memory of that Neo4j")
    parser.add_argument("--workdir", type=Path, help="keep the model and logs here")
    args = parser.parse_args(argv)
    large = args.size.upper() in ("L", "XL")
    config = BenchConfig(
        size=args.size.upper(),
        seed=args.seed,
        workloads=tuple(int(x) for x in args.workloads.split(",") if x.strip()),
        import_reps=args.import_reps or (1 if large else 3),
        question_reps=args.question_reps or (1 if large else 3),
        impact_requests=args.impact_requests,
        load_users=args.users,
        load_seconds=args.seconds,
        heap=args.heap,
        pagecache=args.pagecache,
        txmax=args.txmax,
        workdir=args.workdir,
    )
    result = on_neo4j(
        lambda target: run_bench(config, target),
        uri=args.neo4j_uri,
        heap=args.heap,
        pagecache=args.pagecache,
        txmax=args.txmax,
        prefix="valuegraph-bench-neo4j-",
    )
    print()
    print(render_table(result))


if __name__ == "__main__":
    main()
