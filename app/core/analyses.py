"""The whole-model analyses in worker processes, so the service's interpreter stays free.

Health, bottleneck rankings, scenario comparisons and the questions asked of another
moment are CPU-bound Python on a model of the whole graph. Run in the service's process
they hold its interpreter (the GIL) while every other request, `/healthz` included, waits
its turn for it. `AnalysisPool` runs them in a few worker processes instead (one per
question slot): each worker opens its own store on the same Neo4j (`StoreAddress`) and
keeps its own present model and answers per revision (`queries.present`), so the service
sends only the question and gets back the answer (pickled), together with the kept answers
the worker used, which the service keeps too (`queries.present.keep`). A kept answer is
therefore still served by the service itself, without a slot or a worker.

A question keeps its wall-clock limit: the worker runs it under what is left of it (504
with the same advice), and the service waits that long plus `GRACE_S`; a worker that does
not answer by then is killed and replaced, and the question is answered 504. A worker
that dies while answering is replaced and the question answered 503 with Retry-After
(`WorkerLost`). A worker whose memory grew past `max_mib` after a question is retired and
a new one started when next needed; an idle worker collects its garbage and returns free
memory to the system (as `app.core.memory.Tidy` does for the service).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import pickle
import queue
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from app.core.limits import Busy
from app.core.memory import malloc_trim
from graph.store import GraphStore, StoreAddress
from queries import budget, present

log = logging.getLogger(__name__)

T = TypeVar("T")

GRACE_S = 5.0  # past a question's limit, before its worker is taken for hung
UNLIMITED_WAIT_S = 600.0  # a call without a time limit (warming answers) waits this long
TIDY_AFTER_S = 1.0  # an idle worker collects and trims after this long
START_RETRY_AFTER_S = 2  # a new worker imports the analyses: about this long
# The kept answers sent back with an answer: those the service serves before admission
# (app.core.limits.KEPT). Projections and checked operations stay in the worker.
SENT_BACK = frozenset({"health", "bottlenecks", "scenario comparison"})
# The service keeps the scenarios' answers it is sent; the worker keeps only the latest
# (a comparison's base side is the present model's own answers, kept in full).
WORKER_SCENARIO_ANSWERS = 2


class _Store:
    """Stands for the worker's own store in a question's arguments."""

    def __reduce__(self) -> str:
        return "STORE"  # unpickled as this module's STORE, in whichever process


STORE = _Store()


class WorkerLost(Busy):
    """The analysis worker stopped while answering; a new one is starting."""

    def __init__(self, exitcode: int | None) -> None:
        super().__init__(START_RETRY_AFTER_S)
        self.args = (
            f"the analysis worker stopped (exit code {exitcode}) while answering; "
            f"a new one is starting: try again in {START_RETRY_AFTER_S} s",
        )


# -- in the worker process ------------------------------------------------------------


def _rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _portable(exc: BaseException) -> tuple[Any, ...]:
    """`exc` as something pickle can carry back: its class, args and attributes (its
    `__init__` is not called again, so any exception survives), else its text."""
    carried = (type(exc), exc.args, dict(getattr(exc, "__dict__", {})))
    try:
        pickle.dumps(carried)
    except Exception:
        return (RuntimeError, (f"{type(exc).__name__}: {exc}",), {})
    return carried


def _rebuilt(carried: tuple[Any, ...]) -> BaseException:
    cls, args, state = carried
    exc: BaseException = cls.__new__(cls)
    exc.args = args
    exc.__dict__.update(state)
    return exc


def _serve(conn: Connection) -> None:
    """The worker's loop: a question in, its answer (or failure) out, until told to stop."""
    stores: dict[StoreAddress, GraphStore] = {}
    trim = malloc_trim()
    present.MAX_SCENARIO_ANSWERS = WORKER_SCENARIO_ANSWERS  # this process's bound only
    while True:
        if not conn.poll(TIDY_AFTER_S):
            gc.collect()
            trim()
        try:
            task = conn.recv()
        except EOFError:  # the service is gone
            break
        if task is None:
            break
        fn, args, kwargs, address, limit = task
        store = stores.get(address)
        if store is None:
            for old in stores.values():
                old.close()  # Neo4j moved: only the new address is asked from now on
            stores = {address: address.connect()}
            store = stores[address]
        args = tuple(store if a is STORE else a for a in args)
        with present.collecting(SENT_BACK) as used:
            try:
                if limit is None:
                    reply: tuple[str, Any] = ("ok", fn(*args, **kwargs))
                else:
                    left, seconds, advice = limit
                    with budget.time_limit(seconds, advice, left=left):
                        reply = ("ok", fn(*args, **kwargs))
            except Exception as exc:
                reply = ("error", _portable(exc))
        try:
            conn.send((reply, used, _rss_mib()))
        except Exception as exc:  # an answer pickle cannot carry
            conn.send((("error", _portable(exc)), [], _rss_mib()))


# -- in the service ---------------------------------------------------------------------


class _Hung(Exception):
    pass


