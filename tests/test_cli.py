"""The `valuegraph` CLI as a user runs it: real processes, real Neo4j."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from graph.local_neo4j import free_port
from graph.store import GraphStore

VALUEGRAPH = str(Path(sys.executable).with_name("valuegraph"))


def run(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([VALUEGRAPH, *args], env=env, capture_output=True, text=True, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture
def env(neo4j_server: dict[str, str | None], tmp_path: Path) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "VALUEGRAPH_"))}
    e["NEO4J_URI"] = str(neo4j_server["uri"])
    if neo4j_server["password"]:
        e["NEO4J_USER"] = str(neo4j_server["user"])
        e["NEO4J_PASSWORD"] = str(neo4j_server["password"])
    e["VALUEGRAPH_HOME"] = str(tmp_path / ".valuegraph")
    e["VALUEGRAPH_AUTH"] = "off"  # as `make run` does: local development on loopback
    return e


def test_help_lists_the_commands() -> None:
    out = subprocess.run([VALUEGRAPH, "--help"], capture_output=True, text=True).stdout
    for command in ("serve", "demo", "stats", "neo4j"):
        assert command in out


def test_demo_then_stats_json(store: GraphStore, env: dict[str, str]) -> None:
    assert json.loads(run("demo", "--json", env=env).stdout)["nodes"] >= 100
    stats = json.loads(run("stats", "--json", env=env).stdout)
    assert stats == store.stats()
    assert stats["nodes"]["ValueStream"] >= 5


def test_serve_answers_rest_and_graphql(store: GraphStore, env: dict[str, str]) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [VALUEGRAPH, "serve", "--demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and proc.poll() is None, "serve did not come up"
            time.sleep(0.3)
        streams = httpx.get(f"{base}/api/nodes", params={"type": "ValueStream"}).json()
        assert "Mortgage" in {s["name"] for s in streams["items"]}
        body = httpx.post(
            f"{base}/graphql", json={"query": '{ search(text: "payments hub") { name } }'}
        ).json()
        assert body["data"]["search"], body
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.slow
def test_local_neo4j_start_status_stop(tmp_path: Path) -> None:
    e = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "VALUEGRAPH_"))}
    e["VALUEGRAPH_HOME"] = str(tmp_path / "home")
    e["VALUEGRAPH_LOCAL_NEO4J_PORT"] = str(free_port())
    e["VALUEGRAPH_LOCAL_NEO4J_HEAP"] = "512m"
    e["VALUEGRAPH_LOCAL_NEO4J_PAGECACHE"] = "64m"
    assert run("neo4j", "status", env=e, check=False).returncode == 3
    started = json.loads(run("neo4j", "start", "--json", env=e).stdout)
    try:
        assert started["running"] and started["uri"].startswith("bolt://127.0.0.1:")
        assert Path(started["home"]).is_relative_to(tmp_path)
        # Without NEO4J_URI the commands use the running local server.
        run("demo", env=e)
        status = json.loads(run("neo4j", "status", "--json", env=e).stdout)
        assert status["pid"] == started["pid"]
    finally:
        assert json.loads(run("neo4j", "stop", "--json", env=e).stdout) == {"stopped": True}
    assert run("neo4j", "status", env=e, check=False).returncode == 3
    # Data is kept under the project-local home: it is there after a restart.
    run("neo4j", "start", env=e)
    try:
        stats = json.loads(run("stats", "--json", env=e).stdout)
        assert stats["nodes"]["ValueStream"] >= 5
    finally:
        run("neo4j", "stop", env=e)


@pytest.mark.slow
def test_serve_starts_and_stops_its_own_local_neo4j(tmp_path: Path) -> None:
    """The README's run command without NEO4J_URI: Neo4j comes up with it and goes with it."""
    e = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "VALUEGRAPH_"))}
    e["VALUEGRAPH_HOME"] = str(tmp_path / "home")
    e["VALUEGRAPH_AUTH"] = "off"
    e["VALUEGRAPH_LOCAL_NEO4J_PORT"] = str(free_port())
    e["VALUEGRAPH_LOCAL_NEO4J_HEAP"] = "512m"
    e["VALUEGRAPH_LOCAL_NEO4J_PAGECACHE"] = "64m"
    port = free_port()
    proc = subprocess.Popen(
        [VALUEGRAPH, "serve", "--demo", "--port", str(port)],
        env=e,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and proc.poll() is None, "serve did not come up"
            time.sleep(0.5)
        assert json.loads(run("neo4j", "status", "--json", env=e).stdout)["running"]
        proc.terminate()  # SIGTERM, as a service manager or `kill` sends
        proc.wait(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
    status = run("neo4j", "status", "--json", env=e, check=False)
    assert status.returncode == 3 and not json.loads(status.stdout)["running"]


def test_audit_shows_hostile_text_inert(store: GraphStore, env: dict[str, str]) -> None:
    from graph.audit import record_event

    hostile = "\x1b]0;pwned\x07\x1b[31m[bold red]boom[/bold red]\u202e"
    record_event(
        store,
        actor="editor-bot",
        token_id="t",
        role="editor",
        action="POST /api/x",
        target=hostile,
        status=404,
    )
    out = run("audit", env={**env, "COLUMNS": "400"}).stdout
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "[bold red]boom[/bold red]" in out  # markup shown as typed, not applied
    assert "\\x1b]0;pwned\\x07" in out
