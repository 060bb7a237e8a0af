"""What a report says about the model it was asked of: where its elements came from, how
many elements and relationships it holds, and its revision (which changes with every write,
so two reports of one revision describe the same model)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from graph.labels import IMPORT_RUN
from graph.schema import ELEMENT_LABEL
from graph.store import GraphStore

# Elements by the source they were imported or loaded from (null: made through the API).
SOURCES = f"""
MATCH (n:{ELEMENT_LABEL})
RETURN n.source AS source, count(*) AS elements
ORDER BY source
"""

# The last recorded import of each source (the demo is loaded without an import run).
LAST_IMPORTS = f"""
MATCH (r:{IMPORT_RUN})
RETURN r.source AS source, max(r.finished_at) AS finished_at
"""


class SourceSummary(BaseModel):
    source: str | None = Field(description="Import source; null: made through the API or CLI.")
    elements: int
    last_import: str | None = Field(description="When it was last imported, if recorded.")


class ModelSummary(BaseModel):
    elements: int
    relationships: int
    revision: str
    sources: list[SourceSummary]


def model_summary(store: GraphStore) -> ModelSummary:
    """Sources, counts and revision of the model in the store."""
    stats = store.stats()
    last = {r["source"]: r["finished_at"] for r in store.read(LAST_IMPORTS)}
    sources = [
        SourceSummary(source=r["source"], elements=r["elements"], last_import=last.get(r["source"]))
        for r in store.read(SOURCES)
    ]
    return ModelSummary(
        elements=sum(stats["nodes"].values()),
        relationships=sum(stats["relationships"].values()),
        revision=store.revision(),
        sources=sources,
    )
