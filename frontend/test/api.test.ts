import { describe, expect, it } from "vitest";
import { REL_PAGE, linksFromRelationships, toNeighbourhood } from "../src/api";
import { GraphModel } from "../src/model";
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

describe("neighbour counts past the page size", () => {
  const platform = (n: number): Parameters<typeof toNeighbourhood>[1] => {
    const users = [...Array(n).keys()].map((i) => ({ id: `t${i}`, type: "Team", name: `Team ${i}` }));
    return {
      node: { __typename: "Team", id: "hub", type: "Team", name: "Hub", description: "", tags: [], properties: {}, source: null, importRun: null, createdAt: null, updatedAt: null, dependedOnBy: users },
      out: [],
      in: users.map((u, i) => ({ id: `r${i}`, type: "DEPENDS_ON", source: u.id, target: "hub", properties: {}, attributes: {} })),
    };
  };

  it("says a neighbourhood is a first page only when a list came back full", () => {
    expect(toNeighbourhood(SCHEMA, platform(499))!.truncated).toBe(false);
    expect(toNeighbourhood(SCHEMA, platform(REL_PAGE))!.truncated).toBe(true);
  });

  it("counts the true total and pages on: 'Neighbours (501)' is 501 loaded of 770", () => {
    const m = new GraphModel();
    m.mergeNeighbourhood(toNeighbourhood(SCHEMA, platform(REL_PAGE))!);
    expect(m.neighbourCount("hub")).toEqual({ loaded: 500, links: 500, total: null, more: true });
    m.partial.get("hub")!.total = 770;
    expect(m.neighbourCount("hub")).toMatchObject({ loaded: 500, total: 770, more: true });
    const rest = [...Array(270).keys()].map((i) => ({ id: `r${500 + i}`, type: "DEPENDS_ON", source: `t${500 + i}`, target: "hub", properties: {}, attributes: {} }));
    const links = linksFromRelationships(SCHEMA, "Team", { out: [], in: rest }, new Map([["t500", { id: "t500", type: "Team", name: "Team 500" }]]));
    expect(links[0]).toMatchObject({ edgeId: "r500", rel: "DEPENDS_ON", outgoing: false, field: "dependedOnBy", neighbour: { id: "t500", name: "Team 500" } });
    expect(m.addLinks("hub", links)).toBe(270);
    expect(m.addLinks("hub", links)).toBe(0);
    m.pageLoaded("hub", false);
    expect(m.neighbourCount("hub")).toEqual({ loaded: 770, links: 770, total: 770, more: false });
  });
});
