"""Scenario records in Neo4j: the `Scenario` node (never `Element`: no question, import,
export or search sees it), its Cypher, and creating, listing, showing, extending and
discarding one."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from graph.labels import SCENARIO
from graph.lifecycle import parse_day
from graph.model import now_iso
from graph.store import GraphStore
from queries.errors import QuestionError
from queries.model_graph import ModelGraph
from queries.present import keep, present_model, remember
from queries.scenarios.models import (
    OperationView,
    ScenarioConflictError,
    ScenarioNotFoundError,
    ScenarioStatus,
    ScenarioSummary,
    ScenarioView,
)
from queries.scenarios.operations import Operation, append_operations, parse_operation, replay

SCENARIO_LABEL = SCENARIO
NAME_PATTERN = r"^\w[\w .\-]{0,99}$"
_NAME_RE = re.compile(NAME_PATTERN)

# -- Cypher: the scenario records -----------------------------------------------------

# MERGE on the name; `created` is true only for the caller whose random id was set.
CREATE_SCENARIO = f"""
MERGE (s:{SCENARIO_LABEL} {{name: $name}})
ON CREATE SET s.id = $id, s.description = $description, s.operations = $operations,
              s.effective_date = $effective_date, s.revision = 0, s.created_at = $now, s.updated_at = $now, s.created_by = $actor
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

