"""Cypher derived from the schema: constraints, indexes and the batched upserts.

Labels and relationship types are interpolated into these statements only from
`graph.schema`, after a lookup that refuses unknown names; every value is a parameter.
"""

from __future__ import annotations

from graph.labels import API_TOKEN, AUDIT_EVENT, IMPORT_RUN, META, SAVED_VIEW, SCENARIO, type_of
from graph.schema import ARCHIMATE_TYPE, ELEMENT_LABEL, SCHEMA, Schema

META_LABEL = META
FULLTEXT_INDEX = "element_search"


def schema_statements(schema: Schema = SCHEMA) -> list[str]:
    """Idempotent DDL: uniqueness of ids per node and relationship type, plus search indexes."""
    stmts = [
        f"CREATE CONSTRAINT element_id IF NOT EXISTS "
        f"FOR (n:{ELEMENT_LABEL}) REQUIRE n.id IS UNIQUE",
        f"CREATE INDEX element_name IF NOT EXISTS FOR (n:{ELEMENT_LABEL}) ON (n.name)",
        f"CREATE INDEX element_source IF NOT EXISTS FOR (n:{ELEMENT_LABEL}) ON (n.source)",
        f"CREATE INDEX element_archimate_type IF NOT EXISTS "
        f"FOR (n:{ELEMENT_LABEL}) ON (n.{ARCHIMATE_TYPE.name})",
        f"CREATE FULLTEXT INDEX {FULLTEXT_INDEX} IF NOT EXISTS "
        f"FOR (n:{ELEMENT_LABEL}) ON EACH [n.name, n.description]",
        f"CREATE CONSTRAINT meta_key IF NOT EXISTS FOR (m:{META_LABEL}) REQUIRE m.key IS UNIQUE",
        # Beside the model: API tokens (looked up by digest) and the audit log (by time).
        f"CREATE CONSTRAINT api_token_id IF NOT EXISTS FOR (t:{API_TOKEN}) REQUIRE t.id IS UNIQUE",
        f"CREATE INDEX api_token_digest IF NOT EXISTS FOR (t:{API_TOKEN}) ON (t.digest)",
        f"CREATE INDEX audit_at IF NOT EXISTS FOR (e:{AUDIT_EVENT}) ON (e.at)",
        # Import runs, found by id and by source.
        f"CREATE CONSTRAINT import_run_id IF NOT EXISTS FOR (r:{IMPORT_RUN}) REQUIRE r.id IS UNIQUE",
        f"CREATE INDEX import_run_source IF NOT EXISTS FOR (r:{IMPORT_RUN}) ON (r.source)",
        # What-if scenarios, named uniquely.
        f"CREATE CONSTRAINT scenario_name IF NOT EXISTS FOR (s:{SCENARIO}) REQUIRE s.name IS UNIQUE",
        # The explorer's saved views, found by id.
        f"CREATE CONSTRAINT saved_view_id IF NOT EXISTS FOR (v:{SAVED_VIEW}) REQUIRE v.id IS UNIQUE",
    ]
    for node in schema.nodes:
        stmts.append(
            f"CREATE CONSTRAINT {node.label.lower()}_id IF NOT EXISTS "
            f"FOR (n:{node.label}) REQUIRE n.id IS UNIQUE"
        )
    for rel in schema.rels:
        stmts.append(
            f"CREATE CONSTRAINT rel_{rel.type.lower()}_id IF NOT EXISTS "
            f"FOR ()-[r:{rel.type}]-() REQUIRE r.id IS UNIQUE"
        )
        stmts.append(
            f"CREATE INDEX rel_{rel.type.lower()}_import_source IF NOT EXISTS "
            f"FOR ()-[r:{rel.type}]-() ON (r.import_source)"
        )
    return stmts


SET_SCHEMA_VERSION = f"""
MERGE (m:{META_LABEL} {{key: 'schema'}})
SET m.version = $version, m.applied_at = $now
"""

GET_SCHEMA_VERSION = f"MATCH (m:{META_LABEL} {{key: 'schema'}}) RETURN m.version AS version"

# The model's revision: a counter every transaction that changes elements or their
# relationships increments before it commits, so a copy of the model held in memory
# (queries.live) can tell in one cheap read whether it is still the model in Neo4j.
# The counter's random epoch keeps a wiped and refilled database from ever repeating
# a revision a copy was made at.
BUMP_REVISION = f"""
MERGE (m:{META_LABEL} {{key: 'revision'}})
ON CREATE SET m.epoch = randomUUID()
SET m.revision = coalesce(m.revision, 0) + 1
"""

