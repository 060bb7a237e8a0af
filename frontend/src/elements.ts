/** Model → Cytoscape element definitions, and the automatic layout choice. Pure, no DOM. */
import type { ElementDefinition } from "cytoscape";
import type { Derived } from "./model";
import { nodeStyle, relLabel } from "./style";

export function nodeLabel(name: string, hidden: number): string {
  return hidden > 0 ? `${name} (+${hidden})` : name;
}

/** Cytoscape element definitions for a derived model. Pure. */
export function toElements(d: Derived): ElementDefinition[] {
  const out: ElementDefinition[] = [];
  for (const n of d.nodes) {
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
      },
      classes: classes.join(" "),
    });
  }
  for (const e of d.edges) {
    out.push({
      group: "edges",
      data: { id: e.id, source: e.source, target: e.target, rel: e.rel, label: relLabel(e.rel), attributes: e.attributes },
      classes: e.overlay ? "overlay" : "",
    });
  }
  return out;
}

/** Layered layout for chains and trees; force-directed once an element has many neighbours. Pure. */
export function chooseLayout(degrees: number[], edges: number): "dagre" | "fcose" {
  if (edges === 0) return "fcose";
  return Math.max(0, ...degrees) > 10 ? "fcose" : "dagre";
}

