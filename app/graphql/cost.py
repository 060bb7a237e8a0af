"""What a GraphQL query may cost, estimated from its shape before it runs.

Depth, alias and token limits do not bound fan-out: five nested relationship fields of up to
500 items each are a 400-byte query asking for 500**5 elements. Before execution the query's
worst case is estimated as the number of objects it could return: a list field with a
`limit` argument multiplies what is selected inside it by that limit (or the argument's
default), a page with a `limit` (`nodes { items }`) multiplies the lists inside it, and
other fields count once (the lists of a question's answer are bounded by the question: a
paged one, `dependencies(limit:)` or an impact list, counts its `limit` when one is given,
else once, as the server's page size and the question's slot bound it). Fragments on different concrete types are alternatives
(an object matches one), so only the dearest of them counts. Over the budget, the query is
refused with the estimate, the budget and how to narrow it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    NamedTypeNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    is_abstract_type,
    is_composite_type,
)
from graphql.type.definition import GraphQLCompositeType, GraphQLType
from strawberry.extensions import SchemaExtension

from app.core.limits import ADVICE, Busy, QuestionGate

DEFAULT_BUDGET = 100_000


def _unwrap(type_: GraphQLType) -> tuple[GraphQLType, bool]:
    """The named type under NonNull/List wrappers, and whether a list is among them."""
    is_list = False
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        is_list = is_list or isinstance(type_, GraphQLList)
        type_ = type_.of_type
    return type_, is_list


class Estimate:
    """The worst-case object count of one operation."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def selection(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLCompositeType,
        seen: frozenset[str] = frozenset(),
        page: int = 1,
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        # Fragments that apply to every object here add up; those on one concrete type are
        # alternatives to the others' (an object has one type).
        by_type: dict[str, int] = {}
        condition: NamedTypeNode | None
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                total += self.field(node, parent, seen, page)
                continue
            if isinstance(node, FragmentSpreadNode):
                name = node.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue
                condition, inner, seen_here = (
                    fragment.type_condition,
                    fragment.selection_set,
                    seen | {name},
                )
            elif isinstance(node, InlineFragmentNode):
                condition, inner, seen_here = node.type_condition, node.selection_set, seen
            else:
                continue
            on = self.schema.get_type(condition.name.value) if condition else parent
            if not is_composite_type(on):
                continue
            cost = self.selection(inner, on, seen_here, page)
            if on is parent or is_abstract_type(on):
                total += cost
            else:
                by_type[on.name] = by_type.get(on.name, 0) + cost
        return total + max(by_type.values(), default=0)

    def field(
        self, node: FieldNode, parent: GraphQLCompositeType, seen: frozenset[str], page: int
    ) -> int:
        fields = getattr(parent, "fields", {})
        definition = fields.get(node.name.value)
        if definition is None:  # __typename and the like
            return 0
        named, is_list = _unwrap(definition.type)
        if not is_composite_type(named):
            return 0
        limited = "limit" in definition.args
        limit = self.limit(node, definition.args["limit"].default_value) if limited else 1
        if limited and not is_list:
            # A page (`nodes(limit:) { items }`): the limit sizes the lists inside it.
            return 1 + self.selection(node.selection_set, named, seen, page=limit)
        each = 1 + self.selection(node.selection_set, named, seen)
        if not is_list:
            return each
        return (limit if limited else page) * each

    def limit(self, node: FieldNode, default: Any) -> int:
        for argument in node.arguments or ():
            if argument.name.value != "limit":
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                return max(0, int(value.value))
            if isinstance(value, VariableNode):
                given = self.variables.get(value.name.value)
                return max(0, given) if isinstance(given, int) else _int(default)
        return _int(default)

    def operation(self, operation: OperationDefinitionNode) -> int:
        root: GraphQLObjectType | None = self.schema.get_root_type(operation.operation)
        return 0 if root is None else self.selection(operation.selection_set, root)


def _int(value: Any) -> int:
    return value if isinstance(value, int) and value > 0 else 1


def estimate(
    schema: GraphQLSchema,
    document: Any,
    variables: Mapping[str, Any] | None,
    operation_name: str | None,
) -> int:
    """The worst-case object count of the operation a request will run."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        o
        for o in operations
        if operation_name is None or (o.name and o.name.value == operation_name)
    ]
    estimator = Estimate(schema, fragments, variables or {})
    return max((estimator.operation(o) for o in chosen), default=0)


class CostBudget(SchemaExtension):
    """Refuse, before it runs, a query whose worst case is over the budget; admit one over
    `graphql_gated_cost` like an expensive question (`QuestionGate`: it waits for a slot,
    or is refused with SERVICE_UNAVAILABLE and `retryAfter`)."""

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        document = ctx.graphql_document
        if document is not None and ctx.result is None:
            settings = getattr(ctx.context, "settings", None)
            budget = getattr(settings, "graphql_cost_budget", DEFAULT_BUDGET)
            cost = estimate(ctx.schema._schema, document, ctx.variables, ctx.operation_name)
            gate: QuestionGate | None = getattr(ctx.context, "gate", None)
            gated = getattr(settings, "graphql_gated_cost", None)
            if cost <= budget and gate is not None and gated is not None and cost > gated:
                yield from self._admitted(gate)
                return
            if cost > budget:
                ctx.result = ExecutionResult(
                    data=None,
                    errors=[
                        GraphQLError(
                            f"this query could return about {cost:,} objects, over the budget of "
                            f"{budget:,}; pass smaller `limit` arguments to list fields, "
                            "nest fewer relationship fields, or ask for fewer lists at once",
                            extensions={
                                "code": "QUERY_TOO_COSTLY",
                                "reason": "cost",
                                "cost": cost,
                                "budget": budget,
                            },
                        )
                    ],
                )
        yield

    def _admitted(self, gate: QuestionGate) -> Iterator[None]:
        # Thousands of elements are seconds of CPU: such queries take a question slot, so
        # that no more of them (and of the questions) run at once than the cores allow.
        ctx = self.execution_context
        try:
            with gate.admit(ADVICE["graphql"]):
                ctx.context.admitted = True  # the questions it asks run in this slot
                yield
        except Busy as exc:
            ctx.result = ExecutionResult(
                data=None, errors=[GraphQLError(str(exc), original_error=exc)]
            )
            yield
