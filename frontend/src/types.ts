/**
 * The explorer's own shapes of elements, relationships and the `schema` / `stats` answers
 * (both `JSON` in the SDL, so not generated). `NodeKind` comes from the SDL
 * (src/generated/graphql.ts); the per-type typed properties are read at run time from the
 * `schema` query.
 */

export type { NodeKind } from "./generated/graphql";

export type JSONValue = string | number | boolean | null | JSONValue[] | { [k: string]: JSONValue };

/** `interface Element`: the fields every element has. */
export interface ElementBrief {
  __typename?: string;
  id: string;
  type: string;
  name: string;
  /** The element's ArchiMate type, where the query selected it (search results). */
  archimateType?: string | null;
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
  kind: "string" | "int" | "float" | "bool" | "date";
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
