"""Parse and transform on canned files, without a database: mapping, formats, diff plan."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from importers.diff import plan
from importers.errors import ImportFailure
from importers.exchange import parse_exchange
from importers.formats import detect_format
from importers.mapping import load_mapping
from importers.preparation import prepare
from importers.transform import transform
from importers.xmlstream import iter_xml

DATA = Path(__file__).parent / "data" / "imports"
BANK_NODES = {
    "Capability": 2,
    "DataAsset": 1,
    "GenericElement": 4,
    "Person": 1,
    "Platform": 2,
    "Stage": 3,
    "Team": 1,
    "ValueStream": 1,
}


def by_id(result: Any) -> dict[str, dict[str, Any]]:
    return {n["id"]: n for n in result["nodes"]}


def free(node: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(node["props"]["properties"]))


def edges(result: Any) -> set[tuple[str, str, str]]:
    return {(r["type"], r["source"], r["target"]) for r in result["relationships"]}


def test_formats_are_detected_from_names_and_content(tmp_path: Path) -> None:
    assert detect_format(DATA / "bank.xml") == "exchange"
    assert detect_format(DATA / "bank.archimate") == "archi"
    assert detect_format(DATA / "bank_csv") == "csv"
    assert detect_format(DATA / "bank_csv" / "bank-relations.csv") == "csv"
    assert detect_format(DATA / "catalog") == "backstage"
    renamed = tmp_path / "model.xml"
    renamed.write_bytes((DATA / "bank.archimate").read_bytes())
    assert detect_format(renamed) == "archi"
    with pytest.raises(ImportFailure, match="cannot tell the format"):
        (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
        detect_format(tmp_path / "notes.txt")


def test_exchange_elements_map_to_the_schema_types() -> None:
    result = prepare(DATA / "bank.xml").result
    assert result["counts"]["nodes"] == BANK_NODES
    assert result["counts"]["unmapped_elements"] == 3
    # r-dangling names no element; r-on-rel (an association to a relationship) is kept,
    # attached to that relationship's source.
    assert result["counts"]["skipped_relationships"] == 1
    assert result["counts"]["anchored_relationships"] == 1
    on_rel = next(r for r in result["relationships"] if r["id"] == "r-on-rel")
    assert (on_rel["type"], on_rel["source"], on_rel["target"]) == (
        "RELATED_TO",
        "goal-1",
        "actor-team",
    )
    assert json.loads(on_rel["props"]["properties"])["archimate:targetRelationship"] == "r-owns"
    nodes = by_id(result)
    assert nodes["node-k8s"]["props"]["kind"] == "technology"
    assert nodes["goal-1"]["label"] == "GenericElement"
    assert nodes["goal-1"]["props"]["original_type"] == "Goal"
    assert nodes["j1"]["props"]["name"] == "AndJunction"  # unnamed: its type stands in
    credit = nodes["cap-credit"]
    assert credit["props"]["description"] == "Decide on credit applications."
    assert free(credit) == {
        "archimate:documentation@nl": "Beslissen over kredietaanvragen.",
        "archimate:folder": "Strategy",
        "archimate:lang": "en",
        "archimate:name@nl": "Kredietbeslissing",
        "archimate:type": "Capability",
    }
    assert free(nodes["vs-mortgage"])["Owner"] == "Retail lending"  # definitions come last
    view = nodes["view-overview"]
    assert (view["label"], view["props"]["original_type"]) == ("GenericElement", "View")
    assert free(view)["archimate:elements"] == "vs-mortgage vs-m-apply cap-credit app-core"
    assert free(view)["archimate:relationships"] == "r-realizes"


def test_relationships_take_the_first_allowed_candidate_or_related_to() -> None:
    result = prepare(DATA / "bank.xml").result
    rels = {r["id"]: r for r in result["relationships"]}
    assert (rels["r-realizes"]["type"], rels["r-realizes"]["source"]) == ("USES", "cap-credit")
    assert rels["r-reads"]["type"] == "READS" and rels["r-writes"]["type"] == "WRITES"
    assert rels["r-member"]["type"] == "MEMBER_OF"
    assert rels["r-supports"]["type"] == "SUPPORTS"
    assert rels["r-owns"]["type"] == "OWNS"
    assoc = rels["r-assoc"]
    assert (assoc["type"], assoc["props"]["original_type"]) == ("RELATED_TO", "Association")
    assert json.loads(assoc["props"]["properties"]) == {
        "archimate:documentation": "Jane answers for the stream.",
        "archimate:isDirected": True,
    }
    assert json.loads(rels["r-realizes"]["props"]["properties"])["archimate:name"] == "implements"
    assert "r-dangling" not in rels and "r-on-rel" in rels  # kept, attached to a source
    warned = {w.subject: w.message for w in result["warnings"]}
    assert "'missing-element' is not an element" in warned["r-dangling"]
    assert "is a relationship" in warned["r-on-rel"]


def test_value_stream_chains_become_ordered_stages() -> None:
    nodes = by_id(prepare(DATA / "bank.xml").result)
    stages = {i: n["props"]["order"] for i, n in nodes.items() if n["label"] == "Stage"}
    assert stages == {"vs-m-apply": 1, "vs-m-assess": 2, "vs-m-offer": 3}
    assert nodes["vs-mortgage"]["label"] == "ValueStream"


def test_ids_the_graph_refuses_are_encoded_and_say_so() -> None:
    result = prepare(DATA / "bank.xml").result
    node = next(n for n in result["nodes"] if n["props"]["name"] == "Café service")
    assert node["id"] == "svc-caf_@5689770861"
    assert free(node)["archimate:id"] == "svc-café"
    assert [w.line for w in result["warnings"] if w.code == "id-encoded"] == [71]


def test_the_three_archimate_formats_give_the_same_graph() -> None:
    def shape(path: Path) -> tuple[Any, Any]:
        result = prepare(path).result
        nodes = {(n["id"], n["label"], n["props"]["name"]) for n in result["nodes"]}
        views = {n for n in nodes if n[0].startswith("view-")}
        return nodes - views, edges(result)

    exchange = shape(DATA / "bank.xml")
    assert shape(DATA / "bank.archimate")[1] == exchange[1]
    assert shape(DATA / "bank_csv")[1] == exchange[1]
    # Archi names junctions differently and leaves them unnamed.
    assert shape(DATA / "bank.archimate")[0] - exchange[0] == {("j1", "GenericElement", "Junction")}
    assert shape(DATA / "bank_csv")[0] - exchange[0] == {("j1", "GenericElement", "Junction")}


def test_archi_specifics_are_kept() -> None:
    prepared = prepare(DATA / "bank.archimate")
    nodes = by_id(prepared.result)
    assert prepared.result["source"] == "archimate:id-model-bank"
    assert free(nodes["app-core"])["Vendor#2"] == "In-house extensions"
    assert free(nodes["actor-jane"])["archimate:specialization"] == "Product owner"
    assert free(nodes["actor-jane"])["archimate:folder"] == "Business/People"
    assert free(nodes["node-k8s"])["archimate:folder"] == "Technology & Physical"
    assert free(nodes["j1"])["archimate:junctionType"] == "and"
    assert free(nodes["view-overview"])["archimate:views"] == "view-people"
    rels = {r["id"]: r for r in prepared.result["relationships"]}
    assert rels["r-reads"]["type"] == "READS"  # accessType="1"
    assert rels["r-writes"]["type"] == "WRITES"  # no accessType: Archi's default, write
    assert {w.code for w in prepared.result["warnings"]} >= {"view-skipped", "property-repeated"}


def test_archi_csv_reads_special_properties_and_excel_quoting() -> None:
    prepared = prepare(DATA / "bank_csv")
    nodes = by_id(prepared.result)
    assert [f.name for f in prepared.files] == [
        "bank-elements.csv",
        "bank-relations.csv",
        "bank-properties.csv",
    ]
    assert nodes["actor-jane"]["label"] == "Person"  # property rule: "Actor type" = person
    assert free(nodes["app-core"])["Cost centre"] == "0042"
    assert nodes["cap-credit"]["props"]["description"].endswith('two lines "quoted".')
    rels = {r["id"]: r for r in prepared.result["relationships"]}
    assert json.loads(rels["r-influence"]["props"]["properties"])["archimate:modifier"] == "+"
    assert rels["r-reads"]["type"] == "READS"
    warnings = prepared.result["warnings"]
    assert [w.line for w in warnings if w.code == "dangling-relationship"] == [20]
    assert [w.line for w in warnings if w.code == "relationship-end-anchored"] == [21]


def test_backstage_kinds_and_relations_map_to_the_schema() -> None:
    result = prepare(DATA / "catalog").result
    assert result["source"] == "backstage:catalog"
    assert result["counts"]["nodes"] == {
        "Capability": 1,
        "DataAsset": 1,
        "Person": 1,
        "Platform": 6,
        "Team": 2,
    }
    nodes = by_id(result)
    assert nodes["user:default/jane"]["props"]["email"] == "jane@example.com"
    assert nodes["component:default/loan-service"]["props"]["tags"] == ["java", "lending"]
    assert (
        free(nodes["component:default/loan-service"])[
            "backstage:annotation/github.com/project-slug"
        ]
        == "example/loan-service"
    )
    got = edges(result)
    assert got >= {
        ("OWNS", "group:default/lending-squad", "component:default/loan-service"),
        ("ACCOUNTABLE_FOR", "user:default/jane", "component:default/credit-engine"),
        ("MEMBER_OF", "user:default/jane", "group:default/lending-squad"),
        ("DEPENDS_ON", "component:default/loan-service", "component:default/credit-engine"),
        ("USES", "component:default/loan-service", "api:payments/payments-api"),
        ("USES", "system:default/core-banking", "component:default/loan-service"),
        ("USES", "domain:default/lending", "system:default/core-banking"),
        ("USES", "api:default/loans-api", "component:default/loan-service"),
        ("RELATED_TO", "component:default/loan-service", "resource:default/loans-db"),
    }
    # Jane's membership is stated on both sides; it is one relationship.
    assert next(r for r in result["relationships"] if r["type"] == "MEMBER_OF")["id"] == (
        "user:default/jane|MEMBER_OF|group:default/lending-squad"
    )
    assert len([r for r in result["relationships"] if r["type"] == "MEMBER_OF"]) == 1
    assert {w.code for w in result["warnings"]} == {"location-skipped", "dangling-relationship"}


def test_a_user_mapping_overrides_the_default_one_key_at_a_time(tmp_path: Path) -> None:
    mapping = tmp_path / "mine.yaml"
    mapping.write_text(
        "unknown_types: keep\n"
        "elements:\n"
        "  Goal: {type: Measure}\n"
        "  BusinessActor:\n"
        "    type: Person\n"
        "    rules: [{folder: '^Teams$', type: Team}]\n"
        "relationships:\n"
        "  Influence: [{type: MEASURED_BY, reverse: true}]\n",
        encoding="utf-8",
    )
    result = prepare(DATA / "bank.xml", mapping_file=mapping).result
    nodes = by_id(result)
    assert nodes["goal-1"]["label"] == "Measure"
    assert (nodes["actor-team"]["label"], nodes["actor-jane"]["label"]) == ("Team", "Person")
    assert nodes["app-core"]["label"] == "Platform"  # untouched defaults still apply
    assert ("MEASURED_BY", "vs-mortgage", "goal-1") in edges(result)
    unknown = prepare(DATA / "bad" / "unknown_type.xml", mapping_file=mapping).result
    assert by_id(unknown)["b"]["props"]["original_type"] == "BusinesActor"
    assert [w.code for w in unknown["warnings"]] == ["unknown-type"]


def test_valuegraph_properties_set_types_and_fields_and_bad_values_are_kept() -> None:
    raw = parse_exchange(DATA / "bank.xml")
    raw["elements"][0]["properties"].update(
        {"valuegraph:funding_model": "grant", "valuegraph:purpose": "Homes", "valuegraph:nope": "x"}
    )
    raw["elements"][-1]["properties"]["valuegraph:type"] = "Investment"
    raw["elements"][-1]["properties"]["valuegraph:amount"] = "1e6"
    result = transform(raw, load_mapping("archimate"), source="t")
    nodes = by_id(result)
    stream = nodes["vs-mortgage"]
    assert stream["props"]["purpose"] == "Homes"
    assert stream["props"]["funding_model"] is None
    assert free(stream)["valuegraph:funding_model"] == "grant"
    assert free(stream)["valuegraph:nope"] == "x"
    invest = nodes["svc-caf_@5689770861"]
    assert (invest["label"], invest["props"]["amount"]) == ("Investment", 1_000_000.0)
    assert {w.code for w in result["warnings"]} >= {"bad-field", "unknown-field"}


def test_bad_mapping_files_name_the_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("elements:\n  Capability: Capabilty\n", encoding="utf-8")
    with pytest.raises(ImportFailure, match=r"elements\.Capability: unknown node type 'Capabilty'"):
        load_mapping("archimate", bad)
    bad.write_text("relationships:\n  Serving: [{type: USES, sideways: true}]\n", encoding="utf-8")
    with pytest.raises(ImportFailure, match="sideways"):
        load_mapping("archimate", bad)
    bad.write_text("elements: [\n", encoding="utf-8")
    with pytest.raises(ImportFailure) as err:
        load_mapping("archimate", bad)
    assert err.value.line == 2 and err.value.file == str(bad)


def test_the_diff_plan_sorts_records_into_added_changed_removed() -> None:
    def node(i: str, label: str = "Platform", name: str = "x") -> dict[str, Any]:
        return {"id": i, "label": label, "props": {"name": name, "source": "s", "import_run": "r"}}

    def rel(i: str, t: str, a: str, b: str) -> dict[str, Any]:
        return {"id": i, "type": t, "source": a, "target": b, "props": {"properties": "{}"}}

    existing_nodes = [
        {**node("same"), "props": {"id": "same", "name": "x", "updated_at": "t", "source": "s"}},
        node("renamed"),
        node("retyped", "Team"),
        node("gone"),
    ]
    existing_rels = [
        rel("r1", "USES", "same", "renamed"),
        rel("r2", "USES", "same", "renamed"),
        rel("r3", "USES", "same", "gone"),
    ]
    out = plan(
        [node("same"), node("renamed", name="y"), node("retyped", "Person"), node("new")],
        [
            rel("r1", "USES", "same", "renamed"),
            rel("r2", "USES", "same", "new"),
            rel("r4", "OWNS", "retyped", "new"),
        ],
        existing_nodes,
        existing_rels,
    )
    report = out["report"]
    assert report["nodes"]["added"] == {"Platform": 1}
    assert report["nodes"]["changed"] == {"Person": 1, "Platform": 1}
    assert report["nodes"]["removed"] == {"Platform": 1}
    assert report["nodes"]["unchanged"] == 1
    assert [n["id"] for n in out["write_nodes"]] == ["renamed", "new"]
    assert [(old, new, n["id"]) for old, new, n in out["relabel"]] == [
        ("Team", "Person", "retyped")
    ]
    assert out["replace_relationships"] == [("USES", "r2")]
    assert [r["id"] for r in out["late_relationships"]] == ["r2", "r4"]
    assert out["write_relationships"] == []
    assert out["remove_relationships"] == [("USES", "r3")] and out["remove_nodes"] == ["gone"]


def test_streaming_keeps_memory_flat_on_a_large_file(tmp_path: Path) -> None:
    path = tmp_path / "big.xml"
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" identifier="m"><elements>'
        )
        for i in range(40_000):
            out.write(
                f'<element identifier="e{i}" xsi:type="Capability"><name>Element {i}</name>'
                f"<documentation>{'x' * 200}</documentation></element>\n"
            )
        out.write("</elements></model>")
    size = path.stat().st_size
    tracemalloc.start()
    seen = 0
    with path.open("rb") as stream:
        for kind, _elem, _path, _ in iter_xml(
            stream, file=path, want=lambda p: p == ("model", "elements", "element")
        ):
            seen += kind == "end"
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert seen == 40_000
    assert size > 10_000_000 and peak < size / 8  # never the document, let alone twice


@pytest.mark.parametrize(
    "path",
    [
        DATA / "bank.xml",  # an id the graph refuses: encoded, with a warning
        DATA / "identity" / "claims.xml",  # ids that start with a digit: spelled with id-
        DATA / "identity" / "claims.archimate",
        DATA / "identity" / "claims_csv",
        DATA / "lifecycle.xml",
        "generated",  # every id plain: kept as it is, without the loop
        "given",  # plain ids, one given by a valuegraph:id property: the loop decides
    ],
)
def test_ids_kept_as_they_are_in_bulk_map_as_the_loop_maps_them(
    path: Path | str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from importers import transform as transform_module
    from samples.generate import generate

    if path == "generated":
        path = tmp_path / "model.xml"
        with path.open("w", encoding="utf-8") as out:
            generate(300, 5, out)
    elif path == "given":
        path = tmp_path / "given.xml"
        path.write_text(
            """<?xml version="1.0" encoding="UTF-8"?>
