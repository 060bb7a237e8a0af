"""Answers warmed in the background (app.core.warm), on a real Neo4j: after start-up and
after a write the health report, the default bottleneck ranking and the explorer's first
answer become kept without a request, equal to answers computed afresh; a warm overtaken
by a change never leaves an answer of the old revision to be served; a burst of changes is
warmed once; VALUEGRAPH_WARM_ANSWERS=0 turns it off.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.warm import AnswerWarmer, default_steps
from app.graphql.kept import OPERATIONS, OVERVIEW_FIRST, kept_answer
from app.main import create_app
from app.settings import Settings
from graph.store import GraphStore
from queries import bottlenecks as bn
from queries import health as hl
from queries.present import forget
from samples.demo import load_demo
from tests.question_graphs import Graph
from tests.test_kept_answers import _fresh_bottlenecks, _fresh_health

WAIT_S = 120.0


def _kept_equal_fresh(store: GraphStore) -> None:
    health = hl.kept_health(store)
    ranking = bn.kept_bottlenecks(store, limit=1000)
    assert health is not None and ranking is not None
    assert health == _fresh_health(store)
    assert ranking == _fresh_bottlenecks(store, 1000)


def _ready(client: TestClient, store: GraphStore) -> dict[str, Any]:
    """The warm status once it is ready at the revision Neo4j holds (polled, as a client would)."""
    deadline = time.monotonic() + WAIT_S
    while True:
        status: dict[str, Any] = client.get("/api/warm-answers").json()
        if status["state"] == "ready" and status["revision"] == store.revision():
            return status
        assert time.monotonic() < deadline, status
        time.sleep(0.2)


@pytest.fixture
def demo(store: GraphStore) -> GraphStore:
    load_demo(store)
    forget(store)
    return store


@pytest.fixture
def warm_app(demo: GraphStore, settings: Settings) -> Iterator[TestClient]:
    settings = settings.model_copy(update={"warm_answers": True})
    with TestClient(create_app(settings, store=demo)) as client:
        yield client


def test_answers_are_kept_after_start_up_and_after_a_write_without_a_request(
    warm_app: TestClient, demo: GraphStore
) -> None:
    started = _ready(warm_app, demo)
    assert started["enabled"] and started["error"] is None
    assert started["ready_after_start_s"] is not None and started["warmed_in_s"] is not None
    _kept_equal_fresh(demo)
    first = kept_answer(demo, "OverviewFirst")
    assert first is not None  # auth off: the page's answer is warmed too
    assert first == warm_app.post("/graphql", json={"query": OVERVIEW_FIRST}).json()["data"]
    # The overview's other answers too (the stream map, its health and ranking), equal to
    # the operations answered afresh.
    warmed = {op.name: kept_answer(demo, op.name) for op in OPERATIONS}
    assert None not in warmed.values()
    forget(demo)
    for op in OPERATIONS:
        fresh = warm_app.post(
            "/graphql", json={"query": op.document, "variables": dict(op.variables)}
        ).json()
        assert fresh["data"] == warmed[op.name], op.name
    _ready(warm_app, demo)

    before = hl.kept_health(demo)
    assert warm_app.delete("/api/nodes/plat-api-gateway").status_code == 204
    # Not ready at the new revision until it has been warmed (never the old answers).
    assert warm_app.get("/api/warm-answers").json()["state"] != "ready"
    assert hl.kept_health(demo) is None
    after = _ready(warm_app, demo)
    assert after["revision"] != started["revision"]
    _kept_equal_fresh(demo)
    assert hl.kept_health(demo) != before
    # The questions are answered from what was kept.
    asked = warm_app.get("/api/health-report").json()
    assert asked == hl.kept_health(demo).model_dump(mode="json")  # type: ignore[union-attr]


def test_off_computes_nothing_in_the_background(
    demo: GraphStore, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with TestClient(create_app(settings, store=demo)) as client:  # conftest: warm_answers off
        time.sleep(1.0)
        status = client.get("/api/warm-answers").json()
        assert status["state"] == "off" and not status["enabled"]
        assert hl.kept_health(demo) is None and bn.kept_bottlenecks(demo) is None
    monkeypatch.setenv("VALUEGRAPH_WARM_ANSWERS", "0")
    assert Settings().warm_answers is False


def test_a_warm_overtaken_by_a_change_leaves_nothing_stale(demo: GraphStore) -> None:
    """A write lands while the health report is being warmed: the warm is abandoned, the
    answers are ready only for the newest revision, and they equal fresh ones."""
    wrote = threading.Event()
    steps = default_steps()

    def health_then_a_write(store: GraphStore) -> object:
        answer = hl.health(store)
        if not wrote.is_set():
            Graph().node("Team", "team-late", "Late Team").write(store)
            wrote.set()
        return answer

    steps[1] = ("health report", health_then_a_write)
    warmer = AnswerWarmer(demo, None, steps=steps, quiet_s=0.3, poll_s=0.2)
    first = demo.revision()
    warmer.start()
    try:
        assert wrote.wait(WAIT_S)
        newest = demo.revision()
        assert newest != first
        assert warmer.wait_ready(newest, WAIT_S)
        assert not warmer.wait_ready(first, 0.1)
        assert warmer.status(demo.revision()).state == "ready"
        _kept_equal_fresh(demo)
    finally:
        warmer.stop()


def test_a_burst_of_changes_is_warmed_once_at_its_end(demo: GraphStore) -> None:
    warmed: list[str] = []

    def count(store: GraphStore) -> object:
        warmed.append(store.revision())
        return None

    warmer = AnswerWarmer(demo, None, steps=[("count", count)], quiet_s=1.5, poll_s=0.1)
    warmer.start()
    try:
        assert warmer.wait_ready(demo.revision(), WAIT_S)
        assert len(warmed) == 1  # start-up: at once
        for i in range(4):  # 0.3 s apart: closer than the quiet period
            Graph().node("Team", f"team-burst-{i}", f"Burst {i}").write(demo)
            warmer.poke()
            time.sleep(0.3)
        assert warmer.wait_ready(demo.revision(), WAIT_S)
        assert warmed[1:] == [demo.revision()]
    finally:
        warmer.stop()


def test_answers_equal_when_warmed_and_when_asked(demo: GraphStore) -> None:
    """What the warmer keeps is what the questions compute (same functions, same keys)."""
    warmer = AnswerWarmer(demo, None, quiet_s=0.1, poll_s=0.1)
    warmer.start()
    try:
        assert warmer.wait_ready(demo.revision(), WAIT_S)
    finally:
        warmer.stop()
    assert hl.health(demo) is hl.kept_health(demo)
    assert bn.bottlenecks(demo, limit=5) == bn.kept_bottlenecks(demo, limit=5)
