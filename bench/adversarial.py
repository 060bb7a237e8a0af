"""A bounded adversarial load run on loopback (issue 14): do cheap requests stay fast while
many clients ask the most expensive things the service allows?

    .venv/bin/python -m bench.adversarial --clients 16 --seconds 60

Starts its own local Neo4j (unless `--neo4j-uri`: **every valuegraph element there is
deleted**), loads the demo model and a generated model (M unless `--size`), creates a
viewer and an editor token, and starts `valuegraph serve` on 127.0.0.1 with
authentication on and the service's own admission limits (nothing raised for the run).
A probe then asks `/healthz` and a cheap read (GET one element) every ~100 ms: first
alone (the baseline, same run), then while CLIENTS threads send, as fast as they are
answered, the dearest requests allowed: bottlenecks and health of the whole model, impact
and depends-on at the deepest depth, paths, comparisons of a 200-operation scenario,
creating such scenarios, the costliest GraphQL query the cost budget accepts, one with
many aliased impact walks, and nested fan-out queries the budget must refuse.

Reports the probes' p50/p95/p99 before and during the load and their ratio, the answers
by status code (and GraphQL error code), every 5xx other than the documented refusals
(503 Busy with Retry-After, 504 out of time), and the resident memory of the app and its worker processes at the start,
its peak, and ~10 s after the load. Exits 1 when a target of the issue is missed:
`/healthz` p99 < 250 ms, cheap read p95 < 500 ms, no unexpected 5xx, memory back within
100 MiB of the start. Writes bench/results/adversarial-<time>.json (and
latest-adversarial.json). Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from app.settings import Settings
from bench import workloads as wl
from bench.harness import machine, on_neo4j, scratch_dir, serve_app
from bench.stats import percentile
from graph.store import GraphStore
from graph.tokens import Role, create_token
from importers.pipeline import run_import
from queries.impact import MAX_DEPTH_LIMIT
from queries.scenarios.operations import MAX_OPERATIONS
from samples.demo import load_demo
from samples.generate import generate, size_of

RESULTS = Path(__file__).resolve().parent / "results"

TARGETS = {
    "healthz_p99_ms": 250.0,
    "cheap_read_p95_ms": 500.0,
    "unexpected_5xx": 0,
    "rss_back_within_mib": 100.0,
}

# The costliest query the budget accepts (estimated 1 + 500 * (1 + 99 + 99) = 99,501 of
# the default 100,000): every platform's users and dependants, as many as allowed.
WIDE_QUERY = """query {
  platforms(limit: 500) { items { id name
    ... on Platform { usedBy(limit: 99) { id name } dependedOnBy(limit: 99) { id name } }
  } }
}"""

# Nested fan-out the budget must refuse before running (500**4 objects): the 419-byte
# query of the issue, which froze the service for 11 s.
FAN_OUT_QUERY = """query($e: ID!) { node(id: $e) { id ... on Platform {
  usedBy { id ... on Platform { dependedOnBy { id ... on Platform {
    usedBy { id ... on Platform { dependedOnBy { id name } } } } } } }
} } }"""

# Impact walks as aliases, each admitted by the question gate on its own.
ALIASES = 10
ALIASED_IMPACT = (
    "query($e: String!) {"
    + " ".join(
        f"a{i}: impact(element: $e, maxDepth: {MAX_DEPTH_LIMIT}) "
        "{ counts { affected } streams { element { id } distance pathText } }"
        for i in range(ALIASES)
    )
    + " }"
)

# Documented GraphQL refusals (answered 200 with these codes): not failures.
GRAPHQL_REFUSALS = {"QUERY_TOO_COSTLY", "QUERY_TIMEOUT", "SERVICE_UNAVAILABLE"}


@dataclass
class AdversarialConfig:
    size: str = "M"
    seed: int = 1
    clients: int = 16
    seconds: float = 60.0
    baseline_seconds: float = 10.0
    settle_seconds: float = 10.0
    probe_interval_s: float = 0.1
    request_timeout_s: float = 120.0
    workdir: Path | None = None
    results_dir: Path | None = RESULTS


@dataclass(frozen=True)
class Picked:
    """Elements of the loaded model the attacks and the probe name."""

    most_shared: str
    typical: str
    streams: list[str]
    platforms: list[str]


# -- the attacks -----------------------------------------------------------------------

Attack = Callable[[httpx.Client, random.Random], httpx.Response]


def _graphql(query: str, variables: dict[str, Any] | None = None) -> Attack:
    return lambda c, _r: c.post("/graphql", json={"query": query, "variables": variables or {}})


def attacks(p: Picked, editor: dict[str, str]) -> list[tuple[int, str, Attack]]:
    """(weight, name, request) of the dearest requests a viewer (and an editor) may send."""
    deepest = {"max_depth": MAX_DEPTH_LIMIT}

    def create_scenario(c: httpx.Client, r: random.Random) -> httpx.Response:
        name = f"adversarial-{r.getrandbits(40):x}"
        made = c.post(
            "/api/scenarios", json=_scenario_body(name, p.platforms), headers=editor, timeout=None
        )
        if made.status_code == 201:
            c.delete(f"/api/scenarios/{name}", headers=editor)
        return made

    return [
        (3, "bottlenecks", lambda c, _r: c.get("/api/bottlenecks", params={"limit": 1000})),
        (
            2,
            "bottlenecks-deep",
            lambda c, _r: c.get(
                "/api/bottlenecks", params={"limit": 1000, "horizon": MAX_DEPTH_LIMIT}
            ),
        ),
        (3, "health", lambda c, _r: c.get("/api/health-report")),
        (3, "impact-deep", lambda c, _r: c.get(f"/api/impact/{p.most_shared}", params=deepest)),
        (
            2,
            "depends-on-deep",
            lambda c, r: c.get(f"/api/depends-on/{r.choice(p.streams)}", params=deepest),
        ),
        (
            2,
            "path",
            lambda c, r: c.get(
                "/api/path",
                params={"source": p.most_shared, "target": r.choice(p.streams), **deepest},
            ),
        ),
        (
            2,
            "scenario-compare",
            lambda c, _r: c.get(
                "/api/scenarios/adversarial-big/compare",
                params={"element": p.most_shared, "limit": 1000, **deepest},
            ),
        ),
        (1, "scenario-create", create_scenario),
        (3, "graphql-wide", _graphql(WIDE_QUERY)),
        (2, "graphql-aliased-impact", _graphql(ALIASED_IMPACT, {"e": p.most_shared})),
        (2, "graphql-fan-out", _graphql(FAN_OUT_QUERY, {"e": p.most_shared})),
    ]


def _scenario_body(name: str, platforms: list[str]) -> dict[str, Any]:
    """A scenario of the most operations allowed: platforms removed."""
    ops = [{"op": "remove_element", "element": e} for e in platforms[:MAX_OPERATIONS]]
    return {"name": name, "description": "adversarial load", "operations": ops}


def outcome(response: httpx.Response) -> str:
    """The status code, and for GraphQL the error codes of its answer: "200 QUERY_TIMEOUT"."""
    label = str(response.status_code)
    if response.request.url.path == "/graphql" and response.status_code == 200:
        try:
            errors = response.json().get("errors") or []
        except ValueError:
            return label + " invalid-json"
        codes = sorted({str((e.get("extensions") or {}).get("code")) for e in errors})
        if codes:
            label += " " + ",".join(codes)
    return label


def unexpected(label: str, response: httpx.Response | None) -> bool:
    """A failure the service does not document: any 5xx but 503 with Retry-After and 504,
    an internal GraphQL error, an answer that is not JSON, or no answer at all."""
    if response is None:
        return True
    status = response.status_code
    if status >= 500:
        return not (status == 504 or (status == 503 and "retry-after" in response.headers))
    if label.endswith("invalid-json"):
        return True
    codes = set(label.partition(" ")[2].split(",")) - {""}
    return bool(codes - GRAPHQL_REFUSALS - {"BAD_USER_INPUT"})


# -- the probe and memory ----------------------------------------------------------------


def _own_rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:  # gone since it was listed
        pass
    return 0.0


def _descendants(pid: int) -> list[int]:
    """Every process started by `pid` and by those (the service's analysis workers)."""
    children: defaultdict[int, list[int]] = defaultdict(list)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        children[int(fields[1])].append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def rss_mib(pid: int) -> float:
    """The service's resident memory and that of every process it started."""
    return round(sum(_own_rss_mib(p) for p in [pid, *_descendants(pid)]), 1)


class Probe:
    """Asks one cheap thing every `interval` s; keeps latencies and what went wrong."""

    def __init__(self, base: str, path: str, headers: dict[str, str], interval: float) -> None:
        self.base, self.path, self.headers, self.interval = base, path, headers, interval
        self.latencies: list[float] = []
        self.failures: Counter[str] = Counter()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self.latencies, self.failures = [], Counter()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> dict[str, Any]:
        self._stop.set()
        assert self._thread is not None
        self._thread.join()
        return {**latency_summary(self.latencies), "failures": dict(self.failures)}

    def _run(self) -> None:
        with httpx.Client(base_url=self.base, headers=self.headers, timeout=30) as client:
            while not self._stop.is_set():
                started = time.perf_counter()
                try:
                    status = client.get(self.path).status_code
                    if status != 200:
                        self.failures[str(status)] += 1
                except httpx.HTTPError as exc:
                    self.failures[type(exc).__name__] += 1
                elapsed = time.perf_counter() - started
                self.latencies.append(elapsed)
                self._stop.wait(max(0.0, self.interval - elapsed))


def latency_summary(values: list[float]) -> dict[str, Any]:
    return {
        "n": len(values),
        **{f"p{q}_ms": round(percentile(values, q) * 1000, 1) for q in (50, 95, 99)},
        "max_ms": round(max(values) * 1000, 1) if values else 0.0,
    }


# -- the run -----------------------------------------------------------------------------


def prepare_model(store: GraphStore, config: AdversarialConfig, workdir: Path) -> dict[str, Any]:
    """The demo plus a generated model, imported as a user would (`run_import`)."""
    store.clear()
    load_demo(store)
    file = workdir / f"model-{config.size}-{config.seed}.xml"
    with file.open("w", encoding="utf-8", buffering=1 << 20) as out:
        counts = generate(size_of(config.size), config.seed, out)
    report = run_import(store, file, max_bytes=1 << 40)
    return {
        "generated_elements": counts.total_elements,
        "generated_relationships": counts.total_relationships,
        "stats": {kind: sum(c.values()) for kind, c in store.stats().items()},
        "import_warnings": len(report.get("warnings", [])),
    }


def pick(store: GraphStore) -> Picked:
    platforms = wl.pick_platforms(store)
    streams = [r["id"] for r in store.read("MATCH (v:ValueStream) RETURN v.id AS id ORDER BY id")]
    shared = [
        r["id"]
        for r in store.read(
            "MATCH (p:Platform) RETURN p.id AS id "
            "ORDER BY COUNT { (p)<-[:USES|DEPENDS_ON]-() } DESC, id LIMIT $n",
            {"n": MAX_OPERATIONS},
        )
    ]
    return Picked(
        most_shared=platforms["most_shared"]["id"],
        typical=platforms["typical"]["id"],
        streams=streams[:200],
        platforms=shared,
    )


def run_adversarial(
    config: AdversarialConfig, target: wl.Neo4jTarget, log: Callable[[str], None] = print
) -> dict[str, Any]:
    """Load the model, start the app with auth on, probe, attack, report (see the module)."""
    workdir = config.workdir or scratch_dir("valuegraph-adversarial-")
    workdir.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "config": {k: str(v) for k, v in asdict(config).items()},
        "targets": TARGETS,
    }
    store = GraphStore.connect(target.uri, target.user, target.password)
    try:
        store.ensure_schema()
        log(f"loading the demo and a generated {config.size} model")
        result["model"] = prepare_model(store, config, workdir)
        picked = pick(store)
        _, viewer_secret = create_token(store, name="adversarial viewer", role=Role.VIEWER)
        _, editor_secret = create_token(store, name="adversarial editor", role=Role.EDITOR)
        viewer = {"authorization": f"Bearer {viewer_secret}"}
        editor = {"authorization": f"Bearer {editor_secret}"}
        defaults = Settings.model_fields
        env = {
            # The service as shipped: authentication on, its own admission limits.
            "VALUEGRAPH_AUTH": "on",
            "VALUEGRAPH_QUESTION_QUEUE": str(defaults["question_queue"].default),
            "VALUEGRAPH_QUESTION_WAIT_S": str(defaults["question_wait_s"].default),
        }
        with serve_app(target, workdir, env) as server:
            log("waiting for the server's walk index")
            wl.wait_for_index(store, server.url, server.pid, headers=viewer)
            # Measured from the service's steady state: its answers warm (app.core.warm),
            # as they are seconds after start-up, so its memory at the start holds them.
            log("waiting for the server's warm answers")
            wl.wait_for_warm(store, server.url, headers=viewer)
            with httpx.Client(base_url=server.url, headers=editor, timeout=300) as c:
                made = c.post(
                    "/api/scenarios", json=_scenario_body("adversarial-big", picked.platforms)
                )
                made.raise_for_status()
            result.update(_attack(config, server.url, server.pid, picked, viewer, editor, log))
    finally:
        store.close()
    result["machine"]["loadavg_end"] = list(os.getloadavg())
    result["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    result["verdicts"] = verdicts(result)
    result["passed"] = all(v["met"] for v in result["verdicts"].values())
    if config.results_dir is not None:
        config.results_dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        text = json.dumps(result, indent=2, default=str) + "\n"
        (config.results_dir / f"adversarial-{stamp}.json").write_text(text)
        (config.results_dir / "latest-adversarial.json").write_text(text)
    return result


def _attack(
    config: AdversarialConfig,
    base: str,
    pid: int,
    picked: Picked,
    viewer: dict[str, str],
    editor: dict[str, str],
    log: Callable[[str], None],
) -> dict[str, Any]:
    health = Probe(base, "/healthz", {}, config.probe_interval_s)
    cheap = Probe(base, f"/api/nodes/{picked.typical}", viewer, config.probe_interval_s)
    log(f"baseline: probing alone for {config.baseline_seconds:g} s")
    health.start()
    cheap.start()
    time.sleep(config.baseline_seconds)
    baseline = {"healthz": health.stop(), "cheap_read": cheap.stop()}

    ops = attacks(picked, editor)
    weights = [w for w, _, _ in ops]
    outcomes: dict[str, Counter[str]] = defaultdict(Counter)
    latencies: dict[str, list[float]] = defaultdict(list)
    surprises: list[str] = []
    lock = threading.Lock()
    rss_start = rss_mib(pid)
    rss_samples = [rss_start]
    stop_at = time.monotonic() + config.seconds

    def client(n: int) -> None:
        rnd = random.Random(n)
        with httpx.Client(base_url=base, headers=viewer, timeout=config.request_timeout_s) as c:
            while time.monotonic() < stop_at:
                _, name, call = rnd.choices(ops, weights=weights)[0]
                started = time.perf_counter()
                response: httpx.Response | None
                try:
                    response = call(c, rnd)
                    label = outcome(response)
                except httpx.HTTPError as exc:
                    response, label = None, type(exc).__name__
                elapsed = time.perf_counter() - started
                with lock:
                    outcomes[name][label] += 1
                    latencies[name].append(elapsed)
                    if unexpected(label, response):
                        text = response.text[:300] if response is not None else ""
                        surprises.append(f"{name}: {label} {text}")

    log(f"load: {config.clients} clients for {config.seconds:g} s, probing")
    threads = [
        threading.Thread(target=client, args=(i,), daemon=True) for i in range(config.clients)
    ]
    health.start()
    cheap.start()
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        rss_samples.append(rss_mib(pid))
        time.sleep(0.5)
    load = {"healthz": health.stop(), "cheap_read": cheap.stop()}
    load_s = round(config.seconds + max(0.0, time.monotonic() - stop_at), 1)
    log(f"load over after {load_s} s; settling for {config.settle_seconds:g} s")
    time.sleep(config.settle_seconds)
    rss_after = rss_mib(pid)
    status_counts: Counter[str] = Counter()
    for counts in outcomes.values():
        status_counts.update(counts)
    return {
        "baseline": baseline,
        "load": load,
        "ratio": {
            probe: {
                q: (round(load[probe][q] / baseline[probe][q], 2) if baseline[probe][q] else None)
                for q in ("p50_ms", "p95_ms", "p99_ms")
            }
            for probe in ("healthz", "cheap_read")
        },
        "load_seconds": load_s,
        "requests": sum(status_counts.values()),
        "status_counts": dict(sorted(status_counts.items())),
        "per_attack": {
            name: {"outcomes": dict(outcomes[name]), **latency_summary(latencies[name])}
            for name in sorted(outcomes)
        },
        "unexpected": len(surprises),
        "unexpected_examples": surprises[:10],
        "rss_mib": {"start": rss_start, "peak": max(rss_samples), "after": rss_after},
    }


def verdicts(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    load, rss = result["load"], result["rss_mib"]
    probe_5xx = sum(
        n
        for probe in load.values()
        for code, n in probe["failures"].items()
        if code.isdigit() and int(code) >= 500
    )
    growth = round(rss["after"] - rss["start"], 1)
    return {
        "healthz_p99": {
            "value": load["healthz"]["p99_ms"],
            "met": load["healthz"]["p99_ms"] < TARGETS["healthz_p99_ms"],
        },
        "cheap_read_p95": {
            "value": load["cheap_read"]["p95_ms"],
            "met": load["cheap_read"]["p95_ms"] < TARGETS["cheap_read_p95_ms"],
        },
        "unexpected_5xx": {
            "value": result["unexpected"] + probe_5xx,
            "met": result["unexpected"] + probe_5xx == TARGETS["unexpected_5xx"],
        },
        "rss_back": {"value": growth, "met": growth <= TARGETS["rss_back_within_mib"]},
    }


def render(result: dict[str, Any]) -> str:
    """The report as a Markdown table, then the answers by status."""
    b, ld, r, v = result["baseline"], result["load"], result["ratio"], result["verdicts"]
    yes = {True: "yes", False: "NO"}

    def probe_row(name: str, probe: str, target: str, met: str) -> str:
        ms = "/".join(f"{ld[probe][q]:,.0f}" for q in ("p50_ms", "p95_ms", "p99_ms"))
        base = "/".join(f"{b[probe][q]:,.0f}" for q in ("p50_ms", "p95_ms", "p99_ms"))
        ratio = "/".join("-" if x is None else f"{x:g}" for x in r[probe].values())
        return f"| {name} p50/p95/p99 ms | {ms} | {base} | {ratio} | {target}: {met} |"

    rss = result["rss_mib"]
    lines = [
        "| measure | under load | baseline (same run) | ratio | target met |",
        "|---|---|---|---|---|",
        probe_row("`/healthz`", "healthz", "p99 < 250 ms", yes[v["healthz_p99"]["met"]]),
        probe_row("cheap read", "cheap_read", "p95 < 500 ms", yes[v["cheap_read_p95"]["met"]]),
        f"| probe failures | {_counts(ld['healthz']['failures'])}; "
        f"{_counts(ld['cheap_read']['failures'])} | | | |",
        f"| requests ({result['load_seconds']:g} s), by status | {result['requests']:,}: "
        f"{_counts(result['status_counts'])} | | | |",
        f"| 5xx other than 503 Busy / 504 | {v['unexpected_5xx']['value']} | | | "
        f"0: {yes[v['unexpected_5xx']['met']]} |",
        f"| app + workers RSS start / peak / {result['config']['settle_seconds']} s after (MiB) | "
        f"{rss['start']:,.0f} / {rss['peak']:,.0f} / {rss['after']:,.0f} | | | "
        f"back within 100 MiB ({v['rss_back']['value']:+g}): {yes[v['rss_back']['met']]} |",
        "",
        "| request | answers | p50 / p95 ms |",
        "|---|---|---|",
    ]
    for name, a in result["per_attack"].items():
        lines.append(
            f"| {name} | {_counts(a['outcomes'])} | {a['p50_ms']:,.0f} / {a['p95_ms']:,.0f} |"
        )
    m, stats = result["machine"], result["model"]["stats"]
    lines += [
        "",
        f"{stats['nodes']:,} elements, {stats['relationships']:,} relationships (demo and "
        f"size {result['config']['size']}); {m['cores']} cores, {m['cpu']}; "
        f"load average {m['loadavg_start'][0]:.1f} → {m['loadavg_end'][0]:.1f}",
    ]
    if result["unexpected_examples"]:
        lines += ["", "unexpected:", *(f"  {x}" for x in result["unexpected_examples"])]
    return "\n".join(lines)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k}: {n:,}" for k, n in sorted(counts.items())) or "none"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16, help="attacking client threads")
    parser.add_argument("--seconds", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--baseline-seconds", type=float, default=10.0)
    parser.add_argument("--settle-seconds", type=float, default=10.0)
    parser.add_argument("--size", default="M", help="generated model: S, M, L or a number")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--neo4j-uri", default=os.environ.get("NEO4J_URI"))
    parser.add_argument("--heap", default="2g", help="heap of the Neo4j this starts")
    parser.add_argument("--pagecache", default="1g")
    parser.add_argument("--workdir", type=Path, help="keep the model and logs here")
    args = parser.parse_args(argv)
    config = AdversarialConfig(
        size=args.size.upper(),
        seed=args.seed,
        clients=args.clients,
        seconds=args.seconds,
        baseline_seconds=args.baseline_seconds,
        settle_seconds=args.settle_seconds,
        workdir=args.workdir,
    )
    result = on_neo4j(
        lambda target: run_adversarial(config, target),
        uri=args.neo4j_uri,
        heap=args.heap,
        pagecache=args.pagecache,
        prefix="valuegraph-adversarial-neo4j-",
    )
    print()
    print(render(result))
    print()
    print("PASS" if result["passed"] else "FAIL: a target of issue 14 was missed")
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