<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/"
       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" identifier="id-m">
  <name xml:lang="en">Given</name>
  <elements>
    <element identifier="app-a" xsi:type="ApplicationComponent">
      <name xml:lang="en">A</name>
      <properties>
        <property propertyDefinitionRef="pd-id"><value xml:lang="en">app-given</value></property>
      </properties>
    </element>
    <element identifier="app-b" xsi:type="ApplicationComponent"><name>B</name></element>
  </elements>
  <relationships>
    <relationship identifier="r-1" source="app-a" target="app-b" xsi:type="Serving"/>
  </relationships>
  <propertyDefinitions>
    <propertyDefinition identifier="pd-id" type="string"><name>valuegraph:id</name></propertyDefinition>
  </propertyDefinitions>
</model>
""",
            encoding="utf-8",
        )
    bulk = prepare(Path(path)).result
    monkeypatch.setattr(transform_module, "_plain_ids", lambda *_a, **_k: None)
    one_by_one = prepare(Path(path)).result
    for result in (bulk, one_by_one):
        for record in (*result["nodes"], *result["relationships"]):
            record["props"].pop("import_run", None)
    assert bulk["nodes"] == one_by_one["nodes"]
    assert bulk["relationships"] == one_by_one["relationships"]
    assert [w.as_dict() for w in bulk["warnings"]] == [w.as_dict() for w in one_by_one["warnings"]]
    assert bulk["counts"] == one_by_one["counts"]
