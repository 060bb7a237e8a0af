"""Production mode (VALUEGRAPH_ENV=production): no interactive docs, no GraphQL introspection,
unless VALUEGRAPH_DOCS / VALUEGRAPH_INTROSPECTION turn them back on."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from graph.store import GraphStore

DOCS = ("/docs", "/redoc", "/openapi.json")
INTROSPECTIONS = (
    "{ __schema { queryType { name } } }",
    '{ __type(name: "Query") { name } }',
)


def _served(store: GraphStore, settings: Settings, **update: Any) -> dict[str, Any]:
    """What the app shows of itself: docs status codes, GraphiQL, introspection answers."""
    with TestClient(create_app(settings.model_copy(update=update), store=store)) as client:
        graphiql = client.get("/graphql", headers={"Accept": "text/html"})
        return {
            "docs": {path: client.get(path).status_code for path in DOCS},
            "graphiql": graphiql.status_code == 200 and "graphiql" in graphiql.text.lower(),
            "introspection": [
                client.post("/graphql", json={"query": q}).json() for q in INTROSPECTIONS
            ],
            "typename": client.post("/graphql", json={"query": "{ __typename }"}).json(),
        }


def _introspection_refused(answers: list[dict[str, Any]]) -> bool:
    return all(
        a.get("data") is None and "introspection" in a["errors"][0]["message"].lower()
        for a in answers
    )


def test_production_hides_docs_and_introspection(store: GraphStore, settings: Settings) -> None:
    shown = _served(store, settings, env="production")
    assert shown["docs"] == {path: 404 for path in DOCS}
    assert shown["graphiql"] is False
    assert _introspection_refused(shown["introspection"])
    assert shown["typename"] == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    "update",
    [{"env": "development"}, {"env": "production", "docs": "on", "introspection": "on"}],
)
def test_docs_and_introspection_where_enabled(
    store: GraphStore, settings: Settings, update: dict[str, Any]
) -> None:
    shown = _served(store, settings, **update)
    assert shown["docs"] == {path: 200 for path in DOCS}
    assert shown["graphiql"] is True
    assert shown["introspection"] == [
        {"data": {"__schema": {"queryType": {"name": "Query"}}}},
        {"data": {"__type": {"name": "Query"}}},
    ]


def test_each_switch_works_alone(store: GraphStore, settings: Settings) -> None:
    quiet = _served(store, settings, env="development", introspection="off")
    assert quiet["docs"] == {path: 200 for path in DOCS}
    assert _introspection_refused(quiet["introspection"])
    documented = _served(store, settings, env="production", docs="on")
    assert documented["docs"] == {path: 200 for path in DOCS}
    assert _introspection_refused(documented["introspection"])


def test_environment_names_the_mode() -> None:
    production = Settings(env="production")
    assert (production.docs_enabled, production.introspection_enabled) == (False, False)
    development = Settings()
    assert (development.docs_enabled, development.introspection_enabled) == (True, True)
