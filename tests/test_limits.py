"""Expensive questions are admitted a few at a time and answered within a time limit.

Past the slots and the queue a question is refused at once with 503 and Retry-After (REST)
or SERVICE_UNAVAILABLE/busy with retryAfter (GraphQL); one past its time limit stops with
504 / QUERY_TIMEOUT and advice that fits it. Cheap reads are never gated.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.core import memory
from app.core.limits import Busy, QuestionGate
from app.core.memory import Tidy
from app.main import create_app
from app.settings import Settings
from graph.store import GraphStore
from queries import budget
from samples.demo import load_demo


def test_the_gate_runs_its_slots_queues_a_few_and_refuses_the_rest_at_once() -> None:
    gate = QuestionGate(slots=1, queue=1, wait_s=0.3, time_limit_s=10)
    inside, leave = threading.Event(), threading.Event()

    def hold() -> None:
        with gate.admit("x"):
            inside.set()
            leave.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    assert inside.wait(5)
    outcomes: list[str] = []

    def queued() -> None:
        try:
            with gate.admit("x"):
                outcomes.append("ran")
        except Busy:
            outcomes.append("busy")

    waiter = threading.Thread(target=queued)
    waiter.start()
    time.sleep(0.05)  # the waiter now holds the one queue place
    started = time.monotonic()
    with pytest.raises(Busy) as refused, gate.admit("x"):
        pass
    assert time.monotonic() - started < 0.1  # refused at once, not after waiting
    assert refused.value.retry_after >= 1
    waiter.join(5)
    assert outcomes == ["busy"]  # waited its 0.3 s for the slot, then gave up
    leave.set()
    holder.join(5)
    with gate.admit("x"):  # free again
        pass


def test_a_question_past_its_budget_stops_at_the_next_check() -> None:
    with budget.time_limit(0.01, "ask less"):
        budget.check()
        time.sleep(0.02)
        with pytest.raises(budget.OutOfTime, match="ask less"):
            budget.check()
    budget.check()  # outside any question: no limit


@pytest.fixture
def demo(store: GraphStore) -> GraphStore:
    load_demo(store)
    return store


def _client(store: GraphStore, neo4j_uri: str | None, tmp: Path, **limits: float) -> TestClient:
    # Answers computed when asked (no background warming), as the limits apply to that.
    settings = Settings(
        neo4j_uri=neo4j_uri, home=tmp / ".valuegraph", auth="off", warm_answers=False, **limits
    )
    return TestClient(create_app(settings, store=store))


@pytest.fixture
def one_slot(
    demo: GraphStore, neo4j_server: dict[str, str | None], tmp_path: Path
) -> Iterator[TestClient]:
    with _client(demo, neo4j_server["uri"], tmp_path, question_slots=1, question_queue=0) as client:
        yield client


IMPACT = 'query { impact(element: "Kubernetes Platform") { counts { streams } } }'


def test_a_busy_server_refuses_expensive_questions_and_still_answers_cheap_reads(
    one_slot: TestClient,
) -> None:
    gate: QuestionGate = one_slot.app.state.gate  # type: ignore[attr-defined]
    with gate.admit("held by the test"):
        refused = one_slot.get("/api/bottlenecks")
        assert refused.status_code == 503
        assert int(refused.headers["retry-after"]) >= 1
        assert "try again" in refused.json()["detail"]
        (error,) = one_slot.post("/graphql", json={"query": IMPACT}).json()["errors"]
        assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        assert error["extensions"]["reason"] == "busy"
        assert error["extensions"]["retryAfter"] >= 1
        assert one_slot.get("/healthz").status_code == 200
        assert one_slot.get("/api/nodes", params={"limit": 5}).status_code == 200
    assert one_slot.get("/api/bottlenecks").status_code == 200
    assert (
        one_slot.post("/graphql", json={"query": IMPACT}).json()["data"]["impact"]["counts"][
            "streams"
        ]
        > 0
    )


def test_questions_past_the_time_limit_answer_504_with_advice_that_fits(
    demo: GraphStore, neo4j_server: dict[str, str | None], tmp_path: Path
) -> None:
    with _client(demo, neo4j_server["uri"], tmp_path, question_time_limit_s=1e-6) as client:
        slow = client.get("/api/bottlenecks")
        assert slow.status_code == 504
        assert "fewer rows" in slow.json()["detail"]
        health = client.get("/api/health-report")
        assert health.status_code == 504
        assert "health reads the whole model" in health.json()["detail"]
        (error,) = client.post(
            "/graphql", json={"query": "query { healthReport { score } }"}
        ).json()["errors"]
        assert error["extensions"]["code"] == "QUERY_TIMEOUT"
        assert client.get("/api/nodes", params={"limit": 5}).status_code == 200


# Every platform's users and dependants: estimated 1 + 50 * (1 + 200) objects, over the
# 5,000 above which a GraphQL query is admitted like an expensive question.
WIDE = """query { platforms(limit: 50) { items { id ... on Platform {
  usedBy(limit: 100) { id } dependedOnBy(limit: 100) { id } } } } }"""
WIDE_WITH_A_QUESTION = WIDE.replace(
    "query {", 'query { impact(element: "Kubernetes Platform") { counts { streams } } ', 1
)


def test_a_costly_graphql_query_waits_for_a_slot_and_a_cheap_one_does_not(
    one_slot: TestClient,
) -> None:
    gate: QuestionGate = one_slot.app.state.gate  # type: ignore[attr-defined]
    cheap = "query { platforms(limit: 5) { items { id } } }"
    with gate.admit("held by the test"):
        (error,) = one_slot.post("/graphql", json={"query": WIDE}).json()["errors"]
        assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        assert error["extensions"]["reason"] == "busy"
        assert error["extensions"]["retryAfter"] >= 1
        assert "smaller `limit`" not in error["message"]  # busy, not too costly: try again
        small = one_slot.post("/graphql", json={"query": cheap}).json()
        assert len(small["data"]["platforms"]["items"]) == 5
    answer = one_slot.post("/graphql", json={"query": WIDE}).json()
    assert "errors" not in answer and answer["data"]["platforms"]["items"]
    # A question inside a costly query runs in the query's slot: it does not wait for itself.
    started = time.monotonic()
    answer = one_slot.post("/graphql", json={"query": WIDE_WITH_A_QUESTION}).json()
    assert "errors" not in answer, answer["errors"]
    assert answer["data"]["impact"]["counts"]["streams"] > 0
    assert time.monotonic() - started < 5


def test_memory_is_tidied_a_moment_after_the_last_question() -> None:
    tidied = threading.Event()
    tidy = Tidy(delay_s=0.05)
    tidy._trim = tidied.set  # the collection runs; the trim is what we watch for
    tidy.started()
    tidy.started()
    tidy.ended()
    assert not tidied.wait(0.2)  # one question still runs
    tidy.ended()
    assert tidied.wait(2)
    tidied.clear()
    tidy.started()  # a question beginning within the delay cancels the tidy
    tidy.ended()
    tidy.started()
    assert not tidied.wait(0.2)
    tidy.ended()
    assert tidied.wait(2)


def test_what_lives_long_is_frozen_after_a_warm_and_a_frozen_cycle_is_collected_then(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`settle_again` (after each warm) freezes the model and index built since start-up,
    and first thaws and collects what was frozen: a previous revision's cyclic garbage."""
    monkeypatch.setattr(memory, "_settled", False)
    frozen_before = gc.get_freeze_count()
    memory.settle_again()  # not the service's process (tests build many apps): nothing
    assert gc.get_freeze_count() == frozen_before
    try:
        monkeypatch.setattr(memory, "_settled", True)

        class Node:
            other: Node | None = None

        old = Node()
        old.other = Node()
        old.other.other = old  # a cycle: only the collector frees it
        gone = weakref.ref(old)
        memory.settle_again()
        assert gc.get_freeze_count() > frozen_before
        del old
        kept = [Node() for _ in range(1000)]  # built after: the next revision's model
        memory.settle_again()
        assert gone() is None
        assert gc.get_freeze_count() >= frozen_before + len(kept)
    finally:
        gc.unfreeze()