# The revision's write lock without a new revision: a write that must wait for the others
# before it reads (`GraphStore.claim_relationship_id`) counts one revision, when it commits.
LOCK_REVISION = f"""
MERGE (m:{META_LABEL} {{key: 'revision'}})
ON CREATE SET m.epoch = randomUUID(), m.revision = 0
SET m._lock = true
REMOVE m._lock
"""

GET_REVISION = f"""
OPTIONAL MATCH (m:{META_LABEL} {{key: 'revision'}})
RETURN coalesce(m.epoch, 'none') + ':' + toString(coalesce(m.revision, 0)) AS revision
"""


def upsert_nodes(label: str) -> str:
    """MERGE a batch of nodes of one type on their id; `rows` are {id, props}.

    A node whose id is already taken by another type fails the Element id constraint,
    which the store reports as a conflict rather than silently retyping the node.
    """
    node = SCHEMA.node(label)
    return f"""
UNWIND $rows AS row
MERGE (n:{ELEMENT_LABEL}:{node.label} {{id: row.id}})
ON CREATE SET n.created_at = $now
SET n += row.props, n.updated_at = $now
"""


def upsert_relationships(rel_type: str) -> str:
    """MERGE a batch of relationships of one type; endpoints must already exist."""
    rel = SCHEMA.rel(rel_type)
    return f"""
UNWIND $rows AS row
MATCH (a:{ELEMENT_LABEL} {{id: row.source}})
MATCH (b:{ELEMENT_LABEL} {{id: row.target}})
MERGE (a)-[r:{rel.type} {{id: row.id}}]->(b)
SET r += row.props
"""


def create_nodes(label: str) -> str:
    """CREATE a batch of nodes the caller knows are new: what `upsert_nodes` does for a new
    id, without looking the id up first. An id that exists after all fails the Element
    id constraint (the store reports a conflict), so nothing is ever duplicated."""
    node = SCHEMA.node(label)
    return f"""
UNWIND $rows AS row
CREATE (n:{ELEMENT_LABEL}:{node.label})
SET n = row.props, n.id = row.id, n.created_at = $now, n.updated_at = $now
"""


def create_relationships(rel_type: str) -> str:
    """CREATE a batch of relationships the caller knows are new (as `create_nodes`; the
    relationship id constraint of the type guards against duplicates)."""
    rel = SCHEMA.rel(rel_type)
    return f"""
UNWIND $rows AS row
MATCH (a:{ELEMENT_LABEL} {{id: row.source}})
MATCH (b:{ELEMENT_LABEL} {{id: row.target}})
CREATE (a)-[r:{rel.type}]->(b)
SET r = row.props, r.id = row.id
"""


def other_relationships_into(rel_type: str) -> str:
    """The ids of `rel_type` relationships into element `$target` other than `$keep`
    (an element's other owners, when one becomes its owner)."""
    rel = SCHEMA.rel(rel_type)
    return f"""
MATCH (:{ELEMENT_LABEL})-[r:{rel.type}]->(:{ELEMENT_LABEL} {{id: $target}})
WHERE r.id <> $keep
RETURN r.id AS id
"""


def delete_relationships_into(rel_type: str) -> str:
    """Delete the `rel_type` relationships `$ids` into element `$target`."""
    rel = SCHEMA.rel(rel_type)
    return f"""
MATCH (:{ELEMENT_LABEL})-[r:{rel.type}]->(:{ELEMENT_LABEL} {{id: $target}})
WHERE r.id IN $ids
DELETE r
"""


ENDPOINT_LABELS = f"""
UNWIND $ids AS id
MATCH (n:{ELEMENT_LABEL} {{id: id}})
RETURN n.id AS id, {type_of("n")} AS label
"""

GET_NODE = f"""
MATCH (n:{ELEMENT_LABEL} {{id: $id}})
RETURN {type_of("n")} AS label, properties(n) AS props
"""

# `$labels` is a list of schema labels (checked by the caller); null means all types.
# Counting and paging are two statements sharing one filter, so a page never
# collects the whole match into memory.
_NODE_FILTER = f"""
MATCH (n:{ELEMENT_LABEL})
WITH n, {type_of("n")} AS label
WHERE ($labels IS NULL OR label IN $labels)
  AND ($q IS NULL OR toLower(n.name) CONTAINS toLower($q))
  AND ($tag IS NULL OR $tag IN n.tags)
  AND ($source IS NULL OR n.source = $source)
  AND ($archimate_types IS NULL OR n.archimate_type IN $archimate_types)
"""

COUNT_NODES = _NODE_FILTER + "RETURN count(n) AS total"

