"""The most depended-on elements (the overview of a model without value streams), on a
real Neo4j: ranked by the distinct elements needing them directly, with owners."""

from __future__ import annotations

from fastapi.testclient import TestClient

from graph.store import GraphStore
from queries.depended_on import most_depended_on
from tests.question_graphs import Graph


def _model(store: GraphStore) -> None:
    (
        Graph()
        .nodes_of("Platform", "p-core", "p-edge")
        .node("DataAsset", "p-db", "ledger")
        .nodes_of("Capability", "c-pay", "c-lend")
        .node("Stage", "s-apply", "Apply", order=1)
        .node("Team", "t-core", "Core team")
        .node("Team", "t-data", "Data team")
        .node("Person", "per-ann", "Ann")
        # p-core: needed by three distinct elements (c-pay twice: USES and DEPENDS_ON).
        .rel("USES", "c-pay", "p-core")
        .rel("DEPENDS_ON", "c-pay", "p-core")
        .rel("USES", "c-lend", "p-core")
        # c-lend: required by a stage (any type can be depended on).
        .rel("REQUIRES", "s-apply", "c-lend")
        .rel("DEPENDS_ON", "p-edge", "p-core")
        # p-db: read by one.
        .rel("READS", "p-core", "p-db")
        # Decoys: owning and accountability are not needs.
        .rel("OWNS", "t-core", "p-core")
        .rel("OWNS", "t-data", "p-core")
        .rel("OWNS", "t-data", "p-db")
        .rel("OWNS", "t-core", "p-edge")
        .rel("ACCOUNTABLE_FOR", "per-ann", "p-core")
        .write(store)
    )


def test_ranked_by_direct_dependents_with_owners(store: GraphStore) -> None:
    _model(store)
    answer = most_depended_on(store, limit=10)
    assert answer.total == 3
    assert [(i.element.id, i.dependents) for i in answer.items] == [
        ("p-core", 3),
        ("c-lend", 1),
        ("p-db", 1),
    ]
    core = answer.items[0]
    assert [o.id for o in core.owners] == ["t-core", "t-data"]
    assert [(p.id, p.type) for p in core.accountable] == [("per-ann", "Person")]
    assert [o.id for o in answer.items[2].owners] == ["t-data"]
    assert answer.items[1].owners == []
    # The total stays true past the limit.
    short = most_depended_on(store, limit=1)
    assert (short.total, [i.element.id for i in short.items]) == (3, ["p-core"])


def test_empty_model(store: GraphStore) -> None:
    assert most_depended_on(store).model_dump() == {"total": 0, "items": []}


def test_graphql_field(store: GraphStore, client: TestClient) -> None:
    _model(store)
    query = """{ mostDependedOn(limit: 1) { total items { element { id type name }
        dependents owners { id } accountable { name } } } }"""
    body = client.post("/graphql", json={"query": query}).json()
    assert body == {
        "data": {
            "mostDependedOn": {
                "total": 3,
                "items": [
                    {
                        "element": {"id": "p-core", "type": "Platform", "name": "p-core"},
                        "dependents": 3,
                        "owners": [{"id": "t-core"}, {"id": "t-data"}],
                        "accountable": [{"name": "Ann"}],
                    }
                ],
            }
        }
    }
