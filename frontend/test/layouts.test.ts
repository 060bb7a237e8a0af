import cytoscape from "cytoscape";
import { describe, expect, it } from "vitest";
import { layoutRequest, type LayoutRequest } from "../src/layouts";
import { computeLayout } from "../src/layoutrun";

function star(kind: "dagre" | "fcose", seed = 7): LayoutRequest {
  const nodes = Array.from({ length: 14 }, (_, i) => ({ id: `n${i}`, w: 60 + (i % 3) * 20, h: 40, x: 0, y: 0, locked: false }));
  const edges = nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: "n0", target: n.id }));
  return { seq: 1, kind, seed, nodes, edges };
}

describe("the layouts run off the page", () => {
  it("places every node, the same way each time (the worker's answer is stable)", () => {
    for (const kind of ["dagre", "fcose"] as const) {
      const a = computeLayout(star(kind));
      const b = computeLayout(star(kind));
      expect(Object.keys(a.positions).sort()).toEqual(star(kind).nodes.map((n) => n.id).sort());
      expect(a.positions).toEqual(b.positions);
      expect(a.seq).toBe(1);
    }
  });

  it("lays the layered layout out left to right and keeps boxes apart", () => {
    const { positions } = computeLayout(star("dagre"));
    for (let i = 1; i < 14; i++) expect(positions[`n${i}`]!.x).toBeGreaterThan(positions.n0!.x);
    const ys = Array.from({ length: 13 }, (_, i) => positions[`n${i + 1}`]!.y).sort((a, b) => a - b);
    for (let i = 1; i < ys.length; i++) expect(ys[i]! - ys[i - 1]!).toBeGreaterThanOrEqual(40);
  });

  it("leaves a pinned node where it is", () => {
    const req = star("fcose");
    req.nodes[3] = { ...req.nodes[3]!, x: 1234, y: -56, locked: true };
    expect(computeLayout(req).positions.n3).toEqual({ x: 1234, y: -56 });
  });

  it("asks for what the canvas draws: node boxes, groups, edges and a seed from the ids", () => {
    const cy = cytoscape({
      headless: true,
      styleEnabled: true,
      style: [{ selector: "node", style: { width: 50, height: 30, padding: "0px" } }, { selector: "node:parent", style: { padding: "16px" } }],
      elements: [
        { data: { id: "g" } },
        { data: { id: "a", parent: "g" } },
        { data: { id: "b" } },
        { data: { id: "ab", source: "a", target: "b" } },
      ],
    });
    const req = layoutRequest(cy, "dagre", 5);
    cy.destroy();
    expect(req.seq).toBe(5);
    expect(req.edges).toEqual([{ id: "ab", source: "a", target: "b" }]);
    const a = req.nodes.find((n) => n.id === "a")!;
    expect(a.parent).toBe("g");
    expect(a.w).toBeGreaterThanOrEqual(50);
    expect(a.h).toBeGreaterThanOrEqual(30);
    expect(req.nodes.find((n) => n.id === "g")!.pad).toBeGreaterThanOrEqual(16);
    const grouped = computeLayout(req).positions;
    expect(Object.keys(grouped).sort()).toEqual(["a", "b"]);
  });
});
