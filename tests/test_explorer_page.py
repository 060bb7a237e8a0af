"""The explorer's page with the overview's first answer in it (app/explorer.py), on a real
Neo4j: the embedded answer is the GraphQL answer to the explorer's own `OverviewFirst`, the
lead sentence is the explorer's, a hostile element name cannot escape its JSON, and with
authentication on nothing of the model is in the page.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from graphql import parse, print_ast
from graphql.language import DefinitionNode, FragmentDefinitionNode, OperationDefinitionNode

from app.explorer import json_in_script, page_with, summary_sentence
from app.graphql.kept import BY_NAME, OPERATIONS, OVERVIEW_FIRST, kept_answer
from app.main import create_app
from app.settings import Settings
from graph.store import GraphStore
from samples.demo import load_demo
from tests.question_graphs import Graph

ROOT = Path(__file__).resolve().parent.parent
EXPLORER_OPERATIONS = ROOT / "frontend" / "src" / "operations"
SENTENCES = json.loads((Path(__file__).parent / "data" / "summary_sentences.json").read_text())
HOSTILE = "</script><script>window.pwned=1</script><!--<img src=x onerror=alert(1)>\u2028&amp;"


def _definitions(text: str) -> dict[str, DefinitionNode]:
    found: dict[str, DefinitionNode] = {}
    for d in parse(text).definitions:
        if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode) and d.name:
            found[d.name.value] = d
    return found


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
def test_the_kept_operations_are_the_explorers(op: Any) -> None:
    explorer = _definitions(
        (EXPLORER_OPERATIONS / "overview.graphql").read_text()
        + (EXPLORER_OPERATIONS / "fragments.graphql").read_text()
    )
    served = _definitions(op.document)
    assert op.name in served and len(served) == 2  # the operation and the fragment it spreads
    for name, definition in served.items():
        assert print_ast(definition) == print_ast(explorer[name]), name


@pytest.mark.parametrize("case", SENTENCES, ids=lambda c: c["sentence"][:40])
def test_the_lead_sentence_is_the_explorers(case: dict[str, Any]) -> None:
    # frontend/test/overview.test.ts holds `summarySentence` to the same cases.
    assert summary_sentence(case["stats"]) == case["sentence"]


def test_json_in_a_script_element_cannot_close_it() -> None:
    text = json_in_script({"name": HOSTILE, "n": 1})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"name": HOSTILE, "n": 1}


class _Scripts(HTMLParser):
    """The script elements of a page as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._open: dict[str, str | None] | None = None
        self.lead: list[str] = []
        self._in_lead = False
        self.hidden: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script":
            self._open = a
            self.scripts.append((a, ""))
        if a.get("id") == "overview-lead":
            self._in_lead = True
        if tag == "main" and "hidden" in a and a.get("id"):
            self.hidden.add(str(a["id"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._open = None
        if tag == "p":
            self._in_lead = False

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
        if self._in_lead:
            self.lead.append(data)


def _parsed(page: str) -> _Scripts:
    parser = _Scripts()
    parser.feed(page)
    parser.close()
    return parser


@pytest.fixture
def dist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The explorer's index.html as source: the page the server serves is made from it."""
    folder = tmp_path / "dist"
    folder.mkdir()
    shutil.copy(ROOT / "frontend" / "index.html", folder / "index.html")
    monkeypatch.setenv("VALUEGRAPH_EXPLORER_DIST", str(folder))
    return folder


@pytest.fixture
def hostile_model(store: GraphStore) -> GraphStore:
    load_demo(store)
    Graph().node("ValueStream", "vs-hostile", HOSTILE).write(store)
    return store


@pytest.fixture
def served(hostile_model: GraphStore, settings: Settings, dist: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store=hostile_model)) as client:
        yield client


def test_the_page_embeds_the_graphql_answer_and_draws_the_lead(served: TestClient) -> None:
    page = served.get("/")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-cache"
    parsed = _parsed(page.text)
    embedded = [t for a, t in parsed.scripts if a.get("id") == "first-answer"]
    assert len(embedded) == 1
    answer = json.loads(embedded[0])
    asked = served.post("/graphql", json={"query": OVERVIEW_FIRST}).json()
    assert "errors" not in asked
    assert answer == asked["data"]  # one truth: the explorer's own request's answer
    assert HOSTILE in {i["name"] for i in answer["streams"]["items"]}
    # Only the bundle's script and the answer (nothing else kept yet): the name opened no
    # element of its own.
    assert [a.get("type") for a, _ in parsed.scripts] == ["module", "application/json"]
    assert "<script>window.pwned" not in page.text and "<img" not in page.text
    assert "".join(parsed.lead) == summary_sentence(answer["stats"])
    assert "page-graph" in parsed.hidden and "page-overview" not in parsed.hidden
    # Kept per revision: served again without being computed again, equal.
    assert served.get("/index.html").text == page.text


def test_the_page_embeds_the_other_answers_once_kept(
    served: TestClient, hostile_model: GraphStore
) -> None:
    # Nothing kept yet (no warming here): the page holds the first answer only, and does
    # not wait for the others to be computed.
    assert 'id="overview-answers"' not in served.get("/").text
    later = ("Overview", "OverviewHealth", "OverviewBottlenecks")
    asked = {}
    for name in later:
        op = BY_NAME[name]
        answer = served.post(
            "/graphql", json={"query": op.document, "variables": dict(op.variables)}
        ).json()
        assert "errors" not in answer, name
        asked[name] = answer["data"]
        assert kept_answer(hostile_model, name) == answer["data"]  # kept as it was answered
    page = _parsed(served.get("/").text)
    embedded = [t for a, t in page.scripts if a.get("id") == "overview-answers"]
    assert len(embedded) == 1
    assert json.loads(embedded[0]) == asked
    assert HOSTILE in {i["name"] for i in asked["Overview"]["streams"]["items"]}
    assert [a.get("type") for a, _ in page.scripts] == [
        "module",
        "application/json",
        "application/json",
    ]


def test_a_kept_answer_is_served_until_the_model_changes(
    served: TestClient, hostile_model: GraphStore
) -> None:
    op = BY_NAME["Overview"]
    # Spaced and ordered otherwise, with its nulls spelled out: the same operation.
    document = "\n".join(reversed(op.document.strip().split("\nfragment ")))
    document = document.replace("Brief on Element", "\nfragment Brief on Element", 1)
    first = served.post("/graphql", json={"query": op.document}).json()["data"]
    again = served.post("/graphql", json={"query": document, "variables": {}}).json()
    assert again["data"] is not None and again["data"] == first
    assert kept_answer(hostile_model, "Overview") is not None
    Graph().node("ValueStream", "vs-later", "Later").write(hostile_model)
    assert kept_answer(hostile_model, "Overview") is None  # of the old revision: dropped
    after = served.post("/graphql", json={"query": op.document}).json()["data"]
    assert "vs-later" in {i["id"] for i in after["streams"]["items"]}
    # Other variables are another question, answered as usual (not the kept answer).
    ranking = BY_NAME["OverviewBottlenecks"]
    one = served.post("/graphql", json={"query": ranking.document, "variables": {"limit": 1}})
    assert len(one.json()["data"]["bottlenecks"]["bottlenecks"]) <= 1


def test_a_page_with_state_in_its_address_embeds_nothing(served: TestClient) -> None:
    page = served.get("/", params={"page": "graph"})
    assert page.status_code == 200
    assert 'id="first-answer"' not in page.text and "overview-lead" not in page.text


def test_head_of_the_page_answers_as_get_does(served: TestClient) -> None:
    # Uptime checks and proxies ask HEAD /; the static files answered it before the page
    # had a route of its own.
    for path in ("/", "/index.html"):
        head = served.head(path)
        assert head.status_code == 200
        assert head.headers["content-type"].startswith("text/html")


def test_with_authentication_on_nothing_of_the_model_is_in_the_page(
    hostile_model: GraphStore, settings: Settings, dist: Path
) -> None:
    with TestClient(
        create_app(settings.model_copy(update={"auth": "on"}), store=hostile_model)
    ) as c:
        page = c.get("/")
        assert page.status_code == 200
        assert page.text == (dist / "index.html").read_text()
        assert c.post("/graphql", json={"query": OVERVIEW_FIRST}).status_code == 401


def test_other_markup_gets_the_answer_but_no_drawing() -> None:
    template = (ROOT / "frontend" / "index.html").read_text()
    # Markup other than expected: the answer is embedded, nothing else is touched.
    odd = template.replace('class="graph-page"', 'class="graph-page wide"')
    page = page_with(odd, {"stats": {}, "streams": {"total": 0, "items": []}, "importRuns": []})
    assert 'id="first-answer"' in page and "overview-lead" not in page
