"""The change history as the CLI, REST and GraphQL read it: one element's versions, the
change sets (filtered, a page at a time), one change set's changes, and pruning.

The history is written by `graph.history` inside each change's transaction; this module only
reads it, and prunes it for an admin (itself recorded as a change set).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from graph import history
from graph.labels import CHANGE, CHANGE_CHUNK, CHANGE_SET, META
from graph.model import INT64_MAX, INT64_MIN, Page
from graph.store import GraphStore, NotFoundError
from queries.errors import QuestionError

# -- Cypher ------------------------------------------------------------------------------

# Both forms of the history: `Change` nodes and the rows of a large change's chunks
# (graph.history.changes); the states are read for the page only.
COUNT_VERSIONS = history.changes(item_id="$id", fields=("seq",)) + "RETURN count(c) AS total"

VERSIONS = (
    history.changes(item_id="$id", fields=history.CHANGE_REFS)
    + f"""WITH c ORDER BY c.seq DESC, c.kind, c.key
SKIP $offset LIMIT $limit
MATCH (s:{CHANGE_SET} {{seq: c.seq}})
RETURN {history.STATES_OF} AS change, properties(s) AS change_set
"""
)

_SET_FILTER = f"""
MATCH (s:{CHANGE_SET})
WHERE ($since IS NULL OR s.at >= $since)
  AND ($by IS NULL OR s.actor = $by OR s.token_id = $by)
  AND ($source IS NULL OR $source IN [s.via, s.action, s.ref, s.source])
"""

COUNT_SETS = _SET_FILTER + "RETURN count(s) AS total"

SETS = (
    _SET_FILTER
    + """
RETURN properties(s) AS change_set
ORDER BY s.seq DESC
SKIP $offset LIMIT $limit
"""
)

ONE_SET = f"MATCH (s:{CHANGE_SET} {{seq: $seq}}) RETURN properties(s) AS change_set"

COUNT_IN_SET = history.count_changes("{x}.seq = $seq") + "RETURN changes AS total"

IN_SET = (
    history.changes("{x}.seq = $seq", fields=history.CHANGE_REFS)
    + f"""WITH c ORDER BY c.kind, c.key
