"""Each question asked and rendered as a report: the one call the CLI and REST make, so both
hand over the same bytes for the same question (the time aside, see
`document.generated_at`). Impact may walk another reader than the store (REST walks the live
index); what the report says of the model is read from the store."""

from __future__ import annotations

from datetime import date, datetime

from graph.store import GraphStore
from queries import bottlenecks as bn
from queries import health as hl
from queries import impact as im
from queries import investment as iv
from queries import roadmap as rm
from queries import scenarios as sc
from queries.reports import bottlenecks as bottleneck_doc
from queries.reports import comparison as comparison_doc
from queries.reports import health as health_doc
from queries.reports import impact as impact_doc
from queries.reports import investment as investment_doc
from queries.reports import roadmap as roadmap_doc
from queries.reports.document import Header, Report, ReportFormat, file_name, generated_at
from queries.reports.model import model_summary


def _header(store: GraphStore, title: str, asked: list[tuple[str, str]], at: datetime) -> Header:
    return Header(title=title, generated_at=at, model=model_summary(store), asked=asked)


def impact_report(
    store: GraphStore,
    element: str,
    walk: im.WalkOptions,
    fmt: ReportFormat,
    *,
    reader: im.ImpactReader | None = None,
    at: datetime | None = None,
) -> Report:
    """What a change to ELEMENT affects, and who to notify: the whole answer, unpaged."""
    at = at or generated_at()
    result = im.walk_impact(store if reader is None else reader, element, walk).result()
    name = file_name("impact", result.element.id, at=at)
    if fmt is ReportFormat.CSV:
        return Report(name, fmt, impact_doc.to_csv(result))
    title = f"{impact_doc.TITLE}: {result.element.name}"
    header = _header(store, title, impact_doc.asked(result, walk), at)
    return Report(name, fmt, impact_doc.to_markdown(result, header))


def bottlenecks_report(
    store: GraphStore,
    fmt: ReportFormat,
    *,
    limit: int = 20,
    config: bn.BottleneckConfig | None = None,
    overrides: list[str] | None = None,
    at: datetime | None = None,
) -> Report:
    """Teams and platforms ranked by coordination load, and where they cluster."""
    at = at or generated_at()
    report = bn.bottlenecks(store, limit=limit, config=config, overrides=overrides)
    name = file_name("bottlenecks", at=at)
    if fmt is ReportFormat.CSV:
        return Report(name, fmt, bottleneck_doc.to_csv(report))
    header = _header(
        store, bottleneck_doc.TITLE, bottleneck_doc.asked(report, limit, overrides), at
    )
    return Report(name, fmt, bottleneck_doc.to_markdown(report, header))


def health_report(
    store: GraphStore,
    fmt: ReportFormat,
    *,
    max_streams_per_team: int = hl.DEFAULT_MAX_STREAMS_PER_TEAM,
    overrides: list[str] | None = None,
    at: datetime | None = None,
    today: date | None = None,
) -> Report:
    """Each operating-model health check with its score and offending elements; lifecycle
    dates read against `today`, by default the day the report is made."""
    at = at or generated_at()
    report = hl.health(
        store,
        max_streams_per_team=max_streams_per_team,
        overrides=overrides,
        today=today or at.date(),
    )
    name = file_name("health", at=at)
    if fmt is ReportFormat.CSV:
        return Report(name, fmt, health_doc.to_csv(report))
    header = _header(store, health_doc.TITLE, health_doc.asked(report, overrides), at)
    return Report(name, fmt, health_doc.to_markdown(report, header))


def comparison_report(
    store: GraphStore,
    scenario: str,
    fmt: ReportFormat,
    *,
    element: str | None = None,
    max_depth: int = im.DEFAULT_MAX_DEPTH,
    limit: int = 20,
    max_streams_per_team: int = hl.DEFAULT_MAX_STREAMS_PER_TEAM,
    overrides: list[str] | None = None,
    at: datetime | None = None,
) -> Report:
    """Health, bottlenecks and (of ELEMENT) impact: the base model and the scenario."""
    at = at or generated_at()
    result = sc.compare_scenario(
        store,
        scenario,
        element=element,
        max_depth=max_depth,
        limit=limit,
        max_streams_per_team=max_streams_per_team,
        overrides=overrides,
        today=at.date(),
    )
    about = ("impact", result.impact.element.id) if result.impact else ()
    name = file_name("scenario", result.scenario.name, *about, at=at)
    if fmt is ReportFormat.CSV:
        return Report(name, fmt, comparison_doc.to_csv(result))
    asked = comparison_doc.asked(
        result,
        max_depth=max_depth,
        limit=limit,
        max_streams_per_team=max_streams_per_team,
        overrides=overrides,
    )
    title = f"{comparison_doc.TITLE}: {result.scenario.name}"
    return Report(name, fmt, comparison_doc.to_markdown(result, _header(store, title, asked, at)))


def roadmap_report(
    store: GraphStore,
    fmt: ReportFormat,
    *,
    element: str | None = None,
    max_depth: int = im.DEFAULT_MAX_DEPTH,
    limit: int = 10,
    max_streams_per_team: int = hl.DEFAULT_MAX_STREAMS_PER_TEAM,
    overrides: list[str] | None = None,
    at: datetime | None = None,
) -> Report:
    """Each plateau of the roadmap, compared with the one before."""
    at = at or generated_at()
    result = rm.roadmap(
        store,
        element=element,
        max_depth=max_depth,
        limit=limit,
        max_streams_per_team=max_streams_per_team,
        overrides=overrides,
        today=at.date(),
    )
    about = ("impact", result.element.id) if result.element else ()
    name = file_name("roadmap", *about, at=at)
    if fmt is ReportFormat.CSV:
        return Report(name, fmt, roadmap_doc.to_csv(result))
    header = _header(store, roadmap_doc.TITLE, roadmap_doc.asked(result), at)
    return Report(name, fmt, roadmap_doc.to_markdown(result, header))


def investment_report(
    store: GraphStore, stream: str, fmt: ReportFormat, *, at: datetime | None = None
) -> Report:
    """A value stream's funding over time beside its measures' trends."""
    at = at or generated_at()
    view = iv.investment_view(store, stream)
    name = file_name("investment", view.stream.id, at=at)
    if fmt is ReportFormat.CSV:
        return Report(name, fmt, investment_doc.to_csv(view))
    title = f"{investment_doc.TITLE}: {view.stream.name}"
    header = _header(store, title, investment_doc.asked(view), at)
    return Report(name, fmt, investment_doc.to_markdown(view, header))
