"""Row digests (importers.digests) on a real Neo4j: an import that compares the digests the
last one stored gives exactly the graph, the history and the reports an import that reads
the source back gives; they are trusted only while nothing else changed the model and the
mapping is the same; a failed import leaves them as they were."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from neo4j import ManagedTransaction
from typer.testing import CliRunner

from app.cli.root import app as cli
from graph import edits
from graph.labels import CHANGE, CHANGE_CHUNK, CHANGE_SET, IMPORT_DIGEST
from graph.store import GraphStore
from importers import digests, exchange, formats, pipeline, preparation, transform, xmlstream
from importers.errors import ImportFailure
from importers.pipeline import run_import

DATA = Path(__file__).parent / "data" / "imports"
BANK = DATA / "bank.xml"
SOURCE = "archimate:id-model-bank"
# What differs between two runs of the same imports: run ids, times, the chain's digests.
VOLATILE = frozenset({"created_at", "updated_at", "import_run"})


@pytest.fixture
def clean(store: GraphStore) -> GraphStore:
    return _forget(store)


def _forget(store: GraphStore) -> GraphStore:
    """An empty model, no import runs, no history (the clear is recorded: dropped too)."""
    store.clear()
    store.execute(
        f"MATCH (n) WHERE n:{CHANGE} OR n:{CHANGE_CHUNK} OR n:{CHANGE_SET} DETACH DELETE n"
    )
    store.execute("MATCH (m:ValuegraphMeta {key: 'revision'}) REMOVE m.history_head")
    return store


def _drop_digests(store: GraphStore) -> None:
    """As a model imported before the digests existed."""
    store.execute(f"MATCH (d:{IMPORT_DIGEST}) DETACH DELETE d")


def _bank(tmp_path: Path, name: str, *edits_: tuple[str, str]) -> Path:
    text = BANK.read_text(encoding="utf-8")
    for old, new in edits_:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / f"{name}.xml"
    path.write_text(text, encoding="utf-8")
    return path


def _clean(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if k not in VOLATILE}


def _graph(store: GraphStore) -> tuple[list[Any], list[Any]]:
    nodes = store.read(
        "MATCH (n:Element) RETURN n.id AS id, labels(n) AS labels, properties(n) AS props"
    )
    rels = store.read(
        "MATCH (a:Element)-[r]->(b:Element) "
        "RETURN type(r) AS t, r.id AS id, a.id AS a, b.id AS b, properties(r) AS props"
    )
    return (
        sorted((r["id"], sorted(r["labels"]), _clean(r["props"])) for r in nodes),
        sorted(
            ((r["t"], r["id"] or "", r["a"], r["b"], _clean(r["props"])) for r in rels),
            key=lambda x: json.dumps(x, sort_keys=True),
        ),
    )


def _state(text: str | None) -> dict[str, Any] | None:
    return None if text is None else _clean(json.loads(text))


def _history(store: GraphStore) -> list[Any]:
    """Every change set in order, with its changes, less what each run makes anew."""
    out = []
    for s in store.read(f"MATCH (s:{CHANGE_SET}) RETURN properties(s) AS p ORDER BY s.seq"):
        p = s["p"]
        changes = store.read(
            f"MATCH (c:{CHANGE} {{seq: $seq}}) RETURN properties(c) AS p", {"seq": p["seq"]}
        )
        out.append(
            (
                {k: v for k, v in p.items() if k not in {"seq", "id", "at", "ref", "digest"}}
                | {"prev_digest": None},
                sorted(
                    (
                        c["p"]["kind"],
                        c["p"]["id"],
                        c["p"]["type"],
                        c["p"]["op"],
                        c["p"].get("fields"),
                        _state(c["p"].get("before")),
                        _state(c["p"].get("after")),
                    )
                    for c in changes
                ),
            )
        )
    return out


def _report(report: dict[str, Any]) -> dict[str, Any]:
    keep = ("diff", "counts", "warnings", "warnings_total", "pruned", "stored", "written")
    return {k: report[k] for k in keep}


def _runs(store: GraphStore) -> list[Any]:
    runs = store.read("MATCH (r:ImportRun) RETURN properties(r) AS p ORDER BY r.finished_at")
    keep = ("diff", "counts", "warnings", "warnings_total", "pruned", "mapping", "prune")
    return [{k: r["p"].get(k) for k in keep} for r in runs]


Step = tuple[Path, dict[str, Any]]


def _play(
    store: GraphStore, steps: list[Step], *, use_digests: bool, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[Any], list[bool], Any]:
    """Import each step; returns the reports, whether each read the source back, and what
    the graph, the history and the import runs are at the end."""
    reads: list[bool] = []
    real = pipeline.source_holdings

    def holdings(s: GraphStore, source: str) -> Any:
        reads[-1] = True
        return real(s, source)

    monkeypatch.setattr(pipeline, "source_holdings", holdings)
    reports = []
    for path, kwargs in steps:
        if not use_digests:
            _drop_digests(store)
        reads.append(False)
        reports.append(_report(run_import(store, path, **kwargs)))
    monkeypatch.setattr(pipeline, "source_holdings", real)
    return reports, reads, (_graph(store), _history(store), _runs(store))


def test_a_digested_change_import_gives_what_reading_the_source_gives(
    clean: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    renamed = _bank(
        tmp_path,
        "renamed",
        ('<name xml:lang="en">Core Banking</name>', '<name xml:lang="en">Core Bank</name>'),
    )
    # Rows gone from the file: an element (its influence and a relationship dangle then,
    # with warnings) and a relationship.
    removed = _bank(
        tmp_path,
        "removed",
        (
            '<element identifier="goal-1" xsi:type="Goal">',
            '<element identifier="goal-x" xsi:type="Goal">',
        ),
        (
            '<relationship identifier="r-trig-2" source="vs-m-assess" target="vs-m-offer" xsi:type="Triggering"/>',
            "",
        ),
    )
    # A relationship whose end moved, and the element gone above back again.
    moved = _bank(
        tmp_path,
        "moved",
        ('<name xml:lang="en">Core Banking</name>', '<name xml:lang="en">Core Bank</name>'),
        (
            'identifier="r-owns" source="actor-team" target="app-core"',
            'identifier="r-owns" source="actor-team" target="node-k8s"',
        ),
    )
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("elements:\n  BusinessActor: Person\n", encoding="utf-8")
    steps: list[Step] = [
        (BANK, {}),
        (renamed, {}),
        (renamed, {}),  # nothing changes: nothing recorded
        (removed, {}),
        (moved, {}),
        (removed, {"prune": True}),
        (BANK, {"mapping_file": mapping}),  # relabels: the mapping changed
        (BANK, {"mapping_file": mapping}),
        (BANK, {}),
        (moved, {"dry_run": True}),
        (moved, {}),
    ]
    with_digests, reads, end = _play(clean, steps, use_digests=True, monkeypatch=monkeypatch)
    _forget(clean)
    without, reads_without, end_without = _play(
        clean, steps, use_digests=False, monkeypatch=monkeypatch
    )

    # Read back: the first import, and after each change of mapping; else the digests.
    assert reads == [True, False, False, False, False, False, True, False, True, False, False]
    assert all(reads_without)
    assert with_digests == without
    graph, hist, runs = end
    graph_without, hist_without, runs_without = end_without
    assert graph == graph_without
    assert runs == runs_without
    assert hist == hist_without
    # What the steps did, so the comparison above compares something.
    # The renamed file twice, the mapping once more and the dry run record nothing.
    assert [len(cs) for _, cs in hist] == [34, 1, 5, 5, 9, 14, 7, 2]
    assert with_digests[3]["diff"]["nodes"]["removed"] == {"GenericElement": 1}
    assert with_digests[4]["diff"]["relationships"]["changed"] == {"OWNS": 1}
    assert with_digests[5]["pruned"] == {"nodes": 1, "relationships": 3, "other_relationships": 0}
    assert with_digests[6]["diff"]["nodes"]["changed"] == {"Person": 1, "Stage": 3}
    assert with_digests[3]["warnings_total"] > with_digests[1]["warnings_total"]


def test_a_model_imported_without_digests_is_read_once_then_digested(
    clean: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_import(clean, BANK)
    _drop_digests(clean)
    renamed = _bank(
        tmp_path,
        "renamed",
        ('<name xml:lang="en">Core Banking</name>', '<name xml:lang="en">Core Bank</name>'),
    )
    reports, reads, _ = _play(
        clean, [(renamed, {}), (BANK, {})], use_digests=True, monkeypatch=monkeypatch
    )
    assert reads == [True, False]
    assert [r["diff"]["nodes"]["changed"] for r in reports] == [{"Platform": 1}] * 2
    assert clean.get_node("app-core")["name"] == "Core Banking"  # type: ignore[index]


def test_any_other_change_to_the_model_sends_the_import_back_to_the_source(
    clean: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_import(clean, BANK)
    edits.update_node(clean, "app-core", {"description": "edited by hand"})
    reports, reads, _ = _play(
        clean, [(BANK, {}), (BANK, {})], use_digests=True, monkeypatch=monkeypatch
    )
    assert reads == [True, False]
    assert reports[0]["diff"]["nodes"]["changed"] == {"Platform": 1}  # the file puts it back
    assert reports[1]["diff"]["nodes"]["total"] == {"added": 0, "changed": 0, "removed": 0}
    assert clean.get_node("app-core")["description"] == ""  # type: ignore[index]


def _digest_node(store: GraphStore) -> dict[str, Any]:
    [record] = store.read(f"MATCH (d:{IMPORT_DIGEST}) RETURN properties(d) AS p")
    return dict(record["p"])


def test_a_failed_import_leaves_the_digests_as_they_were(
    clean: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_import(clean, BANK)
    stored = _digest_node(clean)
    renamed = _bank(
        tmp_path,
        "renamed",
        ('<name xml:lang="en">Core Banking</name>', '<name xml:lang="en">Core Bank</name>'),
    )

    def fail(_tx: ManagedTransaction) -> None:
        raise RuntimeError("refused at the last moment")

    with pytest.raises(RuntimeError):
        run_import(clean, renamed, also=fail)
    with pytest.raises(ImportFailure):
        run_import(clean, DATA / "bad" / "duplicate_ids.xml")
    assert _digest_node(clean) == stored
    assert clean.get_node("app-core")["name"] == "Core Banking"  # type: ignore[index]
    reports, reads, _ = _play(clean, [(renamed, {})], use_digests=True, monkeypatch=monkeypatch)
    assert reads == [False]
    assert reports[0]["diff"]["nodes"]["changed"] == {"Platform": 1}
    assert clean.get_node("app-core")["name"] == "Core Bank"  # type: ignore[index]


def test_digests_cover_the_whole_compared_row() -> None:
    node = {"label": "Platform", "id": "p", "props": {"name": "P", "tags": ["a"], "x": None}}
    same: list[Callable[[dict[str, Any]], None]] = [
        lambda n: n["props"].update(updated_at="later", import_run="run-2", source="s"),
        lambda n: n["props"].pop("x"),  # a null is no value
        lambda n: n.update(props=dict(reversed(list(n["props"].items())))),
    ]
    differ: list[Callable[[dict[str, Any]], None]] = [
        lambda n: n.update(label="Team"),
        lambda n: n.update(id="q"),
        lambda n: n["props"].update(name="Q"),
        lambda n: n["props"].update(tags=["a", "b"]),
        lambda n: n["props"].update(x=""),
        lambda n: n["props"].update(name=1),
    ]
    base = digests.node_digest(node)
    for change in same:
        copy = json.loads(json.dumps(node))
        change(copy)
        assert digests.node_digest(copy) == base
    for change in differ:
        copy = json.loads(json.dumps(node))
        change(copy)
        assert digests.node_digest(copy) != base
    rel = {"type": "USES", "id": "r", "source": "a", "target": "b", "props": {"w": 1}}
    assert digests.rel_digest(rel) != digests.rel_digest({**rel, "target": "c"})
    assert digests.rel_digest(rel) != digests.rel_digest({**rel, "props": {"w": 1.5}})
    assert digests.rel_digest(rel) == digests.rel_digest(
        {**rel, "props": {"w": 1, "import_run": "x"}}
    )


def _spy_mapping(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the rows the importer maps, as it maps them."""
    mapped: list[str] = []
    for name in ("mapped_node", "mapped_relationship"):
        real = getattr(transform._Transformer, name)

        def spy(self: Any, raw: Any, real: Any = real) -> Any:
            mapped.append(raw["id"])
            return real(self, raw)

        monkeypatch.setattr(transform._Transformer, name, spy)
    return mapped


