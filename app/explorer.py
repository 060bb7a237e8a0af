"""The web explorer's page: the built `index.html`, with the overview's answers in it.

A bare address opens the overview, whose first answer (`OverviewFirst`: the counts, the
value streams' names, the latest imports) the explorer would otherwise ask for once its
bundle has loaded. Served with that answer embedded (a `<script type="application/json"
id="first-answer">` the explorer reads instead of asking) and the overview's lead sentence
already drawn, the page's first meaningful paint needs no round trip after the HTML. The
overview's other answers (the stream map, what it shows of the health report and of the
ranking) are embedded too when they are kept (`id="overview-answers"`, by operation name):
the page never waits for one to be computed, and the explorer asks for those missing.

One truth: the embedded answers are the explorer's own operations (`app.graphql.kept`,
held equal to frontend/src/operations/overview.graphql by tests/test_explorer_page.py) run
through the GraphQL schema, kept per model revision. The lead sentence is
`summary_sentence`, the explorer's `summarySentence` in Python (both are tested on the same
cases, tests/data/summary_sentences.json).

With authentication on, nothing of the model is embedded: the browser asks for the page
without a token (the explorer keeps it in session storage and sends it with API calls
only), so the page cannot know what the caller may see.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from app.auth import LOCAL_DEVELOPER
from app.graphql.kept import BY_NAME, OPERATIONS, kept_answer, kept_answers
from graph.store import GraphStore

log = logging.getLogger(__name__)

FIRST_ANSWER = "OverviewFirst"
# What the page embeds beside the first answer, when kept (never computed for the page).
LATER_ANSWERS = ("Overview", "OverviewHealth", "OverviewBottlenecks")


class FirstAnswerFailed(Exception):
    """The operation answered with errors (the page is then served without it)."""


def overview_answer(app: FastAPI, name: str) -> dict[str, Any]:
    """The answer to the overview's operation `name` at the present revision, computed once
    per revision (`app.graphql.kept`: served kept, or run and kept). Blocking (call it from
    a thread): it runs the operation on an event loop of its own."""
    kept = kept_answer(app.state.store, name)
    if kept is not None:
        return kept
    from app.graphql.context import Context  # the schema imports the app's resolvers
    from app.graphql.schema import schema

    state = app.state
    op = BY_NAME[name]
    context = Context(state.store, state.settings, LOCAL_DEVELOPER, state.live, state.gate)
    result = asyncio.run(schema.execute(op.document, dict(op.variables), context_value=context))
    if result.errors or result.data is None:
        raise FirstAnswerFailed("; ".join(e.message for e in result.errors or []))
    return dict(result.data)


def first_answer(app: FastAPI) -> dict[str, Any]:
    """The overview's first answer at the present revision, computed once per revision
    (the page waits for it: it is cheap, and drawn first)."""
    return overview_answer(app, FIRST_ANSWER)


def warm_overview(app: FastAPI) -> None:
    """Every answer of the overview kept for the present revision (a step of the answer
    warmer, after the health report and the ranking it reads from)."""
    for op in OPERATIONS:
        overview_answer(app, op.name)


def later_answers(store: GraphStore) -> dict[str, Any]:
    """The overview's other answers, by operation, those kept at the present revision."""
    return kept_answers(store, LATER_ANSWERS)


def _plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def summary_sentence(stats: Mapping[str, Any]) -> str:
    """The model in one sentence, from the counts (the explorer's `summarySentence`)."""
    nodes: Mapping[str, int] = stats.get("nodes") or {}
    rels: Mapping[str, int] = stats.get("relationships") or {}
    elements, relationships = sum(nodes.values()), sum(rels.values())
    if not elements:
        return "The model is empty: import a file or load the demo to see its overview."
    every = (
        f"{_plural(elements, 'element', 'elements')} and "
        f"{_plural(relationships, 'relationship', 'relationships')} in all"
    )
    beneath = [
        _plural(nodes.get("Capability", 0), "capability", "capabilities"),
        _plural(nodes.get("Platform", 0), "platform", "platforms"),
        _plural(nodes.get("Team", 0), "team", "teams"),
    ]
    rest = f"{', '.join(beneath[:-1])} and {beneath[-1]}"
    streams = nodes.get("ValueStream", 0)
    if streams:
        return (
            f"{_plural(streams, 'value stream', 'value streams')} in "
            f"{_plural(nodes.get('Stage', 0), 'stage', 'stages')} rest on {rest}: {every}."
        )
    return f"No value streams yet; {rest}: {every}."


