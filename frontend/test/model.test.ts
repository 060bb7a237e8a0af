import { describe, expect, it } from "vitest";
import { GraphModel, NEIGHBOUR_PAGE } from "../src/model";
import { hood } from "./fixtures";

function mortgage(): GraphModel {
  const m = new GraphModel();
  m.mergeNeighbourhood(
    hood("vs-m", "ValueStream", [
      ["HAS_STAGE", "st-1", "Stage", true],
      ["HAS_STAGE", "st-2", "Stage", true],
      ["DEPENDS_ON", "plat-gw", "Platform", true],
      ["ACCOUNTABLE_FOR", "p-priya", "Person", false],
    ]),
  );
  return m;
}

const ids = (m: GraphModel) => m.derive().nodes.map((n) => n.id).sort();

describe("graph model", () => {
  it("shows seeds, and an expansion adds the neighbours with directed edges", () => {
    const m = mortgage();
    m.addSeed("vs-m");
    expect(ids(m)).toEqual(["vs-m"]);
    m.expand("vs-m");
    expect(ids(m)).toEqual(["p-priya", "plat-gw", "st-1", "st-2", "vs-m"]);
    const edges = m.derive().edges.map((e) => `${e.source}-${e.rel}->${e.target}`).sort();
    expect(edges).toEqual([
      "p-priya-ACCOUNTABLE_FOR->vs-m",
      "vs-m-DEPENDS_ON->plat-gw",
      "vs-m-HAS_STAGE->st-1",
      "vs-m-HAS_STAGE->st-2",
    ]);
  });

  it("merges overlapping neighbourhoods without duplicating elements or edges", () => {
    const m = mortgage();
    m.mergeNeighbourhood(hood("plat-gw", "Platform", [["DEPENDS_ON", "vs-m", "ValueStream", false], ["DEPENDS_ON", "vs-c", "ValueStream", false]]));
    m.addSeed("vs-m");
    m.expand("vs-m");
    m.expand("plat-gw");
    const d = m.derive();
    expect(d.nodes.map((n) => n.id).sort()).toEqual(["p-priya", "plat-gw", "st-1", "st-2", "vs-c", "vs-m"]);
    expect(d.edges.filter((e) => e.rel === "DEPENDS_ON").map((e) => e.id).sort()).toEqual(["vs-c|DEPENDS_ON|plat-gw", "vs-m|DEPENDS_ON|plat-gw"]);
    expect(new Set(d.edges.map((e) => e.id)).size).toBe(d.edges.length);
  });

  it("collapse removes what only that expansion brought, and cascades", () => {
    const m = mortgage();
    m.mergeNeighbourhood(hood("plat-gw", "Platform", [["DEPENDS_ON", "vs-c", "ValueStream", false]]));
    m.addSeed("vs-m");
    m.expand("vs-m");
    m.expand("plat-gw");
    m.collapse("vs-m");
    expect(ids(m)).toEqual(["vs-m"]);
    expect(m.expanded).toEqual([]); // plat-gw went out of view, so its expansion is forgotten
  });

  it("pinned elements survive a collapse; removed ones stay out", () => {
    const m = mortgage();
    m.addSeed("vs-m");
    m.expand("vs-m");
    m.togglePin("plat-gw");
    m.remove("st-2");
    m.collapse("vs-m");
    expect(ids(m)).toEqual(["plat-gw", "vs-m"]);
    m.expand("vs-m");
    expect(ids(m)).not.toContain("st-2");
    m.addSeed("st-2");
    expect(ids(m)).toContain("st-2");
  });

  it("filters hide types and relationship kinds, and what only they reached", () => {
    const m = mortgage();
    m.addSeed("vs-m");
    m.expand("vs-m");
    m.hiddenTypes.add("Stage");
    expect(ids(m)).toEqual(["p-priya", "plat-gw", "vs-m"]);
    m.hiddenTypes.clear();
    m.hiddenRels.add("ACCOUNTABLE_FOR");
    expect(ids(m)).not.toContain("p-priya");
    expect(m.derive().edges.some((e) => e.rel === "ACCOUNTABLE_FOR")).toBe(false);
  });

  it("loads big neighbourhoods progressively", () => {
    const m = new GraphModel();
    const many = Array.from({ length: 60 }, (_, i) => ["OWNS", `x${String(i).padStart(2, "0")}`, "Platform", true] as [string, string, string, boolean]);
    m.mergeNeighbourhood(hood("team", "Team", many));
    m.addSeed("team");
    m.expand("team");
    let d = m.derive();
    expect(d.nodes.length).toBe(1 + NEIGHBOUR_PAGE);
    expect(d.nodes.find((n) => n.id === "team")!.hiddenNeighbours).toBe(60 - NEIGHBOUR_PAGE);
    m.showMore("team");
    m.showMore("team");
    d = m.derive();
    expect(d.nodes.length).toBe(61);
    expect(d.nodes.find((n) => n.id === "team")!.hiddenNeighbours).toBe(0);
  });

  it("an overlay-only answer hides the explored view but keeps it for later", () => {
    const m = mortgage();
    m.addSeed("vs-m");
    m.expand("vs-m");
    m.know([{ id: "vs-c", type: "ValueStream", name: "Cards" }]);
    m.overlayOnly = true;
    m.setOverlay([{ id: "plat-gw", type: "Platform", name: "GW" }, { id: "vs-c", type: "ValueStream", name: "Cards" }], [{ source: "vs-c", target: "plat-gw", rel: "DEPENDS_ON" }]);
    const d = m.derive();
    expect(d.nodes.map((n) => n.id).sort()).toEqual(["plat-gw", "vs-c"]);
    expect(d.edges).toEqual([{ id: "overlay:vs-c|DEPENDS_ON|plat-gw", source: "vs-c", target: "plat-gw", rel: "DEPENDS_ON", attributes: {}, overlay: true }]);
    m.prune();
    expect(m.expanded).toEqual(["vs-m"]);
    m.overlayOnly = false;
    m.clearOverlay();
    expect(ids(m)).toContain("st-1");
  });

  it("groups an element's links by relationship field for the details panel", () => {
    const m = mortgage();
    const groups = m.linksByField("vs-m");
    expect([...groups.keys()]).toEqual(["has_stage", "depends_on", "accountable_for"]);
    expect(groups.get("has_stage")!.map((l) => l.neighbour.id)).toEqual(["st-1", "st-2"]);
  });
});
