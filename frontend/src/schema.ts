/**
 * Helpers over the graph schema (the `schema` query): which relationship fields each
 * node type has, under the schema's forward / reverse names, and the GraphQL
 * selections built from that, so the explorer never hard-codes the model.
 */
import { BriefFragmentDoc, ElementFieldsFragmentDoc, RelationshipFieldsFragmentDoc } from "./generated/graphql";
import type { GraphSchema, SchemaNodeType, SchemaRelType } from "./types";

/** One relationship field of a node type, e.g. ValueStream.stages = → HAS_STAGE. */
export interface RelField {
  field: string;
  rel: string;
  outgoing: boolean;
}

const ANY = "*";

/** snake_case → camelCase, as strawberry names typed properties (`funding_model` → `fundingModel`). */
export function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function participates(label: string, rel: SchemaRelType, outgoing: boolean): boolean {
  const side = outgoing ? 0 : 1;
  return rel.endpoints.some((e) => e[side] === label || e[side] === ANY);
}

/** The relationship fields of a node type, in schema order (mirrors app.graphql._make_type). */
export function relFields(schema: GraphSchema, label: string): RelField[] {
  const out: RelField[] = [];
  const seen = new Set<string>();
  for (const rel of schema.relationships) {
    for (const [outgoing, field] of [
      [true, rel.forward],
      [false, rel.reverse],
    ] as const) {
      if (participates(label, rel, outgoing) && !seen.has(field)) {
        seen.add(field);
        out.push({ field, rel: rel.type, outgoing });
      }
    }
  }
  return out;
}

export function nodeType(schema: GraphSchema, label: string): SchemaNodeType | undefined {
  return schema.nodes.find((n) => n.label === label);
}


/** Inline fragments selecting each type's typed properties (camelCase). */
export function typedPropsSelection(schema: GraphSchema): string {
  return schema.nodes
    .filter((n) => n.properties.length > 0)
    .map((n) => `... on ${n.label} { ${n.properties.map((p) => camel(p.name)).join(" ")} }`)
    .join(" ");
}

/**
 * The neighbourhood query: the element with all its fields, every relationship field of
 * its type (neighbours as brief elements), and its relationships in both directions with
 * ids and attributes. One request per expanded node. The fixed parts are the fragments of
 * src/operations/core.graphql; test/documents.test.ts validates the whole against the SDL.
 */
export function neighbourhoodQuery(schema: GraphSchema, relLimit: number): string {
  const perType = schema.nodes
    .map((n) => {
      const fields = relFields(schema, n.label).map((f) => `${f.field} { ...Brief }`);
      return fields.length ? `... on ${n.label} { ${fields.join(" ")} }` : "";
    })
    .filter(Boolean)
    .join(" ");
  // The element and its neighbours (relationship fields) as of the explorer's point in time
  // (src/time.ts); the `out`/`in` lists, read today, only lend a link still standing its id
  // and attributes.
  return `query Neighbourhood($id: ID!, $ids: String!, $relOffset: Int! = 0, $asOf: String, $at: String) {
  node(id: $id, asOf: $asOf, at: $at) { ...ElementFields ${typedPropsSelection(schema)} ${perType} }
  out: relationships(source: $ids, limit: ${relLimit}, offset: $relOffset) { ...RelationshipFields }
  in: relationships(target: $ids, limit: ${relLimit}, offset: $relOffset) { ...RelationshipFields }
}
${ElementFieldsFragmentDoc}${RelationshipFieldsFragmentDoc}${BriefFragmentDoc}`;
}

/** Which relationship a reverse/forward field name denotes, for the element's own type. */
export function fieldsByName(schema: GraphSchema, label: string): Map<string, RelField> {
  return new Map(relFields(schema, label).map((f) => [f.field, f]));
}
