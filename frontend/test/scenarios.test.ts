import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { ComparePageDocument, CompareScenarioDocument, type CompareScenarioQuery } from "../src/generated/graphql";
import { GraphQLClient } from "../src/gql";
import {
  ADMIN_PROBE,
  COMPARE_IMPACT_PAGE,
  COMPARE_MORE,
  COMPARE_PAGE,
  PagedRange,
  Scenarios,
  buildOperationInput,
  changedChecks,
  readApplyResult,
  readComparison,
  scenarioNameProblem,
  boundedDiff,
  scenarioOverlay,
  scenarioSubject,
  comparedElement,
} from "../src/scenarios";

// `compareScenario` answers captured from the real GraphQL API on the demo model, with the
// explorer's own query (CompareScenario in src/operations/scenarios.graphql): "retire-gateway"
// removes plat-api-gateway (compared on that element); "split-mortgage" splits Mortgage in two
// (compared on plat-loan-servicing).
const answer = (name: string): CompareScenarioQuery["result"] =>
  (JSON.parse(readFileSync(new URL(`./data/${name}.json`, import.meta.url), "utf8")) as { data: CompareScenarioQuery }).data.result;

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

describe("reading a scenario comparison (captured: remove the API gateway)", () => {
  const c = readComparison(answer("compare-scenario"));

  it("reads the scenario and its stored operations", () => {
    expect(c.scenario).toMatchObject({ name: "retire-gateway", status: "OPEN", operationCount: 1, problem: null });
    expect(c.scenario.operations).toEqual([
      {
        index: 1,
        op: "remove_element",
        text: "remove Platform API Gateway (plat-api-gateway) and its relationships",
        operation: { op: "remove_element", element: "plat-api-gateway" },
      },
    ]);
  });

  it("reads the impact on both sides: every stream the removed gateway reached loses it", () => {
    const d = c.impact!;
    expect(d.element).toEqual({ id: "plat-api-gateway", type: "Platform", name: "API Gateway" });
    expect([d.inBase, d.inScenario]).toEqual([true, false]);
    expect([d.baseStreamCount, d.scenarioStreamCount]).toEqual([7, 0]);
    expect(d.counts).toEqual({ lost: 7, added: 0, removed: 0, closer: 0, further: 0, same: 0 });
    expect(d.total).toBe(7);
    // In the server's order (the panel's): by change, then distance, then name.
    expect(d.streams.map((s) => s.stream.id)).toEqual(["vs-cards", "vs-onboarding", "vs-mortgage", "vs-payments", "vs-savings", "vs-sme-lending", "vs-wealth"]);
    const cards = d.streams.find((s) => s.stream.id === "vs-cards")!;
    expect(cards).toMatchObject({ change: "lost", baseDistance: 1, scenarioDistance: null, basePath: "API Gateway <-[DEPENDS_ON]- Cards", scenarioPath: "" });
    // each side's path, in stored direction; the scenario does not reach it
    expect(cards.scenario).toBeNull();
    expect(cards.base).toMatchObject({ distance: 1, pathText: "API Gateway <-[DEPENDS_ON]- Cards" });
    expect(cards.base!.pathSteps).toEqual([{ source: "vs-cards", target: "plat-api-gateway", rel: "DEPENDS_ON" }]);
    expect(cards.base!.pathNodes.map((n) => n.id)).toEqual(["plat-api-gateway", "vs-cards"]);
  });

  it("reads what the scenario takes away as losses, never as good news", () => {
    const l = c.losses;
    expect(l.streams.map((s) => s.id)).toEqual(["vs-cards", "vs-onboarding", "vs-mortgage", "vs-payments", "vs-savings", "vs-sme-lending", "vs-wealth"]);
    expect(l.needs.length).toBe(15);
    expect(l.needs.every((n) => n.needed.id === "plat-api-gateway" && n.removed && n.relationship === "DEPENDS_ON")).toBe(true);
    expect(l.needs.find((n) => n.element.id === "plat-identity-kyc")!.streamCount).toBe(7);
    expect(l.capabilities.map((e) => e.id)).toContain("cap-identity-verification");
    // The first page of each list, with its true total (the demo's fit in one page).
    expect(l.totals).toEqual({ needs: 15, streams: 7, capabilities: l.capabilities.length });
  });

  it("reads health deltas with the findings resolved and introduced: removing a needed platform lowers the score", () => {
    expect([c.health.baseScore, c.health.scenarioScore, c.health.scoreDelta]).toEqual([77.9, 77.5, -0.4]);
    const { changed, unchanged } = changedChecks(c.health);
    expect(changed.map((k) => k.id)).toEqual(["single_points_of_failure", "unowned"]);
    expect(unchanged.length).toBe(8); // of the ten checks
    const spof = changed[0]!;
    // The same numbers, with the same unit, as the Health page and the CLI.
    expect(spof).toMatchObject({ unit: "stream requirements", baseOffending: 89, scenarioOffending: 92, scoreDelta: -3.2 });
    expect(spof.resolved.map((e) => e.id)).toContain("plat-api-gateway");
    expect(spof.introduced.map((e) => e.id)).toContain("cap-identity-verification");
    expect([spof.resolvedTotal, spof.introducedTotal]).toEqual([spof.resolved.length, spof.introduced.length]);
  });

  it("reads the bottleneck ranking deltas, the removed gateway included", () => {
    expect(c.rankingPending).toBe(false);
    const b = c.bottlenecks!;
    expect([b.limit, b.baseStreamTotal, b.scenarioStreamTotal]).toEqual([20, 7, 7]);
    const gw = b.rows.find((r) => r.element.id === "plat-api-gateway")!;
    expect(gw).toMatchObject({ change: "removed", baseRank: 4, scenarioRank: null, rankChange: null, scenarioScore: null, scoreDelta: -61.7 });
    const kyc = b.rows.find((r) => r.element.id === "plat-identity-kyc")!;
    expect(kyc).toMatchObject({ change: "higher", baseRank: 5, scenarioRank: 4, rankChange: 1 });
    expect(b.rows[0]).toMatchObject({ element: { id: "team-digital-journeys", type: "Team" }, change: "same" });
  });

  it("draws the removed element ringed and faded, the streams that lose it along base-only paths", () => {
    const ov = scenarioOverlay(c.impact!, "diff");
    expect(ov.classes.get("plat-api-gateway")).toEqual(expect.arrayContaining(["impact-source", "sc-gone"]));
    expect(ov.classes.get("vs-payments")).toContain("sc-lost");
    expect(ov.steps.length).toBe(7);
    expect(ov.steps.every((s) => s.cls === "path-removed" && s.target === "plat-api-gateway" && s.rel === "DEPENDS_ON")).toBe(true);
    // the scenario side alone has nothing to draw but the element
    const scen = scenarioOverlay(c.impact!, "scenario");
    expect(scen.steps).toEqual([]);
    expect(scen.nodes.map((n) => n.id)).toEqual(["plat-api-gateway"]);
    const base = scenarioOverlay(c.impact!, "base");
    expect([...base.classes.entries()].filter(([, cs]) => cs.includes("impacted")).length).toBe(7);
  });

  it("draws at most the first streams the panel lists, with their paths only", () => {
    const d = c.impact!;
    expect(boundedDiff(d, 7)).toBe(d);
    const three = boundedDiff(d, 3);
    const first = d.streams.slice(0, 3).map((st) => st.stream.id);
    expect(three.streams.map((st) => st.stream.id)).toEqual(first);
    expect(three.total).toBe(7);
    const ov = scenarioOverlay(three, "diff");
    expect(ov.steps.length).toBe(3);
    expect([...ov.classes.entries()].filter(([, cs]) => cs.includes("sc-lost")).map(([id]) => id).sort()).toEqual([...first].sort());
  });
});

