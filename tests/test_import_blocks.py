"""The block path: runs of relationships read as blocks of the rows the last import
stored (`importers.xmlstream.Block`, `importers.transform.Carry`) give exactly what
reading them row by row gives: the records, the comparison, the stored table byte for
byte, the counts, the warnings, the errors; and on a real Neo4j the graph, the history,
the runs and the reports. Hostile or malformed bytes in or around a run are refused as
they are without it."""

from __future__ import annotations

import io
import random
import re
from pathlib import Path
from typing import Any

import pytest

from graph.store import GraphStore
from importers import digests, exchange, preparation
from importers.diff import Comparison
from importers.errors import ImportFailure
from importers.pipeline import run_import
from importers.preparation import prepare
from importers.transform import Memo
from samples.generate import generate
from tests.test_import_digests import _forget, _graph, _history, _report, _runs

Table = tuple[bytes, bytes, bytes]


def _import(path: Path, table: Table | None, *, blocks: bool) -> tuple[Any, Table]:
    """What an import works out in Python (no database), as `run_import` does: its
    outcome (everything the write and the report are made of), and the table it stores.
    With `table`, a change import with the memo and the digests of that table."""
    held: Any = ([], [])
    memo = Memo({}, {})
    if table is not None:
        nodes, rels, decoded = digests.decode(*table)
        held, memo = (nodes, rels), decoded or memo
    real = preparation._runs
    preparation._runs = real if blocks else (lambda _memo: None)  # type: ignore[assignment]
    try:
        prepared = prepare(path, whole=False, run_id="run-test", memo=lambda _m, _k: memo)
        comparison = Comparison(*held, by_digest=table is not None)
        written: list[Any] = [comparison.nodes(prepared.elements), [], []]
        for chunk in prepared.relationship_chunks(7):  # chunks of records or runs
            write, added = comparison.relationships(chunk)
            written[1] += write
            written[2] += added
        result = prepared.result
        written.append(comparison.nodes(result["nodes"][len(prepared.elements) :]))
    finally:
        preparation._runs = real  # type: ignore[assignment]
    plan = comparison.finish()
    encoded = comparison.held_after(prune=False, removed_nodes=plan["remove_nodes"]).encode()
    outcome = (
        plan,
        written,
        result["counts"],
        [repr(w) for w in result["warnings"]],
        prepared.elements,
    )
    return outcome, encoded


def _either(path: Path, table: Table | None, *, blocks: bool) -> tuple[Any, Table | None]:
    try:
        return _import(path, table, blocks=blocks)
    except ImportFailure as exc:
        return ("refused", str(exc), exc.line, exc.hint), None


def _model(tmp_path: Path, size: int, seed: int) -> str:
    out = io.StringIO()
    generate(size, seed, out)
    return out.getvalue()


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.xml"
    path.write_text(text, encoding="utf-8")
    return path


# -- random edits of a generated model, on its lines ------------------------------------------

_ELEMENT = re.compile(r'^(\s*)<element identifier="([^"]+)" xsi:type="(\w+)"')
_REL = re.compile(r'^\s*<relationship identifier="([^"]+)" source="([^"]+)" target="([^"]+)"')


def _where(lines: list[str]) -> tuple[list[int], list[int], int]:
    elements = [i for i, line in enumerate(lines) if _ELEMENT.match(line)]
    rels = [i for i, line in enumerate(lines) if _REL.match(line) and line.endswith("/>")]
    end = next(i for i, line in enumerate(lines) if "</relationships>" in line)
    return elements, rels, end


