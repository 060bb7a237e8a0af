"""The fast paths of the whole-model analyses give the full computation's answers.

On a generated model imported into a real Neo4j, with random scenarios (seeded): a
scenario's dependency graph derived from the base's (`ModelGraph.projection_after`) is the
one built anew, node for node and edge for edge in the same order both ways; so are its
health facts found near the changes (`ModelGraph.health_facts_after`); the health
report and the bottleneck ranking on it are the ones on the graph built anew; the losses
(the streams resting on each lost need, from the reach bits) are the ones a search per
stream finds; and a comparison is the one assembled from those full computations. A
scenario comparison's impact, paged, is the whole answer's, page for page.
"""

from __future__ import annotations

import dataclasses
import io
import random
from datetime import date
from pathlib import Path
from typing import Any, Literal

import networkx as nx
import pytest

from graph.labels import CAPABILITY, DEPENDS_ON, HAS_STAGE, OWNS, PLATFORM, STREAM, TEAM, USES
from graph.store import GraphStore
from importers.pipeline import run_import
from queries import bottlenecks as bn
from queries import health as hl
from queries import impact as im
from queries import scenarios as sc
from queries.model_graph import ModelGraph
from queries.present import present_model
from queries.projection import Projection
from queries.propagation import propagation_table
from queries.resolve import ElementRef
from queries.scenario_index import DerivedIndex, changed_sources, changes, derived_index
from queries.scenarios import comparison as comparison_module
from queries.scenarios import storage as storage_module
from queries.scenarios.comparison import (
    Side,
    compare_impact,
    compare_models,
    first_part,
    with_ranking,
)
from queries.scenarios.losses import NEEDS, describe_losses, lost_needs
from queries.scenarios.models import ScenarioView
from queries.scenarios.operations import OperationError, parse_operation, replay
from queries.scenarios.storage import load_record, scenario_model
from samples.generate import generate

DAY = date(2026, 12, 7)
SCENARIOS = 12


@pytest.fixture
def generated(store: GraphStore, tmp_path: Path) -> ModelGraph:
    out = io.StringIO()
    generate(1_000, 7, out)
    path = tmp_path / "generated.xml"
    path.write_text(out.getvalue(), encoding="utf-8")
    run_import(store, path, max_bytes=1 << 30)
    return ModelGraph.load(store)


def _same_projection(a: Projection, b: Projection) -> None:
    assert list(a.nodes.items()) == list(b.nodes.items())
    assert list(a.props.items()) == list(b.props.items())
    assert list(a.graph.nodes) == list(b.graph.nodes)
    assert list(a.graph.edges(data=True)) == list(b.graph.edges(data=True))
    # What reads predecessors (the ranking's searches towards each stream) sees them in
    # the same order too.
    assert [(v, list(p.items())) for v, p in a.graph.pred.items()] == [
        (v, list(p.items())) for v, p in b.graph.pred.items()
    ]


def _random_operations(model: ModelGraph, rng: random.Random) -> list[dict[str, Any]]:
    platforms = [n.id for n in model.of_type(PLATFORM)]
    teams = [n.id for n in model.of_type(TEAM)]
    streams = [n.id for n in model.of_type(STREAM)]
    capabilities = [n.id for n in model.of_type(CAPABILITY)]
    # Shared platforms first: removing what many need changes the most.
    shared = sorted(platforms, key=lambda p: -len(model.in_rels(p)))[:20]
    ops: list[dict[str, Any]] = []
    for _ in range(rng.randint(1, 5)):
        kind = rng.choice(
            ["remove", "replace", "owner", "depend", "drop", "add", "split", "team", "capability"]
        )
        if kind == "remove":
            ops.append({"op": "remove_element", "element": rng.choice(shared)})
        elif kind == "capability":
            # What streams require, platforms support and other capabilities contain.
            ops.append({"op": "remove_element", "element": rng.choice(capabilities)})
        elif kind == "replace":
            old, new = rng.sample(shared, 2)
            ops.append({"op": "replace_element", "old": old, "new": new})
        elif kind == "owner":
            ops.append(
                {
                    "op": "move_ownership",
                    "element": rng.choice(platforms),
                    "to_team": rng.choice(teams),
                }
            )
        elif kind == "depend":
            source, target = rng.sample(platforms, 2)
            ops.append(
                {"op": "add_relationship", "type": DEPENDS_ON, "source": source, "target": target}
            )
        elif kind == "drop":
            uses = [r for r in model.rels.values() if r.type == USES]
            r = rng.choice(uses)
            ops.append(
                {"op": "remove_relationship", "type": USES, "source": r.source, "target": r.target}
            )
        elif kind == "add":
            new_id = f"plat-new-{len(ops)}"
            ops.append(
                {"op": "add_element", "type": PLATFORM, "name": f"New {len(ops)}", "id": new_id}
            )
            ops.append(
                {
                    "op": "add_relationship",
                    "type": USES,
                    "source": rng.choice(streams),
                    "target": new_id,
                }
            )
            ops.append(
                {
                    "op": "add_relationship",
                    "type": OWNS,
                    "source": rng.choice(teams),
                    "target": new_id,
                }
            )
        elif kind == "split":
            stream = rng.choice(streams)
            stages = [r.target for r in model.out_rels(stream, HAS_STAGE)]
            if len(stages) >= 2:
                cut = rng.randint(1, len(stages) - 1)
                ops.append(
                    {
                        "op": "split_stream",
                        "stream": stream,
                        "into": [
                            {"name": f"{stream} first", "stages": stages[:cut]},
                            {"name": f"{stream} second", "stages": stages[cut:]},
                        ],
                    }
                )
        else:
            ops.append({"op": "remove_element", "element": rng.choice(teams)})
    return ops


