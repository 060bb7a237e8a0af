/**
 * A small typed GraphQL client: POST /graphql with fetch, errors raised as GraphQLError.
 * Documents are the typed ones generated from src/operations/*.graphql (their result and
 * variables types come with them); `requestBuilt` is for the two documents the explorer
 * builds from the graph schema at run time (see src/schema.ts).
 */
import type { DocumentTypeDecoration } from "@graphql-typed-document-node/core";

/** A generated document (`TypedDocumentString`): the query text, typed by its result and variables. */
export type TypedDocument<TResult, TVariables> = DocumentTypeDecoration<TResult, TVariables> & { toString(): string };

export interface GraphQLErrorItem {
  message: string;
  path?: (string | number)[];
  /** `code` and `reason` from the server's error table; `fields`: the input fields refused. */
  extensions?: { code?: string; reason?: string; fields?: { field: string; msg: string }[] };
}

export class GraphQLError extends Error {
  constructor(
    message: string,
    readonly errors: GraphQLErrorItem[] = [],
    readonly status = 200,
  ) {
    super(message);
    this.name = "GraphQLError";
  }
}

/** The server asked for a bearer token (HTTP 401) or refused the one given. */
export class AuthError extends GraphQLError {
  constructor(message: string, status: number) {
    super(message, [], status);
    this.name = "AuthError";
  }
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface ClientOptions {
  endpoint?: string;
  fetch?: Fetch;
  /** Returns the bearer token to send, if any (read on every request). */
  token?: () => string | null;
}

export class GraphQLClient {
  readonly endpoint: string;
  private readonly fetchFn: Fetch;
  private readonly token: () => string | null;

  constructor(opts: ClientOptions = {}) {
    this.endpoint = opts.endpoint ?? "/graphql";
    this.fetchFn = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.token = opts.token ?? (() => null);
  }

  /** Headers every request carries: the bearer token when one is set. */
  authHeaders(): Record<string, string> {
    const t = this.token();
    return t ? { authorization: `Bearer ${t}` } : {};
  }

  /** Run a generated query or mutation; resolves to `data`, rejects with GraphQLError on any error. */
  request<TResult, TVariables>(
    document: TypedDocument<TResult, TVariables>,
    variables: TVariables,
    init?: { signal?: AbortSignal },
  ): Promise<TResult> {
    return this.requestBuilt<TResult>(document.toString(), variables as Record<string, unknown>, init);
  }

  /** Run a document built at run time from the graph schema (validated against the SDL by test/documents.test.ts). */
  async requestBuilt<T>(query: string, variables: Record<string, unknown> = {}, init?: { signal?: AbortSignal }): Promise<T> {
    const response = await this.fetchFn(this.endpoint, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", ...this.authHeaders() },
      body: JSON.stringify({ query, variables }),
      signal: init?.signal,
    });
    return parseResponse<T>(response);
  }
}

async function parseResponse<T>(response: Response): Promise<T> {
  let body: { data?: T | null; errors?: GraphQLErrorItem[]; detail?: unknown } | undefined;
  try {
    body = (await response.json()) as typeof body;
  } catch {
    if (response.status === 401 || response.status === 403) throw new AuthError(`the server refused the request (${response.status})`, response.status);
    throw new GraphQLError(`server answered ${response.status} without JSON`, [], response.status);
  }
  if (response.status === 401 || response.status === 403) {
    const detail = typeof body?.detail === "string" ? body.detail : `the server refused the request (${response.status})`;
    throw new AuthError(detail, response.status);
  }
  if (body?.errors?.length) {
    throw new GraphQLError(body.errors.map((e) => e.message).join("; "), body.errors, response.status);
  }
  if (!response.ok || body?.data == null) {
    const detail = body?.detail ? `: ${JSON.stringify(body.detail)}` : "";
    throw new GraphQLError(`server answered ${response.status}${detail}`, [], response.status);
  }
  return body.data;
}
