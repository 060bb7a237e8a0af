/**
 * The layout run itself on a headless Cytoscape with the layered (`dagre`) and
 * force-directed (`fcose`) layouts: what the layout worker (`layout.worker.ts`) does, and
 * what the page does where no Worker exists (tests, old browsers), loading this module then
 * only (`layoutclient.ts`). Kept out of the page's own bundle: evaluating both layouts'
 * libraries was a good part of the page's first long task, for a fallback.
 */
import cytoscape, { type Core } from "cytoscape";
import dagre from "cytoscape-dagre";
import fcose from "cytoscape-fcose";
import { layoutOptions, type LayoutAnswer, type LayoutRequest } from "./layouts";
import { seededRandom } from "./stable";

cytoscape.use(dagre);
cytoscape.use(fcose);

/**
 * Run the layout `req` asks for on a headless Cytoscape and return where each childless
 * node goes. Synchronous: the worker's whole job, or the fallback's in the page.
 */
export function computeLayout(req: LayoutRequest): LayoutAnswer {
  const cy = cytoscape({
    headless: true,
    styleEnabled: true,
    style: [
      { selector: "node", style: { shape: "rectangle", "border-width": 0, padding: 0, label: "" } },
      { selector: "node:childless", style: { width: "data(w)", height: "data(h)" } },
      { selector: "node:parent", style: { padding: "data(pad)" } },
    ] as unknown as cytoscape.StylesheetJson,
    elements: [
      ...req.nodes.map((n) => ({
        group: "nodes" as const,
        data: n.parent ? { id: n.id, parent: n.parent, w: n.w, h: n.h, pad: n.pad ?? 0 } : { id: n.id, w: n.w, h: n.h, pad: n.pad ?? 0 },
        position: { x: n.x, y: n.y },
        locked: n.locked,
      })),
      ...req.edges.map((e) => ({ group: "edges" as const, data: { ...e } })),
    ],
  });
  try {
    if (req.kind === "fcose") placeInOrder(cy);
    const layout = cy.layout({
      ...layoutOptions(req.kind),
      animate: false,
      fit: false,
      nodeDimensionsIncludeLabels: false,
    } as unknown as cytoscape.LayoutOptions);
    const random = Math.random;
    Math.random = seededRandom(req.seed);
    try {
      layout.run();
    } finally {
      Math.random = random;
    }
    const positions: LayoutAnswer["positions"] = {};
    cy.nodes(":childless").forEach((n) => {
      const p = n.position();
      positions[n.id()] = { x: p.x, y: p.y };
    });
    return { seq: req.seq, positions };
  } finally {
    cy.destroy();
  }
}

/**
 * The force-directed layout starts from where the elements are: start it from a grid in
 * id order, so the same elements always end in the same places.
 */
function placeInOrder(cy: Core): void {
  const nodes = cy.nodes(":childless").sort((a, b) => (a.id() < b.id() ? -1 : a.id() > b.id() ? 1 : 0));
  const cols = Math.max(1, Math.ceil(Math.sqrt(nodes.length)));
  nodes.forEach((node, i) => {
    if (!node.locked()) node.position({ x: (i % cols) * 80, y: Math.floor(i / cols) * 80 });
  });
}