def _losses_by_search(
    base: ModelGraph, scenario: ModelGraph, lost: list[tuple[str, str, str]], p: Projection
) -> tuple[list[tuple[str, str, str, list[str]]], list[str]]:
    """The streams resting on each lost need, by a search towards each stream."""
    rests_on = {s: nx.ancestors(p.graph, s) | {s} for s in p.of_type(STREAM)}

    def by_name(ids: set[str]) -> list[str]:
        return [
            r.id for r in sorted((base.nodes[i].ref for i in ids), key=lambda r: (r.name, r.id))
        ]

    needs, hit = [], set()
    for source, rel_type, target in lost:
        affected = {s for s, above in rests_on.items() if source in above}
        hit |= affected
        needs.append((source, rel_type, target, by_name(affected)))
    return needs, by_name(hit)


def _lost_needs_by_search(base: ModelGraph, scenario: ModelGraph) -> list[tuple[str, str, str]]:
    """`lost_needs` as it was first written: every need of the base searched for in the
    scenario (the fast path looks up only those the operations touched)."""
    lost: set[tuple[str, str, str]] = set()
    for r in base.rels.values():
        if r.type not in NEEDS or r.source not in scenario.nodes:
            continue
        if scenario.rels_between(r.type, r.source, r.target):
            continue
        kind = base.nodes[r.target].type
        replaced = any(
            scenario.label(x.target) == kind and not base.rels_between(r.type, r.source, x.target)
            for x in scenario.out_rels(r.source, r.type)
        )
        if not replaced:
            lost.add((r.source, r.type, r.target))
    return sorted(lost)


def _random_view(operations: list[Any]) -> ScenarioView:
    """The view of an open scenario of the random `operations` (as replayed)."""
    return ScenarioView(
        name="random",
        description="",
        status="open",
        operation_count=len(operations),
        operations=operations,
        created_at="2026-12-07T00:00:00Z",
        updated_at="2026-12-07T00:00:00Z",
    )


def _ids(refs: list[ElementRef]) -> list[str]:
    return [r.id for r in refs]


