"""The Neo4j store: the one write path of valuegraph, and the basic reads.

Writes go through `write()`, which validates endpoints against the schema and MERGEs
nodes then relationships (CREATEs those the caller has checked are new) in batches of
`UNWIND` rows inside a single managed transaction: either everything is written or
nothing is. The driver's managed
transactions retry transient errors (leader switches, deadlocks) with backoff.
"""

from __future__ import annotations

import functools
import logging
import queue
import re
import sys
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Final, Literal, NamedTuple, Protocol, TypeVar

import neo4j
from neo4j import Driver, GraphDatabase, ManagedTransaction, RoutingControl
from neo4j.exceptions import ConstraintError, Neo4jError, ServiceUnavailable, SessionExpired

from graph import cleanup, cypher, history
from graph.archimate import ALIASES, ELEMENTS
from graph.model import etag, node_view, now_iso, rel_view
from graph.schema import SCHEMA, Schema, UnknownTypeError

log = logging.getLogger(__name__)
_T = TypeVar("_T")

BATCH_SIZE = 5_000


class _StoreLimit(Enum):
    STORE = "store"


# A statement's time limit: seconds, None for none of ours, or STORE_LIMIT for the
# store's configured one (`GraphStore.timeout`).
STORE_LIMIT: Final = _StoreLimit.STORE
Limit = float | None | Literal[_StoreLimit.STORE]


class StoreError(Exception):
    """A write refused for a reason the user can act on; `details` name what and where."""

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.details = details or []


class ConflictError(StoreError):
    pass


class NotFoundError(StoreError):
    pass


class PreconditionFailed(StoreError):
    """The element changed since the caller read it: its entity tag is not one of those the
    caller's write was conditional on (HTTP `If-Match`)."""


class QueryTimeoutError(StoreError):
    """Neo4j stopped a query that ran past the configured time limit."""


class TransactionTooLarge(StoreError):
    """Neo4j refused a write for want of transaction memory (its
    `dbms.memory.transaction.total.max`): a large import is one transaction, all or
    nothing, so nothing of it was written."""

    CODE: Final = "Neo.TransientError.General.MemoryPoolOutOfMemoryError"

    @classmethod
    def raise_for(cls, exc: Exception) -> None:
        """Raise this (from `exc`) if `exc` is Neo4j running out of transaction memory."""
        if isinstance(exc, Neo4jError) and exc.code == cls.CODE:
            raise cls.of(exc) from exc

    @classmethod
    def of(cls, exc: Neo4jError) -> TransactionTooLarge:
        # Neo4j's message names the limit ("... more than the limit 1.0 GiB ..."): kept, to act on.
        limit = re.search(r"limit (\d[\d.]* ?[KMGT]?i?B)", exc.message or "")
        allowed = f" ({limit.group(1)})" if limit else ""
        return cls(
            "Neo4j refused the write: it needs more transaction memory than the server "
            f"allows{allowed}; nothing was written. Give Neo4j more: the local one with "
            "`valuegraph neo4j stop` then `valuegraph neo4j start --heap 8g --txmax 7g` "
            "(or VALUEGRAPH_LOCAL_NEO4J_TXMAX), your own server by raising "
            "dbms.memory.transaction.total.max."
        )


class NodeLike(Protocol):
    """What `GraphStore.write` reads of a node: a `NodeRecord`, or anything shaped like it."""

    @property
    def label(self) -> str: ...
    @property
    def id(self) -> str: ...
    @property
    def props(self) -> dict[str, Any]: ...


class RelLike(Protocol):
    """What `GraphStore.write` reads of a relationship (`RelRecord` or alike)."""

    @property
    def type(self) -> str: ...
    @property
    def id(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def props(self) -> dict[str, Any]: ...


def _managed(run: Callable[..., Any], work: Callable[..., _T], *args: Any) -> _T:
    """`session.execute_write`/`execute_read` (`run`) of `work`, safe when a statement fails.

    When Neo4j fails a statement inside a managed transaction, the driver (5.x and 6.x)
    hands the connection back to the pool at once (Neo4j has already rolled the
    transaction back), and then, as `work` raises, rolls back again on that same
    connection, which another thread may have taken meanwhile. Under concurrent writes
    that raced: a ResultFailedError in place of the 409's ConstraintError, or a thread
    spinning forever on the shared socket. The transaction is marked closed before such a
    failure (the ones the driver releases the connection on) leaves `work`, so the driver
    skips that rollback; its retries of transient errors are unchanged.
    """

    @functools.wraps(work)
    def closing(tx: ManagedTransaction, *a: Any) -> _T:
        try:
            return work(tx, *a)
        except (Neo4jError, ServiceUnavailable, SessionExpired) as exc:
            tx._closed_flag = True
            # Transient to the driver, but the same write fails the same way again: not
            # retried (each retry would send the whole transaction once more).
            TransactionTooLarge.raise_for(exc)
            raise

    try:
        answer: _T = run(closing, *args)
    except Neo4jError as exc:  # refused at commit rather than in a statement
        TransactionTooLarge.raise_for(exc)
        raise
    return answer


@dataclass
class WriteSummary:
    nodes: dict[str, int] = field(default_factory=dict)
    relationships: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.nodes.values()) + sum(self.relationships.values())


