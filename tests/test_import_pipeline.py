"""Imports on a real Neo4j: counts, idempotence, diff and prune, retyping, atomicity."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from neo4j import ManagedTransaction
from neo4j.exceptions import Neo4jError

from graph.model import NODE_ADAPTER, REL_ADAPTER, node_record, now_iso, rel_record
from graph.store import GraphStore
from importers import pipeline
from importers.errors import ImportFailure
from importers.pipeline import run_import
from importers.runs import get_run, list_runs

DATA = Path(__file__).parent / "data" / "imports"
BANK = DATA / "bank.xml"
SOURCE = "archimate:id-model-bank"
VOLATILE = {"import_run", "created_at", "updated_at"}


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    """A clean graph, import runs included (the shared fixture clears elements only)."""
    store.driver.execute_query("MATCH (r:ImportRun) DETACH DELETE r")
    return store


def nodes(
    store: GraphStore, *, keep_volatile: bool = True
) -> dict[str, tuple[str, dict[str, Any]]]:
    records, _, _ = store.driver.execute_query(
        "MATCH (n:Element) RETURN n.id AS id, "
        "[l IN labels(n) WHERE l <> 'Element'][0] AS label, properties(n) AS props"
    )
    return {
        r["id"]: (
            r["label"],
            {k: v for k, v in r["props"].items() if keep_volatile or k not in VOLATILE},
        )
        for r in records
    }


def rels(store: GraphStore, *, keep_volatile: bool = True) -> set[tuple[Any, ...]]:
    records, _, _ = store.driver.execute_query(
        "MATCH (a:Element)-[r]->(b:Element) "
        "RETURN type(r) AS type, a.id AS a, b.id AS b, properties(r) AS props"
    )
    return {
        (
            r["type"],
            r["a"],
            r["b"],
            json.dumps(
                {k: v for k, v in r["props"].items() if keep_volatile or k not in VOLATILE},
                sort_keys=True,
            ),
        )
        for r in records
    }


def rel_ids(store: GraphStore) -> set[tuple[str, str]]:
    records, _, _ = store.driver.execute_query("MATCH ()-[r]->() RETURN type(r) AS t, r.id AS id")
    return {(r["t"], r["id"]) for r in records}


def edges(store: GraphStore) -> set[tuple[str, str, str]]:
    return {(t, a, b) for t, a, b, _ in rels(store)}


def snapshot(store: GraphStore) -> tuple[Any, Any]:
    return nodes(store), rels(store)


def run_count(store: GraphStore) -> int:
    records, _, _ = store.driver.execute_query("MATCH (r:ImportRun) RETURN count(r) AS n")
    return int(records[0]["n"])


def changed_bank(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    text = BANK.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "bank-v2.xml"
    path.write_text(text, encoding="utf-8")
    return path


def add_decoy(store: GraphStore) -> None:
    """Another source's nodes, one of them tied by hand to a node of the bank model."""
    node = lambda **f: node_record(NODE_ADAPTER.validate_python(f), source="decoy")  # noqa: E731
    rel = lambda **f: rel_record(REL_ADAPTER.validate_python(f), source="decoy")  # noqa: E731
    store.write(
        [
            node(type="Team", id="decoy-team", name="Decoy team"),
            node(type="Platform", id="decoy-platform", name="Decoy platform"),
            node(type="Person", id="decoy-person", name="Decoy person"),
        ],
        [
            rel(type="OWNS", source="decoy-team", target="decoy-platform"),
            rel(type="OWNS", source="decoy-team", target="goal-1"),
            rel(type="ACCOUNTABLE_FOR", source="decoy-person", target="actor-team"),
        ],
    )


BANK_NODES = {
    "ValueStream": 1,
    "Stage": 3,
    "Capability": 2,
    "Platform": 2,
    "Team": 1,
    "Person": 1,
    "DataAsset": 1,
    "GenericElement": 4,
}
BANK_RELS = {
    "HAS_STAGE": 3,
    "CONTAINS": 1,
    "REQUIRES": 1,
    "USES": 2,
    "READS": 1,
    "WRITES": 1,
    "MEMBER_OF": 1,
    "SUPPORTS": 1,
    "OWNS": 1,
    "RELATED_TO": 7,  # with the association to a relationship, kept
}


