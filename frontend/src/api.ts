/**
 * The explorer's queries over the core GraphQL API (search, element, neighbourhood, stats,
 * schema): typed documents from src/operations/core.graphql, and the two documents built
 * from the graph schema (the neighbourhood, briefs batched with aliases). Questions and
 * imports live in questions.ts and imports.ts.
 */
import { BriefFragmentDoc, ByArchimateTypeDocument, ByTypeDocument, MoreRelationshipsDocument, SchemaDocument, SearchDocument, StatsDocument, type BriefFragment } from "./generated/graphql";
import { GraphQLClient } from "./gql";
import { restUrl } from "./rest";
import type { TimeVariables } from "./time";
import { fieldsByName, neighbourhoodQuery, relFields } from "./schema";
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
  /** A list came back full (REL_PAGE): the element has more relationships than these. */
  truncated: boolean;
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
  const full = (xs: unknown[] | null | undefined): boolean => (xs?.length ?? 0) >= REL_PAGE;
  const truncated = full(result.out) || full(result.in) || [...fields.keys()].some((k) => full(node[k] as unknown[] | null));
  return { element: element as Element, links, truncated };
}

/**
 * Links from a further page of an element's relationships (`out` from it, `in` to it),
 * named by the element's relationship fields; `briefs` names the elements at the other end.
 */
export function linksFromRelationships(schema: GraphSchema, type: string, rels: { out: Relationship[]; in: Relationship[] }, briefs: Map<string, ElementBrief>): NeighbourLink[] {
  const field = new Map(relFields(schema, type).map((f) => [`${f.rel}|${f.outgoing}`, f.field]));
  const links: NeighbourLink[] = [];
  for (const [outgoing, list] of [
    [true, rels.out],
    [false, rels.in],
  ] as const) {
    for (const r of list) {
      const other = outgoing ? r.target : r.source;
      const neighbour = briefs.get(other) ?? { id: other, type: "", name: other };
      links.push({ edgeId: r.id, rel: r.type, outgoing, field: field.get(`${r.type}|${outgoing}`) ?? r.type.toLowerCase(), neighbour, attributes: { ...r.attributes, ...r.properties } });
    }
  }
  return links;
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

  /** The point in time element reads are asked for (src/time.ts; the App sets it from the URL). */
  time: () => TimeVariables = () => ({});

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

  /** How many relationships an element has in all (from and to it): the REST pages' totals. */
  async relationshipTotal(id: string): Promise<number> {
    const total = async (query: { source?: string; target?: string }): Promise<number> => {
      const r = await fetch(restUrl("/api/relationships", { ...query, limit: 1 }), { headers: { accept: "application/json", ...this.client.authHeaders() } });
      if (!r.ok) throw new Error(`counting the relationships of ${id} failed (${r.status})`);
      return ((await r.json()) as { total: number }).total;
    };
    const [out, inn] = await Promise.all([total({ source: id }), total({ target: id })]);
    return out + inn;
  }

  /** The next page of an element's relationships, as links (after the first REL_PAGE each way). */
  async moreLinks(id: string, type: string, offset: number): Promise<{ links: NeighbourLink[]; full: boolean }> {
    const schema = await this.schema();
    const rels = await this.client.request(MoreRelationshipsDocument, { ids: id, limit: REL_PAGE, offset });
    const ends = [...rels.out.map((r) => r.target), ...rels.in.map((r) => r.source)];
    const briefs = new Map((await this.briefs(ends)).map((b) => [b.id, b]));
    const links = linksFromRelationships(schema, type, rels as { out: Relationship[]; in: Relationship[] }, briefs);
    return { links, full: rels.out.length >= REL_PAGE || rels.in.length >= REL_PAGE };
  }

  /** One element with every neighbour (one hop) and its relationships. */
  async neighbourhood(id: string): Promise<Neighbourhood | null> {
    const schema = await this.schema();
    this.neighbourhoodDoc ??= neighbourhoodQuery(schema, REL_PAGE);
    const data = await this.client.requestBuilt<NeighbourhoodResult>(this.neighbourhoodDoc, { id, ids: id, ...this.time() });
    return toNeighbourhood(schema, data);
  }
}
