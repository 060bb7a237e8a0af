"""The live walk index (queries.live, queries.walk_index): the model's revision counts
every change, impact walks use the index only while it is current, answers are never
stale, and impact answers come in pages with their totals.

That the index answers exactly as Cypher does is proved in tests/test_scenarios.py
(`_assert_memory_equals_cypher`, on the demo and on random graphs)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from question_graphs import Graph, gql

from graph.store import GraphStore, NotFoundError, StoreError
from importers.pipeline import run_import
from queries import impact as im
from queries import live as lv
from queries.live import LiveIndex
from queries.walk_index import WalkIndex

DATA = Path(__file__).parent / "data" / "imports"


def _fan(store: GraphStore, apps: int = 7) -> GraphStore:
    """Platform p-core, used by `apps` applications, each serving one stream; a team owns
    the platform and every second application; a person answers for each stream."""
    g = Graph().node("Platform", "p-core", "Core").node("Team", "t-core", "Core team")
    g.rel("OWNS", "t-core", "p-core")
    for i in range(apps):
        g.node("Platform", f"p-app{i}", f"App {i}").rel("USES", f"p-app{i}", "p-core")
        g.node("ValueStream", f"vs-{i}", f"Stream {i}").rel("USES", f"vs-{i}", f"p-app{i}")
        g.node("Person", f"pe-{i}", f"Person {i}").rel("ACCOUNTABLE_FOR", f"pe-{i}", f"vs-{i}")
        if i % 2 == 0:
            g.rel("OWNS", "t-core", f"p-app{i}")
    return g.write(store)


def _ids(result: im.ImpactResult) -> set[str]:
    return {a.element.id for a in result.affected}


def test_every_change_to_the_model_counts_a_new_revision(store: GraphStore) -> None:
    seen = [store.revision()]

    def changed() -> None:
        now = store.revision()
        assert now not in seen
        seen.append(now)

    _fan(store, apps=2)
    changed()
    store.patch_node("p-app0", {"description": "patched"})
    changed()
    store.patch_relationship("p-app0|USES|p-core", {"description": "patched"})
    changed()
    store.delete_relationship("p-app0|USES|p-core")
    changed()
    store.delete_node("p-app1")
    changed()
    run_import(store, DATA / "bank.xml")
    changed()
    # Reads, and writes refused or rolled back, leave it as it was.
    store.stats()
    store.search("core")
    store.get_node("p-core")
    with pytest.raises(NotFoundError):
        store.patch_node("no-such-element", {"description": "x"})
    with pytest.raises(StoreError):
        Graph().rel("USES", "p-core", "no-such-element").write(store)
    assert store.revision() == seen[-1]
    store.clear()
    changed()


def test_walks_use_the_index_only_while_it_is_current(store: GraphStore) -> None:
    _fan(store)
    live = LiveIndex(store)
    # Nothing built yet: the walk reads Neo4j, and a build starts.
    assert isinstance(live.reader(), im.StoreReader)
    assert live.wait(60)
    index = live.reader()
    assert isinstance(index, WalkIndex)
    assert im.impact(index, "p-core") == im.impact(store, "p-core")
    assert live.status().revision == store.revision()

    # A change: the very next walk sees it (in Cypher), then the index catches up.
    Graph().node("ValueStream", "vs-new", "New stream").rel("USES", "vs-new", "p-core").write(store)
    fresh = live.reader()
    assert isinstance(fresh, im.StoreReader)
    assert "vs-new" in _ids(im.impact(fresh, "p-core"))
    assert live.wait(60)
    caught_up = live.reader()
    assert isinstance(caught_up, WalkIndex)
    assert caught_up is not index
    assert "vs-new" in _ids(im.impact(caught_up, "p-core"))
    assert im.impact(caught_up, "p-core") == im.impact(store, "p-core")


def test_the_widest_walks_are_kept_with_their_index(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The impact question and a scenario's base side share a wide walk of one index; a
    walk of another index (revision), or of other options, is walked anew."""
    _fan(store)
    live = LiveIndex(store)
    assert live.wait(60)
    index = live.reader()
    assert isinstance(index, WalkIndex)
    monkeypatch.setattr(lv, "KEPT_WALK_MIN", 10)  # the fan's widest walk reaches 16
    options = im.WalkOptions(6)
    first = lv.walk_impact(index, "p-core", options)
    assert first.result() == im.impact(store, "p-core", options)
    assert lv.walk_impact(index, "Core", im.WalkOptions(6)) is first  # by name: the same
    assert lv.walk_impact(index, "p-core", im.WalkOptions(2)) is not first
    assert lv.walk_impact(index, "p-core", im.WalkOptions(6, overrides=["USES=none"])) is not first
    narrow = lv.walk_impact(index, "p-app0", options)  # reaches 3: not kept
    assert lv.walk_impact(index, "p-app0", options) is not narrow
    # Past the reach kept, the oldest go first.
    monkeypatch.setattr(lv, "KEPT_WALK_REACH", len(first.distance))
    lv.walk_impact(index, "p-core", im.WalkOptions(5))
    assert lv.walk_impact(index, "p-core", options) is not first

    Graph().node("ValueStream", "vs-new", "New stream").rel("USES", "vs-new", "p-core").write(store)
    assert live.wait(60)
    newer = live.reader()
    assert isinstance(newer, WalkIndex) and newer is not index
    again = lv.walk_impact(newer, "p-core", options)
    assert "vs-new" in again.distance
    assert again.result() == im.impact(store, "p-core", options)
    # Not an index: walked every time.
    assert lv.walk_impact(store, "p-core", options) is not lv.walk_impact(store, "p-core", options)


