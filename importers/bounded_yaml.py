"""YAML read with a bound on what its aliases expand to: every YAML file the project reads
(Backstage catalogs, mapping files, the demo) goes through `BoundedLoader`.

An alias is cheap to write and costly to use: nine lines of nine aliases each (a 509-byte
"billion laughs") stand for 387 million values, which PyYAML builds as shared objects and
every later walk over them expands. The loader keeps a tally while it composes the file:
each alias adds the size of what it stands for (values, plus the characters of scalars),
and the file is refused, at the alias that crossed the bound, once the tally passes
`MAX_ALIAS_EXPANSION`. An alias inside what it names (a recursive structure) is refused too.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

# Values and scalar characters all aliases of one file may add together: merge keys and
# repeated anchors of real files add a few thousand; bombs add millions.
MAX_ALIAS_EXPANSION = 1_000_000

EXPANSION_HINT = (
    "the file's YAML aliases (*name) expand to more than "
    f"{MAX_ALIAS_EXPANSION:,} values and characters; write the values out or use fewer "
    "aliases (no catalog or mapping file needs this many)"
)


class AliasExpansionError(yaml.MarkedYAMLError):
    """The aliases of a file expand past the bound, or an alias contains itself."""


class BoundedLoader(yaml.SafeLoader):
    """`yaml.SafeLoader` that refuses files whose aliases expand past `limit`."""

    def __init__(self, stream: Any, limit: int = MAX_ALIAS_EXPANSION) -> None:
        super().__init__(stream)
        self.limit = limit
        self.expanded = 0
        self._sizes: dict[int, int] = {}
        self._open_anchors: set[str | None] = set()

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if not isinstance(event, yaml.AliasEvent):
            # Anchors still being composed: an alias to one of them is recursive.
            anchor = getattr(event, "anchor", None)
            if anchor is not None:
                self._open_anchors.add(anchor)
            try:
                return super().compose_node(parent, index)
            finally:
                self._open_anchors.discard(anchor)
        mark: Any = event.start_mark
        if event.anchor in self._open_anchors:
            raise AliasExpansionError(
                problem="a YAML alias refers to a value that contains it (a recursive structure)",
                problem_mark=mark,
            )
        node = super().compose_node(parent, index)
        assert node is not None  # an alias always names a node
        self.expanded += self._size(node)
        if self.expanded > self.limit:
            raise AliasExpansionError(
                problem=f"YAML aliases expand to more than {self.limit:,} values and characters",
                problem_mark=mark,
            )
        return node

    def _size(self, root: Node) -> int:
        """Values and scalar characters ROOT (a finished node) stands for, each alias
        expanded; iterative, as a deep file must not exhaust the stack; sizes are kept."""
        sizes = self._sizes
        stack: list[tuple[Node, bool]] = [(root, False)]
        while stack:
            node, finished = stack.pop()
            key = id(node)
            if finished:
                total = 1 + sum(sizes[id(child)] for child in _children(node))
                if isinstance(node, ScalarNode):
                    total += len(node.value)
                sizes[key] = min(total, self.limit + 1)  # past the bound, all sizes are alike
                continue
            if key in sizes:
                continue
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
        return sizes[id(root)]


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def safe_load(text: str | bytes) -> Any:
    """`yaml.safe_load` with aliases bounded (raises `AliasExpansionError`)."""
    loader = BoundedLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