def test_scenario_analyses_derived_equal_the_full_computation(
    store: GraphStore, generated: ModelGraph
) -> None:
    base = generated
    table = propagation_table()
    config = bn.BottleneckConfig()
    base_projection = base.projection(table)
    base_facts = base.health_facts()
    base_side = Side(
        ranking=bn.bottleneck_report(
            base_projection,
            base.served_directly(),
            limit=bn.ranked_all(base_projection),
            config=config,
            table=table,
        ),
        health=hl.health_report(
            base.health_facts(), base_projection, max_streams_per_team=3, table=table, today=DAY
        ),
        projection=base_projection,
    )
    rng = random.Random(15)
    changed = 0
    for _ in range(SCENARIOS):
        ops = [parse_operation(o) for o in _random_operations(base, rng)]
        scenario, views, _ = replay(base, ops, strict=False)
        changed += scenario != base
        full = scenario.projection(table)
        derived = scenario.projection_after(base, base_projection, table)
        _same_projection(derived, full)

        lost = lost_needs(base, scenario)
        assert lost == _lost_needs_by_search(base, scenario)
        # The facts found near the changes are the facts found anew, in the same order.
        found = scenario.health_facts_after(base, base_facts)
        anew = scenario.health_facts()
        assert found == anew
        for ordered in ("served", "platform_owners", "platform_lifecycle"):
            assert list(getattr(found, ordered)) == list(getattr(anew, ordered))
        facts = dataclasses.replace(
            scenario.health_facts(), lost_needs=frozenset((s, t) for s, _, t in lost)
        )
        health = hl.health_report(facts, full, max_streams_per_team=3, table=table, today=DAY)
        assert (
            hl.health_report(facts, derived, max_streams_per_team=3, table=table, today=DAY)
            == health
        )
        served = scenario.served_directly()
        ranking = bn.bottleneck_report(
            full, served, limit=bn.ranked_all(full), config=config, table=table
        )
        assert (
            bn.bottleneck_report(
                derived, served, limit=bn.ranked_all(derived), config=config, table=table
            )
            == ranking
        )
        # The rows are made for the top asked only: the full ranking's first rows.
        assert bn.bottleneck_report(
            derived, served, limit=20, config=config, table=table
        ) == bn.top(ranking, 20)

        needs, streams = describe_losses(base, scenario, lost, base_projection)
        expected_needs, expected_streams = _losses_by_search(base, scenario, lost, base_projection)
        assert sorted(
            (n.element.id, n.relationship, n.needed.id, _ids(n.streams)) for n in needs
        ) == sorted(expected_needs)
        assert _ids(streams) == expected_streams

        view = _random_view(views)
        comparison = compare_models(
            base,
            scenario,
            view=view,
            element=None,
            max_depth=6,
            limit=20,
            max_streams_per_team=3,
            config=config,
            overrides=None,
            today=DAY,
            base_side=base_side,
        )
        assert comparison.health.scenario_score == health.score
        assert [c.scenario_offending for c in comparison.health.checks] == [
            c.offending for c in health.checks
        ]
        assert not comparison.ranking_pending
        assert comparison.ranked().scenario_clusters == ranking.clusters
        scenario_rows = {b.element.id: (b.rank, b.score) for b in ranking.bottlenecks}
        for row in comparison.ranked().rows:
            if row.scenario_rank is not None:
                assert scenario_rows[row.element.id] == (row.scenario_rank, row.scenario_score)
        assert comparison.losses.needs == needs
        assert comparison.losses.capabilities == hl.capabilities_cut(facts, full)

        # In two parts: the first has every number of the whole answer but the bottleneck
        # comparison; completed with the scenario's ranking it is the whole answer.
        first = first_part(
            base,
            scenario,
            view=view,
            element=None,
            max_depth=6,
            max_streams_per_team=3,
            overrides=None,
            today=DAY,
            base_health=base_side.health,
            base_projection=base_projection,
            base_facts=base_facts,
        )
        assert first.comparison.ranking_pending and first.comparison.bottlenecks is None
        assert first.comparison.model_dump(exclude={"bottlenecks", "ranking_pending"}) == (
            comparison.model_dump(exclude={"bottlenecks", "ranking_pending"})
        )
        assert first.served == served
        _same_projection(first.projection, full)
        assert with_ranking(first.comparison, base_side.ranking, ranking, 20) == comparison
    assert changed >= SCENARIOS // 2  # most random scenarios applied something


