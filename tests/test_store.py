"""The store on a real Neo4j: constraints, idempotent upserts, all-or-nothing writes."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from graph.model import NODE_ADAPTER, REL_ADAPTER, node_record, rel_record
from graph.schema import SCHEMA
from graph.store import (
    PROMPT_SWITCH_INTERVAL,
    ConflictError,
    GraphStore,
    StoreError,
    WriteBatch,
)


def node(**fields: object):  # type: ignore[no-untyped-def]
    return node_record(NODE_ADAPTER.validate_python(fields), source="test")


def rel(**fields: object):  # type: ignore[no-untyped-def]
    return rel_record(REL_ADAPTER.validate_python(fields), source="test")


def test_schema_is_applied_once_with_a_version(store: GraphStore) -> None:
    assert store.schema_version() == SCHEMA.version
    assert store.ensure_schema() == SCHEMA.version
    names = {r["name"] for r in store.read("SHOW CONSTRAINTS YIELD name")}
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


def test_batches_from_then_are_written_in_order_within_one_transaction(
    store: GraphStore,
) -> None:
    store.write([node(type="Platform", id="old", name="Already there")])
    asked: list[str] = []

    def then() -> Iterator[WriteBatch]:
        asked.append("first")
        # A relationship to a node of a later batch waits for it; one to a node already
        # in the graph is checked against the graph.
        yield WriteBatch(
            rels=[
                rel(type="OWNS", source="t1", target="p1"),
                rel(type="OWNS", source="t2", target="p2"),
                rel(type="OWNS", source="t1", target="old"),
            ],
            new_relationships={("OWNS", "t1|OWNS|p1")},
        )
        asked.append("second")
        yield WriteBatch(
            nodes=[
                node(type="Team", id="t2", name="T2"),
                node(type="Platform", id="p2", name="P2"),
            ],
            new_nodes={"t2", "p2"},
        )

    summary = store.write(
        [node(type="Team", id="t1", name="T1"), node(type="Platform", id="p1", name="P1")],
        then=then,
    )
    assert asked == ["first", "second"]
    assert summary.nodes == {"Team": 2, "Platform": 2}
    assert summary.relationships == {"OWNS": 3}
    owned = store.neighbours([("t1", "OWNS", True, 10), ("t2", "OWNS", True, 10)])
    assert sorted(n["id"] for n in owned[0]) == ["old", "p1"]
    assert [n["id"] for n in owned[1]] == ["p2"]


def test_a_failing_or_refused_later_batch_writes_nothing(store: GraphStore) -> None:
    def failing() -> Iterator[WriteBatch]:
        yield WriteBatch(rels=[rel(type="OWNS", source="t", target="p")])
        raise ValueError("the model broke half way")

    first = [node(type="Team", id="t", name="T"), node(type="Platform", id="p", name="P")]
    with pytest.raises(ValueError, match="half way"):
        store.write(first, then=failing)
    assert store.get_node("t") is None and store.stats()["relationships"]["OWNS"] == 0

    def retyping() -> Iterator[WriteBatch]:
        yield WriteBatch(nodes=[node(type="Platform", id="t", name="T as a platform")])

    with pytest.raises(ConflictError, match="used for two types"):
        store.write(first, then=retyping)

    def dangling() -> Iterator[WriteBatch]:
        yield WriteBatch(rels=[rel(type="OWNS", source="t", target="ghost")])

    with pytest.raises(StoreError, match="unknown node id\\(s\\): ghost"):
        store.write(first, then=dangling)
    assert store.get_node("t") is None and store.get_node("p") is None


def test_a_write_gives_back_the_interpreters_switch_interval(store: GraphStore) -> None:
    # While a write's worker computes, the GIL is handed over more often; a process-wide
    # setting, so it must come back as it was, after success and failure alike.
    before = sys.getswitchinterval()
    during: list[float] = []

    def then() -> Iterator[WriteBatch]:
        during.append(sys.getswitchinterval())
        yield WriteBatch(rels=[rel(type="OWNS", source="t", target="nowhere")])

    with pytest.raises(StoreError, match="nowhere"):
        store.write([node(type="Team", id="t", name="T")], then=then)
    store.write([node(type="Team", id="t", name="T")])
    assert during == [pytest.approx(PROMPT_SWITCH_INTERVAL)] and before > PROMPT_SWITCH_INTERVAL
    assert sys.getswitchinterval() == before


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
