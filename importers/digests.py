"""Row digests: what the last import of a source wrote, kept compactly beside the model.

A change import compares every mapped row with what its source holds. Reading that back
from Neo4j (each element and relationship of the source with all its properties) was
most of what a small change cost on a large model. So every import also stores, in its
own transaction, one `ImportDigest` node per source: the key of each row the source
holds (id and label; type, id and ends) and a 128-bit BLAKE2b digest of the row in the
normalised form the diff compares (`node_digest`, `rel_digest`: the whole row but the
provenance fields, nulls dropped, keys sorted).

The next import of that source compares digests instead of reading the source, but only
when they describe the graph exactly: the model's revision must still be the one the
storing import committed (any change since, by anyone, moves it on: an edit, another
source's import, a scenario, a prune, a reset), and the digest version (this scheme, the
graph schema's version and the mapping in force) must be the same. Otherwise the import
reads the source as before and stores fresh digests, as the first import after this was
built does for a model imported without them.

Beside each row's digest the table keeps the row's mapping memo key
(`importers.transform.Memo`, with the row's own digest; zero bytes for a row mapped
without one, or that warned), under a version of its own (`memo_version`: the digest version and the code
that reads and maps a file). A change import given them does not map the rows whose key
is held: they map to what the last import stored.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

import pydantic
from neo4j import ManagedTransaction

from graph import cypher as graph_cypher
from graph.schema import SCHEMA
from graph.store import GraphStore
from importers import cypher
from importers.mapping import Mapping
from importers.transform import (
    CARRIABLE,
    COUNTED,
    MEMO_KEY_SIZE,
    MEMO_SIZE,
    NO_SPAN,
    Carry,
    Memo,
)
from importers.xmlstream import Runs

# The scheme: bump it whenever what a digest covers or how rows are normalised changes.
SCHEME = "valuegraph-row-digest-1"
SIZE = 16  # bytes of BLAKE2b: a changed row looks unchanged with odds of 2^-128

# Provenance and bookkeeping fields: they change with every run, not with the model (the
# diff ignores them too).
NODE_IGNORED = frozenset({"id", "source", "import_run", "created_at", "updated_at"})
REL_IGNORED = frozenset({"id", "import_source", "import_run"})

_encode = json.JSONEncoder(
    sort_keys=True,
    separators=(",", ":"),
    ensure_ascii=False,
    check_circular=False,
    # Neo4j stores no maps, so a tagged map stands for nothing else a row holds.
    default=lambda o: {"$type": type(o).__name__, "$repr": repr(o)},
).encode


def _digest(head: list[Any], props: dict[str, Any], ignored: frozenset[str]) -> bytes:
    kept = {k: v for k, v in props.items() if v is not None and k not in ignored}
    head.append(kept)
    return hashlib.blake2b(_encode(head).encode(), digest_size=SIZE).digest()


def node_digest(node: dict[str, Any]) -> bytes:
    """The digest of a node row ({label, id, props}), as mapped or as read from the graph."""
    return _digest([node["label"], node["id"]], node["props"], NODE_IGNORED)


def rel_digest(rel: dict[str, Any]) -> bytes:
    """The digest of a relationship row ({type, id, source, target, props})."""
    return _digest(
        [rel["type"], rel["id"], rel["source"], rel["target"]], rel["props"], REL_IGNORED
    )


def version(mapping: Mapping) -> str:
    """What the digests depend on besides the rows: a new mapping invalidates them all."""
    text = f"{SCHEME}\n{SCHEMA.version}\n{mapping.model_dump_json()}"
    return hashlib.sha256(text.encode()).hexdigest()


NO_KEY = bytes(MEMO_SIZE)  # a row without a memo key

# What reads and maps a file: a change to any of these may map the same bytes otherwise.
_MEMO_CODE = (
    *(
        Path(__file__).with_name(f"{name}.py")
        for name in (
            "xmlstream",
            "exchange",
            "raw",
            "transform",
            "mapping",
            "identity",
            "diagrams",
            "errors",
            "digests",
        )
    ),
    *(
        Path(__file__).parent.parent / "graph" / f"{name}.py"
        for name in ("model", "schema", "archimate", "labels")
    ),
)


@cache
def _code_digest() -> str:
    code = hashlib.sha256(pydantic.VERSION.encode())
    for path in _MEMO_CODE:
        code.update(path.read_bytes())
    return code.hexdigest()


def memo_version(digest_version: str) -> str:
    """What the memo keys depend on besides the file: the digest version and the code."""
    return hashlib.sha256(f"{digest_version}\n{_code_digest()}".encode()).hexdigest()


@dataclass
class Table:
    """The rows a source holds after an import: their keys, digests and memo keys, in one
    order."""

    nodes: list[tuple[str, str]] = field(default_factory=list)  # (id, label)
    node_digests: list[bytes] = field(default_factory=list)
    node_memo: list[bytes] = field(default_factory=list)
    # (type, id, a, b): a tuple, or a list as decoded (a run carried, `Carried`)
    rels: list[Sequence[str]] = field(default_factory=list)
    rel_digests: list[bytes] = field(default_factory=list)
    rel_memo: list[bytes] = field(default_factory=list)

    def encode(self) -> tuple[bytes, bytes, bytes]:
        """(the keys as compressed JSON, the digests end to end, the memo keys end to
        end): three byte-array properties."""
        keys = json.dumps([self.nodes, self.rels], separators=(",", ":"), ensure_ascii=False)
        return (
            zlib.compress(keys.encode(), 1),
            b"".join([*self.node_digests, *self.rel_digests]),
            b"".join([*self.node_memo, *self.rel_memo]),
        )


Held = tuple[list[dict[str, Any]], list[dict[str, Any]]]


def decode(
    rows: bytes, digests: bytes, memo: bytes | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], Memo | None]:
    """The stored table as the diff's records of what the source holds, with `digest`
    where a read of the source would give `props`; and the memo of those records."""
    nodes, rels = json.loads(zlib.decompress(rows))
    if len(digests) != SIZE * (len(nodes) + len(rels)):
        raise ValueError("the stored row digests do not match their keys")
    # Slices and comprehensions rather than a loop of index arithmetic: this runs for
    # every row a source holds, on every change import.
    row_digests = [digests[i : i + SIZE] for i in range(0, len(digests), SIZE)]
    out_nodes = [
        {"id": i, "label": label, "digest": d}
        for (i, label), d in zip(nodes, row_digests, strict=False)
    ]
    rel_digests = row_digests[len(nodes) :]
    if memo is None or len(memo) != MEMO_SIZE * (len(nodes) + len(rels)):
        out_rels = [
            {"id": i, "type": t, "source": a, "target": b, "digest": d}
            for (t, i, a, b), d in zip(rels, rel_digests, strict=True)
        ]
        return out_nodes, out_rels, None
    entries = [memo[i : i + MEMO_SIZE] for i in range(0, len(memo), MEMO_SIZE)]
    by_key: tuple[dict[bytes, dict[str, Any]], dict[bytes, dict[str, Any]]] = ({}, {})
    spans: set[bytes] = set()
    labels: dict[bytes, str] = {}
    for rec, entry in zip(out_nodes, entries, strict=False):
        if entry != NO_KEY:
            rec["memo"] = entry
            rec["counted"] = entry[MEMO_KEY_SIZE] & COUNTED == COUNTED
            by_key[0][entry[:MEMO_KEY_SIZE]] = rec
            labels[entry[MEMO_KEY_SIZE + 1 :]] = rec["label"]
    # The relationships are most of the rows: made in comprehensions and C-level maps,
    # no Python step per row beyond making its record (a row without a key holds a
    # `memo` of zeros, which no look-up asks: its key is dropped below).
    rel_entries = entries[len(nodes) :]
    out_rels = [
        {
            "id": i,
            "type": t,
            "source": a,
            "target": b,
            "digest": d,
            "memo": entry,
            "counted": entry[MEMO_KEY_SIZE] & COUNTED == COUNTED,
        }
        for (t, i, a, b), d, entry in zip(rels, rel_digests, rel_entries, strict=True)
    ]
    by_key[1].update(
        zip(map(itemgetter(slice(0, MEMO_KEY_SIZE)), rel_entries), out_rels, strict=True)
    )
    by_key[1].pop(NO_KEY[:MEMO_KEY_SIZE], None)
    spans.update(map(itemgetter(slice(MEMO_KEY_SIZE + 1, None)), rel_entries))
    spans.update(labels)
    spans.discard(NO_SPAN)
    labels.pop(NO_SPAN, None)
    # The relationships a change import may carry in runs, in the stored order.
    run_spans = [
        entry[MEMO_KEY_SIZE + 1 :] if entry[MEMO_KEY_SIZE] & CARRIABLE else None
        for entry in rel_entries
    ]
    carry = Carry(
        keys=rels,
        digests=rel_digests,
        entries=rel_entries,
        records=out_rels,
        runs=Runs({span: i for i, span in enumerate(run_spans) if span is not None}, run_spans),
        labels=dict(nodes),
    )
    return out_nodes, out_rels, Memo(*by_key, spans=spans, labels=labels, carry=carry)


class Stored(NamedTuple):
    """What `read` finds: the revision now, what the source holds (None: the digests do
    not describe it), and the mapping memo (None: there is none that holds)."""

    revision: str
    held: Held | None
    memo: Memo | None


def read(store: GraphStore, source: str, digest_version: str) -> Stored:
    """The model's revision now, and what `source` holds as digests if they still hold."""
    record = store.read(
        cypher.READ_DIGESTS,
        {"source": source, "version": digest_version, "memo_version": memo_version(digest_version)},
        timeout=None,
    )[0]
    rows, digests, memo = record["rows"], record["digests"], record["memo"]
    revision = str(record["revision"])
    if rows is None or digests is None:
        return Stored(revision, None, None)
    try:
        nodes, rels, held_memo = decode(
            bytes(rows), bytes(digests), bytes(memo) if memo is not None else None
        )
    except (ValueError, zlib.error):  # damaged: read the source instead
        return Stored(revision, None, None)
    return Stored(revision, (nodes, rels), held_memo)


def write(
    tx: ManagedTransaction,
    *,
    source: str,
    digest_version: str,
    read_revision: str,
    encoded: tuple[bytes, bytes, bytes],
) -> None:
    """Store the table in the import's transaction (see `cypher.WRITE_DIGESTS`)."""
    tx.run(graph_cypher.LOCK_REVISION).consume()
    rows, digests, memo = encoded
    tx.run(
        cypher.WRITE_DIGESTS,
        source=source,
        version=digest_version,
        memo_version=memo_version(digest_version),
        read=read_revision,
        rows=rows,
        digests=digests,
        memo=memo,
    ).consume()
