"""What the change history costs (issue 16): `python -m bench history --size L`.

Starts its own local Neo4j (unless `--neo4j-uri`: **every valuegraph element and the whole
history there are deleted**), generates the model, and measures, each against a baseline
in the same run:

1. import: the model imported end to end (`bench.import_child`, a process per run) with
   the history recorded vs. with the recorder switched off (`history_off`, which exists
   for this baseline only: valuegraph itself never writes without recording), alternating;
   with each, the peak memory Neo4j reports for the import's transaction;
2. a 1 %-of-elements change: the same model with every hundredth element renamed,
   imported onto the imported model, history on vs. off (the whole import, and its write
   phase, which is where the recording happens);
3. verify: walking the whole hash chain (`valuegraph history verify`);
4. as of: the impact question as of a moment before the change import (p95) vs. the same
   question now, cold (nothing kept: the target is compared with these) and warmed as
   the service warms after an import (`app.core.warm`), and health as of that moment vs.
   health now (`queries.over_time`, as `--as-of` asks them).

Between runs the model is deleted with the recorder off and the history with it, so each
import starts from the same empty database. Writes bench/results/history-<size>-<time>.json
(and latest-history-<size>.json) and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from app.core.warm import default_steps
from bench import workloads as wl
from bench.harness import machine, on_neo4j, scratch_dir
from bench.stats import median, percentile, ratio, summary
from graph import history
from graph.labels import CHANGE, CHANGE_CHUNK, CHANGE_SET, META
from graph.store import GraphStore
from queries import history as hq
from queries import over_time
from queries.health import health
from queries.impact import impact
from queries.moment import Moment, forget_moments
from queries.present import forget, present_model
from samples.generate import generate, size_of

RESULTS = Path(__file__).resolve().parent / "results"

TARGETS = {
    "import_on_vs_off": 1.3,
    "change_import_s": 5.0,
    "as_of_impact_p95_s": 2.0,
    "as_of_health_vs_present": 2.0,
}

# What `--parts` may name (all by default): without `import`, the model is imported once,
# recorded, and the other parts start from it.
PARTS = frozenset({"import", "change", "verify", "as-of"})

# Every hundredth element is renamed: 1 % of the elements.
CHANGE_EVERY = 100


# -- the baseline: the recorder off ----------------------------------------------------------


@contextmanager
def history_off() -> Iterator[None]:
    """The recorder made a no-op that still counts the model's revision (what every write
    did before the history existed). For the benchmark's baseline only."""

    def commit(self: history.Recorder, tx: Any) -> int:
        return history.bump_sequence(tx)[0]

    def nothing(*_args: Any, **_kwargs: Any) -> None:
        return None

    patched = {
        "commit": commit,
        "touch_nodes": nothing,
        "touch_relationships": nothing,
        "created_nodes": nothing,
        "created_relationships": nothing,
    }
    saved = {
        name: getattr(history.Recorder, name) for name in patched if hasattr(history.Recorder, name)
    }
    for name, fn in patched.items():
        setattr(history.Recorder, name, fn)
    try:
        yield
    finally:
        for name in patched:
            if name in saved:
                setattr(history.Recorder, name, saved[name])
            else:
                delattr(history.Recorder, name)


DELETE_HISTORY = f"""
MATCH (n) WHERE n:{CHANGE} OR n:{CHANGE_CHUNK} OR n:{CHANGE_SET}
CALL (n) {{ DETACH DELETE n }} IN TRANSACTIONS OF 10000 ROWS
"""
FORGET_HEAD = f"MATCH (m:{META}) WHERE m.key = 'revision' REMOVE m.history_head, m.history_head_seq"


def reset(store: GraphStore) -> None:
    """An empty model and no history, quickly (nothing of it recorded)."""
    with history_off():
        store.clear()
    with store.driver.session(database=store.database) as session:
        session.run(DELETE_HISTORY).consume()  # in transactions of its own: auto-commit
    store.execute(FORGET_HEAD)


