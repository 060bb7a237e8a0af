"""The most depended-on elements and who answers for them: what the overview shows of a
model without value streams (an ArchiMate model of applications and processes), where
the stream map and the stream-weighted bottleneck ranking have nothing to stand on.

An element is depended on by every element with a relationship to it that says it needs
it: REQUIRES, USES, DEPENDS_ON or READS (the needs a scenario reports as losses,
`queries.scenarios.losses.NEEDS`). Elements are ranked by how many distinct elements need
them directly, then by name; each comes with the teams owning it and the people
accountable for it.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from graph.labels import ACCOUNTABLE_FOR, OWNS, type_of
from graph.schema import ELEMENT_LABEL
from graph.store import GraphStore
from queries.resolve import ElementRef
from queries.scenarios.losses import NEEDS

MOST_DEPENDED_ON = f"""
MATCH (e:{ELEMENT_LABEL})<-[r]-(d:{ELEMENT_LABEL})
WHERE type(r) IN $needs AND d <> e
WITH e, count(DISTINCT d) AS dependents
WITH collect({{e: e, dependents: dependents}}) AS ranked
UNWIND ranked AS row
WITH size(ranked) AS total, row.e AS e, row.dependents AS dependents
ORDER BY dependents DESC, e.name, e.id
LIMIT $limit
OPTIONAL MATCH (e)<-[:{OWNS}]-(t:{ELEMENT_LABEL})
WITH total, e, dependents, collect(DISTINCT t) AS teams
OPTIONAL MATCH (e)<-[:{ACCOUNTABLE_FOR}]-(p:{ELEMENT_LABEL})
WITH total, e, dependents, teams, collect(DISTINCT p) AS people
RETURN total, e.id AS id, {type_of("e")} AS type, e.name AS name, dependents,
       [t IN teams | {{id: t.id, type: {type_of("t")}, name: t.name}}] AS owners,
       [p IN people | {{id: p.id, type: {type_of("p")}, name: p.name}}] AS accountable
ORDER BY dependents DESC, name, id
"""


class DependedOn(BaseModel):
    element: ElementRef
    dependents: int = Field(
        description="Distinct elements that need it directly (REQUIRES, USES, DEPENDS_ON, READS)."
    )
    owners: list[ElementRef] = Field(description="Teams owning it (OWNS), by name.")
    accountable: list[ElementRef] = Field(
        description="People accountable for it (ACCOUNTABLE_FOR), by name."
    )


class DependedOnAnswer(BaseModel):
    total: int = Field(description="Elements something needs directly, in all.")
    items: list[DependedOn] = Field(description="The most depended-on first, then by name.")


def _refs(rows: list[dict[str, str]]) -> list[ElementRef]:
    refs = [ElementRef(id=r["id"], type=r["type"], name=r["name"]) for r in rows]
    return sorted(refs, key=lambda r: (r.name, r.id))


def most_depended_on(store: GraphStore, limit: int = 10) -> DependedOnAnswer:
    """The `limit` elements most needed directly by others, with their owners."""
    records = store.read(MOST_DEPENDED_ON, {"needs": list(NEEDS), "limit": limit})
    items = [
        DependedOn(
            element=ElementRef(id=r["id"], type=r["type"], name=r["name"]),
            dependents=r["dependents"],
            owners=_refs(r["owners"]),
            accountable=_refs(r["accountable"]),
        )
        for r in records
    ]
    return DependedOnAnswer(total=records[0]["total"] if records else 0, items=items)
