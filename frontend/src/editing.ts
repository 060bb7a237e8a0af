/**
 * The explorer's edits, through the API's own REST routes (the write path and audit every
 * API client gets: graph.edits behind POST/PATCH/DELETE /api/nodes and /api/relationships,
 * and POST /api/nodes/{id}/owner, recorded by the audit middleware and the change history): no write of its own. Also who
 * the caller is (`GET /api/me`), so only editors see edit controls. Routes and bodies are
 * typed from the OpenAPI document.
 */
import type { paths } from "./generated/openapi";
import type { GraphQLClient } from "./gql";
import { restUrl } from "./rest";

type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;

export type Caller = Json<paths["/api/me"]["get"]["responses"][200]>;
export type StoredNode = Json<paths["/api/nodes/{node_id}"]["get"]["responses"][200]> & Record<string, unknown>;
export type StoredRelationship = Json<paths["/api/relationships/{rel_id}"]["get"]["responses"][200]> & Record<string, unknown>;
export type RelationshipPage = Json<paths["/api/relationships"]["get"]["responses"][200]>;

/** An answer with its entity tag (null when the server sent none). */
export interface Tagged<T> {
  value: T;
  etag: string | null;
}

/** A refusal of the API: its status and `detail` as answered (422: the fields refused). */
export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly detail: unknown,
  ) {
    super(typeof detail === "string" ? detail : `the server answered ${status}${detail ? `: ${JSON.stringify(detail)}` : ""}`);
    this.name = "RestError";
  }
}

/** Whether the caller's role may change the model (REST writes need editor). */
export function mayEdit(caller: Caller | null): boolean {
  return caller?.role === "editor" || caller?.role === "admin";
}

const path = (prefix: string, id: string): string => `${prefix}/${encodeURIComponent(id)}`;

export class Editing {
  constructor(private readonly client: GraphQLClient) {}

  private async call<T>(method: string, url: string, body?: unknown, ifMatch?: string): Promise<T> {
    return (await this.tagged<T>(method, url, body, ifMatch)).value;
  }

  /** The answer and its `ETag` (what a later conditional write sends back as `If-Match`). */
  private async tagged<T>(method: string, url: string, body?: unknown, ifMatch?: string): Promise<Tagged<T>> {
    const response = await fetch(url, {
      method,
      headers: {
        accept: "application/json",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(ifMatch ? { "if-match": ifMatch } : {}),
        ...this.client.authHeaders(),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 204) return { value: undefined as T, etag: null };
    let data: unknown = null;
    try {
      data = await response.json();
    } catch {
      // An answer without JSON: its status says what happened.
    }
    if (!response.ok) throw new RestError(response.status, (data as { detail?: unknown } | null)?.detail ?? null);
    return { value: data as T, etag: response.headers.get("etag") };
  }

  me(): Promise<Caller> {
    return this.call("GET", "/api/me");
  }

  node(id: string): Promise<StoredNode> {
    return this.call("GET", path("/api/nodes", id));
  }

  /** The node as stored now, with the ETag to make an update conditional on it. */
  taggedNode(id: string): Promise<Tagged<StoredNode>> {
    return this.tagged("GET", path("/api/nodes", id));
  }

  createNode(body: Record<string, unknown>): Promise<StoredNode> {
    return this.call("POST", "/api/nodes", body);
  }

  /** With `ifMatch` (an ETag read before), refused with 412 if the node changed since. */
  updateNode(id: string, patch: Record<string, unknown>, ifMatch?: string | null): Promise<StoredNode> {
    return this.call("PATCH", path("/api/nodes", id), patch, ifMatch ?? undefined);
  }

  /** Make `owner` the element's one owner, in one write: the others' ownership goes with it or not at all. */
  moveOwner(id: string, owner: string): Promise<StoredRelationship> {
    return this.call("POST", `${path("/api/nodes", id)}/owner`, { owner } satisfies Json<paths["/api/nodes/{node_id}/owner"]["post"]["requestBody"]>);
  }

  deleteNode(id: string): Promise<void> {
    return this.call("DELETE", path("/api/nodes", id));
  }

  /** Relationships from (`source`) or to (`target`) an element, a page at a time, with the total. */
  relationships(query: { source?: string; target?: string; type?: string[]; limit?: number }): Promise<RelationshipPage> {
    const { type, ...rest } = query;
    let url = restUrl("/api/relationships", rest);
    for (const t of type ?? []) url += `${url.includes("?") ? "&" : "?"}type=${encodeURIComponent(t)}`;
    return this.call("GET", url);
  }

  relationship(id: string): Promise<StoredRelationship> {
    return this.call("GET", path("/api/relationships", id));
  }

  taggedRelationship(id: string): Promise<Tagged<StoredRelationship>> {
    return this.tagged("GET", path("/api/relationships", id));
  }

  createRelationship(body: Record<string, unknown>): Promise<StoredRelationship> {
    return this.call("POST", "/api/relationships", body);
  }

  updateRelationship(id: string, patch: Record<string, unknown>, ifMatch?: string | null): Promise<StoredRelationship> {
    return this.call("PATCH", path("/api/relationships", id), patch, ifMatch ?? undefined);
  }

  deleteRelationship(id: string): Promise<void> {
    return this.call("DELETE", path("/api/relationships", id));
  }
}
