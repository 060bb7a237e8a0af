"""The import surface: REST upload, GraphQL mutation and the `valuegraph import` command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.graphql.imports import ImportFormat
from app.main import create_app
from app.settings import Settings
from graph.store import GraphStore
from importers.formats import FORMATS

DATA = Path(__file__).parent / "data" / "imports"
SOURCE = "archimate:id-model-bank"
VALUEGRAPH = str(Path(sys.executable).with_name("valuegraph"))


@pytest.fixture
def api(client: TestClient, store: GraphStore) -> TestClient:
    store.driver.execute_query("MATCH (r:ImportRun) DETACH DELETE r")
    return client


def upload(client: TestClient, *paths: Path, **form: Any) -> Any:
    files = [("files", (p.name, p.read_bytes(), "application/octet-stream")) for p in paths]
    data = {k: str(v).lower() if isinstance(v, bool) else v for k, v in form.items()}
    return client.post("/api/imports", files=files, data=data)


def test_rest_upload_imports_and_lists_the_run(api: TestClient, store: GraphStore) -> None:
    dry = upload(api, DATA / "bank.xml", dry_run=True)
    assert dry.status_code == 200, dry.text
    assert dry.json()["written"] is False and store.stats()["nodes"]["Stage"] == 0

    response = upload(api, DATA / "bank.xml")
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["written"] and report["files"] == ["bank.xml"]
    assert report["diff"]["nodes"]["added"]["Stage"] == 3
    assert {w["file"] for w in report["warnings"]} == {"bank.xml"}  # not the server's temp path
    assert store.stats()["nodes"]["Stage"] == 3

    runs = api.get("/api/imports", params={"source": SOURCE}).json()
    assert [r["id"] for r in runs] == [report["run_id"]]
    one = api.get(f"/api/imports/{report['run_id']}").json()
    assert one["counts"]["nodes"]["Stage"] == 3
    assert api.get("/api/imports/run-nope").status_code == 404


def test_rest_upload_takes_the_three_csv_files(api: TestClient, store: GraphStore) -> None:
    csv_files = sorted((DATA / "bank_csv").iterdir())
    report = upload(api, *csv_files).json()
    assert report["format"] == "csv" and report["source"] == SOURCE
    assert store.stats()["nodes"]["Person"] == 1


def test_rest_refuses_bad_files_with_file_and_line(api: TestClient, store: GraphStore) -> None:
    response = upload(api, DATA / "bad" / "billion_laughs.xml")
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert (detail["file"], detail["line"]) == ("billion_laughs.xml", 2)
    assert "DTD" in detail["msg"] and detail["hint"]
    assert store.stats()["nodes"]["GenericElement"] == 0


def test_rest_refuses_uploads_over_the_limit(store: GraphStore, settings: Settings) -> None:
    small = settings.model_copy(update={"max_upload_bytes": 1024})
    with TestClient(create_app(small, store=store)) as client:
        response = upload(client, DATA / "bank.xml")
    assert response.status_code == 413
    assert store.stats()["nodes"]["Stage"] == 0


def test_rest_refuses_chunked_uploads_over_the_limit(store: GraphStore, settings: Settings) -> None:
    small = settings.model_copy(update={"max_upload_bytes": 1024})
    body = (DATA / "bank.xml").read_bytes()
    multipart = (
        b'--b\r\nContent-Disposition: form-data; name="files"; filename="bank.xml"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n" + body + b"\r\n--b--\r\n"
    )

    def chunked() -> Iterator[bytes]:  # no Content-Length: sent with Transfer-Encoding
        for i in range(0, len(multipart), 512):
            yield multipart[i : i + 512]

    headers = {"content-type": "multipart/form-data; boundary=b"}
    with TestClient(create_app(small, store=store)) as client:
        response = client.post("/api/imports", content=chunked(), headers=headers)
    assert response.status_code == 413, response.text
    assert store.stats()["nodes"]["Stage"] == 0


def test_rest_export_returns_a_reimportable_file(api: TestClient, store: GraphStore) -> None:
    upload(api, DATA / "bank.xml")
    exchange = api.get("/api/export", params={"format": "exchange", "source": SOURCE})
    assert exchange.status_code == 200
    assert exchange.headers["content-type"].startswith("application/xml")
    assert b'identifier="id-model-bank"' in exchange.content
    files = [("files", ("export.xml", exchange.content, "application/xml"))]
    again = api.post("/api/imports", files=files).json()
    assert again["diff"]["nodes"]["total"] == {"added": 0, "changed": 0, "removed": 0}
    as_json = api.get("/api/export", params={"format": "json"}).json()
    assert len(as_json["nodes"]) == sum(store.stats()["nodes"].values())


IMPORT = """
mutation($files: [ImportFileInput!]!, $dry: Boolean!) {
  importModel(files: $files, dryRun: $dry) {
    runId source format written counts diff warningsTotal
    warnings { code msg file line }
  }
}
"""


def gql(client: TestClient, query: str, **variables: Any) -> Any:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    return response.json()


def test_graphql_mutation_imports_and_queries_runs(api: TestClient, store: GraphStore) -> None:
    files = [{"filename": "bank.archimate", "content": (DATA / "bank.archimate").read_text()}]
    dry = gql(api, IMPORT, files=files, dry=True)["data"]["importModel"]
    assert (dry["written"], dry["runId"], dry["format"]) == (False, None, "archi")
    done = gql(api, IMPORT, files=files, dry=False)["data"]["importModel"]
    assert done["written"] and done["counts"]["nodes"]["Stage"] == 3
    assert store.stats()["nodes"]["Stage"] == 3
    assert {w["file"] for w in done["warnings"]} == {"bank.archimate"}

    runs = gql(api, f'{{ importRuns(source: "{SOURCE}") {{ id format counts }} }}')
    assert [r["id"] for r in runs["data"]["importRuns"]] == [done["runId"]]
    exported = gql(api, f'{{ exportModel(format: JSON, source: "{SOURCE}") }}')
    assert len(json.loads(exported["data"]["exportModel"])["nodes"]) == 16


def test_graphql_reports_refused_input_as_an_error(api: TestClient) -> None:
    files = [{"filename": "bad.xml", "content": (DATA / "bad" / "malformed.xml").read_text()}]
    result = gql(api, IMPORT, files=files, dry=False)
    assert result["data"] is None
    assert "bad.xml:7: malformed XML: mismatched tag" in result["errors"][0]["message"]


@pytest.fixture
def cli_env(neo4j_server: dict[str, str | None], tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "VALUEGRAPH_"))}
    env["NEO4J_URI"] = str(neo4j_server["uri"])
    if neo4j_server["password"]:
        env["NEO4J_USER"] = str(neo4j_server["user"])
        env["NEO4J_PASSWORD"] = str(neo4j_server["password"])
    env["VALUEGRAPH_HOME"] = str(tmp_path / ".valuegraph")
    yield env


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([VALUEGRAPH, *args], env=env, capture_output=True, text=True, timeout=300)


def test_cli_import_dry_run_prune_and_export(
    store: GraphStore, cli_env: dict[str, str], tmp_path: Path
) -> None:
    dry = cli("import", str(DATA / "bank.xml"), "--dry-run", "--json", env=cli_env)
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout)["diff"]["nodes"]["added"]["Stage"] == 3
    assert store.stats()["nodes"]["Stage"] == 0

    done = cli("import", str(DATA / "bank.xml"), "--format", "exchange", env=cli_env)
    assert done.returncode == 0, done.stderr
    assert "imported bank.xml as archimate:id-model-bank" in done.stderr
    assert "Stage" in done.stderr and "dangling" not in done.stdout

    out = tmp_path / "bank-export.xml"
    exported = cli("export", "--source", SOURCE, "--output", str(out), env=cli_env)
    assert exported.returncode == 0, exported.stderr
    again = cli("import", str(out), "--prune", "--json", env=cli_env)
    assert json.loads(again.stdout)["diff"]["nodes"]["total"]["changed"] == 0

    refused = cli("import", str(DATA / "bad" / "duplicate_ids.xml"), env=cli_env)
    assert refused.returncode == 2
    assert "duplicate_ids.xml:8: duplicate id 'cap-1'" in " ".join(refused.stderr.split())


def test_graphql_import_formats_are_the_pipelines() -> None:
    assert [f.value for f in ImportFormat] == ["auto", *FORMATS]


def test_files_of_different_formats_are_refused_not_imported_in_part(
    api: TestClient, store: GraphStore
) -> None:
    xml, catalog = DATA / "bank.xml", DATA / "catalog" / "catalog-info.yaml"
    response = upload(api, xml, catalog)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "cannot be imported together" in detail["msg"]
    assert (
        "bank.xml (exchange)" in detail["msg"] and "catalog-info.yaml (backstage)" in detail["msg"]
    )
    assert "one Archi export" in detail["hint"]

    files = [{"filename": p.name, "content": p.read_text()} for p in (xml, catalog)]
    result = api.post(
        "/graphql", json={"query": IMPORT, "variables": {"files": files, "dry": True}}
    )
    assert "cannot be imported together" in result.json()["errors"][0]["message"]
    assert sum(store.stats()["nodes"].values()) == 0
    assert api.get("/api/imports").json() == []


def test_upload_folders_left_by_a_killed_service_are_removed_at_start(
    store: GraphStore, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    folders = {
        "of_a_dead_process": tmp_path / f"valuegraph-upload-{dead.stdout.strip()}-ab12",
        "of_a_live_process": tmp_path / f"valuegraph-upload-{os.getpid()}-cd34",
        "old_without_pid": tmp_path / "valuegraph-upload-ef56",
        "fresh_without_pid": tmp_path / "valuegraph-graphql-gh78",
        "not_ours": tmp_path / "something-else",
    }
    for folder in folders.values():
        (folder / "model").mkdir(parents=True)
    two_hours_ago = time.time() - 7200
    os.utime(folders["old_without_pid"], (two_hours_ago, two_hours_ago))
    with TestClient(create_app(settings, store=store)) as client:
        assert client.get("/healthz").status_code == 200
    left = {name for name, folder in folders.items() if folder.exists()}
    assert left == {"of_a_live_process", "fresh_without_pid", "not_ours"}
