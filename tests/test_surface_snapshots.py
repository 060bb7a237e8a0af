"""The published surfaces stay as they are unless changed on purpose.

The GraphQL SDL (as `valuegraph schema --graphql` prints it) and the OpenAPI document are
compared with committed snapshots, so a refactoring that renames a field, drops a parameter or
changes a response model fails here. To change a surface deliberately, run the tests once with
VALUEGRAPH_UPDATE_SNAPSHOTS=1 and commit the new snapshot beside the change.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.main import create_app
from app.settings import Settings

SNAPSHOTS = Path(__file__).parent / "data" / "snapshots"
UPDATE = os.environ.get("VALUEGRAPH_UPDATE_SNAPSHOTS") == "1"


def _compare(name: str, actual: str) -> None:
    path = SNAPSHOTS / name
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
        pytest.skip(f"snapshot {name} rewritten")
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, (
        f"{name} differs from its snapshot; if the change is deliberate, rerun with "
        "VALUEGRAPH_UPDATE_SNAPSHOTS=1 and commit the snapshot"
    )


def test_graphql_sdl_matches_its_snapshot() -> None:
    # Through the CLI entry point, as a user (and the explorer's code generator) gets it.
    out = subprocess.run(
        [str(Path(sys.executable).parent / "valuegraph"), "schema", "--graphql"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "type Query" in out
    _compare("schema.graphql", out)


def test_openapi_document_matches_its_snapshot() -> None:
    document = create_app(Settings()).openapi()
    assert "/api/nodes/{node_id}" in document["paths"]
    _compare("openapi.json", json.dumps(document, indent=1, sort_keys=True) + "\n")