# -- the changed model -----------------------------------------------------------------------


def changed_model(source: Path, target: Path, every: int = CHANGE_EVERY) -> int:
    """`source` with every `every`-th element's name changed; returns how many."""
    changed = elements = 0
    pending = False
    with source.open(encoding="utf-8") as inp, target.open("w", encoding="utf-8") as out:
        for line in inp:
            stripped = line.lstrip()
            if stripped.startswith("<element "):
                elements += 1
                pending = elements % every == 0
            elif pending and stripped.startswith("<name ") and "</name>" in line:
                line = line.replace("</name>", " (renamed)</name>", 1)
                changed += 1
                pending = False
            out.write(line)
    return changed


# -- Neo4j's own account of a transaction's memory -------------------------------------------

TX_MEMORY = """
SHOW TRANSACTIONS YIELD transactionId, estimatedUsedHeapMemory, currentQuery
WHERE NOT currentQuery STARTS WITH 'SHOW TRANSACTIONS'
RETURN max(estimatedUsedHeapMemory) AS bytes
"""


@contextmanager
def peak_tx_memory(store: GraphStore, every_s: float = 0.25) -> Iterator[dict[str, float]]:
    """The most heap any open transaction used while the block ran (MiB), sampled."""
    seen = {"mib": 0.0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            try:
                rows = store.read(TX_MEMORY)
                used = rows[0]["bytes"] if rows else None
                if used:
                    seen["mib"] = max(seen["mib"], round(used / 2**20, 1))
            except Exception:  # a sample lost to the load is not the benchmark's concern
                pass
            stop.wait(every_s)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        stop.set()
        thread.join()


def server_pid(uri: str) -> int | None:
    """The pid of the local process listening on the Bolt port of `uri` (this user's: its
    sockets are the ones /proc lets us see), or None (a remote or unseen server)."""
    port = urlsplit(uri).port or 7687
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == port:  # LISTEN
                inodes.add(f"socket:[{cols[9]}]")
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if any(os.readlink(fd) in inodes for fd in (proc / "fd").iterdir()):
                return int(proc.name)
        except OSError:
            continue
    return None


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time of a process so far (its threads included)."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _import(
    store: GraphStore, target: wl.Neo4jTarget, file: Path, *, recorded: bool
) -> dict[str, Any]:
    pid = server_pid(target.uri)
    before = cpu_seconds(pid)
    with peak_tx_memory(store) as tx_mem:
        report = wl.import_child(file, target, extra=[] if recorded else ["--no-history"])
    after = cpu_seconds(pid)
    report["tx_peak_mib"] = tx_mem["mib"]
    # Neo4j's CPU during the import: its work, which the machine's load does not inflate as
    # it does the wall time (the sampler's few reads of the transaction list included).
    report["neo4j_cpu_s"] = round(after - before, 2) if after is not None and before else None
    return report


def _changes_recorded(store: GraphStore) -> int:
    # Both forms (`Change` nodes, chunks' rows), in plain Cypher: it also counts the
    # history written by code before chunks, when the benchmark is run against it.
    return int(
        store.read(
            f"CALL () {{ MATCH (c:{CHANGE}) RETURN count(c) AS n UNION ALL "
            f"MATCH (k:{CHANGE_CHUNK}) RETURN coalesce(sum(k.count), 0) AS n }} "
            "RETURN sum(n) AS n"
        )[0]["n"]
    )


# -- the workload ----------------------------------------------------------------------------


