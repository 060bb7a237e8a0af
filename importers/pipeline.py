"""The import pipeline: parse → transform → diff → load, one source at a time.

`run_import` is what the CLI, the REST upload and the GraphQL mutation call. Loading is
one `GraphStore.write`: the changed nodes and relationships go through the store's
upserts, and its `also` step (same transaction) relabels retyped nodes, replaces
relationships whose ends changed, prunes (only with `prune`, only this source) and
records the `ImportRun`. Any failure rolls all of it back, so a retry starts from the
graph as it was.

Concurrency: the diff is read just before the write transaction; an edit to the same
source's nodes in between is not seen by this run (the next import corrects it).
"""

from __future__ import annotations

import functools
import gc
import hashlib
import itertools
import json
import os
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, ParamSpec, TypeVar

import neo4j
from neo4j import ManagedTransaction, RoutingControl

from graph import cypher as graph_cypher
from graph.model import now_iso
from graph.store import BATCH_SIZE, ConflictError, GraphStore, WriteBatch
from importers import cypher
from importers.archi import parse_archi
from importers.archi_csv import find_csv_files, parse_archi_csv
from importers.backstage import YAML_SUFFIXES, catalog_files, parse_backstage
from importers.diff import Comparison, DiffPlan
from importers.errors import ImportFailure, ImportTooLarge, ReportWarning
from importers.exchange import parse_exchange
from importers.mapping import Mapping, load_mapping
from importers.raw import RawModel
from importers.transform import Staged, TransformResult, transform_staged

FORMATS = ("exchange", "archi", "csv", "backstage")
FAMILY = {
    "exchange": "archimate",
    "archi": "archimate",
    "csv": "archimate",
    "backstage": "backstage",
}
_PARSERS: dict[str, Callable[..., RawModel]] = {
    "exchange": parse_exchange,
    "archi": parse_archi,
    "csv": parse_archi_csv,
    "backstage": parse_backstage,
}
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
MAX_STORED_WARNINGS = 200
# Relationships mapped, compared and handed to the write at a time: small enough that
# Neo4j starts on them early, large enough that the hand-over costs nothing.
REL_CHUNK = 20_000
# phase ("read", "map", "compare", "write"), done, total (None: unknown)
Progress = Callable[[str, int, int | None], None]


def max_import_bytes() -> int:
    """The size limit: VALUEGRAPH_MAX_UPLOAD_BYTES, as app.settings reads it too."""
    raw = os.environ.get("VALUEGRAPH_MAX_UPLOAD_BYTES")
    try:
        return int(raw) if raw else DEFAULT_MAX_BYTES
    except ValueError:
        return DEFAULT_MAX_BYTES


def detect_format(path: Path) -> str:
    """The format of a file or folder, from its name and first bytes."""
    if not path.exists():
        raise ImportFailure("no such file or folder", file=path, hint="check the path")
    if path.is_dir():
        if any(p.name.lower().endswith("elements.csv") for p in path.iterdir()):
            return "csv"
        if any(p.suffix.lower() in YAML_SUFFIXES for p in path.rglob("*")):
            return "backstage"
        raise ImportFailure(
            "cannot tell the format of this folder (no elements.csv, no .yaml files)",
            file=path,
            hint="pass a model file, or --format",
        )
    name = path.name.lower()
    if name.endswith(".csv"):
        return "csv"
    if path.suffix.lower() in YAML_SUFFIXES:
        return "backstage"
    with path.open("rb") as stream:
        head = stream.read(4096)
    if b"http://www.archimatetool.com/archimate" in head:
        return "archi"
    if b"opengroup.org/xsd/archimate" in head:
        return "exchange"
    if name.endswith(".archimate"):
        return "archi"
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"<"):
        return "exchange"  # the exchange reader names what is wrong with the XML
    if b"apiVersion" in head and b"kind" in head:
        return "backstage"
    if text.startswith((b'"ID"', b"ID,", b"ID;", b"ID\t")):
        return "csv"
    raise ImportFailure(
        "cannot tell the format of this file",
        file=path,
        hint="pass --format exchange, archi, csv or backstage",
    )