describe("reading a scenario comparison (captured: split Mortgage)", () => {
  const c = readComparison(answer("compare-split-stream"));
  const d = c.impact!;

  it("marks the new streams added, the old one removed, the rest unchanged", () => {
    expect(d.counts).toMatchObject({ added: 2, removed: 1, same: 6 });
    // The server's order, the panel's: changed first, then by distance and name.
    expect(d.streams.map((s) => [s.stream.id, s.change])).toEqual([
      ["valuestream:mortgage-origination", "added"],
      ["valuestream:mortgage-servicing", "added"],
      ["vs-mortgage", "removed"],
      ["vs-sme-lending", "same"],
      ["vs-cards", "same"],
      ["vs-onboarding", "same"],
      ["vs-payments", "same"],
      ["vs-savings", "same"],
      ["vs-wealth", "same"],
    ]);
  });

  it("tells paths only the scenario has from those only the base has and shared ones", () => {
    const ov = scenarioOverlay(d, "diff");
    const by = (cls: string) => ov.steps.filter((s) => s.cls === cls).map((s) => `${s.source}-${s.rel}->${s.target}`).sort();
    expect(by("path-added")).toEqual([
      "valuestream:mortgage-origination-DEPENDS_ON->plat-loan-servicing",
      "valuestream:mortgage-servicing-DEPENDS_ON->plat-loan-servicing",
    ]);
    expect(by("path-removed")).toEqual(["vs-mortgage-DEPENDS_ON->plat-loan-servicing"]);
    expect(by("path-same")).toContain("plat-loan-servicing-WRITES->data-loan-account");
    // no edge drawn twice
    expect(new Set(ov.steps.map((s) => `${s.source}|${s.rel}|${s.target}`)).size).toBe(ov.steps.length);
    // scenario-only elements come with their names and types (the base cannot look them up)
    expect(ov.nodes.find((n) => n.id === "valuestream:mortgage-servicing")).toEqual({ id: "valuestream:mortgage-servicing", type: "ValueStream", name: "Mortgage Servicing" });
    expect(ov.classes.get("valuestream:mortgage-servicing")).toContain("sc-added");
    expect(ov.classes.get("vs-mortgage")).toContain("sc-removed");
    expect(ov.classes.get("vs-cards")).toContain("sc-same");
  });

  it("health checks that only change score are listed as changed, without findings", () => {
    const { changed } = changedChecks(c.health);
    expect(changed[0]!.id).toBe("stream_cycles");
    expect(changed.every((k) => k.resolved.length === 0 && k.introduced.length === 0)).toBe(true);
  });
});

