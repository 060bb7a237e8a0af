"""REST routes for reports to hand over: impact, bottlenecks, health and a scenario
comparison as a Markdown or CSV download (`format=md|csv`), with the same parameters,
admission and time limits as the questions they report on (`app.rest.questions`).

Each route asks `queries.reports.questions`, which the CLI's `--format` asks too, so both
hand over the same bytes. Reports are whole answers, never paged.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from app.core.limits import ADVICE
from app.deps import GateDep, LiveDep, StoreDep
from app.rest.questions import (
    Depth,
    Horizon,
    ImpactOf,
    MaxStreamsPerTeam,
    Overrides,
    RankLimit,
    ScenarioName,
    Walk,
)
from queries import bottlenecks as bn
from queries import health as hl
from queries import impact as im
from queries.reports import questions as reports
from queries.reports.document import MEDIA_TYPES, Report, ReportFormat

router = APIRouter(tags=["reports"])

Format = Annotated[
    ReportFormat,
    Query(
        description="md: Markdown (title, date, model, what was asked, legend, findings); "
        "csv: one table, its columns listed in docs/questions.md."
    ),
]

DOWNLOAD: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report, as an attachment (Content-Disposition names the file).",
        "content": {t.split(";")[0]: {"schema": {"type": "string"}} for t in MEDIA_TYPES.values()},
    }
}


def download(report: Report) -> Response:
    return Response(
        report.text,
        media_type=report.media_type,
        headers={"Content-Disposition": f'attachment; filename="{report.filename}"'},
    )


@router.get("/api/reports/impact/{element:path}", response_class=Response, responses=DOWNLOAD)
def impact_report(
    gate: GateDep,
    store: StoreDep,
    live: LiveDep,
    element: str,
    walk: Walk,
    format: Format = ReportFormat.MD,
) -> Response:
    """What a change to the element affects and who to notify, ranked: the whole answer."""
    with gate.admit(ADVICE["walk"]):
        return download(reports.impact_report(store, element, walk, format, reader=live.reader()))


@router.get("/api/reports/bottlenecks", response_class=Response, responses=DOWNLOAD)
def bottlenecks_report(
    gate: GateDep,
    store: StoreDep,
    limit: RankLimit = 20,
    seed: int = bn.DEFAULT_SEED,
    horizon: Horizon = 2,
    propagation: Overrides = None,
    format: Format = ReportFormat.MD,
) -> Response:
    """Teams and platforms ranked by coordination load, and the stream clusters they bind."""
    config = bn.BottleneckConfig(seed=seed, horizon=horizon)
    return download(
        gate.run(
            ADVICE["bottlenecks"],
            reports.bottlenecks_report,
            store,
            format,
            limit=limit,
            config=config,
            overrides=propagation,
        )
    )


@router.get("/api/reports/health", response_class=Response, responses=DOWNLOAD)
def health_report(
    gate: GateDep,
    store: StoreDep,
    max_streams_per_team: MaxStreamsPerTeam = hl.DEFAULT_MAX_STREAMS_PER_TEAM,
    propagation: Overrides = None,
    format: Format = ReportFormat.MD,
) -> Response:
    """Operating-model health checks with their scores and offending elements."""
    return download(
        gate.run(
            ADVICE["health"],
            reports.health_report,
            store,
            format,
            max_streams_per_team=max_streams_per_team,
            overrides=propagation,
        )
    )


@router.get(
    "/api/reports/scenarios/{name}/compare",
    response_class=Response,
    responses=DOWNLOAD,
    tags=["scenarios"],
)
def comparison_report(
    gate: GateDep,
    store: StoreDep,
    name: ScenarioName,
    element: ImpactOf = None,
    max_depth: Depth = im.DEFAULT_MAX_DEPTH,
    limit: RankLimit = 20,
    max_streams_per_team: MaxStreamsPerTeam = hl.DEFAULT_MAX_STREAMS_PER_TEAM,
    propagation: Overrides = None,
    format: Format = ReportFormat.MD,
) -> Response:
    """Health, bottlenecks and (of `element`) impact: base and scenario side by side."""
    return download(
        gate.run(
            ADVICE["scenario"],
            reports.comparison_report,
            store,
            name,
            format,
            element=element,
            max_depth=max_depth,
            limit=limit,
            max_streams_per_team=max_streams_per_team,
            overrides=propagation,
        )
    )
