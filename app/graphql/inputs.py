"""The inputs of the questions: propagation overrides and the what-if operations.

Written by hand, not derived from the operation models of `queries.scenarios.operations`: those
are published in the OpenAPI document with descriptions GraphQL does not show (every
element reference reads "An element's id or exact name.", `id` says how it defaults, a
relationship type is "…of the schema…"), strawberry's derivation always takes a field's
description from the model, and both published surfaces stay as they are. The inputs are
parsed by `queries.scenarios.operations.parse_operation`, which validates them as the models do.
"""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from queries.propagation import Flow
from queries.scenarios.operations import Operation, parse_operation

strawberry.enum(
    Flow,
    name="PropagationFlow",
    description="Which way a change travels along a relationship: forward = source to target.",
)


@strawberry.input(description="Override one entry of the propagation table for this request.")
class PropagationOverride:
    key: str = strawberry.field(
        description="A relationship type, or RELATED_TO:<ArchiMate type> (e.g. RELATED_TO:serving)."
    )
    flow: Flow


def overrides_of(items: list[PropagationOverride] | None) -> dict[str, str] | None:
    """The overrides as the questions take them: relationship key → flow."""
    return {o.key: o.flow.value for o in items} if items else None


@strawberry.input(description="Add a new element, e.g. the platform that replaces another.")
class AddElementInput:
    type: str = strawberry.field(description="A node type of the schema, e.g. Platform.")
    name: str
    id: str | None = None
    attributes: JSON | None = strawberry.field(
        default=None, description="Typed properties, description, tags, free properties."
    )


@strawberry.input(description="Remove an element and its relationships.")
class RemoveElementInput:
    element: str = strawberry.field(description="Id or exact name.")


@strawberry.input(description="Move every relationship of old to new (same type); old goes.")
class ReplaceElementInput:
    old: str
    new: str


@strawberry.input(description="from_team's OWNS (or every owner's) goes; to_team owns it.")
class MoveOwnershipInput:
    element: str
    to_team: str
    from_team: str | None = None


@strawberry.input(description="Add a relationship allowed by the schema, e.g. a dependency.")
class AddRelationshipInput:
    type: str = strawberry.field(description="A relationship type, e.g. DEPENDS_ON.")
    source: str
    target: str
    attributes: JSON | None = strawberry.field(
        default=None, description="Typed properties of the type, free properties."
    )


@strawberry.input(description="Remove every relationship of the type from source to target.")
class RemoveRelationshipInput:
    type: str
    source: str
    target: str


@strawberry.input(description="A stream a split makes, with the old stream's stages it takes.")
class NewStreamInput:
    name: str
    id: str | None = None
    stages: list[str] = strawberry.field(default_factory=list)


@strawberry.input(description="Split a stream; every stage goes to exactly one new stream.")
class SplitStreamInput:
    stream: str
    into: list[NewStreamInput]


@strawberry.input(one_of=True, description="One what-if operation: give exactly one field.")
class ScenarioOperationInput:
    add_element: AddElementInput | None = strawberry.UNSET
    remove_element: RemoveElementInput | None = strawberry.UNSET
    replace_element: ReplaceElementInput | None = strawberry.UNSET
    move_ownership: MoveOwnershipInput | None = strawberry.UNSET
    add_relationship: AddRelationshipInput | None = strawberry.UNSET
    remove_relationship: RemoveRelationshipInput | None = strawberry.UNSET
    split_stream: SplitStreamInput | None = strawberry.UNSET


def operation_of(given: ScenarioOperationInput) -> Operation:
    """The operation as queries.scenarios.operations parses it (malformed: a ValueError)."""
    for kind, value in vars(given).items():
        if value is None or value is strawberry.UNSET:
            continue
        data = {k: v for k, v in strawberry.asdict(value).items() if v is not None}
        return parse_operation({"op": kind, **data})
    raise ValueError("give one operation")