def test_the_cli_maps_only_what_changed_when_its_neo4j_is_running(
    clean: GraphStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    neo4j_server: dict[str, str | None],
) -> None:
    """`valuegraph import` is how most change imports are run: it asks a running Neo4j for
    the stored digests before mapping, as the upload does (it still starts none for it)."""
    monkeypatch.setenv("NEO4J_URI", str(neo4j_server["uri"]))
    if neo4j_server["password"]:
        monkeypatch.setenv("NEO4J_USER", str(neo4j_server["user"]))
        monkeypatch.setenv("NEO4J_PASSWORD", str(neo4j_server["password"]))
    renamed = _bank(
        tmp_path,
        "renamed",
        ('<name xml:lang="en">Core Banking</name>', '<name xml:lang="en">Core Bank</name>'),
    )
    mapped = _spy_mapping(monkeypatch)
    runner = CliRunner()
    first = runner.invoke(cli, ["import", str(BANK), "--json"])
    assert first.exit_code == 0, first.output
    assert len(mapped) > 20
    mapped.clear()
    second = runner.invoke(cli, ["import", str(renamed), "--json"])
    assert second.exit_code == 0, second.output
    # The renamed element and the rows that warn (always mapped): nothing else.
    assert sorted(mapped) == ["app-core", "r-dangling", "r-on-rel"]
    assert clean.get_node("app-core")["name"] == "Core Bank"  # type: ignore[index]


