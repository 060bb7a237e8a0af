"""Before an import writes: what its source holds now, and who else holds the ids it adds.

Reads without a time limit of ours: a large source takes what it takes.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import neo4j

from graph.store import BATCH_SIZE, GraphStore
from importers import cypher
from importers.errors import ImportFailure, ReportWarning
from importers.identity import SOURCE_PREFIX, archimate_source


def _read(store: GraphStore, query: str, **params: Any) -> list[neo4j.Record]:
    return store.read(query, params, timeout=None)


def source_holdings(
    store: GraphStore, source: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The nodes and relationships `source` wrote, as the diff compares them."""
    nodes = [
        {"id": i, "label": label, "props": props}
        for i, label, props in _read(store, cypher.SOURCE_NODES, source=source)[0]["rows"]
    ]
    rels = [
        {"id": i, "type": t, "source": a, "target": b, "props": props}
        for i, t, a, b, props in _read(store, cypher.SOURCE_RELATIONSHIPS, source=source)[0]["rows"]
    ]
    return nodes, rels


def other_holders(
    store: GraphStore, existing_nodes: list[dict[str, Any]], existing_rels: list[dict[str, Any]]
) -> tuple[bool, set[str]]:
    """Whether the graph has elements of other holders, and which relationship types do.

    Counts come from Neo4j's count store (constant time): when the graph holds no more
    than this source's own, no id the import adds can be held by anyone else, and the
    id-by-id look-up of `Holders` can be skipped.
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


def earlier_spelling(store: GraphStore, source: str, model_id: str) -> ReportWarning | None:
    """A warning when the model was imported before its ids took Archi's exchange
    spelling (`importers.identity`): its elements sit under the source key of the id as
    the file wrote it, and this import does not replace them."""
    old = f"{SOURCE_PREFIX}{model_id}"
    if not model_id or old == source or source != archimate_source(model_id, ""):
        return None
    count = int(_read(store, cypher.COUNT_SOURCE_ELEMENTS, source=old)[0]["count"])
    if not count:
        return None
    return ReportWarning(
        "earlier-spelling",
        f"{count} element(s) of this model were imported before as source {old!r}, with "
        f"ids as the file wrote them; this import writes {source!r} with Archi's exchange "
        f"spelling of its ids (id- before a leading digit); the earlier elements are kept: "
        "delete them once this import is checked",
        subject=old,
    )


class Holders:
    """Ids the import adds that someone else holds: taken over (same type) or a clash.

    `foreign` (from `other_holders`) says where other holders can be at all. `held_nodes` and
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
        """Look up added relationship ids: under their own type (taken over, or a clash
        when the ends differ), and under every other type (always a clash: a relationship
        id names one relationship whatever its type, as `claim_relationship_id` keeps it)."""
        by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for rel in rels:
            if rel["type"] in self.foreign_types:
                by_type[rel["type"]].append(rel)
        self._other_types(rels)
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

    def _other_types(self, rels: list[dict[str, Any]]) -> None:
        # Only types others hold can clash: this source's own relationship of another type
        # with the same id is replaced by the diff, not added.
        for held_type in sorted(self.foreign_types):
            wanted = {r["id"]: r for r in rels if r["type"] != held_type}
            ids = list(wanted)
            for i in range(0, len(ids), BATCH_SIZE):
                batch = ids[i : i + BATCH_SIZE]
                for r in _read(self.store, cypher.relationship_holders(held_type), ids=batch):
                    holder = r["holder"] or "(made by hand)"
                    self.clashes.append(
                        {
                            "id": r["id"],
                            "msg": f"is a {held_type} of {holder}; this import makes it a "
                            f"{wanted[r['id']]['type']} (a relationship id names one "
                            "relationship, whatever its type)",
                            "type": wanted[r["id"]]["type"],
                            "held_as": held_type,
                            "holder": holder,
                        }
                    )

    def _taken_over(self, kind: str, ident: str, holder: str) -> None:
        self.warnings.append(
            ReportWarning(
                "taken-over",
                f"{kind} {ident!r} was written by {holder}; this source now holds it",
                subject=ident,
            )
        )

    def refuse_clashes(self, file: str | None = None) -> None:
        """Refuse the import (`file`: what it reads) when any id it adds is a clash."""
        if self.clashes:
            shown = "; ".join(f"{c['id']!r} {c['msg']}" for c in self.clashes[:5])
            raise ImportFailure(
                f"{len(self.clashes)} id(s) already used differently in the graph: {shown}",
                file=file,
                hint="another source (or a person) uses these ids for something else; delete "
                "those elements or relationships, or change the ids in the model",
                details=self.clashes,
            )
