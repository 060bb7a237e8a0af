"""The model and the questions at a moment, on a real Neo4j: as of a past instant (from the
change history), on a day by lifecycle dates, between two moments (diff) and over a series
(trends); refused before the history's horizon; the same numbers on every surface; and
replay equality: the as-of answer equals the answer of a fresh graph holding the model as
it stood then."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from graph import edits
from graph.labels import CHANGE, CHANGE_CHUNK, CHANGE_SET, META
from graph.lifecycle import present_on
from graph.model import now_iso
from graph.store import GraphStore, NotFoundError
from importers.pipeline import run_import
from queries import bottlenecks as bn
from queries import health as hl
from queries import history as hq
from queries import impact as im
from queries import over_time as ot
from queries.errors import QuestionError
from queries.model_graph import ModelGraph
from queries.moment import BeforeHorizon, Moment, element_at, model_at, parse_instant
from queries.present import forget
from tests.fresh_history import history_from_now
from tests.question_graphs import Graph, run_cli
from tests.test_history import BANK
from tests.test_scenarios import _random_model

DAY = date(2026, 6, 1)


@pytest.fixture
def clean(store: GraphStore) -> GraphStore:
    """An empty model whose history starts now (none before, no prune horizon)."""
    history_from_now(store)
    store.execute("MATCH (s:Scenario) DELETE s")
    return store


@pytest.fixture
def api(clean: GraphStore, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store=clean)) as c:
        yield c


def _mark() -> datetime:
    """An instant between two changes (the history's times are milliseconds)."""
    time.sleep(0.003)
    moment = parse_instant(now_iso())
    time.sleep(0.003)
    return moment


def _streams(result: im.ImpactResult) -> list[str]:
    return [a.element.id for a in result.streams]


def _node(store: GraphStore, **data: Any) -> None:
    edits.create_node(store, edits.parse_node(data))


def _rel(store: GraphStore, rel_type: str, source: str, target: str, **extra: Any) -> str:
    made = edits.create_relationship(
        store,
        edits.parse_relationship({"type": rel_type, "source": source, "target": target, **extra}),
    )
    return str(made["id"])


# -- hand-worked ---------------------------------------------------------------------------


def test_a_hand_worked_sequence_answers_as_of_each_moment(clean: GraphStore) -> None:
    s = clean
    t_empty = _mark()
    # 1. Alpha uses the Gateway; the Core team owns it; Ann answers for Alpha.
    _node(s, type="ValueStream", id="vs-a", name="Alpha")
    _node(s, type="Platform", id="p-gw", name="Gateway")
    _node(s, type="Team", id="t-core", name="Core", team_type="platform", capacity=8)
    _node(s, type="Person", id="per-a", name="Ann")
    _rel(s, "USES", "vs-a", "p-gw")
    _rel(s, "OWNS", "t-core", "p-gw")
    _rel(s, "ACCOUNTABLE_FOR", "per-a", "vs-a")
    t1 = _mark()
    # 2. Beta comes, using the Gateway too; the Gateway is renamed.
    _node(s, type="ValueStream", id="vs-b", name="Beta")
    beta_uses = _rel(s, "USES", "vs-b", "p-gw")
    edits.update_node(s, "p-gw", {"name": "API Gateway"})
    t2 = _mark()
    # 3. Alpha stops using the Gateway; the Core team is deleted (Gateway unowned).
    s.delete_relationship("vs-a|USES|p-gw")
    s.delete_node("t-core")
    t3 = _mark()
    # 4. An import adds the bank model beside it.
    run_import(s, BANK)
    t4 = _mark()
    # 5. Beta stops using the Gateway.
    s.delete_relationship(beta_uses)
    t5 = _mark()

    def impact(at: datetime) -> list[str]:
        return _streams(ot.walk_impact(s, Moment(at), "p-gw").result())

    assert model_at(s, as_of=t_empty) == ModelGraph()
    assert impact(t1) == ["vs-a"]
    assert impact(t2) == ["vs-a", "vs-b"]
    assert impact(t3) == ["vs-b"]
    assert impact(t5) == []
    with pytest.raises(QuestionError, match="Gateway"):
        ot.walk_impact(s, Moment(t_empty), "Gateway")  # not there yet: unknown
    assert ot.walk_impact(s, Moment(t1), "Gateway").element.id == "p-gw"
    assert ot.walk_impact(s, Moment(t2), "API Gateway").element.id == "p-gw"
    # The element itself as it was.
    assert element_at(s, "p-gw", Moment(t1))["name"] == "Gateway"
    assert element_at(s, "p-gw", Moment(t2))["name"] == "API Gateway"
    with pytest.raises(NotFoundError):
        element_at(s, "t-core", Moment(t3))
    assert element_at(s, "t-core", Moment(t2))["capacity"] == 8
    # Health: the Gateway is owned at t2, unowned from t3 on; before the import no bank.
    unowned = {
        t: next(c for c in ot.health(s, Moment(t)).checks if c.id == "unowned") for t in (t2, t3)
    }
    assert [f.element.id for f in unowned[t2].findings] == []
    assert [f.element.id for f in unowned[t3].findings] == ["p-gw"]
    h3, h4 = ot.health(s, Moment(t3)), ot.health(s, Moment(t4))
    assert h3.checks[0].population == 2 and h4.checks[0].population > 2  # streams counted
    # Bottlenecks: at t2 the Gateway binds two streams, at t3 one; the Core team only at t2.
    b2 = ot.bottlenecks(s, Moment(t2), limit=5)
    b3 = ot.bottlenecks(s, Moment(t3), limit=5)
    assert [(b.element.id, b.stream_count) for b in b2.bottlenecks][:1] == [("p-gw", 2)]
    assert ("t-core" in [b.element.id for b in b2.bottlenecks]) is True
    assert [(b.element.id, b.stream_count) for b in b3.bottlenecks] == [("p-gw", 1)]
    # As of now is the present model.
    now = datetime.now(UTC) + timedelta(seconds=1)
    assert model_at(s, as_of=now) == ModelGraph.load(s)


def test_answers_recorded_as_they_were_given_equal_the_as_of_answers(clean: GraphStore) -> None:
    """Each moment's present-day (Cypher) answers, kept, then asked again as of then."""
    s = clean
    run_import(s, BANK)
    kept: list[tuple[datetime, Any, Any, Any]] = []

    def keep() -> None:
        moment = _mark()
        kept.append(
            (
                moment,
                im.impact(s, "app-core"),
                hl.health(s, today=moment.date()),
                bn.bottlenecks(s, limit=50),
            )
        )

    keep()
    edits.update_node(s, "app-core", {"name": "Core Banking 2"})
    keep()
    s.delete_node("data-loan")
    keep()
    run_import(s, BANK)  # puts the name back, and the data asset
    keep()
    for moment, impact, health, ranking in kept:
        when = Moment(moment)
        assert ot.walk_impact(s, when, "app-core").result() == impact
        assert ot.health(s, when) == health
        assert ot.bottlenecks(s, when, limit=50) == ranking


# -- valid time: lifecycle dates -----------------------------------------------------------


def test_at_a_future_day_leaves_out_what_is_not_in_use_then(clean: GraphStore) -> None:
    s = clean
    _node(s, type="ValueStream", id="vs-a", name="Alpha")
    _node(
        s,
        type="Platform",
        id="p-old",
        name="Old",
        lifecycle_phase_out="2027-01-01",
        lifecycle_end_of_life="2027-06-01",
    )
    _node(
        s,
        type="Platform",
        id="p-new",
        name="New",
        lifecycle_plan="2026-01-01",
        lifecycle_phase_in="2027-03-01",
    )
    _node(s, type="Platform", id="p-idea", name="Idea", lifecycle_plan="2026-01-01")
    _rel(s, "USES", "vs-a", "p-old")
    _rel(s, "USES", "vs-a", "p-new")
    _rel(s, "USES", "vs-a", "p-idea")
    # A dependency dated on the relationship itself: it starts later.
    _node(s, type="Platform", id="p-later", name="Later")
    _rel(s, "USES", "vs-a", "p-later", lifecycle_active="2028-01-01")

    def ids(day: str) -> set[str]:
        return set(model_at(s, at=date.fromisoformat(day)).nodes)

    def uses(day: str) -> set[str]:
        model = model_at(s, at=date.fromisoformat(day))
        return {r.target for r in model.out_rels("vs-a", "USES")}

    assert ids("2026-06-01") == {"vs-a", "p-old", "p-later"}
    assert uses("2026-06-01") == {"p-old"}
    assert ids("2027-01-15") == {"vs-a", "p-old", "p-later"}  # phasing out: still there
    assert ids("2027-03-01") == {"vs-a", "p-old", "p-new", "p-later"}
    assert ids("2027-06-01") == {"vs-a", "p-new", "p-later"}  # end of life: gone
    assert uses("2028-01-01") == {"p-new", "p-later"}
    impact = ot.walk_impact(s, Moment(at=date(2026, 6, 1)), "p-old").result()
    assert _streams(impact) == ["vs-a"]
    with pytest.raises(QuestionError):
        ot.walk_impact(s, Moment(at=date(2027, 7, 1)), "p-old")

    # Health on that day: the phase-out finding while Old is phasing out, none once gone.
    def phase_out(day: date) -> list[str]:
        report = ot.health(s, Moment(at=day))
        check = next(c for c in report.checks if c.id == "phase_out_dependencies")
        return [f.element.id for f in check.findings]

    assert phase_out(date(2027, 2, 1)) == ["vs-a"]
    assert phase_out(date(2027, 7, 1)) == []
    assert element_at(s, "p-new", Moment(at=date(2027, 4, 1)))["name"] == "New"
    with pytest.raises(NotFoundError, match="not in use"):
        element_at(s, "p-new", Moment(at=date(2026, 4, 1)))
    # As of a past instant, on a future day: the plan as it stood then.
    before = _mark()
    edits.update_node(s, "p-new", {"lifecycle_phase_in": "2029-01-01"})
    assert "p-new" in model_at(s, as_of=before, at=date(2028, 1, 1)).nodes
    assert "p-new" not in model_at(s, at=date(2028, 1, 1)).nodes


# -- the horizon ---------------------------------------------------------------------------


def test_a_moment_before_the_history_is_refused(clean: GraphStore) -> None:
    _node(clean, type="Team", id="t", name="T")
    with pytest.raises(BeforeHorizon, match="horizon"):
        model_at(clean, as_of=datetime(2020, 1, 1, tzinfo=UTC))
    cut = _mark()
    hq.prune(clean, cut.isoformat())
    with pytest.raises(BeforeHorizon):
        model_at(clean, as_of=cut - timedelta(milliseconds=2))
    assert set(model_at(clean, as_of=cut).nodes) == {"t"}
    for bad in ("yesterday", "2026-13-01", "01/02/2026"):
        with pytest.raises(QuestionError, match="YYYY-MM-DD"):
            Moment.of(bad)


# -- replay equality -----------------------------------------------------------------------


def _dump(store: GraphStore) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    nodes = store.read("MATCH (n:Element) RETURN labels(n) AS labels, properties(n) AS props")
    rels = store.read(
        "MATCH (a:Element)-[r]->(b:Element) "
        "RETURN a.id AS a, type(r) AS type, b.id AS b, properties(r) AS props"
    )
    return [n.data() for n in nodes], [r.data() for r in rels]


def _restore(store: GraphStore, dump: tuple[list[dict[str, Any]], list[dict[str, Any]]]) -> None:
    """A fresh graph holding exactly the dump, written around the store (not recorded)."""
    store.execute("MATCH (n:Element) DETACH DELETE n")
    nodes, rels = dump
    for n in nodes:
        labels = ":".join(f"`{label}`" for label in n["labels"])
        store.execute(f"CREATE (n:{labels}) SET n = $props", {"props": n["props"]})
    for r in rels:
        store.execute(
            f"MATCH (a:Element {{id: $a}}), (b:Element {{id: $b}}) "
            f"CREATE (a)-[r:`{r['type']}`]->(b) SET r = $props",
            {"a": r["a"], "b": r["b"], "props": r["props"]},
        )
    forget(store)  # written around valuegraph: no revision counted, so nothing kept is true


def _random_changes(store: GraphStore, rnd: random.Random, count: int) -> None:
    for _ in range(count):
        ids = sorted(ModelGraph.load(store).nodes)
        rels = sorted(r.id for r in ModelGraph.load(store).rels.values() if r.id)
        choice = rnd.random()
        if choice < 0.3 and ids:
            edits.update_node(store, rnd.choice(ids), {"name": f"Renamed {rnd.randint(0, 99)}"})
        elif choice < 0.45 and ids:
            store.delete_node(rnd.choice(ids))
        elif choice < 0.65 and rels:
            store.delete_relationship(rnd.choice(rels))
        elif choice < 0.8:
            new = f"x{rnd.randint(0, 10_000)}"
            if new not in ids:
                _node(store, type=rnd.choice(["Team", "Platform", "ValueStream"]), id=new, name=new)
        else:
            _imported_stream(store, rnd, ids)


def _imported_stream(store: GraphStore, rnd: random.Random, ids: list[str]) -> None:
    """A write through the import's path, in one change set: a new stream and platform,
    the stream using it and a platform already there."""
    k = rnd.randint(0, 10_000)
    if f"r{k}" in ids:
        return
    graph = Graph().node("ValueStream", f"r{k}").node("Platform", f"r{k}p")
    graph.rel("USES", f"r{k}", f"r{k}p")
    platforms = [n.id for n in ModelGraph.load(store).of_type("Platform")]
    if platforms:
        graph.rel("USES", f"r{k}", rnd.choice(platforms))
    graph.write(store)


@pytest.mark.parametrize("seed", [21, 22])
def test_replay_equality_on_random_change_sequences(clean: GraphStore, seed: int) -> None:
    s = clean
    rnd = random.Random(seed)
    _random_model(seed).write(s)
    moments = []
    for _ in range(4):
        _random_changes(s, rnd, 4)
        moment = _mark()
        moments.append((moment, _dump(s), rnd.sample(sorted(ModelGraph.load(s).nodes), 3)))
    asked = []
    for moment, _, sample in moments:
        when = Moment(moment)
        asked.append(
            (
                ot.health(s, when, max_streams_per_team=2),
                ot.bottlenecks(s, when, limit=1000),
                [ot.walk_impact(s, when, e).result() for e in sample],
                [ot.depends_on(s, when, e, im.WalkOptions(3)) for e in sample],
            )
        )
    for (moment, dump, sample), (health, ranking, impacts, deps) in zip(
        moments, asked, strict=True
    ):
        _restore(s, dump)
        assert hl.health(s, max_streams_per_team=2, today=moment.date()) == health
        assert bn.bottlenecks(s, limit=1000) == ranking
        assert [im.impact(s, e) for e in sample] == impacts
        assert [im.depends_on(s, e, im.WalkOptions(3)) for e in sample] == deps


# -- between two moments, and over a series --------------------------------------------------


def test_diff_lists_what_changed_and_what_it_did(clean: GraphStore) -> None:
    s = clean
    _node(s, type="ValueStream", id="vs-a", name="Alpha")
    _node(s, type="ValueStream", id="vs-b", name="Beta")
    _node(s, type="Platform", id="p-gw", name="Gateway")
    _node(s, type="Team", id="t-core", name="Core")
    _rel(s, "USES", "vs-a", "p-gw")
    _rel(s, "OWNS", "t-core", "p-gw")
    t1 = _mark()
    _rel(s, "USES", "vs-b", "p-gw")
    s.delete_relationship("t-core|OWNS|p-gw")
    edits.update_node(s, "vs-a", {"description": "now described"})
    _node(s, type="Platform", id="p-new", name="New")
    t2 = _mark()
    d = ot.diff(s, t1, t2, element="p-gw")
    counts = {(c.kind, c.type): (c.added, c.removed, c.changed) for c in d.changes.counts}
    assert counts == {
        ("element", "Platform"): (1, 0, 0),
        ("element", "ValueStream"): (0, 0, 1),
        ("relationship", "OWNS"): (0, 1, 0),
        ("relationship", "USES"): (1, 0, 0),
    }
    assert [e.id for e in d.changes.elements_added] == ["p-new"]
    assert [(c.element.id, c.fields) for c in d.changes.elements_changed] == [
        ("vs-a", ["description"])
    ]
    assert d.impact is not None
    assert {x.element.id: x.change.value for x in d.impact.streams} == {
        "vs-a": "same",
        "vs-b": "added",
    }
    unowned = next(c for c in d.health.checks if c.id == "unowned")
    assert [r.id for r in unowned.introduced] == ["p-gw", "p-new"]
    assert unowned.resolved == []
    with pytest.raises(QuestionError, match="after"):
        ot.diff(s, t2, t1)


def test_trends_build_each_date_forward_and_are_bounded(clean: GraphStore) -> None:
    s = clean
    # Change sets dated on chosen days: the history's times are rewritten after the fact
    # (a test only: nothing in valuegraph rewrites history).
    _node(s, type="ValueStream", id="vs-a", name="Alpha")
    _node(s, type="Platform", id="p-gw", name="Gateway")
    _rel(s, "USES", "vs-a", "p-gw")
    _node(s, type="Team", id="t-core", name="Core")
    _rel(s, "OWNS", "t-core", "p-gw")
    sets = [cs.seq for cs in reversed(hq.change_sets(s, limit=100).items)]
    days = ["2026-01-10", "2026-01-10", "2026-01-10", "2026-02-10", "2026-03-10"]
    for seq, day in zip(sets, days, strict=True):
        at = f"{day}T12:00:00.000+00:00"
        s.execute(f"MATCH (x:{CHANGE_SET} {{seq: $seq}}) SET x.at = $at", {"seq": seq, "at": at})
        s.execute(f"MATCH (x:{CHANGE} {{seq: $seq}}) SET x.at = $at", {"seq": seq, "at": at})
        s.execute(f"MATCH (x:{CHANGE_CHUNK} {{seq: $seq}}) SET x.at = $at", {"seq": seq, "at": at})
    s.execute(f"MATCH (m:{META} {{key: 'history'}}) SET m.since = '2026-01-01T00:00:00.000+00:00'")
    trend = ot.health_trend(s, since=date(2026, 1, 1), until=date(2026, 4, 1), every="month")
    assert [p.day.isoformat() for p in trend.points] == [
        "2026-01-01",
        "2026-02-01",
        "2026-03-01",
        "2026-04-01",
    ]
    assert [p.seq for p in trend.points] == [0, sets[2], sets[3], sets[4]]
    unowned = [next(c for c in p.checks if c.id == "unowned") for p in trend.points]
    assert [c.offending for c in unowned] == [0, 1, 1, 0]
    ranked = ot.bottleneck_trend(s, since=date(2026, 1, 1), until=date(2026, 4, 1), limit=3)
    assert [[r.element.id for r in p.ranking] for p in ranked.points] == [
        [],
        ["p-gw"],
        ["p-gw", "t-core"],  # the team is there from 02-10, owning nothing yet
        ["p-gw", "t-core"],
    ]
    # Each point equals the model asked as of that instant.
    for p in trend.points[1:]:
        alone = ot.health(s, Moment(parse_instant(p.as_of)))
        assert alone.score == p.score
    with pytest.raises(QuestionError, match="at most 120"):
        ot.health_trend(s, since=date(2026, 1, 1), until=date(2026, 12, 1), every="day")
    with pytest.raises(BeforeHorizon):
        ot.health_trend(s, since=date(2025, 12, 1), until=date(2026, 1, 1))


def test_a_trend_runs_into_the_planned_future_by_lifecycle_dates(
    clean: GraphStore,
    api: TestClient,
    neo4j_server: dict[str, str | None],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
) -> None:
    """Past dates: the history at the day's start, on that day's lifecycle; dates after now:
    the present model on that day by its lifecycle dates (planned)."""
    s = clean
    today = datetime.now(UTC).date()

    def day(n: int) -> str:
        return (today + timedelta(days=n)).isoformat()

    _node(s, type="ValueStream", id="vs-a", name="Alpha")
    _node(s, type="Team", id="t-core", name="Core")
    _node(s, type="Platform", id="p-gone", name="Gone", lifecycle_end_of_life=day(-1))
    _node(s, type="Platform", id="p-old", name="Old", lifecycle_end_of_life=day(40))
    _node(
        s,
        type="Platform",
        id="p-new",
        name="New",
        lifecycle_plan=day(-100),
        lifecycle_phase_in=day(20),
    )
    for target in ("p-gone", "p-old", "p-new"):
        _rel(s, "USES", "vs-a", target)
    _rel(s, "OWNS", "t-core", "p-old")
    # The whole model recorded three days ago (a test only: nothing rewrites history).
    at = f"{day(-3)}T12:00:00.000+00:00"
    s.execute(
        f"MATCH (x) WHERE x:{CHANGE_SET} OR x:{CHANGE} OR x:{CHANGE_CHUNK} SET x.at = $at",
        {"at": at},
    )
    s.execute(
        f"MATCH (m:{META} {{key: 'history'}}) SET m.since = $since",
        {"since": f"{day(-4)}T00:00:00.000+00:00"},
    )
    since, until = day(-2), day(60)
    trend = ot.health_trend(
        s, since=date.fromisoformat(since), until=date.fromisoformat(until), every="week"
    )
    days = [p.day.isoformat() for p in trend.points]
    assert days == [day(n) for n in (-2, 5, 12, 19, 26, 33, 40, 47, 54)]
    assert [p.planned for p in trend.points] == [False] + [True] * 8
    head = hq.change_sets(s, limit=1).items[0]
    assert {(p.seq, p.as_of) for p in trend.points[1:]} == {(head.seq, head.at)}
    # Each point is the model by the rule: as of the day's start on that day, or on that day.
    for p in trend.points:
        moment = Moment(at=p.day) if p.planned else Moment(parse_instant(p.as_of), p.day)
        alone = ot.health(s, moment)
        assert (alone.score, [c.offending for c in alone.checks]) == (
            p.score,
            [c.offending for c in p.checks],
        ), p.day
    ranked = ot.bottleneck_trend(
        s, since=date.fromisoformat(since), until=date.fromisoformat(until), every="week"
    )
    platforms = [
        sorted(r.element.id for r in p.ranking if r.element.id.startswith("p-"))
        for p in ranked.points
    ]
    assert platforms == [
        ["p-gone", "p-old"],  # two days ago: Gone not yet past its end of life
        ["p-old"],
        ["p-old"],
        ["p-old"],
        ["p-new", "p-old"],  # New phased in on day 20
        ["p-new", "p-old"],
        ["p-new"],  # Old at its end of life on day 40
        ["p-new"],
        ["p-new"],
    ]
    assert [p.planned for p in ranked.points] == [p.planned for p in trend.points]

    # One answer on every surface.
    params = {"since": since, "until": until, "every": "week"}
    rest = api.get("/api/health/trend", params=params)
    assert rest.status_code == 200, rest.text
    assert rest.json() == trend.model_dump(mode="json")
    code, out = run_cli(
        ["health", "--trend", "--every", "week", "--since", since, "--until", until, "--json"],
        neo4j_server,
        monkeypatch,
        tmp_path,
    )
    assert code == 0, out
    assert json.loads(out) == rest.json()
    rest_ranks = api.get("/api/bottlenecks/trend", params=params)
    assert rest_ranks.status_code == 200, rest_ranks.text
    assert rest_ranks.json() == ranked.model_dump(mode="json")
    gql = api.post(
        "/graphql",
        json={
            "query": """query($s: String!, $u: String) {
              healthTrend(since: $s, until: $u, every: WEEK) { points { day planned score } }
              bottleneckTrend(since: $s, until: $u, every: WEEK) {
                points { planned ranking { element { id } } }
              }
            }""",
            "variables": {"s": since, "u": until},
        },
    ).json()
    assert "errors" not in gql, gql
    assert gql["data"]["healthTrend"]["points"] == [
        {"day": p.day.isoformat(), "planned": p.planned, "score": p.score} for p in trend.points
    ]
    assert [
        [r["element"]["id"] for r in p["ranking"]] for p in gql["data"]["bottleneckTrend"]["points"]
    ] == [[r.element.id for r in p.ranking] for p in ranked.points]
    monkeypatch.setenv("COLUMNS", "200")  # the table whole, not cut to a test's terminal
    code, out = run_cli(
        ["health", "--trend", "--every", "month", "--since", since, "--until", until],
        neo4j_server,
        monkeypatch,
        tmp_path,
    )
    assert code == 0 and "(planned)" in out, out


# -- one truth on every surface ----------------------------------------------------------------


def test_cli_rest_and_graphql_give_the_same_as_of_answers(
    clean: GraphStore,
    api: TestClient,
    neo4j_server: dict[str, str | None],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
) -> None:
    run_import(clean, BANK)
    then = _mark().isoformat()
    clean.delete_node("data-loan")
    edits.update_node(clean, "app-core", {"name": "Core 2"})
    later = _mark().isoformat()

    rest_impact = api.get("/api/impact/app-core", params={"as_of": then}).json()
    code, out = run_cli(
        ["impact", "app-core", "--as-of", then, "--json"], neo4j_server, monkeypatch, tmp_path
    )
    assert code == 0, out
    assert json.loads(out) == rest_impact
    assert rest_impact["element"]["name"] == "Core Banking"
    rest_health = api.get("/api/health-report", params={"as_of": then}).json()
    code, out = run_cli(["health", "--as-of", then, "--json"], neo4j_server, monkeypatch, tmp_path)
    assert code == 0, out
    assert json.loads(out) == rest_health
    rest_rank = api.get("/api/bottlenecks", params={"as_of": then, "limit": 5}).json()
    gql = api.post(
        "/graphql",
        json={
            "query": """query($t: String) {
              impact(element: "app-core", asOf: $t) { counts { streams } element { name } }
              healthReport(asOf: $t) { score }
              bottlenecks(asOf: $t, limit: 5) { bottlenecks { rank score element { id } } }
              node(id: "data-loan", asOf: $t) { id }
              now: node(id: "data-loan") { id }
            }""",
            "variables": {"t": then},
        },
    ).json()
    assert "errors" not in gql, gql
    data = gql["data"]
    assert data["impact"]["counts"]["streams"] == rest_impact["counts"]["streams"]
    assert data["impact"]["element"]["name"] == "Core Banking"
    assert data["healthReport"]["score"] == rest_health["score"]
    assert [
        (b["rank"], b["score"], b["element"]["id"]) for b in data["bottlenecks"]["bottlenecks"]
    ] == [(b["rank"], b["score"], b["element"]["id"]) for b in rest_rank["bottlenecks"]]
    assert data["node"] == {"id": "data-loan"} and data["now"] is None
    assert api.get("/api/nodes/data-loan", params={"as_of": then}).status_code == 200
    assert api.get("/api/nodes/data-loan").status_code == 404

    rest_diff = api.get("/api/diff", params={"from": then, "to": later}).json()
    code, out = run_cli(
        ["diff", "--from", then, "--to", later, "--json"], neo4j_server, monkeypatch, tmp_path
    )
    assert code == 0, out
    assert json.loads(out) == rest_diff
    gql_diff = api.post(
        "/graphql",
        json={
            "query": """query($a: String!, $b: String) {
              diff(from: $a, to: $b) { toSeq health { scoreDelta }
                changes { counts { kind type added removed changed } } }
            }""",
            "variables": {"a": then, "b": later},
        },
    ).json()
    assert "errors" not in gql_diff, gql_diff
    assert gql_diff["data"]["diff"]["toSeq"] == rest_diff["to_seq"]
    assert gql_diff["data"]["diff"]["health"]["scoreDelta"] == rest_diff["health"]["score_delta"]
    assert len(gql_diff["data"]["diff"]["changes"]["counts"]) == len(rest_diff["changes"]["counts"])

    # Bad dates: 422, BAD_USER_INPUT, exit 2 — each with the hint.
    bad = api.get("/api/impact/app-core", params={"as_of": "last week"})
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text
    refused = api.post("/graphql", json={"query": '{ healthReport(at: "soon") { score } }'}).json()
    assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    code, _ = run_cli(["health", "--at", "soon"], neo4j_server, monkeypatch, tmp_path)
    assert code == 2
    early = api.get("/api/health-report", params={"as_of": "2001-01-01"})
    assert early.status_code == 422 and "horizon" in early.text

    today = datetime.now(UTC).date()
    since = (today - timedelta(days=2)).isoformat()
    clean.execute(
        f"MATCH (m:{META} {{key: 'history'}}) SET m.since = $since",
        {"since": f"{since}T00:00:00.000+00:00"},
    )
    rest_trend = api.get("/api/health/trend", params={"since": since, "every": "day"}).json()
    code, out = run_cli(
        ["health", "--trend", "--every", "day", "--since", since, "--json"],
        neo4j_server,
        monkeypatch,
        tmp_path,
    )
    assert code == 0, out
    assert json.loads(out) == rest_trend and len(rest_trend["points"]) == 3
    gql_trend = api.post(
        "/graphql",
        json={"query": f'{{ healthTrend(since: "{since}", every: DAY) {{ points {{ score }} }} }}'},
    ).json()
    assert [p["score"] for p in gql_trend["data"]["healthTrend"]["points"]] == [
        p["score"] for p in rest_trend["points"]
    ]
    rest_ranks = api.get("/api/bottlenecks/trend", params={"since": since, "every": "day"})
    assert rest_ranks.status_code == 200, rest_ranks.text
    code, out = run_cli(
        ["show", "data-loan", "--as-of", then, "--json"], neo4j_server, monkeypatch, tmp_path
    )
    assert code == 0 and json.loads(out)["id"] == "data-loan"
    # The tables print too.
    for args in (
        ["diff", "--from", then, "--element", "app-core"],
        ["health", "--trend", "--every", "day", "--since", since],
        ["bottlenecks", "--trend", "--every", "day", "--since", since, "--limit", "3"],
        ["show", "app-core", "--at", "2030-01-01"],
        ["depends-on", "app-core", "--as-of", then],
        ["path", "app-core", "data-loan", "--as-of", then],
    ):
        code, out = run_cli(args, neo4j_server, monkeypatch, tmp_path)
        assert code == 0, (args, out)
    code, _ = run_cli(["health", "--trend"], neo4j_server, monkeypatch, tmp_path)
    assert code == 2  # --since is required


def test_graphql_relationship_fields_of_an_element_read_at_a_moment_are_of_that_moment(
    clean: GraphStore,
    api: TestClient,
    neo4j_server: dict[str, str | None],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
) -> None:
    s = clean
    _node(s, type="ValueStream", id="vs-a", name="Alpha")
    _node(s, type="ValueStream", id="vs-b", name="Beta")
    _node(s, type="Platform", id="p-gw", name="Gateway")
    _node(s, type="Platform", id="p-mq", name="Queue", lifecycle_end_of_life="2030-01-01")
    _node(s, type="Team", id="t-core", name="Core")
    _node(s, type="Team", id="t-edge", name="Edge")
    uses_gw = _rel(s, "USES", "vs-a", "p-gw")
    owns = _rel(s, "OWNS", "t-core", "p-gw")
    _rel(s, "USES", "vs-b", "p-mq")
    then = _mark()
    # After T: Alpha moves off the Gateway to the Queue, Beta takes the Gateway, the Edge team
    # takes it over, and the Queue's new user is renamed.
    s.delete_relationship(uses_gw)
    _rel(s, "USES", "vs-a", "p-mq")
    _rel(s, "USES", "vs-b", "p-gw")
    s.delete_relationship(owns)
    _rel(s, "OWNS", "t-edge", "p-gw")
    edits.update_node(s, "vs-a", {"name": "Alpha 2"})

    query = """query($t: String, $d: String) {
      gw: node(id: "p-gw", asOf: $t, at: $d) {
        name
        ... on Platform {
          usedBy(limit: 10) { id name ... on ValueStream { uses(limit: 10) { id } } }
          ownedBy { id }
        }
      }
      a: node(id: "vs-a", asOf: $t, at: $d) { ... on ValueStream { uses { id name } } }
    }"""

    def ask(**variables: str) -> dict[str, Any]:
        body = api.post("/graphql", json={"query": query, "variables": variables}).json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    past = ask(t=then.isoformat())
    assert past["gw"]["usedBy"] == [{"id": "vs-a", "name": "Alpha", "uses": [{"id": "p-gw"}]}]
    assert past["gw"]["ownedBy"] == [{"id": "t-core"}]
    assert past["a"]["uses"] == [{"id": "p-gw", "name": "Gateway"}]
    now = ask()
    assert now["gw"]["usedBy"] == [
        {"id": "vs-b", "name": "Beta", "uses": [{"id": "p-gw"}, {"id": "p-mq"}]}
    ]
    assert now["gw"]["ownedBy"] == [{"id": "t-edge"}]
    assert now["a"]["uses"] == [{"id": "p-mq", "name": "Queue"}]
    # On a day by lifecycle dates (the present model): the Queue past its end of life is
    # gone with its relationships; with asOf as well, the plan as it stood at T.
    later = ask(d="2030-06-01")
    assert later["a"]["uses"] == [] and later["gw"]["ownedBy"] == [{"id": "t-edge"}]
    assert later["gw"]["usedBy"] == [{"id": "vs-b", "name": "Beta", "uses": [{"id": "p-gw"}]}]
    assert ask(t=then.isoformat(), d="2030-06-01")["a"]["uses"] == [
        {"id": "p-gw", "name": "Gateway"}
    ]

    # The same relationships as the model at T, and as REST's and the CLI's as-of answers.
    model = model_at(s, as_of=then)
    assert [r.source for r in model.in_rels("p-gw", "USES")] == ["vs-a"]
    rest = api.get("/api/impact/p-gw", params={"as_of": then.isoformat(), "max_depth": 1})
    assert rest.status_code == 200, rest.text
    impact = rest.json()
    assert [a["element"]["id"] for a in impact["streams"]] == [
        e["id"] for e in past["gw"]["usedBy"]
    ]
    assert [t["element"]["id"] for t in impact["teams_to_notify"]] == [
        e["id"] for e in past["gw"]["ownedBy"]
    ]
    code, out = run_cli(
        ["depends-on", "vs-a", "--as-of", then.isoformat(), "--depth", "1", "--json"],
        neo4j_server,
        monkeypatch,
        tmp_path,
    )
    assert code == 0, out
    assert [d["element"]["id"] for d in json.loads(out)["dependencies"]] == [
        e["id"] for e in past["a"]["uses"]
    ]

    # Bounded as every relationship field is: its limit is checked, and it is a page.
    capped = api.post(
        "/graphql",
        json={
            "query": 'query($t: String) { node(id: "p-gw", asOf: $t) '
            "{ ... on Platform { usedBy(limit: 0) { id } } } }",
            "variables": {"t": then.isoformat()},
        },
    ).json()
    assert "limit must be between" in capped["errors"][0]["message"]


# -- pure rules ------------------------------------------------------------------------------


def test_the_lifecycle_rule_of_presence_on_a_day() -> None:
    def on(day: str, **dates: str) -> bool:
        return present_on({f"lifecycle_{k}": v for k, v in dates.items()}, day)

    assert on("2027-01-01")  # no dates: always there
    assert not on("2027-01-01", plan="2026-01-01")  # planned only
    assert not on("2027-01-01", plan="2026-01-01", phase_in="2027-02-01")
    assert on("2027-02-01", plan="2026-01-01", phase_in="2027-02-01")
    assert on("2027-01-01", active="2026-01-01", phase_out="2026-06-01")  # phasing out
    assert not on("2027-01-01", end_of_life="2027-01-01")  # from its end of life on
    assert on("2026-12-31", end_of_life="2027-01-01")  # only its retirement dated
    assert not on("2026-12-31", active="2027-01-01")  # still to come


def test_a_monthly_series_keeps_the_day_of_the_month() -> None:
    days = ot.series(date(2026, 1, 31), date(2026, 5, 1), ot.Every.MONTH)
    assert [d.isoformat() for d in days] == ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"]
    weekly = ot.series(date(2026, 12, 20), date(2027, 1, 3), ot.Every.WEEK)
    assert [d.isoformat() for d in weekly] == ["2026-12-20", "2026-12-27", "2027-01-03"]
    assert len(ot.series(date(2026, 1, 1), date(2026, 4, 30), ot.Every.DAY)) == 120
    with pytest.raises(QuestionError, match="at most 120"):
        ot.series(date(2026, 1, 1), date(2026, 5, 1), ot.Every.DAY)
