"""Preparing an import without the database: read the input, parse it, map it.

`prepare` checks the path and the size limit, parses with the format's parser and maps
the elements at once; the relationships may be mapped later, chunk by chunk, while the
write runs (`Prepared.relationship_chunks`).
"""

from __future__ import annotations

import functools
import itertools
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from graph.model import now_iso
from importers.errors import ImportFailure, ImportTooLarge
from importers.formats import (
    FAMILY,
    FORMATS,
    PARSERS,
    SKIMMING,
    checksum,
    detect_format,
    input_files,
)
from importers.gc_tuning import PREPARE_GC_THRESHOLD, fewer_collections, gc_threshold
from importers.mapping import Mapping, load_mapping
from importers.raw import RawModel
from importers.transform import Memo, MemoMiss, Staged, TransformResult, transform_staged
from importers.xmlstream import Runs

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
# phase ("read", "map", "compare", "write"), done, total (None: unknown)
Progress = Callable[[str, int, int | None], None]


def max_import_bytes() -> int:
    """The size limit: VALUEGRAPH_MAX_UPLOAD_BYTES, as app.settings reads it too."""
    raw = os.environ.get("VALUEGRAPH_MAX_UPLOAD_BYTES")
    try:
        return int(raw) if raw else DEFAULT_MAX_BYTES
    except ValueError:
        return DEFAULT_MAX_BYTES


@dataclass
class Prepared:
    """A parsed and transformed model, ready to compare with the graph.

    `elements` are final at once. The relationships may still be unmapped: `apply_import`
    maps them in chunks (`relationship_chunks`) while it writes; `result` maps whatever
    is left and gives the whole transform.
    """

    format: str
    files: list[Path]
    checksum: str
    mapping: Mapping
    mapping_file: str
    source: str
    elements: list[dict[str, Any]]
    run_id: str
    started_at: str
    staged: Staged = field(repr=False)
    model_id: str = ""  # the model's id as the file wrote it
    _mapped: list[dict[str, Any]] = field(default_factory=list, repr=False)
    _failure: Exception | None = field(default=None, repr=False)
    _handed: int = field(default=0, repr=False)  # records given out by relationship_chunks

    def __post_init__(self) -> None:
        self._whole = once(self._finish)

    @property
    def result(self) -> TransformResult:
        """The whole transform (the relationships not mapped yet are mapped now)."""
        return self._whole()

    def relationship_chunks(self, size: int) -> Iterator[list[dict[str, Any]]]:
        """The relationship records not handed out yet, in chunks of `size`, as they are
        mapped (those `result` mapped already come first)."""
        ahead = self._mapped[self._handed :]
        chunk: list[dict[str, Any]] = []
        for rel in itertools.chain(ahead, self._take()):
            chunk.append(rel)
            self._handed += 1
            if len(chunk) == size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def _take(self) -> Iterator[dict[str, Any]]:
        """The transform's relationship records, each once; a failure is raised again."""
        if self._failure is not None:
            raise self._failure
        try:
            with fewer_collections(PREPARE_GC_THRESHOLD):
                for rel in self.staged.relationships:
                    self._mapped.append(rel)
                    yield rel
        except Exception as exc:
            self._failure = exc
            raise

    def _finish(self) -> TransformResult:
        for _ in self._take():
            pass
        with fewer_collections(PREPARE_GC_THRESHOLD):
            return self.staged.finish(self._mapped)


def _runs(memo: Memo | None) -> Runs | None:
    """What the parser matches runs of rows against (`xmlstream.Runs`), if any."""
    return memo.carry.runs if memo is not None and memo.carry is not None else None


_R = TypeVar("_R")


