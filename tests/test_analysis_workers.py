"""The whole-model analyses are answered in worker processes (app.core.analyses), on a real
Neo4j: the service's interpreter never reads the model, the answers are those computed in
this process and are kept here too; a worker that dies while answering is replaced and the
question refused with 503 + Retry-After, one that hangs is killed and replaced and the
question answered 504 with its advice; a worker grown past its memory bound is replaced.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core import analyses
from app.core.analyses import AnalysisPool
from app.main import create_app
from app.settings import Settings
from graph.store import GraphStore
from queries import bottlenecks as bn
from queries import health as hl
from queries import scenarios as sc
from queries.present import _kept, forget
from samples.demo import load_demo
from tests.test_kept_answers import (
    RETIRE_GATEWAY,
    _fresh_bottlenecks,
    _fresh_comparison,
    _fresh_health,
)

WAIT_S = 60.0


@pytest.fixture
def demo(store: GraphStore) -> GraphStore:
    load_demo(store)
    forget(store)
    return store


def _app(store: GraphStore, tmp: Path, uri: str | None, **settings: Any) -> TestClient:
    return TestClient(
        create_app(
            Settings(
                neo4j_uri=uri,
                home=tmp / ".valuegraph",
                auth="off",
                warm_answers=False,
                **({"analysis_workers": True} | settings),  # opt-in: on unless said
            ),
            store=store,
        )
    )


@pytest.fixture
def api(
    demo: GraphStore, neo4j_server: dict[str, str | None], tmp_path: Path
) -> Iterator[TestClient]:
    with _app(demo, tmp_path, neo4j_server["uri"], question_slots=1) as client:
        yield client


def _pool(client: TestClient) -> AnalysisPool:
    pool = client.app.state.gate.pool  # type: ignore[attr-defined]
    assert isinstance(pool, AnalysisPool)
    return pool


def test_analyses_run_in_a_worker_and_their_answers_are_kept_here(
    api: TestClient, demo: GraphStore
) -> None:
    health = api.get("/api/health-report")
    ranking = api.get("/api/bottlenecks", params={"limit": 1000})
    assert health.status_code == ranking.status_code == 200
    # The answers are the ones computed in this process, read afresh from Neo4j ...
    assert health.json() == _fresh_health(demo).model_dump(mode="json")
    assert ranking.json() == _fresh_bottlenecks(demo, 1000).model_dump(mode="json")
    # ... computed in another process, which holds the model: the service never read it.
    (pid,) = _pool(api).pids()
    assert pid != os.getpid()
    assert _kept(demo).model is None
    # Kept here too: served again without a worker, and the same on every surface.
    assert hl.kept_health(demo) is not None
    assert bn.kept_bottlenecks(demo, limit=5) == _fresh_bottlenecks(demo, 5)
    gql = api.post("/graphql", json={"query": "query { healthReport { score } }"}).json()
    assert gql["data"]["healthReport"]["score"] == health.json()["score"]

    made = api.post("/api/scenarios", json={"name": "retire", "operations": RETIRE_GATEWAY})
    assert made.status_code == 201
    compared = api.get("/api/scenarios/retire/compare", params={"limit": 3})
    assert compared.status_code == 200
    assert compared.json() == _fresh_comparison(demo, "retire", limit=3).model_dump(mode="json")
    assert sc.kept_comparison(demo, "retire", limit=3) is not None
    assert _kept(demo).model is None
    assert _pool(api).pids() == [pid]  # one worker, asked again


def test_a_failure_in_the_worker_is_answered_as_it_would_be_here(api: TestClient) -> None:
    # Raised in the worker (an element unknown at that moment), carried back whole.
    asked = api.get("/api/impact/no-such-thing", params={"as_of": "2030-01-01"})
    assert asked.status_code == 404
    assert "candidates" in asked.json()["detail"]
    unknown = api.post(
        "/api/scenarios",
        json={"name": "bad", "operations": [{"op": "remove_element", "element": "no-such-thing"}]},
    )
    assert unknown.status_code == 422
    assert unknown.json()["detail"]["operation"] == 1


def _worker_of(client: TestClient) -> int:
    assert client.get("/api/bottlenecks", params={"horizon": 2}).status_code == 200
    (pid,) = _pool(client).pids()
    return pid


def _asked_in_background(client: TestClient, path: str, params: dict[str, Any]) -> Any:
    answers: list[Any] = []
    thread = threading.Thread(target=lambda: answers.append(client.get(path, params=params)))
    thread.start()
    return thread, answers


def _until(condition: Any) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_a_worker_that_dies_while_answering_is_replaced_and_the_question_refused_clearly(
    api: TestClient,
) -> None:
    pool = _pool(api)
    pid = _worker_of(api)
    os.kill(pid, signal.SIGSTOP)  # so that it is still answering when it is killed
    thread, answers = _asked_in_background(api, "/api/bottlenecks", {"horizon": 3})
    _until(lambda: pid in pool.asking())
    os.kill(pid, signal.SIGKILL)
    thread.join(WAIT_S)
    (refused,) = answers
    assert refused.status_code == 503
    assert int(refused.headers["retry-after"]) >= 1
    assert "analysis worker stopped" in refused.json()["detail"]
    # The next question gets a new worker.
    again = api.get("/api/bottlenecks", params={"horizon": 3})
    assert again.status_code == 200
    assert pid not in pool.pids() and len(pool.pids()) == 1
    assert pool.replaced == 1


def test_a_hung_worker_is_killed_replaced_and_the_question_answers_504_with_advice(
    demo: GraphStore,
    neo4j_server: dict[str, str | None],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(analyses, "GRACE_S", 0.5)
    with _app(demo, tmp_path, neo4j_server["uri"], question_slots=1) as client:
        pool = _pool(client)
        pid = _worker_of(client)  # started and holding the model, within the default limit
        client.app.state.gate.time_limit_s = 2.0  # type: ignore[attr-defined]
        os.kill(pid, signal.SIGSTOP)
        hung = client.get("/api/bottlenecks", params={"horizon": 3})
        assert hung.status_code == 504
        assert "fewer rows" in hung.json()["detail"]
        _until(lambda: not os.path.exists(f"/proc/{pid}") or _zombie(pid))
        assert client.get("/api/bottlenecks", params={"horizon": 3}).status_code == 200
        assert pid not in pool.pids() and len(pool.pids()) == 1


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True


def test_a_worker_past_its_memory_bound_is_replaced_after_its_answer(
    demo: GraphStore, neo4j_server: dict[str, str | None], tmp_path: Path
) -> None:
    with _app(
        demo, tmp_path, neo4j_server["uri"], question_slots=1, analysis_worker_max_mib=1
    ) as client:
        pool = _pool(client)
        assert client.get("/api/health-report").status_code == 200
        _until(lambda: not pool.pids())  # retired once it had answered
        assert client.get("/api/bottlenecks").status_code == 200
        assert hl.kept_health(demo) is not None


def test_off_answers_in_the_service(
    demo: GraphStore, neo4j_server: dict[str, str | None], tmp_path: Path
) -> None:
    with _app(demo, tmp_path, neo4j_server["uri"], analysis_workers=False) as client:
        assert client.app.state.gate.pool is None  # type: ignore[attr-defined]
        assert client.get("/api/health-report").status_code == 200
        assert _kept(demo).model is not None
