"""A copied model shares what it has not changed with its base, and changing the copy never
changes the base (queries.model_graph.ModelGraph.copy)."""

from __future__ import annotations

import dataclasses

from queries.model_graph import ModelGraph, Node, Rel


def _base() -> ModelGraph:
    nodes = [Node(i, "Platform", {"name": i.upper()}) for i in ("a", "b", "c", "decoy")]
    rels = [
        Rel("a|USES|b", "a|USES|b", "USES", "a", "b"),
        Rel("b|USES|c", "b|USES|c", "USES", "b", "c"),
    ]
    return ModelGraph(nodes, rels)


def _state(m: ModelGraph) -> tuple[object, ...]:
    return (
        {i: (n.type, dict(n.props)) for i, n in m.nodes.items()},
        dict(m.rels),
        {i: list(k) for i, k in m._out.items()},
        {i: list(k) for i, k in m._in.items()},
    )


def test_changing_a_copy_leaves_the_base_as_it_was() -> None:
    base = _base()
    before = _state(base)
    copy = base.copy()
    assert copy.nodes["decoy"] is base.nodes["decoy"]  # shared, not copied
    copy.add_node(Node("d", "Platform", {"name": "D"}))
    copy.add_rel(Rel("c|USES|d", "c|USES|d", "USES", "c", "d"))
    copy.remove_rel(("USES", "a|USES|b"))
    copy.replace_node(dataclasses.replace(copy.nodes["b"], props={"name": "B2"}))
    copy.remove_node("a")
    assert _state(base) == before
    assert [r.key for r in copy.out_rels("c")] == ["c|USES|d"]
    assert [r.key for r in copy.in_rels("b")] == []
    assert copy.nodes["b"].props == {"name": "B2"} and base.nodes["b"].props == {"name": "B"}
    # A copy of a copy changes neither.
    again = copy.copy()
    again.remove_node("c")
    assert _state(base) == before
    assert [r.key for r in copy.out_rels("c")] == ["c|USES|d"]


def test_a_copy_notes_where_it_changed() -> None:
    base = _base()
    copy = base.copy()
    assert copy.changes_from(base) == (set(), set())
    copy.remove_rel(("USES", "b|USES|c"))
    copy.add_node(Node("d", "Platform", {"name": "D"}))
    nodes, rels = copy.changes_from(base)
    assert nodes == {"d"} and rels == {("USES", "b|USES|c")}
    # Against any other model: everything either has, to be compared.
    other = _base()
    nodes, rels = copy.changes_from(other)
    assert set(nodes) == {"a", "b", "c", "d", "decoy"} and len(set(rels)) == 2
