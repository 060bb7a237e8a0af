import { describe, expect, it } from "vitest";
import { Api } from "../src/api";
import { archimateLabel, archimateTypes, searchPlan } from "../src/archimate";
import { ByArchimateTypeDocument, SearchDocument } from "../src/generated/graphql";
import { GraphQLClient } from "../src/gql";
import type { GraphSchema } from "../src/types";
import { SCHEMA } from "./fixtures";

// As the server declares it: every node type carries `archimate_type`, its choices the
// ArchiMate element types of graph/archimate.py (a few of them here).
const CHOICES = ["Resource", "Capability", "BusinessProcess", "ApplicationComponent", "SystemSoftware"];
const WITH_ARCHIMATE: GraphSchema = {
  ...SCHEMA,
  nodes: SCHEMA.nodes.map((n) => ({
    ...n,
    properties: [...n.properties, { name: "archimate_type", kind: "string", description: "", required: false, choices: CHOICES }],
  })),
};

describe("the ArchiMate type filter", () => {
  it("offers the ArchiMate types the server's schema declares, each once, in its order", () => {
    expect(archimateTypes(WITH_ARCHIMATE)).toEqual(CHOICES);
    expect(archimateTypes(SCHEMA)).toEqual([]);
  });

  it("names the types as the specification writes them", () => {
    expect(archimateLabel("BusinessProcess")).toBe("Business Process");
    expect(archimateLabel("SystemSoftware")).toBe("System Software");
    expect(archimateLabel("Node")).toBe("Node");
  });

  it("searches with the filter, lists a type without text, and asks nothing for one letter", () => {
    expect(searchPlan("claim", "BusinessProcess")).toEqual({ kind: "search", text: "claim", archimateTypes: ["BusinessProcess"] });
    expect(searchPlan("claim", null)).toEqual({ kind: "search", text: "claim", archimateTypes: [] });
    expect(searchPlan("", "Node")).toEqual({ kind: "list", archimateTypes: ["Node"] });
    expect(searchPlan("c", "Node")).toEqual({ kind: "list", archimateTypes: ["Node"] });
    expect(searchPlan(" c", null)).toEqual({ kind: "none" });
  });

  it("sends the filter as the search query's archimateTypes, and lists through nodes(archimateTypes)", async () => {
    const sent: { query: string; variables: Record<string, unknown> }[] = [];
    const api = new Api(
      new GraphQLClient({
        fetch: async (_url, init) => {
          const body = JSON.parse(String(init!.body)) as { query: string; variables: Record<string, unknown> };
          sent.push(body);
          const item = { __typename: "GenericElement", id: "bp-1", type: "GenericElement", name: "Handle Claim", archimateType: "BusinessProcess" };
          const data = body.query === SearchDocument.toString() ? { search: [{ ...item, description: "" }] } : { nodes: { total: 1, items: [item] } };
          return new Response(JSON.stringify({ data }), { status: 200, headers: { "content-type": "application/json" } });
        },
      }),
    );
    const found = await api.search("claim", undefined, 12, undefined, ["BusinessProcess"]);
    expect(found.map((e) => [e.id, e.archimateType])).toEqual([["bp-1", "BusinessProcess"]]);
    await api.search("claim");
    const listed = await api.listByArchimateType(["BusinessProcess"]);
    expect(listed).toMatchObject({ total: 1, offset: 0, items: [{ id: "bp-1" }] });
    expect(sent.map((b) => b.variables)).toEqual([
      { text: "claim", limit: 12, types: null, archimateTypes: ["BusinessProcess"] },
      { text: "claim", limit: 12, types: null, archimateTypes: null },
      { archimateTypes: ["BusinessProcess"], limit: 50 },
    ]);
    expect(sent[2]!.query).toBe(ByArchimateTypeDocument.toString());
  });
});