SKIP $offset LIMIT $limit
RETURN {history.STATES_OF} AS change
"""
)

# -- the answers ---------------------------------------------------------------------------


class Counts(BaseModel):
    created: int = 0
    updated: int = 0
    deleted: int = 0


class ChangeSet(BaseModel):
    """One committed change: who, when, through what, and how much it changed."""

    seq: int = Field(description="Position in commit order (the model's revision).")
    id: str
    at: str = Field(description="When it was committed (server time, UTC).")
    actor: str = Field(description="Token name, or the OS user of a CLI command.")
    token_id: str = ""
    via: str = Field(description="rest, graphql, cli or startup.")
    request: str = Field("", description="Method, route and request id of a REST/GraphQL call.")
    action: str = Field(description="edit, import, scenario, reset, baseline or prune.")
    ref: str = Field("", description="The import run id, scenario name, reset or prune cut.")
    source: str = Field("", description="The import's source key.")
    changes: int = Field(description="Elements and relationships it changed.")
    elements: Counts
    relationships: Counts
    pruned_before: str | None = None
    pruned_changes: int | None = None
    pruned_change_sets: int | None = None


class Change(BaseModel):
    """What one element or relationship was before and after a change set."""

    seq: int
    at: str
    kind: str = Field(description="element or relationship.")
    id: str
    type: str | None
    op: str = Field(description="created, updated or deleted.")
    fields: list[str] = Field(
        description="The fields an update changed (timestamps aside); empty for a creation "
        "or deletion."
    )
    before: dict[str, Any] | None = Field(description="Null: it did not exist.")
    after: dict[str, Any] | None = Field(description="Null: it was deleted.")


class Version(Change):
    """A change of one element or relationship, with the change set it belongs to."""

    change_set: ChangeSet


class VersionPage(Page):
    items: list[Version]


class ChangeSetPage(Page):
    items: list[ChangeSet]


class ChangePage(Page):
    change_set: ChangeSet
    items: list[Change]


def _change_set(props: dict[str, Any]) -> ChangeSet:
    def counts(kind: str) -> Counts:
        return Counts(**{op: int(props.get(f"{kind}s_{op}") or 0) for op in history.OPS})

    return ChangeSet(
        **{k: v for k, v in props.items() if k in ChangeSet.model_fields},
        elements=counts(history.ELEMENT),
        relationships=counts(history.RELATIONSHIP),
    )


def _state(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    state: dict[str, Any] = json.loads(text)
    if isinstance(state.get("properties"), str):
        state["properties"] = json.loads(state["properties"])
    return state


def _change(props: dict[str, Any]) -> dict[str, Any]:
    return {
        **{k: props.get(k) for k in ("seq", "at", "kind", "id", "type", "op")},
        "fields": list(props.get("fields") or []),
        "before": _state(props.get("before")),
        "after": _state(props.get("after")),
    }


def instant(text: str | None, what: str = "since") -> str | None:
    """An ISO date or time as the history stores times (UTC, milliseconds); a date is its
    midnight UTC, a time without zone is UTC."""
    if text is None or not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise QuestionError(f"{what} must be an ISO date or time, e.g. 2026-12-01") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def element_history(
    store: GraphStore, item_id: str, *, limit: int = 50, offset: int = 0
) -> VersionPage:
    """The versions of one element or relationship (by id), newest first."""
    total = store.read(COUNT_VERSIONS, {"id": item_id})[0]["total"]
    records = store.read(VERSIONS, {"id": item_id, "limit": limit, "offset": offset})
    items = [
        Version(**_change(r["change"]), change_set=_change_set(r["change_set"])) for r in records
    ]
    return VersionPage(items=items, total=total, limit=limit, offset=offset)


def change_sets(
    store: GraphStore,
    *,
    since: str | None = None,
    by: str | None = None,
    source: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> ChangeSetPage:
    """The change sets, newest first, filtered by time, author and what they came through
    (`source` matches the channel, the action, the reference or the import source)."""
    params = {"since": instant(since), "by": by or None, "source": source or None}
    total = store.read(COUNT_SETS, params)[0]["total"]
    records = store.read(SETS, {**params, "limit": limit, "offset": offset})
    items = [_change_set(r["change_set"]) for r in records]
    return ChangeSetPage(items=items, total=total, limit=limit, offset=offset)


def change_set(store: GraphStore, seq: int, *, limit: int = 50, offset: int = 0) -> ChangePage:
    """One change set and a page of its changes (by kind and id)."""
    if not INT64_MIN <= seq <= INT64_MAX:  # Neo4j's integers: no change set has such a seq
        raise NotFoundError(f"no change set {seq}")
    found = store.read(ONE_SET, {"seq": seq})
    if not found:
        raise NotFoundError(f"no change set {seq}")
    total = store.read(COUNT_IN_SET, {"seq": seq})[0]["total"]
    records = store.read(IN_SET, {"seq": seq, "limit": limit, "offset": offset})
    return ChangePage(
        change_set=_change_set(found[0]["change_set"]),
        items=[Change(**_change(r["change"])) for r in records],
        total=total,
        limit=limit,
        offset=offset,
    )


def prune(store: GraphStore, before: str) -> ChangeSet:
    """Forget the history before `before` (admin only), but for each element and relationship
    its state at that moment; recorded as a `prune` change set, which this returns."""
    cut = instant(before, "before")
    if cut is None:  # blank: "everything" must never be what an empty field means
        raise QuestionError("before is required: an ISO date or time, e.g. 2026-12-01")
    if cut > datetime.now(UTC).isoformat(timespec="milliseconds"):
        raise QuestionError("before must not be in the future")
    summary = store.transact(lambda tx: history.prune(tx, cut))
    return _change_set(store.read(ONE_SET, {"seq": summary["seq"]})[0]["change_set"])


# -- verifying the chain -------------------------------------------------------------------

CHAIN = f"""
MATCH (s:{CHANGE_SET})
WHERE s.seq <= $upto
RETURN properties(s) AS s
ORDER BY s.seq
"""

HEAD = f"""
OPTIONAL MATCH (m:{META} {{key: 'revision'}})
RETURN coalesce(m.history_head, '') AS head, coalesce(m.history_head_seq, 0) AS seq
"""

# A change set's stored changes as they are digested: `Change` nodes and whole chunks.
CHANGES_OF = f"""
MATCH (c:{CHANGE} {{seq: $seq}}) RETURN properties(c) AS c
UNION ALL
MATCH (c:{CHANGE_CHUNK} {{seq: $seq}}) RETURN properties(c) AS c
"""

KEPT = history.KEPT_CHANGES


class ChainBreak(BaseModel):
    """The first place where the history differs from what its digests recorded."""

    seq: int = Field(description="The change set at which the chain breaks.")
    problem: str = Field(
        description="link (it does not follow the change set before it), change (one change "
        "differs from its digest), changes (changes missing or added), fields (the change "
        "set's own fields differ), unchained (no digest), kept (the changes a prune kept "
        "differ), head (change sets after it are missing)."
    )
    key: str | None = Field(None, description="The change named, for `change`.")
    detail: str


class ChainReport(BaseModel):
    """What `verify` found: intact, or the first broken link."""

    intact: bool
    change_sets: int = Field(description="Change sets verified in the chain.")
    changes: int = Field(description="Changes verified (the kept ones before a cut too).")
    first_seq: int | None = Field(None, description="Where the chain starts.")
    head: str = Field(description="The last change set's digest: keep it to compare later.")
    head_seq: int | None = None
    unchained: int = Field(
        description="Change sets before the chain: written before it existed, or kept by a "
        "prune (their changes are covered by the prune's digest)."
    )
    pruned_before: str | None = None
    broken: ChainBreak | None = None
    message: str


def verify(store: GraphStore) -> ChainReport:
    """Walk the hash chain of the change sets, from its start (the first change set with a
    digest, or the latest prune's cut) to the head, recomputing every digest; stop at the
    first break."""
    (head_row,) = store.read(HEAD)
    head, head_seq = str(head_row["head"]), int(head_row["seq"])
    sets = [dict(r["s"]) for r in store.read(CHAIN, {"upto": head_seq})]
    prunes = [s for s in sets if s.get("chain_from") is not None]
    anchor = prunes[-1] if prunes else None
    checked = {"sets": 0, "changes": 0}
    if anchor is not None:
        start, prev = int(anchor["chain_from"]), str(anchor.get("chain_prev") or "")
    else:
        start = next((int(s["seq"]) for s in sets if s.get(history.DIGEST)), head_seq + 1)
        prev = ""
    chained = [s for s in sets if int(s["seq"]) >= start]

    def report(broken: ChainBreak | None) -> ChainReport:
        if broken is None:
            message = f"intact, {checked['sets']} change sets"
            if head:
                message += f" (seq {start} to {head_seq}, head {head[:16]})"
        else:
            where = f" ({broken.key})" if broken.key else ""
            message = f"broken at change set {broken.seq}{where}: {broken.detail}"
        return ChainReport(
            intact=broken is None,
            change_sets=checked["sets"],
            changes=checked["changes"],
            first_seq=start if chained else None,
            head=head,
            head_seq=head_seq or None,
            unchained=len(sets) - len(chained),
            pruned_before=anchor.get("pruned_before") if anchor else None,
            broken=broken,
            message=message,
        )

    if anchor is not None:
        kept, kept_d = history.kept_digest(store.stream(KEPT, {"seq": start}, timeout=None))
        checked["changes"] += kept
        if kept_d != anchor.get("kept_digest"):
            return report(
                ChainBreak(
                    seq=int(anchor["seq"]),
                    problem="kept",
                    detail=f"the {kept} changes kept before the cut differ from the "
                    f"{anchor.get('kept_changes')} the prune recorded",
                )
            )
    for s in chained:
        seq = int(s["seq"])
        if not s.get(history.DIGEST):
            return report(ChainBreak(seq=seq, problem="unchained", detail="it has no digest"))
        if s.get(history.PREV, "") != prev:
            return report(
                ChainBreak(
                    seq=seq,
                    problem="link",
                    detail="it does not follow the change set before it (one was deleted, "
                    "added or altered in between)",
                )
            )
        digests, rows = [], 0
        # No time limit: an import's change set holds a change per row of the model (an
        # admin's or the CLI's question, read as it streams).
        for r in store.stream(CHANGES_OF, {"seq": seq}, timeout=None):
            change = r["c"]
            digest = history.change_digest(change)
            if change.get(history.DIGEST) != digest:
                key = change.get("key") or (
                    f"{change.get('kind')} chunk {change.get('type')} "
                    f"{change.get('lo')}..{change.get('hi')}"
                )
                return report(
                    ChainBreak(
                        seq=seq,
                        problem="change",
                        key=str(key),
                        detail="the change differs from its digest (altered after it was recorded)",
                    )
                )
            digests.append(digest)
            rows += history.rows_of(change)
        if rows != int(s.get("changes") or 0):
            return report(
                ChainBreak(
                    seq=seq,
                    problem="changes",
                    detail=f"{rows} changes found, {s.get('changes')} recorded",
                )
            )
        if history.set_digest(s, digests) != s[history.DIGEST]:
            return report(
                ChainBreak(
                    seq=seq,
                    problem="fields",
                    detail="its fields or its changes' digests differ from its digest",
                )
            )
        checked["sets"] += 1
        checked["changes"] += rows
        prev = str(s[history.DIGEST])
    if prev != head:
        last = int(chained[-1]["seq"]) if chained else head_seq
        return report(
            ChainBreak(
                seq=last,
                problem="head",
                detail=f"the last change set recorded is seq {head_seq}; those after "
                f"seq {last} are missing",
            )
        )
    return report(None)
