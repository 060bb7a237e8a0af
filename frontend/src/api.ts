/**
 * The explorer's queries over the core GraphQL API (search, element, neighbourhood, stats,
 * schema): typed documents from src/operations/core.graphql, and the two documents built
 * from the graph schema (the neighbourhood, briefs batched with aliases). Questions and
 * imports live in questions.ts and imports.ts.
 */
import { BriefFragmentDoc, ByArchimateTypeDocument, ByTypeDocument, SchemaDocument, SearchDocument, StatsDocument, type BriefFragment } from "./generated/graphql";
import { GraphQLClient } from "./gql";
import { fieldsByName, neighbourhoodQuery } from "./schema";
import type { Element, ElementBrief, ElementPage, GraphSchema, NodeKind, Relationship, Stats } from "./types";

/** A neighbour as seen from the expanded element: the relationship and the element on the other end. */
export interface NeighbourLink {
  /** Real relationship id where the server listed it, else `source|TYPE|target`. */
  edgeId: string;
  rel: string;
  outgoing: boolean;
  /** The relationship field name from the element's side (forward or reverse name). */
  field: string;
  neighbour: ElementBrief;
  attributes: Record<string, unknown>;
}

export interface Neighbourhood {
  element: Element;
  links: NeighbourLink[];
}

/** Relationships fetched per direction with each neighbourhood (the API's max page is 500). */
export const REL_PAGE = 500;

export function syntheticEdgeId(source: string, rel: string, target: string): string {
  return `${source}|${rel}|${target}`;
}

interface NeighbourhoodResult {
  node: (Element & Record<string, unknown>) | null;
  out: Relationship[];
  in: Relationship[];
}

/**
 * Merge the typed relationship fields (which name every neighbour) with the relationship
 * lists (which carry ids and attributes, up to REL_PAGE per direction). Pure.
 */
export function toNeighbourhood(schema: GraphSchema, result: NeighbourhoodResult): Neighbourhood | null {
  const node = result.node;
  if (!node) return null;
  const fields = fieldsByName(schema, node.type);
  const rels = [...result.out, ...result.in];
  const byKey = new Map<string, Relationship[]>();
  for (const r of rels) {
    const key = syntheticEdgeId(r.source, r.type, r.target);
    byKey.set(key, [...(byKey.get(key) ?? []), r]);
  }
  const links: NeighbourLink[] = [];
  const element: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    const field = fields.get(key);
    if (!field) {
      element[key] = value;
      continue;
    }
    for (const neighbour of (value as ElementBrief[] | null) ?? []) {
      const source = field.outgoing ? node.id : neighbour.id;
      const target = field.outgoing ? neighbour.id : node.id;
      const key2 = syntheticEdgeId(source, field.rel, target);
      const listed = byKey.get(key2);
      const brief: ElementBrief = { id: neighbour.id, type: neighbour.type, name: neighbour.name };
      if (listed?.length) {
        for (const r of listed) {
          links.push({
            edgeId: r.id,
            rel: field.rel,
            outgoing: field.outgoing,
            field: field.field,
            neighbour: brief,
            attributes: { ...r.attributes, ...r.properties },
          });
        }
      } else {
        links.push({
          edgeId: key2,
          rel: field.rel,
          outgoing: field.outgoing,
          field: field.field,
          neighbour: brief,
          attributes: {},
        });
      }
    }
  }
  return { element: element as Element, links };
}

/** `n` elements by id in one request: `$i0`… as `n0: node(id: $i0)`…. */
export function briefsQuery(n: number): string {
  const ks = [...Array(n).keys()];
  const decl = ks.map((k) => `$i${k}: ID!`).join(", ");
  const body = ks.map((k) => `n${k}: node(id: $i${k}) { ...Brief }`).join(" ");
  return `query Briefs(${decl}) { ${body} }\n${BriefFragmentDoc}`;
}

export class Api {
  private neighbourhoodDoc: string | null = null;
  private schemaCache: GraphSchema | null = null;

  constructor(readonly client: GraphQLClient) {}

  async schema(): Promise<GraphSchema> {
    // `schema: JSON!` is graph.schema.Schema.as_dict (typed by hand in types.ts).
    this.schemaCache ??= (await this.client.request(SchemaDocument, {})).schema as GraphSchema;
    return this.schemaCache;
  }

  async stats(): Promise<Stats> {
    // `stats: JSON!`: counts by type (typed by hand in types.ts).
    return (await this.client.request(StatsDocument, {})).stats as Stats;
  }

  /** Type-ahead search over names and descriptions, optionally of some ArchiMate types only. */
  async search(text: string, signal?: AbortSignal, limit = 12, types?: NodeKind[], archimateTypes?: string[]): Promise<ElementBrief[]> {
    const data = await this.client.request(
      SearchDocument,
      { text, limit, types: types?.length ? types : null, archimateTypes: archimateTypes?.length ? archimateTypes : null },
      { signal },
    );
    return data.search;
  }

  /** Elements of the given ArchiMate types, by name (the search box's type filter, no text). */
  async listByArchimateType(archimateTypes: string[], limit = 50, signal?: AbortSignal): Promise<ElementPage<ElementBrief>> {
    const page = (await this.client.request(ByArchimateTypeDocument, { archimateTypes, limit }, { signal })).nodes;
    return { total: page.total, limit, offset: 0, items: page.items };
  }

  /** Elements by type (used to seed the view, e.g. all value streams). */
  async listByType(type: NodeKind, limit = 100): Promise<ElementPage<ElementBrief>> {
    return (await this.client.request(ByTypeDocument, { types: [type], limit })).nodes;
  }

  /** Brief elements by id, batched with aliases (the API allows up to 30 per request). */
  async briefs(ids: string[]): Promise<ElementBrief[]> {
    const out: ElementBrief[] = [];
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += 25) {
      const chunk = unique.slice(i, i + 25);
      const vars = Object.fromEntries(chunk.map((id, k) => [`i${k}`, id]));
      const data = await this.client.requestBuilt<Record<string, BriefFragment | null>>(briefsQuery(chunk.length), vars);
      for (const v of Object.values(data)) if (v) out.push(v);
    }
    return out;
  }

  /** One element with every neighbour (one hop) and its relationships. */
  async neighbourhood(id: string): Promise<Neighbourhood | null> {
    const schema = await this.schema();
    this.neighbourhoodDoc ??= neighbourhoodQuery(schema, REL_PAGE);
    const data = await this.client.requestBuilt<NeighbourhoodResult>(this.neighbourhoodDoc, { id, ids: id });
    return toNeighbourhood(schema, data);
  }
}