def once(fn: Callable[[], _R]) -> Callable[[], _R]:
    """`fn`, run at most once (thread-safe): later calls give its value or raise its error.

    For work that changes state as it goes (a transformer, a comparison): run twice, it
    would count everything twice.
    """
    lock = threading.Lock()
    outcome: list[tuple[_R | None, Exception | None]] = []

    @functools.wraps(fn)
    def once() -> _R:
        with lock:
            if not outcome:
                try:
                    outcome.append((fn(), None))
                except Exception as exc:
                    outcome.append((None, exc))
        value, error = outcome[0]
        if error is not None:
            raise error
        return value  # type: ignore[return-value]  # fn returned it

    return once


@gc_threshold(PREPARE_GC_THRESHOLD)
def prepare(
    path: Path,
    *,
    fmt: str = "auto",
    mapping_file: Path | None = None,
    source: str | None = None,
    run_id: str | None = None,
    max_bytes: int | None = None,
    progress: Progress | None = None,
    whole: bool = True,
    memo: Callable[[Mapping, str], Memo] | None = None,
) -> Prepared:
    """Parse and transform (no database): everything an import does before comparing.

    With `whole=False` only the elements are mapped; the relationships and views are
    mapped later (`apply_import` does it while it writes), and a problem with them is
    raised then, not here. `memo(mapping, source key)`, asked once the source key is
    known (for an exchange file, once its root is read: its rows the memo holds are then
    read without their children), gives the mapping memo of what the source holds
    (`importers.transform.Memo`).
    """
    started = now_iso()
    run_id = run_id or f"run-{uuid.uuid4().hex[:16]}"
    path = Path(path)
    if fmt == "auto":
        fmt = detect_format(path)
    if fmt not in FORMATS:
        raise ImportFailure(f"unknown format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")
    if not path.exists():
        raise ImportFailure("no such file or folder", file=path, hint="check the path")
    files = input_files(path, fmt)
    limit = max_bytes if max_bytes is not None else max_import_bytes()
    total = sum(f.stat().st_size for f in files)
    if total > limit:
        raise ImportTooLarge(
            f"{total} bytes is over the import limit of {limit} bytes",
            file=path,
            hint="split the model, or raise VALUEGRAPH_MAX_UPLOAD_BYTES",
        )
    mapping = load_mapping(FAMILY[fmt], mapping_file)
    done = 0

    def on_bytes(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress("read", min(done, total), total)

    memos: dict[str, Memo] = {}

    def memo_of(key: str) -> Memo | None:
        """`memo(mapping, key)`, asked once."""
        if memo is None:
            return None
        if key not in memos:
            memos[key] = memo(mapping, key)
        return memos[key]

    def parse(skim: bool) -> RawModel:
        known: dict[str, Callable[[str], Any]] = {}
        if skim and memo is not None and fmt in SKIMMING:
            known["known"] = lambda found: memo_of(source or found).spans  # type: ignore[union-attr]
            known["runs"] = lambda found: _runs(memo_of(source or found))
        try:
            return PARSERS[fmt](path, language=mapping.language, on_bytes=on_bytes, **known)
        except OSError as exc:
            raise ImportFailure(f"cannot read: {exc.strerror or exc}", file=exc.filename) from exc

    raw = parse(skim=True)
    if progress is not None:
        progress("map", 0, None)
    key = source or raw["source"]
    try:
        staged = transform_staged(raw, mapping, source=key, run_id=run_id, memo=memo_of(key))
    except MemoMiss:
        # A row read without its children is not held after all (the rest of the file, or
        # what the row depends on, changed): read the whole file again, and map it.
        done = 0
        raw = parse(skim=False)
        staged = transform_staged(raw, mapping, source=key, run_id=run_id, memo=memo_of(key))
    prepared = Prepared(
        format=fmt,
        files=files,
        checksum=checksum(files),
        mapping=mapping,
        mapping_file=str(mapping_file) if mapping_file else "default",
        source=key,
        elements=staged.elements,
        run_id=run_id,
        started_at=started,
        staged=staged,
        model_id=raw.get("model_id") or "",
    )
    if whole:
        prepared.result  # noqa: B018 - maps the rest now, so its problems are raised here
    return prepared
