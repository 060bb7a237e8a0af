"""A large change's creations recorded as chunks (`graph.history.CHUNK_MIN`), on a real
Neo4j: every reader gives what it gives for the same change recorded a `Change` node per
row (history, change sets and their pages, as-of both ways, replay, measures), the chain
covers the chunks (a chunk altered or deleted is found), a prune keeps each thing's state
at the cut out of a chunk, and a history written in the old form (a node per row) reads
and verifies beside the new one."""

from __future__ import annotations

import json
import random
import time
from typing import Any

import pytest

from graph import edits, history
from graph.labels import CHANGE, CHANGE_CHUNK, META
from graph.model import NodeRecord, now_iso
from graph.store import GraphStore
from importers.pipeline import run_import
from queries import history as hq
from queries.model_graph import ModelGraph
from queries.moment import Moment, element_at, forward, position_at, rewound
from tests import test_asof, test_history, test_moment_directions
from tests.fresh_history import history_from_now
from tests.test_history import BANK, _sets
from tests.test_moment_directions import _assert_both_ways_equal, _assert_same, _seqs

OLD_FORM = 10**9  # CHUNK_MIN no change reaches: a `Change` node per row, as before chunks


def _forget(store: GraphStore) -> GraphStore:
    """No history, its start now, no chain head, nothing kept from an earlier test."""
    history_from_now(store)
    store.execute(f"MATCH (m:{META} {{key: 'revision'}}) REMOVE m.history_head")
    return store


@pytest.fixture
def clean(store: GraphStore) -> GraphStore:
    return _forget(store)


@pytest.fixture
def chunked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every creation in chunks, and small ones: many chunks per type, bounds overlapping."""
    monkeypatch.setattr(history, "CHUNK_MIN", 1)
    monkeypatch.setattr(history, "CHUNK_ROWS", 3)


def _chunks(store: GraphStore) -> int:
    return int(store.read(f"MATCH (k:{CHANGE_CHUNK}) RETURN count(k) AS n")[0]["n"])


def _nodes(store: GraphStore) -> int:
    return int(store.read(f"MATCH (c:{CHANGE}) RETURN count(c) AS n")[0]["n"])


def _ids(store: GraphStore) -> list[str]:
    rows = store.read(
        "MATCH (n:Element) RETURN n.id AS id UNION "
        "MATCH (:Element)-[r]->(:Element) WHERE r.id IS NOT NULL RETURN r.id AS id"
    )
    return sorted(str(r["id"]) for r in rows)


def _plain(item: Any) -> dict[str, Any]:
    """A change as the surfaces give it, less what differs from one recording to another."""
    out = item.model_dump(exclude={"seq", "at", "change_set"})
    for state in (out["before"], out["after"]):
        if state:
            for volatile in ("created_at", "updated_at", "import_run"):
                state.pop(volatile, None)
    return out


def _read_everything(store: GraphStore) -> dict[str, Any]:
    """Everything the history's readers say about the import of the bank and an edit."""
    [imported, *_] = _sets(store)
    everything: dict[str, Any] = {
        "set": imported.model_dump(exclude={"seq", "id", "at", "ref"}),
        "history": {
            i: [_plain(v) for v in hq.element_history(store, i).items] for i in _ids(store)
        },
    }
    # The change set's changes a page at a time: the same pages, in the same order.
    pages = []
    for offset in range(0, imported.changes + 7, 7):
        page = hq.change_set(store, imported.seq, limit=7, offset=offset)
        assert page.total == imported.changes
        pages.append([_plain(c) for c in page.items])
    everything["pages"] = pages
    everything["verify"] = hq.verify(store).model_dump(include={"intact", "changes", "unchained"})
    return everything


