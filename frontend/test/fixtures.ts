/** Small canned data for the unit tests (no server). */
import type { Neighbourhood } from "../src/api";
import type { GraphSchema } from "../src/types";

export const SCHEMA: GraphSchema = {
  version: 1,
  common_node_fields: ["id", "name"],
  nodes: [
    { label: "ValueStream", description: "", properties: [{ name: "funding_model", kind: "string", description: "", required: false, choices: [] }] },
    { label: "Stage", description: "", properties: [{ name: "order", kind: "int", description: "", required: true, choices: [] }] },
    { label: "Platform", description: "", properties: [] },
    { label: "Team", description: "", properties: [] },
    { label: "Person", description: "", properties: [] },
  ],
  relationships: [
    { type: "HAS_STAGE", description: "", endpoints: [["ValueStream", "Stage"]], forward: "stages", reverse: "stream", properties: [] },
    { type: "DEPENDS_ON", description: "", endpoints: [["ValueStream", "Platform"], ["Platform", "Platform"], ["Team", "Team"]], forward: "dependsOn", reverse: "dependedOnBy", properties: [] },
    { type: "OWNS", description: "", endpoints: [["Team", "*"]], forward: "owns", reverse: "ownedBy", properties: [] },
    { type: "ACCOUNTABLE_FOR", description: "", endpoints: [["Person", "*"]], forward: "accountableFor", reverse: "accountable", properties: [] },
  ],
};

const el = (id: string, type: string, name = id) => ({ id, type, name });

export function hood(id: string, type: string, links: [string, string, string, boolean][]): Neighbourhood {
  return {
    element: { ...el(id, type), description: "", tags: [], properties: {}, source: "demo", importRun: null, createdAt: null, updatedAt: null },
    links: links.map(([rel, nid, ntype, outgoing]) => ({
      edgeId: outgoing ? `${id}|${rel}|${nid}` : `${nid}|${rel}|${id}`,
      rel,
      outgoing,
      field: rel.toLowerCase(),
      neighbour: el(nid, ntype),
      attributes: {},
    })),
    truncated: false,
  };
}
