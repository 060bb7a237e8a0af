"""The schema is data; constraints, models and GraphQL types are derived from it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.graphql import ELEMENT_TYPES, export_sdl
from graph.cypher import schema_statements, upsert_nodes, upsert_relationships
from graph.model import NODE_ADAPTER, NODE_MODELS, REL_ADAPTER, node_record
from graph.schema import SCHEMA, UnknownTypeError


def test_every_node_type_gets_a_constraint_a_model_and_a_graphql_type() -> None:
    stmts = "\n".join(schema_statements())
    for label in SCHEMA.labels:
        assert f"FOR (n:{label}) REQUIRE n.id IS UNIQUE" in stmts
        assert label in NODE_MODELS
        assert label in ELEMENT_TYPES
        assert f"type {label} implements Element" in export_sdl()
    for rel_type in SCHEMA.rel_types:
        assert f"FOR ()-[r:{rel_type}]-() REQUIRE r.id IS UNIQUE" in stmts


def test_relationship_names_become_graphql_fields_on_both_ends() -> None:
    sdl = export_sdl()
    stream = sdl.split("type ValueStream implements Element")[1].split("}")[0]
    # Relationship fields are paged: `limit` defaults to, and is capped at, the page size.
    assert "stages(limit: Int! = 500): [Element!]!" in stream
    assert "accountable(limit: Int! = 500): [Element!]!" in stream  # reverse of ACCOUNTABLE_FOR
    assert "fundingModel: String" in stream
    stage = sdl.split("type Stage implements Element")[1].split("}")[0]
    assert "stream(limit: Int! = 500): [Element!]!" in stage
    assert "stages(" not in stage


def test_unknown_types_are_refused_before_any_cypher_is_built() -> None:
    with pytest.raises(UnknownTypeError, match="unknown node type 'Platform\\) DETACH'"):
        upsert_nodes("Platform) DETACH")
    with pytest.raises(UnknownTypeError, match="unknown relationship type"):
        upsert_relationships("OWNS]->() DELETE")


def test_node_validation_names_the_field() -> None:
    with pytest.raises(ValidationError) as err:
        NODE_ADAPTER.validate_python({"type": "ValueStream", "name": "X", "funding_model": "grant"})
    assert err.value.errors()[0]["loc"][-1] == "funding_model"
    with pytest.raises(ValidationError) as err:
        NODE_ADAPTER.validate_python({"type": "Team", "name": "T", "colour": "red"})
    assert err.value.errors()[0]["loc"][-1] == "colour"
    with pytest.raises(ValidationError):
        NODE_ADAPTER.validate_python({"type": "Stage", "name": "no order"})
    with pytest.raises(ValidationError):
        NODE_ADAPTER.validate_python({"type": "Team", "name": "T", "id": "bad id with spaces"})


def test_records_keep_free_properties_out_of_the_property_keys() -> None:
    node = NODE_ADAPTER.validate_python(
        {
            "type": "Platform",
            "name": "Core Banking",
            "kind": "application",
            "properties": {"x y": 1},
        }
    )
    record = node_record(node, source="test")
    assert record.id == "platform:core-banking"
    assert record.label == "Platform"
    assert set(record.props) >= {"name", "kind", "properties", "source"}
    assert "x y" not in record.props
    assert record.props["properties"] == '{"x y": 1}'


def test_relationship_endpoints_are_declared() -> None:
    owns = SCHEMA.rel("OWNS")
    assert owns.allows("Team", "Platform") and not owns.allows("Person", "Platform")
    assert SCHEMA.rel("HAS_STAGE").allows("ValueStream", "Stage")
    assert not SCHEMA.rel("HAS_STAGE").allows("Stage", "ValueStream")
    rel = REL_ADAPTER.validate_python(
        {"type": "DEPENDS_ON", "source": "a", "target": "b", "interaction_mode": "facilitating"}
    )
    assert rel.interaction_mode == "facilitating"  # type: ignore[union-attr]
