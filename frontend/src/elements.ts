/** Model → Cytoscape element definitions, and the automatic layout choice. Pure, no DOM. */
import type { ElementDefinition } from "cytoscape";
import type { Grouped } from "./grouping";
import type { Derived } from "./model";
import { nodeStyle, relLabel } from "./style";

export function nodeLabel(name: string, hidden: number): string {
  return hidden > 0 ? `${name} (+${hidden})` : name;
}

/** Cytoscape element definitions for a derived model (groups as compound nodes, first). Pure. */
export function toElements(d: Derived, grouped?: Grouped): ElementDefinition[] {
  const out: ElementDefinition[] = [];
  for (const g of grouped?.groups ?? []) {
    out.push({ group: "nodes", data: { id: g.id, label: g.label, name: g.label, type: "Group", anchor: g.anchor }, classes: "group" });
  }
  for (const n of d.nodes) {
    const parent = grouped?.parent.get(n.id);
    const s = nodeStyle(n.type);
    const classes = [n.expanded ? "expanded" : "", n.pinned ? "pinned" : "", n.hiddenNeighbours ? "has-more" : ""].filter(Boolean);
    out.push({
      group: "nodes",
      data: {
        id: n.id,
        label: nodeLabel(n.name, n.hiddenNeighbours),
        name: n.name,
        type: n.type,
        size: s.size,
        wide: Math.round(s.size * 1.6),
        hidden: n.hiddenNeighbours,
        ...(parent ? { parent } : {}),
      },
      classes: classes.join(" "),
    });
  }
  // Edges between the same two elements are drawn as a bundle of curves (`parallel`); every
  // other edge as the straight line a bundle of one is, without Cytoscape's search for
  // parallel edges (per edge, on each restyle and move: half of a large drawing's task).
  const pairs = new Map<string, number>();
  const pair = (e: { source: string; target: string }): string => (e.source < e.target ? `${e.source}\u0000${e.target}` : `${e.target}\u0000${e.source}`);
  for (const e of d.edges) if (e.source !== e.target) pairs.set(pair(e), (pairs.get(pair(e)) ?? 0) + 1);
  for (const e of d.edges) {
    const classes = [e.overlay ? "overlay" : "", (pairs.get(pair(e)) ?? 0) > 1 ? "parallel" : ""].filter(Boolean);
    out.push({
      group: "edges",
      data: { id: e.id, source: e.source, target: e.target, rel: e.rel, label: relLabel(e.rel), attributes: e.attributes },
      classes: classes.join(" "),
    });
  }
  return out;
}

/** Layered layout for chains and trees; force-directed once an element has many neighbours. Pure. */
export function chooseLayout(degrees: number[], edges: number): "dagre" | "fcose" {
  if (edges === 0) return "fcose";
  return Math.max(0, ...degrees) > 10 ? "fcose" : "dagre";
}

