/**
 * A small typed GraphQL client: POST /graphql with fetch, errors raised as GraphQLError,
 * plus the introspection the explorer uses to find out which optional backend pieces
 * (impact, bottlenecks, health, imports) this server has.
 */

export interface GraphQLErrorItem {
  message: string;
  path?: (string | number)[];
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

  /** Run a query or mutation; resolves to `data`, rejects with GraphQLError on any error. */
  async request<T, V extends object = Record<string, unknown>>(
    query: string,
    variables?: V,
    init?: { signal?: AbortSignal },
  ): Promise<T> {
    const response = await this.fetchFn(this.endpoint, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", ...this.authHeaders() },
      body: JSON.stringify({ query, variables: variables ?? {} }),
      signal: init?.signal,
    });
    return parseResponse<T>(response);
  }

  /** A GraphQL multipart request (the GraphQL multipart request spec) for Upload arguments. */
  async upload<T>(
    query: string,
    variables: Record<string, unknown>,
    files: Record<string, File>,
  ): Promise<T> {
    const form = new FormData();
    const vars: Record<string, unknown> = { ...variables };
    const map: Record<string, string[]> = {};
    Object.keys(files).forEach((name, i) => {
      vars[name] = null;
      map[String(i)] = [`variables.${name}`];
    });
    form.append("operations", JSON.stringify({ query, variables: vars }));
    form.append("map", JSON.stringify(map));
    Object.values(files).forEach((file, i) => form.append(String(i), file, file.name));
    const response = await this.fetchFn(this.endpoint, { method: "POST", body: form, headers: this.authHeaders() });
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

// -- introspection ----------------------------------------------------------------------

/** A type reference as introspection gives it, unwrapped to a readable form. */
export interface TypeRef {
  kind: string;
  name: string | null;
  ofType?: TypeRef | null;
}

export interface ArgInfo {
  name: string;
  type: TypeRef;
  defaultValue: string | null;
}

export interface FieldInfo {
  name: string;
  args: ArgInfo[];
  type: TypeRef;
}

export interface TypeInfo {
  kind: string;
  name: string;
  fields: FieldInfo[] | null;
  inputFields: ArgInfo[] | null;
  enumValues: { name: string }[] | null;
  possibleTypes: { name: string }[] | null;
}

/** What the server offers: every named type, and the root Query/Mutation fields by name. */
export interface ServerSchema {
  types: Map<string, TypeInfo>;
  query: Map<string, FieldInfo>;
  mutation: Map<string, FieldInfo>;
}

const TYPE_REF = "kind name ofType { kind name ofType { kind name ofType { kind name } } }";

export const INTROSPECTION_QUERY = `query Introspect {
  __schema {
    queryType { name }
    mutationType { name }
    types {
      kind name
      fields { name args { name defaultValue type { ${TYPE_REF} } } type { ${TYPE_REF} } }
      inputFields { name defaultValue type { ${TYPE_REF} } }
      enumValues { name }
      possibleTypes { name }
    }
  }
}`;

interface IntrospectionResult {
  __schema: {
    queryType: { name: string };
    mutationType: { name: string } | null;
    types: TypeInfo[];
  };
}

export function buildServerSchema(result: IntrospectionResult): ServerSchema {
  const types = new Map(result.__schema.types.map((t) => [t.name, t]));
  const fieldsOf = (name: string | undefined): Map<string, FieldInfo> =>
    new Map((name ? (types.get(name)?.fields ?? []) : []).map((f) => [f.name, f]));
  return {
    types,
    query: fieldsOf(result.__schema.queryType.name),
    mutation: fieldsOf(result.__schema.mutationType?.name),
  };
}

export async function introspect(client: GraphQLClient): Promise<ServerSchema> {
  return buildServerSchema(await client.request<IntrospectionResult>(INTROSPECTION_QUERY));
}

/** The named type under NON_NULL / LIST wrappers. */
export function namedType(ref: TypeRef): TypeRef {
  let t: TypeRef = ref;
  while ((t.kind === "NON_NULL" || t.kind === "LIST") && t.ofType) t = t.ofType;
  return t;
}

/** The type as written in a GraphQL document, e.g. `[RelKind!]` or `ID!`. */
export function typeToString(ref: TypeRef): string {
  if (ref.kind === "NON_NULL" && ref.ofType) return `${typeToString(ref.ofType)}!`;
  if (ref.kind === "LIST" && ref.ofType) return `[${typeToString(ref.ofType)}]`;
  return ref.name ?? "";
}

export function isRequired(arg: ArgInfo): boolean {
  return arg.type.kind === "NON_NULL" && arg.defaultValue == null;
}
