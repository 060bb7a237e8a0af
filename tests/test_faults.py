"""Neo4j killed (SIGKILL) in the middle of an import: nothing half-written, the retry
completes, and committed data survives a restart. Uses its own local Neo4j to kill."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from graph.local_neo4j import LocalNeo4j, free_port
from graph.store import GraphStore
from importers.pipeline import run_import

NS = "http://www.opengroup.org/xsd/archimate/3.0/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def _big_exchange_file(path: Path, n: int) -> None:
    """n platforms in a chain of Serving relationships: one large transaction to write."""
    with path.open("w") as out:
        out.write(f'<model xmlns="{NS}" xmlns:xsi="{XSI}" identifier="fault-model">')
        out.write('<name xml:lang="en">fault model</name><elements>')
        for i in range(n):
            out.write(
                f'<element identifier="app-{i}" xsi:type="ApplicationComponent">'
                f'<name xml:lang="en">App {i}</name></element>'
            )
        out.write("</elements><relationships>")
        for i in range(1, n):
            out.write(
                f'<relationship identifier="rel-{i}" source="app-{i}" target="app-{i - 1}" '
                'xsi:type="Serving"/>'
            )
        out.write("</relationships></model>")


def _write_running(store: GraphStore) -> bool:
    try:
        rows = store.read("SHOW TRANSACTIONS YIELD currentQuery RETURN currentQuery")
    except Exception:
        return False
    return any("UNWIND $rows" in (r["currentQuery"] or "") for r in rows)


@pytest.mark.slow
def test_kill_9_during_import_leaves_nothing_half_written(tmp_path: Path) -> None:
    model = tmp_path / "big.xml"
    n = 20_000
    _big_exchange_file(model, n)
    server = LocalNeo4j(tmp_path / "neo4j")
    port = free_port()
    status = server.start(port=port, heap="768m", pagecache="128m")
    assert status.uri
    store = GraphStore.connect(status.uri, retry_time=1.0)
    store.ensure_schema()
    try:
        outcome: dict[str, Any] = {}

        def importing() -> None:
            try:
                outcome["report"] = run_import(store, model)
            except Exception as exc:  # the kill surfaces here as a driver error
                outcome["error"] = exc

        worker = threading.Thread(target=importing)
        worker.start()
        deadline = time.monotonic() + 120
        while not _write_running(store):
            assert time.monotonic() < deadline, "the import never reached its write"
            assert worker.is_alive(), f"import finished before the kill: {outcome}"
            time.sleep(0.05)
        server.kill()
        worker.join(timeout=120)
        assert "error" in outcome, "the import should have failed when Neo4j died"

        server.start(port=port, heap="768m", pagecache="128m")  # runs crash recovery
        assert store.stats()["nodes"]["Platform"] == 0  # nothing of the import survived
        assert store.read("MATCH (r:ImportRun) RETURN count(r) AS c")[0]["c"] == 0

        report = run_import(store, model)  # the retry completes
        assert report["written"]
        server.kill()  # committed data must survive even an unclean stop
        server.start(port=port, heap="768m", pagecache="128m")
        stats = store.stats()
        assert stats["nodes"]["Platform"] == n
        assert sum(stats["relationships"].values()) == n - 1
    finally:
        store.close()
        server.stop()


def _healthy_within(client: TestClient, seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if client.get("/healthz").status_code == 200:
            return time.monotonic() - started
        time.sleep(0.5)
    raise AssertionError(f"/healthz not healthy within {seconds:.0f}s")


@pytest.mark.slow
def test_crash_then_neo4j_start_brings_the_running_service_back(tmp_path: Path) -> None:
    """kill -9 of the local Neo4j, then `valuegraph neo4j start`: the port is reused although
    the service's dead connections linger, and the service (not restarted) is healthy again;
    started on another port, the service follows the local Neo4j there."""
    home = tmp_path / ".valuegraph"
    port = free_port()
    # No NEO4J_URI: the service follows the local Neo4j's state file, as under `serve`.
    settings = Settings(neo4j_uri=None, home=home, auth="off", local_neo4j_port=port)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "VALUEGRAPH_"))}
    env.update(
        VALUEGRAPH_HOME=str(home),
        VALUEGRAPH_LOCAL_NEO4J_PORT=str(port),
        VALUEGRAPH_LOCAL_NEO4J_HEAP="512m",
        VALUEGRAPH_LOCAL_NEO4J_PAGECACHE="64m",
    )
    if build := os.environ.get("VALUEGRAPH_LAUNCHER_BUILD"):
        env["VALUEGRAPH_LAUNCHER_BUILD"] = build
    valuegraph = str(Path(sys.executable).with_name("valuegraph"))

    def neo4j_start(*args: str) -> str:
        proc = subprocess.run(
            [valuegraph, "neo4j", "start", "--json", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert proc.returncode == 0, proc.stderr
        return str(json.loads(proc.stdout)["uri"])

    server = LocalNeo4j(settings.local_neo4j_home)
    assert neo4j_start() == f"bolt://127.0.0.1:{port}"
    try:
        with TestClient(create_app(settings)) as client:
            assert client.get("/healthz").status_code == 200
            assert client.get("/api/stats").status_code == 200  # connections in the pool
            server.kill()
            assert client.get("/healthz").status_code == 503
            assert client.get("/api/stats").status_code == 503

            assert neo4j_start() == f"bolt://127.0.0.1:{port}"  # the same port, not "busy"
            _healthy_within(client, 30)
            assert client.get("/api/stats").status_code == 200

            server.kill()
            other = free_port()  # started elsewhere this time: the service follows it
            assert neo4j_start("--port", str(other)) == f"bolt://127.0.0.1:{other}"
            _healthy_within(client, 30)
            assert client.get("/api/stats").status_code == 200
    finally:
        server.stop()


@pytest.mark.slow
def test_an_import_beyond_neo4j_transaction_memory_is_refused_whole_with_advice(
    tmp_path: Path,
) -> None:
    """A model larger than the Neo4j's transaction memory (`dbms.memory.transaction.total.max`)
    allows: `valuegraph import` says so and what to raise (no traceback, exit 1, not retried
    for the driver's whole retry time), and nothing of it is written."""
    model = tmp_path / "big.xml"
    _big_exchange_file(model, 20_000)
    server = LocalNeo4j(tmp_path / "neo4j")
    status = server.start(port=free_port(), heap="768m", pagecache="128m", txmax="16m")
    assert status.uri
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "VALUEGRAPH_"))}
    env.update(NEO4J_URI=status.uri, VALUEGRAPH_HOME=str(tmp_path / ".valuegraph"))
    store = GraphStore.connect(status.uri, retry_time=1.0)
    try:
        started = time.monotonic()
        proc = subprocess.run(
            [str(Path(sys.executable).with_name("valuegraph")), "import", str(model)],
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )
        output = proc.stdout + proc.stderr
        assert proc.returncode == 1, output
        assert "Traceback" not in output
        assert "transaction memory" in output and "--txmax" in output, output
        assert "nothing was written" in output
        # Neo4j's transient error is not retried: the same write would fail the same way.
        assert "will be retried" not in output
        assert time.monotonic() - started < 120
        assert store.stats()["nodes"].get("Platform", 0) == 0
        assert store.read("MATCH (r:ImportRun) RETURN count(r) AS c")[0]["c"] == 0
    finally:
        store.close()
        server.stop()