def input_files(path: Path, fmt: str) -> list[Path]:
    if fmt == "csv":
        return [p for p in find_csv_files(path) if p is not None]
    if fmt == "backstage":
        return catalog_files(path)
    if path.is_dir():
        raise ImportFailure(
            f"a {fmt} model is one file, not a folder", file=path, hint="pass the file"
        )
    return [path]


def checksum(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.name.encode("utf-8") + b"\0")
        with file.open("rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
    return f"sha256:{digest.hexdigest()}"


# An import builds millions of small objects that live until it ends (parsed elements,
# records, the diff). With the default thresholds the cyclic garbage collector scans them
# again and again: a third of the parse-and-transform time of a 100k-element model. While
# an import runs, the young generation is collected only every IMPORT_GC_THRESHOLD
# allocations; what an import builds holds no reference cycles worth collecting early.
IMPORT_GC_THRESHOLD = 100_000
# Parsing and transforming (`prepare`) make no cyclic garbage at all: the parsed model
# lives until `prepare` returns, the records after it. Collections during `prepare` only
# walk them again (still a tenth of its time at IMPORT_GC_THRESHOLD), so they wait until
# it ends: then the records are walked once, and the parsed model, freed first, never.
PREPARE_GC_THRESHOLD = 10_000_000
_gc_lock = threading.Lock()
_gc_thresholds: list[int] = []  # asked for by the blocks running now
_gc_saved: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def fewer_collections(threshold: int = IMPORT_GC_THRESHOLD) -> Iterator[None]:
    """Raise the GC's young-generation threshold for the block (nests, thread-safe).

    While blocks overlap, the highest threshold asked for holds.
    """
    global _gc_saved
    with _gc_lock:
        if not _gc_thresholds:
            _gc_saved = gc.get_threshold()
        _gc_thresholds.append(threshold)
        _apply_gc_threshold()
    try:
        yield
    finally:
        with _gc_lock:
            _gc_thresholds.remove(threshold)
            _apply_gc_threshold()


def _apply_gc_threshold() -> None:
    if _gc_thresholds:
        gc.set_threshold(max(*_gc_thresholds, _gc_saved[0]), *_gc_saved[1:])
    else:
        gc.set_threshold(*_gc_saved)


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _gc_threshold(threshold: int) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]:
    """Decorator: the function runs under `fewer_collections(threshold)`."""

    def decorate(fn: Callable[_P, _R]) -> Callable[_P, _R]:
        @functools.wraps(fn)
        def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            with fewer_collections(threshold):
                return fn(*args, **kwargs)

        return wrapper

    return decorate


_fewer_collections = _gc_threshold(IMPORT_GC_THRESHOLD)


class _Node(NamedTuple):
    """A node record for `GraphStore.write`, as cheap to make as a tuple."""

    label: str
    id: str
    props: dict[str, Any]


class _Rel(NamedTuple):
    type: str
    id: str
    source: str
    target: str
    props: dict[str, Any]


def _node(record: dict[str, Any]) -> _Node:
    return _Node(record["label"], record["id"], record["props"])


def _rel(record: dict[str, Any]) -> _Rel:
    return _Rel(record["type"], record["id"], record["source"], record["target"], record["props"])


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
    _mapped: list[dict[str, Any]] = field(default_factory=list, repr=False)
    _failure: Exception | None = field(default=None, repr=False)
    _handed: int = field(default=0, repr=False)  # records given out by relationship_chunks

    def __post_init__(self) -> None:
        self._whole = _once(self._finish)

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


def _once(fn: Callable[[], _R]) -> Callable[[], _R]:
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