LIST_NODES = (
    _NODE_FILTER
    + """
RETURN label, properties(n) AS props
ORDER BY n.name, n.id
SKIP $offset LIMIT $limit
"""
)

SEARCH_NODES = f"""
CALL db.index.fulltext.queryNodes('{FULLTEXT_INDEX}', $query) YIELD node, score
WITH node, score, {type_of("node")} AS label
WHERE ($labels IS NULL OR label IN $labels)
  AND ($archimate_types IS NULL OR node.archimate_type IN $archimate_types)
RETURN label, properties(node) AS props, score
ORDER BY score DESC, node.name
LIMIT $limit
"""

PATCH_NODE = f"""
MATCH (n:{ELEMENT_LABEL} {{id: $id}})
SET n += $props, n.updated_at = $now
RETURN {type_of("n")} AS label, properties(n) AS props
"""

REL_RETURN = "type(r) AS type, properties(r) AS props, a.id AS source, b.id AS target"

GET_REL = f"""
MATCH (a:{ELEMENT_LABEL})-[r {{id: $id}}]->(b:{ELEMENT_LABEL})
RETURN {REL_RETURN}
LIMIT 1
"""

# The types under which a relationship id is used: one index seek per type (Neo4j has no
# relationship index across types), so a check of ids unique across types stays cheap.
RELATIONSHIP_ID_TYPES = (
    "CALL () {\n"
    + "\n  UNION ALL\n".join(
        f"  MATCH ()-[r:{rel.type} {{id: $id}}]->() RETURN type(r) AS type" for rel in SCHEMA.rels
    )
    + "\n}\nRETURN collect(type) AS types"
)

# Relationship ids used by more than one relationship (necessarily of different types: each
# type's constraint keeps its own ids unique). Data written before ids were claimed across
# types may hold some; start-up reports them (`GraphStore.duplicate_relationship_ids`).
DUPLICATE_RELATIONSHIP_IDS = f"""
MATCH (:{ELEMENT_LABEL})-[r]->(:{ELEMENT_LABEL})
WHERE type(r) IN $types AND r.id IS NOT NULL
WITH r.id AS id, collect(type(r)) AS types
WHERE size(types) > 1
WITH id, types ORDER BY id
WITH collect({{id: id, types: types}}) AS found
RETURN size(found) AS total, found[0..$limit] AS shown
"""

_REL_FILTER = f"""
MATCH (a:{ELEMENT_LABEL})-[r]->(b:{ELEMENT_LABEL})
WHERE ($types IS NULL OR type(r) IN $types)
  AND ($source IS NULL OR a.id = $source)
  AND ($target IS NULL OR b.id = $target)
  AND r.id IS NOT NULL
"""

COUNT_RELS = _REL_FILTER + "RETURN count(r) AS total"

LIST_RELS = (
    _REL_FILTER
    + f"""
RETURN {REL_RETURN}
ORDER BY type, source, target
SKIP $offset LIMIT $limit
"""
)

PATCH_REL = f"""
MATCH (a:{ELEMENT_LABEL})-[r {{id: $id}}]->(b:{ELEMENT_LABEL})
SET r += $props
RETURN {REL_RETURN}
"""

# One round trip for many (id, relationship type, direction) keys: the GraphQL
# relationship fields are resolved through a DataLoader backed by this query.
NEIGHBOURS = f"""
UNWIND $keys AS key
MATCH (n:{ELEMENT_LABEL} {{id: key.id}})
CALL (n, key) {{
  MATCH (n)-[r]->(m:{ELEMENT_LABEL})
  WHERE key.out AND type(r) = key.type
  RETURN m
  UNION
  MATCH (n)<-[r]-(m:{ELEMENT_LABEL})
  WHERE NOT key.out AND type(r) = key.type
  RETURN m
}}
// Stages come in their order; everything else by name.
WITH key, m ORDER BY coalesce(m.`order`, 0), m.name
RETURN key.id AS id, key.type AS type, key.out AS out, key.limit AS limit,
       collect({{label: {type_of("m")}, props: properties(m)}})
         [..key.limit] AS items
"""

NODES_BY_IDS = f"""
UNWIND $ids AS id
MATCH (n:{ELEMENT_LABEL} {{id: id}})
RETURN {type_of("n")} AS label, properties(n) AS props
"""

COUNT_BY_LABEL = f"""
MATCH (n:{ELEMENT_LABEL})
RETURN {type_of("n")} AS label, count(*) AS count
"""

COUNT_BY_REL_TYPE = f"""
MATCH (:{ELEMENT_LABEL})-[r]->(:{ELEMENT_LABEL})
RETURN type(r) AS type, count(*) AS count
"""
