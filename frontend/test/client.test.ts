import { describe, expect, it } from "vitest";
import { AuthError, GraphQLClient, GraphQLError, buildServerSchema, namedType, typeToString, type TypeInfo } from "../src/gql";
import { buildCall, documentFor, selectionFor } from "../src/select";
import { findGraphqlImport, findRestImport, normaliseReport } from "../src/imports";
import { FIELD_NAMES, findField } from "../src/questions";
import { readFileSync } from "node:fs";

const data = (name: string): unknown => JSON.parse(readFileSync(new URL(`./data/${name}.json`, import.meta.url), "utf8"));

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

describe("GraphQL client", () => {
  it("posts query and variables with the bearer token and returns data", async () => {
    const seen: RequestInit[] = [];
    const c = new GraphQLClient({
      token: () => "vg_secret",
      fetch: async (_url, init) => {
        seen.push(init!);
        return json(200, { data: { stats: { nodes: {} } } });
      },
    });
    expect(await c.request<{ stats: unknown }>("{ stats }", { a: 1 })).toEqual({ stats: { nodes: {} } });
    expect(JSON.parse(String(seen[0]!.body))).toEqual({ query: "{ stats }", variables: { a: 1 } });
    expect((seen[0]!.headers as Record<string, string>).authorization).toBe("Bearer vg_secret");
  });

  it("raises GraphQL errors, and AuthError on 401/403", async () => {
    const errors = new GraphQLClient({ fetch: async () => json(200, { data: null, errors: [{ message: "limit must be between 1 and 500" }] }) });
    await expect(errors.request("{ x }")).rejects.toThrow(GraphQLError);
    await expect(errors.request("{ x }")).rejects.toThrow("limit must be between 1 and 500");
    const denied = new GraphQLClient({ fetch: async () => json(401, { detail: "authentication required" }) });
    await expect(denied.request("{ x }")).rejects.toBeInstanceOf(AuthError);
    const broken = new GraphQLClient({ fetch: async () => new Response("oops", { status: 502 }) });
    await expect(broken.request("{ x }")).rejects.toThrow("server answered 502 without JSON");
  });
});

// A small introspection result, shaped as the server's (see INTROSPECTION_QUERY).
const ref = (name: string, kind = "OBJECT") => ({ kind, name, ofType: null });
const nn = (t: object) => ({ kind: "NON_NULL", name: null, ofType: t });
const list = (t: object) => ({ kind: "LIST", name: null, ofType: t });
const type = (name: string, kind: string, fields: [string, object, object[]?][] = [], extra: Partial<TypeInfo> = {}): TypeInfo => ({
  kind,
  name,
  fields: fields.map(([n, t, args]) => ({ name: n, type: t as never, args: (args ?? []) as never })),
  inputFields: null,
  enumValues: null,
  possibleTypes: null,
  ...extra,
});
const arg = (name: string, t: object, defaultValue: string | null = null) => ({ name, type: t, defaultValue });

