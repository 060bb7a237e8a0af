"""One model, one identity: Archi's three formats of it, its export, and honest report counts.

`tests/data/imports/identity/` holds one small model written three ways, as Archi writes
them: `claims.archimate` (ids from Archi 2, some starting with a digit, beside Archi 4's
`id-…` ids), `claims.xml` (its exchange export: `id-` before every id that starts with a
digit, the model's own id included) and `claims_csv/` (its CSV export: ids as held, no
folders, no views). The expected counts below are worked out by hand from those files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import parse

import pytest

from graph.model import NODE_ADAPTER, node_record
from graph.store import GraphStore
from importers.exchange import EXCHANGE_NS
from importers.export import export_exchange
from importers.identity import archimate_id, archimate_source, exchange_identifier
from importers.pipeline import run_import

DATA = Path(__file__).parent / "data" / "imports"
MODEL = DATA / "identity"
FORMATS = {"archi": "claims.archimate", "exchange": "claims.xml", "csv": "claims_csv"}
SOURCE = "archimate:id-11f5304f"  # the model id 11f5304f, as the exchange export spells it
VOLATILE = {"import_run", "created_at", "updated_at"}
FOLDER = "archimate:folder"  # the CSV export has no folders
VIEW = "id-1200"  # nor views

ELEMENTS = {
    "id-1044": "Team",  # BusinessActor "Claims Team"
    "id-1045": "GenericElement",  # BusinessRole "Insurant": a party outside, not a person
    "id-1052": "GenericElement",  # BusinessProcess
    "id-4c9e0b7d2f6a4e8b9d1c3a5f7e9b2d40": "GenericElement",  # BusinessService (Archi 4 id)
    "id-1071": "Platform",  # ApplicationComponent
    "id-1073": "Platform",  # ApplicationService
    "id-8e1d2c3b-5a6f-4e7d-9c8b-1a2b3c4d5e6f": "DataAsset",  # DataObject (Archi 3 UUID)
    "id-1090": "Platform",  # Node
    "a91f0c22": "GenericElement",  # Goal: its id starts with a letter and is kept as is
}
RELATIONSHIPS = {
    ("OWNS", "id-1100", "id-1044", "id-1052"),  # Assignment, team → process
    ("RELATED_TO", "id-1101", "id-1073", "id-1052"),  # Serving: a process uses no platform
    ("USES", "id-1102", "id-1073", "id-1071"),  # Realization: the realized uses the realizer
    ("READS", "id-1103", "id-1071", "id-8e1d2c3b-5a6f-4e7d-9c8b-1a2b3c4d5e6f"),
    ("RELATED_TO", "id-1104", "id-1052", "id-8e1d2c3b-5a6f-4e7d-9c8b-1a2b3c4d5e6f"),
    ("USES", "id-1105", "id-1071", "id-1090"),  # Serving: the served uses the server
    ("RELATED_TO", "id-1106", "id-1045", "id-4c9e0b7d2f6a4e8b9d1c3a5f7e9b2d40"),
    ("RELATED_TO", "id-1107", "id-1052", "a91f0c22"),  # Influence
    (
        "RELATED_TO",
        "id-7d3e5f9a1b2c4d6e8f0a1b3c5d7e9f11",
        "id-1052",
        "id-4c9e0b7d2f6a4e8b9d1c3a5f7e9b2d40",
    ),
}


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    store.driver.execute_query("MATCH (r:ImportRun) DETACH DELETE r")
    return store


def nodes(store: GraphStore) -> dict[str, tuple[str, dict[str, Any]]]:
    """id → (label, properties but the per-run ones), the free properties parsed."""
    records, _, _ = store.driver.execute_query(
        "MATCH (n:Element) RETURN n.id AS id, "
        "[l IN labels(n) WHERE l <> 'Element'][0] AS label, properties(n) AS props"
    )
    return {r["id"]: (r["label"], _props(r["props"])) for r in records}


def rels(store: GraphStore) -> dict[tuple[str, str, str, str], dict[str, Any]]:
    records, _, _ = store.driver.execute_query(
        "MATCH (a:Element)-[r]->(b:Element) "
        "RETURN type(r) AS type, r.id AS id, a.id AS a, b.id AS b, properties(r) AS props"
    )
    return {(r["type"], r["id"], r["a"], r["b"]): _props(r["props"]) for r in records}


def _props(props: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in props.items() if k not in VOLATILE}
    if isinstance(out.get("properties"), str):
        out["properties"] = json.loads(out["properties"])
    return out


def without_folders(props: dict[str, Any]) -> dict[str, Any]:
    return {**props, "properties": {k: v for k, v in props["properties"].items() if k != FOLDER}}


def graph_counts(store: GraphStore, source: str) -> tuple[dict[str, int], dict[str, int]]:
    """What the graph holds for a source, by node label and relationship type."""
    records, _, _ = store.driver.execute_query(
        "MATCH (n:Element {source: $s}) "
        "RETURN [l IN labels(n) WHERE l <> 'Element'][0] AS label, count(*) AS n",
        s=source,
    )
    by_label = {r["label"]: r["n"] for r in records}
    records, _, _ = store.driver.execute_query(
        "MATCH ()-[r {import_source: $s}]->() RETURN type(r) AS type, count(*) AS n", s=source
    )
    return by_label, {r["type"]: r["n"] for r in records}


def nothing_changed(report: dict[str, Any]) -> None:
    for kind in ("nodes", "relationships"):
        assert report["diff"][kind]["total"] == {"added": 0, "changed": 0, "removed": 0}
        assert report["diff"][kind]["total_taken_over"] == 0


# -- the rule --------------------------------------------------------------------------


def test_one_spelling_of_an_id_and_of_the_source_key() -> None:
    assert archimate_id("1044") == "id-1044"
    assert archimate_id("8e1d2c3b-5a6f") == "id-8e1d2c3b-5a6f"
    assert archimate_id("id-1044") == "id-1044"  # already spelled so: one identity
    assert archimate_id("a91f0c22") == "a91f0c22"
    assert archimate_id("_x") == "_x"
    assert archimate_source("11f5304f", "claims.archimate") == SOURCE
    assert archimate_source("id-11f5304f", "claims.xml") == SOURCE
    assert archimate_source("", "claims.xml") == "archimate:file:claims.xml"


def test_export_identifiers_follow_archi_and_are_readable_otherwise() -> None:
    assert exchange_identifier("app-core") == "app-core"
    assert exchange_identifier("svc-café") == "svc-café"
    assert exchange_identifier("1234") == "id-1234"  # Archi's convention
    assert exchange_identifier("-x") == "id--x"
    assert exchange_identifier("app:core") == "app_3A_core"
    assert exchange_identifier("1/a b") == "id-1_2F_a_20_b"
    assert exchange_identifier("app:core") == exchange_identifier("app:core")  # stable


# -- three formats, one graph ------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_each_format_gives_the_same_ids_under_the_same_source(graph: GraphStore, fmt: str) -> None:
    report = run_import(graph, MODEL / FORMATS[fmt])

    assert (report["format"], report["source"]) == (fmt, SOURCE)
    views = {} if fmt == "csv" else {VIEW: "GenericElement"}
    assert {i: label for i, (label, _) in nodes(graph).items()} == ELEMENTS | views
    assert set(rels(graph)) == RELATIONSHIPS
    assert {p["source"] for _, p in nodes(graph).values()} == {SOURCE}
    # Archi's spelling is not an encoding: nothing keeps the file's spelling aside.
    assert report["counts"]["encoded_ids"] == 0
    assert not any("archimate:id" in p["properties"] for _, p in nodes(graph).values())
    assert report["counts"]["nodes"] == {
        "DataAsset": 1,
        "GenericElement": 4 + len(views),
        "Platform": 3,
        "Team": 1,
    }
    assert report["counts"]["relationships"] == {
        "OWNS": 1,
        "READS": 1,
        "RELATED_TO": 5,
        "USES": 2,
    }
    assert report["counts"]["fallback_relationships"] == 5


def test_the_three_formats_hold_the_same_names_text_and_properties(graph: GraphStore) -> None:
    seen = {}
    for fmt, name in FORMATS.items():
        graph.clear()
        run_import(graph, MODEL / name)
        seen[fmt] = (nodes(graph), rels(graph))
    assert seen["archi"] == seen["exchange"]
    archi_nodes, archi_rels = seen["archi"]
    csv_nodes, csv_rels = seen["csv"]
    assert {i: without_folders(p) for i, (_, p) in archi_nodes.items() if i != VIEW} == {
        i: without_folders(p) for i, (_, p) in csv_nodes.items()
    }
    assert {k: without_folders(p) for k, p in archi_rels.items()} == {
        k: without_folders(p) for k, p in csv_rels.items()
    }
    process = archi_nodes["id-1052"][1]
    assert (process["name"], process["description"]) == (
        "Handle Claim",
        "Register, assess and pay a claim.",
    )
    assert archi_nodes["id-1071"][1]["properties"]["Vendor"] == "In-house"


@pytest.mark.parametrize(("first", "then"), [("archi", "exchange"), ("exchange", "archi")])
def test_the_exchange_export_on_top_of_the_archi_file_changes_nothing(
    graph: GraphStore, first: str, then: str
) -> None:
    run_import(graph, MODEL / FORMATS[first])
    before = (nodes(graph), rels(graph))

    report = run_import(graph, MODEL / FORMATS[then])

    assert report["source"] == SOURCE
    nothing_changed(report)
    assert report["diff"]["nodes"]["unchanged"] == len(ELEMENTS) + 1
    assert report["diff"]["relationships"]["unchanged"] == len(RELATIONSHIPS)
    assert not [w for w in report["warnings"] if w["code"] == "taken-over"]
    assert (nodes(graph), rels(graph)) == before


def test_the_csv_export_on_top_adds_moves_and_removes_nothing(graph: GraphStore) -> None:
    run_import(graph, MODEL / FORMATS["archi"])
    ids = set(nodes(graph)), set(rels(graph))

    report = run_import(graph, MODEL / FORMATS["csv"])

    assert report["source"] == SOURCE
    for kind in ("nodes", "relationships"):
        assert report["diff"][kind]["total"]["added"] == 0
        assert report["diff"][kind]["total_taken_over"] == 0
    # What the CSV export cannot carry: folders (a change of that property only) and
    # the view (no longer in the file; kept, as without --prune).
    assert report["diff"]["nodes"]["total"]["removed"] == 1
    assert report["diff"]["relationships"]["total"]["removed"] == 0
    assert (set(nodes(graph)), set(rels(graph))) == ids
    twice = run_import(graph, MODEL / FORMATS["csv"])
    assert twice["diff"]["nodes"]["total"] == {"added": 0, "changed": 0, "removed": 1}
    assert twice["diff"]["relationships"]["total"] == {"added": 0, "changed": 0, "removed": 0}
    assert twice["stored"] == {"nodes": {}, "relationships": {}}


def test_two_spellings_of_one_id_in_one_file_are_refused(tmp_path: Path) -> None:
    from importers.errors import ImportFailure
    from importers.preparation import prepare

    text = (MODEL / "claims.archimate").read_text(encoding="utf-8")
    twice = text.replace('name="Mainframe" id="1090"', 'name="Mainframe" id="id-1044"')
    path = tmp_path / "twice.archimate"
    path.write_text(twice, encoding="utf-8")
    with pytest.raises(ImportFailure, match="'1044' and 'id-1044' both become node id"):
        prepare(path)


def test_a_model_imported_before_the_rule_is_named_not_duplicated_silently(
    graph: GraphStore,
) -> None:
    earlier = node_record(
        NODE_ADAPTER.validate_python({"type": "Platform", "id": "1090", "name": "Mainframe"}),
        source="archimate:11f5304f",  # the model id as claims.archimate writes it
    )
    graph.write([earlier], [])

    report = run_import(graph, MODEL / FORMATS["archi"])

    found = [w for w in report["warnings"] if w["code"] == "earlier-spelling"]
    assert [(w["subject"], w["msg"].split(";")[0]) for w in found] == [
        (
            "archimate:11f5304f",
            "1 element(s) of this model were imported before as source "
            "'archimate:11f5304f', with ids as the file wrote them",
        )
    ]
    again = run_import(graph, MODEL / FORMATS["exchange"])
    assert not [w for w in again["warnings"] if w["code"] == "earlier-spelling"]


# -- export and back ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_export_keeps_the_model_identifier_and_the_ids(
    graph: GraphStore, tmp_path: Path, fmt: str
) -> None:
    first = run_import(graph, MODEL / FORMATS[fmt])
    before = (nodes(graph), rels(graph))
    exported = tmp_path / "claims-export.xml"
    with exported.open("w", encoding="utf-8") as out:
        export_exchange(graph, out, source=first["source"])

    root = parse(exported).getroot()
    assert root.get("identifier") == "id-11f5304f"
    written = {e.get("identifier") for e in root.iter(f"{{{EXCHANGE_NS}}}element")}
    assert written == set(ELEMENTS)
    written_rels = {e.get("identifier") for e in root.iter(f"{{{EXCHANGE_NS}}}relationship")}
    assert written_rels == {r[1] for r in RELATIONSHIPS}
    assert "valuegraph:id" not in exported.read_text(encoding="utf-8")

    again = run_import(graph, exported)

    assert again["source"] == first["source"]
    nothing_changed(again)
    assert (nodes(graph), rels(graph)) == before


def test_ids_that_are_not_xml_names_go_out_the_archi_way_and_come_back(
    graph: GraphStore, tmp_path: Path
) -> None:
    made = [
        node_record(
            NODE_ADAPTER.validate_python({"type": "Platform", "id": ident, "name": name}),
            source="hand",
        )
        for ident, name in (("1234", "Digits"), ("app:core", "Colon"), ("id-1234", "Taken"))
    ]
    graph.write(made, [])
    exported = tmp_path / "hand.xml"
    with exported.open("w", encoding="utf-8") as out:
        export_exchange(graph, out, source="hand")
    root = parse(exported).getroot()
    by_name = {
        e.find(f"{{{EXCHANGE_NS}}}name").text: e.get("identifier")  # type: ignore[union-attr]
        for e in root.iter(f"{{{EXCHANGE_NS}}}element")
    }
    # "id-1234" is the graph id of "Taken": the digits' spelling is numbered, not hashed.
    assert by_name == {"Digits": "id-1234-2", "Colon": "app_3A_core", "Taken": "id-1234"}

    graph.clear()
    run_import(graph, exported)
    assert {p["name"]: i for i, (_, p) in nodes(graph).items()} == {
        "Digits": "1234",
        "Colon": "app:core",
        "Taken": "id-1234",
    }


# -- the report counts what was written ---------------------------------------------------


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_the_report_counts_what_the_write_wrote(graph: GraphStore, fmt: str) -> None:
    report = run_import(graph, MODEL / FORMATS[fmt])

    by_label, by_type = graph_counts(graph, SOURCE)
    assert report["counts"]["nodes"] == by_label
    assert report["counts"]["relationships"] == by_type
    assert report["counts"]["fallback_relationships"] == by_type["RELATED_TO"]
    assert report["stored"] == {"nodes": by_label, "relationships": by_type}
    assert report["stored"] == planned(report)
    assert report["diff"]["nodes"]["added"] == by_label
    assert report["diff"]["relationships"]["added"] == by_type

    again = run_import(graph, MODEL / FORMATS[fmt])
    assert again["stored"] == {"nodes": {}, "relationships": {}}


def planned(report: dict[str, Any]) -> dict[str, dict[str, int]]:
    """What the diff says is written: added, changed and taken over, by type."""
    out: dict[str, dict[str, int]] = {}
    for kind in ("nodes", "relationships"):
        by: dict[str, int] = {}
        for part in ("added", "changed", "taken_over"):
            for name, n in report["diff"][kind][part].items():
                by[name] = by.get(name, 0) + n
        out[kind] = dict(sorted(by.items()))
    return out


def test_a_changed_model_reports_the_changes_it_wrote(graph: GraphStore, tmp_path: Path) -> None:
    run_import(graph, MODEL / FORMATS["archi"])
    text = (MODEL / FORMATS["archi"]).read_text(encoding="utf-8")
    changed = text.replace('name="Mainframe"', 'name="Mainframe (z/OS)"').replace(
        '<element xsi:type="archimate:BusinessActor" name="Claims Team" id="1044"/>',
        '<element xsi:type="archimate:BusinessActor" name="Claims Team" id="1044">'
        '<property key="valuegraph:type" value="Person"/></element>',
    )
    path = tmp_path / "claims.archimate"
    path.write_text(changed, encoding="utf-8")

    report = run_import(graph, path)

    # Mainframe renamed; Claims Team relabelled a Person (in place, as the diff plans).
    assert report["diff"]["nodes"]["changed"] == {"Person": 1, "Platform": 1}
    assert report["diff"]["nodes"]["total"] == {"added": 0, "changed": 2, "removed": 0}
    assert report["stored"] == planned(report)
    assert nodes(graph)["id-1044"][0] == "Person"


def test_elements_taken_over_from_another_source_are_not_reported_as_added(
    graph: GraphStore,
) -> None:
    decoy = node_record(
        NODE_ADAPTER.validate_python({"type": "Platform", "id": "id-1090", "name": "Mainframe"}),
        source="decoy",
    )
    graph.write([decoy], [])

    report = run_import(graph, MODEL / FORMATS["archi"])

    nodes_diff = report["diff"]["nodes"]
    assert nodes_diff["taken_over"] == {"Platform": 1}
    assert nodes_diff["total_taken_over"] == 1
    assert nodes_diff["added"]["Platform"] == 2
    assert nodes_diff["total"]["added"] == len(ELEMENTS)  # 9 elements and the view, less one
    assert report["diff"]["examples"]["nodes"]["taken_over"] == ["id-1090"]
    assert "id-1090" not in report["diff"]["examples"]["nodes"]["added"]
    by_label, by_type = graph_counts(graph, SOURCE)
    assert report["stored"] == {"nodes": by_label, "relationships": by_type}
    assert report["stored"] == planned(report)
    assert graph_counts(graph, "decoy") == ({}, {})


def test_a_relationship_stated_twice_in_a_catalog_is_counted_once(graph: GraphStore) -> None:
    report = run_import(graph, MODEL / "stated_twice.yaml")

    by_label, by_type = graph_counts(graph, report["source"])
    assert by_type == {"RELATED_TO": 1}  # claims-intake childOf claims, stated by both
    assert report["counts"]["relationships_in_file"] == 2
    assert report["counts"]["fallback_relationships"] == 1
    assert report["counts"]["nodes"] == by_label == {"Team": 2}
    assert report["counts"]["relationships"] == by_type
    assert report["stored"] == {"nodes": by_label, "relationships": by_type}
