"""Helpers shared by the question tests: building small graphs and running the CLI."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from graph.model import NODE_ADAPTER, REL_ADAPTER, NodeRecord, RelRecord, node_record, rel_record
from graph.store import GraphStore


class Graph:
    """A small hand-made graph, written through the store's one write path."""

    def __init__(self) -> None:
        self.nodes: list[NodeRecord] = []
        self.rels: list[RelRecord] = []

    def node(self, label: str, node_id: str, name: str | None = None, **props: Any) -> Graph:
        data = {"type": label, "id": node_id, "name": name or node_id, **props}
        self.nodes.append(node_record(NODE_ADAPTER.validate_python(data), source="test"))
        return self

    def nodes_of(self, label: str, *ids: str, **props: Any) -> Graph:
        for node_id in ids:
            self.node(label, node_id, **props)
        return self

    def rel(self, rel_type: str, source: str, target: str, **props: Any) -> Graph:
        data = {"type": rel_type, "source": source, "target": target, **props}
        self.rels.append(rel_record(REL_ADAPTER.validate_python(data), source="test"))
        return self

    def write(self, store: GraphStore) -> GraphStore:
        store.write(self.nodes, self.rels)
        return store


def run_cli(
    args: list[str],
    neo4j_server: dict[str, str | None],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
) -> tuple[int, str]:
    """Run `valuegraph ARGS` against the test Neo4j; returns exit code and stdout."""
    from app.cli import app

    assert neo4j_server["uri"]
    monkeypatch.setenv("NEO4J_URI", neo4j_server["uri"])
    monkeypatch.setenv("NEO4J_USER", neo4j_server["user"] or "")
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server["password"] or "")
    monkeypatch.setenv("VALUEGRAPH_HOME", str(tmp_path / ".valuegraph"))
    result = CliRunner().invoke(app, args)
    return result.exit_code, result.stdout


def cli_json(
    args: list[str],
    neo4j_server: dict[str, str | None],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
) -> Any:
    code, out = run_cli([*args, "--json"], neo4j_server, monkeypatch, tmp_path)
    assert code == 0, out
    return json.loads(out)


def gql(client: Any, query: str, **variables: Any) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body