def test_with_the_index_off_walks_always_read_neo4j(store: GraphStore) -> None:
    _fan(store)
    live = LiveIndex(store, enabled=False)
    live.refresh()
    assert isinstance(live.reader(), im.StoreReader)
    assert not live.wait(0.5)
    status = live.status()
    assert (status.enabled, status.revision, status.building) == (False, None, False)


IMPACT_PAGES = """
query ($element: String!, $limit: Int, $offset: Int) {
  impact(element: $element) {
    counts { affected streams platforms capabilities dataAssets other teamsToNotify
             peopleToNotify }
    streams(limit: $limit, offset: $offset) { element { id } distance pathText }
    platforms(limit: $limit, offset: $offset) { element { id } }
    peopleToNotify(limit: $limit, offset: $offset) { element { id } }
    teamsToNotify { element { id } about { id } }
  }
}
"""


def test_graphql_impact_lists_come_in_pages_with_totals(
    client: TestClient, store: GraphStore
) -> None:
    _fan(store)
    whole = gql(client, IMPACT_PAGES, element="p-core")["data"]["impact"]
    assert whole["counts"] == {
        "affected": 14,
        "streams": 7,
        "platforms": 7,
        "capabilities": 0,
        "dataAssets": 0,
        "other": 0,
        "teamsToNotify": 1,
        "peopleToNotify": 7,
    }
    assert [s["element"]["id"] for s in whole["streams"]] == [f"vs-{i}" for i in range(7)]
    assert whole["streams"][0]["pathText"] == "Core <-[USES]- App 0 <-[USES]- Stream 0"
    assert whole["teamsToNotify"][0]["about"] == [
        {"id": i} for i in ("p-app0", "p-app2", "p-app4", "p-app6", "p-core")
    ]
    pages = [
        gql(client, IMPACT_PAGES, element="p-core", limit=3, offset=offset)["data"]["impact"]
        for offset in (0, 3, 6, 9)
    ]
    for key in ("streams", "platforms", "peopleToNotify"):
        assert [len(p[key]) for p in pages] == [3, 3, 1, 0]
        assert [x for p in pages for x in p[key]] == whole[key]
    assert all(p["counts"] == whole["counts"] for p in pages)

    for bad in ({"limit": 0}, {"limit": 501}, {"offset": -1}):
        body = gql(client, IMPACT_PAGES, element="p-core", **bad)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body


def test_rest_impact_lists_come_in_pages_with_totals(client: TestClient, store: GraphStore) -> None:
    _fan(store)
    whole = client.get("/api/impact/p-core").json()
    assert whole["counts"]["streams"] == 7 and len(whole["streams"]) == 7
    page = client.get("/api/impact/p-core", params={"limit": 2, "offset": 6}).json()
    assert [s["element"]["id"] for s in page["streams"]] == ["vs-6"]
    assert [p["element"]["id"] for p in page["people_to_notify"]] == ["pe-6"]
    assert page["counts"] == whole["counts"]
    assert client.get("/api/impact/p-core", params={"limit": 501}).status_code == 422


def test_the_service_answers_a_change_at_once_and_reports_its_index(
    client: TestClient, store: GraphStore
) -> None:
    _fan(store)
    live: LiveIndex = client.app.state.live  # type: ignore[attr-defined]
    assert live.wait(60)
    before = gql(client, IMPACT_PAGES, element="p-core")["data"]["impact"]["counts"]["streams"]
    created = client.post(
        "/api/nodes", json={"type": "ValueStream", "id": "vs-late", "name": "Late stream"}
    )
    assert created.status_code == 201, created.text
    linked = client.post(
        "/api/relationships", json={"type": "USES", "source": "vs-late", "target": "p-app3"}
    )
    assert linked.status_code == 201, linked.text
    # Whether the index has caught up yet or not, the answer already has the change.
    after = gql(client, IMPACT_PAGES, element="p-core")["data"]["impact"]
    assert after["counts"]["streams"] == before + 1
    assert "vs-late" in {s["element"]["id"] for s in after["streams"]}
    assert live.wait(60)
    status = client.get("/api/impact-index").json()
    assert status["enabled"] is True
    assert status["revision"] == store.revision()
    assert status["elements"] == 24  # 23 of the fan and the late stream
    again = gql(client, IMPACT_PAGES, element="p-core")["data"]["impact"]
    assert again == after
