"""The importers' own Cypher: reading what a source holds, and import runs.

Upserts are not here: they are `graph.cypher.upsert_nodes` / `upsert_relationships`, the
same statements `GraphStore.write` runs; the prune's deletes are `graph.cleanup`'s (scoped
to one source: `n.source` on nodes, `r.import_source` on relationships, so an import never
removes what another source or a person wrote). Labels and relationship types
interpolated below come only from `graph.schema` lookups; every value is a parameter.
"""

from __future__ import annotations

from graph.labels import IMPORT_DIGEST, IMPORT_RUN, META, type_of
from graph.schema import ELEMENT_LABEL, NODE_SOURCE, REL_SOURCE, SCHEMA

RUN_LABEL = IMPORT_RUN

_LABEL = type_of("n")

# What a source holds, as one list per statement: [id, label, props] and [id, type,
# source, target, props]. A record per row costs the driver about five times the CPU of
# decoding the same rows as one list (a Bolt message, a Record and its hydration each),
# which on a large model is most of what an import of a small change spends; the list is
# held in Neo4j's memory while it is sent (about 1.2 KiB a relationship, 2 KiB an element).
SOURCE_NODES = f"""
MATCH (n:{ELEMENT_LABEL} {{{NODE_SOURCE}: $source}})
RETURN collect([n.id, {_LABEL}, properties(n)]) AS rows
"""

# Relationship properties have no index; this reads each relationship once.
SOURCE_RELATIONSHIPS = f"""
MATCH (a:{ELEMENT_LABEL})-[r]->(b:{ELEMENT_LABEL})
WHERE r.{REL_SOURCE} = $source
RETURN collect([r.id, type(r), a.id, b.id, properties(r)]) AS rows
"""

# The model's revision now, and the source's row digests if they describe it: stored by
# the import that committed this very revision, under the same digest version. Only then
# are the (large) rows sent.
READ_DIGESTS = f"""
OPTIONAL MATCH (m:{META} {{key: 'revision'}})
WITH coalesce(m.epoch, 'none') + ':' + toString(coalesce(m.revision, 0)) AS revision
OPTIONAL MATCH (d:{IMPORT_DIGEST} {{source: $source}})
WITH revision, collect(d) AS held
WITH revision, CASE WHEN size(held) = 1 THEN held[0] END AS d
WITH revision, d, d.revision = revision AND d.version = $version AS valid
RETURN revision,
       CASE WHEN valid THEN d.rows END AS rows,
       CASE WHEN valid THEN d.digests END AS digests,
       CASE WHEN valid AND d.memo_version = $memo_version THEN d.memo END AS memo
"""

# Run after the revision's lock is taken (`graph.cypher.LOCK_REVISION`), in the import's
# transaction, whose commit then counts the next revision (`graph.history`): the digests
# hold for that one, provided the revision is still the one read before the comparison
# (`$read`). Otherwise something changed the model meanwhile, which the digests do not
# know: they are stored without a revision, and the next import reads the source.
WRITE_DIGESTS = f"""
MERGE (m:{META} {{key: 'revision'}})
MERGE (d:{IMPORT_DIGEST} {{source: $source}})
SET d.version = $version,
    d.rows = $rows,
    d.digests = $digests,
    d.memo_version = $memo_version,
    d.memo = $memo,
    d.revision = CASE WHEN m.epoch + ':' + toString(m.revision) = $read
                      THEN m.epoch + ':' + toString(m.revision + 1) END
"""

# Who holds ids an import is about to add (another source, or hand-made elements).
NODE_HOLDERS = f"""
UNWIND $ids AS id
MATCH (n:{ELEMENT_LABEL} {{id: id}})
RETURN n.id AS id, {_LABEL} AS label, n.{NODE_SOURCE} AS source
"""


# Whole-graph counts, answered from Neo4j's count store without reading the data.
COUNT_ELEMENTS = f"MATCH (n:{ELEMENT_LABEL}) RETURN count(n) AS count"

COUNT_SOURCE_ELEMENTS = (
    f"MATCH (n:{ELEMENT_LABEL} {{{NODE_SOURCE}: $source}}) RETURN count(n) AS count"
)


def count_relationships(rel_type: str) -> str:
    """How many relationships of one type the graph has (count store, constant time)."""
    return f"MATCH ()-[r:{SCHEMA.rel(rel_type).type}]->() RETURN count(r) AS count"


def relationship_holders(rel_type: str) -> str:
    """Existing relationships of one type with the given ids (uses the id constraint's index)."""
    rel = SCHEMA.rel(rel_type)
    return f"""
UNWIND $ids AS id
MATCH (a:{ELEMENT_LABEL})-[r:{rel.type} {{id: id}}]->(b:{ELEMENT_LABEL})
RETURN r.id AS id, a.id AS source, b.id AS target, r.{REL_SOURCE} AS holder
"""


def relabel(old: str, new: str) -> str:
    """Give nodes of this source a new type in place, keeping their relationships.

    Fields only the old type has are removed; the upsert that follows sets the new ones.
    """
    old_type, new_type = SCHEMA.node(old), SCHEMA.node(new)
    stale = [p.name for p in old_type.props if new_type.prop(p.name) is None]
    remove = "".join(f"\nREMOVE n.{name}" for name in stale)
    return f"""
UNWIND $ids AS id
MATCH (n:{ELEMENT_LABEL}:{old_type.label} {{id: id}})
WHERE n.{NODE_SOURCE} = $source
REMOVE n:{old_type.label}
SET n:{new_type.label}{remove}
"""


RECORD_RUN = f"""
CREATE (r:{RUN_LABEL})
SET r = $props
"""

LIST_RUNS = f"""
MATCH (r:{RUN_LABEL})
WHERE $source IS NULL OR r.source = $source
RETURN properties(r) AS props
ORDER BY r.finished_at DESC
LIMIT $limit
"""

GET_RUN = f"MATCH (r:{RUN_LABEL} {{id: $id}}) RETURN properties(r) AS props"

EXPORT_NODES = f"""
MATCH (n:{ELEMENT_LABEL})
WHERE $source IS NULL OR n.{NODE_SOURCE} = $source
RETURN {_LABEL} AS label, properties(n) AS props
ORDER BY n.id
"""

# Read before the export writes: the ids it writes as they are, which no other id's
# spelled-out identifier may take.
EXPORT_NODE_IDS = f"""
MATCH (n:{ELEMENT_LABEL})
WHERE $source IS NULL OR n.{NODE_SOURCE} = $source
RETURN n.id AS id
"""

# A subgraph export keeps the relationships among its nodes, whoever wrote them.
EXPORT_RELATIONSHIPS = f"""
MATCH (a:{ELEMENT_LABEL})-[r]->(b:{ELEMENT_LABEL})
WHERE r.id IS NOT NULL
  AND ($source IS NULL OR (a.{NODE_SOURCE} = $source AND b.{NODE_SOURCE} = $source))
RETURN type(r) AS type, properties(r) AS props, a.id AS source, b.id AS target
ORDER BY type, r.id
"""
