"""Investment to outcome, per value stream: its funding lines over time beside its measures'
trends (`queries.measures`), the seed's "see how investment connects to outcomes".

A funding line is a `FUNDED_BY` relationship from the stream to an `Investment`, now or at
any time in the change history. Its span runs from its lifecycle start (the relationship's
`lifecycle_phase_in`, else `lifecycle_active`) or, without one, the day it was recorded,
until its `lifecycle_end_of_life` or, without one, the day its deletion was recorded (open
while it stands). Its amounts over time are the versions of the investment's `amount` in
the history, each dated by the day it was recorded. The stream's funding over time adds, on
each day something changes, the amount in force of every line open that day.
"""

from __future__ import annotations

import json

from pydantic import BaseModel, Field

from graph import history
from graph.labels import FUNDED_BY, INVESTMENT
from graph.store import GraphStore
from queries.measures import MeasureSeries, Version, measure_series, stream_ref, versions
from queries.resolve import ElementRef

# -- Cypher ------------------------------------------------------------------------------

# Every recorded version of every funding relationship, oldest first; the stream's are
# picked in Python (the source is inside the stored state). Funding lines are few, and the
# history has no index on type: a scan of the relationship changes of this one type.
FUNDING_VERSIONS = (
    history.changes(
        "{x}.kind = $kind AND {x}.type = $type",
        fields=("id", "seq", "at", "fields", "after", "before"),
    )
    + """RETURN c.id AS id, c.seq AS seq, c.at AS at, c.fields AS fields, c.after AS after,
       c.before AS before
ORDER BY seq
"""
)

INVESTMENTS = f"""
UNWIND $ids AS id
MATCH (i:{INVESTMENT} {{id: id}})
RETURN i.id AS id, i.name AS name
"""

# -- the answers ---------------------------------------------------------------------------


class AmountPoint(BaseModel):
    """An investment's amount from the day it was recorded."""

    date: str
    amount: float | None
    period: str | None
    funding_type: str | None
    currency: str | None
    seq: int


class FundingLine(BaseModel):
    """One funding relationship of the stream, and its investment's amounts over time."""

    relationship_id: str
    investment: ElementRef
    standing: bool = Field(description="The relationship exists now.")
    start: str = Field(description="First day of the line (YYYY-MM-DD).")
    end: str | None = Field(description="The day it ends (exclusive); null: open.")
    recorded_at: str = Field(description="When the line was first recorded.")
    removed_at: str | None = Field(description="When its deletion was recorded, if it was.")
    funding_type: str | None = Field(description="As the investment says now (or last said).")
    currency: str | None
    amount: float | None = Field(description="The amount now (or last recorded).")
    amounts: list[AmountPoint] = Field(description="Oldest first.")


class FundingPoint(BaseModel):
    """The stream's total funding from a day on: every open line's amount in force."""

    date: str
    total: float
    lines: int = Field(description="How many lines were open that day.")


class InvestmentView(BaseModel):
    stream: ElementRef
    lines: list[FundingLine]
    funding: list[FundingPoint] = Field(
        description="From each day something changed, oldest first. Amounts are added as "
        "given: see `currencies`."
    )
    currencies: list[str] = Field(description="The currencies the lines are in.")
    measures: list[MeasureSeries]


# -- building the lines --------------------------------------------------------------------


def _day(at: str) -> str:
    return at[:10]


def _amounts(investment_versions: list[Version]) -> list[AmountPoint]:
    keys = ("amount", "period", "funding_type", "currency")
    by_day: dict[str, AmountPoint] = {}
    last: tuple[object, ...] | None = None
    for v in investment_versions:
        if v.state is None:
            last = None
            continue
        now = tuple(v.state.get(k) for k in keys)
        if now == last:
            continue
        last = now
        amount = v.state.get("amount")
        by_day[_day(v.at)] = AmountPoint(
            date=_day(v.at),
            amount=float(amount) if isinstance(amount, int | float) else None,
            period=v.state.get("period"),
            funding_type=v.state.get("funding_type"),
            currency=v.state.get("currency"),
            seq=v.seq,
        )
    return [by_day[d] for d in sorted(by_day)]


