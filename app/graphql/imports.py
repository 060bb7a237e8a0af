"""GraphQL fields for the imports: mixed into Query and Mutation by app.graphql.schema.

`importModel` takes the file contents as text (`ImportFileInput`: file name + content),
since the GraphQL router does not accept multipart uploads; the REST endpoint
`POST /api/imports` takes real file uploads. Both run `importers.pipeline.run_import`.
"""

from __future__ import annotations

import shutil
import tempfile
from enum import StrEnum
from io import StringIO
from pathlib import Path
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from app.graphql.context import Info
from graph.tokens import Role
from importers.errors import ImportFailure
from importers.export import export_exchange, export_json
from importers.pipeline import run_import
from importers.preparation import max_import_bytes
from importers.runs import get_run, list_runs
from importers.uploads import refuse_mixed


@strawberry.enum(description="Input format; AUTO detects it from the file names and content.")
class ImportFormat(StrEnum):
    # The formats of importers.pipeline.FORMATS, and AUTO (a test keeps them the same).
    AUTO = "auto"
    EXCHANGE = "exchange"
    ARCHI = "archi"
    CSV = "csv"
    BACKSTAGE = "backstage"


@strawberry.enum(description="ArchiMate exchange XML (3.1 schema) or a JSON graph.")
class ExportFormat(StrEnum):
    EXCHANGE = "exchange"
    JSON = "json"


@strawberry.input(description="One input file: its name (for format detection) and its text.")
class ImportFileInput:
    filename: str
    content: str


@strawberry.type(
    name="ImportWarning",
    description="Something the import skipped or changed; nothing is dropped silently.",
)
class ImportWarningType:
    code: str
    msg: str
    file: str | None
    line: int | None
    subject: str | None


@strawberry.type(
    name="ImportReport", description="What an import did (or, for a dry run, would do)."
)
class ImportReportType:
    run_id: str | None
    source: str
    format: str
    files: list[str]
    checksum: str
    dry_run: bool
    prune: bool
    written: bool
    counts: JSON = strawberry.field(description="Nodes and relationships by type, and more.")
    diff: JSON = strawberry.field(description="Added / changed / removed by type.")
    pruned: JSON
    warnings: list[ImportWarningType]
    warnings_total: int

    @classmethod
    def from_report(cls, report: dict[str, Any]) -> ImportReportType:
        return cls(
            run_id=report.get("run_id"),
            source=report["source"],
            format=report["format"],
            files=list(report["files"]),
            checksum=report["checksum"],
            dry_run=report["dry_run"],
            prune=report["prune"],
            written=report["written"],
            counts=report["counts"],
            diff=report["diff"],
            pruned=report["pruned"],
            warnings=[ImportWarningType(**w) for w in report["warnings"]],
            warnings_total=report["warnings_total"],
        )


@strawberry.type(name="ImportRun", description="A recorded import run.")
class ImportRunType:
    id: strawberry.ID
    source: str
    format: str
    files: list[str]
    checksum: str
    prune: bool
    started_at: str
    finished_at: str
    model_name: str | None
    counts: JSON
    diff: JSON
    warnings: list[ImportWarningType]
    warnings_total: int

    @classmethod
    def from_run(cls, run: dict[str, Any]) -> ImportRunType:
        return cls(
            id=strawberry.ID(run["id"]),
            source=run["source"],
            format=run["format"],
            files=list(run.get("files") or []),
            checksum=run["checksum"],
            prune=bool(run.get("prune")),
            started_at=run["started_at"],
            finished_at=run["finished_at"],
            model_name=run.get("model_name"),
            counts=cast(JSON, run.get("counts") or {}),
            diff=cast(JSON, run.get("diff") or {}),
            warnings=[ImportWarningType(**w) for w in run.get("warnings") or []],
            warnings_total=int(run.get("warnings_total") or 0),
        )


