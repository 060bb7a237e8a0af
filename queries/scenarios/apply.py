"""Applying a scenario: the difference between base and scenario as one `GraphStore.write`.

New elements and relationships, and changed properties, are upserted; in the same
transaction (`also`) what the scenario removed is deleted (with `graph.cleanup`'s
statements) and the scenario is marked applied. Either all of it happens or none; a
count that does not match what was compared (someone changed the base meanwhile) rolls
it back.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from neo4j import ManagedTransaction

from graph import cleanup, history
from graph.model import NODE_ADAPTER, NodeRecord, RelRecord, node_record, now_iso
from graph.schema import COMMON_NODE_FIELDS, ELEMENT_LABEL, SCHEMA
from graph.store import GraphStore
from queries.errors import QuestionError
from queries.model_graph import ELEMENT_ID_KEY, ModelGraph, Rel, RelKey
from queries.present import present_model
from queries.scenarios.models import ApplyResult, RelationshipChange, ScenarioConflictError
from queries.scenarios.operations import replay
from queries.scenarios.storage import MARK_APPLIED, load_record, open_record

# -- Cypher: applying a scenario (inside GraphStore.write's transaction; its deletes are
# graph.cleanup's) ---------------------------------------------------------------------

RELATIONSHIP_PROPS_BY_ELEMENT_ID = f"""
UNWIND $ids AS eid
MATCH (:{ELEMENT_LABEL})-[r]->(:{ELEMENT_LABEL})
WHERE elementId(r) = eid
RETURN '{ELEMENT_ID_KEY}' + eid AS key, properties(r) AS props
"""


def relationship_props(rel_type: str) -> str:
    """The stored properties of relationships of one type, by id: what a copy carries."""
    rel = SCHEMA.rel(rel_type)
    return f"""
