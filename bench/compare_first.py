"""A scenario comparison the first time, as the explorer asks it (issue 15): remove the most
shared platform and compare, with its impact, in-process on a pickled model.

    python -m bench.compare_first /tmp/vg-analytics-M.pkl --rounds 3 --answers out.pkl

The base side is warm as the service has it (projection, health report, ranking), the
base impact of the removed platform is not kept (first asked), and the walk index is
built from the model (the service's live index) when this version walks on it. Prints wall
and CPU seconds of the first part (impact, losses, health) and of the scenario's ranking
(the second part); `--answers` pickles both answers, to compare versions (a baseline run
with PYTHONPATH on a `git worktree` of it). `--freeze` freezes the model and base answers
out of the cyclic collector first (what their full passes cost, and what the service
does after each warm). `--impact-asked`: the removed platform's impact was asked
before, as the explorer's tour does (versions that keep the widest walks of the index,
`queries.live.walk_impact`, then do not walk the base side again). `--first-only`: the
first part only (no ranking warmed, kept or timed). The model pickle is
`bench.analytics`'s (`read_model`). Versions that page the comparison's impact
(`queries.scenarios.models.IMPACT_PAGE`) pickle each of its lists' first page: compare a
baseline's lists cut to it.
"""

from __future__ import annotations

import argparse
import gc
import inspect
import json
import pickle
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

DAY = date(2026, 12, 7)


def main(argv: list[str] | None = None) -> None:
    from queries import bottlenecks as bn
    from queries import health as hl
    from queries import impact as im
    from queries.model_graph import ModelGraph
    from queries.propagation import propagation_table
    from queries.scenarios import models as sm
    from queries.scenarios.comparison import first_part, scenario_ranking
    from queries.scenarios.models import ScenarioView
    from queries.scenarios.operations import parse_operation, replay

    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--answers", type=Path)
    parser.add_argument("--freeze", action="store_true")
    parser.add_argument("--impact-asked", action="store_true")
    parser.add_argument("--first-only", action="store_true", help="not the ranking part")
    args = parser.parse_args(argv)
    with args.model.open("rb") as f:
        model: ModelGraph = pickle.load(f)  # a pickle bench.analytics wrote
    table = propagation_table(None)
    users = Counter(
        r.target
        for r in model.rels.values()
        if r.type in ("USES", "DEPENDS_ON") and model.nodes[r.target].type == "Platform"
    )
    platform = max(users, key=lambda p: (users[p], p))
    projection = model.projection(table)
    facts = model.health_facts()
    # Versions that find a scenario's report from its base's keep what that needs with the
    # present report, as the service does when it answers the present model's health.
    keep = {"keep": True} if "keep" in inspect.signature(hl.health_report).parameters else {}
    health = hl.health_report(
        facts, projection, max_streams_per_team=3, table=table, today=DAY, **keep
    )
    kept_sums = hasattr(bn, "keep_scenario_sums")  # this version: kept betweenness sums
    if not args.first_only:
        scenario_ranking(projection, model.served_directly(), bn.BottleneckConfig(), table)
        if kept_sums:
            bn.keep_scenario_sums(projection, bn.BottleneckConfig())  # the service warms them
    new = hasattr(ModelGraph, "health_facts_after")  # this version: walk index, kept facts
    reader: Any = model
    extra: dict[str, Any] = {}
    if new:
        from queries.walk_index import WalkIndex

        reader = WalkIndex.build(
            "bench",
            [
                [n.id, n.type, n.props.get("name"), n.props.get("archimate_type")]
                for n in model.nodes.values()
            ],
            [
                [r.type, r.source, r.target, r.id, r.original_type, r.access_type]
                for r in model.rels.values()
            ],
        )
        extra = {"base_facts": facts}
    # Versions that page the comparison's impact take the base side's walk, not its answer.
    ask: Any = im.walk_impact if hasattr(sm, "IMPACT_PAGE") else im.impact
    if args.impact_asked:
        from queries import live

        kept_walks = getattr(live, "walk_impact", None)
        if new and kept_walks is not None:
            ask = kept_walks
        ask(reader, platform, im.WalkOptions(10))  # the impact question, before
    ops = [parse_operation({"op": "remove_element", "element": platform})]
    gc.collect()
    if args.freeze:
        gc.freeze()
    runs = []
    for _ in range(args.rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        scenario, views, _ = replay(model, ops)
        view = ScenarioView(
            name="bench",
            description="",
            status="open",
            operation_count=1,
            operations=views,
            created_at="2026-12-07T00:00:00Z",
            updated_at="2026-12-07T00:00:00Z",
        )
        part = first_part(
            model,
            scenario,
            view=view,
            element=platform,
            max_depth=10,
            max_streams_per_team=3,
            overrides=None,
            today=DAY,
            base_health=health,
            base_projection=projection,
            base_impact=lambda origin: ask(reader, origin, im.WalkOptions(10)),
            **extra,
        )
        first = (time.perf_counter() - wall, time.process_time() - cpu)
        if args.first_only:
            runs.append({"first_wall_s": round(first[0], 3), "first_cpu_s": round(first[1], 3)})
            print(runs[-1], flush=True)
            continue
        wall, cpu = time.perf_counter(), time.process_time()
        ranking = scenario_ranking(
            part.projection,
            part.served,
            bn.BottleneckConfig(),
            table,
            *((projection,) if kept_sums else ()),
        )
        second = (time.perf_counter() - wall, time.process_time() - cpu)
        runs.append(
            {
                "first_wall_s": round(first[0], 3),
                "first_cpu_s": round(first[1], 3),
                "ranking_wall_s": round(second[0], 3),
                "ranking_cpu_s": round(second[1], 3),
            }
        )
        print(runs[-1], flush=True)
    if args.answers:
        with args.answers.open("wb") as out:
            # Versions that keep a scenario's ranking without its rows make them to compare.
            report: Any = None
            if not args.first_only:
                report = (
                    ranking
                    if isinstance(ranking, bn.BottleneckReport)
                    else ranking.report(bn.ranked_all(part.projection))
                )
            second_part = None if report is None else report.model_dump()
            pickle.dump((part.comparison.model_dump(), second_part), out)
    impact = part.comparison.impact
    affected = impact.base_affected_count if impact else 0
    print(json.dumps({"platform": platform, "affected": affected, "runs": runs}))


if __name__ == "__main__":
    main()