# Optimistic concurrency as for the operations; a null date removes the property.
SET_DETAILS = f"""
MATCH (s:{SCENARIO_LABEL} {{name: $name}})
WHERE s.revision = $revision AND s.applied_at IS NULL
SET s.description = $description, s.effective_date = $effective_date,
    s.revision = s.revision + 1, s.updated_at = $now
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


# -- the stored record ---------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    name: str
    description: str
    stored: list[dict[str, Any]]  # the operations as stored; parsed when used
    revision: int
    created_at: str
    updated_at: str
    created_by: str | None
    applied_at: str | None
    applied_by: str | None
    effective_date: str | None

    @classmethod
    def from_props(cls, props: dict[str, Any]) -> Record:
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
            effective_date=props.get("effective_date"),
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
            effective_date=self.effective_date,
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


def _check_description(description: str) -> None:
    if len(description) > 20_000:
        raise QuestionError("the description is longer than 20000 characters")


def check_effective_date(day: str | date | None) -> str | None:
    """The effective date as stored (YYYY-MM-DD), or None; anything else is refused."""
    if day is None or isinstance(day, date):
        return None if day is None else day.isoformat()
    if not day.strip():
        return None
    try:
        return parse_day(day).isoformat()
    except ValueError as exc:
        raise QuestionError(f"effective date: {exc}") from None


def load_record(store: GraphStore, name: str) -> Record:
    records = store.read(GET_SCENARIO, {"name": name.strip()})
    if not records:
        raise ScenarioNotFoundError(f"no scenario named {name.strip()!r}")
    return Record.from_props(dict(records[0]["props"]))


def open_record(store: GraphStore, name: str) -> Record:
    record = load_record(store, name)
    if record.applied_at:
        raise ScenarioConflictError(
            f"scenario {record.name!r} was applied to the base model at {record.applied_at}; "
            "its changes are part of the base now"
        )
    return record


# -- create, list, show, add, discard -------------------------------------------------------


def create_scenario(
    store: GraphStore,
    *,
    name: str,
    description: str = "",
    operations: Sequence[Any] = (),
    actor: str | None = None,
    effective_date: str | date | None = None,
) -> ScenarioView:
    """A new scenario; its operations (if any) are checked against the base model first."""
    name = check_name(name)
    _check_description(description)
    day = check_effective_date(effective_date)
    ops: list[Operation] = []
    revision = store.revision()  # read before the model: what the checked model is kept at
    model = present_model(store).copy()
    views = append_operations(model, ops, operations) if operations else []
    records = store.execute(
        CREATE_SCENARIO,
        {
            "name": name,
            "id": str(uuid.uuid4()),
            "description": description.strip(),
            "operations": _dump(ops),
            "now": now_iso(),
            "actor": actor,
            "effective_date": day,
        },
    )
    if not records[0]["created"]:
        raise ScenarioConflictError(f"a scenario named {name!r} exists already")
    _keep_checked(store, revision, _dump(ops), ops, model, views)
    return get_scenario(store, name)


def list_scenarios(store: GraphStore) -> list[ScenarioSummary]:
    return [Record.from_props(dict(r["props"])).summary() for r in store.read(LIST_SCENARIOS)]


def get_scenario(store: GraphStore, name: str) -> ScenarioView:
    """The scenario with its operations described against the current base model."""
    record = load_record(store, name)
    views, problem = described(store, record)
    return ScenarioView(**record.summary().model_dump(), operations=views, problem=problem)


def described(store: GraphStore, record: Record) -> tuple[list[OperationView], str | None]:
    """A view of each operation and the first problem, against the present model: kept
    for its revision and the operations (every scenario without any shares one)."""
    if not record.applied_at:
        _, views, problem = scenario_model(store, record)
        return list(views), problem

    def describe() -> tuple[list[OperationView], str | None]:
        _, views, problem = replay(
            present_model(store), record.operations, apply=False, strict=False
        )
        return views, problem

    stored = json.dumps(record.stored, sort_keys=True)
    views, problem = remember(store, ("scenario operations", stored, False), describe)
    return list(views), problem


def scenario_model(
    store: GraphStore, record: Record
) -> tuple[ModelGraph, list[OperationView], str | None]:
    """The scenario's operations replayed on the present model (`replay`, not strict):
    its model, a view of each operation and the first problem. Kept for the revision and
    the operations: describing a scenario and comparing it replay them once (removing a
    platform 5,600 elements use: ~0.1 s on a 100,000-element model). Treat it as
    read-only."""
    stored = json.dumps(record.stored, sort_keys=True)
    return remember(
        store,
        ("scenario model", stored),  # also kept by `add_operation`
        lambda: replay(present_model(store), record.operations, strict=False),
    )


def add_operation(
    store: GraphStore, name: str, operation: Any, *, actor: str | None = None
) -> ScenarioView:
    """Append an operation, after checking it applies on top of the earlier ones."""
    record = open_record(store, name)
    ops = record.operations
    revision = store.revision()  # read before the model: what the checked model is kept at
    base = present_model(store)
    kept, views, problem = scenario_model(store, record)
    # The new operation is checked on a copy of the kept model; with a problem (refused
    # as before), or kept for an older revision, on the operations replayed anew.
    if problem is None and kept.copied_from(base):
        model = kept.copy(of_base=True)
    else:
        model, views, _ = replay(base, ops)
    added = append_operations(model, ops, [operation])
    stored = _dump(ops)
    updated = store.execute(
        SET_OPERATIONS,
        {
            "name": record.name,
            "revision": record.revision,
            "operations": stored,
            "now": now_iso(),
        },
    )
    if not updated:
        raise ScenarioConflictError(
            f"scenario {record.name!r} changed while the operation was checked; try again"
        )
    _keep_checked(store, revision, stored, ops, model, [*views, *added])
    return get_scenario(store, record.name)


def _keep_checked(
    store: GraphStore,
    revision: str,
    stored: str,
    operations: list[Operation],
    model: ModelGraph,
    views: list[OperationView],
) -> None:
    """Keep a model the operations were checked on (a copy of the present model at
    `revision`, every operation applied) as the scenario's model (`scenario_model`): the
    stored operations replayed on the base give it and the same views, so describing the
    scenario now and comparing it next need not replay them (removing a platform 5,600
    elements use: ~0.1 CPU s on L). Only when the operations read back from `stored` are
    the ones applied (those a replay applies)."""
    if [parse_operation(o) for o in json.loads(stored)] == operations:
        key = ("scenario model", json.dumps(json.loads(stored), sort_keys=True))
        keep(store, revision, key, (model, views, None))


def update_scenario(
    store: GraphStore,
    name: str,
    *,
    description: str | None = None,
    effective_date: str | date | None = None,
    clear_effective_date: bool = False,
) -> ScenarioView:
    """Change an open scenario's description or effective date (None: keep it; the date
    goes with `clear_effective_date`)."""
    record = open_record(store, name)
    if description is not None:
        _check_description(description)
    day = check_effective_date(effective_date)
    if day is None and not clear_effective_date:
        day = record.effective_date
    updated = store.execute(
        SET_DETAILS,
        {
            "name": record.name,
            "revision": record.revision,
            "description": record.description if description is None else description.strip(),
            "effective_date": day,
            "now": now_iso(),
        },
    )
    if not updated:
        raise ScenarioConflictError(f"scenario {record.name!r} changed meanwhile; try again")
    return get_scenario(store, record.name)


def discard_scenario(store: GraphStore, name: str) -> None:
    """Delete the scenario record; the base model is not touched."""
    if not store.execute(DISCARD_SCENARIO, {"name": name.strip()})[0]["discarded"]:
        raise ScenarioNotFoundError(f"no scenario named {name.strip()!r}")
