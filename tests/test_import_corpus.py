"""Issue 12's corpus figures over the repository's own fixtures (`python -m bench corpus`).

Every model under tests/data/imports is dry-run: only the files kept in `bad/` (each
genuinely broken) are refused, each refusal names its file and says what to do, and of
what is read at most 5 % of the elements are left without an ArchiMate or operating-model
type and at most 5 % of the relationships without a propagation rule. The survey's
figures are checked against the dry-run report on a real Neo4j.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.corpus import TARGET_SHARE, main, measure, models, survey
from graph.store import GraphStore
from importers.pipeline import run_import

CORPUS = Path(__file__).parent / "data" / "imports"


def test_only_the_broken_files_are_refused_and_the_rest_is_understood() -> None:
    report = survey(CORPUS)
    refused = {m["path"] for m in report["models"] if m["refused"]}
    broken = {p.relative_to(CORPUS).as_posix() for p in models(CORPUS / "bad")}
    assert len(broken) == 13
    assert refused == broken
    for m in report["models"]:
        if m["refused"]:
            assert m["refused"]["file"] and m["refused"]["hint"], m
    totals = report["totals"]
    assert totals["models"] - totals["refused"] >= 15
    assert totals["untyped"] <= TARGET_SHARE * totals["elements"]
    assert totals["without_rule"] <= TARGET_SHARE * totals["relationships"]


def test_a_folder_is_one_model_when_it_is_a_csv_export_or_a_catalog() -> None:
    found = {p.relative_to(CORPUS).as_posix() for p in models(CORPUS)}
    assert {"bank_csv", "catalog", "shapes/backstage_repo", "bad/malformed_csv"} <= found
    assert not any(p.startswith(("catalog/", "shapes/backstage_repo/")) for p in found)


def test_the_command_prints_a_table_and_exits_0_within_the_targets(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([str(CORPUS / "bank_csv")]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[2].split() == ["bank_csv", "csv", "14", "0", "20", "0"]


@pytest.mark.parametrize("model", ["archimate/insurer.archimate", "bank_csv", "catalog"])
def test_the_figures_are_those_of_the_dry_run_report(store: GraphStore, model: str) -> None:
    """The survey reads what `valuegraph import MODEL --dry-run --json` reports."""
    counts = run_import(store, CORPUS / model, dry_run=True)["counts"]
    figures = measure(CORPUS / model, CORPUS)
    assert (
        figures.elements,
        figures.untyped,
        figures.relationships,
        figures.without_rule,
    ) == (
        counts["elements_in_file"],
        counts["untyped_elements"],
        counts["relationships_in_file"],
        counts["relationships_without_rule"],
    )