const server = buildServerSchema({
  __schema: {
    queryType: { name: "Query" },
    mutationType: { name: "Mutation" },
    types: [
      type("String", "SCALAR"),
      type("Int", "SCALAR"),
      type("Float", "SCALAR"),
      type("Boolean", "SCALAR"),
      type("Upload", "SCALAR"),
      type("ElementRef", "OBJECT", [["id", nn(ref("ID", "SCALAR"))], ["type", ref("String", "SCALAR")], ["name", ref("String", "SCALAR")]]),
      type("Element", "INTERFACE", [["id", ref("ID", "SCALAR")]], { possibleTypes: [{ name: "Team" }] }),
      type("Team", "OBJECT", [["id", ref("ID", "SCALAR")], ["owns", list(ref("Element", "INTERFACE"))]]),
      type("Affected", "OBJECT", [["element", ref("ElementRef")], ["distance", ref("Int", "SCALAR")], ["owner", ref("Team")], ["deep", ref("Affected")]]),
      type("ImpactAnswer", "OBJECT", [["element", ref("ElementRef")], ["streams", list(ref("Affected"))], ["filtered", ref("Int", "SCALAR"), [arg("x", nn(ref("Int", "SCALAR")))]]]),
      type("ImportReport", "OBJECT", [["dryRun", ref("Boolean", "SCALAR")], ["warnings", list(ref("String", "SCALAR"))]]),
      type("RelKind", "ENUM", [], { enumValues: [{ name: "USES" }] }),
      type("ImportFormat", "ENUM", [], { enumValues: [{ name: "AUTO" }, { name: "EXCHANGE" }] }),
      type("ImportFileInput", "INPUT_OBJECT", [], { inputFields: [arg("filename", nn(ref("String", "SCALAR"))), arg("content", nn(ref("String", "SCALAR")))] as never }),
      type("Query", "OBJECT", [
        ["impact", nn(ref("ImpactAnswer")), [arg("element", nn(ref("String", "SCALAR"))), arg("maxDepth", nn(ref("Int", "SCALAR")), "6"), arg("relationshipTypes", list(nn(ref("RelKind", "ENUM"))))]],
        ["healthReport", ref("String", "SCALAR")],
      ]),
      type("Mutation", "OBJECT", [
        ["importModel", ref("ImportReport"), [arg("file", nn(ref("Upload", "SCALAR"))), arg("dryRun", ref("Boolean", "SCALAR")), arg("format", ref("String", "SCALAR"))]],
        ["deleteImport", ref("Boolean", "SCALAR"), [arg("id", nn(ref("String", "SCALAR")))]],
      ]),
    ],
  },
});

describe("introspection-driven requests", () => {
  it("detects which question fields the server has", () => {
    expect(findField(server, FIELD_NAMES.impact)).toBe("impact");
    expect(findField(server, FIELD_NAMES.bottlenecks)).toBeNull();
    expect(findField(server, FIELD_NAMES.health)).toBe("healthReport");
    expect(findField(null, FIELD_NAMES.impact)).toBeNull();
  });

  it("matches arguments by name and type; enum lists unquoted; missing required reported", () => {
    const impact = server.query.get("impact")!;
    expect(typeToString(impact.args[2]!.type)).toBe("[RelKind!]");
    expect(namedType(impact.type).name).toBe("ImpactAnswer");
    const built = buildCall(server, impact, [
      { names: [/^element$/], value: 'plat "x"' },
      { names: [/depth/i], value: 3 },
      { names: [/types$/i], value: ["USES"], optional: true },
    ]);
    expect(built.call).toBe('impact(element: "plat \\"x\\"", maxDepth: 3, relationshipTypes: [USES])');
    const without = buildCall(server, impact, [{ names: [/types$/i], value: [], optional: true }]);
    expect(without.call).toBeNull();
    expect(without.missing).toEqual(["element: String!"]);
  });

  it("selects every field, elements briefly, skipping fields with required arguments", () => {
    const sel = selectionFor(server, "ImpactAnswer");
    expect(sel).toContain("element { id type name }");
    expect(sel).toContain("owner { __typename id type name }");
    expect(sel).not.toContain("filtered");
    expect(sel).not.toContain("owns");
    expect(documentFor(server, server.query.get("healthReport")!, "healthReport")).toBe("query { result: healthReport  }");
  });

  it("finds a text import taking [ImportFileInput!]! and passes enum values in the server's case", () => {
    const textServer = buildServerSchema({
      __schema: {
        queryType: { name: "Query" },
        mutationType: { name: "Mutation" },
        types: [
          ...[...server.types.values()].filter((t) => t.name !== "Mutation"),
          type("Mutation", "OBJECT", [
            ["importModel", ref("ImportReport"), [arg("files", nn(list(nn(ref("ImportFileInput", "INPUT_OBJECT"))))), arg("format", ref("ImportFormat", "ENUM"), "AUTO")]],
          ]),
        ],
      },
    });
    const b = findGraphqlImport(textServer);
    expect(b).toMatchObject({ kind: "graphql", fileArg: "files", mode: "inputs", inputType: "[ImportFileInput!]!" });
    const field = textServer.mutation.get("importModel")!;
    const withoutFiles = { ...field, args: field.args.filter((a) => a.name !== "files") };
    expect(buildCall(textServer, withoutFiles, [{ names: [/^format$/], value: "exchange" }]).call).toBe("importModel(format: EXCHANGE)");
  });

  it("finds an import mutation taking an Upload, not the delete one", () => {
    const b = findGraphqlImport(server);
    expect(b).toMatchObject({ kind: "graphql", fileArg: "file", mode: "upload" });
    expect(b?.kind === "graphql" && b.field.name).toBe("importModel");
  });
});

