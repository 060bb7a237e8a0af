"""What an import changes, compared with what the same source holds now (pure).

The import writes only what differs: added and changed nodes and relationships. Two kinds
of change cannot be expressed as an upsert and are planned for the import's own step in
the same transaction (`importers.pipeline`):

* a node whose type changed (the mapping or a `valuegraph:type` property now says
  Person, not Team) is relabelled in place, keeping its relationships;
* a relationship whose id now names another type or other ends is deleted and written
  anew ("replaced"), as are relationships touching a relabelled node.

Removed = held by the source but no longer in the file; they are deleted only with
`prune`. Taken over = not held by the source but by another one (or made by hand), with
the same type: written, and counted apart from the added (`finish`).

What the source holds comes either as read from the graph (with `props`) or as the row
digests the last import stored (with `digest`, `importers.digests`): then a row is
unchanged when its digest is, and nothing of the source is read. Either way the
comparison digests every row it is given, so that the import can store the digests of
what the source holds after it (`table`), with their mapping memo keys (`memo_key`).
A record the transform did not map because the memo held it (`held`: the stored
record itself, `importers.transform.Memo`) is unchanged, its stored digest kept.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, TypedDict

from importers.digests import NO_KEY, Table, node_digest, rel_digest
from importers.digests import NODE_IGNORED as _NODE_IGNORED
from importers.digests import REL_IGNORED as _REL_IGNORED
from importers.transform import Carried

EXAMPLES = 20


class DiffPlan(TypedDict):
    """The diff report plus what to write where."""

    report: dict[str, Any]
    write_nodes: list[dict[str, Any]]
    write_relationships: list[dict[str, Any]]
    relabel: list[tuple[str, str, dict[str, Any]]]
    replace_relationships: list[tuple[str, str]]
    late_relationships: list[dict[str, Any]]
    remove_nodes: list[str]
    remove_relationships: list[tuple[str, str]]


def _norm(props: dict[str, Any], ignored: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if v is not None and k not in ignored}


def _section() -> dict[str, Any]:
    return {
        "added": Counter(),
        "changed": Counter(),
        "removed": Counter(),
        "taken_over": Counter(),
        "unchanged": 0,
    }


def _examples() -> dict[str, list[str]]:
    return {"added": [], "changed": [], "removed": [], "taken_over": []}


def _note(examples: dict[str, list[str]], kind: str, ident: str) -> None:
    if len(examples[kind]) < EXAMPLES:
        examples[kind].append(ident)


class Comparison:
    """`plan`, record by record: nodes first (they may come in parts), then relationships.

    An import compares its element nodes, and starts writing them, while the rest of the
    model (relationships, views) is still being mapped.
    """

    def __init__(
        self,
        existing_nodes: list[dict[str, Any]],
        existing_relationships: list[dict[str, Any]],
        *,
        by_digest: bool = False,
    ) -> None:
        self.by_digest = by_digest  # the existing records hold `digest`, not `props`
        self.table = Table()
        self.node_sec, self.rel_sec = _section(), _section()
        self.node_ex, self.rel_ex = _examples(), _examples()
        self.old_nodes = {n["id"]: n for n in existing_nodes}
        self.old_rels = {(r["type"], r["id"]): r for r in existing_relationships}
        # By id, built on first need: only a relationship that is not where it was
        # (another type, other ends, or added) asks it.
        self._existing_rels = existing_relationships
        self._old_by_id: dict[str, list[dict[str, Any]]] | None = None
        self.write_nodes: list[dict[str, Any]] = []
        self.relabel: list[tuple[str, str, dict[str, Any]]] = []
        self.write_rels: list[dict[str, Any]] = []
        self.late: list[dict[str, Any]] = []
        self.replace: list[tuple[str, str]] = []
        self.relabelled: set[str] = set()
        self.added_nodes: dict[str, str] = {}  # id -> label
        self.added_rels: dict[tuple[str, str], None] = {}  # (type, id), in file order

    def nodes(self, nodes: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
        """Compare node records; returns those to write and the ids of the added ones."""
        node_sec, node_ex, old_nodes = self.node_sec, self.node_ex, self.old_nodes
        write: list[dict[str, Any]] = []
        added: list[str] = []
        by_digest, table = self.by_digest, self.table
        for node in nodes:
            held: dict[str, Any] | None = node.get("held")
            if held is not None:
                popped = old_nodes.pop(node["id"], None)
                if popped is None or popped is not held:
                    raise RuntimeError(f"{node['id']}: a memo record of another table")
                table.nodes.append((node["id"], node["label"]))
                table.node_digests.append(held["digest"])
                table.node_memo.append(node["memo_key"])
                node_sec["unchanged"] += 1
                continue
            digest = node_digest(node)
            table.nodes.append((node["id"], node["label"]))
            table.node_digests.append(digest)
            table.node_memo.append(node.get("memo_key", NO_KEY))
            old = old_nodes.pop(node["id"], None)
            if old is None:
                node_sec["added"][node["label"]] += 1
                write.append(node)
                added.append(node["id"])
                self.added_nodes[node["id"]] = node["label"]
            elif old["label"] != node["label"]:
                node_sec["changed"][node["label"]] += 1
                _note(node_ex, "changed", f"{node['id']} ({old['label']} → {node['label']})")
                self.relabel.append((old["label"], node["label"], node))
                self.relabelled.add(node["id"])
            elif (
                old["digest"] != digest
                if by_digest
                else _norm(old["props"], _NODE_IGNORED) != _norm(node["props"], _NODE_IGNORED)
            ):
                node_sec["changed"][node["label"]] += 1
                _note(node_ex, "changed", node["id"])
                write.append(node)
            else:
                node_sec["unchanged"] += 1
        self.write_nodes += write
        return write, added

    def old_by_id(self) -> dict[str, list[dict[str, Any]]]:
        """The source's relationships as they were, by id."""
        if self._old_by_id is None:
            self._old_by_id = defaultdict(list)
            for r in self._existing_rels:
                self._old_by_id[r["id"]].append(r)
        return self._old_by_id

    def relationships(
        self, relationships: list[Any]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Compare relationship records, and runs of stored ones (`Carried`), after the
        elements (relabelled ends matter); returns the records to write now and the added
        ones."""
        write: list[dict[str, Any]] = []
        added: list[dict[str, Any]] = []
        rel_sec, rel_ex, old_rels, relabelled = (
            self.rel_sec,
            self.rel_ex,
            self.old_rels,
            self.relabelled,
        )
        by_digest, table = self.by_digest, self.table
        for rel in relationships:
            if type(rel) is Carried:
                self.carried(rel)
                continue
            key = (rel["type"], rel["id"])
            held = rel.get("held")
            if held is not None:
                popped = old_rels.pop(key, None)
                if popped is None or popped is not held:
                    raise RuntimeError(f"{rel['id']}: a memo record of another table")
                table.rels.append((rel["type"], rel["id"], rel["source"], rel["target"]))
                table.rel_digests.append(held["digest"])
                table.rel_memo.append(rel["memo_key"])
                rel_sec["unchanged"] += 1
                continue
            digest = rel_digest(rel)
            table.rels.append((rel["type"], rel["id"], rel["source"], rel["target"]))
            table.rel_digests.append(digest)
            table.rel_memo.append(rel.get("memo_key", NO_KEY))
            old = old_rels.get(key)
            same_ends = old is not None and (old["source"], old["target"]) == (
                rel["source"],
                rel["target"],
            )
            touches_relabelled = rel["source"] in relabelled or rel["target"] in relabelled
            if old is not None and same_ends:
                old_rels.pop(key)
                if (
                    old["digest"] == digest
                    if by_digest
                    else _norm(old["props"], _REL_IGNORED) == _norm(rel["props"], _REL_IGNORED)
                ):
                    rel_sec["unchanged"] += 1
                    continue
                rel_sec["changed"][rel["type"]] += 1
                _note(rel_ex, "changed", rel["id"])
            else:
                superseded = [
                    o
                    for o in self.old_by_id().get(rel["id"], [])
                    if (o["type"], o["id"]) in old_rels
                ]
                if superseded:
                    for o in superseded:
                        old_rels.pop((o["type"], o["id"]))
                        self.replace.append((o["type"], o["id"]))
                    rel_sec["changed"][rel["type"]] += 1
                    _note(rel_ex, "changed", rel["id"])
                    self.late.append(rel)
                    continue
                rel_sec["added"][rel["type"]] += 1
                added.append(rel)
                self.added_rels[key] = None
            (self.late if touches_relabelled else write).append(rel)
        self.write_rels += write
        return write, added

    def carried(self, run: Carried) -> None:
        """A run of stored relationships (`importers.transform.Carried`): unchanged, as
        each would be held by the memo, their table entries the stored ones."""
        old_rels = self.old_rels
        for rec in run.records:
            if old_rels.pop((rec["type"], rec["id"]), None) is not rec:
                raise RuntimeError(f"{rec['id']}: a memo record of another table")
        self.table.rels += run.keys
        self.table.rel_digests += run.digests
        self.table.rel_memo += run.entries
        self.rel_sec["unchanged"] += len(run.keys)

    def held_after(self, *, prune: bool, removed_nodes: list[str]) -> Table:
        """The digests of what the source holds once the plan is written (after `finish`):
        every row given, and the removed ones unless pruned. A pruned element takes its
        relationships along, so theirs are left out: the next import adds them again."""
        table = self.table
        if prune:
            gone = set(removed_nodes)
            if gone:
                kept = [
                    i
                    for i, (_, _, a, b) in enumerate(table.rels)
                    if a not in gone and b not in gone
                ]
                table.rels = [table.rels[i] for i in kept]
                table.rel_digests = [table.rel_digests[i] for i in kept]
                table.rel_memo = [table.rel_memo[i] for i in kept]
            return table
        # Kept, though no longer in the file: mapped again should they come back.
        for old in self.old_nodes.values():
            table.nodes.append((old["id"], old["label"]))
            table.node_digests.append(old["digest"] if self.by_digest else node_digest(old))
            table.node_memo.append(NO_KEY)
        for old in self.old_rels.values():
            table.rels.append((old["type"], old["id"], old["source"], old["target"]))
            table.rel_digests.append(old["digest"] if self.by_digest else rel_digest(old))
            table.rel_memo.append(NO_KEY)
        return table

    def finish(
        self,
        held_nodes: set[str] | frozenset[str] = frozenset(),
        held_rels: set[tuple[str, str]] | frozenset[tuple[str, str]] = frozenset(),
    ) -> DiffPlan:
        """The plan: what is left of the source's records is what the file no longer has.

        `held_nodes` (ids) and `held_rels` ((type, id)) are the additions another holder
        had (`importers.holders`): counted as taken over, not as added.
        """
        for ident, label in self.added_nodes.items():
            kind = "taken_over" if ident in held_nodes else "added"
            if kind == "taken_over":
                self.node_sec["added"][label] -= 1
                self.node_sec["taken_over"][label] += 1
            _note(self.node_ex, kind, ident)
        for rel_type, ident in self.added_rels:
            kind = "taken_over" if (rel_type, ident) in held_rels else "added"
            if kind == "taken_over":
                self.rel_sec["added"][rel_type] -= 1
                self.rel_sec["taken_over"][rel_type] += 1
            _note(self.rel_ex, kind, ident)
        remove_nodes = sorted(self.old_nodes)
        # By id: what the source holds comes in no particular order.
        for old in sorted(self.old_nodes.values(), key=lambda o: str(o["id"])):
            self.node_sec["removed"][old["label"]] += 1
            _note(self.node_ex, "removed", old["id"])
        remove_rels = sorted(self.old_rels)
        for _, old in sorted(self.old_rels.items()):
            self.rel_sec["removed"][old["type"]] += 1
            _note(self.rel_ex, "removed", old["id"])
        return DiffPlan(
            report={
                "nodes": _summary(self.node_sec),
                "relationships": _summary(self.rel_sec),
                "examples": {"nodes": self.node_ex, "relationships": self.rel_ex},
            },
            write_nodes=self.write_nodes,
            write_relationships=self.write_rels,
            relabel=self.relabel,
            replace_relationships=self.replace,
            late_relationships=self.late,
            remove_nodes=remove_nodes,
            remove_relationships=remove_rels,
        )


def _summary(sec: dict[str, Any]) -> dict[str, Any]:
    """By type; `total` keeps its three keys (added, changed, removed): taken over ones
    are neither, and have their own count."""
    out = {
        k: dict(sorted((t, n) for t, n in v.items() if n))
        for k, v in sec.items()
        if k != "unchanged"
    }
    out["unchanged"] = sec["unchanged"]
    out["total"] = {k: sum(sec[k].values()) for k in ("added", "changed", "removed")}
    out["total_taken_over"] = sum(sec["taken_over"].values())
    return out


def plan(
    nodes: list[dict[str, Any]],
    relationships: list[dict[str, Any]],
    existing_nodes: list[dict[str, Any]],
    existing_relationships: list[dict[str, Any]],
) -> DiffPlan:
    """Compare new records ({label,id,props} / {type,id,source,target,props}) with the
    source's current nodes ({id,label,props}) and relationships ({id,type,source,target,props})."""
    comparison = Comparison(existing_nodes, existing_relationships)
    comparison.nodes(nodes)
    comparison.relationships(relationships)
    return comparison.finish()