@_gc_threshold(PREPARE_GC_THRESHOLD)
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
) -> Prepared:
    """Parse and transform (no database): everything an import does before comparing.

    With `whole=False` only the elements are mapped; the relationships and views are
    mapped later (`apply_import` does it while it writes), and a problem with them is
    raised then, not here.
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

    try:
        raw = _PARSERS[fmt](path, language=mapping.language, on_bytes=on_bytes)
    except OSError as exc:
        raise ImportFailure(f"cannot read: {exc.strerror or exc}", file=exc.filename) from exc
    if progress is not None:
        progress("map", 0, None)
    key = source or raw["source"]
    staged = transform_staged(raw, mapping, source=key, run_id=run_id)
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
    )
    if whole:
        prepared.result  # noqa: B018 - maps the rest now, so its problems are raised here
    return prepared


def _read(store: GraphStore, query: str, **params: Any) -> list[neo4j.Record]:
    records, _, _ = store.driver.execute_query(
        query, params, routing_=RoutingControl.READ, database_=store.database
    )
    return records


def _existing(store: GraphStore, source: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    nodes = [
        {"id": r["id"], "label": r["label"], "props": dict(r["props"])}
        for r in _read(store, cypher.SOURCE_NODES, source=source)
    ]
    rels = [
        {
            "id": r["id"],
            "type": r["type"],
            "source": r["source"],
            "target": r["target"],
            "props": dict(r["props"]),
        }
        for r in _read(store, cypher.SOURCE_RELATIONSHIPS, source=source)
    ]
    return nodes, rels


def _foreign(
    store: GraphStore, existing_nodes: list[dict[str, Any]], existing_rels: list[dict[str, Any]]
) -> tuple[bool, set[str]]:
    """Whether the graph has elements of other holders, and which relationship types do.

    Counts come from Neo4j's count store (constant time): when the graph holds no more
    than this source's own, no id the import adds can be held by anyone else, and the
    id-by-id look-up of `_check_holders` can be skipped.
    """
    nodes = int(_read(store, cypher.COUNT_ELEMENTS)[0]["count"])
    own: dict[str, int] = defaultdict(int)
    for rel in existing_rels:
        own[rel["type"]] += 1
    types = {
        t
        for t in store.schema.rel_types
        if int(_read(store, cypher.count_relationships(t))[0]["count"]) != own.get(t, 0)
    }
    return nodes != len(existing_nodes), types


class _Holders:
    """Ids the import adds that someone else holds: taken over (same type) or a clash.

    `foreign` (from `_foreign`) says where other holders can be at all. `held_nodes` and
    `held_rels` ((type, id)) collect the additions found in the graph: the others are
    new. Clashes are collected, then refused together (`refuse_clashes`).
    """

    def __init__(self, store: GraphStore, foreign: tuple[bool, set[str]]) -> None:
        self.store = store
        self.foreign_nodes, self.foreign_types = foreign
        self.clashes: list[dict[str, Any]] = []
        self.warnings: list[ReportWarning] = []
        self.held_nodes: set[str] = set()
        self.held_rels: set[tuple[str, str]] = set()

    def nodes(self, ids: list[str], labels: dict[str, str]) -> None:
        """Look up added node ids; `labels` gives the label this import writes for each."""
        for i in range(0, len(ids) if self.foreign_nodes else 0, BATCH_SIZE):
            for r in _read(self.store, cypher.NODE_HOLDERS, ids=ids[i : i + BATCH_SIZE]):
                self.held_nodes.add(r["id"])
                holder = r["source"] or "(made by hand)"
                if r["label"] != labels[r["id"]]:
                    self.clashes.append(
                        {
                            "id": r["id"],
                            "msg": f"is a {r['label']} of {holder}; this import makes it a "
                            f"{labels[r['id']]}",
                        }
                    )
                else:
                    self._taken_over(r["label"], r["id"], holder)

    def relationships(self, rels: list[dict[str, Any]]) -> None:
        by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for rel in rels:
            if rel["type"] in self.foreign_types:
                by_type[rel["type"]].append(rel)
        for rel_type, of_type in by_type.items():
            wanted = {r["id"]: r for r in of_type}
            ids = list(wanted)
            for i in range(0, len(ids), BATCH_SIZE):
                batch = ids[i : i + BATCH_SIZE]
                for r in _read(self.store, cypher.relationship_holders(rel_type), ids=batch):
                    self.held_rels.add((rel_type, r["id"]))
                    new = wanted[r["id"]]
                    holder = r["holder"] or "(made by hand)"
                    if (r["source"], r["target"]) != (new["source"], new["target"]):
                        self.clashes.append(
                            {
                                "id": r["id"],
                                "msg": f"is a {rel_type} of {holder} between other elements",
                            }
                        )
                    else:
                        self._taken_over(rel_type, r["id"], holder)

    def _taken_over(self, kind: str, ident: str, holder: str) -> None:
        self.warnings.append(
            ReportWarning(
                "taken-over",
                f"{kind} {ident!r} was written by {holder}; this source now holds it",
                subject=ident,
            )
        )

    def refuse_clashes(self) -> None:
        if self.clashes:
            shown = "; ".join(f"{c['id']!r} {c['msg']}" for c in self.clashes[:5])
            raise ImportFailure(
                f"{len(self.clashes)} id(s) already used differently in the graph: {shown}",
                hint="another source (or a person) uses these ids for something else; delete "
                "those elements, or change the ids in the model",
                details=self.clashes,
            )


def _batched(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [rows[i : i + BATCH_SIZE] for i in range(0, len(rows), BATCH_SIZE)]


def _run_in_tx(
    tx: ManagedTransaction,
    *,
    source: str,
    diff: DiffPlan,
    prune: bool,
    run_props: dict[str, Any],
    pruned: dict[str, int],
) -> None:
    """The import's own step inside the store's write transaction (see module doc)."""
    now = now_iso()
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for old, new, node in diff["relabel"]:
        groups[(old, new)].append(node)
    for (old, new), nodes in groups.items():
        for batch in _batched(nodes):
            tx.run(cypher.relabel(old, new), ids=[n["id"] for n in batch], source=source).consume()
            rows = [{"id": n["id"], "props": n["props"]} for n in batch]
            tx.run(graph_cypher.upsert_nodes(new), rows=rows, now=now).consume()
    replaced: dict[str, list[str]] = defaultdict(list)
    for rel_type, rel_id in diff["replace_relationships"]:
        replaced[rel_type].append(rel_id)
    for rel_type, ids in replaced.items():
        tx.run(cypher.delete_relationships(rel_type), ids=ids, source=source).consume()
    late: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rel in diff["late_relationships"]:
        late[rel["type"]].append(
            {
                "id": rel["id"],
                "source": rel["source"],
                "target": rel["target"],
                "props": rel["props"],
            }
        )
    for rel_type, rows in late.items():
        for batch in _batched(rows):
            tx.run(graph_cypher.upsert_relationships(rel_type), rows=batch).consume()
    if prune:
        removed: dict[str, list[str]] = defaultdict(list)
        for rel_type, rel_id in diff["remove_relationships"]:
            removed[rel_type].append(rel_id)
        for rel_type, ids in removed.items():
            record = tx.run(cypher.delete_relationships(rel_type), ids=ids, source=source).single()
            pruned["relationships"] += int(record["deleted"]) if record else 0
        ids = diff["remove_nodes"]
        for i in range(0, len(ids), BATCH_SIZE):
            record = tx.run(
                cypher.DELETE_NODES, ids=ids[i : i + BATCH_SIZE], source=source
            ).single()
            if record:
                pruned["nodes"] += int(record["deleted"] or 0)
                pruned["other_relationships"] += int(record["attached"] or 0)
    run_props = {**run_props, "pruned": json.dumps(pruned, sort_keys=True)}
    tx.run(cypher.RECORD_RUN, props=run_props).consume()


def run_import(
    store: GraphStore,
    path: Path,
    *,
    fmt: str = "auto",
    mapping_file: Path | None = None,
    dry_run: bool = False,
    prune: bool = False,
    source: str | None = None,
    max_bytes: int | None = None,
    progress: Progress | None = None,
    also: Callable[[ManagedTransaction], None] | None = None,
    display_name: str | None = None,
) -> dict[str, Any]:
    """Import a model file or folder; returns the report (also for a dry run).

    `also` runs last inside the write transaction (an audit record, say); if it raises,
    the whole import is rolled back. `display_name` names the input in the report when
    `path` is a temporary copy (uploads).
    """
    prepared = prepare(
        path,
        fmt=fmt,
        mapping_file=mapping_file,
        source=source,
        max_bytes=max_bytes,
        progress=progress,
        whole=False,  # the relationships are mapped while the elements are written
    )
    return apply_import(
        store,
        prepared,
        dry_run=dry_run,
        prune=prune,
        progress=progress,
        also=also,
        display_name=display_name,
    )


class _Rest(NamedTuple):
    """What `apply_import` works out after the relationships: the whole transform and diff."""

    result: TransformResult
    diff: DiffPlan
    warnings: list[ReportWarning]
    views: list[dict[str, Any]]  # the view nodes to write
    new_views: set[str]  # of which nobody holds these


@_fewer_collections
def apply_import(
    store: GraphStore,
    prepared: Prepared,
    *,
    dry_run: bool = False,
    prune: bool = False,
    progress: Progress | None = None,
    also: Callable[[ManagedTransaction], None] | None = None,
    display_name: str | None = None,
) -> dict[str, Any]:
    """Compare a prepared model with the graph and write the difference (see `run_import`).

    The elements are compared, checked and written first. The rest of the model (mapping
    the relationships and views if `prepare` left them, comparing and checking them) is
    done chunk by chunk in `GraphStore.write`'s worker thread while Neo4j writes what
    came before.
    """
    key = prepared.source
    if progress is not None:
        progress("compare", 0, None)
    existing_nodes, existing_rels = _existing(store, key)
    comparison = Comparison(existing_nodes, existing_rels)
    holders = _Holders(store, _foreign(store, existing_nodes, existing_rels))
    elements, added_elements = comparison.nodes(prepared.elements)
    holders.nodes(added_elements, {n["id"]: n["label"] for n in prepared.elements})

    @_once
    def rest() -> _Rest:
        """After the last relationship: the views, the whole diff, the holders' verdict."""
        result = prepared.result
        views = result["nodes"][len(prepared.elements) :]
        view_writes, added_views = comparison.nodes(views)
        holders.nodes(added_views, {n["id"]: n["label"] for n in views})
        diff = comparison.finish()
        holders.refuse_clashes()
        warnings = [*result["warnings"], *holders.warnings]
        return _Rest(result, diff, warnings, view_writes, set(added_views) - holders.held_nodes)

    def batches() -> Iterator[WriteBatch]:
        """The rest of the write, mapped and compared chunk by chunk (see GraphStore.write)."""
        for chunk in prepared.relationship_chunks(REL_CHUNK):
            write, added = comparison.relationships(chunk)
            holders.relationships(added)
            yield WriteBatch(
                rels=[_rel(r) for r in write],
                # Additions nobody holds are created without a look-up.
                new_relationships={(r["type"], r["id"]) for r in added} - holders.held_rels,
            )
        done = rest()
        yield WriteBatch(
            nodes=[_node(n) for n in done.views],
            new_nodes=done.new_views,
        )

    def compared() -> _Rest:
        """Everything compared, nothing written (a dry run; a retry after a conflict)."""
        for _ in batches():
            pass
        return rest()

    names = [display_name] if display_name else [f.name for f in prepared.files]
    if dry_run or holders.clashes:  # a clash is refused (by `rest`) before any write
        return _report(prepared, compared(), names, dry_run=True, prune=prune)

    pruned = {"nodes": 0, "relationships": 0, "other_relationships": 0}
    finished = ""

    def in_tx(tx: ManagedTransaction) -> None:
        nonlocal finished
        finished = now_iso()  # the model is written by now: only the run record is left
        for k in pruned:  # a retried transaction starts counting again
            pruned[k] = 0
        done = rest()  # done by now: the write's batches ran before `also`
        run_props = _run_props(prepared, done, names, prune=prune, finished=finished)
        _run_in_tx(tx, source=key, diff=done.diff, prune=prune, run_props=run_props, pruned=pruned)
        if also is not None:
            also(tx)

    if progress is not None:
        progress("write", 0, None)
    nodes = [_node(n) for n in elements]
    try:
        store.write(
            nodes, also=in_tx, new_nodes=set(added_elements) - holders.held_nodes, then=batches
        )
    except ConflictError:
        # Another import created some of these ids after our diff was read (concurrent
        # imports of one model): nothing was written; MERGE everything instead. An id
        # truly held by another type conflicts again and is reported as before.
        done = compared()  # what the failed write had not compared yet
        store.write(
            [_node(n) for n in done.diff["write_nodes"]],
            [_rel(r) for r in done.diff["write_relationships"]],
            also=in_tx,
        )
    report = _report(prepared, rest(), names, dry_run=False, prune=prune)
    report.update(finished_at=finished, pruned=dict(pruned))
    return report