def json_in_script(data: Any) -> str:
    """`data` as JSON that can sit inside a `<script>` element: `<`, `>` and `&` (only ever
    inside JSON strings) written as escapes, so no name can close the element or open a
    comment; the line separators JavaScript once refused likewise."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text


# The markup of the built index.html the overview is drawn into (frontend/index.html).
GRAPH_PAGE = '<main id="page-graph" class="graph-page">'
OVERVIEW_PAGE = '<main id="page-overview" class="page page-wide" hidden></main>'
GRAPH_LINK = 'data-page="graph" aria-current="page"'
OVERVIEW_LINK = 'data-page="overview"'
BODY_END = "</body>"


# The JSON of the answers last embedded, by the kept answer object (the same object for as
# long as its revision is present): on a large model the health report's findings are
# hundreds of kilobytes, written once rather than for every page served.
_RENDERED: OrderedDict[int, tuple[Any, str]] = OrderedDict()
_RENDERED_MAX = 8
_RENDERED_LOCK = threading.Lock()


def _json_of(answer: Any) -> str:
    with _RENDERED_LOCK:
        hit = _RENDERED.get(id(answer))
        if hit is not None and hit[0] is answer:
            return hit[1]
    text = json_in_script(answer)
    with _RENDERED_LOCK:
        _RENDERED[id(answer)] = (answer, text)
        while len(_RENDERED) > _RENDERED_MAX:
            _RENDERED.popitem(last=False)
    return text


def page_with(
    template: str, answer: Mapping[str, Any], later: Mapping[str, Any] | None = None
) -> str:
    """The explorer's page with `answer` (and the `later` answers, by operation) embedded
    and, when the page's markup is as expected, the overview shown with its lead sentence
    (the explorer replaces it)."""
    page = template  # the markup changed before the answers are in it: a few kilobytes
    if all(page.count(m) == 1 for m in (GRAPH_PAGE, OVERVIEW_PAGE, GRAPH_LINK)):
        lead = html.escape(summary_sentence(answer.get("stats") or {}))
        drawn = (
            '<main id="page-overview" class="page page-wide">'
            '<div class="overview" id="overview" aria-busy="true">'
            "<h1>The operating model at a glance</h1>"
            f'<p class="ov-lead" id="overview-lead">{lead}</p></div></main>'
        )
        page = (
            page.replace(GRAPH_PAGE, GRAPH_PAGE.replace(">", " hidden>"))
            .replace(OVERVIEW_PAGE, drawn)
            .replace(GRAPH_LINK, 'data-page="graph"')
            .replace(f"{OVERVIEW_LINK}>", f'{OVERVIEW_LINK} aria-current="page">', 1)
        )
    embedded = f'<script type="application/json" id="first-answer">{_json_of(answer)}</script>\n'
    if later:
        by_name = ",".join(f"{json.dumps(name)}:{_json_of(a)}" for name, a in later.items())
        embedded += (
            f'<script type="application/json" id="overview-answers">{{{by_name}}}</script>\n'
        )
    return page.replace(BODY_END, embedded + BODY_END, 1)


class _Template:
    """index.html as built, read again when a new build replaces it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._text = ""

    def text(self) -> str:
        stat = self.path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            self._text, self._stamp = self.path.read_text(encoding="utf-8"), stamp
        return self._text


def mount_explorer(app: FastAPI, dist: Path) -> None:
    """Serve the built explorer at / (same origin as the API); a bare address with the
    overview's first answer in it (`page_with`) when authentication is off."""
    template = _Template(dist / "index.html")

    async def index(request: Request) -> Response:
        text = template.text()
        if request.url.query or app.state.settings.auth_enabled:
            return HTMLResponse(text, headers={"cache-control": "no-cache"})
        try:
            answer = await asyncio.to_thread(first_answer, app)
            later = await asyncio.to_thread(later_answers, app.state.store)
        except Exception as exc:  # Neo4j away: the explorer asks (and reports) itself
            log.info("explorer page served without its first answer (%s)", exc)
        else:
            text = page_with(text, answer, later)
        # The answer changes with the model: never from a cache without asking.
        return HTMLResponse(text, headers={"cache-control": "no-cache"})

    app.add_api_route("/", index, methods=["GET", "HEAD"], include_in_schema=False)
    app.add_api_route("/index.html", index, methods=["GET", "HEAD"], include_in_schema=False)
    app.mount("/", StaticFiles(directory=dist, html=True), name="explorer")