def _edit(lines: list[str], rng: random.Random, kind: str, n: int) -> None:
    elements, rels, end = _where(lines)
    first_rel = min(rels)
    if kind == "rename":
        i = rng.choice(elements)
        lines[i + 1] = lines[i + 1].replace("</name>", f" {n}</name>", 1)
    elif kind == "retype":
        i = rng.choice(elements)
        kind_ = rng.choice(["Goal", "Node", "ApplicationComponent", "BusinessActor", "ValueStream"])
        lines[i] = re.sub(r'xsi:type="\w+"', f'xsi:type="{kind_}"', lines[i], count=1)
    elif kind == "reid":
        i = rng.choice(elements)
        lines[i] = lines[i].replace('" xsi:type', f'-x{n}" xsi:type', 1)
    elif kind == "drop-element":
        i = rng.choice(elements)
        j = i if lines[i].endswith("/>") else lines.index(lines[i].split("<")[0] + "</element>", i)
        del lines[i : j + 1]
    elif kind == "add-element":
        i = rng.choice(elements)
        lines.insert(
            i, f'    <element identifier="new-{n}" xsi:type="Goal"><name>N{n}</name></element>'
        )
    elif kind == "drop-rel":
        del lines[rng.choice(rels)]
    elif kind == "add-rel":
        ends = [_ELEMENT.match(lines[i]).group(2) for i in rng.sample(elements, 2)]  # type: ignore[union-attr]
        row = f'    <relationship identifier="new-rel-{n}" source="{ends[0]}" target="{ends[1]}" xsi:type="Association"/>'
        lines.insert(rng.randint(first_rel, end), row)
    elif kind == "move-rel":
        row = lines.pop(rng.choice(rels))
        lines.insert(rng.randint(first_rel, end - 1), row)
    elif kind == "retype-rel":
        i = rng.choice(rels)
        lines[i] = re.sub(r'xsi:type="\w+"', 'xsi:type="Flow"', lines[i], count=1)
    elif kind == "stage":  # a value stream made a stage of another, or a chain moved
        streams = [
            _ELEMENT.match(lines[i]).group(2)  # type: ignore[union-attr]
            for i in elements
            if 'xsi:type="ValueStream"' in lines[i]
        ]
        a, b = rng.sample(streams, 2)
        rel_type = rng.choice(["Composition", "Triggering"])
        row = f'    <relationship identifier="new-stage-{n}" source="{a}" target="{b}" xsi:type="{rel_type}"/>'
        lines.insert(rng.randint(first_rel, end), row)
    elif kind == "comment":
        lines.insert(rng.randint(first_rel, end), "    <!-- a note -->")
    elif kind == "cdata":
        i = rng.choice(elements)
        lines[i + 1] = re.sub(r">([^<]*)</name>", r"><![CDATA[\1]]></name>", lines[i + 1], count=1)
    elif kind == "duplicate-rel":
        i = rng.choice(rels)
        lines.insert(rng.randint(first_rel, end), lines[i])
    elif kind == "odd-id":  # an id that is not kept as it is, beside the runs
        row = f'    <relationship identifier="1odd-{n}" source="{_ELEMENT.match(lines[elements[0]]).group(2)}" target="{_ELEMENT.match(lines[elements[1]]).group(2)}" xsi:type="Association"/>'  # type: ignore[union-attr]
        lines.insert(rng.randint(first_rel, end), row)
    elif kind == "indent":  # bytes between two rows: the row before is another
        i = rng.choice(rels)
        lines[i] = "  " + lines[i]
    else:  # pragma: no cover
        raise AssertionError(kind)


KINDS = (
    "rename",
    "retype",
    "reid",
    "drop-element",
    "add-element",
    "drop-rel",
    "add-rel",
    "move-rel",
    "retype-rel",
    "stage",
    "comment",
    "cdata",
    "duplicate-rel",
    "odd-id",
    "indent",
)


