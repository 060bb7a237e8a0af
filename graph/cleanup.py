"""Every statement that deletes elements or their relationships, built from the schema.

As Cartography's cleanup builder does, deletion Cypher is generated here once and taken
from here by every caller: the store (one element or relationship, the whole model), an
import's prune (only what its source wrote) and a scenario's apply (by id, inside the
write's transaction). Labels and relationship types come only from `graph.schema`
lookups; every value is a parameter.
"""

from __future__ import annotations

from graph.labels import IMPORT_DIGEST, IMPORT_RUN, SCENARIO
from graph.schema import ELEMENT_LABEL, NODE_SOURCE, REL_SOURCE, SCHEMA

# One element by id with all its relationships; no row when there is no such element.
DELETE_ELEMENT = f"""
MATCH (n:{ELEMENT_LABEL} {{id: $id}})
WITH n, COUNT {{ (n)--() }} AS rels
DETACH DELETE n
RETURN rels
"""

# One relationship (of any type) by id.
DELETE_RELATIONSHIP = f"""
MATCH (:{ELEMENT_LABEL})-[r {{id: $id}}]->(:{ELEMENT_LABEL})
DELETE r
RETURN count(*) AS deleted
"""

# Relationships stored without an id (written outside the store), by Neo4j's element id.
DELETE_RELATIONSHIPS_BY_ELEMENT_ID = f"""
UNWIND $ids AS eid
MATCH (:{ELEMENT_LABEL})-[r]->(:{ELEMENT_LABEL})
WHERE elementId(r) = eid
DELETE r
RETURN count(*) AS deleted
"""


def delete_elements(*, by_source: bool = False) -> str:
    """Elements by id (`$ids`) with all their relationships; returns `deleted`.

    `by_source`: only those `$source` wrote (an import's prune), and `attached` counts the
    relationships they take along that were not `$source`'s own, so a report can say so.
    """
    if not by_source:
        return f"""
UNWIND $ids AS id
MATCH (n:{ELEMENT_LABEL} {{id: id}})
DETACH DELETE n
RETURN count(*) AS deleted
"""
    return f"""
UNWIND $ids AS id
MATCH (n:{ELEMENT_LABEL} {{id: id}})
WHERE n.{NODE_SOURCE} = $source
WITH n, COUNT {{ (n)-[r]-() WHERE r.{REL_SOURCE} IS NULL OR r.{REL_SOURCE} <> $source }}
     AS attached
DETACH DELETE n
RETURN count(*) AS deleted, sum(attached) AS attached
"""


def delete_relationships(rel_type: str, *, by_source: bool = False) -> str:
    """Relationships of one type by id (`$ids`, found through the id constraint's index);
    returns `deleted`. `by_source`: only those `$source` wrote."""
    rel = SCHEMA.rel(rel_type)
    scope = f"\nWHERE r.{REL_SOURCE} = $source" if by_source else ""
    return f"""
UNWIND $ids AS id
MATCH (:{ELEMENT_LABEL})-[r:{rel.type} {{id: id}}]->(:{ELEMENT_LABEL}){scope}
DELETE r
RETURN count(*) AS deleted
"""


# Some element ids, for a reset that deletes (and records) the model a batch at a time.
SOME_ELEMENT_IDS = f"""
MATCH (n:{ELEMENT_LABEL})
WHERE n.id IS NOT NULL
RETURN n.id AS id
LIMIT $limit
"""

# The model, how it was imported and the scenarios on it; tokens and the audit log stay.
# In batches of its own transactions: run it outside an explicit transaction.
CLEAR_MODEL = f"""
MATCH (n)
WHERE n:{ELEMENT_LABEL} OR n:{IMPORT_RUN} OR n:{IMPORT_DIGEST} OR n:{SCENARIO}
CALL (n) {{ DETACH DELETE n }} IN TRANSACTIONS OF 5000 ROWS
"""
