"""The change history's stored states as the model's elements and relationships.

A `Change` (or a row of a `ChangeChunk`) holds an element's or relationship's whole stored
state as JSON (`before`, `after`; graph.history). The model at a moment (queries.moment) and the present model
kept in step with the changes (queries.present) both turn those states into the
`ModelGraph`'s nodes and relationships, with the properties `ModelGraph.load` reads.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from graph import history
from graph.labels import CHANGE_SET
from queries.model_graph import MODEL_PROPS, Node, Rel

State = dict[str, Any]

# How many change sets and changes a span of seqs holds (ranges of the seq indexes).
CHANGES_IN_SPAN = (
    f"""
CALL () {{
  MATCH (s:{CHANGE_SET}) WHERE s.seq > $after AND s.seq <= $upto RETURN count(s) AS sets
}}
"""
    + history.count_changes("{x}.seq > $after AND {x}.seq <= $upto")
    + "RETURN sets, changes\n"
)

# The changes after one seq up to another, in commit order (both forms of the history).
CHANGES_BETWEEN = (
    history.changes(
        "{x}.seq > $after AND {x}.seq <= $upto",
        fields=("seq", "key", "kind", "id", "type", "after"),
    )
    + """RETURN c.seq AS seq, c.key AS key, c.kind AS kind, c.id AS id, c.type AS type,
       c.after AS after
ORDER BY seq
"""
)


def decode(text: str) -> State:
    state: State = json.loads(text)
    return state


def node_of(state: Mapping[str, Any]) -> Node:
    return Node(id=state["id"], type=state["type"], props={p: state.get(p) for p in MODEL_PROPS})


def rel_of(state: Mapping[str, Any]) -> Rel:
    return Rel(
        key=state["id"],
        id=state["id"],
        type=state["type"],
        source=state["source"],
        target=state["target"],
        original_type=state.get("original_type"),
        access_type=state.get("access_type"),
    )
