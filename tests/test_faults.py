"""Neo4j killed (SIGKILL) in the middle of an import: nothing half-written, the retry
completes, and committed data survives a restart. Uses its own local Neo4j to kill."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

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
