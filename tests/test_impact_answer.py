"""An impact answer made without validating its parts (`queries.impact.made`) is the
answer pydantic validates from the same values: equal, and rendered alike."""

from __future__ import annotations

from queries import impact as im
from queries.model_graph import ModelGraph, Node, Rel


def _model() -> ModelGraph:
    nodes = [
        Node("plat-core", "Platform", {"name": "Core"}),
        Node("plat-edge", "Platform", {"name": "Edge"}),
        Node("cap-pay", "Capability", {"name": "Pay"}),
        Node("vs-a", "ValueStream", {"name": "Stream A"}),
        Node("vs-b", "ValueStream", {}),  # no name: named by its id
        Node("team-x", "Team", {"name": "Team X"}),
        Node("decoy", "Platform", {"name": "Decoy"}),  # reached by nothing
    ]
    rels = [
        Rel("r1", "r1", "DEPENDS_ON", "plat-edge", "plat-core"),
        Rel("r2", "r2", "USES", "cap-pay", "plat-edge"),
        Rel("r3", "r3", "REQUIRES", "vs-a", "cap-pay"),
        Rel("r4", "r4", "USES", "vs-b", "plat-core"),
        Rel("r5", "r5", "OWNS", "team-x", "plat-edge"),
    ]
    return ModelGraph(nodes, rels)


def test_the_answer_made_is_the_answer_validated() -> None:
    made = im.impact(_model(), "plat-core")
    assert [a.element.id for a in made.affected] == ["plat-edge", "vs-b", "cap-pay", "vs-a"]
    assert [a.path_text for a in made.streams] == [
        "Core <-[USES]- vs-b",
        "Core <-[DEPENDS_ON]- Edge <-[USES]- Pay <-[REQUIRES]- Stream A",
    ]
    assert [t.element.id for t in made.teams_to_notify] == ["team-x"]
    validated = im.ImpactResult.model_validate(made.model_dump())
    assert validated == made
    assert validated.model_dump_json() == made.model_dump_json()
    for a, b in zip(made.affected, validated.affected, strict=True):
        assert a.model_fields_set == b.model_fields_set
        assert a.path_text == b.path_text
        assert [s.model_fields_set for s in a.path] == [s.model_fields_set for s in b.path]