def test_a_scenario_made_an_operation_at_a_time_is_the_one_replayed(
    store: GraphStore, generated: ModelGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each operation added to a scenario is checked on a copy of the scenario's kept
    model, which is then kept as its model (not replayed to describe and compare it): it
    is the model its stored operations replay to, element for element and relationship
    for relationship in the same order, with the same views, and every analysis of it
    answers as on the replayed one."""
    replayed: list[int] = []

    def counted(base: ModelGraph, operations: Any, **kwargs: Any) -> Any:
        replayed.append(len(operations))
        return replay(base, operations, **kwargs)

    monkeypatch.setattr(storage_module, "replay", counted)
    base = present_model(store)
    table = propagation_table()
    base_projection = base.projection(table)
    base_facts = base.health_facts()
    base_health = hl.health_report(
        base_facts, base_projection, max_streams_per_team=3, table=table, today=DAY
    )
    rng = random.Random(18)
    added = refused = 0
    for n in range(8):
        name = f"random {n}"
        operations = _random_operations(base, rng)
        try:  # created with its first operation, checked as the others are
            sc.create_scenario(store, name=name, operations=operations[:1])
            added += 1
        except OperationError:
            sc.create_scenario(store, name=name)
            refused += 1
        for operation in operations[1:]:
            try:
                sc.add_operation(store, name, operation)
                added += 1
            except OperationError:
                refused += 1  # e.g. it names what an earlier one removed: not added
        view = sc.get_scenario(store, name)
        record = load_record(store, name)
        kept, views, problem = scenario_model(store, record)
        assert replayed == []  # each model was the one checked, kept
        again, again_views, again_problem = replay(base, record.operations, strict=False)
        assert (views, problem) == (again_views, again_problem)
        assert view.operations == again_views
        assert kept.copied_from(base) and again.copied_from(base)
        assert list(kept.nodes.items()) == list(again.nodes.items())
        assert list(kept.rels.items()) == list(again.rels.items())
        for i in again.nodes:
            assert kept.out_rels(i) == again.out_rels(i)
            assert kept.in_rels(i) == again.in_rels(i)
        assert lost_needs(base, kept) == _lost_needs_by_search(base, again)
        firsts = [
            first_part(
                base,
                model,
                view=_random_view(views),
                element=None,
                max_depth=6,
                max_streams_per_team=3,
                overrides=None,
                today=DAY,
                base_health=base_health,
                base_projection=base_projection,
                base_facts=base_facts,
            )
            for model in (kept, again)
        ]
        assert firsts[0].comparison == firsts[1].comparison
        assert firsts[0].served == firsts[1].served
        _same_projection(firsts[0].projection, again.projection(table))
    assert added > refused  # most operations were added


def test_scenario_impact_is_paged_from_the_walks_it_keeps(
    store: GraphStore, generated: ModelGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scenario comparison's impact: each side's lists are their first page, its counts
    and stream deltas the whole answer's, and every further page, made from the walks the
    comparison keeps, is the whole answer's page."""
    page = 7
    monkeypatch.setattr(comparison_module, "IMPACT_PAGE", page)
    base = generated
    table = propagation_table()
    base_projection = base.projection(table)
    base_facts = base.health_facts()
    base_health = hl.health_report(
        base_facts, base_projection, max_streams_per_team=3, table=table, today=DAY
    )
    shared = sorted(
        (n.id for n in base.of_type(PLATFORM)), key=lambda p: (-len(base.in_rels(p)), p)
    )[:10]
    options = im.WalkOptions(6)
    rng = random.Random(16)
    paged_some = False
    for _ in range(8):
        ops = [parse_operation(o) for o in _random_operations(base, rng)]
        scenario, views, _ = replay(base, ops, strict=False)
        element = rng.choice(shared)
        first = first_part(
            base,
            scenario,
            view=_random_view(views),
            element=element,
            max_depth=6,
            max_streams_per_team=3,
            overrides=None,
            today=DAY,
            base_health=base_health,
            base_projection=base_projection,
            base_facts=base_facts,
        )
        impact = first.comparison.impact
        assert impact is not None
        whole = compare_impact(
            base,
            scenario,
            element,
            6,
            None,
            {s.id for s in first.comparison.losses.streams},
        )
        sides: dict[Literal["base", "scenario"], Any] = {
            "base": whole.base,
            "scenario": whole.scenario,
        }
        assert impact.model_dump(exclude={"base", "scenario"}) == whole.model_dump(
            exclude={"base", "scenario"}
        )
        assert whole.walk_of("base") is None and whole.walk_of("scenario") is None
        for side, answer in sides.items():
            shown, walk = getattr(impact, side), impact.walk_of(side)
            if answer is None:
                assert shown is None and walk is None
                continue
            assert answer == im.impact(base if side == "base" else scenario, element, options)
            assert shown is not None and walk is not None
            assert shown.counts == answer.counts
            for category in im.CATEGORIES:
                assert getattr(shown, category) == answer.page_of(category, 0, page)
                paged_some = paged_some or len(getattr(answer, category)) > page
                for offset in range(0, len(getattr(answer, category)) + page, page):
                    assert walk.page_of(category, offset, page) == answer.page_of(
                        category, offset, page
                    )
            for kind in ("teams", "people"):
                for offset in (0, page):
                    assert walk.notices_page(kind, offset, page) == answer.notices_page(
                        kind, offset, page
                    )
    assert paged_some  # some list was longer than a page


def test_scenario_betweenness_from_kept_sums_equals_the_full_computation(
    store: GraphStore, generated: ModelGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scenario's sampled betweenness taken mostly from its base's kept sums
    (`queries.betweenness`) is the full computation's (same sources, same seed) up to
    summation order, zeros exactly; and the ranking made with it, its index derived and
    its candidates' distances mended from the base's, is the one made on a projection
    built anew with nothing kept, rank for rank and score for score. Sampled as a large
    model is: 60 sources of about a thousand nodes (Python then draws positions as it does
    from 100k nodes)."""
    from queries import betweenness as bt

    k = 60
    monkeypatch.setattr(bn, "EXACT_BETWEENNESS_NODES", k)
    base = generated
    table = propagation_table()
    config = bn.BottleneckConfig()
    base_projection = base.projection(table)
    candidates = base_projection.of_type(TEAM) + base_projection.of_type(PLATFORM)
    sums = bt.ScenarioSums(base_projection, candidates, k, config.seed, groups=12)
    bn.keep_scenario_sums(base_projection, config)
    assert bt.kept_sums(base_projection, k, config.seed) is not None
    kept_balls = bt.kept_sums(base_projection, k, config.seed)
    assert kept_balls is not None
    within = max(config.horizon, config.cluster_horizon)
    rng = random.Random(16)
    reused = repaired = indexed_derived = 0
    for i in range(SCENARIOS):
        ops = [parse_operation(o) for o in _random_operations(base, rng)]
        if i % 3 == 0:  # relationship changes only: every source is where it was
            ops = [o for o in ops if type(o).__name__.endswith("Relationship")] or ops
        scenario, _, _ = replay(base, ops, strict=False)
        derived = scenario.projection_after(base, base_projection, table)
        # Each stream's search from the base's kept one is the search anew, node for node.
        after = bn._balls_after(derived, base_projection, kept_balls.balls, within)
        removed = bn._RemovedEdges(derived, base_projection)
        for s in derived.of_type(STREAM):
            assert after(s) == bn._ball(derived.graph, s, within), s
            old = kept_balls.balls.get(s)
            found = None if old is None else bn._ball_after(derived, removed, old, s, within)
            repaired += found is not None and found != old
        cands = derived.of_type(TEAM) + derived.of_type(PLATFORM)
        full = bn._sampled_betweenness_igraph(derived, k, config.seed)
        kept = sums.betweenness(derived, cands)
        reused += sums.reused
        assert set(kept) == set(cands)
        for c in cands:
            assert (kept[c] == 0) == (full[c] == 0), c
            assert kept[c] == pytest.approx(full[c], rel=1e-12, abs=1e-15), c
        served = scenario.served_directly()
        bn._communities.clear()  # the full computation partitions its stream graph anew
        anew = scenario.projection(table)  # nothing kept: its own index, built anew
        ranking = bn.bottleneck_report(
            anew, served, limit=bn.ranked_all(anew), config=config, table=table
        )
        bn.keep_scenario_sums(base_projection, config)  # the base's communities again
        # The scenario's index is derived from the base's (`queries.scenario_index`).
        derived = scenario.projection_after(base, base_projection, table)
        assert (
            bn.bottleneck_report(
                derived,
                served,
                limit=bn.ranked_all(derived),
                config=config,
                table=table,
                base=base_projection,
            )
            == ranking
        )
        indexed_derived += isinstance(derived.indexed, DerivedIndex)
    assert reused > SCENARIOS * k // 3  # most sources came from the kept sums
    assert indexed_derived > SCENARIOS // 2  # most rankings numbered from the base's
    assert repaired  # some searches lost a shortest path and were mended, not redone


def test_stream_communities_found_again_are_louvain_anew(
    store: GraphStore, generated: ModelGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stream graph partitioned before (the base's, by a scenario that changes nothing
    two streams share) gets its communities again without Louvain, and they are the ones
    Louvain finds anew on it."""
    base = generated
    table = propagation_table()
    config = bn.BottleneckConfig()
    base_projection = base.projection(table)
    louvain = nx.community.louvain_communities
    calls = 0

    def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return louvain(*args, **kwargs)

    monkeypatch.setattr(nx.community, "louvain_communities", counted)

    def joining(p: Projection) -> tuple[dict[str, set[str]], list[str]]:
        streams = sorted(p.of_type(STREAM))
        near = bn._near_streams(p.graph, streams, config.cluster_horizon)
        shared = {c: set(near.get(c, {})) for c in p.of_type(TEAM) + p.of_type(PLATFORM)}
        return {c: s for c, s in shared.items() if len(s) >= 2}, streams

    bn._communities.clear()
    bn.communities(*joining(base_projection), config)
    rng = random.Random(17)
    again = 0
    for _ in range(SCENARIOS):
        ops = [parse_operation(o) for o in _random_operations(base, rng)]
        scenario, _, _ = replay(base, ops, strict=False)
        shared, streams = joining(scenario.projection_after(base, base_projection, table))
        before = calls
        found = bn.communities(shared, streams, config)
        again += calls == before
        graph = bn.stream_graph(shared, streams)
        assert [members for members, _, _ in found] == [
            frozenset(c) for c in louvain(graph, weight="weight", seed=config.seed, resolution=1.0)
        ]
        bn._communities.clear()
        assert bn.communities(shared, streams, config) == found  # anew: the same numbers
        bn.communities(*joining(base_projection), config)
    assert again  # some scenarios changed nothing two streams share


def test_scenario_changes_and_index_derived_from_the_base_are_found_anew(
    store: GraphStore, generated: ModelGraph
) -> None:
    """What a scenario's graph changed of its base's, found by lining the two up
    (`queries.scenario_index.changes`), is what comparing every node finds; the sources it
    changed are `ScenarioSums.changed_sources`; and its index derived from the base's
    (igraph's copy edited) is the one built anew: the same nodes numbered alike, the same
    edges, and igraph's betweenness from the same sources equal to the last bit."""
    from queries import betweenness as bt
    from queries.projection_index import IndexedGraph

    base = generated
    table = propagation_table()
    base_projection = base.projection(table)
    base_projection.indexed.igraph  # noqa: B018 - what the kept sums leave on the base
    candidates = base_projection.of_type(TEAM) + base_projection.of_type(PLATFORM)
    sums = bt.ScenarioSums(base_projection, candidates, 60, 42, groups=4)
    rng = random.Random(18)
    kinds = set()
    for i in range(SCENARIOS * 2):
        ops = [parse_operation(o) for o in _random_operations(base, rng)]
        scenario, _, _ = replay(base, ops, strict=False)
        # Built anew, a scenario's graph shares no dict with its base's: all are compared.
        anew = i % 4 == 3
        p = (
            scenario.projection(table)
            if anew
            else scenario.projection_after(base, base_projection, table)
        )
        found = changes(p, base_projection)
        succ, pred = p.graph._adj, p.graph._pred
        base_succ, base_pred = base_projection.graph._adj, base_projection.graph._pred
        assert found.gone == base_succ.keys() - succ.keys()
        assert list(found.new) == [v for v in succ if v not in base_succ]
        assert list(found.tails) == [v for v in succ if v in base_succ and succ[v] != base_succ[v]]
        # Every node whose edges in differ is a head (others may be: not the base's dict).
        assert found.heads >= found.gone | set(found.new) | {
            v for v in pred if v in base_pred and pred[v] != base_pred[v]
        }
        assert list(found.retyped) == [
            v
            for v in p.nodes
            if v in base_projection.nodes and p.nodes[v].type != base_projection.nodes[v].type
        ]
        assert changed_sources(p, base_projection, found) == sums.changed_sources(p)

        indexed = derived_index(p, base_projection, found)
        assert p.indexed is indexed  # kept as the projection's
        plain = IndexedGraph(p.graph)
        assert indexed.ids == plain.ids
        assert indexed.index == plain.index
        assert indexed.edges == plain.edges
        assert indexed.igraph.vcount() == plain.igraph.vcount()
        assert sorted(indexed.igraph.get_edgelist()) == sorted(plain.edges)
        sources = random.Random(i).sample(range(len(plain.ids)), 40)
        assert indexed.igraph.betweenness(sources=sources, directed=True) == (
            plain.igraph.betweenness(sources=sources, directed=True)
        )
        assert isinstance(indexed, DerivedIndex)  # a few nodes changed, in each
        kinds.add((anew, bool(found.new), bool(found.gone)))
    # Derived with nodes added (renumbered) and removed, and for graphs built anew.
    assert {(False, True, False), (False, False, True)} <= kinds
    assert any(anew for anew, _, _ in kinds)
