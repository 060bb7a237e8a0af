"""The schema's node labels and relationship types as typed constants.

Code that names a type in Cypher or in Python takes it from here, never from a string
literal or a copy of its own: each constant is looked up in `graph.schema`'s declaration
when this module loads, so renaming or removing a type fails at import time, naming the
constant, rather than leaving a query that silently matches nothing. The labels of what
lives beside the model (not schema types) are declared here too, once.
"""

from __future__ import annotations

from typing import Final

from graph.schema import ELEMENT_LABEL, SCHEMA


def _label(label: str) -> str:
    return SCHEMA.node(label).label


def _rel(rel_type: str) -> str:
    return SCHEMA.rel(rel_type).type


def node_prop(label: str, name: str) -> str:
    """A typed property of a node type, looked up so a schema change fails here rather
    than silently."""
    prop = SCHEMA.node(label).prop(name)
    if prop is None:
        raise LookupError(f"{label} has no property {name!r}")
    return prop.name


def type_of(var: str) -> str:
    """The Cypher expression for the schema type (label) of node variable `var`."""
    return f"[l IN labels({var}) WHERE l <> '{ELEMENT_LABEL}'][0]"


# -- node types --------------------------------------------------------------------------
ELEMENT: Final = ELEMENT_LABEL  # every node of the model carries it beside its type's
STREAM: Final = _label("ValueStream")
STAGE: Final = _label("Stage")
CAPABILITY: Final = _label("Capability")
PLATFORM: Final = _label("Platform")
TEAM: Final = _label("Team")
DATA: Final = _label("DataAsset")
PERSON: Final = _label("Person")
MEASURE: Final = _label("Measure")
INVESTMENT: Final = _label("Investment")
GOVERNANCE_FORUM: Final = _label("GovernanceForum")
GENERIC: Final = _label("GenericElement")

# -- relationship types --------------------------------------------------------------------
HAS_STAGE: Final = _rel("HAS_STAGE")
REQUIRES: Final = _rel("REQUIRES")
CONTAINS: Final = _rel("CONTAINS")
USES: Final = _rel("USES")
DEPENDS_ON: Final = _rel("DEPENDS_ON")
READS: Final = _rel("READS")
WRITES: Final = _rel("WRITES")
OWNS: Final = _rel("OWNS")
SUPPORTS: Final = _rel("SUPPORTS")
MEMBER_OF: Final = _rel("MEMBER_OF")
ACCOUNTABLE_FOR: Final = _rel("ACCOUNTABLE_FOR")
FUNDED_BY: Final = _rel("FUNDED_BY")
MEASURED_BY: Final = _rel("MEASURED_BY")
DECIDES_FOR: Final = _rel("DECIDES_FOR")
RELATED_TO: Final = _rel("RELATED_TO")

# -- beside the model: never `Element`, so no question, import, export or search sees them --
META: Final = "ValuegraphMeta"  # the schema version and the model's revision
IMPORT_RUN: Final = "ImportRun"
# What the last import of a source wrote, as row digests (importers.digests): one per source.
IMPORT_DIGEST: Final = "ImportDigest"
SCENARIO: Final = "Scenario"
API_TOKEN: Final = "ApiToken"
AUDIT_EVENT: Final = "AuditEvent"
CHANGE_SET: Final = "ChangeSet"  # the change history (graph.history): one per committed change
CHANGE: Final = "Change"  # ... and one per element or relationship it changed
# ... or, for a large change's creations, one per few hundred created (graph.history)
CHANGE_CHUNK: Final = "ChangeChunk"
SAVED_VIEW: Final = "SavedView"  # the explorer's saved named views (graph.saved_views)
