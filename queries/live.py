"""The live model's walk index, kept in step with Neo4j for the service's impact walks.

Every transaction that changes the model counts a new revision (`GraphStore.revision`).
A question asks for `LiveIndex.reader()`: when the index was built at the revision Neo4j
holds now, the walk runs on it (`queries.walk_index`); otherwise the question reads
Neo4j as it always could (`queries.impact.StoreReader`) while a background thread builds
a new index. Answers are therefore never stale: the only cost of a change is that the
next questions walk in Cypher until the rebuild (seconds on 100,000 elements) is done.
Changes made to Neo4j around valuegraph (cypher-shell) do not count a revision; they
are seen after the next change made through valuegraph, or a restart.

The index is also what the present model's other walks may use in this process
(`current_index`): a scenario comparison's base impact is the present model's impact.
The widest recent impact walks on the index are kept with it (`walk_impact`): an impact
asked and then compared in a scenario (what if it were removed?) is walked once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from weakref import WeakKeyDictionary, ref

from graph.store import GraphStore
from queries import impact as im
from queries.impact import ImpactReader, StoreReader
from queries.present import table_key
from queries.walk_index import WalkIndex

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexStatus:
    enabled: bool
    revision: str | None  # of the index held, if any
    elements: int | None
    building: bool
    built_in_s: float | None
    error: str | None  # why the last build failed, if it did


# The live index of each store in this process (none in an analysis worker: it walks its
# own model there).
_LIVE: WeakKeyDictionary[GraphStore, LiveIndex] = WeakKeyDictionary()


def current_index(store: GraphStore, revision: str) -> WalkIndex | None:
    """The store's live walk index if this process holds one built at `revision` (the
    present model's, read with it), else None; never builds or waits."""
    live = _LIVE.get(store)
    index = live._index if live is not None and live.enabled else None
    return index if index is not None and index.revision == revision else None


class LiveIndex:
    def __init__(self, store: GraphStore, *, enabled: bool = True) -> None:
        self.store = store
        self.enabled = enabled
        self._index: WalkIndex | None = None
        if enabled:
            _LIVE[store] = self
        self._lock = threading.Lock()
        self._building = False
        self._built = threading.Condition(self._lock)
        self._built_in_s: float | None = None
        self._error: str | None = None

    def reader(self) -> ImpactReader:
        """The index if it is current, else Cypher on the store (and a rebuild starts)."""
        if not self.enabled:
            return StoreReader(self.store)
        index = self._index
        if index is not None and index.revision == self.store.revision():
            return index
        self.refresh()
        return StoreReader(self.store)

    def refresh(self) -> None:
        """Start building a new index in the background, unless one is being built."""
        if not self.enabled:
            return
        with self._lock:
            if self._building:
                return
            self._building = True
        threading.Thread(target=self._build, name="walk-index", daemon=True).start()

    def _build(self) -> None:
        started = time.perf_counter()
        index: WalkIndex | None = None
        error: str | None = None
        try:
            index = WalkIndex.load(self.store)
        except Exception as exc:  # Neo4j away, driver closed: the questions use Cypher
            error = f"{type(exc).__name__}: {exc}"
            log.warning("could not build the walk index (%s); impact walks use Cypher", error)
        with self._lock:
            # Builds run one at a time, so the latest read the latest model.
            if index is not None:
                self._index = index
                self._built_in_s = round(time.perf_counter() - started, 3)
                log.info(
                    "walk index built: %d elements at revision %s in %.1f s",
                    len(index),
                    index.revision,
                    self._built_in_s,
                )
            self._error = error
            self._building = False
            self._built.notify_all()

    def wait(self, timeout: float) -> bool:
        """Until the index is current (building it if need be); False if `timeout` passes
        first. For benchmarks and tests: the service never waits."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if isinstance(self.reader(), WalkIndex):
                return True
            with self._lock:
                if self._building:
                    self._built.wait(timeout=max(0.0, min(1.0, deadline - time.monotonic())))
        return False

    def status(self) -> IndexStatus:
        index = self._index
        return IndexStatus(
            enabled=self.enabled,
            revision=index.revision if index else None,
            elements=len(index) if index else None,
            building=self._building,
            built_in_s=self._built_in_s,
            error=self._error,
        )


# Impact walks on the index reaching at least this many elements are kept (`walk_impact`):
# narrower ones take milliseconds to walk again.
KEPT_WALK_MIN = 2_000
# At most this many reached elements, summed over the walks kept (the oldest go first): a
# walk reaching half of a 100,000-element model holds ~11 MiB of distances, hops and
# names before its pages are made.
KEPT_WALK_REACH = 120_000
_kept_lock = threading.Lock()
_kept_of: ref[WalkIndex] | None = None  # the index the kept walks were walked on
_kept: OrderedDict[Hashable, im.ImpactWalk] = OrderedDict()


def walk_impact(
    reader: GraphStore | ImpactReader, element: str, options: im.WalkOptions | None = None
) -> im.ImpactWalk:
    """`queries.impact.walk_impact`; on a walk index, the widest recent walks are kept
    with it (an index is one revision's, so a kept walk is never stale): the impact
    question and a scenario comparison's base side share them. Treat the walk as read-only
    (its pages are made from it as asked)."""
    options = options or im.WalkOptions()
    if not isinstance(reader, WalkIndex):
        return im.walk_impact(reader, element, options)
    global _kept_of
    key = (reader.resolve(element).id, options.max_depth, table_key(options.table))
    with _kept_lock:
        if _kept_of is None or _kept_of() is not reader:
            _kept.clear()  # another revision's: dropped as soon as a new index walks
            _kept_of = ref(reader)
        kept = _kept.get(key)
        if kept is not None:
            _kept.move_to_end(key)
            return kept
    walked = im.walk_impact(reader, element, options)
    if len(walked.distance) < KEPT_WALK_MIN:
        return walked
    with _kept_lock:
        if _kept_of is None or _kept_of() is not reader:
            return walked  # a newer index walks now
        _kept[key] = walked
        while len(_kept) > 1 and sum(len(w.distance) for w in _kept.values()) > KEPT_WALK_REACH:
            _kept.popitem(last=False)
    return walked
