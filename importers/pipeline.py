"""The import pipeline: parse → transform → diff → load, one source at a time.

`run_import` is what the CLI, the REST upload and the GraphQL mutation call. Loading is
one `GraphStore.write`: the changed nodes and relationships go through the store's
upserts, and its `also` step (same transaction) relabels retyped nodes, replaces
relationships whose ends changed, prunes (only with `prune`, only this source) and
records the `ImportRun` and the row digests of what the source now holds
(`importers.digests`). Any failure rolls all of it back, so a retry starts from the
graph as it was.

What the source holds is read from the graph only when the digests the last import
stored no longer describe it (the model changed since, the mapping changed, or there
are none): a change import onto an unchanged model compares digests, and maps, checks
and writes only what differs. `run_import` reads the digests once the file is parsed,
before it is mapped: a row whose bytes, and all it depends on, are as the last import
read them is not mapped again (the mapping memo, `importers.transform`).

Concurrency: what the source holds is read before the write transaction (by
`run_import`, before the mapping); an edit to the same source's nodes in between is not
seen by this run (the next import corrects it: the digests it stores then say so).

The steps before this module's write live beside it: `importers.formats` (which format,
which parser), `importers.preparation` (parse and map, no database), `importers.holders`
(what the source holds, who else holds the ids it adds), `importers.runs` (the
`ImportRun` record and listing runs) and `importers.gc_tuning`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from neo4j import ManagedTransaction

from graph import cleanup, history
from graph import cypher as graph_cypher
from graph.model import now_iso
from graph.store import BATCH_SIZE, ConflictError, GraphStore, WriteBatch, WriteSummary
from importers import cypher, digests
from importers.diff import Comparison, DiffPlan
from importers.errors import ReportWarning
from importers.gc_tuning import during_import
from importers.holders import Holders, earlier_spelling, other_holders, source_holdings
from importers.mapping import Mapping
from importers.preparation import Prepared, Progress, once, prepare
from importers.runs import run_properties
from importers.transform import Memo, TransformResult

# Relationships mapped, compared and handed to the write at a time: small enough that
# Neo4j starts on them early, large enough that the hand-over costs nothing.
REL_CHUNK = 20_000


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


def _batched(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [rows[i : i + BATCH_SIZE] for i in range(0, len(rows), BATCH_SIZE)]


def _touch(
    tx: ManagedTransaction, *, source: str, run_id: str, diff: DiffPlan, prune: bool
) -> None:
    """Tell the history what the import's own step (`_run_in_tx`) is about to change; the
    store's upserts say what they change themselves."""
    history.describe(tx, action="import", ref=run_id, source=source)
    history.touch_nodes(tx, [node["id"] for _, _, node in diff["relabel"]])
    history.touch_relationships(tx, diff["replace_relationships"])
    history.touch_relationships(tx, [(r["type"], r["id"]) for r in diff["late_relationships"]])
    if prune:
        history.touch_relationships(tx, diff["remove_relationships"])
        history.touch_nodes(tx, diff["remove_nodes"], attached=True)


