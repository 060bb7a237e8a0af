"""What an import changes, compared with what the same source holds now (pure).

The import writes only what differs: added and changed nodes and relationships. Two kinds
of change cannot be expressed as an upsert and are planned for the import's own step in
the same transaction (`importers.pipeline`):

* a node whose type changed (the mapping or a `valuegraph:type` property now says
  Person, not Team) is relabelled in place, keeping its relationships;
* a relationship whose id now names another type or other ends is deleted and written
  anew ("replaced"), as are relationships touching a relabelled node.

Removed = held by the source but no longer in the file; they are deleted only with
`prune`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, TypedDict

# Provenance and bookkeeping fields: they change with every run, not with the model.
_NODE_IGNORED = frozenset({"id", "source", "import_run", "created_at", "updated_at"})
_REL_IGNORED = frozenset({"id", "import_source", "import_run"})
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
    added_node_ids: list[str]
    added_relationships: list[dict[str, Any]]


def _norm(props: dict[str, Any], ignored: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if v is not None and k not in ignored}


def _section() -> dict[str, Any]:
    return {"added": Counter(), "changed": Counter(), "removed": Counter(), "unchanged": 0}


def _examples() -> dict[str, list[str]]:
    return {"added": [], "changed": [], "removed": []}


def _note(examples: dict[str, list[str]], kind: str, ident: str) -> None:
    if len(examples[kind]) < EXAMPLES:
        examples[kind].append(ident)


def plan(
    nodes: list[dict[str, Any]],
    relationships: list[dict[str, Any]],
    existing_nodes: list[dict[str, Any]],
    existing_relationships: list[dict[str, Any]],
) -> DiffPlan:
    """Compare new records ({label,id,props} / {type,id,source,target,props}) with the
    source's current nodes ({id,label,props}) and relationships ({id,type,source,target,props})."""
    node_sec, rel_sec = _section(), _section()
    node_ex, rel_ex = _examples(), _examples()
    old_nodes = {n["id"]: n for n in existing_nodes}
    write_nodes: list[dict[str, Any]] = []
    relabel: list[tuple[str, str, dict[str, Any]]] = []
    added_node_ids: list[str] = []
    for node in nodes:
        old = old_nodes.pop(node["id"], None)
        if old is None:
            node_sec["added"][node["label"]] += 1
            _note(node_ex, "added", node["id"])
            write_nodes.append(node)
            added_node_ids.append(node["id"])
        elif old["label"] != node["label"]:
            node_sec["changed"][node["label"]] += 1
            _note(node_ex, "changed", f"{node['id']} ({old['label']} → {node['label']})")
            relabel.append((old["label"], node["label"], node))
        elif _norm(old["props"], _NODE_IGNORED) != _norm(node["props"], _NODE_IGNORED):
            node_sec["changed"][node["label"]] += 1
            _note(node_ex, "changed", node["id"])
            write_nodes.append(node)
        else:
            node_sec["unchanged"] += 1
    remove_nodes = sorted(old_nodes)
    for old in old_nodes.values():
        node_sec["removed"][old["label"]] += 1
        _note(node_ex, "removed", old["id"])

    relabelled = {node["id"] for _, _, node in relabel}
    old_rels = {(r["type"], r["id"]): r for r in existing_relationships}
    old_by_id: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in existing_relationships:
        old_by_id[r["id"]].append(r)
    write_rels: list[dict[str, Any]] = []
    late: list[dict[str, Any]] = []
    replace: list[tuple[str, str]] = []
    added_rels: list[dict[str, Any]] = []
    for rel in relationships:
        key = (rel["type"], rel["id"])
        old = old_rels.get(key)
        same_ends = old is not None and (old["source"], old["target"]) == (
            rel["source"],
            rel["target"],
        )
        touches_relabelled = rel["source"] in relabelled or rel["target"] in relabelled
        if old is not None and same_ends:
            old_rels.pop(key)
            if _norm(old["props"], _REL_IGNORED) == _norm(rel["props"], _REL_IGNORED):
                rel_sec["unchanged"] += 1
                continue
            rel_sec["changed"][rel["type"]] += 1
            _note(rel_ex, "changed", rel["id"])
        else:
            superseded = [
                o for o in old_by_id.get(rel["id"], []) if (o["type"], o["id"]) in old_rels
            ]
            if superseded:
                for o in superseded:
                    old_rels.pop((o["type"], o["id"]))
                    replace.append((o["type"], o["id"]))
                rel_sec["changed"][rel["type"]] += 1
                _note(rel_ex, "changed", rel["id"])
                late.append(rel)
                continue
            rel_sec["added"][rel["type"]] += 1
            _note(rel_ex, "added", rel["id"])
            added_rels.append(rel)
        (late if touches_relabelled else write_rels).append(rel)
    remove_rels = sorted(old_rels)
    for old in old_rels.values():
        rel_sec["removed"][old["type"]] += 1
        _note(rel_ex, "removed", old["id"])

    def finish(sec: dict[str, Any]) -> dict[str, Any]:
        out = {k: dict(sorted(v.items())) for k, v in sec.items() if k != "unchanged"}
        out["unchanged"] = sec["unchanged"]
        out["total"] = {k: sum(sec[k].values()) for k in ("added", "changed", "removed")}
        return out

    return DiffPlan(
        report={
            "nodes": finish(node_sec),
            "relationships": finish(rel_sec),
            "examples": {"nodes": node_ex, "relationships": rel_ex},
        },
        write_nodes=write_nodes,
        write_relationships=write_rels,
        relabel=relabel,
        replace_relationships=replace,
        late_relationships=late,
        remove_nodes=remove_nodes,
        remove_relationships=remove_rels,
        added_node_ids=added_node_ids,
        added_relationships=added_rels,
    )
