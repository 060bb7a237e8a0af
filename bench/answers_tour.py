"""The server's side of the browser tour's slow steps, timed in one process as a server
would answer them (issue 15): the overview's health and bottlenecks (top 5), bottleneck
mode (top 50), the Health page, creating a scenario and reading it, removing the most
shared platform in it, and comparing it. The tour is run `--rounds` times on the same
model: with answers kept per revision (`queries.present`) the later rounds show what an
unchanged model costs.

    NEO4J_URI=bolt://… python bench/answers_tour.py --platform plat-t0 --rounds 2

It writes scenarios named `answers-tour-…` and discards them; nothing else is written. Run
from a checkout by path (`PYTHONPATH=checkout python bench/answers_tour.py`) to time
that checkout's code: it calls only functions every version of it has.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from app.cli.shared import open_store
from app.settings import Settings
from graph.store import GraphStore
from queries import bottlenecks as bn
from queries import health as hl
from queries import scenarios as sc


def tour(store: GraphStore, round_: int, platform: str) -> None:
    """One round of the tour's questions, each step timed and printed."""
    name = f"answers-tour-{time.time_ns()}"
    removal = {"op": "remove_element", "element": platform}
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("overview: health", lambda: hl.health(store)),
        ("overview: bottlenecks (top 5)", lambda: bn.bottlenecks(store, limit=5)),
        ("bottleneck mode (top 50)", lambda: bn.bottlenecks(store, limit=50)),
        ("Health page", lambda: hl.health(store)),
        ("scenario: create", lambda: sc.create_scenario(store, name=name)),
        ("scenario: read", lambda: sc.get_scenario(store, name)),
        (f"scenario: remove {platform}", lambda: sc.add_operation(store, name, removal)),
        ("scenario: compare", lambda: sc.compare_scenario(store, name)),
    ]
    total = 0.0
    try:
        for label, step in steps:
            started = time.perf_counter()
            step()
            took = time.perf_counter() - started
            total += took
            print(f"round {round_}  {label:32s} {took * 1000:9,.0f} ms", flush=True)
        print(f"round {round_}  {'total':32s} {total * 1000:9,.0f} ms", flush=True)
    finally:
        sc.discard_scenario(store, name)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--platform", default="plat-t0", help="The platform to remove.")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    with open_store(Settings()) as store:
        for round_ in range(1, args.rounds + 1):
            tour(store, round_, args.platform)


if __name__ == "__main__":
    main()
