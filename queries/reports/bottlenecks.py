"""The bottlenecks report: teams and platforms ranked by coordination load, and the stream
clusters they bind. CSV: one row per ranked element (`COLUMNS`)."""

from __future__ import annotations

from collections.abc import Sequence

from queries import bottlenecks as bn
from queries.reports.document import Header, Legend, markdown, propagation_asked
from queries.reports.text import Cell, csv_table, md, md_code, md_table, number

TITLE = "Coordination bottlenecks"

COLUMNS: tuple[tuple[str, str], ...] = (
    ("rank", "1 is the biggest bottleneck"),
    ("element_id", "the team's or platform's id"),
    ("element_name", "its name"),
    ("element_type", "Team or Platform"),
    ("score", "0 to 100, by the formula in the Markdown report's legend"),
    ("streams", "value streams depending on it within the horizon (k)"),
    ("stream_total", "value streams in the model"),
    ("blast_radius", "value streams depending on it at any distance"),
    ("stream_pairs", "pairs of dependent streams that must coordinate its changes, k(k-1)/2"),
    ("proximity", "dependent streams weighted by closeness, over the streams in the model"),
    ("betweenness", "share of shortest dependency paths running through it"),
    ("dependents", "elements a change to it reaches; only when the model has no streams"),
    ("team_type", "teams: their Team Topologies type"),
    ("capacity", "teams: their capacity in FTE"),
    ("guideline", "teams: streams a team of that type and capacity can serve"),
    ("load", "teams: streams served over the guideline"),
    ("overloaded", "teams: true when load is over 1"),
    ("explanation", "why it ranks where it does"),
)


def legend(report: bn.BottleneckReport) -> Legend:
    return (
        ("Score", f"0 to 100: {md_code(report.formula)}."),
        (
            "Streams (k)",
            f"value streams depending on it within {report.horizon} hop(s) of the "
            "dependency graph; a hop from a part to its whole (stage to stream) is free.",
        ),
        ("Blast radius", "value streams depending on it at any distance."),
        ("Stream pairs", "pairs of dependent streams that must coordinate each of its changes."),
        ("Betweenness", "the share of shortest dependency paths running through it."),
        (
            "Load",
            "for a team, streams served over a guideline for its type scaled by its capacity; "
            "over 1 is overloaded.",
        ),
        (
            "Cluster",
            "value streams joined by the teams and platforms they share directly; its "
            "couplings are (stream pair, shared element) pairs inside it.",
        ),
        (
            "Ranked by",
            "value streams; on a model without them, the elements depending on each "
            f"(now: {md(report.ranked_by)}).",
        ),
    )


def asked(
    report: bn.BottleneckReport, limit: int, overrides: Sequence[str] | None
) -> list[tuple[str, str]]:
    return [
        ("Question", "which teams and platforms are coordination bottlenecks, and where"),
        ("Ranked", f"the top {limit} teams and platforms"),
        ("Horizon", f"{report.horizon} hop(s)"),
        ("Seed", f"{report.seed} (community detection, sampled betweenness)"),
        ("Propagation overrides", propagation_asked(overrides)),
    ]


def _load(b: bn.Bottleneck) -> str:
    if b.team is None:
        return ""
    return f"{b.team.load:.2f}" + (" (overloaded)" if b.team.overloaded else "")


def findings(report: bn.BottleneckReport) -> list[str]:
    by_streams = report.ranked_by == bn.RANKED_BY_STREAMS
    reach = "Streams" if by_streams else "Dependents"
    ranking = md_table(
        ["Rank", "Score", "Element", "Type", reach, "Stream pairs", "Betweenness", "Team load"],
        [
            [
                str(b.rank),
                number(b.score),
                md(b.element.name),
                b.element.type,
                f"{b.stream_count}/{report.stream_total}" if by_streams else str(b.dependents),
                str(b.cross_stream_pairs),
                f"{b.betweenness:.3f}",
                _load(b),
            ]
            for b in report.bottlenecks
        ],
        right=2,
    )
    why = "\n".join(
        f"{b.rank}. **{md(b.element.name)}** ({md_code(b.element.id)}): {md(b.explanation)}"
        for b in report.bottlenecks
    )
    clusters = (
        md_table(
            ["Cluster", "Value streams", "Bound by", "Couplings inside", "To other clusters"],
            [
                [
                    c.id,
                    ", ".join(md(s.name) for s in c.streams),
                    ", ".join(f"{md(s.element.name)} ({s.streams_in_cluster})" for s in c.binding),
                    str(c.internal_load),
                    str(c.external_load),
                ]
                for c in report.clusters
            ],
        )
        if report.clusters
        else "No value streams to cluster."
    )
    return [
        f"## Ranking ({len(report.bottlenecks)})\n\n"
        + (ranking if report.bottlenecks else "None."),
        "## Why each ranks where it does\n\n" + (why or "Nothing ranked."),
        "## Where they cluster\n\n" + clusters,
    ]


def to_markdown(report: bn.BottleneckReport, header: Header) -> str:
    return markdown(header, legend(report), findings(report))


def rows(report: bn.BottleneckReport) -> list[Sequence[Cell]]:
    return [
        [
            b.rank,
            b.element.id,
            b.element.name,
            b.element.type,
            b.score,
            b.stream_count,
            report.stream_total,
            b.blast_radius,
            b.cross_stream_pairs,
            b.proximity,
            b.betweenness,
            b.dependents,
            b.team.team_type if b.team else None,
            b.team.capacity if b.team else None,
            b.team.guideline if b.team else None,
            b.team.load if b.team else None,
            b.team.overloaded if b.team else None,
            b.explanation,
        ]
        for b in report.bottlenecks
    ]


def to_csv(report: bn.BottleneckReport) -> str:
    return csv_table([name for name, _ in COLUMNS], rows(report))
