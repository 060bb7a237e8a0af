"""The wheel a user or the Docker image installs works outside the source tree.

Built with pip, installed without `-e` into a fresh virtual environment, run from a folder that
holds no source, against the tests' Neo4j: a data file missing from the package data (the demo
model, the importer mappings) fails here instead of in production.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from graph.store import GraphStore

ROOT = Path(__file__).resolve().parent.parent
NOT_PACKAGED = (
    ".git",
    ".venv",
    "build",
    "dist",
    "frontend",
    "test-output",
    ".valuegraph",
    "target",
    "__pycache__",
    "bench",
    "docs",
    "tests",
)
SDL_SNAPSHOT = ROOT / "tests" / "data" / "snapshots" / "schema.graphql"


def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload, no-any-return]


def test_the_installed_wheel_loads_the_demo_and_answers(
    neo4j_server: dict[str, str | None], store: GraphStore, tmp_path: Path
) -> None:
    # From a copy: setuptools keeps its build/ folder beside the source, and a module deleted
    # since an earlier build would otherwise ship again.
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*NOT_PACKAGED))
    wheels = tmp_path / "wheels"
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(source)]
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("valuegraph-*.whl")

    # A fresh environment with no pip of its own and no editable install: the wheel's packages
    # first, the dependencies (already installed for the tests) reached through a .pth file,
    # which does not run the editable install's finder.
    venv = tmp_path / "venv"
    assert _run([sys.executable, "-m", "venv", "--without-pip", str(venv)]).returncode == 0
    python = venv / "bin" / "python"
    installed = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            str(wheel),
        ]
    )
    assert installed.returncode == 0, installed.stderr
    site = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
        ).stdout.strip()
    )
    (site / "valuegraph_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(
        NEO4J_URI=str(neo4j_server["uri"]),
        NEO4J_USER=str(neo4j_server["user"] or "neo4j"),
        NEO4J_PASSWORD=str(neo4j_server["password"] or ""),
    )
    cli = str(venv / "bin" / "valuegraph")

    where = _run(
        [str(python), "-c", "import app, graph; print(app.__file__, graph.__file__)"],
        cwd=outside,
        env=env,
    )
    assert str(site) in where.stdout and str(ROOT) not in where.stdout, where.stdout

    demo = _run([cli, "demo", "--json"], cwd=outside, env=env)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    stats = _run([cli, "stats", "--json"], cwd=outside, env=env)
    assert stats.returncode == 0, stats.stderr
    counts = json.loads(stats.stdout)
    assert counts == store.stats()
    assert counts["nodes"].get("ValueStream", 0) > 0

    sdl = _run([cli, "schema", "--graphql"], cwd=outside, env=env)
    assert sdl.returncode == 0, sdl.stderr
    assert sdl.stdout == SDL_SNAPSHOT.read_text(encoding="utf-8")
