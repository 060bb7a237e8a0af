"""The benchmark harness end to end at a tiny size, so it cannot rot (issue 6).

Not a benchmark: the figures are thrown away. Every workload runs once against the test
Neo4j: the import in a child process, the app as a real uvicorn process on 127.0.0.1,
a few seconds of locust. The full benchmarks (`make bench`) are not part of the suite.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.adversarial import AdversarialConfig, Picked, attacks, render, run_adversarial
from bench.browser import CHROMIUM, BrowserConfig, run_browser_bench
from bench.browser import render_table as render_browser_table
from bench.harness import BenchConfig, render_table, run_bench
from bench.history import render as render_history
from bench.history import run_history_bench
from bench.workloads import Neo4jTarget
from graph.store import GraphStore

TOUR_STEPS = [
    "load: overview answered",
    "graph page",
    "search",
    "expand the most connected element",
    "impact of the most shared platform",
    "impact of a stream",
    "what the stream depends on",
    "bottlenecks",
    "health",
    "scenario mode",
    "scenario: create",
    "scenario: remove the most shared platform and compare",
    "scenario: the bottleneck comparison (second part)",
]


def test_harness_runs_every_workload(
    store: GraphStore, neo4j_server: dict[str, str | None], tmp_path: Path
) -> None:
    assert neo4j_server["uri"]
    target = Neo4jTarget(neo4j_server["uri"], neo4j_server["user"], neo4j_server["password"])
    config = BenchConfig(
        size="400",
        seed=2,
        import_reps=1,
        question_reps=1,
        impact_requests=3,
        impact_budget_s=5,
        load_users=4,
        load_seconds=3,
        load_baseline_seconds=1,
        workdir=tmp_path / "work",
        results_dir=tmp_path / "results",
    )
    result = run_bench(config, target, log=lambda _line: None)

    w = result["workloads"]
    assert set(w) == {
        "1_import",
        "2_impact",
        "2_impact_cypher",
        "3_4_analysis",
        "5_load",
        "6_memory",
    }
    imported = w["1_import"]
    assert imported["rows"] == result["generate"]["elements"] + imported["child"]["relationships"]
    assert imported["child"]["nodes"] == result["generate"]["elements"] == 400
    assert imported["child"]["warnings"] == 0
    assert imported["import_rows_per_s"] > 0 and imported["baseline_rows_per_s"] > 0
    # Asked of the server's walk index (built before measuring), then walked in Cypher.
    assert w["2_impact"]["index"]["elements"] == 400
    for key in ("typical", "most_shared"):
        for section in ("2_impact", "2_impact_cypher"):
            answer = w[section][key]
            # The app and the bare Cypher reach the same elements.
            assert answer["affected"] == answer["bare_affected"]
            assert answer["graphql_http"]["n"] >= 3 and answer["bare_cypher"]["n"] >= 3
    assert w["2_impact"]["most_shared"]["affected"] >= w["2_impact"]["typical"]["affected"]
    assert w["3_4_analysis"]["bottlenecks_s"] > 0 and w["3_4_analysis"]["health_s"] > 0
    load = w["5_load"]["http"]["aggregated"]
    assert load["requests"] > 0 and load["failures"] == 0
    assert w["5_load"]["bare"]["failures"] == 0
    assert w["6_memory"]["peak_rss_mb"] >= w["6_memory"]["rss_before_mb"] > 0

    saved = json.loads((tmp_path / "results" / "latest-400.json").read_text())
    assert saved["workloads"].keys() == w.keys()
    table = render_table(result)
    for name in ("1 import", "2 impact", "3 bottlenecks", "4 health", "5 load", "6 memory"):
        assert name in table


def test_adversarial_run_reports_probes_statuses_and_memory(
    store: GraphStore, neo4j_server: dict[str, str | None], tmp_path: Path
) -> None:
    # A few clients for a few seconds: the figures are thrown away, but the report's shape
    # holds and no request got a 5xx other than the documented 503 Busy and 504.
    assert neo4j_server["uri"]
    target = Neo4jTarget(neo4j_server["uri"], neo4j_server["user"], neo4j_server["password"])
    config = AdversarialConfig(
        size="300",
        clients=3,
        seconds=4,
        baseline_seconds=1,
        settle_seconds=1,
        workdir=tmp_path / "work",
        results_dir=tmp_path / "results",
    )
    result = run_adversarial(config, target, log=lambda _line: None)

    assert result["model"]["generated_elements"] >= 300
    for phase in ("baseline", "load"):
        for probe in ("healthz", "cheap_read"):
            figures = result[phase][probe]
            assert figures["n"] > 0
            assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"]
    assert set(result["ratio"]) == {"healthz", "cheap_read"}
    assert result["requests"] == sum(result["status_counts"].values()) > 0
    names = {name for _, name, _ in attacks(Picked("x", "x", [], []), {})}
    assert set(result["per_attack"]) <= names
    assert result["unexpected"] == 0, result["unexpected_examples"]
    assert result["verdicts"]["unexpected_5xx"] == {"value": 0, "met": True}
    rss = result["rss_mib"]
    assert 0 < rss["start"] <= rss["peak"] and rss["after"] > 0
    assert set(result["verdicts"]) == {
        "healthz_p99",
        "cheap_read_p95",
        "unexpected_5xx",
        "rss_back",
    }
    assert result["passed"] == all(v["met"] for v in result["verdicts"].values())
    saved = json.loads((tmp_path / "results" / "latest-adversarial.json").read_text())
    assert saved["status_counts"] == result["status_counts"]
    table = render(result)
    for row in (
        "`/healthz` p50/p95/p99",
        "cheap read p50/p95/p99",
        "app + workers RSS start / peak",
    ):
        assert row in table


def test_browser_tour_runs_on_the_demo_and_a_small_model(
    store: GraphStore, neo4j_server: dict[str, str | None], tmp_path: Path
) -> None:
    # The browser benchmark's tour once on the demo (its baseline) and once on a small
    # generated model, in Debian's headless Chromium: every step is answered, the browser
    # reported its paints, and the table and JSON have their shape. The figures are not
    # checked (the machine is shared); `python -m bench browser --size L` measures.
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    assert neo4j_server["uri"]
    target = Neo4jTarget(neo4j_server["uri"], neo4j_server["user"], neo4j_server["password"])
    config = BrowserConfig(
        size="300", reps=1, workdir=tmp_path / "work", results_dir=tmp_path / "results"
    )
    result = run_browser_bench(config, target, log=lambda _line: None)

    for side in ("demo", "generated"):
        tour = result[side]["tour"]
        assert tour["exit_code"] == 0, (side, tour["errors"])
        timed = [s for s in tour["steps"] if not s.get("untimed")]
        assert [s["name"] for s in timed] == TOUR_STEPS
        assert all(s["ms"] is not None and s["ms"] > 0 for s in timed)
        assert tour["first_contentful_paint_ms"] and tour["largest_contentful_paint_ms"]
        # Toured once the answers were warm, and how long that took after start-up is kept.
        assert result[side]["warm"]["ready_after_start_s"] is not None
    assert result["generated"]["plan"]["shared"]["dependants"] > 0
    assert len(result["table"]) == len(result["generated"]["tour"]["steps"]) + 3
    assert set(result["verdicts"]) == {"longest_task_ms", "answers_under_ms", "first_paint_ms"}
    saved = json.loads((tmp_path / "results" / "latest-browser.json").read_text())
    assert saved["table"] == [list(r) for r in result["table"]]
    assert "largest contentful paint" in render_browser_table(result)


def test_history_workload_compares_recording_on_and_off(
    store: GraphStore, neo4j_server: dict[str, str | None], tmp_path: Path
) -> None:
    # `python -m bench history` at a tiny size: every import recorded once (or not at all
    # with the recorder off), the 1 % change recorded as its renames, the chain intact.
    assert neo4j_server["uri"]
    target = Neo4jTarget(neo4j_server["uri"], neo4j_server["user"], neo4j_server["password"])
    result = run_history_bench("300", 2, 1, target, tmp_path / "work", log=lambda _line: None)

    h = result["history"]
    imported = h["import"]
    assert imported["changes_recorded"] == imported["rows"] > 300
    assert imported["on_s"] > 0 and imported["off_s"] > 0 and imported["on_vs_off"]
    changed = h["change_import"]
    renamed = result["generate"]["renamed"]
    assert changed["elements_changed"] == changed["changes_recorded"] == renamed > 0
    assert h["verify"]["intact"], h["verify"]["message"]
    assert h["verify"]["changes"] == imported["rows"] + renamed
    as_of = h["as_of"]
    assert as_of["impact_as_of"]["n"] >= 5 and as_of["health_as_of_s"] > 0
    table = render_history(result)
    for row in ("import (", "1 % change import", "verify the chain", "health as of vs now"):
        assert row in table


def test_history_as_of_only_imports_once_and_asks_as_of(
    store: GraphStore, neo4j_server: dict[str, str | None], tmp_path: Path
) -> None:
    # `--as-of-only`: one recorded import and one recorded change import, then the as-of
    # questions, cold (nothing kept) and warmed as the service warms, reported apart.
    assert neo4j_server["uri"]
    target = Neo4jTarget(neo4j_server["uri"], neo4j_server["user"], neo4j_server["password"])
    result = run_history_bench(
        "300", 2, 1, target, tmp_path / "work", log=lambda _line: None, as_of_only=True
    )
    h = result["history"]
    assert "import" not in h and h["changes_recorded"] > 300
    as_of = h["as_of"]
    assert as_of["impact_as_of"]["n"] >= 5 and as_of["impact_as_of_later"]["n"] >= 4
    assert as_of["impact_as_of_first_s"] > 0
    assert as_of["impact_as_of_warmed"]["n"] >= 5 and as_of["impact_as_of_warmed_later"]["n"] >= 4
    assert as_of["impact_as_of_warm_s"] > 0 and as_of["impact_as_of_warmed_first_s"] > 0
    assert as_of["present_model_read_s"] > 0 and as_of["health_as_of_rebuilt_s"] > 0
    table = render_history(result)
    for row in (
        "cold, nothing kept (compared with the target)",
        "cold first ask",
        "warmed as the service is",
        "the first ask",
        "present model read",
        "health as of vs now",
        "rebuilt",
    ):
        assert row in table


@pytest.mark.parametrize("how", ["exit", "sigterm"])
def test_a_benchmarks_scratch_folders_go_when_it_ends(how: str) -> None:
    """Benchmarks left their Neo4j stores and models in /tmp (gigabytes per L run) until
    the disk filled and the next Neo4j crashed mid-commit; ended or stopped, they go."""
    import signal
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from bench.harness import scratch_dir\n"
        "d = scratch_dir('vg-scratch-test-')\n"
        "(d / 'store').write_bytes(b'x' * 1024)\n"
        "print(d, flush=True)\n"
        "sys.stdin.readline()\n"  # until the test has seen the folder
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path.cwd(),
    )
    assert proc.stdin is not None and proc.stdout is not None
    folder = Path(proc.stdout.readline().strip())
    assert folder.is_dir()
    if how == "sigterm":
        proc.send_signal(signal.SIGTERM)
    else:
        proc.stdin.write("go on\n")
        proc.stdin.flush()
    assert proc.wait(timeout=20) == (143 if how == "sigterm" else 0)
    assert not folder.exists()
