"""The landing overview's GraphQL operations, answered once per model revision.

The explorer asks the same four operations on every visit to the overview, with the same
variables: `OverviewFirst` (counts, stream names, latest imports), `Overview` (the stream
map: each stream's stages and what it rests on, a gated query's worth of neighbours on a
large model), `OverviewHealth` and `OverviewBottlenecks` (what the overview shows of the
kept health report and ranking: completing those answers is itself work on a large
model). Their answers depend on the model alone (and `OverviewHealth`'s on today's date,
as its lifecycle checks do), never on the caller, so `KeptOperations` keeps each answer
(the operation's `data`) per revision (`queries.present`) and serves it without running the
operation or taking a question slot; the answer warmer (app.core.warm) computes them in the
background with the others, and the explorer's page embeds those kept (app.explorer).

The documents are the explorer's own, as it sends them
(frontend/src/operations/overview.graphql with the fragments they spread;
tests/test_explorer_page.py holds them equal). A request is recognised by its document
(whitespace and definition order aside) and its variables (nulls as if left out).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphql import DocumentNode, ExecutionResult, parse, print_ast
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from graph.lifecycle import today as today_utc
from graph.store import GraphStore
from queries.present import keep, recalled, recalled_all

BRIEF = """
fragment Brief on Element {
  __typename
  id
  type
  name
}
"""

REF = """
fragment Ref on ElementRef {
  id
  type
  name
}
"""

OVERVIEW_FIRST = (
    """
query OverviewFirst {
  streams: nodes(types: [ValueStream], limit: 60) {
    total
    items {
      ...Brief
    }
  }
  stats
  importRuns(limit: 5) {
    id
    source
    format
    startedAt
    counts
  }
}
"""
    + BRIEF
)

OVERVIEW_MAP = (
    """
query Overview {
  streams: nodes(types: [ValueStream], limit: 60) {
    total
    items {
      ...Brief
      ... on ValueStream {
        stages(limit: 20) {
          ...Brief
        }
        requires(limit: 40) {
          ...Brief
        }
        dependsOn(limit: 40) {
          ...Brief
        }
        uses(limit: 40) {
          ...Brief
        }
        supportedBy(limit: 20) {
          ...Brief
        }
        ownedBy(limit: 10) {
          ...Brief
        }
      }
    }
  }
}
"""
    + BRIEF
)

OVERVIEW_HEALTH = (
    """
query OverviewHealth($asOf: String, $at: String) {
  healthReport(asOf: $asOf, at: $at) {
    score
    checks {
      id
      title
      unit
      population
      offending
      score
      passed
      findings {
        element {
          ...Ref
        }
      }
    }
  }
}
"""
    + REF
)

OVERVIEW_BOTTLENECKS = (
    """
query OverviewBottlenecks($limit: Int!, $asOf: String, $at: String) {
  bottlenecks(limit: $limit, asOf: $asOf, at: $at) {
    bottlenecks {
      rank
      element {
        ...Ref
      }
      score
      streamCount
      proximity
      blastRadius
      crossStreamPairs
      betweenness
      explanation
    }
  }
}
"""
    + REF
)


def _shape(document: DocumentNode) -> frozenset[str]:
    """A document's definitions, printed: equal for the same operation however spaced or
    ordered."""
    return frozenset(print_ast(d) for d in document.definitions)


@dataclass(frozen=True)
class KeptOperation:
    name: str
    document: str
    # The variables the explorer asks it with (nulls left out): other variables are a
    # different question, answered as usual.
    variables: Mapping[str, Any] = field(default_factory=dict)
    dated: bool = False  # its answer depends on today's date too

    def key(self) -> Hashable:
        """Its key among the answers kept for the present revision."""
        return ("explorer", self.name, today_utc().isoformat() if self.dated else None)

    def asks(self, variables: Mapping[str, Any] | None) -> bool:
        given = {k: v for k, v in (variables or {}).items() if v is not None}
        return given == dict(self.variables)


# In the order the overview draws them (and the warmer computes them).
OPERATIONS = (
    KeptOperation("OverviewFirst", OVERVIEW_FIRST),
    KeptOperation("Overview", OVERVIEW_MAP),
    KeptOperation("OverviewHealth", OVERVIEW_HEALTH, dated=True),
    KeptOperation("OverviewBottlenecks", OVERVIEW_BOTTLENECKS, {"limit": 5}),
)
BY_NAME = {op.name: op for op in OPERATIONS}
_BY_SHAPE = {_shape(parse(op.document)): op for op in OPERATIONS}

# Documents seen, by their text, and the kept operation each is (or None): a client sends
# the same text every time, so a request is recognised by one look-up.
_SEEN: dict[str, KeptOperation | None] = {}
_SEEN_MAX = 256


def _recognised(text: str | None, document: DocumentNode | None) -> KeptOperation | None:
    if text is None or document is None:
        return None
    if text not in _SEEN:
        if len(_SEEN) >= _SEEN_MAX:
            _SEEN.clear()
        _SEEN[text] = _BY_SHAPE.get(_shape(document))
    return _SEEN[text]


def kept_answer(store: GraphStore, name: str) -> dict[str, Any] | None:
    """The answer kept for the operation `name` at the present revision, or None (never
    computes)."""
    answer: dict[str, Any] | None = recalled(store, BY_NAME[name].key())
    return answer


def kept_answers(store: GraphStore, names: Sequence[str]) -> dict[str, Any]:
    """The answers kept for the operations `names` at the present revision, by name (those
    not kept left out; never computes)."""
    answers = recalled_all(store, [BY_NAME[name].key() for name in names])
    return {name: a for name, a in zip(names, answers, strict=True) if a is not None}


class KeptOperations(SchemaExtension):
    """Serve the overview's operations from the answers kept for the present revision;
    keep an answer computed (without errors) under the revision read before it was."""

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        op = None
        if ctx.result is None and ctx.operation_type == OperationType.QUERY:
            op = _recognised(ctx.query, ctx.graphql_document)
        store: GraphStore | None = getattr(ctx.context, "store", None)
        if op is None or store is None or not op.asks(ctx.variables):
            yield
            return
        key = op.key()
        answer = recalled(store, key)
        if answer is not None:
            ctx.result = ExecutionResult(data=answer)
            yield
            return
        revision = store.revision()  # before computing: never kept under a later one
        yield
        result = ctx.result
        if result is not None and not result.errors and result.data is not None:
            keep(store, revision, key, result.data)
