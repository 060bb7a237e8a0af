"""The ArchiMate 3.1/3.2 language, declared once as data.

Every element type with its layer and whether a change travels through it, and every
relationship type with the way a change travels along it (`source -[type]-> target`, in
ArchiMate's own direction). The schema's `archimate_type` field, the importer's check of
known types, the propagation table's ArchiMate rules (`queries.propagation`) and the
documentation's rules table all derive from the declarations below.

The propagation rules read the specification's meaning of each relationship (ArchiMate
3.2, chapter 5): structural and dependency relationships say what depends on what, so
a change travels from the thing depended on to the dependant; dynamic ones (triggering,
flow) are a chosen rule; the rest carry nothing unless asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Layer(StrEnum):
    STRATEGY = "strategy"
    BUSINESS = "business"
    APPLICATION = "application"
    TECHNOLOGY = "technology"
    PHYSICAL = "physical"
    MOTIVATION = "motivation"
    MIGRATION = "implementation-migration"
    OTHER = "other"


@dataclass(frozen=True)
class ElementKind:
    """An ArchiMate element type. `carries` says whether a change travels into (and so
    through) such an element by default: motivation and migration elements describe why
    and when the architecture changes, not what delivers it."""

    name: str
    layer: Layer
    carries: bool = True


def _layer(layer: Layer, names: str, *, carries: bool = True) -> tuple[ElementKind, ...]:
    return tuple(ElementKind(n, layer, carries) for n in names.split())


ELEMENT_KINDS: tuple[ElementKind, ...] = (
    *_layer(Layer.STRATEGY, "Resource Capability ValueStream CourseOfAction"),
    *_layer(
        Layer.BUSINESS,
        "BusinessActor BusinessRole BusinessCollaboration BusinessInterface BusinessProcess "
        "BusinessFunction BusinessInteraction BusinessEvent BusinessService BusinessObject "
        "Contract Representation Product",
    ),
    *_layer(
        Layer.APPLICATION,
        "ApplicationComponent ApplicationCollaboration ApplicationInterface "
        "ApplicationFunction ApplicationInteraction ApplicationProcess ApplicationEvent "
        "ApplicationService DataObject",
    ),
    *_layer(
        Layer.TECHNOLOGY,
        "Node Device SystemSoftware TechnologyCollaboration TechnologyInterface Path "
        "CommunicationNetwork TechnologyFunction TechnologyProcess TechnologyInteraction "
        "TechnologyEvent TechnologyService Artifact",
    ),
    *_layer(Layer.PHYSICAL, "Equipment Facility DistributionNetwork Material"),
    *_layer(
        Layer.MOTIVATION,
        "Stakeholder Driver Assessment Goal Outcome Principle Requirement Constraint Meaning Value",
        carries=False,
    ),
    *_layer(
        Layer.MIGRATION, "WorkPackage Deliverable ImplementationEvent Plateau Gap", carries=False
    ),
    # A grouping or a location gathers elements for a reader; being in the same group or
    # place is not a delivery dependency, so neither passes a change from one member on.
    *_layer(Layer.OTHER, "Grouping Location", carries=False),
    # Junctions are walked through: A -serving-> junction -serving-> B is A serving B.
    *_layer(Layer.OTHER, "Junction"),
)

ELEMENTS: dict[str, ElementKind] = {k.name: k for k in ELEMENT_KINDS}
# The exchange format's two junction types are Archi's one (And or Or is kept aside, in
# `archimate:junctionType`), so the same model has the same types from either format.
ALIASES: dict[str, str] = {"AndJunction": "Junction", "OrJunction": "Junction"}


def element_kind(raw_type: str) -> str | None:
    """The declared ArchiMate type a file's element type is, or None."""
    name = ALIASES.get(raw_type, raw_type)
    return name if name in ELEMENTS else None


@dataclass(frozen=True)
class RelationshipKind:
    """How a change travels along an ArchiMate relationship `source -[name]-> target`:
    `forward`, a change to the source affects the target; `backward`, a change to the
    target affects the source. `part_of`: it joins a part (target) to its whole (source).
    Access is declared once per access type (`access:read` …)."""

    name: str
    forward: bool
    backward: bool
    reason: str
    part_of: bool = False


RELATIONSHIP_KINDS: tuple[RelationshipKind, ...] = (
    RelationshipKind(
        "composition",
        False,
        True,
        "ArchiMate Composition (whole → part): the part affects the whole.",
        part_of=True,
    ),
    RelationshipKind(
        "aggregation",
        False,
        True,
        "ArchiMate Aggregation (whole → part): the part affects the whole.",
        part_of=True,
    ),
    RelationshipKind(
        "assignment",
        True,
        False,
        "ArchiMate Assignment (active structure → behaviour): the performer affects what it "
        "performs.",
    ),
    RelationshipKind(
        "realization", True, False, "ArchiMate Realization: the realiser affects what it realises."
    ),
    RelationshipKind(
        "serving", True, False, "ArchiMate Serving: the serving source affects the served target."
    ),
    RelationshipKind(
        "access:read", False, True, "ArchiMate Access (read): the data affects the reader."
    ),
    RelationshipKind(
        "access:write", True, False, "ArchiMate Access (write): the writer affects the data."
    ),
    RelationshipKind("access:readwrite", True, True, "ArchiMate Access (read/write): both ways."),
    RelationshipKind(
        "access:access", False, False, "ArchiMate Access with no direction: not carried."
    ),
    RelationshipKind(
        "triggering", True, False, "ArchiMate Triggering (chosen): impact travels downstream."
    ),
    RelationshipKind("flow", True, False, "ArchiMate Flow (chosen): impact travels downstream."),
    RelationshipKind(
        "influence", False, False, "ArchiMate Influence: motivation, not carried unless asked."
    ),
    RelationshipKind(
        "association", False, False, "ArchiMate Association: not carried unless asked."
    ),
    RelationshipKind(
        "specialization",
        False,
        False,
        "ArchiMate Specialization: a kind-of link, not a dependency; not carried.",
    ),
)

# The relationship types as files name them (the access rules share one).
RELATIONSHIP_TYPES: tuple[str, ...] = (
    "Composition",
    "Aggregation",
    "Assignment",
    "Realization",
    "Serving",
    "Access",
    "Influence",
    "Triggering",
    "Flow",
    "Specialization",
    "Association",
)
