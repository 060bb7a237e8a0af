"""The demo model loads, validates, and loading it again changes nothing."""

from __future__ import annotations

from graph.store import GraphStore
from samples.demo import demo_records, load_demo


def test_demo_records_validate_without_a_database() -> None:
    nodes, rels = demo_records()
    assert 100 <= len(nodes) <= 300
    labels = {n.label for n in nodes}
    assert labels >= {
        "ValueStream",
        "Stage",
        "Capability",
        "Platform",
        "Team",
        "DataAsset",
        "Person",
        "Measure",
        "Investment",
        "GovernanceForum",
    }
    team_types = {n.props.get("team_type") for n in nodes if n.label == "Team"}
    assert team_types >= {
        "stream-aligned",
        "platform",
        "enabling",
        "complicated-subsystem",
        "specialist-function",
    }
    assert len({r.id for r in rels}) == len(rels)


def test_demo_loads_idempotently(store: GraphStore) -> None:
    nodes, rels = demo_records()
    load_demo(store)
    first = store.stats()
    load_demo(store)
    assert store.stats() == first
    assert sum(first["nodes"].values()) == len(nodes)
    assert sum(first["relationships"].values()) == len(rels)
    mortgage = store.search("mortgage", labels=["ValueStream"])
    assert mortgage and mortgage[0]["source"] == "demo:retail_bank"