HEAP_GROWTH_PROBE = """
import ctypes
from app.core.memory import limit_heap_growth

class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]

libc = ctypes.CDLL("libc.so.6")
libc.mallinfo2.restype = Info
import sys
if sys.argv[1] == "fixed":
    limit_heap_growth()
first = bytearray(10 << 20)
del first  # freed: glibc's own threshold now rises past 10 MB
block = bytearray(10 << 20)
print(libc.mallinfo2().hblkhd >= 10 << 20)
"""


def test_the_service_maps_large_blocks_on_their_own_after_one_was_freed() -> None:
    """glibc's threshold rises to the largest block freed, after which multi-MB answers
    come from the heap (and stay there, free but held); `limit_heap_growth` keeps them
    mapped on their own."""
    try:
        ctypes_ok = (
            subprocess.run(
                [sys.executable, "-c", "import ctypes; ctypes.CDLL('libc.so.6').mallinfo2"],
                capture_output=True,
            ).returncode
            == 0
        )
    except OSError:
        ctypes_ok = False
    if not ctypes_ok:
        pytest.skip("not glibc 2.33 or later")

    def mapped(mode: str) -> bool:
        env = {k: v for k, v in os.environ.items() if k != "MALLOC_MMAP_THRESHOLD_"}
        out = subprocess.run(
            [sys.executable, "-c", HEAP_GROWTH_PROBE, mode],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        ).stdout
        return out.strip() == "True"

    assert not mapped("glibc")  # the reason for it
    assert mapped("fixed")
