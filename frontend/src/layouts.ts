/**
 * The graph layouts, once for both places they run: the options of the layered (`dagre`)
 * and force-directed (`fcose`) layouts and what a layout request carries to the layout
 * worker (`layout.worker.ts`: element ids, each node's size as drawn, pinned positions, the
 * seed). The layout run itself on a headless Cytoscape is `layoutrun.ts`.
 *
 * The drawn canvas measures each node with its label (`nodeDimensionsIncludeLabels`); the
 * headless copy has no renderer to measure text, so it is given those measured sizes as the
 * nodes' own, and lays out the same boxes.
 */
import type { BoundingBoxOptions, Core, NodeSingular } from "cytoscape";
import { stableSeed } from "./stable";

export type LayoutKind = "dagre" | "fcose";

/** Space around the drawing when a layout fits it. */
export const FIT_PADDING = 30;

/** The options of each layout (without animation or fit: those belong to the drawn canvas). */
export function layoutOptions(kind: LayoutKind): Record<string, unknown> {
  return kind === "dagre"
    ? { name: "dagre", rankDir: "LR", nodeSep: 18, rankSep: 90, edgeSep: 8 }
    : {
        name: "fcose",
        quality: "default",
        randomize: true,
        nodeRepulsion: () => 16000,
        idealEdgeLength: () => 120,
        nodeSeparation: 90,
        gravity: 0.2,
        packComponents: true,
      };
}

/** A node as the layout sees it: its box as drawn (label included) and, if pinned, where. */
export interface LayoutNode {
  id: string;
  parent?: string;
  /** Width and height with the label (childless nodes). */
  w: number;
  h: number;
  /** Padding of a group (compound node), its label's height included. */
  pad?: number;
  x: number;
  y: number;
  locked: boolean;
}

export interface LayoutRequest {
  /** Which drawing this is: an answer for an older one is dropped. */
  seq: number;
  kind: LayoutKind;
  seed: number;
  nodes: LayoutNode[];
  edges: { id: string; source: string; target: string }[];
}

export interface LayoutAnswer {
  seq: number;
  positions: Record<string, { x: number; y: number }>;
  error?: string;
}

/** What the drawn canvas `cy` asks a layout of `kind` to place. */
export function layoutRequest(cy: Core, kind: LayoutKind, seq: number): LayoutRequest {
  // Measured afresh, all at once: a label restyled just before (the view resets the zoom's
  // label enlargement) is otherwise measured at its old size until the next frame, and the
  // same elements would be placed differently. One pass over every node; the boxes read
  // below are then the fresh ones (a pass per node costs seconds on a few hundred nodes).
  cy.nodes().boundingBox(fresh({}));
  const nodes: LayoutNode[] = cy.nodes().map((n: NodeSingular) => {
    const parent = n.parent().first();
    const pos = n.position();
    const node: LayoutNode = { id: n.id(), w: 0, h: 0, x: pos.x, y: pos.y, locked: n.locked() };
    if (parent.nonempty()) node.parent = parent.id();
    if (n.isParent()) {
      // A group's name sits above its members: keep room for it on every side.
      const withLabel = n.boundingBox({ includeLabels: true });
      const without = n.boundingBox({ includeLabels: false });
      node.pad = round(n.numericStyle("padding") + Math.max(0, withLabel.h - without.h));
    } else {
      // What `layoutDimensions({nodeDimensionsIncludeLabels: true})` measures.
      const box = n.boundingBox();
      node.w = round(box.w);
      node.h = round(box.h);
    }
    return node;
  });
  const edges = cy.edges().map((e) => ({ id: e.id(), source: e.source().id(), target: e.target().id() }));
  // Same elements, same positions: the force-directed layout's random start is seeded from
  // what is drawn (the layered one is deterministic already).
  const seed = stableSeed(cy.elements().map((e) => e.id()));
  return { seq, kind, seed, nodes, edges };
}

/** Bounding-box options that bypass Cytoscape's cache (`useCache` is missing from its types). */
function fresh(opts: BoundingBoxOptions): BoundingBoxOptions {
  return { ...opts, useCache: false } as BoundingBoxOptions;
}

/** To a hundredth of a pixel: the same text measures a few 1e-14 px differently at times. */
function round(v: number): number {
  return Math.round(v * 100) / 100;
}
