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
    # under its key is not lost. Only those its operations touched can be gone, and only
    # those it relates anew (not the base's relationship under their key) can replace one.
    keys = scenario.changes_from(base)[1]
    added: dict[tuple[str, str], set[str]] = {}
    for key in keys:
        x = kept.get(key)
        if x is not None and x.type in NEEDS and x is not base.rels.get(key):
            added.setdefault((x.source, x.type), set()).add(x.target)
    targets: dict[tuple[bool, str, str], set[str]] = {}

    def targets_of(in_scenario: bool, source: str, rel_type: str) -> set[str]:
        # What a source has of a type on a side, found once per source and type.
        found = targets.get((in_scenario, source, rel_type))
        if found is None:
            model = scenario if in_scenario else base
            found = targets[in_scenario, source, rel_type] = {
                x.target for x in model.out_rels(source, rel_type)
            }
        return found

    for key in keys:
        r = base.rels.get(key)
        if r is None or r.type not in NEEDS or kept.get(key) is r or r.source not in scenario.nodes:
            continue
        # Still related so (never to an element the scenario removed: removing a platform
        # 5,600 elements use looked through each one's relationships, twice).
        if r.target in scenario.nodes and r.target in targets_of(True, r.source, r.type):
            continue
        # Replaced: related so anew to an element of the same type it was not related so to.
        new = added.get((r.source, r.type))
        if new:
            kind = base.nodes[r.target].type
            new = new - targets_of(False, r.source, r.type)
            if any(scenario.label(x) == kind for x in new):
                continue
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
    named: dict[str, ElementRef] = {}

    def ref(node_id: str) -> ElementRef:
        # Each element named once, however many lists hold it (a stream is in hundreds).
        found = named.get(node_id)
        if found is None:
            found = named[node_id] = base.nodes[node_id].ref
        return found

    def by_name(mask: int) -> list[ElementRef]:
        if mask not in refs:  # many elements reach the same streams
            refs[mask] = [ref(s) for s in projection.streams_in(mask)]
        return refs[mask]  # each answer holds a copy of its own (pydantic copies a list)

    needs = []
    hit = 0
    for source, rel_type, target in lost:
        affected = masks[source]
        hit |= affected
        streams = by_name(affected)
        needs.append(
            LostNeed(
                element=ref(source),
                relationship=rel_type,
                needed=ref(target),
                removed=target not in scenario.nodes,
                streams=streams,
                stream_count=len(streams),
            )
        )
    needs.sort(key=lambda n: (-len(n.streams), n.element.name, n.needed.name, n.relationship))
    return needs, list(by_name(hit))
