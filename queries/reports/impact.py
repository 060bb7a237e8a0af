"""The impact report: what a change to an element affects, and who to notify, ranked.

Markdown: a summary, who to notify (accountable owners of affected value streams first,
then owning teams; each nearest first, then by name), and the affected elements by kind
with their explaining paths. CSV: one row per affected element (`COLUMNS`).
"""

from __future__ import annotations

from collections.abc import Sequence

from queries import impact as im
from queries.reports.document import Header, Legend, markdown, propagation_asked
from queries.reports.text import Cell, csv_table, md, md_code, md_table
from queries.resolve import ElementRef

TITLE = "Impact of a change"

COLUMNS: tuple[tuple[str, str], ...] = (
    ("distance", "hops from the changed element"),
    ("element_id", "the affected element's id"),
    ("element_name", "its name"),
    ("element_type", "its type (ValueStream, Capability, Platform, DataAsset, Stage, ...)"),
    ("streams", "affected value streams whose explaining path runs through it (or itself), '; '"),
    ("notify", "who answers for it: people accountable for it, teams owning it, '; '"),
    ("path", "its explaining path from the changed element"),
)

LEGEND: Legend = (
    ("Distance", "hops from the changed element along relationships that carry a change."),
    (
        "Explaining path",
        "one shortest way the change travels, left to right. `A -[USES]-> B` is a "
        "relationship stored as A USES B; `A <-[USES]- B` one stored as B USES A.",
    ),
    (
        "Propagation",
        "which relationship types carry a change, and which way: the table in force "
        "(`GET /api/propagation`) with the overrides asked for.",
    ),
    ("Accountable owner", "a person `ACCOUNTABLE_FOR` an affected value stream."),
    ("Owning team", "a team that `OWNS` the changed element or an affected one."),
    (
        "Who to notify",
        "accountable owners first, then owning teams; within each, whoever the change "
        "comes nearest to first (the distance of the nearest element they answer for), "
        "then by name.",
    ),
)

_KINDS: tuple[tuple[im.Category, str], ...] = (
    ("streams", "Affected value streams"),
    ("capabilities", "Affected capabilities"),
    ("platforms", "Affected platforms"),
    ("data_assets", "Affected data assets"),
    ("other", "Other affected elements"),
)


def ref_text(ref: ElementRef) -> str:
    """An element in Markdown: its name, type and id."""
    return f"{md(ref.name)} ({ref.type}, {md_code(ref.id)})"


def asked(result: im.ImpactResult, walk: im.WalkOptions) -> list[tuple[str, str]]:
    return [
        ("Question", "what a change to the element affects, and who to notify"),
        ("Element", ref_text(result.element)),
        ("Direction", "the way a change travels: from the element to what depends on it"),
        ("Depth", f"at most {result.max_depth} hop(s)"),
        (
            "Relationship types",
            ", ".join(md_code(t) for t in walk.rel_types)
            if walk.rel_types
            else "every type that carries a change",
        ),
        ("Propagation overrides", propagation_asked(walk.overrides)),
    ]


def _role(n: im.Notice) -> str:
    return "accountable owner" if n.element.type != "Team" else "owning team"


def findings(result: im.ImpactResult) -> list[str]:
    c = result.counts
    kinds = (
        f"{c.streams} value stream(s), {c.capabilities} capability(ies), {c.platforms} "
        f"platform(s), {c.data_assets} data asset(s) and {c.other} other element(s)"
    )
    summary = (
        f"A change to **{md(result.element.name)}** reaches {c.affected} element(s) within "
        f"{result.max_depth} hop(s): {kinds}. To notify: {c.people_to_notify} accountable "
        f"owner(s) and {c.teams_to_notify} team(s)."
    )
    ranked = result.who_to_notify()
    notify = (
        md_table(
            ["Rank", "Distance", "Who", "Type", "Role", "About"],
            [
                [
                    str(i),
                    str(n.distance),
                    md(n.element.name),
                    n.element.type,
                    _role(n),
                    ", ".join(md(a.name) for a in n.about),
                ]
                for i, n in enumerate(ranked, start=1)
            ],
            right=2,
        )
        if ranked
        else "Nobody: no team owns, and no person answers for, anything the change reaches."
    )
    blocks = ["## Summary\n\n" + summary, "## Who to notify\n\n" + notify]
    for category, title in _KINDS:
        items: list[im.Affected] = getattr(result, category)
        body = (
            md_table(
                ["Distance", "Element", "Type", "Id", "Explaining path"],
                [
                    [
                        str(a.distance),
                        md(a.element.name),
                        a.element.type,
                        md_code(a.element.id),
                        md_code(a.path_text),
                    ]
                    for a in items
                ],
                right=1,
            )
            if items
            else "None."
        )
        blocks.append(f"## {title} ({len(items)})\n\n{body}")
    return blocks


def to_markdown(result: im.ImpactResult, header: Header) -> str:
    return markdown(header, LEGEND, findings(result))


def _streams_through(result: im.ImpactResult) -> dict[str, list[str]]:
    """Element id -> the affected streams whose explaining path runs through it."""
    through: dict[str, list[str]] = {}
    for s in result.streams:
        for step in s.path:
            through.setdefault(step.to_element.id, []).append(s.element.name)
    return through


def _answering(result: im.ImpactResult) -> dict[str, list[str]]:
    """Element id -> who answers for it, in the order of `who_to_notify`."""
    who: dict[str, list[str]] = {}
    for n in result.who_to_notify():
        for a in n.about:
            who.setdefault(a.id, []).append(n.element.name)
    return who


def rows(result: im.ImpactResult) -> list[Sequence[Cell]]:
    through, who = _streams_through(result), _answering(result)
    return [
        [
            a.distance,
            a.element.id,
            a.element.name,
            a.element.type,
            "; ".join(through.get(a.element.id, [])),
            "; ".join(who.get(a.element.id, [])),
            a.path_text,
        ]
        for a in result.affected
    ]


def to_csv(result: im.ImpactResult) -> str:
    return csv_table([name for name, _ in COLUMNS], rows(result))