def test_a_change_import_maps_only_what_changed_and_gives_what_a_fresh_import_gives(
    clean: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mapping memo: rows as the last import read them are not mapped again, and the
    outcome is what importing the same file into an empty model gives, warnings too."""
    # One element renamed; another retyped, so the relationships at it map to other types.
    changed = _bank(
        tmp_path,
        "changed",
        ('<name xml:lang="en">Core Banking</name>', '<name xml:lang="en">Core Bank</name>'),
        (
            '<element identifier="node-k8s" xsi:type="Node">',
            '<element identifier="node-k8s" xsi:type="Goal">',
        ),
    )
    mapped = _spy_mapping(monkeypatch)
    first = run_import(clean, BANK)
    assert len(mapped) == first["counts"]["elements_in_file"] + 20  # relationships in file
    mapped.clear()
    report = _report(run_import(clean, changed))
    # The two changed elements, the relationships at the retyped one, and the rows that
    # warn (a dangling relationship, one attached to a relationship): no other row.
    assert sorted(mapped) == [
        "app-core",
        "node-k8s",
        "r-dangling",
        "r-flow-2",
        "r-hosts",
        "r-on-rel",
    ]
    assert report["diff"]["nodes"]["changed"] == {"GenericElement": 1, "Platform": 1}
    # Serving between two platforms, now from a goal: another type, so replaced.
    assert report["diff"]["relationships"]["changed"] == {"RELATED_TO": 1}
    graph = _graph(clean)

    _forget(clean)
    fresh = _report(run_import(clean, changed))
    assert _graph(clean) == graph
    for key in ("counts", "warnings", "warnings_total"):
        assert report[key] == fresh[key], key
    # Unchanged again: nothing mapped but the rows that warn.
    mapped.clear()
    again = _report(run_import(clean, changed))
    assert sorted(mapped) == ["r-dangling", "r-on-rel"]
    assert again["diff"]["nodes"]["total"] == {"added": 0, "changed": 0, "removed": 0}
    assert {k: again[k] for k in ("counts", "warnings")} == {
        k: fresh[k] for k in ("counts", "warnings")
    }


def _spy_parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many rows each parse of an exchange file read without their children."""
    skipped: list[int] = []
    real = formats.PARSERS["exchange"]

    def spy(*args: Any, **kwargs: Any) -> Any:
        model = real(*args, **kwargs)
        rows = [*model["elements"], *model["relationships"]]
        skipped.append(sum(1 for r in rows if r.get("skipped")))
        return model

    monkeypatch.setitem(formats.PARSERS, "exchange", spy)
    return skipped


def _play_skimmed(
    store: GraphStore, steps: list[Path], *, skim: bool, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[Any], Any]:
    """Import each file onto an empty model, with or without rows read without their
    children; the reports, and the graph, the history and the runs at the end."""
    _forget(store)
    with monkeypatch.context() as m:
        if not skim:
            m.setattr(preparation, "SKIMMING", frozenset())
        reports = [_report(run_import(store, path)) for path in steps]
    return reports, (_graph(store), _history(store), _runs(store))


def test_rows_read_before_are_read_without_their_children_as_if_read_whole(
    clean: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change import reads the rows the last import read byte for byte without their
    names, documentation and properties (the memo maps them); the outcome is what reading
    every row gives: graph, history, runs and reports."""
    renamed = _bank(
        tmp_path,
        "renamed",
        ('<name xml:lang="en">Core Banking</name>', '<name xml:lang="en">Core Bank</name>'),
    )
    steps = [BANK, renamed, BANK]
    whole = _play_skimmed(clean, steps, skim=False, monkeypatch=monkeypatch)
    parses = _spy_parses(monkeypatch)
    skimmed = _play_skimmed(clean, steps, skim=True, monkeypatch=monkeypatch)
    # Nothing is known to the first import; then every row with children but the one
    # renamed (and the rows that warn, or that carry a property mapping reads first).
    assert parses[0] == 0 and parses[1] > 5 and len(parses) == 3, parses
    assert parses[2] == parses[1]  # the renamed row is known again, the first one not
    assert skimmed == whole


def test_rows_typed_by_mapping_rules_are_read_without_their_children_too(
    clean: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An element whose node type the mapping's rules pick from its folder, name or
    properties (a BusinessActor in a "People" folder is a Person) is read without its
    children once known: its type is what the rules gave the same bytes last time. Moved
    to another folder (bytes outside the rows), the file is read again whole; either way
    the outcome is what reading every row gives."""
    renamed = _bank(
        tmp_path,
        "renamed",
        ('<name xml:lang="en">Core Banking</name>', '<name xml:lang="en">Core Bank</name>'),
    )
    moved = _bank(
        tmp_path,
        "moved",
        ('<name xml:lang="en">Core Banking</name>', '<name xml:lang="en">Core Bank</name>'),
        (
            '<item identifierRef="actor-team"/>\n      </item>\n      <item>\n'
            '        <label xml:lang="en">People</label>\n'
            '        <item identifierRef="actor-jane"/>',
            '<item identifierRef="actor-team"/>\n        <item identifierRef="actor-jane"/>'
            '\n      </item>\n      <item>\n        <label xml:lang="en">People</label>',
        ),
    )
    steps = [BANK, renamed, moved]
    whole = _play_skimmed(clean, steps, skim=False, monkeypatch=monkeypatch)
    assert clean.get_node("actor-jane")["type"] == "Team"  # type: ignore[index]
    skipped: list[set[str]] = []
    real = formats.PARSERS["exchange"]

    def spy(*args: Any, **kwargs: Any) -> Any:
        model = real(*args, **kwargs)
        skipped.append({r["id"] for r in model["elements"] if r.get("skipped")})
        return model

    monkeypatch.setitem(formats.PARSERS, "exchange", spy)
    skimmed = _play_skimmed(clean, steps, skim=True, monkeypatch=monkeypatch)
    assert {"actor-jane", "actor-team"} <= skipped[1], skipped
    # The move changes the bytes outside the rows: the rows skipped are not held, so the
    # file is read again, whole.
    assert len(skipped) == 4 and skipped[2] and not skipped[3], skipped
    assert skimmed == whole
    assert whole[0][1]["diff"]["nodes"]["total"] == {"added": 0, "changed": 1, "removed": 0}


def test_a_file_whose_rows_depend_on_what_changed_is_read_again_whole(
    clean: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows whose bytes are known but whose reading depends on what changed elsewhere
    (a property definition renamed: the rest of the file is another) are not held by the
    memo: the file is read again, whole, and gives what a whole read gives."""
    renamed_definition = _bank(
        tmp_path,
        "definition",
        ('<name xml:lang="en">Vendor</name>', '<name xml:lang="en">Supplier</name>'),
    )
    steps = [BANK, renamed_definition]
    whole = _play_skimmed(clean, steps, skim=False, monkeypatch=monkeypatch)
    parses = _spy_parses(monkeypatch)
    skimmed = _play_skimmed(clean, steps, skim=True, monkeypatch=monkeypatch)
    assert parses[0] == 0 and parses[1] > 5 and parses[2] == 0, parses  # read again
    assert skimmed == whole
    assert clean.get_node("app-core")["properties"]["Supplier"] == "Temenos"  # type: ignore[index]


def test_a_hostile_file_with_known_rows_is_still_refused(
    clean: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Known rows change nothing of what is refused: expat still reads every byte, and
    the rows that are not known are read as always (DTDs, entities, deep nesting)."""
    run_import(clean, BANK)
    text = BANK.read_text(encoding="utf-8")
    doctype = text.replace(
        "<model ",
        '<!DOCTYPE model [<!ENTITY e "x">]>\n<model ',
        1,
    )
    deep = text.replace(
        '<name xml:lang="en">Core Banking</name>',
        '<name xml:lang="en">Core Banking</name>'
        + "<x>" * (xmlstream.MAX_DEPTH + 1)
        + "</x>" * (xmlstream.MAX_DEPTH + 1),
    )
    huge = text.replace(
        '<name xml:lang="en">Core Banking</name>',
        '<name xml:lang="en">Core Banking' + "x" * (xmlstream.MAX_TOKEN + 1) + "</name>",
    )
    parses = _spy_parses(monkeypatch)
    for name, body, said in (
        ("doctype", doctype, "DTD"),
        ("deep", deep, "nested more than"),
        ("huge", huge, "larger than"),
    ):
        path = tmp_path / f"{name}.xml"
        path.write_text(body, encoding="utf-8")
        with pytest.raises(ImportFailure, match=said):
            run_import(clean, path)
    assert not parses  # no parse got as far as handing over a model
    assert clean.get_node("app-core")["name"] == "Core Banking"  # type: ignore[index]


def test_a_known_row_is_read_with_its_attributes_line_and_digest_only(tmp_path: Path) -> None:
    """No database: a row read without its children keeps what the memo is keyed on and
    what the transform reads before it (id, type, ends, line, digest; the rest of the
    file's digest too), also when a value holds a ">" or quotes of both kinds."""
    path = _bank(
        tmp_path,
        "quoted",
        (
            '<element identifier="app-core" xsi:type="ApplicationComponent">',
            "<element identifier='app-core' xsi:type=\"ApplicationComponent\" x='\"a>b\"'>",
        ),
    )
    whole = exchange.parse_exchange(path)
    known = {r["span"] for r in [*whole["elements"], *whole["relationships"]]}
    asked: list[str] = []

    def known_for(source: str) -> set[bytes]:
        asked.append(source)
        return known

    skimmed = exchange.parse_exchange(path, known=known_for)
    assert asked == [SOURCE]
    assert skimmed["context"] == whole["context"]
    skipped = 0
    for kind in ("elements", "relationships"):
        for a, b in zip(whole[kind], skimmed[kind], strict=True):
            same = ("id", "type", "source", "target", "line", "span", "folder", "access")
            assert {k: a.get(k) for k in same} == {k: b.get(k) for k in same}
            if b.get("skipped"):
                skipped += 1
                assert (b["name"], b["properties"]) == ("", {})
            else:
                assert a == b
    assert skipped > 5
    assert next(r for r in skimmed["elements"] if r["id"] == "app-core").get("skipped")