describe("the element a comparison shows by default", () => {
  const ops = (...operation: Record<string, unknown>[]) => ({ operations: operation.map((o, i) => ({ index: i + 1, op: String(o.op), text: "", operation: o })) });

  it("is what the first change is about", () => {
    expect(scenarioSubject(ops({ op: "remove_element", element: "plat-x" }))).toBe("plat-x");
    expect(scenarioSubject(ops({ op: "replace_element", old: "p-old", new: "p-new" }))).toBe("p-old");
    expect(scenarioSubject(ops({ op: "move_ownership", element: "plat-doc", to_team: "t" }))).toBe("plat-doc");
    expect(scenarioSubject(ops({ op: "add_relationship", type: "DEPENDS_ON", source: "vs-a", target: "plat-b" }))).toBe("plat-b");
    expect(scenarioSubject(ops({ op: "split_stream", stream: "vs-mortgage", into: [] }))).toBe("vs-mortgage");
    expect(scenarioSubject(ops({ op: "add_element", type: "Platform", name: "New", id: "platform:new" }))).toBe("platform:new");
    expect(scenarioSubject(ops())).toBeNull();
  });

  it("is the element chosen for this scenario, else its subject: nothing is compared silently", () => {
    const removal = ops({ op: "remove_element", element: "plat-identity" });
    expect(comparedElement(null, removal)).toBe("plat-identity");
    expect(comparedElement("plat-kyc", removal)).toBe("plat-kyc");
    expect(comparedElement(null, ops())).toBeNull();
  });
});

