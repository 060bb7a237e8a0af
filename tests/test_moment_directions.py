"""The model at a moment built both ways, on a real Neo4j: forward from the history's states
(`queries.moment.forward`) and backward from the present with the later changes undone
(`queries.moment.rewound`) give equal models, in the same order, at every position of
random change sequences (deletes and re-creates of one id, a relationship's type changed
under one id, lifecycle dates, imports), after a baseline and across a prune; and the
models kept per moment stay right."""

from __future__ import annotations

import random
from contextlib import suppress
from datetime import UTC, date, datetime
from typing import Any

import pytest

from graph import edits, history
from graph.edits import FieldErrors
from graph.labels import CHANGE, CHANGE_CHUNK, CHANGE_SET, META
from graph.store import ConflictError, GraphStore, StoreError
from queries import history as hq
from queries.errors import QuestionError
from queries.model_graph import ModelGraph
from queries.moment import (
    Position,
    built_at,
    forward,
    kept_at,
    model_at,
    position_at,
    rewound,
)
from tests.fresh_history import history_from_now
from tests.test_asof import _imported_stream, _mark
from tests.test_scenarios import _random_model

DAYS = (None, date(2026, 6, 1), date(2027, 8, 1), date(2031, 1, 1))
DATES = ("2026-01-01", "2027-01-01", "2027-06-01", "2028-01-01", "2030-01-01")


@pytest.fixture
def clean(store: GraphStore) -> GraphStore:
    """An empty model whose history starts now; nothing kept from an earlier test."""
    return history_from_now(store)


def _order(model: ModelGraph) -> tuple[list[Any], ...]:
    """What a question's walk sees in order: elements, relationships, each element's."""
    return (
        list(model.nodes),
        list(model.rels),
        [[r.rel_key for r in model.out_rels(n)] for n in model.nodes],
        [[r.rel_key for r in model.in_rels(n)] for n in model.nodes],
    )


def _assert_same(a: ModelGraph, b: ModelGraph, where: str) -> None:
    assert a == b, where
    assert _order(a) == _order(b), where
    assert a.base_ids == b.base_ids and a.base_rel_keys == b.base_rel_keys, where


def _seqs(store: GraphStore) -> list[int]:
    rows = store.read(f"MATCH (s:{CHANGE_SET}) RETURN s.seq AS seq ORDER BY seq")
    return [0, *(int(r["seq"]) for r in rows)]


def _assert_both_ways_equal(store: GraphStore, seqs: list[int]) -> None:
    """At every position; on lifecycle days at every third (each build reads Neo4j)."""
    for k, seq in enumerate(seqs):
        for day in DAYS if k % 3 == 0 else DAYS[:1]:
            _assert_same(forward(store, seq, day), rewound(store, seq, day), f"{seq} on {day}")


def _ids(store: GraphStore) -> list[str]:
    return sorted(ModelGraph.load(store).nodes)


def _rels(store: GraphStore) -> list[tuple[str, str, str, str]]:
    return sorted(
        (str(r.id), r.type, r.source, r.target)
        for r in ModelGraph.load(store).rels.values()
        if r.id
    )


# A random edit the schema refuses (dates out of order, ends of the wrong type, an id
# taken) is simply not made.
REFUSED = (FieldErrors, ConflictError, StoreError, QuestionError)


def _random_changes(store: GraphStore, rnd: random.Random, count: int) -> None:
    gone: list[tuple[str, str]] = []  # deleted elements (id, type), to create again
    for _ in range(count):
        ids, rels = _ids(store), _rels(store)
        choice = rnd.random()
        if choice < 0.15 and ids:
            node_id = rnd.choice(ids)
            with suppress(*REFUSED):
                edits.update_node(store, node_id, {"name": f"R{rnd.randint(0, 99)}"})
        elif choice < 0.3 and ids:
            node_id = rnd.choice(ids)
            label = ModelGraph.load(store).nodes[node_id].type
            store.delete_node(node_id)
            gone.append((node_id, label))
        elif choice < 0.42 and gone:
            # The same id again, maybe as another type: a new thing under an old key.
            node_id, label = gone.pop(rnd.randrange(len(gone)))
            label = rnd.choice([label, "Platform", "Team"])
            with suppress(*REFUSED):
                edits.create_node(
                    store, edits.parse_node({"type": label, "id": node_id, "name": "Again"})
                )
        elif choice < 0.55 and rels:
            rel_id, rel_type, source, target = rnd.choice(rels)
            store.delete_relationship(rel_id)
            if rnd.random() < 0.7:
                # Its type changed under the same id: deleted, then created as another type.
                other = rnd.choice(["USES", "DEPENDS_ON", "RELATED_TO", "SUPPORTS", "OWNS"])
                with suppress(*REFUSED):
                    edits.create_relationship(
                        store,
                        edits.parse_relationship(
                            {"type": other, "id": rel_id, "source": source, "target": target}
                        ),
                    )
        elif choice < 0.7 and ids:
            node_id = rnd.choice(ids)
            day = rnd.choice(DATES)
            field = rnd.choice(["lifecycle_plan", "lifecycle_active", "lifecycle_end_of_life"])
            with suppress(*REFUSED):
                edits.update_node(store, node_id, {field: day})
        elif choice < 0.78 and rels:
            rel_id = rnd.choice(rels)[0]
            day = rnd.choice(DATES)
            with suppress(*REFUSED):
                edits.update_relationship(store, rel_id, {"lifecycle_active": day})
        elif choice < 0.9 and len(ids) > 1:
            a, b = rnd.sample(ids, 2)
            rel_type = rnd.choice(["USES", "DEPENDS_ON", "RELATED_TO", "SUPPORTS", "OWNS"])
            with suppress(*REFUSED):
                edits.create_relationship(
                    store,
                    edits.parse_relationship({"type": rel_type, "source": a, "target": b}),
                )
        else:
            _imported_stream(store, rnd, ids)