def test_exchange_import_gives_the_mapped_graph_and_records_the_run(graph: GraphStore) -> None:
    report = run_import(graph, BANK)

    stats = graph.stats()
    assert {k: v for k, v in stats["nodes"].items() if v} == BANK_NODES
    assert {k: v for k, v in stats["relationships"].items() if v} == BANK_RELS
    assert report["diff"]["nodes"]["added"] == dict(sorted(BANK_NODES.items()))
    assert report["written"] and report["source"] == SOURCE
    assert {(w["code"], w["line"]) for w in report["warnings"]} == {
        ("id-encoded", 71),
        ("dangling-relationship", 98),
        ("relationship-end-anchored", 99),
    }
    got = nodes(graph)
    assert {i: got[i][1]["order"] for i in ("vs-m-apply", "vs-m-assess", "vs-m-offer")} == {
        "vs-m-apply": 1,
        "vs-m-assess": 2,
        "vs-m-offer": 3,
    }
    label, core = got["app-core"]
    assert (label, core["criticality"], core["kind"]) == ("Platform", "high", "application")
    assert json.loads(core["properties"]) == {
        "Vendor": "Temenos",
        "archimate:type": "ApplicationComponent",
    }
    assert {core["source"], core["import_run"]} == {SOURCE, report["run_id"]}
    assert got["actor-jane"][0] == "Person"  # folder rule: Business/People
    assert edges(graph) >= {
        ("READS", "app-core", "data-loan"),
        ("WRITES", "app-core", "data-loan"),
        ("USES", "cap-credit", "app-core"),  # app-core realizes cap-credit
        ("USES", "app-core", "node-k8s"),  # node-k8s serves app-core
        ("REQUIRES", "vs-m-assess", "cap-credit"),
        ("MEMBER_OF", "actor-jane", "actor-team"),
        ("SUPPORTS", "actor-team", "vs-mortgage"),
        ("HAS_STAGE", "vs-mortgage", "vs-m-offer"),
        ("RELATED_TO", "goal-1", "vs-mortgage"),
    }
    run = get_run(graph, report["run_id"])
    assert run is not None
    assert run["source"] == SOURCE and run["checksum"] == report["checksum"]
    assert run["counts"]["nodes"] == BANK_NODES
    assert run["warnings_total"] == 3 and run["model_name"] == "Example Bank"


def test_importing_the_same_file_again_changes_nothing(graph: GraphStore) -> None:
    first = run_import(graph, BANK)
    before = snapshot(graph)

    again = run_import(graph, BANK)

    assert snapshot(graph) == before  # not even updated_at or import_run moved
    diff = again["diff"]
    assert diff["nodes"]["total"] == {"added": 0, "changed": 0, "removed": 0}
    assert diff["relationships"]["total"] == {"added": 0, "changed": 0, "removed": 0}
    assert diff["nodes"]["unchanged"] == sum(BANK_NODES.values())
    assert [r["id"] for r in list_runs(graph, source=SOURCE)] == [again["run_id"], first["run_id"]]


