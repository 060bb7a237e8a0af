"""The store on a real Neo4j: constraints, idempotent upserts, all-or-nothing writes."""

from __future__ import annotations

import pytest

from graph.model import NODE_ADAPTER, REL_ADAPTER, node_record, rel_record
from graph.schema import SCHEMA
from graph.store import ConflictError, GraphStore, StoreError


def node(**fields: object):  # type: ignore[no-untyped-def]
    return node_record(NODE_ADAPTER.validate_python(fields), source="test")


def rel(**fields: object):  # type: ignore[no-untyped-def]
    return rel_record(REL_ADAPTER.validate_python(fields), source="test")


def test_schema_is_applied_once_with_a_version(store: GraphStore) -> None:
    assert store.schema_version() == SCHEMA.version
    assert store.ensure_schema() == SCHEMA.version
    names = {r["name"] for r in store._read("SHOW CONSTRAINTS YIELD name")}
    assert {"element_id", "platform_id", "rel_owns_id"} <= names


def test_upserts_are_idempotent_and_update_in_place(store: GraphStore) -> None:
    nodes = [
        node(type="Platform", id="p1", name="Core", criticality="high"),
        node(type="Team", id="t1", name="Core team", team_type="platform"),
        node(type="Platform", id="decoy", name="Decoy"),
    ]
    rels = [rel(type="OWNS", source="t1", target="p1")]
    store.write(nodes, rels)
    store.write(nodes, rels)
    assert store.stats()["nodes"]["Platform"] == 2
    assert store.stats()["relationships"]["OWNS"] == 1

    store.write([node(type="Platform", id="p1", name="Core Banking", criticality="critical")])
    p1 = store.get_node("p1")
    assert p1 is not None
    assert (p1["name"], p1["criticality"], p1["source"]) == ("Core Banking", "critical", "test")
    owned = store.neighbours([("t1", "OWNS", True, 10), ("decoy", "OWNS", False, 10)])
    assert [n["id"] for n in owned[0]] == ["p1"]
    assert owned[1] == []


def test_duplicate_id_across_types_is_rejected(store: GraphStore) -> None:
    store.write([node(type="Platform", id="x", name="X")])
    with pytest.raises(ConflictError):
        store.write([node(type="Team", id="x", name="X team")])
    assert store.get_node("x")["type"] == "Platform"  # type: ignore[index]


def test_dangling_and_disallowed_relationships_write_nothing(store: GraphStore) -> None:
    store.write([node(type="Platform", id="p", name="P")])
    with pytest.raises(StoreError, match="unknown node id\\(s\\): ghost"):
        store.write(
            [node(type="Team", id="t", name="T")],
            [
                rel(type="OWNS", source="t", target="p"),
                rel(type="OWNS", source="t", target="ghost"),
            ],
        )
    # All or nothing: the team in the same write was rolled back with it.
    assert store.get_node("t") is None
    assert store.stats()["relationships"]["OWNS"] == 0
    with pytest.raises(StoreError, match="HAS_STAGE may not link Platform to Platform"):
        store.write(
            [node(type="Platform", id="q", name="Q")],
            [rel(type="HAS_STAGE", source="p", target="q")],
        )


def test_list_search_and_pagination(store: GraphStore) -> None:
    store.write(
        [node(type="Platform", id=f"p{i:02}", name=f"Payments hub {i:02}") for i in range(12)]
        + [node(type="Team", id="t", name="Payments team", tags=["pay"])]
    )
    page, total = store.list_nodes(labels=["Platform"], limit=5, offset=10)
    assert total == 12
    assert [p["id"] for p in page] == ["p10", "p11"]
    found = store.search("paym tea")
    assert [f["id"] for f in found] == ["t"]
    assert store.search('hub" OR *:*') == []  # Lucene syntax in input is escaped, not run
    tagged, _ = store.list_nodes(tag="pay")
    assert [t["id"] for t in tagged] == ["t"]


def test_delete_node_takes_its_relationships(store: GraphStore) -> None:
    store.write(
        [node(type="Team", id="t", name="T"), node(type="Platform", id="p", name="P")],
        [rel(type="OWNS", source="t", target="p")],
    )
    assert store.delete_node("p") == 1
    assert store.stats()["relationships"]["OWNS"] == 0