describe("REST import route discovery and reports", () => {
  const openapi = {
    paths: {
      "/api/imports/{run_id}": { get: {} },
      "/api/import": {
        post: {
          parameters: [{ name: "dry_run", in: "query" }, { name: "format", in: "query" }],
          requestBody: { content: { "multipart/form-data": { schema: { $ref: "#/components/schemas/Body_upload" } } } },
        },
      },
    },
    components: { schemas: { Body_upload: { properties: { upload: { type: "string", format: "binary" } } } } },
  };

  it("finds the multipart upload route, its file field and query parameters", () => {
    expect(findRestImport(openapi)).toEqual({ kind: "rest", path: "/api/import", fileField: "upload", dryRunParam: "dry_run", formatParam: "format", inBody: false });
    expect(findRestImport({ paths: { "/api/nodes": { post: {} } } })).toBeNull();
  });

  it("reads diffs given per type, as counts or lists, and the warnings", () => {
    const r = normaliseReport(
      { dry_run: true, format: "exchange", diff: { added: { Platform: 2, Team: 1 }, changed: { Platform: ["a"] }, removed: {} }, warnings: [{ message: "dangling relationship r9 skipped" }, "w2"] },
      false,
    );
    expect(r.dryRun).toBe(true);
    expect(r.format).toBe("exchange");
    expect(r.rows).toEqual([
      { section: "", type: "Platform", added: 2, changed: 1, removed: 0 },
      { section: "", type: "Team", added: 1, changed: 0, removed: 0 },
    ]);
    expect(r.warnings).toEqual(["dangling relationship r9 skipped", "w2"]);
    const flat = normaliseReport(JSON.stringify({ added: 3, updated: 1, deleted: 0, run: "run-1" }), false);
    expect(flat.rows).toEqual([{ section: "", type: "total", added: 3, changed: 1, removed: 0 }]);
    expect(flat.runId).toBe("run-1");
  });
});

describe("the real import API (captured from the server)", () => {
  it("finds POST /api/imports with its `files` array and form fields", () => {
    expect(findRestImport(data("openapi-imports") as never)).toEqual({
      kind: "rest",
      path: "/api/imports",
      fileField: "files",
      dryRunParam: "dry_run",
      formatParam: "format",
      inBody: true,
    });
  });

  it("reads the dry-run diff by section and type", () => {
    const r = normaliseReport(data("import-dry-run"), true);
    expect(r).toMatchObject({ dryRun: true, format: "backstage", runId: null, warnings: [] });
    expect(r.rows).toEqual([
      { section: "nodes", type: "Platform", added: 2, changed: 0, removed: 0 },
      { section: "nodes", type: "Team", added: 1, changed: 0, removed: 0 },
      { section: "relationships", type: "DEPENDS_ON", added: 1, changed: 0, removed: 0 },
      { section: "relationships", type: "OWNS", added: 2, changed: 0, removed: 0 },
    ]);
  });

  it("shows warnings with their file and line", () => {
    const r = normaliseReport({ diff: {}, warnings: [{ code: "dangling", msg: "relationship r1 skipped", file: "m.xml", line: 12, subject: "r1" }] }, false);
    expect(r.warnings).toEqual(["relationship r1 skipped (m.xml:12)"]);
  });
});