describe("building operation inputs", () => {
  it("builds each one-of input the API takes", () => {
    expect(buildOperationInput({ kind: "removeElement", element: " plat-api-gateway " })).toEqual({ ok: true, input: { removeElement: { element: "plat-api-gateway" } } });
    expect(buildOperationInput({ kind: "replaceElement", old: "p-old", new: "p-new" })).toEqual({ ok: true, input: { replaceElement: { old: "p-old", new: "p-new" } } });
    expect(buildOperationInput({ kind: "moveOwnership", element: "plat-doc", toTeam: "team-core", fromTeam: "" })).toEqual({
      ok: true,
      input: { moveOwnership: { element: "plat-doc", toTeam: "team-core" } },
    });
    expect(buildOperationInput({ kind: "moveOwnership", element: "plat-doc", toTeam: "team-core", fromTeam: "team-old" })).toEqual({
      ok: true,
      input: { moveOwnership: { element: "plat-doc", toTeam: "team-core", fromTeam: "team-old" } },
    });
    expect(buildOperationInput({ kind: "addRelationship", relType: "DEPENDS_ON", source: "vs-a", target: "plat-b" })).toEqual({
      ok: true,
      input: { addRelationship: { type: "DEPENDS_ON", source: "vs-a", target: "plat-b" } },
    });
    expect(buildOperationInput({ kind: "removeRelationship", relType: "SUPPORTS", source: "team-x", target: "vs-a" })).toEqual({
      ok: true,
      input: { removeRelationship: { type: "SUPPORTS", source: "team-x", target: "vs-a" } },
    });
    expect(buildOperationInput({ kind: "addElement", type: "Platform", name: "Gateway 2", id: "" })).toEqual({ ok: true, input: { addElement: { type: "Platform", name: "Gateway 2" } } });
  });

  it("splits a stream by the stage assignment, keeping the stages' order", () => {
    const built = buildOperationInput({
      kind: "splitStream",
      stream: "vs-mortgage",
      stages: ["st-1", "st-2", "st-3"],
      parts: [{ name: "Mortgage Origination " }, { name: "Mortgage Servicing", id: "vs-mortgage-servicing" }],
      assign: { "st-3": 1, "st-1": 0, "st-2": 0 },
    });
    expect(built).toEqual({
      ok: true,
      input: {
        splitStream: {
          stream: "vs-mortgage",
          into: [
            { name: "Mortgage Origination", stages: ["st-1", "st-2"] },
            { name: "Mortgage Servicing", stages: ["st-3"], id: "vs-mortgage-servicing" },
          ],
        },
      },
    });
  });

  it("says what is missing instead of sending a request the server refuses", () => {
    expect(buildOperationInput({ kind: "removeElement" })).toEqual({ ok: false, problems: ["choose the element to remove"] });
    expect(buildOperationInput({ kind: "replaceElement", old: "a", new: "a" })).toEqual({ ok: false, problems: ["an element cannot replace itself"] });
    expect(buildOperationInput({ kind: "addRelationship", relType: "DEPENDS_ON", source: "a" })).toEqual({ ok: false, problems: ["choose the target"] });
    const split = buildOperationInput({ kind: "splitStream", stream: "vs", stages: ["s1", "s2"], parts: [{ name: "A" }, { name: "a" }], assign: { s1: 0 } });
    expect(split.ok).toBe(false);
    expect(!split.ok && split.problems).toEqual(["give the new streams different names", "assign every stage to a new stream (1 left)"]);
    expect(buildOperationInput({ kind: "splitStream", stream: "vs", stages: [], parts: [{ name: "A" }] })).toEqual({ ok: false, problems: ["split into at least two new streams"] });
  });

  it("checks scenario names as the server does", () => {
    expect(scenarioNameProblem("retire-esb")).toBeNull();
    expect(scenarioNameProblem("adopt orphans v1.2")).toBeNull();
    expect(scenarioNameProblem("Ünïcode_ok")).toBeNull();
    expect(scenarioNameProblem("  ")).toMatch(/name/);
    expect(scenarioNameProblem("-leading")).toMatch(/starting with/);
    expect(scenarioNameProblem("a/b")).toMatch(/letters/);
    expect(scenarioNameProblem("x".repeat(101))).toMatch(/100/);
  });
});

