"""Label constants and deletion statements are derived from the schema (no database)."""

from __future__ import annotations

import pytest

from graph import cleanup, labels
from graph.schema import SCHEMA, UnknownTypeError


def _constants() -> dict[str, str]:
    return {k: v for k, v in vars(labels).items() if k.isupper() and isinstance(v, str)}


def test_every_schema_type_has_one_constant() -> None:
    values = list(_constants().values())
    for name in (*SCHEMA.labels, *SCHEMA.rel_types):
        assert values.count(name) == 1, name


def test_the_labels_beside_the_model_are_not_schema_types() -> None:
    beside = {labels.META, labels.IMPORT_RUN, labels.SCENARIO, labels.API_TOKEN}
    assert not beside & {*SCHEMA.labels, labels.ELEMENT}


def test_deletes_are_built_only_for_schema_relationship_types() -> None:
    with pytest.raises(UnknownTypeError):
        cleanup.delete_relationships("OWNS]->() DETACH DELETE x //")
    assert ":OWNS {id: id}" in cleanup.delete_relationships("OWNS")


def test_source_scoped_deletes_touch_only_that_source() -> None:
    assert "$source" not in cleanup.delete_elements()
    assert "$source" not in cleanup.delete_relationships("USES")
    assert "WHERE n.source = $source" in cleanup.delete_elements(by_source=True)
    assert "WHERE r.import_source = $source" in cleanup.delete_relationships("USES", by_source=True)
