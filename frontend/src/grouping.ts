/**
 * Grouping the drawn elements by value stream, capability or owning team, as Cytoscape
 * compound nodes. Pure: from the visible elements and every relationship the explorer knows
 * (loaded neighbourhoods as well as drawn edges), which group each element falls in.
 *
 * An element belongs to at most one group (a compound node has one parent), so it is put in
 * a group only when that is unambiguous: a team's elements are those it OWNS (its members
 * too); a stream's are its stages and what only it (or its stages) uses, requires or depends
 * on; a capability's are its sub-capabilities and the platforms only it uses. Whatever several
 * groups share stays outside them all, where its edges to each group are visible.
 */
import type { Grouping } from "./urlstate";

export interface GroupInputNode {
  id: string;
  type: string;
  name: string;
}

export interface GroupInputLink {
  source: string;
  target: string;
  rel: string;
}

export interface Group {
  /** The compound node's id (`group:<by>:<anchor id>`): never an element id. */
  id: string;
  /** The element the group is about (the stream, capability or team). */
  anchor: string;
  label: string;
}

export interface Grouped {
  groups: Group[];
  /** Element id → the id of its group. */
  parent: Map<string, string>;
}

export const GROUP_PREFIX = "group:";

export function isGroupId(id: string): boolean {
  return id.startsWith(GROUP_PREFIX);
}

export const GROUPING_LABELS: Record<Grouping, string> = {
  none: "No grouping",
  stream: "Group by value stream",
  capability: "Group by capability",
  team: "Group by owning team",
};

/** What a stream (or one of its stages) leans on: the element is then part of its group. */
const STREAM_RELS = new Set(["REQUIRES", "USES", "DEPENDS_ON", "FUNDED_BY", "MEASURED_BY"]);
const CAPABILITY_RELS = new Set(["USES", "DEPENDS_ON"]);

/** The one anchor in `anchors`, or null when there are none or several. */
function only(anchors: Set<string> | undefined): string | null {
  return anchors && anchors.size === 1 ? [...anchors][0]! : null;
}

function add(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key) ?? new Set<string>();
  set.add(value);
  map.set(key, set);
}

/** Group the visible `nodes` by `by`. Pure and deterministic (same input, same groups). */
export function groupElements(
  by: Grouping,
  nodes: GroupInputNode[],
  links: GroupInputLink[],
  typeOf: (id: string) => string | undefined,
  nameOf: (id: string) => string,
): Grouped {
  const parentAnchor = new Map<string, string>();
  if (by === "none") return { groups: [], parent: new Map() };
  const claims = new Map<string, Set<string>>();
  if (by === "team") {
    for (const l of links) {
      if (l.rel === "OWNS" && typeOf(l.source) === "Team") add(claims, l.target, l.source);
      if (l.rel === "MEMBER_OF" && typeOf(l.target) === "Team") add(claims, l.source, l.target);
    }
    for (const n of nodes) {
      if (n.type === "Team") parentAnchor.set(n.id, n.id);
      else {
        const a = only(claims.get(n.id));
        if (a) parentAnchor.set(n.id, a);
      }
    }
  } else if (by === "stream") {
    const stageOf = new Map<string, string>();
    for (const l of links) if (l.rel === "HAS_STAGE" && typeOf(l.source) === "ValueStream") stageOf.set(l.target, l.source);
    for (const l of links) {
      if (!STREAM_RELS.has(l.rel)) continue;
      const stream = typeOf(l.source) === "ValueStream" ? l.source : stageOf.get(l.source);
      if (stream && typeOf(l.target) !== "ValueStream") add(claims, l.target, stream);
    }
    for (const n of nodes) {
      if (n.type === "ValueStream") parentAnchor.set(n.id, n.id);
      else if (stageOf.has(n.id)) parentAnchor.set(n.id, stageOf.get(n.id)!);
      else {
        const a = only(claims.get(n.id));
        if (a) parentAnchor.set(n.id, a);
      }
    }
  } else {
    const parentCap = new Map<string, string>();
    for (const l of links) if (l.rel === "CONTAINS" && typeOf(l.source) === "Capability") parentCap.set(l.target, l.source);
    const root = (id: string): string => {
      const seen = new Set<string>();
      let at = id;
      while (parentCap.has(at) && !seen.has(at)) {
        seen.add(at);
        at = parentCap.get(at)!;
      }
      return at;
    };
    for (const l of links) {
      if (CAPABILITY_RELS.has(l.rel) && typeOf(l.source) === "Capability" && typeOf(l.target) === "Platform") add(claims, l.target, root(l.source));
    }
    for (const n of nodes) {
      if (n.type === "Capability") parentAnchor.set(n.id, root(n.id));
      else {
        const a = only(claims.get(n.id));
        if (a) parentAnchor.set(n.id, a);
      }
    }
  }
  const parent = new Map<string, string>();
  const anchors = new Set<string>();
  for (const n of nodes) {
    const a = parentAnchor.get(n.id);
    if (!a) continue;
    parent.set(n.id, `${GROUP_PREFIX}${by}:${a}`);
    anchors.add(a);
  }
  const groups = [...anchors]
    .map((a) => ({ id: `${GROUP_PREFIX}${by}:${a}`, anchor: a, label: nameOf(a) }))
    .sort((x, y) => x.label.localeCompare(y.label) || x.id.localeCompare(y.id));
  return { groups, parent };
}