def _report(
    prepared: Prepared, done: _Rest, names: list[str], *, dry_run: bool, prune: bool
) -> dict[str, Any]:
    result = done.result
    report: dict[str, Any] = {
        "run_id": None if dry_run else prepared.run_id,
        "source": prepared.source,
        "format": prepared.format,
        "files": names,
        "checksum": prepared.checksum,
        "mapping": prepared.mapping_file,
        "dry_run": dry_run,
        "prune": prune,
        "started_at": prepared.started_at,
        "model": {k: v for k, v in result["model"].items() if k != "files"},
        "counts": result["counts"],
        "diff": done.diff["report"],
        "pruned": {"nodes": 0, "relationships": 0, "other_relationships": 0},
        "written": not dry_run,
        "finished_at": now_iso(),
    }
    return _with_warnings(report, done.warnings)


def _run_props(
    prepared: Prepared, done: _Rest, names: list[str], *, prune: bool, finished: str
) -> dict[str, Any]:
    """The `ImportRun` node's properties."""
    model, warnings = done.result["model"], done.warnings
    return {
        "id": prepared.run_id,
        "source": prepared.source,
        "format": prepared.format,
        "files": names,
        "checksum": prepared.checksum,
        "mapping": prepared.mapping_file,
        "prune": prune,
        "started_at": prepared.started_at,
        "finished_at": finished,
        "model_id": model.get("model_id") or "",
        "model_name": model.get("name") or "",
        "model_documentation": model.get("documentation") or "",
        "model_properties": json.dumps(model.get("properties") or {}, sort_keys=True),
        "model_language": model.get("language") or "",
        "counts": json.dumps(done.result["counts"], sort_keys=True),
        "diff": json.dumps(done.diff["report"], sort_keys=True),
        "warnings": json.dumps([w.as_dict() for w in warnings[:MAX_STORED_WARNINGS]]),
        "warnings_total": len(warnings),
    }


def _with_warnings(report: dict[str, Any], warnings: list[ReportWarning]) -> dict[str, Any]:
    report["warnings"] = [w.as_dict() for w in warnings]
    report["warnings_total"] = len(warnings)
    return report


_RUN_JSON = ("counts", "diff", "warnings", "pruned", "model_properties")


def _run_view(props: dict[str, Any]) -> dict[str, Any]:
    out = dict(props)
    for key in _RUN_JSON:
        if isinstance(out.get(key), str):
            out[key] = json.loads(out[key])
    return out


def list_runs(
    store: GraphStore, *, source: str | None = None, limit: int = 20
) -> list[dict[str, Any]]:
    """Recorded import runs, newest first."""
    return [
        _run_view(r["props"]) for r in _read(store, cypher.LIST_RUNS, source=source, limit=limit)
    ]


def get_run(store: GraphStore, run_id: str) -> dict[str, Any] | None:
    records = _read(store, cypher.GET_RUN, id=run_id)
    return _run_view(records[0]["props"]) if records else None
