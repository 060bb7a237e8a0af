"""Mutations need the editor role, and each one is written to the audit log; introspection
is answered only where the settings allow it (not in production unless asked for)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import ExecutionResult, FieldNode, GraphQLError, OperationDefinitionNode
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from app.graphql.context import Context
from app.middleware import audit_detail
from graph.audit import record_event
from graph.tokens import Role

log = logging.getLogger(__name__)


class MutationGuard(SchemaExtension):
    """Mutations need the editor role, and each one is written to the audit log."""

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        is_mutation = ctx.operation_type == OperationType.MUTATION
        context: Context = ctx.context
        if is_mutation and context.principal.role < Role.EDITOR:
            ctx.result = ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        "mutations need the editor role; your token has "
                        + context.principal.role.label
                    )
                ],
            )
        yield
        if is_mutation:
            self._audit(context)

    def _audit(self, context: Context) -> None:
        ctx = self.execution_context
        fields = sorted(
            {
                sel.name.value
                for op in (ctx.graphql_document.definitions if ctx.graphql_document else [])
                if isinstance(op, OperationDefinitionNode)
                for sel in op.selection_set.selections
                if isinstance(sel, FieldNode)
            }
        )
        errors = ctx.result.errors if ctx.result else None
        ids = sorted(
            {str(v) for k, v in (ctx.variables or {}).items() if k in ("id", "source", "target")}
        )
        try:
            record_event(
                context.store,
                actor=context.principal.name,
                token_id=context.principal.token_id,
                role=context.principal.role.label,
                action="graphql " + ",".join(fields),
                target=",".join(ids),
                status=400 if errors else 200,
                detail=audit_detail("", {"variables": ctx.variables or {}}),
            )
        except Exception:  # the mutation is done; a lost audit line must not fail it
            log.exception("could not record audit event for GraphQL mutation")


class IntrospectionSwitch(SchemaExtension):
    """`__schema` and `__type` are refused when VALUEGRAPH_INTROSPECTION (or production
    mode) turns introspection off; `__typename` stays, clients need it. Decided per request,
    as one schema serves every app."""

    def on_operation(self) -> Iterator[None]:
        ctx = self.execution_context
        context: Context = ctx.context
        if not context.settings.introspection_enabled:
            ctx.validation_rules = (*ctx.validation_rules, NoSchemaIntrospectionCustomRule)
        yield