@pytest.mark.parametrize("seed", range(6))
def test_runs_give_what_rows_give_on_random_edits(tmp_path: Path, seed: int) -> None:
    """A generated model, then a chain of randomly edited versions of it, imported each
    after the last: with the block path and without, every import's outcome and stored
    table are the same (and the next import starts from either's table alike)."""
    rng = random.Random(seed)
    text = _model(tmp_path, 160, seed)
    base = _write(tmp_path, "base", text)
    first, table = _import(base, None, blocks=True)
    assert first == _import(base, None, blocks=False)[0]
    lines = text.split("\n")
    for step in range(5):
        edited = list(lines)
        for n in range(rng.randint(1, 3)):
            _edit(edited, rng, rng.choice(KINDS), step * 10 + n)
        path = _write(tmp_path, f"step-{step}", "\n".join(edited))
        with_blocks, table_blocks = _either(path, table, blocks=True)
        without, table_rows = _either(path, table, blocks=False)
        assert with_blocks == without, step
        assert table_blocks == table_rows, step
        if table_rows is not None:
            table = table_rows
            lines = edited
    # Unchanged since, the file is read in runs (unless a comment or CDATA is in it).
    again = "\n".join(lines)
    assert bool(_blocks(_write(tmp_path, "again", again), table)) == ("<!" not in again)


def _blocks(path: Path, table: Table) -> int:
    """How many relationships of `path` a parse with `table`'s memo reads in runs."""
    _, _, memo = digests.decode(*table)
    assert memo is not None and memo.carry is not None
    carry = memo.carry
    model = exchange.parse_exchange(path, known=lambda _k: memo.spans, runs=lambda _k: carry.runs)
    return sum(block.rows for _, block in model.get("blocks", []))


@pytest.mark.parametrize("kind", KINDS)
def test_each_edit_gives_what_rows_give(tmp_path: Path, kind: str) -> None:
    """Each kind of edit alone, renamed elements beside it, with runs and without."""
    rng = random.Random(kind)
    text = _model(tmp_path, 160, 7)
    _, table = _import(_write(tmp_path, "base", text), None, blocks=True)
    lines = text.split("\n")
    _edit(lines, rng, "rename", 90)
    _edit(lines, rng, kind, 91)
    path = _write(tmp_path, "edited", "\n".join(lines))
    assert _either(path, table, blocks=True) == _either(path, table, blocks=False)


def test_a_renamed_element_leaves_the_relationships_in_runs(tmp_path: Path) -> None:
    text = _model(tmp_path, 160, 2)
    _, table = _import(_write(tmp_path, "base", text), None, blocks=True)
    lines = text.split("\n")
    _edit(lines, random.Random(1), "rename", 1)
    path = _write(tmp_path, "renamed", "\n".join(lines))
    rels = len(_where(lines)[1])
    # Every empty relationship but those a stage is derived from, in a few runs.
    assert _blocks(path, table) > rels * 0.8
    outcome, _ = _import(path, table, blocks=True)
    assert outcome[0]["report"]["relationships"]["total"] == {
        "added": 0,
        "changed": 0,
        "removed": 0,
    }


