"""`valuegraph generate`: a synthetic enterprise model, for benchmarks.

The benchmark harness itself is `python -m bench` (see docs/benchmarks.md); this command
makes its models available to everyone: write one to a file, and optionally import it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from app.cli.shared import console, open_store
from app.core.errors import answer
from app.settings import Settings
from importers.errors import ImportFailure
from importers.pipeline import run_import
from samples.generate import generate, size_of

app = typer.Typer()


@app.command("generate")
def generate_cmd(
    size: Annotated[
        str,
        typer.Option(
            "--size", help="S (1k elements), M (10k), L (100k, ~400k relationships), XL (1M)."
        ),
    ] = "S",
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same model.")] = 1,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Exchange file to write (default: valuegraph-SIZE-SEED.xml)."
        ),
    ] = None,
    load: Annotated[
        bool, typer.Option("--load", help="Import the file into the graph once written.")
    ] = False,
) -> None:
    """Write a synthetic enterprise model as an ArchiMate exchange file (for benchmarks).

    Value streams with stages, a three-level capability map, layered platforms (a few
    used by very many), teams of every type, people, data, measures and funding.
    Streamed to the file as it is generated; the same size and seed give the same file.
    """
    try:
        n = size_of(size)
    except ValueError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    path = output or Path(f"valuegraph-{size.upper()}-{seed}.xml")
    start = time.perf_counter()
    with path.open("w", encoding="utf-8", buffering=1 << 20) as out:
        counts = generate(n, seed, out)
    console.print(
        f"wrote {path}: {counts.total_elements:,} elements, "
        f"{counts.total_relationships:,} relationships, "
        f"{path.stat().st_size / 2**20:.1f} MiB in {time.perf_counter() - start:.1f} s"
    )
    if not load:
        return
    settings = Settings()
    try:
        with open_store(settings) as store:
            start = time.perf_counter()
            report = run_import(store, path, max_bytes=max(path.stat().st_size, 1))
    except ImportFailure as exc:
        console.print(f"[red]error:[/red] {exc.render()}")
        raise typer.Exit(answer(exc).exit) from exc
    diff = report["diff"]
    console.print(
        f"imported as {report['source']} in {time.perf_counter() - start:.1f} s: "
        f"{diff['nodes']['total']['added']:,} nodes and "
        f"{diff['relationships']['total']['added']:,} relationships added, "
        f"{diff['nodes']['total']['changed']:,} and "
        f"{diff['relationships']['total']['changed']:,} changed"
    )
