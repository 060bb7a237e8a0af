/**
 * TypeScript types matching the GraphQL SDL (`valuegraph schema --graphql`).
 *
 * Node and relationship kinds mirror the `NodeKind` / `RelKind` enums; the per-type
 * typed properties are read at run time from the `schema` query, so a type added to
 * `graph/schema.py` shows up here as a plain string until it is named below.
 */

export const NODE_KINDS = [
  "ValueStream",
  "Stage",
  "Capability",
  "Platform",
  "Team",
  "DataAsset",
  "Person",
  "Measure",
  "Investment",
  "GovernanceForum",
  "GenericElement",
] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

export const REL_KINDS = [
  "HAS_STAGE",
  "REQUIRES",
  "CONTAINS",
  "USES",
  "DEPENDS_ON",
  "READS",
  "WRITES",
  "OWNS",
  "SUPPORTS",
  "MEMBER_OF",
  "ACCOUNTABLE_FOR",
  "FUNDED_BY",
  "MEASURED_BY",
  "DECIDES_FOR",
  "RELATED_TO",
] as const;
export type RelKind = (typeof REL_KINDS)[number];

export type JSONValue = string | number | boolean | null | JSONValue[] | { [k: string]: JSONValue };

/** `interface Element`: the fields every element has. */
export interface ElementBrief {
  __typename?: string;
  id: string;
  type: string;
  name: string;
}

export interface Element extends ElementBrief {
  description: string;
  tags: string[];
  properties: Record<string, JSONValue>;
  source: string | null;
  importRun: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  /** Typed properties of the element's type (camelCase, as GraphQL names them). */
  [typed: string]: unknown;
}

/** `type ElementPage`. */
export interface ElementPage<E = Element> {
  total: number;
  limit: number;
  offset: number;
  items: E[];
}

/** `type Relationship`. */
export interface Relationship {
  id: string;
  type: string;
  source: string;
  target: string;
  properties: Record<string, JSONValue>;
  attributes: Record<string, JSONValue>;
}

/** `stats: JSON!` as the store returns it. */
export interface Stats {
  nodes: Record<string, number>;
  relationships: Record<string, number>;
}

/** `schema: JSON!` (graph.schema.Schema.as_dict). */
export interface SchemaProp {
  name: string;
  kind: "string" | "int" | "float" | "bool";
  description: string;
  required: boolean;
  choices: string[];
}

export interface SchemaNodeType {
  label: string;
  description: string;
  properties: SchemaProp[];
}

export interface SchemaRelType {
  type: string;
  description: string;
  endpoints: [string, string][];
  forward: string;
  reverse: string;
  properties: SchemaProp[];
}

export interface GraphSchema {
  version: number;
  common_node_fields: string[];
  nodes: SchemaNodeType[];
  relationships: SchemaRelType[];
}