def test_a_row_nested_in_a_row_is_not_taken_for_a_row(tmp_path: Path) -> None:
    """A relationship whose bytes are a stored row's, but inside another row (its child,
    which the reader ignores), is not carried: what rows give, it is gone."""
    text = _model(tmp_path, 160, 3)
    _, table = _import(_write(tmp_path, "base", text), None, blocks=True)
    lines = text.split("\n")
    _, rels, _ = _where(lines)
    inner = lines.pop(rels[10])
    outer = lines[rels[3]]
    lines[rels[3]] = outer[:-2] + ">\n" + inner + "\n    </relationship>"
    path = _write(tmp_path, "nested", "\n".join(lines))
    with_blocks = _either(path, table, blocks=True)
    assert with_blocks == _either(path, table, blocks=False)
    assert with_blocks[0][0]["report"]["relationships"]["total"]["removed"] == 1


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # The bytes of the run are the stored rows', but the prefix they use is no longer
        # declared: expat refuses them, handlers off or not.
        ("<relationships>", '<relationships xmlns:q="urn:q">'),
        # An undefined entity between two rows of a run (a piece not matched, next to them).
        ('xsi:type="Serving"/>\n', 'xsi:type="Serving"/>&bogus;\n'),
        # Markup broken right after a run.
        ("</relationships>", "</relationshipz>"),
        # A stray "<" in the whitespace after a row.
        ('xsi:type="Composition"/>\n', 'xsi:type="Composition"/>< \n'),
    ],
)
def test_malformed_bytes_about_a_run_are_refused_as_without_runs(
    tmp_path: Path, old: str, new: str
) -> None:
    text = _model(tmp_path, 160, 4)
    first = text
    if "xmlns:q" in new:  # the first file declares the prefix and uses it on every row
        first = text.replace(old, new).replace("<relationship ", '<relationship q:n="1" ')
        text = first.replace(new, old)
    else:
        assert old in text
        text = text.replace(old, new, 3)
    _, table = _import(_write(tmp_path, "base", first), None, blocks=True)
    path = _write(tmp_path, "bad", text)
    with_blocks = _either(path, table, blocks=True)
    assert with_blocks[0][0] == "refused", with_blocks
    assert with_blocks == _either(path, table, blocks=False)


def test_a_change_import_in_runs_writes_what_rows_write(
    store: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On Neo4j: a sequence of imports (renames, a retype, a moved and an added
    relationship, a new stage) with runs and without gives the same graph, history, runs
    and reports."""
    text = _model(tmp_path, 200, 5)
    lines = text.split("\n")
    rng = random.Random(5)
    steps = [_write(tmp_path, "base", text)]
    for step, kinds in enumerate(
        (("rename", "rename"), ("retype", "move-rel"), ("stage", "add-rel", "rename"))
    ):
        for n, kind in enumerate(kinds):
            _edit(lines, rng, kind, step * 10 + n)
        steps.append(_write(tmp_path, f"step-{step}", "\n".join(lines)))
    steps.append(steps[0])

    def play(blocks: bool) -> Any:
        _forget(store)
        with monkeypatch.context() as m:
            if not blocks:
                m.setattr(preparation, "_runs", lambda _memo: None)
            reports = [_report(run_import(store, path)) for path in steps]
        return reports, (_graph(store), _history(store), _runs(store))

    rows = play(False)
    carried: list[int] = []
    real = exchange.parse_exchange

    def spy(*args: Any, **kwargs: Any) -> Any:
        model = real(*args, **kwargs)
        carried.append(sum(block.rows for _, block in model.get("blocks", [])))
        return model

    monkeypatch.setitem(preparation.PARSERS, "exchange", spy)
    runs = play(True)
    assert carried[0] == 0 and carried[1] > 0, carried
    assert runs == rows


def test_an_id_that_becomes_one_of_a_run_is_refused_as_without_runs(tmp_path: Path) -> None:
    """A relationship whose id is spelled as another's in a run ("9z" is "id-9z") is the
    clash it is without runs; an encoded id beside runs is not one."""
    text = _model(tmp_path, 160, 6)
    lines = text.split("\n")
    elements, rels, _ = _where(lines)
    a, b = (_ELEMENT.match(lines[i]).group(2) for i in elements[:2])  # type: ignore[union-attr]
    row = '    <relationship identifier="{}" source="{}" target="{}" xsi:type="Association"/>'
    lines.insert(rels[5], row.format("id-9z", a, b))
    _, table = _import(_write(tmp_path, "base", "\n".join(lines)), None, blocks=True)
    for ident, refused in (("9z", True), ("8z", False)):
        edited = list(lines)
        edited.insert(rels[-1], row.format(ident, b, a))
        path = _write(tmp_path, ident, "\n".join(edited))
        with_blocks = _either(path, table, blocks=True)
        assert (with_blocks[0][0] == "refused") == refused, with_blocks[0]
        assert with_blocks == _either(path, table, blocks=False)
