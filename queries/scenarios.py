"""What-if scenarios: named changes to the model, compared with it before anything changes.

A scenario is a node labelled `Scenario` (never `Element`: no question, import, export or
search sees it) holding its name, description, timestamps and an ordered JSON list of
operations (`queries.scenario_ops`: add, remove or replace an element, move ownership,
add or drop a relationship, split a stream).

Evaluating a scenario loads the base model into memory (`queries.model_graph`), applies
the operations to a copy, and asks base and copy the same questions by the same code: the
impact of a chosen element (`queries.impact`), the bottleneck ranking
(`queries.bottlenecks.bottleneck_report`) and the health checks
(`queries.health.health_report`). The comparison puts the answers side by side with
their differences. Nothing is written to the base model.

Applying a scenario turns the difference between base and scenario into one
`GraphStore.write`: new elements and relationships, and changed properties, are upserted,
and in the same transaction (`also`) what the scenario removed is deleted and the
scenario is marked applied. Either all of it happens or none; a count that does not match
what was compared (someone changed the base meanwhile) rolls it back.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from neo4j import ManagedTransaction
from pydantic import BaseModel

from graph.model import NODE_ADAPTER, NodeRecord, RelRecord, node_record, now_iso
from graph.schema import COMMON_NODE_FIELDS, ELEMENT_LABEL, SCHEMA
from graph.store import ConflictError, GraphStore, NotFoundError
from queries import bottlenecks as bn
from queries import health as hl
from queries import impact as im
from queries.errors import QuestionError
from queries.model_graph import ELEMENT_ID_KEY, PLATFORM, TEAM, ModelGraph, Rel, RelKey
from queries.propagation import propagation_table
from queries.resolve import ElementRef, UnknownElementError
from queries.scenario_ops import (
    MAX_OPERATIONS,
    Operation,
    OperationError,
    apply_operation,
    parse_operation,
    resolve_operation,
)

SCENARIO_LABEL = "Scenario"
NAME_PATTERN = r"^\w[\w .\-]{0,99}$"
_NAME_RE = re.compile(NAME_PATTERN)

# -- Cypher: the scenario records -----------------------------------------------------

# MERGE on the name; `created` is true only for the caller whose random id was set.
CREATE_SCENARIO = f"""
MERGE (s:{SCENARIO_LABEL} {{name: $name}})
ON CREATE SET s.id = $id, s.description = $description, s.operations = $operations,
              s.revision = 0, s.created_at = $now, s.updated_at = $now, s.created_by = $actor
