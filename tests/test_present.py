"""The present model and answers kept per revision (queries/present.py), on a real Neo4j:
kept while the model stands still, never served once it has changed."""

from __future__ import annotations

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
