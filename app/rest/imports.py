"""REST routes for the imports: upload a model, list import runs, export the graph.

`POST /api/imports` takes a multipart upload (one model file, the three files of an
Archi CSV export, or several Backstage YAML files) and answers the import report.
Refused input answers 422 with `detail` = {msg, file, line, hint}; input over the
upload limit answers 413.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from app.auth import require
from app.deps import SettingsDep, StoreDep
from graph.tokens import Role
from importers.errors import ImportFailure, ImportTooLarge
from importers.export import export_exchange, export_json
from importers.pipeline import run_import
from importers.preparation import max_import_bytes
from importers.runs import get_run, list_runs
from importers.uploads import refuse_mixed

router = APIRouter(tags=["imports"])

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_CHUNK = 1024 * 1024


UPLOAD_PREFIX = "valuegraph-upload-"
# Temporary folders of an import: uploads here, texts of GraphQL's importModel.
_TEMP_PREFIXES = (UPLOAD_PREFIX, "valuegraph-graphql-")
# A folder of no known process is left alone this long: a service of an older version may
# still be importing into it (an import of the largest upload takes minutes, not hours).
_STALE_AFTER_S = 3600.0


def remove_stale_uploads() -> int:
    """Remove the temporary upload folders a killed service left behind; returns how many.

    Folders are named for their process (`valuegraph-upload-<pid>-…`): one whose process is
    gone is removed; another service's live one is kept. Folders without a pid are removed
    once older than an hour.
    """
    removed = 0
    for folder in Path(tempfile.gettempdir()).iterdir():
        if not folder.name.startswith(_TEMP_PREFIXES) or not folder.is_dir():
            continue
        parts = folder.name.split("-", 3)  # mkdtemp's own suffix has no "-"
        if len(parts) == 4 and parts[2].isdigit():
            stale = not _running(int(parts[2]))
        else:
            try:
                stale = time.time() - folder.stat().st_mtime > _STALE_AFTER_S
            except OSError:  # removed meanwhile
                continue
        if stale:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    except OverflowError:
        return False
    return True


def _safe_name(name: str | None, taken: set[str]) -> str:
    """A plain file name for an upload (no directories), unique within the upload."""
    base = _UNSAFE.sub("_", Path(name or "").name).strip("._") or "upload"
    candidate, n = base, 1
    while candidate.lower() in taken:
        n += 1
        stem, dot, ext = base.partition(".")
        candidate = f"{stem}-{n}{dot}{ext}"
    taken.add(candidate.lower())
    return candidate


def _save(upload: UploadFile, target: Path, budget: int) -> int:
    """Copy an upload to disk, refusing as soon as the running total passes the budget."""
    written = 0
    with target.open("wb") as out:
        while chunk := upload.file.read(_CHUNK):
            written += len(chunk)
            if written > budget:
                raise ImportTooLarge(
                    "the upload is over the import size limit",
                    file=upload.filename,
                    hint="split the model, or raise VALUEGRAPH_MAX_UPLOAD_BYTES",
                )
            out.write(chunk)
    return written


def _shown(file: str | None, root: Path) -> str | None:
    """An uploaded file's name as the client sent it, not the server's temporary path."""
    if file and file.startswith(str(root)):
        return Path(file).name
    return file


def _limit(settings: Any) -> int:
    limit = getattr(settings, "max_upload_bytes", None)
    return int(limit) if isinstance(limit, int) else max_import_bytes()


@router.post("/api/imports", summary="Import a model file (or files) into the graph")
def upload(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    files: Annotated[
        list[UploadFile],
        File(description="An exchange .xml, an Archi .archimate, the CSV files, or YAML."),
    ],
    format: Annotated[Literal["auto", "exchange", "archi", "csv", "backstage"], Form()] = "auto",
    dry_run: Annotated[bool, Form(description="Report the diff, write nothing.")] = False,
    prune: Annotated[
        bool, Form(description="Delete what this source holds but the file no longer has.")
    ] = False,
    source: Annotated[
        str | None, Form(max_length=500, description="Source key; default from the model.")
    ] = None,
    mapping: Annotated[
        UploadFile | None, File(description="A mapping YAML overriding the default.")
    ] = None,
) -> dict[str, Any]:
    """Import as the CLI does; the report lists counts, the diff by type and warnings."""
    if prune and not dry_run:
        require(Role.ADMIN)(request)  # pruning deletes: an admin's decision
    limit = _limit(settings)
    root = Path(tempfile.mkdtemp(prefix=f"{UPLOAD_PREFIX}{os.getpid()}-"))
    try:
        model_dir = root / "model"
        model_dir.mkdir()
        taken: set[str] = set()
        used = 0
        saved: list[Path] = []
        for upload_file in files:
            target = model_dir / _safe_name(upload_file.filename, taken)
            used += _save(upload_file, target, limit - used)
            saved.append(target)
        refuse_mixed(saved)
        mapping_path = None
        if mapping is not None:
            mapping_path = root / "mapping.yaml"
            _save(mapping, mapping_path, 1024 * 1024)
        names = ", ".join(Path(f.filename or "upload").name for f in files)
        report = run_import(
            store,
            saved[0] if len(saved) == 1 else model_dir,
            fmt=format,
            mapping_file=mapping_path,
            dry_run=dry_run,
            prune=prune,
            source=source or None,
            max_bytes=limit,
            display_name=names,
        )
        for warning in report["warnings"]:
            warning["file"] = _shown(warning["file"], root)
        return report
    except ImportFailure as exc:
        exc.file = _shown(exc.file, root)
        raise  # answered from the shared table: 413 when too large, else 422, with as_dict()
    finally:
        shutil.rmtree(root, ignore_errors=True)


@router.get("/api/imports", summary="Recorded import runs, newest first")
def runs(
    store: StoreDep,
    source: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
) -> list[dict[str, Any]]:
    return list_runs(store, source=source, limit=limit)


@router.get("/api/imports/{run_id}", summary="One import run")
def run(store: StoreDep, run_id: str) -> dict[str, Any]:
    found = get_run(store, run_id)
    if found is None:
        raise HTTPException(404, f"no import run {run_id!r}")
    return found


@router.get("/api/export", summary="Export the graph as ArchiMate exchange XML or JSON")
def export(
    store: StoreDep,
    format: Annotated[Literal["exchange", "json"], Query()] = "exchange",
    source: Annotated[
        str | None, Query(max_length=500, description="Only this import source's subgraph.")
    ] = None,
) -> FileResponse:
    """The whole graph, or one source's nodes and the relationships among them."""
    suffix = ".xml" if format == "exchange" else ".json"
    handle, name = tempfile.mkstemp(prefix="valuegraph-export-", suffix=suffix)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            if format == "exchange":
                export_exchange(store, out, source=source)
            else:
                export_json(store, out, source=source)
    except BaseException:
        os.unlink(name)
        raise
    media = "application/xml" if format == "exchange" else "application/json"
    return FileResponse(
        name,
        media_type=media,
        filename=f"valuegraph{suffix}",
        background=BackgroundTask(os.unlink, name),
    )
