"""The valuegraph schema, declared once as data.

Everything else is derived from the declarations below: Neo4j constraints and indexes
(`graph.cypher`), validation of incoming nodes and relationships (`graph.model`), the
GraphQL object types (`app.graphql.elements`) and the importers' target types. Labels and
relationship types that reach Cypher are only ever taken from here, never from input.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from graph.archimate import ELEMENTS


class PropKind(StrEnum):
    STRING = "string"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    DATE = "date"  # a calendar day, stored and shown as ISO text (YYYY-MM-DD)


@dataclass(frozen=True)
class Prop:
    """A typed property of a node or relationship type."""

    name: str
    kind: PropKind = PropKind.STRING
    description: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class NodeType:
    """A node type: its Neo4j label and the properties it carries beyond the common ones."""

    label: str
    description: str
    props: tuple[Prop, ...] = ()
    # Groups of date properties that must not decrease, in order, where given.
    sequences: tuple[tuple[str, ...], ...] = ()

    def prop(self, name: str) -> Prop | None:
        return next((p for p in self.props if p.name == name), None)


@dataclass(frozen=True)
class RelType:
    """A relationship type, read as `source -[TYPE]-> target`.

    `endpoints` lists the allowed (source label, target label) pairs. `forward` and
    `reverse` name the relationship as seen from its source and from its target; the
    GraphQL fields and the explorer use those names.
    """

    type: str
    description: str
    endpoints: tuple[tuple[str, str], ...]
    forward: str
    reverse: str
    props: tuple[Prop, ...] = ()
    sequences: tuple[tuple[str, ...], ...] = ()

    def allows(self, source_label: str, target_label: str) -> bool:
        return (source_label, target_label) in self.endpoints or (
            ("*", target_label) in self.endpoints
            or (source_label, "*") in self.endpoints
            or ("*", "*") in self.endpoints
        )

    def prop(self, name: str) -> Prop | None:
        return next((p for p in self.props if p.name == name), None)


# Every node also carries the common label below, so ids are unique across all types
# and search by name works over the whole graph with one index.
ELEMENT_LABEL = "Element"

# Fields every node has, whatever its type. `properties` holds free key/value pairs
# (stored as JSON, since Neo4j properties cannot be maps); `source` and `import_run`
# record which import last wrote the node so re-imports update rather than duplicate.
COMMON_NODE_FIELDS: tuple[str, ...] = (
    "id",
    "name",
    "description",
    "tags",
    "properties",
    "source",
    "import_run",
    "created_at",
    "updated_at",
)

FUNDING_MODELS = ("persistent", "project", "mixed")
LIFECYCLE = ("proposed", "active", "retiring", "retired")
TEAM_TYPES = (
    "stream-aligned",
    "platform",
    "enabling",
    "complicated-subsystem",
    "specialist-function",
)
INTERACTION_MODES = ("collaboration", "x-as-a-service", "facilitating")

S, I, F, B = PropKind.STRING, PropKind.INT, PropKind.FLOAT, PropKind.BOOL  # noqa: E741
D = PropKind.DATE

# Lifecycle dates, the phases EA suites use (LeanIX's plan, phaseIn, active, phaseOut,
# endOfLife): each is the day that phase starts, each optional, in this order where given.
# A date, not a status, so the model can say what will be true on a day still to come.
LIFECYCLE_DATES: tuple[Prop, ...] = (
    Prop("lifecycle_plan", D, "Lifecycle: the day planning starts (YYYY-MM-DD)."),
    Prop("lifecycle_phase_in", D, "Lifecycle: the day phase-in (build, roll-out) starts."),
    Prop("lifecycle_active", D, "Lifecycle: the day it is in full use."),
    Prop("lifecycle_phase_out", D, "Lifecycle: the day phase-out (retirement) starts."),
    Prop("lifecycle_end_of_life", D, "Lifecycle: the day it is no longer used or supported."),
)
LIFECYCLE_SEQUENCE: tuple[str, ...] = tuple(p.name for p in LIFECYCLE_DATES)
LIFECYCLE_STATUS = Prop(
    "lifecycle_status", S, "Where it is in its life, as declared.", choices=LIFECYCLE
)
# The node types that have a life of their own, planned and retired on dates: streams,
# capabilities, platforms, data assets and teams (formed and disbanded). Not stages (they
# live and die with their stream), people (not managed as assets), measures and
# investments (item values and funding periods, not phases), forums, nor GenericElement
# (nothing reasons about its dates; imported ones stay free properties, exported as read).
HAS_LIFECYCLE: tuple[str, ...] = ("ValueStream", "Capability", "Platform", "DataAsset", "Team")

_NODE_TYPES: tuple[NodeType, ...] = (
    NodeType(
        "ValueStream",
        "A long-lived flow of work that delivers an outcome to a customer or stakeholder.",
        (
            Prop("purpose", S, "Why the stream exists."),
            Prop("outcome", S, "The customer outcome it delivers."),
            Prop("funding_model", S, "How the stream is funded.", choices=FUNDING_MODELS),
            Prop("lifecycle_status", S, "Where the stream is in its life.", choices=LIFECYCLE),
        ),
    ),
    NodeType(
        "Stage",
        "An ordered step of a value stream.",
        (
            Prop("order", I, "Position of the stage within its stream, from 1.", required=True),
            Prop("entry_criteria", S, "What starts the stage."),
            Prop("exit_criteria", S, "What completes it."),
        ),
    ),
    NodeType(
        "Capability",
        "What the business can do; capabilities nest (a parent CONTAINS its children).",
        (Prop("level", I, "Depth in the capability map, 1 for top level."),),
    ),
    NodeType(
        "Platform",
        "A shared application, technology or data platform.",
        (
            Prop(
                "kind", S, "Layer of the platform.", choices=("application", "technology", "data")
            ),
            Prop(
                "criticality",
                S,
                "Business criticality.",
                choices=("low", "medium", "high", "critical"),
            ),
        ),
    ),
    NodeType(
        "Team",
        "A long-lived team, typed as in Team Topologies plus specialist functions.",
        (
            Prop("team_type", S, "Team Topologies type.", choices=TEAM_TYPES),
            Prop("capacity", F, "Capacity in full-time equivalents."),
        ),
    ),
    NodeType(
        "DataAsset",
        "A data set, business object or artifact that platforms read and write.",
        (
            Prop(
                "classification",
                S,
                "Information classification.",
                choices=("public", "internal", "confidential", "restricted"),
            ),
            Prop("system_of_record", S, "Name or id of the platform holding the golden copy."),
        ),
    ),
    NodeType(
        "Person",
        "An accountable owner, leader or other named individual.",
        (Prop("role", S, "Role or title."), Prop("email", S, "Contact address.")),
    ),
    NodeType(
        "Measure",
        "A performance measure of a value stream, with target and current value.",
        (
            Prop("unit", S, "Unit of the measure."),
            Prop("target", F, "Target value."),
            Prop("current", F, "Latest measured value."),
            # The day `current` was measured, when that is not the day it was entered: the
            # history dates each recorded value by it (queries.measures), so a value measured
            # last month and typed in today lands last month in the measure's series.
            Prop(
                "measured_at",
                D,
                "The day the current value was measured (YYYY-MM-DD); unset or unchanged by "
                "an edit, the value is dated by when the change was recorded.",
            ),
            Prop(
                "direction",
                S,
                "Which way is better.",
                choices=("higher-is-better", "lower-is-better"),
            ),
        ),
    ),
    NodeType(
        "Investment",
        "A funding line.",
        (
            Prop(
                "funding_type",
                S,
                "Persistent (capacity) or project funding.",
                choices=("persistent", "project"),
            ),
            Prop("amount", F, "Amount per period."),
            Prop("currency", S, "ISO currency code."),
            Prop("period", S, "Funding period, e.g. FY2026."),
        ),
    ),
    NodeType(
        "GovernanceForum",
        "A forum holding decision rights over value streams.",
        (
            Prop("cadence", S, "How often it meets."),
            Prop("decision_rights", S, "What it may decide."),
        ),
    ),
    NodeType(
        "GenericElement",
        "An imported element with no valuegraph mapping, kept with its original type.",
        (Prop("original_type", S, "Type in the source model, e.g. ArchiMate's.", required=True),),
    ),
)

# Every node type can carry its ArchiMate type beside its operating-model role: an
# ApplicationComponent is a Platform, a BusinessProcess a GenericElement, and both stay
# queryable as what the architect drew (`graph.archimate` declares the types).
ARCHIMATE_TYPE = Prop(
    "archimate_type",
    S,
    "The element's ArchiMate 3.x type, when it came from (or is exported as) ArchiMate.",
    choices=tuple(ELEMENTS),
)


def _with_lifecycle(node: NodeType) -> NodeType:
    if node.label not in HAS_LIFECYCLE:
        return node
    status = () if node.prop(LIFECYCLE_STATUS.name) else (LIFECYCLE_STATUS,)
    return replace(
        node,
        props=(*node.props, *status, *LIFECYCLE_DATES),
        sequences=(*node.sequences, LIFECYCLE_SEQUENCE),
    )


NODE_TYPES: tuple[NodeType, ...] = tuple(
    _with_lifecycle(replace(n, props=(*n.props, ARCHIMATE_TYPE))) for n in _NODE_TYPES
)

ANY = "*"

_REL_TYPES: tuple[RelType, ...] = (
    RelType(
        "HAS_STAGE",
        "A value stream is made of ordered stages.",
        (("ValueStream", "Stage"),),
        "stages",
        "stream",
    ),
    RelType(
        "REQUIRES",
        "A stream or stage needs a capability to deliver its outcome.",
        (("ValueStream", "Capability"), ("Stage", "Capability")),
        "requires",
        "requiredBy",
    ),
    RelType(
        "CONTAINS",
        "A parent capability contains a child capability.",
        (("Capability", "Capability"),),
        "contains",
        "containedIn",
    ),
    RelType(
        "USES",
        "A capability, stream, stage or platform uses a platform.",
        (
            ("Capability", "Platform"),
            ("ValueStream", "Platform"),
            ("Stage", "Platform"),
            ("Platform", "Platform"),
        ),
        "uses",
        "usedBy",
    ),
    RelType(
        "DEPENDS_ON",
        "A hard dependency: on a platform, or of a team on another team (with interaction mode).",
        (
            ("Capability", "Platform"),
            ("ValueStream", "Platform"),
            ("Stage", "Platform"),
            ("Platform", "Platform"),
            ("ValueStream", "ValueStream"),
            ("Team", "Team"),
        ),
        "dependsOn",
        "dependedOnBy",
        (Prop("interaction_mode", S, "Team interaction mode.", choices=INTERACTION_MODES),),
    ),
    RelType(
        "READS", "A platform reads a data asset.", (("Platform", "DataAsset"),), "reads", "readBy"
    ),
    RelType(
        "WRITES",
        "A platform writes a data asset.",
        (("Platform", "DataAsset"),),
        "writes",
        "writtenBy",
    ),
    RelType("OWNS", "A team owns an element.", (("Team", ANY),), "owns", "ownedBy"),
    RelType(
        "SUPPORTS",
        "A team works for a value stream or stage.",
        (("Team", "ValueStream"), ("Team", "Stage")),
        "supports",
        "supportedBy",
    ),
    RelType(
        "MEMBER_OF",
        "A person belongs to a team.",
        (("Person", "Team"),),
        "memberOf",
        "members",
    ),
    RelType(
        "ACCOUNTABLE_FOR",
        "A person is accountable for an element (usually a value stream).",
        (("Person", ANY),),
        "accountableFor",
        "accountable",
    ),
    RelType(
        "FUNDED_BY",
        "A stream or platform is funded by an investment.",
        (("ValueStream", "Investment"), ("Platform", "Investment")),
        "fundedBy",
        "funds",
    ),
    RelType(
        "MEASURED_BY",
        "A value stream is measured by a measure.",
        (("ValueStream", "Measure"),),
        "measuredBy",
        "measures",
    ),
    RelType(
        "DECIDES_FOR",
        "A governance forum holds decision rights over a stream.",
        (("GovernanceForum", "ValueStream"),),
        "decidesFor",
        "governedBy",
    ),
    RelType(
        "RELATED_TO",
        "An imported relationship with no valuegraph mapping, kept with its original type.",
        ((ANY, ANY),),
        "relatedTo",
        "relatedFrom",
        (
            Prop("original_type", S, "Type in the source model, e.g. ArchiMate's.", required=True),
            Prop("access_type", S, "ArchiMate access type, where given."),
        ),
    ),
)

# Every relationship carries lifecycle dates: a dependency, an ownership or a funding line
# is what a roadmap plans to start and end, independently of the elements it joins.
REL_TYPES: tuple[RelType, ...] = tuple(
    replace(r, props=(*r.props, *LIFECYCLE_DATES), sequences=(LIFECYCLE_SEQUENCE,))
    for r in _REL_TYPES
)

# Common relationship fields, stored on every relationship.
# Provenance is `import_source` here: a relationship's `source` is its start node.
COMMON_REL_FIELDS: tuple[str, ...] = ("id", "properties", "import_source", "import_run")

# The provenance fields above by role: which source (import) wrote a node or relationship.
NODE_SOURCE = "source"
REL_SOURCE = "import_source"


@dataclass(frozen=True)
class Schema:
    nodes: tuple[NodeType, ...]
    rels: tuple[RelType, ...]
    version: int
    _by_label: dict[str, NodeType] = field(default_factory=dict, compare=False, repr=False)
    _by_type: dict[str, RelType] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_label.update({n.label: n for n in self.nodes})
        self._by_type.update({r.type: r for r in self.rels})

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(n.label for n in self.nodes)

    @property
    def rel_types(self) -> tuple[str, ...]:
        return tuple(r.type for r in self.rels)

    def node(self, label: str) -> NodeType:
        try:
            return self._by_label[label]
        except KeyError:
            raise UnknownTypeError("node type", label, self.labels) from None

    def rel(self, rel_type: str) -> RelType:
        try:
            return self._by_type[rel_type]
        except KeyError:
            raise UnknownTypeError("relationship type", rel_type, self.rel_types) from None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready description, served at /api/schema and used by the explorer."""
        return {
            "version": self.version,
            "common_node_fields": list(COMMON_NODE_FIELDS),
            "nodes": [
                {
                    "label": n.label,
                    "description": n.description,
                    "properties": [_prop_dict(p) for p in n.props],
                }
                for n in self.nodes
            ],
            "relationships": [
                {
                    "type": r.type,
                    "description": r.description,
                    "endpoints": [list(e) for e in r.endpoints],
                    "forward": r.forward,
                    "reverse": r.reverse,
                    "properties": [_prop_dict(p) for p in r.props],
                }
                for r in self.rels
            ],
        }


def _prop_dict(p: Prop) -> dict[str, Any]:
    return {
        "name": p.name,
        "kind": p.kind.value,
        "description": p.description,
        "required": p.required,
        "choices": list(p.choices),
    }


class UnknownTypeError(ValueError):
    def __init__(self, what: str, name: str, known: tuple[str, ...]) -> None:
        super().__init__(f"unknown {what} {name!r}; known: {', '.join(known)}")
        self.what = what
        self.name = name


# Bump when the constraints/indexes derived from the schema change, so start-up re-applies them.
SCHEMA = Schema(NODE_TYPES, REL_TYPES, version=7)