@pytest.mark.parametrize("seed", [31, 32])
def test_backward_and_forward_give_the_same_model_at_every_position(
    clean: GraphStore, seed: int
) -> None:
    rnd = random.Random(seed)
    _random_model(seed).write(clean)
    _random_changes(clean, rnd, 30)
    seqs = _seqs(clean)
    assert len(seqs) > 20  # the walk made changes
    _assert_both_ways_equal(clean, seqs)
    # At the last position both are the present model.
    _assert_same(rewound(clean, seqs[-1]), ModelGraph.load(clean), "present")


def test_both_ways_agree_from_a_baseline_and_across_a_prune(clean: GraphStore) -> None:
    s = clean
    # A model there before the history: written, its history then forgotten, so the
    # baseline records it as the first version of everything.
    _random_model(41).write(s)
    s.execute(f"MATCH (n) WHERE n:{CHANGE} OR n:{CHANGE_CHUNK} OR n:{CHANGE_SET} DETACH DELETE n")
    s.execute(f"MATCH (m:{META} {{key: 'history'}}) REMOVE m.since, m.pruned_before")
    baseline = s.transact(history.write_baseline)
    assert baseline is not None
    rnd = random.Random(41)
    _random_changes(s, rnd, 10)
    cut = _mark()
    _random_changes(s, rnd, 10)
    later = _mark()
    _random_changes(s, rnd, 8)
    seqs = _seqs(s)
    assert seqs[1] == baseline
    _assert_both_ways_equal(s, seqs[1:])
    before_prune = {
        t: {day: forward(s, position_at(s, t).seq, day) for day in DAYS} for t in (cut, later)
    }
    kept = kept_at(s, position_at(s, later))
    hq.prune(s, cut.isoformat())
    # Every moment from the cut on is what it was, both ways, kept or built again.
    for t, models in before_prune.items():
        seq = position_at(s, t).seq
        for day, model in models.items():
            _assert_same(forward(s, seq, day), model, f"{t} on {day}, forward")
            _assert_same(rewound(s, seq, day), model, f"{t} on {day}, backward")
    assert kept_at(s, position_at(s, later)) is kept
    _assert_both_ways_equal(s, [seq for seq in _seqs(s)[1:] if seq >= position_at(s, cut).seq])


def test_the_cheaper_way_is_chosen_and_the_moment_kept(
    clean: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = clean
    _random_model(51).write(s)  # one change set: most of the history
    early = _mark()
    _random_changes(s, random.Random(51), 6)
    ways: list[str] = []
    import queries.moment as moment

    monkeypatch.setattr(moment, "forward", lambda *a: ways.append("forward") or forward(*a))
    monkeypatch.setattr(moment, "rewound", lambda *a: ways.append("backward") or rewound(*a))
    then = model_at(s, as_of=early)
    assert ways == ["backward"]  # a few changes after it, the whole model before
    assert model_at(s, as_of=early) is then  # kept: not built again
    assert ways == ["backward"]
    built_at(s, 0)
    assert ways[-1] == "forward"  # nothing before the start: all of it after
    # A change after the moment leaves it as it was; kept models are bounded.
    edits.update_node(s, _ids(s)[0], {"name": "Later"})
    assert model_at(s, as_of=early) is then
    for day in DAYS[1:]:
        model_at(s, as_of=early, at=day)
    assert model_at(s, as_of=early) is not then
    assert model_at(s, as_of=early) == then
    assert kept_at(s, Position(0)) == ModelGraph()
    assert model_at(s, as_of=datetime.now(UTC)) == ModelGraph.load(s)
