"""A scenario's health report found from its base's (`queries.health.health_report_after`)
is the report computed anew on the scenario model.

On a generated model and on the demo (lifecycle dates, hand-worked single points of
failure), imported into a real Neo4j and read back, random scenarios (seeded) remove
platforms, capabilities and teams, replace platforms, move ownership, add and remove what
platforms need, what capabilities use and contain and what streams require, add platforms
and split streams. For each, the report and the capabilities cut found from the base's
equal those of `health_report_and_cut` on the scenario's facts and dependency graph built
anew, check for check and finding for finding, whether what the base's check was found
from is kept with its report or found when first asked.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from graph.labels import (
    CAPABILITY,
    CONTAINS,
    DEPENDS_ON,
    HAS_STAGE,
    OWNS,
    PLATFORM,
    REQUIRES,
    STREAM,
    TEAM,
    USES,
)
from graph.store import GraphStore
from importers.pipeline import run_import
from queries import health as hl
from queries.health_facts import HealthFacts
from queries.model_graph import ModelGraph
from queries.projection import Projection
from queries.propagation import propagation_table
from queries.scenarios.losses import lost_needs
from queries.scenarios.operations import OperationError, apply_operation, parse_operation
from samples.generate import generate

DAY = date(2026, 12, 7)


@pytest.fixture
def generated(store: GraphStore, tmp_path: Path) -> ModelGraph:
    out = io.StringIO()
    generate(1_000, 11, out)
    path = tmp_path / "generated.xml"
    path.write_text(out.getvalue(), encoding="utf-8")
    run_import(store, path, max_bytes=1 << 30)
    return ModelGraph.load(store)


@pytest.fixture
def demo(store: GraphStore) -> ModelGraph:
    from samples.demo import load_demo

    load_demo(store)
    return ModelGraph.load(store)


def _operations(model: ModelGraph, rng: random.Random, remove: bool) -> list[dict[str, Any]]:
    """One to five random changes of what the health checks read; `remove`: after removing
    one to three of the most needed platforms."""
    ids = {t: sorted(n.id for n in model.of_type(t)) for t in (PLATFORM, TEAM, STREAM, CAPABILITY)}
    platforms, teams, streams, capabilities = (
        ids[PLATFORM],
        ids[TEAM],
        ids[STREAM],
        ids[CAPABILITY],
    )
    # The most needed platforms first: removing what many need stops the most.
    shared = sorted(platforms, key=lambda p: (-len(model.in_rels(p)), p))[:15]

    def rel(op: str, rel_type: str, source: str, target: str) -> dict[str, Any]:
        return {"op": op, "type": rel_type, "source": source, "target": target}

    def existing(rel_type: str, source_label: str, target_label: str) -> list[Any]:
        return sorted(
            (r.source, r.target)
            for r in model.rels.values()
            if r.type == rel_type
            and model.label(r.source) == source_label
            and model.label(r.target) == target_label
        )

    ops: list[dict[str, Any]] = [
        {"op": "remove_element", "element": p}
        for p in (rng.sample(shared[:3], rng.randint(1, 3)) if remove else [])
    ]
    for _ in range(rng.randint(1, 5)):
        kind = rng.choice(
            [
                "remove platform",
                "remove capability",
                "remove team",
                "replace",
                "owner",
                "platform needs",
                "platform drops",
                "capability uses",
                "capability drops",
                "contains",
                "uncontains",
                "requires",
                "unrequires",
                "add",
                "split",
            ]
        )
        needs = rng.choice([USES, DEPENDS_ON])
        if kind == "remove platform":
            # Up to three of the most needed: what uses all of them stops.
            for platform in rng.sample(shared[:6], rng.randint(1, 3)):
                ops.append({"op": "remove_element", "element": platform})
        elif kind == "remove capability" and capabilities:
            ops.append({"op": "remove_element", "element": rng.choice(capabilities)})
        elif kind == "remove team" and teams:
            ops.append({"op": "remove_element", "element": rng.choice(teams)})
        elif kind == "replace" and len(shared) >= 2:
            old, new = rng.sample(shared, 2)
            ops.append({"op": "replace_element", "old": old, "new": new})
        elif kind == "owner" and teams:
            element = rng.choice(shared if rng.random() < 0.5 else platforms)
            ops.append({"op": "move_ownership", "element": element, "to_team": rng.choice(teams)})
        elif kind == "platform needs" and len(platforms) >= 2:
            source, target = rng.sample(platforms, 2)
            ops.append(rel("add_relationship", needs, source, rng.choice([target, *shared[:3]])))
        elif kind == "platform drops":
            pairs = existing(needs, PLATFORM, PLATFORM)
            if pairs:
                ops.append(rel("remove_relationship", needs, *rng.choice(pairs)))
        elif kind == "capability uses" and capabilities:
            ops.append(
                rel("add_relationship", needs, rng.choice(capabilities), rng.choice(platforms))
            )
        elif kind == "capability drops":
            pairs = existing(needs, CAPABILITY, PLATFORM)
            if pairs:
                ops.append(rel("remove_relationship", needs, *rng.choice(pairs)))
        elif kind == "contains" and len(capabilities) >= 2:
            ops.append(rel("add_relationship", CONTAINS, *rng.sample(capabilities, 2)))
        elif kind == "uncontains":
            pairs = existing(CONTAINS, CAPABILITY, CAPABILITY)
            if pairs:
                ops.append(rel("remove_relationship", CONTAINS, *rng.choice(pairs)))
        elif kind == "requires" and capabilities and streams:
            ops.append(
                rel("add_relationship", REQUIRES, rng.choice(streams), rng.choice(capabilities))
            )
        elif kind == "unrequires":
            pairs = existing(REQUIRES, STREAM, CAPABILITY)
            if pairs:
                ops.append(rel("remove_relationship", REQUIRES, *rng.choice(pairs)))
        elif kind == "add":
            new_id = f"plat-new-{len(ops)}"
            ops.append(
                {"op": "add_element", "type": PLATFORM, "name": f"New {len(ops)}", "id": new_id}
            )
            if capabilities:
                ops.append(rel("add_relationship", USES, rng.choice(capabilities), new_id))
            ops.append(rel("add_relationship", needs, new_id, rng.choice(shared)))
            if teams:
                ops.append(rel("add_relationship", OWNS, rng.choice(teams), new_id))
        elif kind == "split" and streams:
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
    return ops


def _scenario_inputs(
    base: ModelGraph, scenario: ModelGraph, base_facts: HealthFacts, base_projection: Projection
) -> tuple[HealthFacts, Projection]:
    """The scenario's facts and dependency graph as a comparison finds them."""
    table = propagation_table()
    lost = frozenset((s, t) for s, _, t in lost_needs(base, scenario))
    facts = dataclasses.replace(scenario.health_facts_after(base, base_facts), lost_needs=lost)
    return facts, scenario.projection_after(base, base_projection, table)


