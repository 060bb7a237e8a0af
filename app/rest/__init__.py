"""The REST surface: one router per part of the API, joined by `app.main`.

`health` (open to probes), `elements` (schema, counts, nodes and relationships), `questions`
(impact, depends-on, path, bottlenecks, health, scenarios), `reports` (the same as Markdown
and CSV downloads), `imports` (upload, runs, export), `history` (the change history), `trends`
(measures, investment to outcome, the roadmap), `views` (the explorer's saved views) and
`admin` (tokens, audit). Failures are answered from the shared table in `app.core.errors`;
routes only parse their parameters and call `graph/`, `queries/` and `importers/`.
"""

from app.rest import (
    admin,
    elements,
    health,
    history,
    imports,
    questions,
    reports,
    trends,
    views,
)

ROUTERS = (
    elements.router,
    questions.router,
    reports.router,
    imports.router,
    history.router,
    trends.router,
    views.router,
    admin.router,
)

__all__ = [
    "ROUTERS",
    "admin",
    "elements",
    "health",
    "history",
    "imports",
    "questions",
    "reports",
    "trends",
    "views",
]
