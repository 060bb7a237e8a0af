"""The present model and answers kept per revision (queries/present.py), on a real Neo4j:
kept while the model stands still, never served once it has changed."""

from __future__ import annotations

from fastapi.testclient import TestClient
from httpx import Response

from graph.store import GraphStore
from queries.model_graph import ModelGraph
from queries.present import forget, present_model, remember
from samples.demo import load_demo


def test_the_present_model_is_the_stored_one_and_read_once_per_revision(
    store: GraphStore,
) -> None:
    load_demo(store)
    forget(store)
    first = present_model(store)
    assert first == ModelGraph.load(store)
    assert present_model(store) is first  # nothing changed: not read again

    store.execute("MATCH (n:Element {id: 'plat-api-gateway'}) SET n.name = 'Renamed gateway'")
    assert present_model(store) is first  # around valuegraph: no revision counted

    store.patch_node("plat-api-gateway", {"name": "API Gateway v2"})
    second = present_model(store)
    assert second is not first
    assert second.nodes["plat-api-gateway"].props["name"] == "API Gateway v2"
    assert second == ModelGraph.load(store)


def test_an_answer_is_computed_once_per_revision_and_per_key(store: GraphStore) -> None:
    load_demo(store)
    forget(store)
    calls: list[str] = []

    def count_streams(tag: str) -> int:
        calls.append(tag)
        return sum(1 for n in present_model(store).nodes.values() if n.type == "ValueStream")

    streams = remember(store, ("streams", "a"), lambda: count_streams("a"))
    assert remember(store, ("streams", "a"), lambda: count_streams("a")) == streams
    assert remember(store, ("streams", "b"), lambda: count_streams("b")) == streams
    assert calls == ["a", "b"]

    store.delete_node("vs-cards")
    fewer = remember(store, ("streams", "a"), lambda: count_streams("a"))
    assert fewer == streams - 1
    assert calls == ["a", "b", "a"]


def test_after_changes_the_kept_model_is_caught_up_from_the_history(
    client: TestClient, store: GraphStore
) -> None:
    load_demo(store)
    forget(store)
    first = present_model(store)

    def caught_up() -> ModelGraph:
        model = present_model(store)
        assert model == ModelGraph.load(store)
        # Caught up, not read anew: what did not change is the same object.
        assert model.nodes["vs-mortgage"] is first.nodes["vs-mortgage"]
        return model

    def ok(response: Response) -> None:
        assert response.status_code < 300, response.text

    ok(client.post("/api/nodes", json={"type": "Team", "id": "t-new", "name": "New team"}))
    ok(client.post("/api/nodes", json={"type": "Platform", "id": "p-new", "name": "New platform"}))
    ok(
        client.post(
            "/api/relationships",
            json={"type": "OWNS", "id": "r-own", "source": "t-new", "target": "p-new"},
        )
    )
    ok(client.patch("/api/nodes/p-new", json={"name": "Renamed platform"}))
    model = caught_up()
    assert model.nodes["p-new"].props["name"] == "Renamed platform"
    assert ("OWNS", "r-own") in model.rels

    ok(client.delete("/api/relationships/r-own"))
    ok(
        client.post(
            "/api/relationships",
            json={"type": "DEPENDS_ON", "id": "r-own", "source": "vs-mortgage", "target": "p-new"},
        )
    )
    ok(client.delete("/api/nodes/t-new"))
    model = caught_up()
    assert ("OWNS", "r-own") not in model.rels and ("DEPENDS_ON", "r-own") in model.rels
    assert "t-new" not in model.nodes

    # A scenario applied: many relationships go with the platform it removes.
    ok(
        client.post(
            "/api/scenarios",
            json={
                "name": "drop",
                "operations": [{"op": "remove_element", "element": "plat-api-gateway"}],
            },
        )
    )
    ok(client.post("/api/scenarios/drop/apply"))
    model = caught_up()
    assert "plat-api-gateway" not in model.nodes
    assert not any("plat-api-gateway" in (r.source, r.target) for r in model.rels.values())

    # A write that changed nothing counts a revision without a change set: read anew.
    ok(client.patch("/api/nodes/p-new", json={"name": "Renamed platform"}))
    again = present_model(store)
    assert again == ModelGraph.load(store)
