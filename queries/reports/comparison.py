"""The scenario comparison report: health, bottlenecks and (when asked) the impact of one
element, in the base model and in the scenario, side by side. CSV: one row per compared
item, each in its section (`COLUMNS`)."""

from __future__ import annotations

from collections.abc import Sequence

from queries import scenarios as sc
from queries.reports.document import Header, Legend, markdown, propagation_asked
from queries.reports.impact import ref_text
from queries.reports.text import Cell, csv_table, md, md_code, md_table, number

TITLE = "Scenario comparison"

COLUMNS: tuple[tuple[str, str], ...] = (
    ("section", "health, bottlenecks or impact"),
    ("id", "the check's id (health; 'score' for the overall score) or the element's id"),
    ("name", "the check's title or the element's name"),
    ("type", "the element's type; 'check' for a health check, empty for the overall score"),
    ("base", "in the base model: score (health), rank (bottlenecks), distance (impact)"),
    ("scenario", "the same in the scenario; empty where absent or not applicable"),
    ("delta", "health: scenario minus base score; bottlenecks: base minus scenario rank"),
    (
        "change",
        "health: better, worse, same, n/a; bottlenecks: higher, lower, added, "
        "removed, same; impact: closer, further, added, removed, same",
    ),
    (
        "detail",
        "health: offenders resolved and introduced; bottlenecks: scores and streams; "
        "impact: the explaining path (the scenario's, else the base's)",
    ),
)

LEGEND: Legend = (
    ("Base", "the model as it is."),
    ("Scenario", "the model with the scenario's operations applied (in memory only)."),
    ("Resolved / introduced", "offending elements only in the base / only in the scenario."),
    (
        "Rank change",
        "higher: a bigger bottleneck in the scenario; added / removed: ranked on one side only.",
    ),
    (
        "Impact change",
        "closer / further: the change reaches the stream in fewer / more hops; added / "
        "removed: reached in the scenario only / in the base only.",
    ),
)


def asked(
    result: sc.ScenarioComparison,
    *,
    max_depth: int,
    limit: int,
    max_streams_per_team: int,
    overrides: Sequence[str] | None,
) -> list[tuple[str, str]]:
    v = result.scenario
    rows = [
        ("Question", "what the scenario changes: health, bottlenecks and impact"),
        ("Scenario", f"{md(v.name)} ({v.status.value})"),
        ("Impact of", ref_text(result.impact.element) if result.impact else "not asked"),
        ("Depth", f"at most {max_depth} hop(s)"),
        ("Bottlenecks", f"rows ranked within the top {limit} on either side"),
        ("Overloaded", f"teams serving more than {max_streams_per_team} value stream(s)"),
        ("Propagation overrides", propagation_asked(overrides)),
    ]
    return rows


def _arrow(base: str, scenario: str) -> str:
    return f"{base} → {scenario}"


def _health_change(delta: float | None) -> str:
    if delta is None:
        return "n/a"
    return "better" if delta > 0 else "worse" if delta < 0 else "same"


def findings(result: sc.ScenarioComparison) -> list[str]:
    v = result.scenario
    ops = "\n".join(f"{o.index}. {md(o.text)}" for o in v.operations) or "No operations."
    scenario = "## The scenario\n\n" + (md(v.description) + "\n\n" if v.description else "")
    scenario += ops + (f"\n\n**No longer applies**: {md(v.problem)}" if v.problem else "")
    h = result.health
    health = md_table(
        ["Check", "Base", "Scenario", "Change", "Resolved", "Introduced"],
        [
            [
                md(c.title),
                number(c.base_score),
                number(c.scenario_score),
                _health_change(c.score_delta),
                ", ".join(md(r.name) for r in c.resolved),
                ", ".join(md(r.name) for r in c.introduced),
            ]
            for c in h.checks
        ],
    )
    overall = (
        f"Overall score {_arrow(number(h.base_score), number(h.scenario_score))} "
        f"({_health_change(h.score_delta)})."
    )
    b = result.ranked()
    bottlenecks = md_table(
        ["Element", "Type", "Rank", "Score", "Streams", "Change"],
        [
            [
                md(r.element.name),
                r.element.type,
                _arrow(number(r.base_rank, "-"), number(r.scenario_rank, "-")),
                _arrow(number(r.base_score, "-"), number(r.scenario_score, "-")),
                _arrow(number(r.base_stream_count, "-"), number(r.scenario_stream_count, "-")),
                r.change.value,
            ]
            for r in b.rows
        ],
    )
    blocks = [
        scenario,
        f"## Health\n\n{overall}\n\n{health}",
        f"## Bottlenecks\n\nValue streams {_arrow(str(b.base_stream_total), str(b.scenario_stream_total))}; "
        f"rows ranked within the top {b.limit} on either side.\n\n"
        + (bottlenecks if b.rows else "None."),
    ]
    if result.impact is not None:
        i = result.impact
        where = ("" if i.in_base else " It is not in the base.") + (
            "" if i.in_scenario else " It is not in the scenario."
        )
        streams = md_table(
            ["Value stream", "Base", "Scenario", "Change", "Explaining path"],
            [
                [
                    md(d.element.name),
                    number(d.base_distance, "-"),
                    number(d.scenario_distance, "-"),
                    d.change.value,
                    md_code(d.scenario_path or d.base_path),
                ]
                for d in i.streams
            ],
        )
        blocks.append(
            f"## Impact of {md(i.element.name)}\n\n"
            f"Value streams reached {_arrow(str(i.base_stream_count), str(i.scenario_stream_count))}; "
            f"elements reached {_arrow(str(i.base_affected_count), str(i.scenario_affected_count))}."
            f"{where}\n\n" + (streams if i.streams else "No value stream reached on either side.")
        )
    return blocks


def to_markdown(result: sc.ScenarioComparison, header: Header) -> str:
    return markdown(header, LEGEND, findings(result))


def rows(result: sc.ScenarioComparison) -> list[Sequence[Cell]]:
    h = result.health
    out: list[Sequence[Cell]] = [
        [
            "health",
            "score",
            "Overall score",
            None,
            h.base_score,
            h.scenario_score,
            h.score_delta,
            _health_change(h.score_delta),
            None,
        ]
    ]
    for c in h.checks:
        detail = "; ".join(
            f"{label}: {', '.join(r.name for r in refs)}"
            for label, refs in (("resolved", c.resolved), ("introduced", c.introduced))
            if refs
        )
        out.append(
            [
                "health",
                c.id,
                c.title,
                "check",
                c.base_score,
                c.scenario_score,
                c.score_delta,
                _health_change(c.score_delta),
                detail,
            ]
        )
    for r in result.ranked().rows:
        detail = (
            f"score {_arrow(number(r.base_score, '-'), number(r.scenario_score, '-'))}; "
            f"streams {_arrow(number(r.base_stream_count, '-'), number(r.scenario_stream_count, '-'))}"
        )
        out.append(
            [
                "bottlenecks",
                r.element.id,
                r.element.name,
                r.element.type,
                r.base_rank,
                r.scenario_rank,
                r.rank_change,
                r.change.value,
                detail,
            ]
        )
    if result.impact is not None:
        for d in result.impact.streams:
            out.append(
                [
                    "impact",
                    d.element.id,
                    d.element.name,
                    d.element.type,
                    d.base_distance,
                    d.scenario_distance,
                    None,
                    d.change.value,
                    d.scenario_path or d.base_path,
                ]
            )
    return out


def to_csv(result: sc.ScenarioComparison) -> str:
    return csv_table([name for name, _ in COLUMNS], rows(result))
