import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { StatsDocument } from "../src/generated/graphql";
import { AuthError, GraphQLClient, GraphQLError } from "../src/gql";
import { IMPORT_FORMATS, IMPORT_ROUTE, readReport, refusalMessage, type ImportAnswer } from "../src/imports";
import { restUrl } from "../src/rest";
import { enumValues } from "./sdl";

const data = <T>(name: string): T => JSON.parse(readFileSync(new URL(`./data/${name}.json`, import.meta.url), "utf8")) as T;

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
    expect(await c.request(StatsDocument, {})).toEqual({ stats: { nodes: {} } });
    expect(JSON.parse(String(seen[0]!.body))).toEqual({ query: StatsDocument.toString(), variables: {} });
    const built = "query Briefs($i0: ID!) { n0: node(id: $i0) { id } }";
    await c.requestBuilt(built, { i0: "x" });
    expect(JSON.parse(String(seen[1]!.body))).toEqual({ query: built, variables: { i0: "x" } });
    expect((seen[0]!.headers as Record<string, string>).authorization).toBe("Bearer vg_secret");
  });

  it("raises GraphQL errors, and AuthError on 401/403", async () => {
    const errors = new GraphQLClient({ fetch: async () => json(200, { data: null, errors: [{ message: "limit must be between 1 and 500" }] }) });
    await expect(errors.request(StatsDocument, {})).rejects.toThrow(GraphQLError);
    await expect(errors.request(StatsDocument, {})).rejects.toThrow("limit must be between 1 and 500");
    const denied = new GraphQLClient({ fetch: async () => json(401, { detail: "authentication required" }) });
    await expect(denied.request(StatsDocument, {})).rejects.toBeInstanceOf(AuthError);
    const broken = new GraphQLClient({ fetch: async () => new Response("oops", { status: 502 }) });
    await expect(broken.request(StatsDocument, {})).rejects.toThrow("server answered 502 without JSON");
  });
});

describe("the REST routes (typed from the OpenAPI document)", () => {
  it("builds a GET route's URL with its query", () => {
    expect(restUrl("/api/audit", { limit: 1 })).toBe("/api/audit?limit=1");
    expect(restUrl("/api/audit", {})).toBe("/api/audit");
  });

  it("offers the import formats the server takes (GraphQL's ImportFormat, REST's form field)", () => {
    expect(IMPORT_ROUTE).toBe("/api/imports");
    expect([...IMPORT_FORMATS]).toEqual(enumValues("ImportFormat").map((f) => f.toLowerCase()));
  });
});

describe("the real import API (captured from the server)", () => {
  it("reads the dry-run diff by section and type", () => {
    const r = readReport(data<ImportAnswer>("import-dry-run"));
    expect(r).toMatchObject({ dryRun: true, format: "backstage", runId: null, warnings: [] });
    expect(r.rows).toEqual([
      { section: "nodes", type: "Platform", added: 2, changed: 0, removed: 0 },
      { section: "nodes", type: "Team", added: 1, changed: 0, removed: 0 },
      { section: "relationships", type: "DEPENDS_ON", added: 1, changed: 0, removed: 0 },
      { section: "relationships", type: "OWNS", added: 2, changed: 0, removed: 0 },
    ]);
  });

  it("reads changes and removals per type, and shows warnings with their file and line", () => {
    const section = (added: Record<string, number>, changed: Record<string, number>, removed: Record<string, number>) => ({ added, changed, removed, unchanged: 0 });
    const r = readReport({
      run_id: "run-1",
      format: "exchange",
      dry_run: false,
      diff: { nodes: section({ Platform: 2, Team: 1 }, { Platform: 1 }, {}), relationships: section({}, {}, { USES: 3 }) },
      warnings: [
        { code: "dangling", msg: "relationship r1 skipped", file: "m.xml", line: 12, subject: "r1" },
        { code: "x", msg: "w2", file: null, line: null, subject: null },
      ],
    });
    expect(r).toMatchObject({ dryRun: false, format: "exchange", runId: "run-1" });
    expect(r.rows).toEqual([
      { section: "nodes", type: "Platform", added: 2, changed: 1, removed: 0 },
      { section: "nodes", type: "Team", added: 1, changed: 0, removed: 0 },
      { section: "relationships", type: "USES", added: 0, changed: 0, removed: 3 },
    ]);
    expect(r.warnings).toEqual(["relationship r1 skipped (m.xml:12)", "w2"]);
  });

  it("words the server's refusal", () => {
    expect(refusalMessage(422, { detail: { msg: "not an exchange file", file: "m.xml", line: 1 } })).toBe("import failed (422): not an exchange file");
    expect(refusalMessage(403, { detail: "this needs the editor role" })).toBe("import failed (403): this needs the editor role");
  });
});
