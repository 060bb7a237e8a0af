"""The walks as of a moment on the present graph with the later changes laid over it
(`queries.moment_walk.ThenReader`), on a real Neo4j: impact, depends-on and path answer
exactly as on the moment's model built forward from the history, at every position of
random change sequences (deletes and re-creates of one id, a relationship's type changed
under one id, imports); by hand, a relationship added and one removed since the moment,
an element deleted and one renamed since, an owner changed; the reader chosen by what is
kept; and a walk the present moved under is walked again on the moment's model."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import BaseModel

from graph import edits
from graph.store import GraphStore
from queries import impact as im
from queries import over_time
from queries.errors import QuestionError
from queries.model_graph import ModelGraph
from queries.moment import Moment, Position, forget_moments, forward, kept_at, position_at
from queries.moment_walk import ThenReader, walk_reader
from queries.present import forget, present_model
from tests.fresh_history import history_from_now
from tests.test_asof import _mark, _node, _rel
from tests.test_moment_directions import _random_changes, _seqs
from tests.test_scenarios import _random_model


@pytest.fixture
def clean(store: GraphStore) -> GraphStore:
    """An empty model whose history starts now; nothing kept from an earlier test."""
    return history_from_now(store)


def _answer(question: Callable[..., BaseModel], *args: Any) -> Any:
    """The answer as data, or the refusal as its type and message (an element not there
    then)."""
    try:
        return question(*args).model_dump()
    except QuestionError as exc:
        return (type(exc).__name__, str(exc))


def _assert_walks_equal(store: GraphStore, seq: int, ids: list[str], where: str) -> None:
    then = ThenReader(store, Position(seq))
    model = forward(store, seq)
    for a in ids:
        for b in ids[:2]:
            assert _answer(im.dependency_path, then, a, b) == _answer(
                im.dependency_path, model, a, b
            ), f"{where}: path {a} {b}"
        assert _answer(im.impact, then, a) == _answer(im.impact, model, a), (
            f"{where}: impact of {a}"
        )
        assert _answer(im.depends_on, then, a) == _answer(im.depends_on, model, a), (
            f"{where}: depends on {a}"
        )


@pytest.mark.parametrize("seed", [61, 62])
def test_the_overlay_walks_answer_as_the_moments_model_at_every_position(
    clean: GraphStore, seed: int
) -> None:
    rnd = random.Random(seed)
    _random_model(seed).write(clean)
    _random_changes(clean, rnd, 24)
    seqs = _seqs(clean)
    assert len(seqs) > 15
    everyone = sorted({*ModelGraph.load(clean).nodes, *forward(clean, seqs[1]).nodes})
    for seq in seqs[1:]:
        # Some there then and gone now or the other way round, and a name (resolved on the
        # moment's model: the same rules, the same refusals).
        picked = [*rnd.sample(everyone, 4), "Node 03"]
        _assert_walks_equal(clean, seq, picked, f"seed {seed} at {seq}")


def test_what_changed_since_the_moment_is_walked_as_it_was(clean: GraphStore) -> None:
    s = clean
    _node(s, type="Platform", id="p", name="Core")
    _node(s, type="Platform", id="q", name="Queue")
    for i in (1, 2, 3):
        _node(s, type="ValueStream", id=f"v{i}", name=f"Stream {i}")
    _node(s, type="Team", id="t1", name="Team one")
    _node(s, type="Team", id="t2", name="Team two")
    _node(s, type="Person", id="ann", name="Ann")
    removed = _rel(s, "USES", "v1", "p")
    _rel(s, "USES", "v3", "q")
    _rel(s, "OWNS", "t1", "v1")
    _rel(s, "ACCOUNTABLE_FOR", "ann", "v3")
    then = _mark()
    s.delete_relationship(removed)  # removed since
    _rel(s, "USES", "v2", "p")  # added since
    _rel(s, "USES", "q", "p", id="q-uses-p")  # added since: q reaches v3 only through it
    s.delete_node("t1")  # deleted since, and its OWNS with it
    _rel(s, "OWNS", "t2", "v2")
    edits.update_node(s, "v3", {"name": "Renamed"})
    forget(s)
    forget_moments(s)
    moment = Moment(as_of=then)
    reader = walk_reader(s, moment)
    assert isinstance(reader, ThenReader)  # nothing kept: the overlay
    past = over_time.walk_impact(s, moment, "p").result()
    assert [a.element.id for a in past.streams] == ["v1"]
    assert [(n.element.id, [x.id for x in n.about]) for n in past.teams_to_notify] == [
        ("t1", ["v1"])
    ]
    assert im.impact(s, "p").streams[0].element.id == "v2"  # now: v2 and v3 by way of q
    assert [a.element.name for a in over_time.walk_impact(s, moment, "q").result().streams] == [
        "Stream 3"
    ]
    assert over_time.depends_on(s, moment, "v1").dependencies[0].element.id == "p"
    assert over_time.dependency_path(s, moment, "q", "p").direction == "none"
    model = forward(s, position_at(s, then).seq)
    for element in ("p", "q", "v1", "v2", "v3", "t1", "ann", "Stream 3", "Renamed"):
        assert _answer(im.impact, reader, element) == _answer(im.impact, model, element), element
        assert _answer(im.depends_on, reader, element) == _answer(im.depends_on, model, element), (
            element
        )
    # Resolving a name (not an id then) built the moment's model, kept for what follows.
    assert isinstance(walk_reader(s, moment), ModelGraph)


def test_a_kept_model_is_walked_when_there_is_one(clean: GraphStore) -> None:
    s = clean
    _random_model(71).write(s)
    then = _mark()
    _random_changes(s, random.Random(71), 4)
    moment = Moment(as_of=then)
    forget(s)
    forget_moments(s)
    assert isinstance(walk_reader(s, moment), ThenReader)
    present_model(s)  # the warmer keeps it: building the moment's model costs little then
    built = walk_reader(s, moment)
    assert isinstance(built, ModelGraph)
    forget(s)
    assert walk_reader(s, moment) is built  # the moment's model is kept
    # A lifecycle day filters the whole model: built, never the overlay.
    forget_moments(s)
    assert isinstance(walk_reader(s, Moment.of(then.isoformat(), "2030-01-01")), ModelGraph)


def test_a_walk_the_present_moved_under_is_walked_again_on_the_moments_model(
    clean: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = clean
    _node(s, type="Platform", id="p", name="Core")
    _node(s, type="ValueStream", id="v1", name="Stream 1")
    _rel(s, "USES", "v1", "p")
    then = _mark()
    _node(s, type="ValueStream", id="v2", name="Stream 2")
    forget(s)
    forget_moments(s)
    expand = ThenReader.expand
    moved: list[str] = []

    def expand_while_it_moves(self: ThenReader, *args: Any) -> list[dict[str, Any]]:
        if not moved:
            # Committed between the changes read and this level: the overlay would show it.
            moved.append(_rel(s, "USES", "v2", "p"))
        return expand(self, *args)

    monkeypatch.setattr(ThenReader, "expand", expand_while_it_moves)
    past = over_time.walk_impact(s, Moment(as_of=then), "p").result()
    assert moved and [a.element.id for a in past.streams] == ["v1"]
    assert past == im.impact(kept_at(s, position_at(s, then)), "p")