class WriteBatch(NamedTuple):
    """Records for `GraphStore.write`'s `then`, and which of them the caller knows are new."""

    nodes: Sequence[NodeLike] = ()
    rels: Sequence[RelLike] = ()
    new_nodes: AbstractSet[str] = frozenset()
    new_relationships: AbstractSet[tuple[str, str]] = frozenset()


def _batches(rows: Sequence[dict[str, Any]], size: int) -> Iterable[Sequence[dict[str, Any]]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


@dataclass(frozen=True)
class StoreAddress:
    """What `GraphStore.connect` was given: enough for another process to open a store on
    the same database (the analysis workers, app.core.analyses)."""

    uri: str
    user: str | None
    password: str | None
    database: str | None
    timeout: float | None
    retry_time: float

    def connect(self) -> GraphStore:
        return GraphStore.connect(
            self.uri,
            self.user,
            self.password,
            self.database,
            timeout=self.timeout,
            retry_time=self.retry_time,
        )


class GraphStore:
    """Holds a driver (passed in, never created here) and the database name."""

    def __init__(
        self,
        driver: Driver,
        database: str | None = None,
        schema: Schema = SCHEMA,
        *,
        timeout: float | None = None,
    ):
        self.driver = driver
        self.database = database
        self.schema = schema
        # Server-side limit per read/write statement (seconds); None = the server's default.
        self.timeout = timeout
        # How to reach the same database from another process (set by `connect`; None for
        # a store made on a driver it was handed).
        self.address: StoreAddress | None = None

    @classmethod
    def connect(
        cls,
        uri: str,
        user: str | None = None,
        password: str | None = None,
        database: str | None = None,
        *,
        timeout: float | None = None,
        retry_time: float = 15.0,
    ) -> GraphStore:
        """A store on a new driver. `retry_time` bounds the driver's retries of transient
        failures; a service keeps it short so requests fail fast (503) while Neo4j is away.
        """
        auth = (user, password or "") if user else None
        driver = GraphDatabase.driver(
            uri,
            auth=auth,
            connection_acquisition_timeout=10.0,
            max_transaction_retry_time=retry_time,
            # "label does not exist" hints on an empty graph are noise for users.
            notifications_min_severity="OFF",
        )
        store = cls(driver, database, timeout=timeout)
        store.address = StoreAddress(uri, user, password, database, timeout, retry_time)
        return store

    def close(self) -> None:
        self.driver.close()

    # -- the door to Neo4j ------------------------------------------------------------
    # Every statement valuegraph runs goes through these methods. `timeout` is the
    # server-side time limit in seconds: by default the store's own (`self.timeout`);
    # None runs without one of ours (the server's default), as imports and exports do.

    def _limit(self, timeout: Limit) -> float | None:
        return self.timeout if timeout is STORE_LIMIT else timeout

    @contextmanager
    def _time_limited(self, limit: float | None) -> Iterator[None]:
        """Report a statement Neo4j stopped at our time limit as a QueryTimeoutError."""
        try:
            yield
        except neo4j.exceptions.ClientError as exc:
            if limit is not None and exc.code and "TransactionTimedOut" in exc.code:
                raise QueryTimeoutError(
                    f"the query ran longer than the {limit:g} s limit and was stopped; "
                    "narrow it (lower depth, filters) or raise VALUEGRAPH_QUERY_TIMEOUT_S"
                ) from exc
            raise

    def _run(
        self,
        query: str,
        params: Mapping[str, Any] | None,
        routing: RoutingControl,
        timeout: Limit,
    ) -> list[neo4j.Record]:
        limit = self._limit(timeout)

        # Not `driver.execute_query`: its transaction function cannot be made safe for a
        # failing statement (see `_managed`), and a statement stopped at its time limit
        # fails.
        @neo4j.unit_of_work(timeout=limit)
        def work(tx: ManagedTransaction) -> list[neo4j.Record]:
            return list(tx.run(query, dict(params or {})))

        with self._time_limited(limit), self.driver.session(database=self.database) as session:
            run = session.execute_read if routing is RoutingControl.READ else session.execute_write
            return _managed(run, work)

    def read(
        self, query: str, params: Mapping[str, Any] | None = None, *, timeout: Limit = STORE_LIMIT
    ) -> list[neo4j.Record]:
        """Run one reading statement (routed to a reader) and return its records."""
        return self._run(query, params, RoutingControl.READ, timeout)

    def execute(
        self, query: str, params: Mapping[str, Any] | None = None, *, timeout: Limit = STORE_LIMIT
    ) -> list[neo4j.Record]:
        """Run one writing statement (routed to the writer) and return its records.

        For what lives beside the model (scenarios, tokens, the audit log, the schema):
        elements and their relationships are written through `write`.
        """
        return self._run(query, params, RoutingControl.WRITE, timeout)

    def stream(
        self, query: str, params: Mapping[str, Any] | None = None, *, timeout: Limit = STORE_LIMIT
    ) -> Iterator[neo4j.Record]:
        """The records of one reading statement as they arrive, without holding them all
        (an export); the session stays open until the iterator is exhausted or closed."""
        limit = self._limit(timeout)
        with (
            self._time_limited(limit),
            self.driver.session(database=self.database, default_access_mode="READ") as session,
        ):
            yield from session.run(neo4j.Query(query, timeout=limit), dict(params or {}))

    def read_together(
        self, *queries: tuple[str, Mapping[str, Any]], timeout: Limit = STORE_LIMIT
    ) -> list[list[neo4j.Record]]:
        """Several reads in one transaction, so they see one state of the graph."""
        limit = self._limit(timeout)

        @neo4j.unit_of_work(timeout=limit)
        def work(tx: ManagedTransaction) -> list[list[neo4j.Record]]:
            return [list(tx.run(query, dict(params))) for query, params in queries]

        with self._time_limited(limit), self.driver.session(database=self.database) as session:
            return _managed(session.execute_read, work)

    def _change(
        self, query: str, /, touch: Callable[[ManagedTransaction], None], **params: Any
    ) -> list[neo4j.Record]:
        """Run a statement that changes the model and, when it matched something, count a
        new revision of the model and record the change in the same transaction. `touch`
        names what the statement is about to change (`graph.history`)."""

        @neo4j.unit_of_work(timeout=self.timeout)
        def work(tx: ManagedTransaction) -> list[neo4j.Record]:
            with history.recording(tx) as recorder:
                touch(tx)
                records = list(tx.run(query, params))
                if records:
                    recorder.commit(tx)
            return records

        with (
            self._time_limited(self.timeout),
            self.driver.session(database=self.database) as session,
        ):
            return _managed(session.execute_write, work)

    def transact(self, work: Callable[[ManagedTransaction], Any]) -> Any:
        """Run `work` in one managed write transaction (retried on transient errors): for
        what keeps its own records beside the model (the history's baseline and pruning)."""
        with self.driver.session(database=self.database) as session:
            return _managed(session.execute_write, work)

    def revision(self) -> str:
        """The model's revision: it changes whenever elements or relationships do."""
        return str(self.read(cypher.GET_REVISION)[0]["revision"])

    def probe(self) -> tuple[bool, int | None]:
        """Whether Neo4j answers, and the schema version it holds, in one round trip: an
        auto-commit read, never retried, so a health check fails fast when Neo4j is away
        and costs little when it is not (a connectivity check and a managed read took
        about four round trips, each a wait for the interpreter on a busy server)."""
        try:
            with self.driver.session(database=self.database, default_access_mode="READ") as session:
                record = session.run(cypher.GET_SCHEMA_VERSION).single()
        except Exception:  # any failure means "not reachable" to a health check
            return False, None
        return True, (record["version"] if record is not None else None)

    # -- schema --------------------------------------------------------------------

    def ensure_schema(self) -> int:
        """Apply constraints and indexes idempotently; records the schema version applied."""
        current = self.schema_version()
        if current == self.schema.version:
            return current
        for stmt in [*cypher.schema_statements(self.schema), *history.schema_statements()]:
            self.execute(stmt)
        self.execute("CALL db.awaitIndexes(300)")
        # Before the version is set: a start-up stopped in between writes it next time.
        self.transact(history.write_baseline)
        self.execute(cypher.SET_SCHEMA_VERSION, {"version": self.schema.version, "now": now_iso()})
        log.info("applied graph schema version %s (was %s)", self.schema.version, current)
        return self.schema.version

    def schema_version(self) -> int | None:
        records = self.read(cypher.GET_SCHEMA_VERSION)
        return records[0]["version"] if records else None

    # -- the write path ----------------------------------------------------------------

    def write(
        self,
        nodes: Sequence[NodeLike] = (),
        rels: Sequence[RelLike] = (),
        *,
        also: Callable[[ManagedTransaction], None] | None = None,
        new_nodes: AbstractSet[str] = frozenset(),
        new_relationships: AbstractSet[tuple[str, str]] = frozenset(),
        then: Callable[[], Iterable[WriteBatch]] | None = None,
    ) -> WriteSummary:
        """Upsert nodes and relationships in one transaction (all or nothing).

        `also` runs inside the same transaction after the upserts (an importer's prune
        and import-run record), so it commits or rolls back with them.

        `new_nodes` (ids) and `new_relationships` ((type, id)) name records the caller
        has checked are not in the graph (an import's additions): they are CREATEd, which
        is what the MERGE would do for them, without looking each id up first. Should one
        exist after all, the id constraints fail the write as a conflict.

        `then` is iterated in a worker thread while Neo4j writes: each batch it yields is
        written as soon as it comes, in the same transaction, so an import maps the rest
        of a model while the first part is written. A relationship is written once both
        its ends are: with its batch when they are nodes of this write so far, else at
        the end (after the ends read from the graph are checked). Should `then` raise,
        nothing is written and its error is raised here.
        """
        first = _node_rows(self.schema, nodes, new_nodes)
        planner = _Planner(self.schema, {n.id: n.label for n in nodes})
        now = now_iso()
        handover: queue.Queue[_Batch | None] = queue.Queue()
        stop = threading.Event()

        def plan() -> None:
            """The worker: plans each batch and hands it over to the writing thread."""
            try:
                handover.put(
                    planner.plan(WriteBatch(rels=rels, new_relationships=new_relationships))
                )
                for batch in then() if then is not None else ():
                    if stop.is_set():
                        return
                    handover.put(planner.plan(batch))
            finally:
                handover.put(None)

        received: list[_Batch] = []  # replayed when the driver retries the transaction
        ended = False

        def batches() -> Iterator[_Batch]:
            nonlocal ended
            yield from list(received)
            while not ended:
                batch = handover.get()
                if batch is None:
                    ended = True
                    return
                received.append(batch)
                yield batch

        def work(tx: ManagedTransaction, planned: Future[None]) -> WriteSummary:
            summary = WriteSummary()
            with history.recording(tx) as recorder:
                self._write_nodes(tx, first, now, summary)
                for batch in batches():
                    self._write_nodes(tx, batch.nodes, now, summary)
                    self._write_rels(tx, batch.rels, summary)
                planned.result()  # the worker's error, if it had one
                self._write_rels(tx, self._check_endpoints(tx, planner), summary)
                if also is not None:
                    also(tx)
                recorder.commit(tx)  # also counts the model's new revision
            return summary

        # The rows (and the in-memory half of the endpoint check, and whatever `then`
        # does) are made in a thread while Neo4j writes: the driver waits for Neo4j
        # without holding the GIL, so the Python work and Neo4j's overlap.
        with (
            _prompt_switching(),
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="write-plan") as pool,
        ):
            planned = pool.submit(plan)
            try:
                with self.driver.session(database=self.database) as session:
                    return _managed(session.execute_write, work, planned)
            except ConstraintError as exc:
                # Neo4j's message names its internal node ids and labels: logged, not answered.
                log.info("write refused by a constraint: %s", exc.message)
                raise ConflictError(
                    "an id is already used by an element of another type or another relationship"
                ) from exc
            finally:
                stop.set()  # a failed write need not wait for the rest of `then`

    @staticmethod
    def _write_nodes(
        tx: ManagedTransaction, groups: _Rows, now: str, summary: WriteSummary
    ) -> None:
        for (label, create), rows in groups.items():
            query = cypher.create_nodes(label) if create else cypher.upsert_nodes(label)
            for batch in _batches(rows, BATCH_SIZE):
                if create:
                    history.created_nodes(tx, label, batch, now)
                else:
                    history.touch_nodes(tx, [r["id"] for r in batch])
                tx.run(query, rows=batch, now=now).consume()
            summary.nodes[label] = summary.nodes.get(label, 0) + len(rows)

    @staticmethod
    def _write_rels(tx: ManagedTransaction, groups: _Rows, summary: WriteSummary) -> None:
        for (rel_type, create), rows in groups.items():
            query = (
                cypher.create_relationships(rel_type)
                if create
                else cypher.upsert_relationships(rel_type)
            )
            for batch in _batches(rows, BATCH_SIZE):
                if create:
                    history.created_relationships(tx, rel_type, batch)
                else:
                    history.touch_relationships(tx, [(rel_type, r["id"]) for r in batch])
                tx.run(query, rows=batch).consume()
            count = summary.relationships.get(rel_type, 0) + len(rows)
            summary.relationships[rel_type] = count

    def _check_endpoints(self, tx: ManagedTransaction, planner: _Planner) -> _Rows:
        """Refuse relationships whose ends are missing or of types the schema does not link;
        returns the rows of those written last (`planner.pending`).

        `planner.written` holds the nodes upserted in this transaction: their MERGE
        succeeded on the same labels (another type would have failed the Element id
        constraint), so only the other ends (`planner.pending`'s) are read from the graph.
        """
        labels = dict(planner.written)
        ends = {end for _, r, _ in planner.pending for end in (r.source, r.target)}
        ids = sorted(ends - labels.keys())
        for batch in _batches([{"id": i} for i in ids], BATCH_SIZE):
            result = tx.run(cypher.ENDPOINT_LABELS, ids=[b["id"] for b in batch])
            labels.update({rec["id"]: rec["label"] for rec in result})
        problems = list(planner.problems)
        rows: _Rows = defaultdict(list)
        for index, r, create in planner.pending:
            missing = [end for end in (r.source, r.target) if end not in labels]
            if missing:
                problems.append(
                    (
                        index,
                        {"relationship": r.id, "msg": f"unknown node id(s): {', '.join(missing)}"},
                    )
                )
            elif not self.schema.rel(r.type).allows(labels[r.source], labels[r.target]):
                problems.append((index, _not_linked(r, labels[r.source], labels[r.target])))
            else:
                rows[(r.type, create)].append(_rel_row(r))
        if problems:
            listed = [p for _, p in sorted(problems, key=lambda ip: ip[0])]
            shown = "; ".join(f"{p['relationship']}: {p['msg']}" for p in listed[:5])
            more = f" (and {len(listed) - 5} more)" if len(listed) > 5 else ""
            raise StoreError(f"{len(listed)} invalid relationship(s): {shown}{more}", listed)
        return rows

    # -- nodes -------------------------------------------------------------------------

    def get_node(self, node_id: str) -> dict[str, Any] | None:
        records = self.read(cypher.GET_NODE, {"id": node_id})
        return node_view(records[0]["label"], records[0]["props"]) if records else None

    def nodes_by_ids(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        records = self.read(cypher.NODES_BY_IDS, {"ids": list(ids)})
        return {r["props"]["id"]: node_view(r["label"], r["props"]) for r in records}

    def list_nodes(
        self,
        *,
        labels: Sequence[str] | None = None,
        q: str | None = None,
        tag: str | None = None,
        source: str | None = None,
        archimate_types: Sequence[str] | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[dict[str, Any]], int]:
        for label in labels or ():
            self.schema.node(label)
        params = {
            "labels": list(labels) if labels else None,
            "q": q or None,
            "tag": tag,
            "source": source,
            "archimate_types": _archimate_types(archimate_types),
        }
        total = self.read(cypher.COUNT_NODES, params)[0]["total"]
        records = self.read(cypher.LIST_NODES, {**params, "limit": limit, "offset": offset})
        return [node_view(r["label"], r["props"]) for r in records], total

    def search(
        self,
        text: str,
        *,
        labels: Sequence[str] | None = None,
        archimate_types: Sequence[str] | None = None,
        limit: int = 20,
    ) -> list[dict[str, Any]]:
        """Type-ahead search: fulltext over name and description, prefix-matching each word."""
        for label in labels or ():
            self.schema.node(label)
        kinds = _archimate_types(archimate_types)
        query = fulltext_query(text)
        if not query:
            return []
        records = self.read(
            cypher.SEARCH_NODES,
            {
                "query": query,
                "labels": list(labels) if labels else None,
                "archimate_types": kinds,
                "limit": limit,
            },
        )
        return [node_view(r["label"], r["props"]) for r in records]

    def patch_node(
        self, node_id: str, props: dict[str, Any], *, if_match: Sequence[str] | None = None
    ) -> dict[str, Any]:
        """Set `props` on the node; with `if_match`, only if its entity tag is among them
        (checked once the node is locked, in the write's transaction: no change can land
        between the check and the write), else `PreconditionFailed`."""

        def touch(tx: ManagedTransaction) -> None:
            history.touch_nodes(tx, [node_id])
            if if_match is not None:
                found = tx.run(cypher.GET_NODE, id=node_id).single()
                current = node_view(found["label"], found["props"]) if found else None
                _precondition(current, if_match, f"element {node_id!r}")

        records = self._change(
            cypher.PATCH_NODE,
            touch,
            id=node_id,
            props=props,
            now=now_iso(),
        )
        if not records:
            raise NotFoundError(f"no element with id {node_id!r}")
        return node_view(records[0]["label"], records[0]["props"])

    def delete_node(self, node_id: str) -> int:
        """Delete a node and its relationships; returns how many relationships went with it."""
        records = self._change(
            cleanup.DELETE_ELEMENT,
            lambda tx: history.touch_nodes(tx, [node_id], attached=True),
            id=node_id,
        )
        if not records:
            raise NotFoundError(f"no element with id {node_id!r}")
        return int(records[0]["rels"])

    def neighbours(self, keys: Sequence[tuple[str, str, bool, int]]) -> list[list[dict[str, Any]]]:
        """Neighbours for many (node id, relationship type, outgoing?, limit) keys in one
        query; each key gets at most `limit` neighbours, ordered by name."""
        for _, rel_type, _, _ in keys:
            self.schema.rel(rel_type)
        records = self.read(
            cypher.NEIGHBOURS,
            {"keys": [{"id": i, "type": t, "out": o, "limit": n} for i, t, o, n in keys]},
        )
        found = {
            (r["id"], r["type"], r["out"], r["limit"]): [
                node_view(i["label"], i["props"]) for i in r["items"]
            ]
            for r in records
        }
        return [found.get(k, []) for k in keys]

    # -- relationships -------------------------------------------------------------

    @staticmethod
    def claim_relationship_id(tx: ManagedTransaction, rel_id: str) -> None:
        """Refuse, inside a write, a relationship id used under two types.

        The per-type constraints cannot see across types, so this reads every type's index
        after taking the model's revision lock: two writes racing to use one id under two
        types meet here one after the other, and the second sees the first's relationship.
        """
        tx.run(cypher.LOCK_REVISION).consume()
        types = tx.run(cypher.RELATIONSHIP_ID_TYPES, id=rel_id).single(strict=True)["types"]
        if len(types) > 1:
            raise ConflictError(
                f"a relationship with id {rel_id!r} exists already ({', '.join(sorted(types))})"
            )

    @staticmethod
    def drop_others_into(
        tx: ManagedTransaction, rel_type: str, target: str, keep: str
    ) -> list[str]:
        """Inside a write: delete the `rel_type` relationships into `target` other than `keep`
        (recorded in the history like any delete); returns their ids."""
        ids = [
            r["id"]
            for r in tx.run(cypher.other_relationships_into(rel_type), target=target, keep=keep)
        ]
        if ids:
            history.touch_relationships(tx, [(rel_type, i) for i in ids])
            tx.run(cypher.delete_relationships_into(rel_type), target=target, ids=ids).consume()
        return ids

    def duplicate_relationship_ids(self, limit: int = 100) -> tuple[int, list[dict[str, Any]]]:
        """Relationship ids held by more than one relationship, across types: how many, and
        the first `limit` as {id, types} (sorted by id). Reads every relationship once."""
        records = self.read(
            cypher.DUPLICATE_RELATIONSHIP_IDS,
            {"types": list(self.schema.rel_types), "limit": limit},
            timeout=None,
        )
        row = records[0]
        return int(row["total"]), [
            {"id": d["id"], "types": sorted(d["types"])} for d in row["shown"]
        ]

    @staticmethod
    def _touch_relationship(rel_id: str) -> Callable[[ManagedTransaction], None]:
        def touch(tx: ManagedTransaction) -> None:
            types = tx.run(cypher.RELATIONSHIP_ID_TYPES, id=rel_id).single(strict=True)["types"]
            history.touch_relationships(tx, [(t, rel_id) for t in types])

        return touch

    def get_relationship(self, rel_id: str) -> dict[str, Any] | None:
        records = self.read(cypher.GET_REL, {"id": rel_id})
        if not records:
            return None
        r = records[0]
        return rel_view(r["type"], r["props"], r["source"], r["target"])

    def list_relationships(
        self,
        *,
        types: Sequence[str] | None = None,
        source: str | None = None,
        target: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[dict[str, Any]], int]:
        for t in types or ():
            self.schema.rel(t)
        params = {"types": list(types) if types else None, "source": source, "target": target}
        total = self.read(cypher.COUNT_RELS, params)[0]["total"]
        records = self.read(cypher.LIST_RELS, {**params, "limit": limit, "offset": offset})
        return [rel_view(r["type"], r["props"], r["source"], r["target"]) for r in records], total

    def patch_relationship(
        self, rel_id: str, props: dict[str, Any], *, if_match: Sequence[str] | None = None
    ) -> dict[str, Any]:
        """Set `props` on the relationship; `if_match` as for `patch_node`."""
        lock = self._touch_relationship(rel_id)

        def touch(tx: ManagedTransaction) -> None:
            lock(tx)
            if if_match is not None:
                r = tx.run(cypher.GET_REL, id=rel_id).single()
                current = rel_view(r["type"], r["props"], r["source"], r["target"]) if r else None
                _precondition(current, if_match, f"relationship {rel_id!r}")

        records = self._change(cypher.PATCH_REL, touch, id=rel_id, props=props)
        if not records:
            raise NotFoundError(f"no relationship with id {rel_id!r}")
        r = records[0]
        return rel_view(r["type"], r["props"], r["source"], r["target"])

    def delete_relationship(self, rel_id: str) -> None:
        records = self._change(
            cleanup.DELETE_RELATIONSHIP, self._touch_relationship(rel_id), id=rel_id
        )
        if not records or records[0]["deleted"] == 0:
            raise NotFoundError(f"no relationship with id {rel_id!r}")

    # -- whole graph -----------------------------------------------------------------

    def stats(self) -> dict[str, dict[str, int]]:
        nodes = {r["label"]: r["count"] for r in self.read(cypher.COUNT_BY_LABEL)}
        rels = {r["type"]: r["count"] for r in self.read(cypher.COUNT_BY_REL_TYPE)}
        return {
            "nodes": {label: nodes.get(label, 0) for label in self.schema.labels},
            "relationships": {t: rels.get(t, 0) for t in self.schema.rel_types},
        }

    def clear(self) -> None:
        """Delete every element, import run and scenario (tests, `valuegraph reset`);
        schema, tokens, the audit log and the history stay.

        Elements go a batch per transaction, each batch recorded as a `reset` change set of
        its own (one transaction for a whole large model would need its memory at once)."""
        reset = f"reset-{now_iso()}"

        def batch(tx: ManagedTransaction) -> int:
            with history.recording(tx) as recorder:
                history.describe(tx, action="reset", ref=reset)
                ids = [r["id"] for r in tx.run(cleanup.SOME_ELEMENT_IDS, limit=BATCH_SIZE)]
                if not ids:
                    return 0
                history.touch_nodes(tx, ids, attached=True)
                tx.run(cleanup.delete_elements(), ids=ids).consume()
                recorder.commit(tx)
            return len(ids)

        with self.driver.session(database=self.database) as session:
            while _managed(session.execute_write, batch):
                pass
            session.run(cleanup.CLEAR_MODEL).consume()
        self.execute(cypher.BUMP_REVISION)


def _precondition(current: Mapping[str, Any] | None, tags: Sequence[str], what: str) -> None:
    """Refuse a conditional write when what is stored now has none of the entity `tags`
    (`*`: anything stored). Nothing stored is left to the write, which answers not found."""
    if current is None:
        return
    now = etag(current)
    if "*" not in tags and now not in tags:
        raise PreconditionFailed(
            f"the {what} was changed by someone else since you read it (it is {now} now, "
            f"not {', '.join(tags) or 'what If-Match names'}): read it again, then make "
            "your change"
        )


class _Batch(NamedTuple):
    """A planned `WriteBatch`: node rows, and the rows of the relationships ready with it."""

    nodes: _Rows
    rels: _Rows


class _Planner:
    """Plans a write's batches in order (in its worker thread), remembering what the
    end of the write needs: the nodes written, the relationships to check against the
    graph (and write last), and the problems found."""

    def __init__(self, schema: Schema, written: dict[str, str]) -> None:
        self.schema = schema
        self.written = written  # id -> label of every node upserted so far
        self.pending: list[tuple[int, RelLike, bool]] = []  # (index, rel, create?)
        self.problems: list[tuple[int, dict[str, Any]]] = []
        self.seen: set[tuple[str, str]] = set()  # relationship keys planned so far
        self.count = 0  # relationships planned so far: problems are listed in order

    def plan(self, batch: WriteBatch) -> _Batch:
        written = self.written
        # An id in two batches is MERGEd the second time, never CREATEd twice.
        nodes = _node_rows(
            self.schema, batch.nodes, batch.new_nodes - written.keys(), earlier=written
        )
        written.update((n.id, n.label) for n in batch.nodes)
        return _Batch(nodes, self._plan_rels(batch.rels, batch.new_relationships))

    def _plan_rels(
        self, rels: Sequence[RelLike], new_relationships: AbstractSet[tuple[str, str]]
    ) -> _Rows:
        """Rows by (type, create?) of the relationships whose ends are both written so far
        (checked here: their labels are known without a read); the others wait."""
        keys = Counter((r.type, r.id) for r in rels)
        rows: _Rows = defaultdict(list)
        rel_types = {t: self.schema.rel(t) for t in {r.type for r in rels}}
        written, seen = self.written, self.seen
        for index, r in enumerate(rels, start=self.count):
            key = (r.type, r.id)
            create = key in new_relationships and keys[key] == 1 and key not in seen
            seen.add(key)
            source, target = written.get(r.source), written.get(r.target)
            if source is None or target is None:
                self.pending.append((index, r, create))
            elif not rel_types[r.type].allows(source, target):
                self.problems.append((index, _not_linked(r, source, target)))
            else:
                rows[(r.type, create)].append(_rel_row(r))
        self.count += len(rels)
        return rows


def _rel_row(r: RelLike) -> dict[str, Any]:
    return {"id": r.id, "source": r.source, "target": r.target, "props": r.props}


def _not_linked(r: RelLike, source: str, target: str) -> dict[str, Any]:
    return {"relationship": r.id, "msg": f"{r.type} may not link {source} to {target}"}


# While a write's worker thread computes, the thread driving Neo4j needs the GIL for a
# moment per reply. Python hands it over only every switch interval (5 ms by default):
# over the many replies of a large write that is seconds of Neo4j waiting for Python.
# Measured on 100k nodes written beside a busy thread: 3.6-4.0 s at 5 ms, 2.8-3.3 s at
# 0.5 ms, 2.6-2.8 s with no such thread.
PROMPT_SWITCH_INTERVAL = 0.0005
_switch_lock = threading.Lock()
_switch_users = 0
_switch_saved = sys.getswitchinterval()


@contextmanager
def _prompt_switching() -> Iterator[None]:
    """A short GIL switch interval for the block (nests, thread-safe)."""
    global _switch_users, _switch_saved
    with _switch_lock:
        if _switch_users == 0:
            _switch_saved = sys.getswitchinterval()
            sys.setswitchinterval(min(PROMPT_SWITCH_INTERVAL, _switch_saved))
        _switch_users += 1
    try:
        yield
    finally:
        with _switch_lock:
            _switch_users -= 1
            if _switch_users == 0:
                sys.setswitchinterval(_switch_saved)


# Rows by (label or type, create?): CREATE for the ids the caller knows are new.
_Rows = dict[tuple[str, bool], list[dict[str, Any]]]


def _node_rows(
    schema: Schema,
    nodes: Sequence[NodeLike],
    new: AbstractSet[str],
    *,
    earlier: Mapping[str, str] | None = None,
) -> _Rows:
    """Rows by (label, create?); refuses unknown labels and an id given two labels (here,
    or here and in `earlier`: id -> label of the nodes an earlier batch wrote)."""
    ids = Counter(n.id for n in nodes)
    groups: _Rows = defaultdict(list)
    for n in nodes:
        schema.node(n.label)
        create = n.id in new and ids[n.id] == 1
        groups[(n.label, create)].append({"id": n.id, "props": n.props})
    _refuse_duplicate_ids(nodes, earlier or {})
    return groups


def _refuse_duplicate_ids(nodes: Sequence[NodeLike], earlier: Mapping[str, str]) -> None:
    seen: dict[str, str] = {}
    problems = []
    for n in nodes:
        label = seen.get(n.id) or earlier.get(n.id)
        if label is not None and label != n.label:
            problems.append({"id": n.id, "msg": f"given as both {label} and {n.label}"})
        seen[n.id] = n.label
    if problems:
        raise ConflictError(f"{len(problems)} id(s) used for two types", problems)


_LUCENE_SPECIAL = set('+-&|!(){}[]^"~*?:\\/')


def fulltext_query(text: str) -> str:
    """Turn user text into a safe Lucene query: escaped words, each also matched as a prefix."""
    words = []
    for raw in text.lower().split()[:10]:  # lower case: AND/OR/NOT stay words
        word = "".join(f"\\{c}" if c in _LUCENE_SPECIAL else c for c in raw)
        if word:
            words.append(f"({word} OR {word}*)")
    return " AND ".join(words)


_ARCHIMATE_BY_LOWER = {
    **{name.lower(): name for name in ELEMENTS},
    **{alias.lower(): name for alias, name in ALIASES.items()},
}


def _archimate_types(names: Sequence[str] | None) -> list[str] | None:
    """ArchiMate element types to filter by, spelled as declared (any case accepted)."""
    if not names:
        return None
    out = []
    for name in names:
        known = _ARCHIMATE_BY_LOWER.get(name.strip().lower())
        if known is None:
            raise UnknownTypeError("ArchiMate element type", name, tuple(ELEMENTS))
        out.append(known)
    return out