def _import_texts(
    store: Any,
    files: list[ImportFileInput],
    *,
    fmt: str,
    dry_run: bool,
    prune: bool,
    source: str | None,
    mapping: str | None,
    limit: int,
) -> dict[str, Any]:
    if not files:
        raise ImportFailure("no files given")
    size = sum(len(f.content.encode("utf-8")) for f in files)
    if size > limit:
        raise ImportFailure(
            f"{size} bytes is over the import limit of {limit} bytes",
            hint="use the REST upload for large files, or raise VALUEGRAPH_MAX_UPLOAD_BYTES",
        )
    root = Path(tempfile.mkdtemp(prefix="valuegraph-graphql-"))
    try:
        model_dir = root / "model"
        model_dir.mkdir()
        paths = []
        for i, item in enumerate(files):
            name = Path(item.filename).name or f"upload-{i}"
            target = model_dir / name
            if target.exists():
                target = model_dir / f"{i}-{name}"
            target.write_text(item.content, encoding="utf-8")
            paths.append(target)
        refuse_mixed(paths)
        mapping_path = None
        if mapping:
            mapping_path = root / "mapping.yaml"
            mapping_path.write_text(mapping, encoding="utf-8")
        report = run_import(
            store,
            paths[0] if len(paths) == 1 else model_dir,
            fmt=fmt,
            mapping_file=mapping_path,
            dry_run=dry_run,
            prune=prune,
            source=source,
            max_bytes=limit,
            display_name=", ".join(f.filename for f in files),
        )
        for warning in report["warnings"]:
            if warning["file"] and warning["file"].startswith(str(root)):
                warning["file"] = Path(warning["file"]).name
        return report
    except ImportFailure as exc:
        if exc.file and exc.file.startswith(str(root)):
            exc.file = Path(exc.file).name
        raise ValueError(exc.render()) from exc
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _limit(info: Info) -> int:
    limit = getattr(info.context.settings, "max_upload_bytes", None)
    return int(limit) if isinstance(limit, int) else max_import_bytes()


@strawberry.type
class ImportsQuery:
    @strawberry.field(description="Recorded import runs, newest first.")
    async def import_runs(
        self, info: Info, source: str | None = None, limit: int = 20
    ) -> list[ImportRunType]:
        if not 1 <= limit <= 500:
            raise ValueError("limit must be between 1 and 500")
        runs = await info.context.run(list_runs, info.context.store, source=source, limit=limit)
        return [ImportRunType.from_run(r) for r in runs]

    @strawberry.field(description="One import run by id, or null.")
    async def import_run(self, info: Info, id: strawberry.ID) -> ImportRunType | None:
        found = await info.context.run(get_run, info.context.store, str(id))
        return ImportRunType.from_run(found) if found else None

    @strawberry.field(
        description="The graph (or one import source's subgraph) as exchange XML or JSON text."
    )
    async def export_model(
        self,
        info: Info,
        format: ExportFormat = ExportFormat.EXCHANGE,
        source: str | None = None,
    ) -> str:
        out = StringIO()
        writer = export_exchange if format is ExportFormat.EXCHANGE else export_json
        await info.context.run(writer, info.context.store, out, source=source)
        return out.getvalue()


@strawberry.type
class ImportsMutation:
    @strawberry.mutation(
        description="Import a model given as text (exchange XML, Archi, Archi CSV files or "
        "Backstage YAML); dryRun reports the diff without writing."
    )
    async def import_model(
        self,
        info: Info,
        files: list[ImportFileInput],
        format: ImportFormat = ImportFormat.AUTO,
        dry_run: bool = False,
        prune: bool = False,
        source: str | None = None,
        mapping: str | None = None,
    ) -> ImportReportType:
        if prune and not dry_run and info.context.principal.role < Role.ADMIN:
            raise PermissionError(
                "pruning deletes elements: it needs the admin role; your token has "
                + info.context.principal.role.label
            )
        report = await info.context.run(
            _import_texts,
            info.context.store,
            files,
            fmt=format.value,
            dry_run=dry_run,
            prune=prune,
            source=source or None,
            mapping=mapping or None,
            limit=_limit(info),
        )
        return ImportReportType.from_report(report)