def _assert_found_from_the_base(base: ModelGraph, seed: int, scenarios: int) -> None:
    table = propagation_table()
    base_projection = base.projection(table)
    base_facts = base.health_facts()
    rng = random.Random(seed)
    kinds: set[str] = set()
    for i in range(scenarios):
        # Every third scenario finds what the base's check was found from when first
        # asked (its base facts new, nothing kept for them); the others read it kept.
        keep = i % 3 != 0
        if not keep:
            base_facts = base.health_facts()
        base_report = hl.health_report(
            base_facts, base_projection, max_streams_per_team=3, table=table, today=DAY, keep=keep
        )
        # Each change that applies (one may name what an earlier one removed).
        scenario = base.copy()
        for index, op in enumerate(_operations(base, rng, i % 4 == 1), start=1):
            with contextlib.suppress(OperationError):
                apply_operation(scenario, parse_operation(op), index)
        facts, projection = _scenario_inputs(base, scenario, base_facts, base_projection)
        found = hl.health_report_after(
            base_report,
            base_facts,
            base_projection,
            facts,
            projection,
            max_streams_per_team=3,
            table=table,
            today=DAY,
        )
        anew = dataclasses.replace(scenario.health_facts(), lost_needs=facts.lost_needs)
        expected = hl.health_report_and_cut(
            anew, scenario.projection(table), max_streams_per_team=3, table=table, today=DAY
        )
        assert found[1] == expected[1]
        for got, want in zip(found[0].checks, expected[0].checks, strict=True):
            assert got == want, got.id
        assert found == expected
        spof = {c.id: c for c in expected[0].checks}["single_points_of_failure"]
        base_spof = {c.id: c for c in base_report.checks}["single_points_of_failure"]
        if expected[1]:
            kinds.add("cut")
        if spof.findings != base_spof.findings:
            kinds.add("single points of failure changed")
        if expected[0] == base_report:
            kinds.add("unchanged")
    # The scenarios cut capabilities and changed the single points of failure.
    assert {"cut", "single points of failure changed"} <= kinds


def test_a_scenarios_health_found_from_its_bases_is_the_report_anew(
    generated: ModelGraph,
) -> None:
    _assert_found_from_the_base(generated, 23, 30)


def test_a_scenarios_health_on_the_demo_found_from_its_bases_is_the_report_anew(
    demo: ModelGraph,
) -> None:
    _assert_found_from_the_base(demo, 29, 40)