def workload_as_of(
    store: GraphStore,
    target: wl.Neo4jTarget,
    file: Path,
    changed: Path,
    reps: int,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """`--as-of-only`: the model imported once and the 1 % change imported onto it, both
    recorded (no comparison with the recorder off), then the as-of questions."""
    reset(store)
    first = _import(store, target, file, recorded=True)
    log(f"  import (recorded): {first['seconds']:.2f} s, load {os.getloadavg()[0]:.1f}")
    moment = datetime.now(UTC)
    time.sleep(0.01)
    second = _import(store, target, changed, recorded=True)
    log(f"  change import (recorded): {second['seconds']:.2f} s")
    return {
        "changes_recorded": _changes_recorded(store),
        "as_of": as_of_questions(store, moment, reps, log),
    }


def workload_history(
    store: GraphStore,
    target: wl.Neo4jTarget,
    file: Path,
    changed: Path,
    reps: int,
    log: Callable[[str], None],
    parts: frozenset[str] = PARTS,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    warm = file.with_name(f"warm-up-{file.name}")
    with warm.open("w", encoding="utf-8") as f:
        generate(500, 99, f)
    for on_off in (False, True):
        reset(store)
        _import(store, target, warm, recorded=on_off)

    if "import" not in parts:
        # What the other parts start from: the model imported, its history recorded.
        reset(store)
        _import(store, target, file, recorded=True)
        return _after_import(store, target, file, changed, reps, log, parts, out)

    # 1. the whole import, off and on, alternating
    off: list[dict[str, Any]] = []
    on: list[dict[str, Any]] = []
    for rep in range(reps):
        reset(store)
        off.append(_import(store, target, file, recorded=False))
        log(
            f"  import rep {rep + 1}/{reps}: history off {off[-1]['seconds']:.2f} s, "
            f"tx peak {off[-1]['tx_peak_mib']} MiB, cpu {off[-1].get('cpu_s')} s, "
            f"neo4j cpu {off[-1]['neo4j_cpu_s']} s, load {os.getloadavg()[0]:.1f}"
        )
        reset(store)
        on.append(_import(store, target, file, recorded=True))
        log(
            f"  import rep {rep + 1}/{reps}: history on {on[-1]['seconds']:.2f} s, "
            f"tx peak {on[-1]['tx_peak_mib']} MiB, cpu {on[-1].get('cpu_s')} s, "
            f"neo4j cpu {on[-1]['neo4j_cpu_s']} s, phases {on[-1]['phases_s']}, "
            f"off phases {off[-1]['phases_s']}, load {os.getloadavg()[0]:.1f}"
        )
    recorded_changes = _changes_recorded(store)
    off_s, on_s = median([r["seconds"] for r in off]), median([r["seconds"] for r in on])
    out["import"] = {
        "rows": on[-1]["nodes"] + on[-1]["relationships"],
        "changes_recorded": recorded_changes,
        "off_s": off_s,
        "on_s": on_s,
        "off_runs_s": [r["seconds"] for r in off],
        "on_runs_s": [r["seconds"] for r in on],
        "on_vs_off": ratio(on_s, off_s),
        "fastest_on_vs_off": ratio(min(r["seconds"] for r in on), min(r["seconds"] for r in off)),
        "off_phases_s": off[-1]["phases_s"],
        "on_phases_s": on[-1]["phases_s"],
        "off_cpu_s": [r.get("cpu_s") for r in off],
        "on_cpu_s": [r.get("cpu_s") for r in on],
        "off_neo4j_cpu_s": [r["neo4j_cpu_s"] for r in off],
        "on_neo4j_cpu_s": [r["neo4j_cpu_s"] for r in on],
        "off_write_s": [r["phases_s"].get("write") for r in off],
        "on_write_s": [r["phases_s"].get("write") for r in on],
        "loadavg": os.getloadavg()[0],
        "off_tx_peak_mib": max(r["tx_peak_mib"] for r in off),
        "on_tx_peak_mib": max(r["tx_peak_mib"] for r in on),
        "off_peak_rss_mb": max(r["peak_rss_mb"] for r in off),
        "on_peak_rss_mb": max(r["peak_rss_mb"] for r in on),
    }
    return _after_import(store, target, file, changed, reps, log, parts, out)


def _after_import(
    store: GraphStore,
    target: wl.Neo4jTarget,
    file: Path,
    changed: Path,
    reps: int,
    log: Callable[[str], None],
    parts: frozenset[str],
    out: dict[str, Any],
) -> dict[str, Any]:
    """Parts 2 to 4, on the model imported with its history."""
    moment = datetime.now(UTC)  # as of here: the model imported, before any change
    time.sleep(0.01)

    # 2. the 1 % change import onto it, off and then on (the original re-imported before
    # each, off); the model ends changed, its history recorded
    c_on: list[dict[str, Any]] = []
    c_off: list[dict[str, Any]] = []
    recorded = 0
    for rep in range(reps if "change" in parts else 0):
        if rep:
            _import(store, target, file, recorded=False)
        c_off.append(_import(store, target, changed, recorded=False))
        _import(store, target, file, recorded=False)
        before = _changes_recorded(store)
        c_on.append(_import(store, target, changed, recorded=True))
        recorded = _changes_recorded(store) - before
        log(
            f"  change import rep {rep + 1}/{reps}: on {c_on[-1]['seconds']:.2f} s "
            f"({recorded} changes), off {c_off[-1]['seconds']:.2f} s; write phase on "
            f"{c_on[-1]['phases_s'].get('write')} s, off {c_off[-1]['phases_s'].get('write')} s"
        )
    if c_on:
        out["change_import"] = _change_summary(c_on, c_off, recorded)
    if "verify" in parts:
        out["verify"] = _verify(store, log)
    if "as-of" in parts:
        # 4. as of the moment before the change imports
        out["as_of"] = as_of_questions(store, moment, reps, log)
    return out


def _change_summary(
    c_on: list[dict[str, Any]], c_off: list[dict[str, Any]], recorded: int
) -> dict[str, Any]:
    write_on = median([r["phases_s"].get("write", 0.0) for r in c_on])
    write_off = median([r["phases_s"].get("write", 0.0) for r in c_off])
    on_s, off_s = median([r["seconds"] for r in c_on]), median([r["seconds"] for r in c_off])
    return {
        "elements_changed": c_on[-1]["nodes_written"],
        "changes_recorded": recorded,
        "on_s": on_s,
        "off_s": off_s,
        "on_runs_s": [r["seconds"] for r in c_on],
        "off_runs_s": [r["seconds"] for r in c_off],
        "on_vs_off": ratio(on_s, off_s),
        "write_on_s": write_on,
        "write_off_s": write_off,
        "recording_s": round(write_on - write_off, 3),
        "on_cpu_s": median([r.get("cpu_s", 0.0) for r in c_on]),
        "off_cpu_s": median([r.get("cpu_s", 0.0) for r in c_off]),
        "on_phases_s": c_on[-1]["phases_s"],
        "off_phases_s": c_off[-1]["phases_s"],
    }


def _verify(store: GraphStore, log: Callable[[str], None]) -> dict[str, Any]:
    """3. verify the whole chain."""
    start = time.perf_counter()
    report = hq.verify(store)
    out = {
        "seconds": round(time.perf_counter() - start, 2),
        "intact": report.intact,
        "change_sets": report.change_sets,
        "changes": report.changes,
        "message": report.message,
    }
    log(f"  verify: {report.message} in {out['seconds']} s")
    return out


def as_of_questions(
    store: GraphStore, moment: datetime, reps: int, log: Callable[[str], None]
) -> dict[str, Any]:
    """Impact and health as of `moment` vs. now, asked as the surfaces ask them, two ways:

    - cold: nothing kept, as in a process that has not read the model since it changed
      (each ask walks the present graph in Neo4j with the changes since laid over it,
      `queries.moment_walk`; nothing is kept by it, so every ask is a cold one);
    - warmed: what a user of the running service gets once its warmer has run after the
      import (`app.core.warm.default_steps`: the present model, health, the bottleneck
      ranking); the first ask then builds the moment's model from the kept present model
      and keeps it, later asks find it.

    The target (p95 < 2 s) is compared with the cold asks: they are what any ask costs
    before the warmer has run (after a start, or a change), so the warmed ones can only
    be cheaper. Health as of is asked with the moment's model kept and again with it
    forgotten (rebuilt; the present model kept)."""
    then = Moment(as_of=moment)
    platform = wl.pick_platforms(store)["typical"]["id"]
    asks = max(5, reps * 5)
    forget(store)  # nothing kept, as in a process that has not read the model since it changed
    forget_moments(store)
    present: list[float] = []
    cold: list[float] = []
    for _ in range(asks):
        start = time.perf_counter()
        impact(store, platform)
        present.append(time.perf_counter() - start)
        start = time.perf_counter()
        over_time.walk_impact(store, then, platform).result()
        cold.append(time.perf_counter() - start)
    # Warmed as the service warms after an import, then asked.
    forget(store)
    forget_moments(store)
    start = time.perf_counter()
    for _name, step in default_steps():
        step(store)
    warm_s = time.perf_counter() - start
    start = time.perf_counter()
    present_model(store)  # kept by the warmer: this only looks
    present_read = time.perf_counter() - start
    warmed: list[float] = []
    for _ in range(asks):
        start = time.perf_counter()
        over_time.walk_impact(store, then, platform).result()
        warmed.append(time.perf_counter() - start)
    # The cold first ask of before (the present model read, then the moment's model built
    # from it), for comparison with earlier runs.
    forget(store)
    forget_moments(store)
    start = time.perf_counter()
    present_model(store)
    model_read = time.perf_counter() - start
    h_now: list[float] = []
    h_past: list[float] = []
    h_rebuilt: list[float] = []
    for _ in range(max(1, reps)):
        start = time.perf_counter()
        health(store)
        h_now.append(time.perf_counter() - start)
        start = time.perf_counter()
        over_time.health(store, then)
        h_past.append(time.perf_counter() - start)
        forget_moments(store)
        start = time.perf_counter()
        over_time.health(store, then)
        h_rebuilt.append(time.perf_counter() - start)
    result = {
        "measured": True,
        "moment": moment.isoformat(),
        "platform": platform,
        "impact_present": summary(present),
        "impact_as_of": summary(cold),
        "impact_as_of_p95_s": round(percentile(cold, 95), 3),
        "impact_as_of_first_s": round(cold[0], 3),
        "impact_as_of_later": summary(cold[1:]),
        "impact_as_of_warm_s": round(warm_s, 3),
        "impact_as_of_warmed": summary(warmed),
        "impact_as_of_warmed_p95_s": round(percentile(warmed, 95), 3),
        "impact_as_of_warmed_first_s": round(warmed[0], 3),
        "impact_as_of_warmed_later": summary(warmed[1:]),
        "present_model_kept_s": round(present_read, 3),
        "present_model_read_s": round(model_read, 3),
        "health_present_s": round(median(h_now), 3),
        "health_as_of_s": round(median(h_past), 3),
        "health_as_of_vs_present": ratio(median(h_past), median(h_now)),
        "health_as_of_rebuilt_s": round(median(h_rebuilt), 3),
        "health_as_of_rebuilt_vs_present": ratio(median(h_rebuilt), median(h_now)),
    }
    log(
        f"  as of: impact p95 cold {result['impact_as_of_p95_s']} s (first "
        f"{result['impact_as_of_first_s']} s), warmed {result['impact_as_of_warmed_p95_s']} s "
        f"(first {result['impact_as_of_warmed_first_s']} s); health "
        f"{result['health_as_of_vs_present']}x the present's "
        f"({result['health_as_of_rebuilt_vs_present']}x with the model rebuilt)"
    )
    return result


def run_history_bench(
    size: str,
    seed: int,
    reps: int,
    target: wl.Neo4jTarget,
    workdir: Path,
    log: Callable[[str], None] = print,
    parts: frozenset[str] = PARTS,
    *,
    as_of_only: bool = False,
) -> dict[str, Any]:
    workdir.mkdir(parents=True, exist_ok=True)
    n = size_of(size)
    result: dict[str, Any] = {
        "size": size,
        "seed": seed,
        "reps": reps,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "targets": TARGETS,
        "parts": sorted(parts),
    }
    file = workdir / f"model-{size}-{seed}.xml"
    changed = workdir / f"model-{size}-{seed}-changed.xml"
    log(f"generating {size} ({n} elements, seed {seed}) → {file}")
    with file.open("w", encoding="utf-8", buffering=1 << 20) as f:
        counts = generate(n, seed, f)
    result["generate"] = {
        "elements": counts.total_elements,
        "relationships": counts.total_relationships,
        "renamed": changed_model(file, changed),
    }
    store = GraphStore.connect(target.uri, target.user, target.password)
    try:
        store.ensure_schema()
        server = store.read("CALL dbms.components() YIELD versions RETURN versions[0] AS v")
        result["machine"]["neo4j"] = server[0]["v"] if server else None
        if as_of_only:
            result["as_of_only"] = True
            result["history"] = workload_as_of(store, target, file, changed, reps, log)
        else:
            result["history"] = workload_history(store, target, file, changed, reps, log, parts)
    finally:
        store.close()
    result["machine"]["loadavg_end"] = list(os.getloadavg())
    result["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    return result


def met(ok: bool) -> str:
    return "yes" if ok else "NO"


def _as_of_rows(a: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    target = TARGETS["as_of_impact_p95_s"]
    warmed = "impact_as_of_warmed" in a
    rows = [
        (
            "impact as of vs now (typical platform), p95 ms"
            + (": cold, nothing kept (compared with the target)" if warmed else ""),
            f"{a['impact_as_of']['p95_ms']}",
            f"{a['impact_present']['p95_ms']}",
            f"{ratio(a['impact_as_of']['p95_ms'], a['impact_present']['p95_ms'])}",
            f"{met(a['impact_as_of_p95_s'] < target)} (p95 < 2 s)",
        ),
        (
            "health as of vs now, s",
            f"{a['health_as_of_s']}",
            f"{a['health_present_s']}",
            f"{a['health_as_of_vs_present']}",
            f"{met((a['health_as_of_vs_present'] or 99) < 2)} (< 2x)",
        ),
    ]
    if warmed:
        rows[1:1] = [
            (
                "impact as of: cold first ask / later cold asks p95, ms",
                f"{a['impact_as_of_first_s'] * 1000:.0f} / "
                f"{a.get('impact_as_of_later', {}).get('p95_ms', '-')}",
                "",
                "",
                "",
            ),
            (
                "impact as of, warmed as the service is (the warmer's steps "
                f"{a['impact_as_of_warm_s']} s before): p95 ms",
                f"{a['impact_as_of_warmed']['p95_ms']}",
                f"{a['impact_present']['p95_ms']}",
                f"{ratio(a['impact_as_of_warmed']['p95_ms'], a['impact_present']['p95_ms'])}",
                f"{met(a['impact_as_of_warmed_p95_s'] < target)} (p95 < 2 s)",
            ),
            (
                "warmed: the first ask (builds the moment's model) / later asks p95, ms",
                f"{a['impact_as_of_warmed_first_s'] * 1000:.0f} / "
                f"{a['impact_as_of_warmed_later']['p95_ms']}",
                "",
                "",
                "",
            ),
            (
                "the present model read whole (what a cold ask no longer waits for), ms",
                f"{a['present_model_read_s'] * 1000:.0f}",
                "",
                "",
                "",
            ),
        ]
    elif "impact_as_of_first_s" in a:  # results of before the cold and warmed asks
        rows[1:1] = [
            (
                "impact as of: the first ask (builds the moment's model) / later asks p95, ms",
                f"{a['impact_as_of_first_s'] * 1000:.0f} / {a['impact_as_of_later']['p95_ms']}",
                "",
                "",
                "",
            ),
        ]
    if "health_as_of_rebuilt_s" in a:
        rows.append(
            (
                "health as of (the moment's model rebuilt) vs now, s",
                f"{a['health_as_of_rebuilt_s']}",
                f"{a['health_present_s']}",
                f"{a['health_as_of_rebuilt_vs_present']}",
                f"{met((a['health_as_of_rebuilt_vs_present'] or 99) < 2)} (< 2x)",
            )
        )
    return rows


def _table(rows: list[tuple[str, str, str, str, str]]) -> list[str]:
    widths = [max(len(r[k]) for r in rows) for k in range(5)]
    lines = []
    for k, row in enumerate(rows):
        lines.append("| " + " | ".join(cell.ljust(widths[j]) for j, cell in enumerate(row)) + " |")
        if k == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return lines


def _footer(result: dict[str, Any]) -> str:
    m, g = result["machine"], result["generate"]
    return (
        f"\nsize {result['size']} seed {result['seed']}: {g['elements']:,} elements, "
        f"{g['relationships']:,} relationships; {result['reps']} rep(s); {m['cores']} cores; "
        f"Neo4j {m.get('neo4j')}; load average {m['loadavg_start'][0]:.1f} → "
        f"{m.get('loadavg_end', [0])[0]:.1f}"
    )


def render_as_of(result: dict[str, Any]) -> str:
    """`--as-of-only`'s table."""
    h = result["history"]
    rows = [("measure", "as of", "present", "ratio", "target met")]
    rows += _as_of_rows(h["as_of"])
    return "\n".join([*_table(rows), f"({h['changes_recorded']:,} changes recorded)"]) + (
        _footer(result)
    )


def render(result: dict[str, Any]) -> str:
    h = result["history"]
    if result.get("as_of_only"):
        return render_as_of(result)
    i, c, v, a = (h.get(k) for k in ("import", "change_import", "verify", "as_of"))

    rows = [("measure", "history on", "history off / present", "ratio", "target met")]
    if i is not None:
        rows += [
            (
                f"import ({i['rows']:,} rows, {i['changes_recorded']:,} changes), median s",
                f"{i['on_s']:.2f}",
                f"{i['off_s']:.2f}",
                f"{i['on_vs_off']}",
                f"{met((i['on_vs_off'] or 99) <= TARGETS['import_on_vs_off'])} (≤ 1.3x)",
            ),
            (
                "import: peak transaction memory (Neo4j's estimate), MiB",
                f"{i['on_tx_peak_mib']:,}",
                f"{i['off_tx_peak_mib']:,}",
                f"{ratio(i['on_tx_peak_mib'], i['off_tx_peak_mib'])}",
                "",
            ),
        ]
        if i.get("on_neo4j_cpu_s"):
            # The last rep's: the first pays for Neo4j's warming up (the off import first).
            for what, key in (
                ("write phase", "write_s"),
                ("import process CPU", "cpu_s"),
                ("Neo4j CPU", "neo4j_cpu_s"),
            ):
                on_v, off_v = i[f"on_{key}"][-1], i[f"off_{key}"][-1]
                rows.append(
                    (
                        f"import: {what} (last rep), s",
                        f"{on_v:.2f}" if on_v is not None else "",
                        f"{off_v:.2f}" if off_v is not None else "",
                        f"{ratio(on_v, off_v)}" if on_v and off_v else "",
                        "",
                    )
                )
    if c is not None:
        rows += [
            (
                f"1 % change import ({c['changes_recorded']:,} changes), whole import s",
                f"{c['on_s']:.2f}",
                f"{c['off_s']:.2f}",
                f"{c['on_vs_off']}",
                f"{met(c['on_s'] < TARGETS['change_import_s'])} (< 5 s whole)",
            ),
            (
                "1 % change import: its write phase (the recording's part), s",
                f"{c['write_on_s']:.2f}",
                f"{c['write_off_s']:.2f}",
                f"+{c['recording_s']:.2f} s",
                f"{met(c['write_on_s'] < TARGETS['change_import_s'])} (< 5 s write)",
            ),
            (
                "1 % change import: the import process's CPU time, s",
                f"{c['on_cpu_s']:.2f}",
                f"{c['off_cpu_s']:.2f}",
                f"{ratio(c['on_cpu_s'], c['off_cpu_s'])}",
                "",
            ),
            (
                "1 % change import: phases (read/map/compare/write), s",
                "/".join(f"{c['on_phases_s'].get(k, 0):.1f}" for k in _PHASES),
                "/".join(f"{c['off_phases_s'].get(k, 0):.1f}" for k in _PHASES),
                "",
                "",
            ),
        ]
    if v is not None:
        rows.append(
            (
                f"verify the chain ({v['change_sets']} sets, {v['changes']:,} changes), s",
                f"{v['seconds']:.2f}",
                "",
                "",
                "intact" if v["intact"] else "BROKEN",
            )
        )
    if a is not None and a.get("measured"):
        rows += _as_of_rows(a)
    elif a is not None:
        rows.append(("as-of impact and health", "not measured", "", "", "-"))
    return "\n".join([*_table(rows), _footer(result)])


_PHASES = ("read", "map", "compare", "write")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench history", description=__doc__)
    parser.add_argument("--size", default="M", help="S, M, L, XL or a number of elements")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reps", type=int, help="runs of each import (1 on L, else 3)")
    parser.add_argument("--neo4j-uri", default=os.environ.get("NEO4J_URI"))
    # L with history needs about 6 GiB of transaction memory (docs/benchmarks.md).
    parser.add_argument("--heap", help="heap of the Neo4j this starts (4g; L: 8g)")
    parser.add_argument("--pagecache", default="2g")
    parser.add_argument(
        "--txmax", help="transaction memory of that Neo4j (3g; L: 7g, for the history)"
    )
    parser.add_argument("--workdir", type=Path, help="keep the model and logs here")
    parser.add_argument(
        "--as-of-only",
        action="store_true",
        help="only the as-of questions: import once and the change import once, both "
        "recorded, no comparison with the recorder off",
    )
    parser.add_argument(
        "--parts",
        default=",".join(sorted(PARTS)),
        help="comma-separated subset of import,change,verify,as-of (without import the "
        "model is imported once, recorded, for the others)",
    )
    args = parser.parse_args(argv)
    parts = frozenset(p.strip() for p in args.parts.split(",") if p.strip())
    if parts - PARTS:
        parser.error(f"unknown part(s): {', '.join(sorted(parts - PARTS))}")
    size = args.size.upper()
    large = size in ("L", "XL")
    reps = args.reps or (1 if large else 3)
    heap = args.heap or ("8g" if large else "4g")
    txmax = args.txmax or ("7g" if large else "3g")
    workdir = args.workdir or scratch_dir("valuegraph-bench-history-")
    result = on_neo4j(
        lambda target: run_history_bench(
            size, args.seed, reps, target, workdir, parts=parts, as_of_only=args.as_of_only
        ),
        uri=args.neo4j_uri,
        heap=heap,
        pagecache=args.pagecache,
        txmax=txmax,
        prefix="valuegraph-bench-neo4j-",
    )
    result["command"] = "python -m bench history " + " ".join(argv if argv is not None else [])
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    text = json.dumps(result, indent=2, default=str) + "\n"
    name = f"history-as-of-{size}" if args.as_of_only else f"history-{size}"
    (RESULTS / f"{name}-{stamp}.json").write_text(text)
    (RESULTS / f"latest-{name}.json").write_text(text)
    print()
    print(render(result))


if __name__ == "__main__":
    main()
