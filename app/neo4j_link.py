"""Where the service finds Neo4j: NEO4J_URI as configured, or else the local Neo4j's state
file (`graph.local_neo4j`), read again whenever Neo4j stops answering.

After a crash, `valuegraph neo4j start` may bring the local Neo4j back on another port; the
service follows it there by moving its store onto a new driver, without a restart.
"""

from __future__ import annotations

import logging
import threading

from app.settings import Settings
from graph.local_neo4j import LocalNeo4j
from graph.store import GraphStore

log = logging.getLogger(__name__)


class Neo4jLink:
    """The URI the service's store is connected to, and how to find it again."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.local = None if settings.neo4j_uri else LocalNeo4j(settings.local_neo4j_home)
        self.uri = settings.neo4j_uri or (self.local.uri if self.local else None)
        self._lock = threading.Lock()

    def connect(self) -> GraphStore:
        if not self.uri:
            raise RuntimeError(
                "NEO4J_URI is not set and no local Neo4j has run under "
                f"{self.settings.local_neo4j_home}; `valuegraph serve` starts one"
            )
        return self._store(self.uri)

    def _store(self, uri: str) -> GraphStore:
        s = self.settings
        # A short retry time: requests fail fast (503) while Neo4j is away.
        return GraphStore.connect(
            uri,
            s.neo4j_user,
            s.neo4j_password,
            s.neo4j_database,
            timeout=s.query_timeout_s,
            retry_time=2.0,
        )

    def follow(self, store: GraphStore) -> bool:
        """Move STORE onto the local Neo4j's current address if it has moved; True if so.

        A fixed NEO4J_URI is never changed: the driver reconnects to it by itself.
        """
        if self.local is None:
            return False
        with self._lock:
            uri = self.local.uri
            if not uri or uri == self.uri:
                return False
            # The store object stays (routes, the live index and GraphQL hold it); its driver
            # is replaced, and the old one closed once no request is handed it any more.
            old = store.driver
            moved = self._store(uri)
            store.driver, store.address = moved.driver, moved.address
            log.warning("local Neo4j moved from %s to %s; reconnected", self.uri, uri)
            self.uri = uri
        old.close()
        return True
