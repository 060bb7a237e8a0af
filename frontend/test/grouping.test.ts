import { describe, expect, it } from "vitest";
import { groupElements, isGroupId } from "../src/grouping";
import { toElements } from "../src/elements";

const types: Record<string, string> = {
  "vs-a": "ValueStream",
  "vs-b": "ValueStream",
  "st-a1": "Stage",
  "cap-pay": "Capability",
  "cap-pay-sub": "Capability",
  "plat-gw": "Platform",
  "plat-ledger": "Platform",
  "team-x": "Team",
  "team-y": "Team",
  "p-ann": "Person",
};
const names: Record<string, string> = { "vs-a": "A stream", "vs-b": "B stream", "team-x": "Team X", "team-y": "Team Y", "cap-pay": "Payments" };
const nodes = Object.entries(types).map(([id, type]) => ({ id, type, name: names[id] ?? id }));
const links = [
  { source: "vs-a", target: "st-a1", rel: "HAS_STAGE" },
  { source: "st-a1", target: "plat-ledger", rel: "USES" },
  { source: "vs-a", target: "plat-gw", rel: "DEPENDS_ON" },
  { source: "vs-b", target: "plat-gw", rel: "DEPENDS_ON" },
  { source: "vs-b", target: "vs-a", rel: "DEPENDS_ON" },
  { source: "vs-a", target: "cap-pay", rel: "REQUIRES" },
  { source: "cap-pay", target: "cap-pay-sub", rel: "CONTAINS" },
  { source: "cap-pay-sub", target: "plat-ledger", rel: "USES" },
  { source: "team-x", target: "plat-gw", rel: "OWNS" },
  { source: "team-x", target: "plat-ledger", rel: "OWNS" },
  { source: "team-y", target: "plat-ledger", rel: "OWNS" },
  { source: "p-ann", target: "team-y", rel: "MEMBER_OF" },
];
const group = (by: "stream" | "capability" | "team") =>
  groupElements(by, nodes, links, (id) => types[id], (id) => names[id] ?? id);

describe("grouping into compound nodes", () => {
  it("groups by stream: stages and what only one stream leans on; shared elements stay outside", () => {
    const g = group("stream");
    expect(Object.fromEntries(g.parent)).toEqual({
      "vs-a": "group:stream:vs-a",
      "vs-b": "group:stream:vs-b",
      "st-a1": "group:stream:vs-a",
      "plat-ledger": "group:stream:vs-a",
      "cap-pay": "group:stream:vs-a",
    });
    expect(g.groups.map((x) => x.label)).toEqual(["A stream", "B stream"]);
    expect(g.parent.has("plat-gw")).toBe(false); // both streams depend on it
  });

  it("groups by owning team, members with their team, and leaves co-owned elements outside", () => {
    const g = group("team");
    expect(g.parent.get("plat-gw")).toBe("group:team:team-x");
    expect(g.parent.get("p-ann")).toBe("group:team:team-y");
    expect(g.parent.get("team-x")).toBe("group:team:team-x");
    expect(g.parent.has("plat-ledger")).toBe(false);
    expect(g.parent.has("vs-a")).toBe(false);
  });

  it("groups by top capability, sub-capabilities and the platforms only they use", () => {
    const g = group("capability");
    expect(Object.fromEntries(g.parent)).toEqual({
      "cap-pay": "group:capability:cap-pay",
      "cap-pay-sub": "group:capability:cap-pay",
      "plat-ledger": "group:capability:cap-pay",
    });
    expect(g.groups).toEqual([{ id: "group:capability:cap-pay", anchor: "cap-pay", label: "Payments" }]);
  });

  it("is deterministic and empty when not grouping", () => {
    expect(group("team")).toEqual(group("team"));
    expect(groupElements("none", nodes, links, (id) => types[id], (id) => id).groups).toEqual([]);
  });

  it("becomes compound nodes: groups first, members naming their parent", () => {
    const d = { nodes: nodes.map((n) => ({ ...n, expanded: false, pinned: false, seed: true, hiddenNeighbours: 0 })), edges: [] };
    const els = toElements(d, group("team"));
    const ids = els.map((e) => e.data.id as string);
    expect(ids.slice(0, 2)).toEqual(["group:team:team-x", "group:team:team-y"]);
    expect(els.filter((e) => isGroupId(e.data.id as string)).every((e) => e.classes === "group")).toBe(true);
    expect(els.find((e) => e.data.id === "p-ann")!.data.parent).toBe("group:team:team-y");
    expect(els.find((e) => e.data.id === "vs-a")!.data.parent).toBeUndefined();
  });
});