def test_a_chunked_import_reads_as_the_same_import_recorded_a_node_per_row(
    clean: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history, "CHUNK_MIN", OLD_FORM)
    run_import(clean, BANK)
    assert _chunks(clean) == 0 and _nodes(clean) == 34
    per_row = _read_everything(clean)

    clean.clear()
    _forget(clean)
    monkeypatch.setattr(history, "CHUNK_MIN", 1)
    monkeypatch.setattr(history, "CHUNK_ROWS", 4)
    run_import(clean, BANK)
    # 15 elements and 19 relationships in chunks of at most 4 per type, no `Change` node.
    assert _nodes(clean) == 0 and 34 / 4 < _chunks(clean) < 34
    bounds = clean.read(f"MATCH (k:{CHANGE_CHUNK}) RETURN k.ids AS ids, k.lo AS lo, k.hi AS hi")
    assert all(
        r["ids"] == sorted(r["ids"]) and (r["lo"], r["hi"]) == (r["ids"][0], r["ids"][-1])
        for r in bounds
    )
    assert _read_everything(clean) == per_row
    assert per_row["verify"] == {"intact": True, "changes": 34, "unchained": 0}


def test_the_chain_covers_the_chunks(clean: GraphStore, chunked: None) -> None:
    run_import(clean, BANK)
    edits.update_node(clean, "app-core", {"name": "Core banking (renamed)"})
    [imported, edited] = _sets(clean)
    assert test_history._intact(clean).changes == 34 + 1
    # Someone with database access rewrites what app-core was when it was imported.
    clean.execute(
        f"MATCH (k:{CHANGE_CHUNK} {{seq: $seq}}) WHERE 'app-core' IN k.ids "
        "SET k.states = [s IN k.states | replace(s, 'Core', 'Fake')]",
        {"seq": imported.seq},
    )
    broken = hq.verify(clean).broken
    assert broken is not None and (broken.seq, broken.problem) == (imported.seq, "change")
    assert broken.key is not None and broken.key.startswith("element chunk Platform ")
    # A whole chunk deleted: its change set no longer holds what it recorded.
    clean.execute(
        f"MATCH (k:{CHANGE_CHUNK} {{seq: $seq}}) WHERE 'app-core' IN k.ids DELETE k",
        {"seq": imported.seq},
    )
    broken = hq.verify(clean).broken
    assert broken is not None and (broken.seq, broken.problem) == (imported.seq, "changes")
    assert edited.seq > imported.seq


