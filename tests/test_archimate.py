"""ArchiMate understood, not parked: every element keeps its ArchiMate type beside its
operating-model role, every relationship type has a propagation rule, and the questions
walk an Archi model the way the specification reads it.

The fixture, tests/data/imports/archimate/insurer.archimate, is an insurer's claims
architecture written for these tests in the shape Archi saves real models (Archisurance
among them); every expected count below was worked out by hand from that file.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from graph.archimate import ELEMENT_KINDS, ELEMENTS, RELATIONSHIP_KINDS
from graph.schema import SCHEMA
from graph.store import GraphStore
from importers.export import export_exchange
from importers.pipeline import prepare, run_import
from queries import bottlenecks as bn
from queries import health as hl
from queries.impact import ImpactResult, WalkOptions, impact
from queries.model_graph import ModelGraph
from queries.propagation import DEFAULT_TABLE, Flow, PropagationError, parse_overrides, rel_key
from queries.walk_index import WalkIndex
from tests.question_graphs import cli_json, gql

MODEL = Path(__file__).parent / "data" / "imports" / "archimate" / "insurer.archimate"

# Labels, the view included (a GenericElement).
LABELS = {"DataAsset": 3, "GenericElement": 22, "Person": 1, "Platform": 6, "Team": 2}
RELS = {"ACCOUNTABLE_FOR": 1, "OWNS": 2, "RELATED_TO": 35, "USES": 3, "WRITES": 1}


# -- the declaration and the table (no database) -----------------------------------------


def test_every_archimate_type_is_declared_once_and_the_rules_derive_from_it() -> None:
    # ArchiMate 3.2's 61, the junction included (the exchange format's And and Or
    # junctions are read as it).
    assert len(ELEMENTS) == len(ELEMENT_KINDS) == 61
    prop = SCHEMA.node("Platform").prop("archimate_type")
    assert prop is not None and set(prop.choices) == set(ELEMENTS)
    assert all(n.prop("archimate_type") == prop for n in SCHEMA.nodes)
    related = {k.split(":", 1)[1] for k in DEFAULT_TABLE.rules if k.startswith("RELATED_TO:")}
    assert related == {k.name for k in RELATIONSHIP_KINDS}
    assert {k.name.split(":")[0] for k in RELATIONSHIP_KINDS} == {
        "composition",
        "aggregation",
        "assignment",
        "realization",
        "serving",
        "access",
        "influence",
        "triggering",
        "flow",
        "specialization",
        "association",
    }
    flows = {k: DEFAULT_TABLE.flow(f"RELATED_TO:{k}") for k in ("serving", "assignment")}
    assert flows == {"serving": Flow.FORWARD, "assignment": Flow.FORWARD}
    assert DEFAULT_TABLE.flow("RELATED_TO:specialization") is Flow.NONE


def test_motivation_and_migration_elements_do_not_carry_by_default() -> None:
    assert DEFAULT_TABLE.inert_types() == sorted(
        [
            "Stakeholder",
            "Driver",
            "Assessment",
            "Goal",
            "Outcome",
            "Principle",
            "Requirement",
            "Constraint",
            "Meaning",
            "Value",
            "WorkPackage",
            "Deliverable",
            "ImplementationEvent",
            "Plateau",
            "Gap",
            "Grouping",
            "Location",
        ]
    )
    assert not DEFAULT_TABLE.inert("ApplicationComponent") and not DEFAULT_TABLE.inert(None)
    assert not DEFAULT_TABLE.inert("Junction")
    assert parse_overrides(["element:plateau=both"]) == {"ELEMENT:Plateau": Flow.BOTH}
    with pytest.raises(PropagationError, match=r"none .* or both"):
        parse_overrides(["ELEMENT:Plateau=forward"])
    with pytest.raises(PropagationError, match="unknown ArchiMate element type 'Castle'"):
        parse_overrides(["ELEMENT:Castle=none"])


def test_the_model_is_typed_whole_and_every_relationship_ruled() -> None:
    result = prepare(MODEL).result
    counts = result["counts"]
    assert counts["nodes"] == LABELS and counts["relationships"] == RELS
    assert (counts["elements_in_file"], counts["relationships_in_file"]) == (33, 42)
    # 21 elements have no operating-model role, but none is without a type.
    assert (counts["unmapped_elements"], counts["untyped_elements"]) == (21, 0)
    assert (counts["skipped_relationships"], counts["anchored_relationships"]) == (0, 2)
    assert counts["relationships_without_rule"] == 0
    nodes = {n["id"]: n for n in result["nodes"]}
    kinds = {i: n["props"].get("archimate_type") for i, n in nodes.items()}
    assert sum(1 for k in kinds.values() if k) == 33 and kinds["v-claims"] is None
    assert (nodes["ac-claims"]["label"], kinds["ac-claims"]) == ("Platform", "ApplicationComponent")
    assert (nodes["bp-register"]["label"], kinds["bp-register"]) == (
        "GenericElement",
        "BusinessProcess",
    )
    # Parties outside the organisation are neither teams nor people; other roles are.
    roles = {
        i: nodes[i]["label"] for i in ("a-insurer", "a-customer", "r-client", "r-claims-handler")
    }
    assert roles == {
        "a-insurer": "Team",
        "a-customer": "GenericElement",
        "r-client": "GenericElement",
        "r-claims-handler": "Person",
    }
    assert kinds["a-customer"] == "BusinessActor" and kinds["j-or"] == "Junction"
    rels = {r["id"]: r for r in result["relationships"]}
    assert all(
        rel_key(r["type"], r["props"].get("original_type"), r["props"].get("access_type"))
        in DEFAULT_TABLE.rules
        for r in rels.values()
    )
    grouped = rels["rel-35"]
    assert (grouped["source"], grouped["target"]) == ("grp-claims", "as-claim-info")
    assert json.loads(grouped["props"]["properties"])["archimate:targetRelationship"] == "rel-02"


# -- the questions on the imported model ----------------------------------------------------

# A change to Claims Administration, worked out by hand: element -> distance.
REACHED = {
    "as-claim-info": 1,  # realises it (stored as USES)
    "do-claim": 1,  # it writes the data (Archi's default access)
    "af-register": 1,  # assigned to it
    "ac-finance": 1,  # flow
    "bp-register": 2,  # served by the service
    "j-or": 2,  # the junction the service serves through
    "bo-claim": 2,  # realised by the data
    "bs-claim-reg": 3,  # realised by Register Claim
    "bp-handle-claim": 3,  # Register Claim is part of it
    "bp-accept": 3,  # served through the junction
    "a-customer": 4,  # served by the registration service
    "bp-pay": 4,  # triggered by Accept Claim
    "r-client": 5,  # the customer's role (assignment)
    "bs-payment": 5,  # realised by Pay Claim
}


@pytest.fixture
def insurer(store: GraphStore) -> GraphStore:
    report = run_import(store, MODEL)
    assert report["written"]
    return store


def _reached(result: ImpactResult) -> dict[str, int]:
    return {a.element.id: a.distance for a in result.affected}


def test_impact_of_an_application_component_reaches_what_it_serves(insurer: GraphStore) -> None:
    result = impact(insurer, "Claims Administration")
    assert _reached(result) == REACHED
    counts = result.counts
    assert (counts.affected, counts.platforms, counts.data_assets, counts.other) == (14, 2, 2, 10)
    assert (counts.streams, counts.teams_to_notify) == (0, 1)
    assert [n.element.id for n in result.teams_to_notify] == ["a-claims-it"]
    paths = {a.element.id: a.path_text for a in result.affected}
    assert paths["bp-register"] == (
        "Claims Administration <-[USES]- Claim Information Service "
        "-[RELATED_TO:Serving]-> Register Claim"
    )
    # Through the Or junction: the flow reaches Finance Application first (ids in order).
    assert paths["bp-accept"] == (
        "Claims Administration -[RELATED_TO:Flow]-> Finance Application "
        "-[RELATED_TO:Serving]-> Junction -[RELATED_TO:Serving]-> Accept Claim"
    )
    assert paths["bs-claim-reg"].endswith(
        "Register Claim -[RELATED_TO:Realization]-> Claim Registration Service"
    )
    # Nothing reached through, or in, a plateau, a goal or a grouping.
    assert not {"pl-tobe", "pl-asis", "gap-portal", "req-online", "g-fast", "grp-claims"} & set(
        REACHED
    )
    # Every reader walks it alike: Cypher, the scenario model, the live index.
    options = WalkOptions()
    assert _reached(impact(ModelGraph.load(insurer), "ac-claims", options)) == REACHED
    assert _reached(impact(WalkIndex.load(insurer), "ac-claims", options)) == REACHED


def test_a_plateau_carries_only_when_asked(insurer: GraphStore) -> None:
    asked = WalkOptions(overrides=["ELEMENT:Plateau=both"])
    for reader in (insurer, ModelGraph.load(insurer), WalkIndex.load(insurer)):
        assert _reached(impact(reader, "ac-claims", asked)) == {**REACHED, "pl-tobe": 1}
    # Off, the other way: triggering and flow are a chosen rule.
    quiet = WalkOptions(overrides=["RELATED_TO:flow=none", "RELATED_TO:triggering=none"])
    reached = _reached(impact(insurer, "ac-claims", quiet))
    assert "ac-finance" not in reached and "bp-pay" not in reached


def test_health_and_bottlenecks_without_value_streams(insurer: GraphStore) -> None:
    report = hl.health(insurer)
    by_id = {c.id: c for c in report.checks}
    na = sorted(c.id for c in report.checks if not c.applicable)
    assert all(by_id[i].score is None for i in na) and len(na) >= 3
    scored = [c.score for c in report.checks if c.score is not None]
    assert scored and report.score == round(sum(scored) / len(scored), 1)
    assert "not applicable" in hl.health_markdown(report)

    ranking = bn.bottlenecks(insurer, limit=10)
    assert (ranking.stream_total, ranking.ranked_by) == (0, bn.RANKED_BY_DEPENDENTS)
    dependents = {b.element.id: b.dependents for b in ranking.bottlenecks}
    # DBMS is part of the mainframe, which realises the database service Claims
    # Administration uses: 1 + 1 + 1 + the 14 a change to Claims Administration reaches.
    assert dependents["ss-dbms"] == 17 and dependents["n-mainframe"] == 16
    assert dependents["ac-claims"] == 14 and dependents["a-claims-it"] == 15
    assert all(
        b.explanation.startswith("no value streams in the model, so ranked by dependent")
        for b in ranking.bottlenecks
    )


def test_queryable_by_archimate_type_everywhere(
    insurer: GraphStore,
    client: TestClient,
    neo4j_server: dict[str, str | None],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    page = client.get("/api/nodes", params={"archimate_type": ["BusinessProcess"]}).json()
    assert page["total"] == 5
    assert {i["archimate_type"] for i in page["items"]} == {"BusinessProcess"}
    both = client.get(
        "/api/nodes", params={"archimate_type": ["plateau", "Gap"], "type": "GenericElement"}
    ).json()
    assert sorted(i["id"] for i in both["items"]) == ["gap-portal", "pl-asis", "pl-tobe"]
    found = client.get(
        "/api/search", params={"q": "claim", "archimate_type": "ApplicationComponent"}
    )
    assert [i["id"] for i in found.json()] == ["ac-claims"]
    assert client.get("/api/nodes", params={"archimate_type": "Castle"}).status_code == 422

    body = gql(
        client,
        """{ nodes(archimateTypes: ["ApplicationComponent"]) {
               total items { id archimateType ... on Platform { kind } } } }""",
    )
    assert body["data"]["nodes"]["total"] == 2
    assert {(i["id"], i["archimateType"], i["kind"]) for i in body["data"]["nodes"]["items"]} == {
        ("ac-claims", "ApplicationComponent", "application"),
        ("ac-finance", "ApplicationComponent", "application"),
    }

    listed = cli_json(
        ["elements", "--archimate-type", "Plateau"], neo4j_server, monkeypatch, tmp_path
    )
    assert [i["name"] for i in listed["items"]] == ["AsIs", "ToBe"]
    answer: Any = cli_json(["impact", "Claims Administration"], neo4j_server, monkeypatch, tmp_path)
    assert answer["counts"]["affected"] == 14


def test_relationships_to_relationships_export_as_written(insurer: GraphStore) -> None:
    out = io.StringIO()
    export_exchange(insurer, out, source="archimate:id-insurer-model")
    text = out.getvalue()
    assert 'identifier="rel-35" source="grp-claims" target="rel-02" xsi:type="Aggregation"' in text
    assert 'identifier="rel-36" source="do-claim" target="rel-17" xsi:type="Association"' in text
    assert "targetRelationship" not in text