UNWIND $ids AS id
MATCH (:{ELEMENT_LABEL})-[r:{rel.type} {{id: id}}]->(:{ELEMENT_LABEL})
RETURN id AS key, properties(r) AS props
"""


# -- apply -------------------------------------------------------------------------------------


@dataclass
class ModelDiff:
    """What turns the base into the scenario, as the store has to write it."""

    added_nodes: list[str]
    removed_nodes: list[str]
    changed_nodes: dict[str, dict[str, Any]]  # id -> the properties that change
    added_rels: list[Rel]
    removed_rels: list[Rel]


def diff_models(base: ModelGraph, scenario: ModelGraph) -> ModelDiff:
    changed = {}
    for node_id, node in scenario.nodes.items():
        old = base.nodes.get(node_id)
        if old is not None and old.props != node.props:
            changed[node_id] = {k: v for k, v in node.props.items() if old.props.get(k) != v}
    return ModelDiff(
        added_nodes=sorted(set(scenario.nodes) - set(base.nodes)),
        removed_nodes=sorted(set(base.nodes) - set(scenario.nodes)),
        changed_nodes=changed,
        added_rels=[r for k, r in sorted(scenario.rels.items()) if k not in base.rels],
        removed_rels=[r for k, r in sorted(base.rels.items()) if k not in scenario.rels],
    )


_NODE_INPUT_FIELDS = ("name", "description", "tags", "properties")


def _node_records(store: GraphStore, scenario: ModelGraph, diff: ModelDiff) -> list[NodeRecord]:
    added = [scenario.nodes[i] for i in diff.added_nodes]
    copied = sorted(
        {str(n.payload["copy_of"]) for n in added if n.payload and "copy_of" in n.payload}
    )
    views = store.nodes_by_ids(copied) if copied else {}
    records = []
    for node in added:
        payload = dict(node.payload or {})
        data: dict[str, Any] = {}
        if "copy_of" in payload:
            view = views.get(str(payload.pop("copy_of")))
            if view is None:
                raise ScenarioConflictError(
                    f"the element {node.id!r} copies was deleted meanwhile; compare again"
                )
            typed = [p.name for p in SCHEMA.node(node.type).props]
            data = {
                k: view[k]
                for k in (*_NODE_INPUT_FIELDS, *typed)
                if k in view and view[k] is not None
            }
        data.update(payload)
        # A scenario's elements are modelled, not imported: no import provenance.
        records.append(node_record(NODE_ADAPTER.validate_python(data)))
    for node_id, props in sorted(diff.changed_nodes.items()):
        unknown = set(props) - {p.name for p in SCHEMA.node(scenario.nodes[node_id].type).props}
        unknown -= set(COMMON_NODE_FIELDS)
        if unknown:
            raise QuestionError(f"cannot change {sorted(unknown)} of {node_id!r}")
        records.append(NodeRecord(label=scenario.nodes[node_id].type, id=node_id, props=props))
    return records


def _copied_rel_props(store: GraphStore, rels: list[Rel]) -> dict[RelKey, dict[str, Any]]:
    wanted: dict[str, set[str]] = defaultdict(set)
    for r in rels:
        if r.payload and "copy_of" in r.payload:
            rel_type, key = r.payload["copy_of"]
            wanted[str(rel_type)].add(str(key))
    found: dict[RelKey, dict[str, Any]] = {}
    for rel_type, keys in sorted(wanted.items()):
        by_eid = sorted(
            k.removeprefix(ELEMENT_ID_KEY) for k in keys if k.startswith(ELEMENT_ID_KEY)
        )
        by_id = sorted(k for k in keys if not k.startswith(ELEMENT_ID_KEY))
        rows = [*store.read(relationship_props(rel_type), {"ids": by_id})] if by_id else []
        if by_eid:
            rows += store.read(RELATIONSHIP_PROPS_BY_ELEMENT_ID, {"ids": by_eid})
        found.update({(rel_type, r["key"]): dict(r["props"]) for r in rows})
    return found


def _rel_records(store: GraphStore, diff: ModelDiff) -> list[RelRecord]:
    originals = _copied_rel_props(store, diff.added_rels)
    records = []
    for r in diff.added_rels:
        payload = r.payload or {}
        if "copy_of" in payload:
            rel_type, key = payload["copy_of"]
            props = originals.get((str(rel_type), str(key)))
            if props is None:
                raise ScenarioConflictError(
                    f"the relationship {key!r} that {r.key!r} copies was deleted meanwhile; "
                    "compare again"
                )
            props = {k: v for k, v in props.items() if k != "id"}
            props.update(dict.fromkeys(("import_source", "import_run")))
        else:
            props = dict(payload.get("props") or {})
        records.append(
            RelRecord(type=r.type, id=r.key, source=r.source, target=r.target, props=props)
        )
    return records


def _expect(tx: ManagedTransaction, query: str, ids: list[str], what: str) -> None:
    if not ids:
        return
    deleted = tx.run(query, ids=ids).single()
    count = int(deleted["deleted"]) if deleted else 0
    if count != len(ids):
        raise ScenarioConflictError(
            f"the base model changed while the scenario was applied ({count} of {len(ids)} "
            f"{what} found to delete); nothing was changed: compare again and retry"
        )


def apply_scenario(store: GraphStore, name: str, *, actor: str | None = None) -> ApplyResult:
    """Make the base model what the scenario compared, in one transaction, and mark the
    scenario applied."""
    record = open_record(store, name)
    base = present_model(store)  # read-only: replay changes a copy
    scenario, _, _ = replay(base, record.operations)
    diff = diff_models(base, scenario)
    nodes = _node_records(store, scenario, diff)
    rels = _rel_records(store, diff)
    removed_by_type: dict[str, list[str]] = defaultdict(list)
    removed_by_eid: list[str] = []
    for r in diff.removed_rels:
        if r.id is None:
            removed_by_eid.append(r.key.removeprefix(ELEMENT_ID_KEY))
        else:
            removed_by_type[r.type].append(r.id)

    def also(tx: ManagedTransaction) -> None:
        history.describe(tx, action="scenario", ref=record.name)
        history.touch_relationships(tx, [(t, i) for t, ids in removed_by_type.items() for i in ids])
        history.touch_nodes(tx, diff.removed_nodes, attached=True)
        for rel_type, ids in sorted(removed_by_type.items()):
            _expect(tx, cleanup.delete_relationships(rel_type), ids, f"{rel_type} relationships")
        _expect(tx, cleanup.DELETE_RELATIONSHIPS_BY_ELEMENT_ID, removed_by_eid, "relationships")
        _expect(tx, cleanup.delete_elements(), diff.removed_nodes, "elements")
        marked = tx.run(
            MARK_APPLIED, name=record.name, revision=record.revision, now=now_iso(), actor=actor
        ).single()
        if marked is None:
            raise ScenarioConflictError(
                f"scenario {record.name!r} changed or was applied meanwhile; nothing was changed"
            )

    store.write(nodes, rels, also=also)

    def change(model: ModelGraph, r: Rel) -> RelationshipChange:
        a, b = model.nodes[r.source].name, model.nodes[r.target].name
        return RelationshipChange(
            id=r.id, type=r.type, source=r.source, target=r.target, text=f"{a} -[{r.type}]-> {b}"
        )

    return ApplyResult(
        scenario=load_record(store, record.name).summary(),
        elements_added=[scenario.nodes[i].ref for i in diff.added_nodes],
        elements_removed=[base.nodes[i].ref for i in diff.removed_nodes],
        elements_changed=[scenario.nodes[i].ref for i in sorted(diff.changed_nodes)],
        relationships_added=[change(scenario, r) for r in diff.added_rels],
        relationships_removed=[change(base, r) for r in diff.removed_rels],
    )
