import { describe, expect, it } from "vitest";
import { toNeighbourhood } from "../src/api";
import { neighbourhoodQuery, relFields, camel, typedPropsSelection } from "../src/schema";
import { SCHEMA } from "./fixtures";

describe("schema helpers", () => {
  it("names relationship fields per type from forward/reverse names, wildcards included", () => {
    expect(relFields(SCHEMA, "ValueStream").map((f) => f.field)).toEqual(["stages", "dependsOn", "ownedBy", "accountable"]);
    expect(relFields(SCHEMA, "Team").map((f) => `${f.field}:${f.outgoing}`)).toEqual([
      "dependsOn:true",
      "dependedOnBy:false",
      "owns:true",
      "ownedBy:false",
      "accountable:false",
    ]);
  });

  it("camel-cases typed properties as strawberry does", () => {
    expect(camel("funding_model")).toBe("fundingModel");
    expect(camel("order")).toBe("order");
    expect(typedPropsSelection(SCHEMA)).toBe("... on ValueStream { fundingModel } ... on Stage { order }");
  });

  it("builds one neighbourhood query selecting every relationship field", () => {
    const q = neighbourhoodQuery(SCHEMA, 500);
    expect(q).toContain("... on ValueStream { stages { ...Brief } dependsOn { ...Brief } ownedBy { ...Brief } accountable { ...Brief } }");
    expect(q).toContain("out: relationships(source: $ids, limit: 500");
    expect(q).toContain("fragment Brief on Element");
  });
});

describe("neighbourhood merging", () => {
  const result: Parameters<typeof toNeighbourhood>[1] = {
    node: {
      __typename: "ValueStream",
      id: "vs",
      type: "ValueStream",
      name: "Mortgage",
      description: "",
      tags: [],
      properties: {},
      source: "demo",
      importRun: null,
      createdAt: null,
      updatedAt: null,
      fundingModel: "persistent",
      stages: [{ id: "s1", type: "Stage", name: "Apply" }],
      dependsOn: [{ id: "gw", type: "Platform", name: "Gateway" }],
      ownedBy: [],
      accountable: [{ id: "p", type: "Person", name: "Priya" }],
    },
    out: [
      { id: "r1", type: "HAS_STAGE", source: "vs", target: "s1", properties: {}, attributes: {} },
      { id: "r2", type: "DEPENDS_ON", source: "vs", target: "gw", properties: { note: "x" }, attributes: { interaction_mode: null } },
    ],
    in: [],
  };

  it("uses real relationship ids where listed, synthetic ones otherwise, and keeps typed props", () => {
    const n = toNeighbourhood(SCHEMA, result)!;
    expect(n.element).toMatchObject({ id: "vs", fundingModel: "persistent" });
    expect("stages" in n.element).toBe(false);
    expect(n.links.map((l) => [l.edgeId, l.rel, l.outgoing, l.field, l.neighbour.id])).toEqual([
      ["r1", "HAS_STAGE", true, "stages", "s1"],
      ["r2", "DEPENDS_ON", true, "dependsOn", "gw"],
      ["p|ACCOUNTABLE_FOR|vs", "ACCOUNTABLE_FOR", false, "accountable", "p"],
    ]);
    expect(n.links[1]!.attributes).toEqual({ interaction_mode: null, note: "x" });
  });

  it("returns null for an unknown element", () => {
    expect(toNeighbourhood(SCHEMA, { node: null, out: [], in: [] })).toBeNull();
  });
});