describe("the scenarios client", () => {
  const recording = (respond: (body: { query: string; variables: Record<string, unknown> }) => Response) => {
    const seen: { query: string; variables: Record<string, unknown> }[] = [];
    const client = new GraphQLClient({
      token: () => "vg_editor",
      fetch: async (_url, init) => {
        const body = JSON.parse(String(init!.body)) as { query: string; variables: Record<string, unknown> };
        seen.push(body);
        return respond(body);
      },
    });
    return { client, seen };
  };

  it("adds an operation as the one-of input variable and reads the scenario back", async () => {
    const { client, seen } = recording(() =>
      json(200, { data: { result: { name: "s", description: "", status: "OPEN", operationCount: 1, operations: [{ index: 1, op: "remove_element", text: "remove x", operation: { op: "remove_element", element: "x" } }], problem: null } } }),
    );
    const sc = await new Scenarios(client).addOperation("s", { removeElement: { element: "x" } });
    expect(seen[0]!.query).toContain("addScenarioOperation(name: $name, operation: $operation)");
    expect(seen[0]!.variables).toEqual({ name: "s", operation: { removeElement: { element: "x" } } });
    expect(sc.operations[0]!.text).toBe("remove x");
  });

  it("compares with the explorer's query, passing a null element when there is none", async () => {
    const { client, seen } = recording(() => json(200, { data: { result: answer("compare-scenario") } }));
    const c = await new Scenarios(client).compare("retire-gateway", null, 4);
    expect(seen[0]!.query).toBe(CompareScenarioDocument.toString());
    expect(seen[0]!.variables).toEqual({ name: "retire-gateway", element: null, maxDepth: 4, limit: 20, wait: true, page: COMPARE_PAGE, impactPage: COMPARE_IMPACT_PAGE });
    expect(c.impact?.counts.lost).toBe(7);
  });

  it("asks for the first part without waiting for the scenario's ranking, and reads it pending", async () => {
    const pending = { ...answer("compare-scenario"), bottlenecks: null, rankingPending: true };
    const { client, seen } = recording(() => json(200, { data: { result: pending } }));
    const c = await new Scenarios(client).compare("retire-gateway", "plat-api-gateway", 4, 20, false);
    expect(seen[0]!.variables).toEqual({ name: "retire-gateway", element: "plat-api-gateway", maxDepth: 4, limit: 20, wait: false, page: COMPARE_PAGE, impactPage: COMPARE_IMPACT_PAGE });
    expect(c.rankingPending).toBe(true);
    expect(c.bottlenecks).toBeNull();
    expect(c.health.scenarioScore).toBe(readComparison(answer("compare-scenario")).health.scenarioScore);
  });

  it("asks a further page of one list of the comparison with the comparison's own arguments", async () => {
    const gw = { id: "plat-api-gateway", type: "Platform", name: "API Gateway" };
    const kyc = { id: "plat-identity-kyc", type: "Platform", name: "Identity & KYC" };
    const page = {
      losses: { needs: [{ element: kyc, relationship: "DEPENDS_ON", needed: gw, removed: true, streamCount: 7 }], streams: null, capabilities: null },
      health: { checks: [{ id: "unowned", resolved: [], introduced: null }, { id: "single_points_of_failure", resolved: [gw], introduced: null }] },
    };
    const { client, seen } = recording(() => json(200, { data: { result: page } }));
    const scenarios = new Scenarios(client);
    const needs = await scenarios.lostNeedsPage("retire-gateway", "plat-api-gateway", 4, 40);
    expect(seen[0]!.query).toBe(ComparePageDocument.toString());
    expect(seen[0]!.variables).toEqual({ name: "retire-gateway", element: "plat-api-gateway", maxDepth: 4, rankLimit: 20, limit: COMPARE_MORE, offset: 40, needs: true });
    expect(needs).toEqual([{ element: kyc, relationship: "DEPENDS_ON", needed: gw, removed: true, streamCount: 7 }]);
    // A check's findings: that check's page of the answer (the server pages every check's).
    const resolved = await scenarios.comparePage("retire-gateway", null, 4, "resolved", 40, "single_points_of_failure");
    expect(seen[1]!.variables).toEqual({ name: "retire-gateway", element: null, maxDepth: 4, rankLimit: 20, limit: COMPARE_MORE, offset: 40, resolved: true });
    expect(resolved).toEqual([gw]);
  });

  it("asks the compared streams past the first page, a page at a time, as the panel opens them", async () => {
    // The split's 9 streams, served as the server pages them (the captured answer holds all),
    // as rows of the table: without the paths hop by hop (only the first page is drawn).
    const all = answer("compare-split-stream").impact!.streams.map(({ basePathSteps: _b, scenarioPathSteps: _s, ...row }) => row);
    const { client, seen } = recording((body) => {
      const { offset, limit } = body.variables as { offset: number; limit: number };
      return json(200, { data: { result: { impact: { streams: all.slice(offset, offset + limit) } } } });
    });
    const scenarios = new Scenarios(client);
    const d = readComparison(answer("compare-split-stream")).impact!;
    const firstPage = d.streams.slice(0, 2); // as if the first page were 2 long
    const fetch = (offset: number, limit: number) => scenarios.impactPage("split-mortgage", "plat-loan-servicing", 4, offset, limit);
    // "1 more changed": the changed streams are the first 3 of 9 (counts: 2 added, 1 removed).
    const changed = new PagedRange(firstPage, 2, d.total - d.counts.same, fetch);
    expect([changed.first, changed.left, changed.nextPage]).toEqual([[], 1, 1]);
    const more = await changed.more();
    expect(seen[0]!.query).toBe(ComparePageDocument.toString());
    expect(seen[0]!.variables).toEqual({ name: "split-mortgage", element: "plat-loan-servicing", maxDepth: 4, rankLimit: 20, limit: 1, offset: 2, impact: true });
    expect(more.map((st) => [st.stream.id, st.change])).toEqual([["vs-mortgage", "removed"]]);
    expect(more[0]).toMatchObject({ baseDistance: 1, scenarioDistance: null, basePath: d.streams[2]!.basePath, scenarioPath: "" });
    expect(changed.left).toBe(0);
    expect(await changed.more()).toEqual([]);
    expect(seen.length).toBe(1);
    // "6 streams reached the same way", two at a time: the pages joined are the rest of the list.
    const same = new PagedRange(firstPage, 3, d.total, fetch, 2);
    const rows = [];
    while (same.left) rows.push(...(await same.more()));
    expect(seen.slice(1).map((q) => [q.variables.offset, q.variables.limit])).toEqual([[3, 2], [5, 2], [7, 2]]);
    expect(rows.map((st) => st.stream.id)).toEqual(d.streams.slice(3).map((st) => st.stream.id));
    expect(rows.every((st) => st.change === "same")).toBe(true);
    // What is held already is shown at once, and only the rest asked.
    const held = new PagedRange(d.streams, 3, d.total, fetch);
    expect([held.first.length, held.left]).toEqual([6, 0]);
  });

  it("raises the server's refusal to apply", async () => {
    const refusal = "applying a scenario changes the base model: it needs the admin role; your token has editor";
    const { client } = recording(() => json(200, { data: null, errors: [{ message: refusal, extensions: { code: "FORBIDDEN" } }] }));
    await expect(new Scenarios(client).apply("s")).rejects.toThrow(refusal);
  });

  it("learns whether the token is an admin's from an admin-only read", async () => {
    const client = new GraphQLClient({ token: () => "vg_t" });
    const probe = (status: number, body: unknown) => {
      const urls: string[] = [];
      const s = new Scenarios(client, async (url, init) => {
        urls.push(`${url} ${(init!.headers as Record<string, string>).authorization}`);
        return json(status, body);
      });
      return { s, urls };
    };
    const admin = probe(200, []);
    expect(await admin.s.role()).toEqual({ admin: true, message: "" });
    expect(admin.urls).toEqual([`${ADMIN_PROBE} Bearer vg_t`]);
    expect(await probe(403, { detail: "this needs the admin role; your token has editor" }).s.role()).toEqual({
      admin: false,
      message: "this needs the admin role; your token has editor",
    });
    expect(await probe(404, {}).s.role()).toEqual({ admin: null, message: "" });
  });

  it("reads what applying changed", () => {
    const r = readApplyResult({
      scenario: { name: "s", description: "", status: "APPLIED", operationCount: 1, createdAt: "t0", updatedAt: "t1", createdBy: null, appliedAt: "t1", appliedBy: "admin" },
      elementsAdded: [],
      elementsRemoved: [{ id: "plat-x", type: "Platform", name: "X" }],
      elementsChanged: [],
      relationshipsAdded: [{ id: "r1", type: "OWNS", source: "t", target: "p", text: "t -[OWNS]-> p" }],
      relationshipsRemoved: [{ id: "r2", type: "DEPENDS_ON", source: "a", target: "b", text: "" }],
    });
    expect(r.scenario.status).toBe("APPLIED");
    expect(r.elementsRemoved).toEqual([{ id: "plat-x", type: "Platform", name: "X" }]);
    expect(r.relationshipsAdded).toEqual(["t -[OWNS]-> p"]);
    expect(r.relationshipsRemoved).toEqual(["a -[DEPENDS_ON]-> b"]);
  });
});