def test_an_old_form_history_reads_and_verifies_beside_chunks(
    clean: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store written before chunks (a `Change` per row) goes on: its history is read
    with the new one, the chain runs through both, moments are built both ways from both,
    and a prune cuts across both."""
    s = clean
    rnd = random.Random(7)
    monkeypatch.setattr(history, "CHUNK_MIN", OLD_FORM)
    test_moment_directions._random_model(7).write(s)
    test_moment_directions._random_changes(s, rnd, 8)
    old = _nodes(s)
    assert _chunks(s) == 0 and old > 100
    monkeypatch.setattr(history, "CHUNK_MIN", 1)
    monkeypatch.setattr(history, "CHUNK_ROWS", 5)
    test_moment_directions._random_changes(s, rnd, 8)
    cut = test_asof._mark()
    test_moment_directions._random_changes(s, rnd, 8)
    later = test_asof._mark()
    test_moment_directions._random_changes(s, rnd, 8)
    assert _chunks(s) > 0 and _nodes(s) > old
    report = test_history._intact(s)
    assert report.unchained == 0 and report.change_sets == len(_seqs(s)) - 1  # 0: before
    _assert_both_ways_equal(s, _seqs(s))
    _assert_same(rewound(s, _seqs(s)[-1]), ModelGraph.load(s), "present")
    # Every element's history: its last recorded state is what it is now.
    for i in sorted(ModelGraph.load(s).nodes)[:40]:
        [last, *_] = hq.element_history(s, i, limit=1).items
        assert (
            last.after is not None and last.after["name"] == element_at(s, i, Moment(None))["name"]
        )
    before = {t: forward(s, position_at(s, t).seq) for t in (cut, later)}
    hq.prune(s, cut.isoformat())
    for t, model in before.items():
        seq = position_at(s, t).seq
        _assert_same(forward(s, seq), model, f"{t}, forward")
        _assert_same(rewound(s, seq), model, f"{t}, backward")
    assert test_history._intact(s).pruned_before is not None


def test_a_prune_keeps_a_chunk_row_only_while_it_is_the_state_at_the_cut(
    clean: GraphStore, chunked: None
) -> None:
    s = clean
    for i in range(5):
        edits.create_node(s, edits.parse_node({"type": "Team", "id": f"t-{i}", "name": "A"}))
    # One write creating seven: chunks of three, three and one.
    s.write(
        [NodeRecord(label="Team", id=f"u-{i}", props={"name": f"U{i}"}) for i in range(7)],
        new_nodes={f"u-{i}" for i in range(7)},
    )
    edits.update_node(s, "u-1", {"name": "U1 renamed"})
    s.delete_node("u-2")
    time.sleep(0.005)
    cut = now_iso()
    time.sleep(0.005)
    edits.update_node(s, "u-3", {"name": "U3 after the cut"})
    pruned = hq.prune(s, cut)
    # u-1's creation (superseded by its rename) and u-2's (deleted) are gone from the
    # chunks, and u-2's deletion with them; u-1's rename is its state at the cut.
    assert pruned.pruned_changes == 2 + 1
    rows = s.read(f"MATCH (k:{CHANGE_CHUNK}) UNWIND k.ids AS id RETURN collect(id) AS ids")
    assert sorted(rows[0]["ids"]) == sorted(
        [f"t-{i}" for i in range(5)] + ["u-0", "u-3", "u-4", "u-5", "u-6"]
    )
    assert [v.op for v in hq.element_history(s, "u-1").items] == ["updated"]
    assert hq.element_history(s, "u-2").total == 0
    assert [v.op for v in hq.element_history(s, "u-3").items] == ["updated", "created"]
    report = test_history._intact(s)
    assert report.pruned_before == cut
    # A kept chunk altered after the prune is found.
    s.execute(
        f"MATCH (k:{CHANGE_CHUNK}) WHERE 'u-4' IN k.ids "
        "SET k.states = [x IN k.states | replace(x, 'U4', 'X')]"
    )
    broken = hq.verify(s).broken
    assert broken is not None and broken.problem == "kept"


@pytest.mark.parametrize("seed", [31])
def test_both_ways_equal_at_every_position_with_chunks(
    clean: GraphStore, chunked: None, seed: int
) -> None:
    test_moment_directions.test_backward_and_forward_give_the_same_model_at_every_position(
        clean, seed
    )


def test_both_ways_from_a_baseline_and_across_a_prune_with_chunks(
    clean: GraphStore, chunked: None
) -> None:
    test_moment_directions.test_both_ways_agree_from_a_baseline_and_across_a_prune(clean)


@pytest.mark.parametrize("seed", [21])
def test_replay_equality_with_chunks(clean: GraphStore, chunked: None, seed: int) -> None:
    test_asof.test_replay_equality_on_random_change_sequences(clean, seed)


def test_a_created_state_in_a_chunk_is_what_neo4j_stored(clean: GraphStore, chunked: None) -> None:
    run_import(clean, BANK)
    changes = [r["c"] for r in clean.read(history.changes() + "RETURN c")]
    recorded = {f"{c['kind'][0]}:{c['id']}": json.loads(c["after"]) for c in changes}
    nodes = clean.read(
        "MATCH (n:Element) RETURN n.id AS id, labels(n) AS labels, properties(n) AS props"
    )
    assert len(recorded) == 34
    for r in nodes:
        state = recorded[f"e:{r['id']}"]
        assert {k: v for k, v in state.items() if k != "type"} == json.loads(json.dumps(r["props"]))