RETURN s.id = $id AS created
"""

GET_SCENARIO = f"""
MATCH (s:{SCENARIO_LABEL} {{name: $name}})
RETURN properties(s) AS props
"""

LIST_SCENARIOS = f"""
MATCH (s:{SCENARIO_LABEL})
RETURN properties(s) AS props
ORDER BY s.created_at, s.name
"""

# Optimistic concurrency: the write succeeds only on the revision the caller read.
SET_OPERATIONS = f"""
MATCH (s:{SCENARIO_LABEL} {{name: $name}})
WHERE s.revision = $revision AND s.applied_at IS NULL
SET s.operations = $operations, s.revision = s.revision + 1, s.updated_at = $now
RETURN s.revision AS revision
"""

DISCARD_SCENARIO = f"""
MATCH (s:{SCENARIO_LABEL} {{name: $name}})
DELETE s
RETURN count(*) AS discarded
"""

MARK_APPLIED = f"""
MATCH (s:{SCENARIO_LABEL} {{name: $name}})
WHERE s.revision = $revision AND s.applied_at IS NULL
SET s.applied_at = $now, s.applied_by = $actor, s.updated_at = $now
RETURN s.name AS name
"""

# -- Cypher: applying a scenario (inside GraphStore.write's transaction) ------------------

DELETE_ELEMENTS = f"""
UNWIND $ids AS id
MATCH (n:{ELEMENT_LABEL} {{id: id}})
DETACH DELETE n
RETURN count(*) AS deleted
"""

DELETE_RELATIONSHIPS_BY_ELEMENT_ID = f"""
UNWIND $ids AS eid
MATCH (:{ELEMENT_LABEL})-[r]->(:{ELEMENT_LABEL})
WHERE elementId(r) = eid
DELETE r
RETURN count(*) AS deleted
"""

RELATIONSHIP_PROPS_BY_ELEMENT_ID = f"""
UNWIND $ids AS eid
MATCH (:{ELEMENT_LABEL})-[r]->(:{ELEMENT_LABEL})
WHERE elementId(r) = eid
RETURN '{ELEMENT_ID_KEY}' + eid AS key, properties(r) AS props
"""


def delete_relationships(rel_type: str) -> str:
    """Delete relationships of one type by id (the id constraint's index finds them)."""
    rel = SCHEMA.rel(rel_type)
    return f"""
UNWIND $ids AS id
MATCH (:{ELEMENT_LABEL})-[r:{rel.type} {{id: id}}]->(:{ELEMENT_LABEL})
DELETE r
RETURN count(*) AS deleted
"""


def relationship_props(rel_type: str) -> str:
    """The stored properties of relationships of one type, by id: what a copy carries."""
    rel = SCHEMA.rel(rel_type)
    return f"""
UNWIND $ids AS id
MATCH (:{ELEMENT_LABEL})-[r:{rel.type} {{id: id}}]->(:{ELEMENT_LABEL})
RETURN id AS key, properties(r) AS props
"""


# -- errors -------------------------------------------------------------------------------


class ScenarioNotFoundError(NotFoundError):
    pass


class ScenarioConflictError(ConflictError):
    """The name is taken, the scenario is applied already, or it changed meanwhile."""


# -- what the interfaces show ---------------------------------------------------------------


class ScenarioStatus(StrEnum):
    OPEN = "open"
    APPLIED = "applied"


class OperationView(BaseModel):
    """An operation of a scenario: its position, kind, a readable line and its fields."""

    index: int
    op: str
    text: str
    operation: dict[str, Any]


class ScenarioSummary(BaseModel):
    name: str
    description: str
    status: ScenarioStatus
    operation_count: int
    created_at: str
    updated_at: str
    created_by: str | None = None
    applied_at: str | None = None
    applied_by: str | None = None


class ScenarioView(ScenarioSummary):
    """A scenario with its operations; `problem` says why they no longer apply to the
    current base model (an element they name was deleted since), if they do not."""

    operations: list[OperationView]
    problem: str | None = None


class StreamChange(StrEnum):
    ADDED = "added"  # affected in the scenario only
    REMOVED = "removed"  # affected in the base only
    CLOSER = "closer"
    FURTHER = "further"
    SAME = "same"


class StreamImpactDelta(BaseModel):
    element: ElementRef
    base_distance: int | None
    scenario_distance: int | None
    change: StreamChange
    base_path: str
    scenario_path: str


class ImpactComparison(BaseModel):
    """The impact of one element, in the base and in the scenario (null where absent)."""

    element: ElementRef
    in_base: bool
    in_scenario: bool
    base_stream_count: int
    scenario_stream_count: int
    base_affected_count: int
    scenario_affected_count: int
    streams: list[StreamImpactDelta]
    base: im.ImpactResult | None
    scenario: im.ImpactResult | None


class RankChange(StrEnum):
    ADDED = "added"  # ranked in the scenario only (a new team or platform)
    REMOVED = "removed"  # ranked in the base only
    HIGHER = "higher"  # a bigger bottleneck in the scenario
    LOWER = "lower"
    SAME = "same"


class BottleneckDelta(BaseModel):
    element: ElementRef
    change: RankChange
    base_rank: int | None
    scenario_rank: int | None
    rank_change: int | None  # base rank - scenario rank: positive when it climbs
    base_score: float | None
    scenario_score: float | None
    score_delta: float
    base_stream_count: int | None
    scenario_stream_count: int | None


class BottleneckComparison(BaseModel):
    """The elements ranked within `limit` on either side, scenario order first."""

    limit: int
    base_stream_total: int
    scenario_stream_total: int
    rows: list[BottleneckDelta]
    base_clusters: list[bn.StreamCluster]
    scenario_clusters: list[bn.StreamCluster]
    formula: str


class HealthCheckDelta(BaseModel):
    id: str
    title: str
    base_score: float | None  # None: not applicable on that side
    scenario_score: float | None
    score_delta: float | None
    base_offending: int
    scenario_offending: int
    resolved: list[ElementRef]  # offending in the base, not in the scenario
    introduced: list[ElementRef]  # offending in the scenario, not in the base


class HealthComparison(BaseModel):
    base_score: float | None
    scenario_score: float | None
    score_delta: float | None
    checks: list[HealthCheckDelta]


class ScenarioComparison(BaseModel):
    scenario: ScenarioView
    impact: ImpactComparison | None
    bottlenecks: BottleneckComparison
    health: HealthComparison


class RelationshipChange(BaseModel):
    id: str | None
    type: str
    source: str
    target: str
    text: str


class ApplyResult(BaseModel):
    scenario: ScenarioSummary
    elements_added: list[ElementRef]
    elements_removed: list[ElementRef]
    elements_changed: list[ElementRef]
    relationships_added: list[RelationshipChange]
    relationships_removed: list[RelationshipChange]


# -- the stored record ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Record:
    name: str
    description: str
    stored: list[dict[str, Any]]  # the operations as stored; parsed when used
    revision: int
    created_at: str
    updated_at: str
    created_by: str | None
    applied_at: str | None
    applied_by: str | None

    @classmethod
    def from_props(cls, props: dict[str, Any]) -> _Record:
        return cls(
            name=props["name"],
            description=props.get("description") or "",
            stored=list(json.loads(props.get("operations") or "[]")),
            revision=int(props.get("revision") or 0),
            created_at=props.get("created_at") or "",
            updated_at=props.get("updated_at") or "",
            created_by=props.get("created_by"),
            applied_at=props.get("applied_at"),
            applied_by=props.get("applied_by"),
        )

    @property
    def operations(self) -> list[Operation]:
        return [parse_operation(o) for o in self.stored]

    def summary(self) -> ScenarioSummary:
        return ScenarioSummary(
            name=self.name,
            description=self.description,
            status=ScenarioStatus.APPLIED if self.applied_at else ScenarioStatus.OPEN,
            operation_count=len(self.stored),
            created_at=self.created_at,
            updated_at=self.updated_at,
            created_by=self.created_by,
            applied_at=self.applied_at,
            applied_by=self.applied_by,
        )


def _dump(operations: Sequence[Operation]) -> str:
    return json.dumps([op.model_dump(mode="json", exclude_none=True) for op in operations])


def check_name(name: str) -> str:
    name = name.strip()
    if not _NAME_RE.match(name):
        raise QuestionError(
            f"invalid scenario name {name!r}: 1 to 100 letters, digits, spaces, '.', '_' or "
            "'-', starting with a letter or digit"
        )
    return name


def _load(store: GraphStore, name: str) -> _Record:
    records = store._read(GET_SCENARIO, name=name.strip())
    if not records:
        raise ScenarioNotFoundError(f"no scenario named {name.strip()!r}")
    return _Record.from_props(dict(records[0]["props"]))


def _open(store: GraphStore, name: str) -> _Record:
    record = _load(store, name)
    if record.applied_at:
        raise ScenarioConflictError(
            f"scenario {record.name!r} was applied to the base model at {record.applied_at}; "
            "its changes are part of the base now"
        )
    return record


def _replay(
    base: ModelGraph, operations: Sequence[Operation], *, apply: bool = True, strict: bool = True
) -> tuple[ModelGraph, list[OperationView], str | None]:
    """The scenario model, a view of each operation, and the first problem (if not strict)."""
    model = base.copy()
    views: list[OperationView] = []
    problem: str | None = None
    for index, op in enumerate(operations, start=1):
        text = op.describe(model)
        if apply and problem is None:
            try:
                apply_operation(model, op, index)
            except OperationError as exc:
                if strict:
                    raise
                problem = f"{exc}; the operations after it are not evaluated"
        views.append(
            OperationView(
                index=index,
                op=op.op,
                text=text,
                operation=op.model_dump(mode="json", exclude_none=True),
            )
        )
    return model, views, problem


def _append(model: ModelGraph, operations: list[Operation], new: Sequence[Any]) -> None:
    """Check new operations against the model (changing it) and append them, by id."""
    if len(operations) + len(new) > MAX_OPERATIONS:
        raise QuestionError(f"a scenario holds at most {MAX_OPERATIONS} operations")
    for data in new:
        index = len(operations) + 1
        op = resolve_operation(model, parse_operation(data), index)
        apply_operation(model, op, index)
        operations.append(op)


# -- create, list, show, add, discard -------------------------------------------------------


def create_scenario(
    store: GraphStore,
    *,
    name: str,
    description: str = "",
    operations: Sequence[Any] = (),
    actor: str | None = None,
) -> ScenarioView:
    """A new scenario; its operations (if any) are checked against the base model first."""
    name = check_name(name)
    if len(description) > 20_000:
        raise QuestionError("the description is longer than 20000 characters")
    ops: list[Operation] = []
    if operations:
        _append(ModelGraph.load(store), ops, operations)
    records = store._write(
        CREATE_SCENARIO,
        name=name,
        id=str(uuid.uuid4()),
        description=description.strip(),
        operations=_dump(ops),
        now=now_iso(),
        actor=actor,
    )
    if not records[0]["created"]:
        raise ScenarioConflictError(f"a scenario named {name!r} exists already")
    return get_scenario(store, name)


def list_scenarios(store: GraphStore) -> list[ScenarioSummary]:
    return [_Record.from_props(dict(r["props"])).summary() for r in store._read(LIST_SCENARIOS)]


def get_scenario(store: GraphStore, name: str) -> ScenarioView:
    """The scenario with its operations described against the current base model."""
    record = _load(store, name)
    _, views, problem = _replay(
        ModelGraph.load(store), record.operations, apply=not record.applied_at, strict=False
    )
    return ScenarioView(**record.summary().model_dump(), operations=views, problem=problem)


def add_operation(
    store: GraphStore, name: str, operation: Any, *, actor: str | None = None
) -> ScenarioView:
    """Append an operation, after checking it applies on top of the earlier ones."""
    record = _open(store, name)
    ops = record.operations
    model, _, _ = _replay(ModelGraph.load(store), ops)
    _append(model, ops, [operation])
    updated = store._write(
        SET_OPERATIONS,
        name=record.name,
        revision=record.revision,
        operations=_dump(ops),
        now=now_iso(),
    )
    if not updated:
        raise ScenarioConflictError(
            f"scenario {record.name!r} changed while the operation was checked; try again"
        )
    return get_scenario(store, record.name)


def discard_scenario(store: GraphStore, name: str) -> None:
    """Delete the scenario record; the base model is not touched."""
    if not store._write(DISCARD_SCENARIO, name=name.strip())[0]["discarded"]:
        raise ScenarioNotFoundError(f"no scenario named {name.strip()!r}")


# -- compare ---------------------------------------------------------------------------------


def compare_scenario(
    store: GraphStore,
    name: str,
    *,
    element: str | None = None,
    max_depth: int = im.DEFAULT_MAX_DEPTH,
    limit: int = 20,
    max_streams_per_team: int = hl.DEFAULT_MAX_STREAMS_PER_TEAM,
    config: bn.BottleneckConfig | None = None,
    overrides: dict[str, str] | list[str] | None = None,
) -> ScenarioComparison:
    """Impact (of `element`, when given), bottlenecks and health: base and scenario."""
    im.check_depth(max_depth)
    config = bn.checked(limit, config)
    hl.check_threshold(max_streams_per_team)
    record = _open(store, name)
    base = ModelGraph.load(store)
    scenario, views, _ = _replay(base, record.operations)
    return compare_models(
        base,
        scenario,
        view=ScenarioView(**record.summary().model_dump(), operations=views),
        element=element,
        max_depth=max_depth,
        limit=limit,
        max_streams_per_team=max_streams_per_team,
        config=config,
        overrides=overrides,
    )


def compare_models(
    base: ModelGraph,
    scenario: ModelGraph,
    *,
    view: ScenarioView,
    element: str | None,
    max_depth: int,
    limit: int,
    max_streams_per_team: int,
    config: bn.BottleneckConfig,
    overrides: dict[str, str] | list[str] | None,
) -> ScenarioComparison:
    table = propagation_table(overrides)
    sides = []
    for model in (base, scenario):
        projection = model.projection(table)
        candidates = len(projection.of_type(TEAM)) + len(projection.of_type(PLATFORM))
        ranking = bn.bottleneck_report(
            projection,
            model.served_directly(),
            limit=max(1, candidates),
            config=config,
            table=table,
        )
        report = hl.health_report(
            model.health_facts(),
            projection,
            max_streams_per_team=max_streams_per_team,
            table=table,
        )
        sides.append((ranking, report))
    (base_rank, base_health), (scen_rank, scen_health) = sides
    return ScenarioComparison(
        scenario=view,
        impact=(
            _compare_impact(base, scenario, element, max_depth, overrides)
            if element is not None
            else None
        ),
        bottlenecks=_compare_bottlenecks(base_rank, scen_rank, limit),
        health=_compare_health(base_health, scen_health),
    )


def _compare_impact(
    base: ModelGraph,
    scenario: ModelGraph,
    element: str,
    max_depth: int,
    overrides: dict[str, str] | list[str] | None,
) -> ImpactComparison:
    # Named as the base knows it; an element only the scenario has is named as it knows it.
    try:
        origin = base.resolve(element)
    except UnknownElementError:
        origin = scenario.resolve(element)
    results = [
        im.impact(model, origin.id, im.WalkOptions(max_depth, overrides=overrides))
        if origin.id in model.nodes
        else None
        for model in (base, scenario)
    ]
    before, after = results
    old = {a.element.id: a for a in before.streams} if before else {}
    new = {a.element.id: a for a in after.streams} if after else {}
    deltas = []
    for sid in {*old, *new}:
        b, s = old.get(sid), new.get(sid)
        if b is None:
            change = StreamChange.ADDED
        elif s is None:
            change = StreamChange.REMOVED
        elif s.distance != b.distance:
            change = StreamChange.CLOSER if s.distance < b.distance else StreamChange.FURTHER
        else:
            change = StreamChange.SAME
        deltas.append(
            StreamImpactDelta(
                element=(s or b).element,  # type: ignore[union-attr]
                base_distance=b.distance if b else None,
                scenario_distance=s.distance if s else None,
                change=change,
                base_path=b.path_text if b else "",
                scenario_path=s.path_text if s else "",
            )
        )
    deltas.sort(
        key=lambda d: (
            min(x for x in (d.base_distance, d.scenario_distance) if x is not None),
            d.element.name.lower(),
            d.element.id,
        )
    )
    return ImpactComparison(
        element=origin,
        in_base=before is not None,
        in_scenario=after is not None,
        base_stream_count=len(old),
        scenario_stream_count=len(new),
        base_affected_count=len(before.affected) if before else 0,
        scenario_affected_count=len(after.affected) if after else 0,
        streams=deltas,
        base=before,
        scenario=after,
    )


def _compare_bottlenecks(
    base: bn.BottleneckReport, scenario: bn.BottleneckReport, limit: int
) -> BottleneckComparison:
    old = {b.element.id: b for b in base.bottlenecks}
    new = {b.element.id: b for b in scenario.bottlenecks}
    rows = []
    for eid in {*old, *new}:
        b, s = old.get(eid), new.get(eid)
        if not ((b and b.rank <= limit) or (s and s.rank <= limit)):
            continue
        if b is None:
            change = RankChange.ADDED
        elif s is None:
            change = RankChange.REMOVED
        elif s.rank != b.rank:
            change = RankChange.HIGHER if s.rank < b.rank else RankChange.LOWER
        else:
            change = RankChange.SAME
        rows.append(
            BottleneckDelta(
                element=(s or b).element,  # type: ignore[union-attr]
                change=change,
                base_rank=b.rank if b else None,
                scenario_rank=s.rank if s else None,
                rank_change=b.rank - s.rank if b and s else None,
                base_score=b.score if b else None,
                scenario_score=s.score if s else None,
                score_delta=round((s.score if s else 0.0) - (b.score if b else 0.0), 1),
                base_stream_count=b.stream_count if b else None,
                scenario_stream_count=s.stream_count if s else None,
            )
        )
    rows.sort(
        key=lambda r: (
            r.scenario_rank is None,
            r.scenario_rank if r.scenario_rank is not None else r.base_rank or 0,
        )
    )
    return BottleneckComparison(
        limit=limit,
        base_stream_total=base.stream_total,
        scenario_stream_total=scenario.stream_total,
        rows=rows,
        base_clusters=base.clusters,
        scenario_clusters=scenario.clusters,
        formula=base.formula,
    )


def _compare_health(base: hl.HealthReport, scenario: hl.HealthReport) -> HealthComparison:
    def offending(check: hl.HealthCheck) -> dict[str, ElementRef]:
        return {f.element.id: f.element for f in check.findings}

    def ordered(refs: list[ElementRef]) -> list[ElementRef]:
        return sorted(refs, key=lambda r: (r.name, r.id))

    checks = []
    for b, s in zip(base.checks, scenario.checks, strict=True):
        old, new = offending(b), offending(s)
        checks.append(
            HealthCheckDelta(
                id=b.id,
                title=s.title,
                base_score=b.score,
                scenario_score=s.score,
                score_delta=hl.score_delta(b.score, s.score),
                base_offending=b.offending,
                scenario_offending=s.offending,
                resolved=ordered([r for i, r in old.items() if i not in new]),
                introduced=ordered([r for i, r in new.items() if i not in old]),
            )
        )
    return HealthComparison(
        base_score=base.score,
        scenario_score=scenario.score,
        score_delta=hl.score_delta(base.score, scenario.score),
        checks=checks,
    )


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
        rows = [*store._read(relationship_props(rel_type), ids=by_id)] if by_id else []
        if by_eid:
            rows += store._read(RELATIONSHIP_PROPS_BY_ELEMENT_ID, ids=by_eid)
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
    record = _open(store, name)
    base = ModelGraph.load(store)
    scenario, _, _ = _replay(base, record.operations)
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
        for rel_type, ids in sorted(removed_by_type.items()):
            _expect(tx, delete_relationships(rel_type), ids, f"{rel_type} relationships")
        _expect(tx, DELETE_RELATIONSHIPS_BY_ELEMENT_ID, removed_by_eid, "relationships")
        _expect(tx, DELETE_ELEMENTS, diff.removed_nodes, "elements")
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
        scenario=_load(store, record.name).summary(),
        elements_added=[scenario.nodes[i].ref for i in diff.added_nodes],
        elements_removed=[base.nodes[i].ref for i in diff.removed_nodes],
        elements_changed=[scenario.nodes[i].ref for i in sorted(diff.changed_nodes)],
        relationships_added=[change(scenario, r) for r in diff.added_rels],
        relationships_removed=[change(base, r) for r in diff.removed_rels],
    )
