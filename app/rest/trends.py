"""REST routes for the model over time: a value stream's measures and its investment to
outcome (`queries.measures`, `queries.investment`), and the roadmap of plateaus
(`queries.roadmap`), with their reports. Reading them needs the viewer role."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from app.core.limits import ADVICE
from app.deps import GateDep, StoreDep
from app.rest.questions import Depth, ImpactOf, MaxStreamsPerTeam, Overrides, RankLimit
from app.rest.reports import DOWNLOAD, Format, download
from queries import health as hl
from queries import impact as im
from queries import investment as iv
from queries import measures as ms
from queries import roadmap as rm
from queries.reports import questions as reports
from queries.reports.document import ReportFormat

router = APIRouter(tags=["trends"])

StreamId = Annotated[
    str, Path(min_length=1, max_length=500, description="The value stream's id or name.")
]


@router.get("/api/streams/{stream}/measures", response_model=ms.StreamMeasures)
def stream_measures(store: StoreDep, stream: StreamId) -> ms.StreamMeasures:
    """Each measure of the stream: its values over time against target, and the trend."""
    return ms.stream_measures(store, stream)


@router.get("/api/streams/{stream}/investment", response_model=iv.InvestmentView)
def stream_investment(store: StoreDep, stream: StreamId) -> iv.InvestmentView:
    """The stream's funding lines and total over time, beside its measures' trends."""
    return iv.investment_view(store, stream)


@router.get("/api/roadmap", response_model=rm.Roadmap)
def roadmap(
    gate: GateDep,
    store: StoreDep,
    element: ImpactOf = None,
    max_depth: Depth = im.DEFAULT_MAX_DEPTH,
    limit: RankLimit = 10,
    max_streams_per_team: MaxStreamsPerTeam = hl.DEFAULT_MAX_STREAMS_PER_TEAM,
    propagation: Overrides = None,
) -> rm.Roadmap:
    """Today's model, then each effective date with the scenarios due by then applied in
    date order; each step's impact (of `element`), top bottlenecks and health, compared
    with the step before."""
    return gate.run(
        ADVICE["scenario"],
        rm.roadmap,
        store,
        element=element,
        max_depth=max_depth,
        limit=limit,
        max_streams_per_team=max_streams_per_team,
        overrides=propagation,
    )


@router.get("/api/reports/roadmap", response_class=Response, responses=DOWNLOAD, tags=["reports"])
def roadmap_report(
    gate: GateDep,
    store: StoreDep,
    element: ImpactOf = None,
    max_depth: Depth = im.DEFAULT_MAX_DEPTH,
    limit: RankLimit = 10,
    max_streams_per_team: MaxStreamsPerTeam = hl.DEFAULT_MAX_STREAMS_PER_TEAM,
    propagation: Overrides = None,
    format: Format = ReportFormat.MD,
) -> Response:
    """The roadmap as a Markdown or CSV download."""
    return download(
        gate.run(
            ADVICE["scenario"],
            reports.roadmap_report,
            store,
            format,
            element=element,
            max_depth=max_depth,
            limit=limit,
            max_streams_per_team=max_streams_per_team,
            overrides=propagation,
        )
    )


@router.get(
    "/api/reports/streams/{stream}/investment",
    response_class=Response,
    responses=DOWNLOAD,
    tags=["reports"],
)
def investment_report(
    store: StoreDep, stream: StreamId, format: Format = ReportFormat.MD
) -> Response:
    """The stream's investment to outcome as a Markdown or CSV download."""
    return download(reports.investment_report(store, stream, format))
