"""What-if scenarios: named changes to the model, compared with it before anything changes.

A scenario is a node labelled `Scenario` (never `Element`: no question, import, export or
search sees it) holding its name, description, timestamps and an ordered JSON list of
operations (add, remove or replace an element, move ownership, add or drop a
relationship, split a stream).

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

The modules, by job:
- `models`: the answers the interfaces show (pydantic) and the errors;
- `operations`: what an operation may change and how it changes an in-memory model;
- `storage`: the `Scenario` records in Neo4j (create, list, show, add, update, discard);
  a scenario's `effective_date` makes it a step of the roadmap (`queries.roadmap`);
- `comparison`: base and scenario asked the same questions, side by side;
- `apply`: the difference written to the base model in one transaction.

Callers use the package (`from queries import scenarios as sc`): the public API is
re-exported here.
"""

from queries.scenarios.apply import ModelDiff, apply_scenario, diff_models
from queries.scenarios.comparison import compare_models, compare_scenario, kept_comparison
from queries.scenarios.models import (
    ApplyResult,
    BottleneckComparison,
    BottleneckDelta,
    HealthCheckDelta,
    HealthComparison,
    ImpactComparison,
    Losses,
    LostNeed,
    OperationView,
    RankChange,
    RelationshipChange,
    ScenarioComparison,
    ScenarioConflictError,
    ScenarioNotFoundError,
    ScenarioStatus,
    ScenarioSummary,
    ScenarioView,
    StreamChange,
    StreamChangeCounts,
    StreamImpactDelta,
)
from queries.scenarios.storage import (
    NAME_PATTERN,
    SCENARIO_LABEL,
    add_operation,
    check_effective_date,
    check_name,
    create_scenario,
    discard_scenario,
    get_scenario,
    list_scenarios,
    update_scenario,
)

__all__ = [
    "NAME_PATTERN",
    "SCENARIO_LABEL",
    "ApplyResult",
    "BottleneckComparison",
    "BottleneckDelta",
    "HealthCheckDelta",
    "HealthComparison",
    "ImpactComparison",
    "Losses",
    "LostNeed",
    "ModelDiff",
    "OperationView",
    "RankChange",
    "RelationshipChange",
    "ScenarioComparison",
    "ScenarioConflictError",
    "ScenarioNotFoundError",
    "ScenarioStatus",
    "ScenarioSummary",
    "ScenarioView",
    "StreamChange",
    "StreamChangeCounts",
    "StreamImpactDelta",
    "add_operation",
    "apply_scenario",
    "check_effective_date",
    "check_name",
    "compare_models",
    "compare_scenario",
    "create_scenario",
    "diff_models",
    "discard_scenario",
    "get_scenario",
    "kept_comparison",
    "list_scenarios",
    "update_scenario",
]
