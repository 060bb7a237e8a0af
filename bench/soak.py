"""A bounded soak of the real service on loopback: mixed reads, writes and questions.

    .venv/bin/python -m bench.soak --duration 600 --clients 8

Starts its own local Neo4j and a `valuegraph serve` process (auth off, 127.0.0.1 only),
loads the demo model, then runs CLIENTS threads for DURATION seconds, each looping over
a weighted mix of requests. Every 5 s it samples the app's resident memory and its open
Bolt connections to Neo4j. It passes when there were no errors, memory after warm-up grew
less than --max-growth-mib, and the connection count stayed within the driver's pool.
Prints a summary and writes bench/results/soak-*.json. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx

from graph.local_neo4j import LocalNeo4j, free_port

RESULTS = Path(__file__).parent / "results"
IMPACT = "query($e: String!) { impact(element: $e, maxDepth: 4) { streams { distance } } }"


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def bolt_connections(pid: int, bolt_port: int) -> int:
    """Established TCP connections of `pid` to the Bolt port (from /proc, no tools needed)."""
    inodes = set()
    fd_dir = Path(f"/proc/{pid}/fd")
    for fd in fd_dir.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for row in rows:
            cols = row.split()
            remote_port = int(cols[2].rsplit(":", 1)[1], 16)
            if remote_port == bolt_port and cols[3] == "01" and cols[9] in inodes:
                count += 1
    return count


class Mix:
    """The request mix: (weight, name, call) with ids taken from the live demo model."""

    def __init__(self, base: str, ids: dict[str, list[str]]) -> None:
        self.base = base
        self.ids = ids

    def pick(self, rnd: random.Random) -> tuple[str, Any]:
        platforms, streams, teams = self.ids["Platform"], self.ids["ValueStream"], self.ids["Team"]
        ops: list[tuple[int, str, Any]] = [
            (25, "list", lambda c: c.get("/api/nodes", params={"type": "Platform", "limit": 20})),
            (
                20,
                "search",
                lambda c: c.get(
                    "/api/search", params={"q": rnd.choice(["pay", "core", "cust", "data"])}
                ),
            ),
            (20, "read", lambda c: c.get(f"/api/nodes/{rnd.choice(streams)}")),
            (
                15,
                "impact",
                lambda c: c.post(
                    "/graphql", json={"query": IMPACT, "variables": {"e": rnd.choice(platforms)}}
                ),
            ),
            (
                10,
                "patch",
                lambda c: c.patch(
                    f"/api/nodes/{rnd.choice(teams)}", json={"description": f"soak {rnd.random()}"}
                ),
            ),
            (5, "create-delete", self._create_delete(rnd)),
            (3, "health", lambda c: c.get("/api/health-report")),
            (2, "bottlenecks", lambda c: c.get("/api/bottlenecks", params={"limit": 5})),
        ]
        weights = [w for w, _, _ in ops]
        _, name, call = rnd.choices(ops, weights=weights)[0]
        return name, call

    @staticmethod
    def _create_delete(rnd: random.Random) -> Any:
        def call(c: httpx.Client) -> httpx.Response:
            node_id = f"soak-{rnd.getrandbits(48):x}"
            made = c.post("/api/nodes", json={"type": "Platform", "id": node_id, "name": node_id})
            if made.status_code != 201:
                return made
            return c.delete(f"/api/nodes/{node_id}")

        return call


def wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"valuegraph serve exited with {proc.returncode}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise SystemExit("valuegraph serve did not become healthy")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=600.0, help="seconds of load")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument(
        "--warmup", type=float, default=60.0, help="seconds before the memory baseline"
    )
    parser.add_argument(
        "--max-growth-mib", type=float, default=64.0, help="allowed RSS growth after warm-up"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="valuegraph-soak-"))
    neo4j = LocalNeo4j(work / "neo4j")
    bolt_port = free_port()
    status = neo4j.start(port=bolt_port, heap="1g", pagecache="256m")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "NEO4J_URI": str(status.uri),
        "VALUEGRAPH_AUTH": "off",
        "VALUEGRAPH_HOME": str(work),
    }
    app = subprocess.Popen(
        [str(Path(sys.executable).with_name("valuegraph")), "serve", "--demo", "--port", str(port)],
        env=env,
        stdout=(work / "app.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_ready(base, app)
        ids = {
            label: [
                n["id"]
                for n in httpx.get(
                    f"{base}/api/nodes", params={"type": label, "limit": 200}
                ).json()["items"]
            ]
            for label in ("Platform", "ValueStream", "Team")
        }
        mix = Mix(base, ids)
        latencies: dict[str, list[float]] = defaultdict(list)
        errors: list[str] = []
        lock = threading.Lock()
        stop_at = time.monotonic() + args.duration

        def client(n: int) -> None:
            rnd = random.Random(args.seed * 1000 + n)
            with httpx.Client(base_url=base, timeout=30) as c:
                while time.monotonic() < stop_at:
                    name, call = mix.pick(rnd)
                    started = time.perf_counter()
                    try:
                        response = call(c)
                        ok = response.status_code < 400 and "errors" not in (
                            response.json() if name == "impact" else {}
                        )
                        detail = f"{name}: {response.status_code} {response.text[:200]}"
                    except httpx.HTTPError as exc:
                        ok, detail = False, f"{name}: {exc!r}"
                    elapsed = time.perf_counter() - started
                    with lock:
                        latencies[name].append(elapsed)
                        if not ok:
                            errors.append(detail)

        threads = [
            threading.Thread(target=client, args=(i,), daemon=True) for i in range(args.clients)
        ]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        samples: list[dict[str, float]] = []
        while any(t.is_alive() for t in threads):
            samples.append(
                {
                    "t": round(time.monotonic() - t0, 1),
                    "rss_mib": round(rss_mib(app.pid), 1),
                    "bolt_connections": bolt_connections(app.pid, bolt_port),
                }
            )
            time.sleep(5)
        for t in threads:
            t.join()
    finally:
        app.terminate()
        try:
            app.wait(timeout=30)
        except subprocess.TimeoutExpired:
            app.kill()
        neo4j.stop()

    after_warmup = [s for s in samples if s["t"] >= args.warmup] or samples
    baseline = after_warmup[0]["rss_mib"]
    peak = max(s["rss_mib"] for s in samples)
    final = samples[-1]["rss_mib"]
    growth = max(s["rss_mib"] for s in after_warmup) - baseline
    max_conns = max(s["bolt_connections"] for s in samples)
    total = sum(len(v) for v in latencies.values())
    per_op = {
        name: {
            "count": len(v),
            "p50_ms": round(statistics.median(v) * 1000, 1),
            "p95_ms": round(statistics.quantiles(v, n=20)[-1] * 1000, 1) if len(v) >= 20 else None,
        }
        for name, v in sorted(latencies.items())
    }
    passed = not errors and growth < args.max_growth_mib and max_conns <= 100
    result = {
        "duration_s": args.duration,
        "clients": args.clients,
        "requests": total,
        "throughput_rps": round(total / args.duration, 1),
        "errors": len(errors),
        "error_examples": errors[:5],
        "rss_mib": {
            "after_warmup": baseline,
            "final": final,
            "peak": peak,
            "growth_after_warmup": round(growth, 1),
        },
        "bolt_connections_max": max_conns,
        "bolt_connections_final": samples[-1]["bolt_connections"],
        "per_operation": per_op,
        "samples": samples,
        "passed": passed,
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"soak-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps(result, indent=2))
    print(
        f"soak {args.duration:.0f}s x {args.clients} clients: {total} requests "
        f"({result['throughput_rps']}/s), {len(errors)} errors"
    )
    print(
        f"app RSS after warm-up {baseline:.0f} MiB, peak {peak:.0f}, final {final:.0f}, "
        f"growth {growth:.1f} MiB (bound {args.max_growth_mib:.0f}); "
        f"Bolt connections max {max_conns}, final {samples[-1]['bolt_connections']}"
    )
    for name, stats in per_op.items():
        print(
            f"  {name:14} {stats['count']:7} requests  p50 {stats['p50_ms']} ms  p95 {stats['p95_ms']} ms"
        )
    print(("PASS" if passed else "FAIL") + f"  ({out})")
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