def _line(
    rel_id: str, rel_versions: list[Version], amounts: list[AmountPoint], name: str | None
) -> FundingLine:
    last_state = next(v.state for v in reversed(rel_versions) if v.state is not None)
    created = next(v for v in rel_versions if v.state is not None)
    standing = rel_versions[-1].state is not None
    removed = None if standing else rel_versions[-1].at
    start = (
        last_state.get("lifecycle_phase_in")
        or last_state.get("lifecycle_active")
        or _day(created.at)
    )
    end = last_state.get("lifecycle_end_of_life") or (_day(removed) if removed else None)
    target = str(last_state["target"])
    latest = amounts[-1] if amounts else None
    return FundingLine(
        relationship_id=rel_id,
        investment=ElementRef(id=target, type=INVESTMENT, name=name or target),
        standing=standing,
        start=str(start),
        end=str(end) if end else None,
        recorded_at=created.at,
        removed_at=removed,
        funding_type=latest.funding_type if latest else None,
        currency=latest.currency if latest else None,
        amount=latest.amount if latest else None,
        amounts=amounts,
    )


def _in_force(amounts: list[AmountPoint], day: str) -> float:
    """The amount recorded last on or before `day`; the first one before any was."""
    found = [a for a in amounts if a.date <= day] or amounts[:1]
    return (found[-1].amount or 0.0) if found else 0.0


def funding_over_time(lines: list[FundingLine]) -> list[FundingPoint]:
    """The stream's total on each day a line starts or ends or an amount changes."""
    days = sorted(
        {line.start for line in lines}
        | {line.end for line in lines if line.end}
        | {a.date for line in lines for a in line.amounts}
    )
    out: list[FundingPoint] = []
    for day in days:
        open_lines = [x for x in lines if x.start <= day and (x.end is None or day < x.end)]
        total = round(sum(_in_force(x.amounts, day) for x in open_lines), 6)
        point = FundingPoint(date=day, total=total, lines=len(open_lines))
        if out and (out[-1].total, out[-1].lines) == (point.total, point.lines):
            continue  # nothing changed that day for this stream
        out.append(point)
    return out


def funding_lines(store: GraphStore, stream_id: str) -> list[FundingLine]:
    """Every funding relationship of the stream the history knows, oldest first."""
    rels: dict[str, list[Version]] = {}
    for r in store.read(FUNDING_VERSIONS, {"kind": history.RELATIONSHIP, "type": FUNDED_BY}):
        state = json.loads(r["after"] or r["before"])
        if state.get("source") != stream_id:
            continue
        after = None if r["after"] is None else state
        version = Version(int(r["seq"]), str(r["at"]), tuple(r["fields"] or ()), after)
        rels.setdefault(str(r["id"]), []).append(version)
    if not rels:
        return []
    targets = {
        k: str(next(v.state for v in reversed(vs) if v.state is not None)["target"])
        for k, vs in rels.items()
    }
    amounts = versions(store, targets.values(), history.ELEMENT)
    names = {r["id"]: r["name"] for r in store.read(INVESTMENTS, {"ids": list(targets.values())})}
    lines = [
        _line(k, vs, _amounts(amounts.get(targets[k], [])), names.get(targets[k]))
        for k, vs in rels.items()
    ]
    return sorted(lines, key=lambda x: (x.start, x.investment.name.lower(), x.relationship_id))


def investment_view(store: GraphStore, stream: str) -> InvestmentView:
    """The stream's funding lines and total over time, beside its measures' trends."""
    ref = stream_ref(store, stream)
    lines = funding_lines(store, ref.id)
    return InvestmentView(
        stream=ref,
        lines=lines,
        funding=funding_over_time(lines),
        currencies=sorted({x.currency for x in lines if x.currency}),
        measures=measure_series(store, ref.id),
    )