def _run_in_tx(
    tx: ManagedTransaction,
    *,
    source: str,
    diff: DiffPlan,
    prune: bool,
    run_props: dict[str, Any],
    pruned: dict[str, int],
    stored: WriteSummary,
) -> None:
    """The import's own step inside the store's write transaction (see module doc); what
    it writes is counted into `stored`."""
    now = now_iso()
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for old, new, node in diff["relabel"]:
        groups[(old, new)].append(node)
    for (old, new), nodes in groups.items():
        for batch in _batched(nodes):
            tx.run(cypher.relabel(old, new), ids=[n["id"] for n in batch], source=source).consume()
            rows = [{"id": n["id"], "props": n["props"]} for n in batch]
            tx.run(graph_cypher.upsert_nodes(new), rows=rows, now=now).consume()
        stored.nodes[new] = stored.nodes.get(new, 0) + len(nodes)
    replaced: dict[str, list[str]] = defaultdict(list)
    for rel_type, rel_id in diff["replace_relationships"]:
        replaced[rel_type].append(rel_id)
    for rel_type, ids in replaced.items():
        tx.run(
            cleanup.delete_relationships(rel_type, by_source=True), ids=ids, source=source
        ).consume()
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
        stored.relationships[rel_type] = stored.relationships.get(rel_type, 0) + len(rows)
    if prune:
        removed: dict[str, list[str]] = defaultdict(list)
        for rel_type, rel_id in diff["remove_relationships"]:
            removed[rel_type].append(rel_id)
        for rel_type, ids in removed.items():
            record = tx.run(
                cleanup.delete_relationships(rel_type, by_source=True), ids=ids, source=source
            ).single()
            pruned["relationships"] += int(record["deleted"]) if record else 0
        ids = diff["remove_nodes"]
        for i in range(0, len(ids), BATCH_SIZE):
            record = tx.run(
                cleanup.delete_elements(by_source=True), ids=ids[i : i + BATCH_SIZE], source=source
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
    memo = StoredMemo(lambda: store)
    prepared = prepare(
        path,
        fmt=fmt,
        mapping_file=mapping_file,
        source=source,
        max_bytes=max_bytes,
        progress=progress,
        whole=False,  # the relationships are mapped while the elements are written
        memo=memo,
    )
    return apply_import(
        store,
        prepared,
        dry_run=dry_run,
        prune=prune,
        progress=progress,
        also=also,
        display_name=display_name,
        stored=memo.found,
    )


class StoredMemo:
    """`prepare`'s mapping memo from the digests the source's last import stored, read
    once the file is parsed: rows unchanged since are not mapped again. `store()` gives
    the store to read them from, or None to map every row (the CLI will not start a
    Neo4j only for this). `found`, what was read, goes to `apply_import` with the
    prepared model: the memo's records are valid only against those digests."""

    def __init__(self, store: Callable[[], GraphStore | None]) -> None:
        self._store = store
        self.store: GraphStore | None = None  # the store read from, if any
        self.found: digests.Stored | None = None

    def __call__(self, mapping: Mapping, key: str) -> Memo:
        self.store = self._store()
        if self.store is None:
            return Memo({}, {})
        self.found = digests.read(self.store, key, digests.version(mapping))
        return self.found.memo or Memo({}, {})


class _Rest(NamedTuple):
    """What `apply_import` works out after the relationships: the whole transform and diff."""

    result: TransformResult
    diff: DiffPlan
    warnings: list[ReportWarning]
    views: list[dict[str, Any]]  # the view nodes to write
    new_views: set[str]  # of which nobody holds these
    digests: tuple[bytes, bytes, bytes] | None  # what the source holds after the write (not dry)


@during_import
def apply_import(
    store: GraphStore,
    prepared: Prepared,
    *,
    dry_run: bool = False,
    prune: bool = False,
    progress: Progress | None = None,
    also: Callable[[ManagedTransaction], None] | None = None,
    display_name: str | None = None,
    stored: digests.Stored | None = None,
) -> dict[str, Any]:
    """Compare a prepared model with the graph and write the difference (see `run_import`).

    `stored`: the digests as read for `prepared`'s mapping memo (else read here); the
    records the memo held are only valid against those.

    The elements are compared, checked and written first. The rest of the model (mapping
    the relationships and views if `prepare` left them, comparing and checking them) is
    done chunk by chunk in `GraphStore.write`'s worker thread while Neo4j writes what
    came before.
    """
    key = prepared.source
    if progress is not None:
        progress("compare", 0, None)
    digest_version = digests.version(prepared.mapping)
    revision, held, _ = stored or digests.read(store, key, digest_version)
    existing_nodes, existing_rels = held if held is not None else source_holdings(store, key)
    comparison = Comparison(existing_nodes, existing_rels, by_digest=held is not None)
    holders = Holders(store, other_holders(store, existing_nodes, existing_rels))
    earlier = None if existing_nodes else earlier_spelling(store, key, prepared.model_id)
    if earlier is not None:
        holders.warnings.append(earlier)
    elements, added_elements = comparison.nodes(prepared.elements)
    holders.nodes(added_elements, {n["id"]: n["label"] for n in prepared.elements})

    @once
    def rest() -> _Rest:
        """After the last relationship: the views, the whole diff, the holders' verdict."""
        result = prepared.result
        views = result["nodes"][len(prepared.elements) :]
        view_writes, added_views = comparison.nodes(views)
        holders.nodes(added_views, {n["id"]: n["label"] for n in views})
        diff = comparison.finish(holders.held_nodes, holders.held_rels)
        holders.refuse_clashes(", ".join(names))
        warnings = [*result["warnings"], *holders.warnings]
        table = None
        if not dry_run:
            table = comparison.held_after(prune=prune, removed_nodes=diff["remove_nodes"]).encode()
        return _Rest(
            result, diff, warnings, view_writes, set(added_views) - holders.held_nodes, table
        )

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
    own = WriteSummary()  # what the import's own step writes (relabels, late relationships)

    def in_tx(tx: ManagedTransaction) -> None:
        nonlocal finished, own
        finished = now_iso()  # the model is written by now: only the run record is left
        for k in pruned:  # a retried transaction starts counting again
            pruned[k] = 0
        own = WriteSummary()
        done = rest()  # done by now: the write's batches ran before `also`
        run_props = run_properties(
            prepared,
            done.result,
            done.diff,
            done.warnings,
            names,
            prune=prune,
            finished=finished,
        )
        _touch(tx, source=key, run_id=prepared.run_id, diff=done.diff, prune=prune)
        _run_in_tx(
            tx,
            source=key,
            diff=done.diff,
            prune=prune,
            run_props=run_props,
            pruned=pruned,
            stored=own,
        )
        if done.digests is not None:
            digests.write(
                tx,
                source=key,
                digest_version=digest_version,
                read_revision=revision,
                encoded=done.digests,
            )
        if also is not None:
            also(tx)

    if progress is not None:
        progress("write", 0, None)
    nodes = [_node(n) for n in elements]
    try:
        summary = store.write(
            nodes, also=in_tx, new_nodes=set(added_elements) - holders.held_nodes, then=batches
        )
    except ConflictError:
        # Another import created some of these ids after our diff was read (concurrent
        # imports of one model): nothing was written; MERGE everything instead. An id
        # truly held by another type conflicts again and is reported as before.
        done = compared()  # what the failed write had not compared yet
        summary = store.write(
            [_node(n) for n in done.diff["write_nodes"]],
            [_rel(r) for r in done.diff["write_relationships"]],
            also=in_tx,
        )
    report = _report(prepared, rest(), names, dry_run=False, prune=prune)
    report.update(finished_at=finished, pruned=dict(pruned), stored=_stored(summary, own))
    return report


def _stored(*parts: WriteSummary) -> dict[str, dict[str, int]]:
    """The records the write transaction wrote, by type: from the write's own counts, so
    the report says what was written, not what was planned."""
    out: dict[str, dict[str, int]] = {"nodes": {}, "relationships": {}}
    for part in parts:
        for kind, counts in (("nodes", part.nodes), ("relationships", part.relationships)):
            for name, n in counts.items():
                out[kind][name] = out[kind].get(name, 0) + n
    return {kind: dict(sorted(by.items())) for kind, by in out.items()}


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
        # Nothing written on a dry run; else replaced by the write's own counts.
        "stored": {"nodes": {}, "relationships": {}},
        "written": not dry_run,
        "finished_at": now_iso(),
    }
    return _with_warnings(report, done.warnings)


def _with_warnings(report: dict[str, Any], warnings: list[ReportWarning]) -> dict[str, Any]:
    report["warnings"] = [w.as_dict() for w in warnings]
    report["warnings_total"] = len(warnings)
    return report