def test_a_changed_file_reports_its_diff_and_prune_touches_only_its_source(
    graph: GraphStore, tmp_path: Path
) -> None:
    run_import(graph, BANK)
    add_decoy(graph)
    v2 = changed_bank(
        tmp_path,
        ('<name xml:lang="en">Kubernetes</name>', '<name xml:lang="en">Kubernetes (EKS)</name>'),
        (
            '<element identifier="goal-1" xsi:type="Goal">',
            '<element identifier="cap-fraud" xsi:type="Capability">',
        ),
        (
            '<name xml:lang="en">Faster mortgages</name>',
            '<name xml:lang="en">Fraud detection</name>',
        ),
        (
            'source="goal-1" target="vs-mortgage" xsi:type="Influence" modifier="+"/>',
            'source="cap-fraud" target="cap-fraud" xsi:type="Influence"/>',
        ),
        ('source="goal-1" target="r-owns"', 'source="cap-fraud" target="r-owns"'),
        ('xsi:type="Access" accessType="Read"/>', 'xsi:type="Access" accessType="ReadWrite"/>'),
    )
    before = snapshot(graph)

    dry = run_import(graph, v2, dry_run=True, prune=True)

    assert snapshot(graph) == before and not dry["written"] and dry["run_id"] is None
    assert dry["diff"]["nodes"]["added"] == {"Capability": 1}
    assert dry["diff"]["nodes"]["changed"] == {"Platform": 1}
    assert dry["diff"]["nodes"]["removed"] == {"GenericElement": 1}
    # r-reads is now a write (READS → WRITES), r-influence now links cap-fraud to itself,
    # and r-on-rel (kept, attached to r-owns' source) now starts at cap-fraud.
    assert dry["diff"]["relationships"]["changed"] == {"RELATED_TO": 2, "WRITES": 1}
    assert dry["diff"]["relationships"]["added"] == {}
    assert dry["diff"]["relationships"]["removed"] == {}

    kept = run_import(graph, v2)  # no prune: the goal stays, reported as removed from file

    assert nodes(graph)["node-k8s"][1]["name"] == "Kubernetes (EKS)"
    assert nodes(graph)["goal-1"][0] == "GenericElement"
    assert kept["pruned"] == {"nodes": 0, "relationships": 0, "other_relationships": 0}
    assert ("WRITES", "r-reads") in rel_ids(graph)
    assert ("READS", "r-reads") not in rel_ids(graph)  # replaced even without --prune
    assert rels(graph) >= {r for r in before[1] if "decoy" in r[1]}

    pruned = run_import(graph, v2, prune=True)

    assert "goal-1" not in nodes(graph)
    assert pruned["pruned"] == {"nodes": 1, "relationships": 0, "other_relationships": 1}
    decoy = {i: v for i, v in nodes(graph).items() if i.startswith("decoy")}
    assert decoy == {i: v for i, v in before[0].items() if i.startswith("decoy")}
    assert ("OWNS", "decoy-team", "decoy-platform") in edges(graph)
    assert ("ACCOUNTABLE_FOR", "decoy-person", "actor-team") in edges(graph)


def test_prune_deletes_relationships_dropped_from_the_file(
    graph: GraphStore, tmp_path: Path
) -> None:
    run_import(graph, BANK)
    v2 = changed_bank(
        tmp_path,
        (
            '<relationship identifier="r-owns" source="actor-team" target="app-core" xsi:type="Assignment"/>',
            "",
        ),
    )
    report = run_import(graph, v2, prune=True)
    # The association to r-owns (r-on-rel) has nothing to attach to any more: it goes too.
    assert report["diff"]["relationships"]["removed"] == {"OWNS": 1, "RELATED_TO": 1}
    assert report["pruned"]["relationships"] == 2
    assert not [e for e in edges(graph) if e[0] == "OWNS"]


def test_a_retyped_element_keeps_its_relationships(graph: GraphStore, tmp_path: Path) -> None:
    run_import(graph, BANK)
    add_decoy(graph)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("elements:\n  BusinessActor: Person\n", encoding="utf-8")

    report = run_import(graph, BANK, mapping_file=mapping)

    assert report["diff"]["nodes"]["changed"] == {"Person": 1}
    label, team = nodes(graph)["actor-team"]
    assert label == "Person" and "team_type" not in team
    got = edges(graph)
    assert ("ACCOUNTABLE_FOR", "decoy-person", "actor-team") in got  # hand-made, kept
    assert ("ACCOUNTABLE_FOR", "actor-team", "app-core") in got  # was OWNS
    assert ("ACCOUNTABLE_FOR", "actor-team", "vs-mortgage") in got  # was SUPPORTS
    assert ("ACCOUNTABLE_FOR", "actor-jane", "actor-team") in got  # was MEMBER_OF
    assert not [e for e in got if e[0] in ("OWNS", "SUPPORTS", "MEMBER_OF") and "decoy" not in e[1]]
    assert graph.stats()["nodes"]["Team"] == 1  # the decoy team only


