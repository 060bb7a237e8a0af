"""Property-based fuzzing of the HTTP API from its own OpenAPI document and GraphQL schema.

Whatever schemathesis sends, the service must answer with a 2xx/4xx, never a 500.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from fastapi import FastAPI
from graphql import parse_value
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from app.main import create_app
from app.settings import Settings
from graph.store import GraphStore


def _graphql_literal(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_graphql_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_graphql_literal(v) for v in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10**6) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.from_regex(r"[a-z_][a-z_0-9]{0,10}", fullmatch=True), inner, max_size=4
        )
    ),
    max_leaves=8,
)
# The JSON scalar (free properties, patches) has no built-in strategy: values as GraphQL literals.
schemathesis.graphql.scalar("JSON", _json_values.map(lambda v: parse_value(_graphql_literal(v))))

FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,  # the same cases every run: CI stays reproducible and bounded
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def fuzzed_app(store: GraphStore, settings: Settings) -> FastAPI:
    return create_app(settings, store=store)


@pytest.fixture
def openapi_schema(fuzzed_app: FastAPI) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", fuzzed_app)


@pytest.fixture
def graphql_schema(fuzzed_app: FastAPI) -> schemathesis.BaseSchema:
    return schemathesis.graphql.from_asgi("/graphql", fuzzed_app)


def _fuzz_every_operation(schema: schemathesis.BaseSchema) -> int:
    """Run each operation's generated cases; returns how many operations were fuzzed."""
    count = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @FUZZ
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(checks=[not_a_server_error])

        check()
        count += 1
    return count


def test_rest_never_fails_with_a_server_error(openapi_schema: schemathesis.BaseSchema) -> None:
    assert _fuzz_every_operation(openapi_schema) >= 15


def test_graphql_never_fails_with_a_server_error(graphql_schema: schemathesis.BaseSchema) -> None:
    assert _fuzz_every_operation(graphql_schema) >= 10
