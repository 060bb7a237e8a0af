import { describe, expect, it } from "vitest";
import { chooseLayout, nodeLabel, toElements } from "../src/elements";
import { EDGE_GROUPS, NODE_STYLES, REL_GROUP, cytoscapeStyle, edgeStyle, loadColor, nodeStyle, relLabel, scaleSize, clusterColor } from "../src/style";
import { enumValues } from "./sdl";

// Every kind the server knows (its SDL), so a kind added there needs a style here.
const NODE_KINDS = enumValues("NodeKind");
const REL_KINDS = enumValues("RelKind");

describe("styling by type", () => {
  it("gives every node kind its own colour and shape", () => {
    for (const k of NODE_KINDS) expect(NODE_STYLES[k], k).toBeDefined();
    const colours = new Set(NODE_KINDS.map((k) => NODE_STYLES[k]!.color));
    const shapes = new Set(NODE_KINDS.map((k) => NODE_STYLES[k]!.shape));
    expect(colours.size).toBe(NODE_KINDS.length);
    expect(shapes.size).toBe(NODE_KINDS.length);
    expect(nodeStyle("Unknown").label).toBe("Other");
  });

  it("puts every relationship kind in a legend group", () => {
    for (const r of REL_KINDS) expect(EDGE_GROUPS[REL_GROUP[r]!], r).toBeDefined();
    expect(edgeStyle("READS").line).toBe("dashed");
    expect(edgeStyle("SOMETHING_NEW")).toBe(EDGE_GROUPS.imported);
    expect(relLabel("ACCOUNTABLE_FOR")).toBe("accountable for");
  });

  it("generates a stylesheet rule per node and relationship type", () => {
    const selectors = cytoscapeStyle().map((r) => r.selector);
    for (const k of NODE_KINDS) expect(selectors).toContain(`node[type = "${k}"]`);
    for (const r of REL_KINDS) expect(selectors).toContain(`edge[rel = "${r}"]`);
    for (const c of ["node.impacted", "edge.on-path", "node.bottleneck", "node.cluster-member", ".dimmed"]) expect(selectors).toContain(c);
    for (const c of ["node.sc-added", "node.sc-removed", "node.sc-closer", "node.sc-further", "node.sc-gone", "edge.path-added", "edge.path-removed", "edge.path-same"]) {
      expect(selectors).toContain(c);
    }
  });

  it("scales load to size and colour, clamping and surviving odd input", () => {
    expect(scaleSize(0, 0, 10)).toBe(30);
    expect(scaleSize(10, 0, 10)).toBe(90);
    expect(scaleSize(5, 0, 10)).toBe(60);
    expect(scaleSize(50, 0, 10)).toBe(90);
    expect(scaleSize(3, 3, 3)).toBe(30);
    expect(loadColor(0)).toBe("#ffeda0");
    expect(loadColor(1)).toBe("#800026");
    expect(loadColor(Number.NaN)).toBe("#ffeda0");
    expect(clusterColor(-1)).toBe(clusterColor(7));
  });
});

describe("Cytoscape elements", () => {
  it("labels nodes with their hidden-neighbour count and classes them by state", () => {
    expect(nodeLabel("Mortgage", 0)).toBe("Mortgage");
    expect(nodeLabel("Mortgage", 7)).toBe("Mortgage (+7)");
    const els = toElements({
      nodes: [{ id: "a", type: "ValueStream", name: "A", expanded: true, pinned: true, seed: true, hiddenNeighbours: 2 }],
      edges: [{ id: "e", source: "a", target: "a", rel: "USES", attributes: {}, overlay: true }],
    });
    expect(els[0]).toMatchObject({ group: "nodes", data: { id: "a", label: "A (+2)", type: "ValueStream", size: 54, wide: 86 }, classes: "expanded pinned has-more" });
    expect(els[1]).toMatchObject({ group: "edges", data: { rel: "USES", label: "uses" }, classes: "overlay" });
  });

  it("chooses a layered layout unless an element fans out widely", () => {
    expect(chooseLayout([1, 2, 2, 1], 3)).toBe("dagre");
    expect(chooseLayout([30, 1, 1], 30)).toBe("fcose");
    expect(chooseLayout([0, 0, 0], 0)).toBe("fcose");
  });
});