def test_a_relationship_moved_to_another_element_is_replaced(
    graph: GraphStore, tmp_path: Path
) -> None:
    run_import(graph, BANK)
    v2 = changed_bank(
        tmp_path,
        (
            'identifier="r-owns" source="actor-team" target="app-core"',
            'identifier="r-owns" source="actor-team" target="node-k8s"',
        ),
    )
    report = run_import(graph, v2)
    assert report["diff"]["relationships"]["changed"] == {"OWNS": 1}
    assert [e for e in edges(graph) if e[0] == "OWNS"] == [("OWNS", "actor-team", "node-k8s")]


def test_a_failure_inside_the_transaction_leaves_the_graph_as_it_was(
    graph: GraphStore, tmp_path: Path
) -> None:
    def boom(tx: ManagedTransaction) -> None:
        tx.run("RETURN 1 / 0").consume()  # a real database error after every write ran

    with pytest.raises(Neo4jError):
        run_import(graph, BANK, also=boom)
    assert nodes(graph) == {} and run_count(graph) == 0

    run_import(graph, BANK)
    before = snapshot(graph)
    v2 = changed_bank(
        tmp_path, ('<name xml:lang="en">Kubernetes</name>', '<name xml:lang="en">K8s</name>')
    )

    def fail(tx: ManagedTransaction) -> None:
        raise RuntimeError("injected")

    with pytest.raises(RuntimeError, match="injected"):
        run_import(graph, v2, prune=True, also=fail)
    assert snapshot(graph) == before and run_count(graph) == 1

    retry = run_import(graph, v2, prune=True)
    assert retry["written"] and nodes(graph)["node-k8s"][1]["name"] == "K8s"
    assert run_count(graph) == 2


def test_ids_another_source_uses_for_another_type_are_refused(graph: GraphStore) -> None:
    clash = node_record(
        NODE_ADAPTER.validate_python({"type": "Team", "id": "app-core", "name": "Not a platform"}),
        source="decoy",
    )
    same = node_record(
        NODE_ADAPTER.validate_python({"type": "Platform", "id": "node-k8s", "name": "K8s"}),
        source="decoy",
    )
    graph.write([clash])
    with pytest.raises(ImportFailure, match="'app-core' is a Team of decoy"):
        run_import(graph, BANK)
    assert set(nodes(graph)) == {"app-core"}

    graph.delete_node("app-core")
    graph.write([same])
    report = run_import(graph, BANK)
    assert ("taken-over", "node-k8s") in {(w["code"], w["subject"]) for w in report["warnings"]}
    assert nodes(graph)["node-k8s"][1]["source"] == SOURCE


def test_a_relationship_id_another_type_holds_is_refused_and_nothing_written(
    graph: GraphStore,
) -> None:
    # The bank model's `r-has-apply` is a HAS_STAGE; here another source holds that id as
    # an OWNS between elements of its own. One id, two relationships, was what PATCH and
    # DELETE then both touched: the import is refused instead.
    node = lambda **f: node_record(NODE_ADAPTER.validate_python(f), source="decoy")  # noqa: E731
    rel = lambda **f: rel_record(REL_ADAPTER.validate_python(f), source="decoy")  # noqa: E731
    graph.write(
        [
            node(type="Team", id="decoy-team", name="Decoy team"),
            node(type="Platform", id="decoy-platform", name="Decoy platform"),
        ],
        [rel(type="OWNS", id="r-has-apply", source="decoy-team", target="decoy-platform")],
    )
    before_nodes, before_rels = nodes(graph), rels(graph)
    with pytest.raises(ImportFailure) as refused:
        run_import(graph, BANK)
    failure = refused.value
    assert "'r-has-apply' is a OWNS of decoy; this import makes it a HAS_STAGE" in failure.message
    assert failure.file == "bank.xml" and failure.hint and "change the ids" in failure.hint
    assert [(d["id"], d["type"], d["held_as"]) for d in failure.details] == [
        ("r-has-apply", "HAS_STAGE", "OWNS")
    ]
    assert (nodes(graph), rels(graph)) == (before_nodes, before_rels)
    assert list_runs(graph) == []


