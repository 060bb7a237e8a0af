import { describe, expect, it } from "vitest";
import { buildLegend, formatScaleValue, heatRange, heatScale } from "../src/legend";
import { loadColor, nodeStyle } from "../src/style";

describe("legend", () => {
  it("names only what is drawn: element types, relationship groups, in a fixed order", () => {
    const legend = buildLegend({ types: ["Platform", "Person", "Group"], rels: ["DEPENDS_ON", "USES", "OWNS"] });
    expect(legend.sections.map((s) => s.title)).toEqual(["Elements", "Relationships"]);
    expect(legend.sections[0]!.items).toEqual([
      { kind: "node", label: "Person", color: nodeStyle("Person").color, shape: "round-triangle" },
      { kind: "node", label: "Platform", color: nodeStyle("Platform").color, shape: "barrel" },
    ]);
    expect(legend.sections[1]!.items.map((i) => i.label)).toEqual([
      "Dependency (requires, uses, depends on)",
      "Organisation (owns, supports, member, accountable)",
    ]);
    expect(legend.heat).toBeNull();
  });

  it("has a heat scale from the lowest to the highest value, in the ramp's colours", () => {
    const range = heatRange("Bottleneck score", [3.5, 12, 7]);
    expect(range).toEqual({ title: "Bottleneck score", low: 0, high: 12 });
    const legend = buildLegend({ types: [], rels: [], heat: range });
    expect(legend.heat).toEqual(heatScale(range!));
    expect(legend.heat!.stops[0]).toBe(loadColor(0));
    expect(legend.heat!.stops.at(-1)).toBe(loadColor(1));
    expect(heatRange("x", [Number.NaN])).toBeNull();
    expect([formatScaleValue(12), formatScaleValue(0.456)]).toEqual(["12", "0.46"]);
  });

  it("adds the scenario markings drawn and the grouping", () => {
    const legend = buildLegend({ types: ["ValueStream"], rels: [], scenario: ["removed", "lost"], grouping: "team", groups: 2 });
    expect(legend.sections.map((s) => s.title)).toEqual(["Elements", "Scenario (border)", "Groups"]);
    expect(legend.sections[1]!.items.map((i) => i.label)).toEqual(["Loses what it needs", "No longer reached"]);
    expect(legend.sections[2]!.items[0]!.label).toBe("Group by owning team");
    expect(buildLegend({ types: [], rels: [], grouping: "team", groups: 0 }).sections).toEqual([]);
  });
});
