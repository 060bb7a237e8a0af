"""Fixtures giving tests a real, clean Neo4j: NEO4J_URI, else testcontainers, else the launcher.

Beware: with NEO4J_URI set, tests delete every valuegraph element in that database.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from graph.local_neo4j import LocalNeo4j
from graph.store import GraphStore


def _docker_answers() -> bool:
    try:
        import docker  # type: ignore[import-untyped]

        docker.from_env(timeout=3).ping()
        return True
    except Exception:
        return False


# The local Neo4j homes of this session, for the failure summary below.
_LOCAL_HOMES: list[Path] = []
_LOW_DISK_BYTES = 3 * 1024**3


def pytest_sessionstart(session: pytest.Session) -> None:
    free = shutil.disk_usage(session.config.rootpath).free
    if free < _LOW_DISK_BYTES:
        # A Neo4j that cannot write its store stops with "critical error, needs to be
        # restarted" and every later test errors: say the likely cause first.
        print(f"\nwarning: only {free / 1024**3:.1f} GiB free on this disk; Neo4j may fail")


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    """When the run failed, what the local Neo4j said: a failed commit or a database that
    "needs to be restarted" is explained only in its own log (CI keeps nothing else)."""
    if exitstatus == 0 or not _LOCAL_HOMES:
        return
    write = terminalreporter.write_line
    free = shutil.disk_usage(config.rootpath).free
    write(f"disk free: {free / 1024**3:.1f} GiB")
    for home in _LOCAL_HOMES:
        for log in sorted(home.rglob("debug.log")):
            lines = log.read_text(errors="replace").splitlines()
            errors = [line for line in lines if " ERROR " in line or "Caused by" in line]
            if errors:
                write(f"the local Neo4j's {log} (its last errors):")
                for line in errors[-15:]:
                    write("  " + line[:400])


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str | None]]:
    if uri := os.environ.get("NEO4J_URI"):
        yield {
            "uri": uri,
            "user": os.environ.get("NEO4J_USER", "neo4j"),
            "password": os.environ.get("NEO4J_PASSWORD"),
            "kind": "env",
        }
        return
    if _docker_answers():
        from testcontainers.neo4j import Neo4jContainer

        with Neo4jContainer("neo4j:5.26-community") as container:
            yield {
                "uri": container.get_connection_url(),
                "user": "neo4j",
                "password": container.password,
                "kind": "testcontainers",
            }
        return
    server = LocalNeo4j(tmp_path_factory.mktemp("neo4j"))
    _LOCAL_HOMES.append(server.home)
    status = server.start(heap="768m", pagecache="256m")
    try:
        yield {
            "uri": status.uri,
            "user": None,
            "password": None,
            "kind": "local",
            "home": str(server.home),
        }
    finally:
        server.stop()


@pytest.fixture(scope="session")
def session_store(neo4j_server: dict[str, str | None]) -> Iterator[GraphStore]:
    assert neo4j_server["uri"]
    store = GraphStore.connect(neo4j_server["uri"], neo4j_server["user"], neo4j_server["password"])
    store.ensure_schema()
    yield store
    store.close()


@pytest.fixture
def store(session_store: GraphStore) -> GraphStore:
    """The session's store with an empty graph (schema kept)."""
    session_store.clear()
    return session_store


@pytest.fixture
def settings(neo4j_server: dict[str, str | None], tmp_path: Path) -> Settings:
    # Most tests exercise behaviour, not access control: they run in local development
    # mode (auth off on loopback). tests/test_security.py covers auth on.
    # Answers are computed when asked, not in the background (app.core.warm), so that what
    # a test sees computed is what it asked; tests/test_warm_answers.py turns warming on.
    return Settings(
        neo4j_uri=neo4j_server["uri"],
        home=tmp_path / ".valuegraph",
        auth="off",
        warm_answers=False,
    )


@pytest.fixture
def client(store: GraphStore, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store=store)) as c:
        yield c