def test_one_relationship_id_twice_in_a_file_under_two_types_is_refused(
    graph: GraphStore, tmp_path: Path
) -> None:
    model = chain_model(
        tmp_path / "twice.xml",
        3,
        last='<relationship identifier="r1" source="e2" target="e1" xsi:type="Association"/>',
    )
    with pytest.raises(ImportFailure) as refused:
        run_import(graph, model)
    failure = refused.value
    assert failure.message.startswith("duplicate id 'r1' (first used at line ")
    assert failure.file == str(model) and failure.line is not None and failure.hint
    assert nodes(graph) == {} and rels(graph) == set()


def chain_model(path: Path, n: int, *, last: str = "") -> Path:
    """An exchange file of `n` elements, each serving the one before; `last` ends the
    relationships."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" identifier="id-large">',
        '<name xml:lang="en">Large</name><elements>',
    ]
    lines += [
        f'<element identifier="e{i}" xsi:type="{"ApplicationComponent" if i % 2 else "Capability"}">'
        f'<name xml:lang="en">Element {i}</name></element>'
        for i in range(n)
    ]
    lines.append("</elements><relationships>")
    lines += [
        f'<relationship identifier="r{i}" source="e{i}" target="e{i - 1}" xsi:type="Serving"/>'
        for i in range(1, n)
    ]
    lines += [last, "</relationships></model>"]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_a_large_model_imports_once_and_reimports_as_unchanged(
    graph: GraphStore, tmp_path: Path
) -> None:
    n = 3000
    path = chain_model(tmp_path / "large.xml", n)

    first = run_import(graph, path)
    assert first["diff"]["nodes"]["total"]["added"] == n
    assert graph.stats()["nodes"]["Platform"] == n // 2
    assert sum(graph.stats()["relationships"].values()) == n - 1
    again = run_import(graph, path)
    assert again["diff"]["nodes"]["unchanged"] == n
    assert again["diff"]["relationships"]["unchanged"] == n - 1


def test_relationships_are_written_chunk_by_chunk_and_a_late_failure_writes_nothing(
    graph: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Relationships are mapped and written in chunks while the import runs: many here.
    monkeypatch.setattr(pipeline, "REL_CHUNK", 100)
    n = 1000
    bad = chain_model(
        tmp_path / "bad.xml",
        n,
        last='<relationship identifier="r-odd" source="e1" target="e0" xsi:type="Befriending"/>',
    )
    with pytest.raises(ImportFailure, match=r"unknown relationship type.*Befriending"):
        run_import(graph, bad)
    # The failure came after most chunks were written: all of it was rolled back.
    assert graph.stats()["nodes"].get("Platform", 0) == 0
    assert sum(graph.stats()["relationships"].values()) == 0
    assert list_runs(graph) == []

    report = run_import(graph, chain_model(tmp_path / "good.xml", n))
    assert report["diff"]["relationships"]["total"]["added"] == n - 1
    assert sum(graph.stats()["relationships"].values()) == n - 1
    assert sum(report["counts"]["relationships"].values()) == n - 1


def test_an_import_run_finishes_after_its_write(graph: GraphStore) -> None:
    writing: list[str] = []

    def progress(stage: str, done: int, total: int | None) -> None:
        if stage == "write":  # called just before the write starts
            writing.append(now_iso())
            time.sleep(0.01)

    report = run_import(graph, BANK, progress=progress)
    assert writing and report["finished_at"] > writing[0]
    stored = get_run(graph, report["run_id"])
    assert stored is not None and stored["finished_at"] == report["finished_at"]
    latest = graph.driver.execute_query("MATCH (n:Element) RETURN max(n.updated_at) AS t")
    assert report["finished_at"] >= latest.records[0]["t"]