class _Died(Exception):
    def __init__(self, exitcode: int | None) -> None:
        self.exitcode = exitcode


class _Worker:
    def __init__(self, context: multiprocessing.context.BaseContext) -> None:
        self.conn, child = context.Pipe()
        self.process: BaseProcess = context.Process(  # type: ignore[attr-defined]
            target=_serve, args=(child,), name="valuegraph-analysis", daemon=True
        )
        self.process.start()
        child.close()

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def ask(self, task: tuple[Any, ...], wait_s: float) -> tuple[Any, ...]:
        # Pickled whole before a byte is written: a pickling error sends nothing.
        try:
            self.conn.send(task)
        except OSError:  # died since it was last seen alive
            self.process.join(1.0)
            raise _Died(self.process.exitcode) from None
        try:
            if not self.conn.poll(wait_s):
                raise _Hung()
            reply: tuple[Any, ...] = self.conn.recv()
        except (EOFError, OSError):
            self.process.join(1.0)
            raise _Died(self.process.exitcode) from None
        return reply

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(2.0)
        self.kill()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5.0)
        self.conn.close()


class AnalysisPool:
    """`workers` analysis processes, started when first needed, each asked one question at
    a time (the question gate bounds how many are asked at once)."""

    def __init__(self, workers: int, max_mib: float) -> None:
        self.max_mib = max_mib
        self._context = multiprocessing.get_context("spawn")
        self._free: queue.Queue[_Worker | None] = queue.Queue()
        for _ in range(workers):
            self._free.put(None)  # a place for a worker, not started yet
        self._all: set[_Worker] = set()
        self._asking: set[_Worker] = set()  # answering a question now
        self._lock = threading.Lock()
        self.replaced = 0  # workers that died or hung and were replaced

    def pids(self) -> list[int]:
        """The worker processes running now (the benchmark counts their memory)."""
        with self._lock:
            return [w.pid for w in self._all if w.pid is not None and w.process.is_alive()]

    def asking(self) -> list[int]:
        """The workers answering a question now."""
        with self._lock:
            return [w.pid for w in self._asking if w.pid is not None]

    def can_reach(self, store: object) -> bool:
        return isinstance(store, GraphStore) and store.address is not None

    def call(self, fn: Callable[..., T], store: GraphStore, *args: Any, **kwargs: Any) -> T:
        """`fn(store, *args, **kwargs)` answered by a worker, within the current question's
        time limit (`queries.budget`); the answers it used are kept here too."""
        assert store.address is not None
        limit = budget.remaining()
        wait_s = UNLIMITED_WAIT_S if limit is None else max(0.0, limit[0]) + GRACE_S
        task = (fn, (STORE, *args), kwargs, store.address, limit)
        worker = self._take(limit)
        with self._lock:
            self._asking.add(worker)
        try:
            reply = worker.ask(task, wait_s)
        except (pickle.PicklingError, TypeError, AttributeError):
            self._free.put(worker)  # not for a worker: the arguments do not pickle
            return fn(store, *args, **kwargs)
        except _Hung:
            self._lost(worker, "did not answer within the question's limit")
            seconds, advice = (limit[1], limit[2]) if limit else (UNLIMITED_WAIT_S, "")
            raise budget.OutOfTime(seconds, advice) from None
        except _Died as died:
            self._lost(worker, f"stopped (exit code {died.exitcode})")
            raise WorkerLost(died.exitcode) from None
        finally:
            with self._lock:
                self._asking.discard(worker)
        (status, value), used, rss = reply
        if rss > self.max_mib:
            log.info("analysis worker %s retired at %.0f MiB", worker.pid, rss)
            self._retire(worker)
        else:
            self._free.put(worker)
        for revision, key, answer in used:
            present.keep(store, revision, key, answer)
        if status == "error":
            raise _rebuilt(value)
        result: T = value
        return result

    def stop(self) -> None:
        with self._lock:
            workers, self._all = list(self._all), set()
        for w in workers:
            w.stop()

    def _take(self, limit: tuple[float, float, str] | None) -> _Worker:
        """A free worker (started if need be), waiting no longer than the question may."""
        try:
            worker = self._free.get(timeout=None if limit is None else max(0.0, limit[0]))
        except queue.Empty:
            assert limit is not None
            raise budget.OutOfTime(limit[1], limit[2]) from None
        if worker is not None and worker.process.is_alive():
            return worker
        if worker is not None:  # died while idle: replaced without troubling the question
            self._forget(worker)
            worker.kill()
        try:
            worker = _Worker(self._context)
        except BaseException:
            self._free.put(None)
            raise
        with self._lock:
            self._all.add(worker)
        return worker

    def _forget(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)

    def _lost(self, worker: _Worker, why: str) -> None:
        log.warning("analysis worker %s %s; replacing it", worker.pid, why)
        self.replaced += 1
        self._forget(worker)
        worker.kill()
        self._free.put(None)

    def _retire(self, worker: _Worker) -> None:
        self._forget(worker)
        self._free.put(None)
        threading.Thread(target=worker.stop, name="analysis-retire", daemon=True).start()
