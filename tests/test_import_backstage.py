"""Backstage fidelity (issue 12, section 3): links, profiles and API definitions are kept.

The fixture tests/data/imports/backstage/fidelity is written the way catalogs write
these fields (`metadata.links`, `spec.profile` of groups and users, `spec.definition`
inline and as `$text` / `$json` placeholders). Expected values are written by hand
from the fixture, not taken from a run.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from graph.store import GraphStore
from importers.backstage import MAX_DEFINITION
from importers.export import export_json
from importers.pipeline import run_import
from importers.preparation import prepare

FIDELITY = Path(__file__).parent / "data" / "imports" / "backstage" / "fidelity"
CATALOG = FIDELITY / "catalog-info.yaml"

ORDERS_OAS = (FIDELITY / "apis" / "orders.oas.yaml").read_text(encoding="utf-8").strip()
ORDERS_EVENTS = (FIDELITY / "apis" / "orders-events.json").read_text(encoding="utf-8").strip()
GRAPHQL_SDL = "type Query {\n  order(id: ID!): Order\n}\ntype Order {\n  id: ID!\n}"

# What each entity keeps under backstage: beyond name, namespace, type and spec fields.
EXPECTED: dict[str, dict[str, Any]] = {
    "group:default/orders-team": {
        "backstage:links": [
            {
                "url": "https://chat.example.com/channels/orders",
                "title": "Team chat",
                "icon": "chat",
                "type": "chat",
            }
        ],
        "backstage:profile.displayName": "Orders Team",
        "backstage:profile.email": "orders@example.com",
        "backstage:profile.picture": "https://avatars.example.com/orders.png",
        "backstage:title": "Orders",
    },
    "user:default/omar": {
        "backstage:profile.displayName": "Omar Example",
        "backstage:profile.email": "omar@example.com",
        "backstage:profile.picture": "https://avatars.example.com/omar.jpeg",
    },
    "component:default/orders-service": {
        "backstage:links": [
            {
                "url": "https://dashboards.example.com/orders",
                "title": "Orders dashboard",
                "icon": "dashboard",
                "type": "admin-dashboard",
            },
            {"url": "https://runbooks.example.com/orders"},
        ],
    },
    "api:default/orders-api": {
        "backstage:definition": ORDERS_OAS,
        "backstage:definition.ref": "$text: ./apis/orders.oas.yaml",
    },
    "api:default/orders-graph": {"backstage:definition": GRAPHQL_SDL},
    "api:default/orders-events": {
        "backstage:definition": ORDERS_EVENTS,
        "backstage:definition.ref": "$json: ./apis/orders-events.json",
    },
    "api:default/partner-api": {
        "backstage:definition.ref": "$text: https://partners.example.com/openapi.yaml",
    },
}
KEPT = ("backstage:links", "backstage:profile.", "backstage:definition", "backstage:title")


def kept(properties: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in properties.items() if k.startswith(KEPT)}
    if "backstage:links" in out:
        out["backstage:links"] = json.loads(out["backstage:links"])
    return out


def read(path: Path) -> dict[str, Any]:
    return dict(prepare(path, fmt="backstage").result)


def test_links_profiles_and_definitions_are_kept() -> None:
    result = read(CATALOG)
    got = {n["id"]: kept(json.loads(n["props"]["properties"])) for n in result["nodes"]}
    assert got == EXPECTED
    person = next(n for n in result["nodes"] if n["label"] == "Person")
    assert (person["props"]["name"], person["props"]["email"]) == (
        "Omar Example",
        "omar@example.com",
    )
    team = next(n for n in result["nodes"] if n["label"] == "Team")
    assert team["props"]["name"] == "Orders Team"


def test_what_is_not_kept_is_named_in_a_warning() -> None:
    result = read(CATALOG)
    skipped = sorted((w.subject, w.line, w.message) for w in result["warnings"])
    assert skipped == [
        (
            "api:default/partner-api",
            89,
            "api:default/partner-api: spec.definition $text "
            "'https://partners.example.com/openapi.yaml' not read: not a path inside the "
            "imported tree",
        ),
        (
            "component:default/orders-service",
            33,
            "component:default/orders-service: metadata.links[3] has no url; skipped",
        ),
    ]


def test_a_definition_outside_the_tree_or_too_large_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "secret.yaml").write_text("openapi: 3.0.0\n", encoding="utf-8")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "huge.json").write_text(json.dumps({"x": "y" * MAX_DEFINITION}), encoding="utf-8")
    api = (
        "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: {name}\n"
        "spec:\n  type: openapi\n  definition:\n    {how}: {target}\n"
    )
    (repo / "catalog-info.yaml").write_text(
        "---\n".join(
            [
                api.format(name="outside", how="$text", target="../secret.yaml"),
                api.format(name="huge", how="$json", target="./huge.json"),
                api.format(name="missing", how="$yaml", target="./nowhere.yaml"),
            ]
        ),
        encoding="utf-8",
    )
    result = read(repo / "catalog-info.yaml")
    got = {n["id"]: kept(json.loads(n["props"]["properties"])) for n in result["nodes"]}
    assert got == {
        "api:default/outside": {"backstage:definition.ref": "$text: ../secret.yaml"},
        "api:default/huge": {"backstage:definition.ref": "$json: ./huge.json"},
        "api:default/missing": {"backstage:definition.ref": "$yaml: ./nowhere.yaml"},
    }
    messages = sorted(w.message.split(": ", 1)[1] for w in result["warnings"])
    assert messages[0] == (
        "spec.definition $json './huge.json' has "
        f"{MAX_DEFINITION + 9} characters, over the {MAX_DEFINITION} kept; not stored"
    )
    assert messages[1:] == [
        "spec.definition $text '../secret.yaml' not read: it lies outside the imported tree",
        "spec.definition $yaml './nowhere.yaml' not read: no such file",
    ]


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    store.driver.execute_query("MATCH (r:ImportRun) DETACH DELETE r")
    return store


def test_the_graph_and_its_json_export_keep_them(graph: GraphStore) -> None:
    report = run_import(graph, CATALOG, fmt="backstage")
    assert report["counts"]["nodes"] == {"Person": 1, "Platform": 5, "Team": 1}
    records, _, _ = graph.driver.execute_query(
        "MATCH (n:Element {source: $source}) RETURN n.id AS id, n.properties AS properties",
        source=report["source"],
    )
    stored = {r["id"]: kept(json.loads(r["properties"])) for r in records}
    assert stored == EXPECTED
    out = io.StringIO()
    export_json(graph, out, source=report["source"])
    exported = json.loads(out.getvalue())
    assert {n["id"]: kept(n["properties"]) for n in exported["nodes"]} == EXPECTED
    # Importing the same catalog again changes nothing.
    again = run_import(graph, CATALOG, fmt="backstage")
    assert again["diff"]["nodes"]["changed"] == {}
