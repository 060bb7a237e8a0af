"""What a scenario takes away from what streams need: the losses a comparison reports.

A need is a relationship saying its source cannot work without its target: a stream or
stage REQUIRES a capability, anything USES, DEPENDS_ON or READS something. A scenario
loses a need when the source is still there and the relationship is not, unless the
source gained a need of the same kind on an element of the same type (a replacement: the
old platform's users moved to the new one, or a dependency moved over). Removing an
element therefore never reads as its dependants being "no longer reached": they lost it.

The lost needs also go into the scenario's health facts (`HealthFacts.lost_needs`), so a
platform that lost what it needed stops and the capabilities left without a working
platform cut their streams' requirements.
"""

from __future__ import annotations

from graph.labels import DEPENDS_ON, READS, REQUIRES, USES
from queries.model_graph import ModelGraph
from queries.projection import Projection
from queries.resolve import ElementRef
from queries.scenarios.models import LostNeed

NEEDS: tuple[str, ...] = (REQUIRES, USES, DEPENDS_ON, READS)


def lost_needs(base: ModelGraph, scenario: ModelGraph) -> list[tuple[str, str, str]]:
    """(source, relationship type, target) needs of the base the scenario lost, in order."""
    lost: set[tuple[str, str, str]] = set()
    kept = scenario.rels
    # A scenario is a copy of the base sharing its relationships (frozen): one still there
    # under its key is not lost. Only those its operations touched can be gone.
    for key in scenario.changes_from(base)[1]:
        r = base.rels.get(key)
        if r is None or r.type not in NEEDS or kept.get(key) is r or r.source not in scenario.nodes:
            continue
        if scenario.rels_between(r.type, r.source, r.target):
            continue
        kind = base.nodes[r.target].type
        replaced = any(
            scenario.label(x.target) == kind and not base.rels_between(r.type, r.source, x.target)
            for x in scenario.out_rels(r.source, r.type)
        )
        if not replaced:
            lost.add((r.source, r.type, r.target))
    return sorted(lost)


def describe_losses(
    base: ModelGraph,
    scenario: ModelGraph,
    lost: list[tuple[str, str, str]],
    projection: Projection,
) -> tuple[list[LostNeed], list[ElementRef]]:
    """Each lost need with the streams resting on what lost it (in the base's dependency
    graph `projection`), and every such stream."""
    if not lost:
        return [], []
    # In the projection u -> v means v depends on u: a stream rests on what reaches it,
    # so the streams resting on an element are the ones it reaches (itself, if a stream).
    masks = projection.stream_masks
    refs: dict[int, list[ElementRef]] = {}
    stream_refs: dict[str, ElementRef] = {}

    def ref(stream: str) -> ElementRef:
        if stream not in stream_refs:  # each stream named once, however many lists hold it
            stream_refs[stream] = base.nodes[stream].ref
        return stream_refs[stream]

    def by_name(mask: int) -> list[ElementRef]:
        if mask not in refs:  # many elements reach the same streams
            refs[mask] = [ref(s) for s in projection.streams_in(mask)]
        return list(refs[mask])

    needs = []
    hit = 0
    for source, rel_type, target in lost:
        affected = masks[source]
        hit |= affected
        streams = by_name(affected)
        needs.append(
            LostNeed(
                element=base.nodes[source].ref,
                relationship=rel_type,
                needed=base.nodes[target].ref,
                removed=target not in scenario.nodes,
                streams=streams,
                stream_count=len(streams),
            )
        )
    needs.sort(key=lambda n: (-len(n.streams), n.element.name, n.needed.name, n.relationship))
    return needs, by_name(hit)
