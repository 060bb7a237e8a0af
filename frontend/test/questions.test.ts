import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import type { BottlenecksQuery, DependencyPathQuery, DependsOnQuery, HealthReportQuery, ImpactQuery } from "../src/generated/graphql";
import type { GraphQLClient } from "../src/gql";
import { DRAW_PAGE, Questions, loadedOf, nearestFirst, readBottlenecks, readDependsOn, readHealth, readImpact, readPath, readSteps, shownOf, withMoreDependencies, withMoreImpact } from "../src/questions";
import { loadStyles } from "../src/style";
import { graphHref } from "../src/urlstate";

// Answers of the real GraphQL API on the demo model to the explorer's own documents
// (src/operations/questions.graphql), saved as the server returned them (test/data/*.json).
const answer = <T>(name: string): T => JSON.parse(readFileSync(new URL(`./data/${name}.json`, import.meta.url), "utf8")).data as T;

const ref = (id: string, type: string, name = id) => ({ id, type, name });

describe("impact answers", () => {
  const r = readImpact(answer<ImpactQuery>("impact").impact);

  it("reads the changed element, each stream with distance and its explaining path", () => {
    expect(r.source).toEqual({ id: "plat-identity-kyc", type: "Platform", name: "Identity & KYC Service" });
    expect(r.streams.map((s) => [s.stream.id, s.distance])).toEqual([
      ["vs-onboarding", 1],
      ["vs-cards", 2],
      ["vs-mortgage", 2],
      ["vs-savings", 2],
      ["vs-sme-lending", 2],
      ["vs-payments", 3],
      ["vs-wealth", 3],
    ]);
    const payments = r.streams.find((s) => s.stream.id === "vs-payments")!;
    expect(payments.pathNodes.map((n) => n.id)).toEqual(["plat-identity-kyc", "st-cards-1-apply", "vs-cards", "vs-payments"]);
    // steps are drawn in stored direction (storedForward: false reverses travel order)
    expect(payments.pathSteps).toEqual([
      { source: "st-cards-1-apply", target: "plat-identity-kyc", rel: "USES" },
      { source: "vs-cards", target: "st-cards-1-apply", rel: "HAS_STAGE" },
      { source: "vs-payments", target: "vs-cards", rel: "DEPENDS_ON" },
    ]);
    expect(payments.pathText).toContain("<-[USES]-");
  });

  it("lists teams and people to notify, and the other affected elements", () => {
    expect(r.notify.length).toBe(11 + 6);
    expect(r.notify.filter((n) => n.element.type === "Team").length).toBe(11);
    expect(r.notify.every((n) => n.reason.length > 0)).toBe(true);
    // Ranked as the impact report: accountable owners first, then owning teams.
    expect(r.notify.map((n) => n.role)).toEqual([...Array(6).fill("accountable owner"), ...Array(11).fill("owning team")]);
    expect(r.notify.slice(0, 6).every((n) => n.element.type === "Person")).toBe(true);
    expect(r.affected.length).toBe(13 + 9 + 7 + 13);
    expect(r.affected.some((e) => e.id === "vs-onboarding")).toBe(false);
  });

  it("reads the totals of a paged answer, and shows a page as part of them", () => {
    expect(r.totals).toMatchObject({ streams: 7, affected: 42, notify: 17 }); // this answer is one whole page
    expect(r.totals?.lists).toEqual({ streams: 7, capabilities: 13, platforms: 9, dataAssets: 7, other: 13, people: 6, teams: 11 });
    const paged = readImpact({
      element: ref("p", "Platform", "P"),
      counts: { affected: 1210, streams: 610, teamsToNotify: 40, peopleToNotify: 12 },
      streams: [{ element: ref("vs1", "ValueStream", "S1"), distance: 1, path: [], pathText: "" }],
      platforms: [{ element: ref("p2", "Platform", "P2") }],
      teamsToNotify: [{ element: ref("t", "Team", "T"), reason: "owns P", distance: 0, about: [ref("p", "Platform", "P")] }],
    });
    expect(paged.totals).toEqual({ streams: 610, affected: 600, notify: 52 });
    expect(paged.affected.map((e) => e.id)).toEqual(["p2"]);
    expect(shownOf(paged.streams.length, paged.totals?.streams)).toBe("1 of 610");
    expect(shownOf(7, 7)).toBe("7");
    expect(shownOf(7, undefined)).toBe("7");
  });

  it("reads each list's total, and adds a further page of one list in the server's order", () => {
    const stream = (id: string, distance: number) => ({ element: ref(id, "ValueStream"), distance, path: [], pathText: "" });
    const notice = (id: string, type: string, distance: number) => ({ element: ref(id, type), reason: `owns ${id}`, distance, about: [ref("p", "Platform", "P")] });
    const first = readImpact({
      element: ref("p", "Platform", "P"),
      counts: { affected: 70, streams: 3, capabilities: 30, platforms: 27, dataAssets: 0, other: 10, teamsToNotify: 4, peopleToNotify: 3 },
      streams: [stream("vs1", 1), stream("vs2", 2)],
      capabilities: [{ element: ref("c1", "Capability") }],
      platforms: [{ element: ref("p2", "Platform") }],
      peopleToNotify: [notice("a", "Person", 1)],
      teamsToNotify: [notice("t1", "Team", 0), notice("t2", "Team", 1)],
    });
    expect(first.totals?.lists).toEqual({ streams: 3, capabilities: 30, platforms: 27, dataAssets: 0, other: 10, people: 3, teams: 4 });
    expect(first.affected.map((e) => [e.id, e.list])).toEqual([["c1", "capabilities"], ["p2", "platforms"]]);
    expect(["streams", "capabilities", "platforms", "other", "people", "teams"].map((l) => loadedOf(first, l as never))).toEqual([2, 1, 1, 0, 1, 2]);
    const source = ref("p", "Platform", "P");
    const more = withMoreImpact(first, readImpact({ element: source, streams: [stream("vs3", 2)], capabilities: [{ element: ref("c2", "Capability") }] }));
    expect(more.streams.map((s) => s.stream.id)).toEqual(["vs1", "vs2", "vs3"]);
    // A capability's page stays among the capabilities, before the platforms.
    expect(more.affected.map((e) => e.id)).toEqual(["c1", "c2", "p2"]);
    expect(more.totals).toEqual(first.totals);
    const people = withMoreImpact(more, readImpact({ element: source, streams: [], peopleToNotify: [notice("b", "Person", 2), notice("a", "Person", 1)] }));
    // Accountable owners stay before the teams; one already listed is kept once.
    expect(people.notify.map((n) => [n.element.id, n.role])).toEqual([
      ["a", "accountable owner"],
      ["b", "accountable owner"],
      ["t1", "owning team"],
      ["t2", "owning team"],
    ]);
  });

  it("asks the first page of every list, then a further page of one list", async () => {
    const asked: Record<string, unknown>[] = [];
    const whole = answer<ImpactQuery>("impact").impact;
    const client = {
      request: async (_doc: unknown, vars: Record<string, unknown>) => {
        asked.push(vars);
        return { impact: vars.streams ? { streams: whole.streams.slice(vars.offset as number, (vars.offset as number) + (vars.limit as number)) } : whole };
      },
    } as unknown as GraphQLClient;
    const questions = new Questions(client);
    const params = { element: "plat-identity-kyc", depth: 4, rels: [] };
    await questions.impact(params);
    expect(asked[0]).toMatchObject({ element: "plat-identity-kyc", maxDepth: 4, page: DRAW_PAGE });
    const page = await questions.impactPage(params, "streams", 5, 2);
    expect(asked[1]).toMatchObject({ element: "plat-identity-kyc", maxDepth: 4, limit: 2, offset: 5, streams: true });
    expect(asked[1].teams).toBeUndefined();
    expect(page.streams.map((s) => s.stream.id)).toEqual(["vs-payments", "vs-wealth"]);
  });

  it("reads a path's steps in stored direction and its elements in travel order", () => {
    const step = (from: string, to: string, relationship: string, storedForward: boolean) => ({ fromElement: ref(from, "T"), toElement: ref(to, "T"), relationship, storedForward });
    expect(readSteps([step("a", "b", "USES", true), step("b", "c", "DEPENDS_ON", false)])).toEqual({
      nodes: [ref("a", "T"), ref("b", "T"), ref("c", "T")],
      steps: [
        { source: "a", target: "b", rel: "USES" },
        { source: "c", target: "b", rel: "DEPENDS_ON" },
      ],
    });
    expect(readSteps([])).toEqual({ nodes: [], steps: [] });
  });
});

describe("depends-on answers", () => {
  it("reads each dependency with its type, distance and path", () => {
    const r = readDependsOn(answer<DependsOnQuery>("depends-on").dependsOn);
    expect(r.source?.id).toBe("plat-api-gateway");
    expect(r.streams.map((d) => [d.stream.id, d.stream.type, d.distance])).toEqual([
      ["team-api-platform", "Team", 1],
      ["plat-ciam", "Platform", 1],
      ["plat-kubernetes", "Platform", 1],
      ["team-cloud-platform", "Team", 2],
      ["team-identity-platform", "Team", 2],
      ["plat-observability", "Platform", 2],
      ["plat-cloud-landing-zone", "Platform", 2],
    ]);
    const k8s = r.streams.find((d) => d.stream.id === "plat-kubernetes")!;
    expect(k8s.pathSteps).toEqual([{ source: "plat-api-gateway", target: "plat-kubernetes", rel: "DEPENDS_ON" }]);
  });
  it("draws a bounded answer: the nearest first, and how many are left for 'show more'", () => {
    const r = readDependsOn(answer<DependsOnQuery>("depends-on").dependsOn);
    const first = nearestFirst(r.streams, 3);
    expect(first.shown.map((d) => d.stream.id)).toEqual(["team-api-platform", "plat-ciam", "plat-kubernetes"]);
    expect(first.hidden).toBe(4);
    expect(nearestFirst(r.streams, DRAW_PAGE)).toMatchObject({ hidden: 0 });
    expect(DRAW_PAGE).toBe(25);
  });
  it("asks the server for the nearest page only, and reads its true total", async () => {
    const asked: Record<string, unknown>[] = [];
    const whole = answer<DependsOnQuery>("depends-on").dependsOn;
    // The server's pages: `limit` from `offset` of its nearest-first list, and the total.
    const client = {
      request: async (_doc: unknown, vars: Record<string, unknown>) => {
        asked.push(vars);
        const [offset, limit] = [vars.offset as number, vars.limit as number];
        return { dependsOn: { ...whole, dependencies: whole.dependencies.slice(offset, offset + limit) } };
      },
    } as unknown as GraphQLClient;
    const questions = new Questions(client);
    const params = { element: "plat-api-gateway", depth: 3, rels: [] };
    const first = await questions.dependsOn(params);
    expect(asked[0]).toMatchObject({ element: "plat-api-gateway", maxDepth: 3, limit: DRAW_PAGE, offset: 0 });
    expect(first.totals?.streams).toBe(7);
    const page1 = await questions.dependsOn(params, { limit: 3, offset: 0 });
    const page2 = await questions.dependsOn(params, { limit: 3, offset: 3 });
    expect(asked.slice(1).map((v) => [v.limit, v.offset])).toEqual([[3, 0], [3, 3]]);
    expect(shownOf(page1.streams.length, page1.totals?.streams)).toBe("3 of 7");
    const both = withMoreDependencies(page1, page2);
    expect(both.streams.map((d) => d.stream.id)).toEqual(first.streams.slice(0, 6).map((d) => d.stream.id));
    expect(withMoreDependencies(both, page2).streams).toHaveLength(6); // a page read twice counts once
    expect(both.totals?.streams).toBe(7);
  });
});

describe("bottleneck answers", () => {
  const r = readBottlenecks(answer<BottlenecksQuery>("bottlenecks").bottlenecks);

  it("ranks teams and platforms by score, with metrics and explanation", () => {
    expect(r.items.map((i) => i.element.id)).toEqual([
      "team-digital-journeys",
      "plat-customer-data-platform",
      "plat-crm",
      "plat-api-gateway",
      "plat-identity-kyc",
    ]);
    expect(r.items[0]!.score).toBe(71.7);
    expect(r.items[0]!.metrics).toMatchObject({ rank: 1, streamCount: 6 });
    expect(r.items[0]!.explanation).toMatch(/value streams depend on Digital Journeys/);
  });

  it("reads the clusters with their streams and the shared nodes binding them", () => {
    expect(r.clusters.map((c) => [c.id, c.label, c.streams.map((s) => s.id), c.load])).toEqual([
      ["cluster-1", "Cluster 1", ["vs-cards", "vs-mortgage", "vs-sme-lending", "vs-wealth"], 38],
      ["cluster-2", "Cluster 2", ["vs-onboarding", "vs-payments", "vs-savings"], 22],
    ]);
    expect(r.clusters[0]!.shared.length).toBe(13);
    expect(r.clusters[0]!.shared.every((s) => s.type === "Team" || s.type === "Platform")).toBe(true);
  });

  it("sizes and colours by score, biggest for the top bottleneck", () => {
    const styles = loadStyles(r.items);
    expect(styles.get("team-digital-journeys")!.size).toBe(90);
    expect(styles.get("plat-identity-kyc")!.size).toBeLessThan(90);
    expect(styles.get("team-digital-journeys")!.color).toBe("#800026");
  });
});

describe("health answers", () => {
  const r = readHealth(answer<HealthReportQuery>("health").healthReport);

  it("reads the overall score, each check and its offending elements", () => {
    expect(r.score).toBe(77.9);
    expect(r.checks.map((c) => c.id)).toContain("accountable_owner");
    const owner = r.checks.find((c) => c.id === "accountable_owner")!;
    expect(owner).toMatchObject({ passed: false, title: "Streams without an accountable owner" });
    expect(owner.findings.map((f) => f.element?.id)).toEqual(["vs-sme-lending"]);
    expect(r.markdown).toMatch(/^#/);
  });

  it("reads what each check counts: the single points of failure's 89 are stream requirements, cut by 38 findings", () => {
    const spof = r.checks.find((c) => c.id === "single_points_of_failure")!;
    expect(spof).toMatchObject({ unit: "stream requirements", offending: 89, population: 93 });
    expect(spof.findings.length).toBe(38);
    const cycles = r.checks.find((c) => c.id === "stream_cycles")!;
    expect(cycles).toMatchObject({ unit: "streams", offending: 2 });
    expect(cycles.findings.length).toBe(1);
  });

  it("links a finding into the graph with the element added, expanded and selected", () => {
    expect(graphHref(["vs-sme-lending"], "vs-sme-lending")).toBe("?sel=vs-sme-lending&n=vs-sme-lending&x=vs-sme-lending");
  });
});

describe("dependency path answers", () => {
  it("reads the path between two elements: direction, distance, steps in stored direction", () => {
    const p = readPath(answer<DependencyPathQuery>("path").dependencyPath);
    expect(p.source?.id).toBe("plat-identity-kyc");
    expect(p.target?.id).toBe("vs-payments");
    expect(p.direction).toBe("source-affects-target");
    expect(p.distance).toBe(3);
    expect(p.nodes.map((n) => n.id)).toEqual(["plat-identity-kyc", "st-cards-1-apply", "vs-cards", "vs-payments"]);
    expect(p.steps).toEqual([
      { source: "st-cards-1-apply", target: "plat-identity-kyc", rel: "USES" },
      { source: "vs-cards", target: "st-cards-1-apply", rel: "HAS_STAGE" },
      { source: "vs-payments", target: "vs-cards", rel: "DEPENDS_ON" },
    ]);
    expect(p.stepTexts).toEqual(["Identity & KYC Service <-[USES]- Apply", "Apply <-[HAS_STAGE]- Cards", "Cards <-[DEPENDS_ON]- Payments"]);
    expect(p.explanation).toContain("reaches Payments in 3 step(s)");
  });

  it("reads 'no path' as such", () => {
    const p = readPath({ source: ref("a", "T"), target: ref("b", "T"), direction: "NONE", distance: null, explanation: "no dependency path within 10 step(s)", steps: [] });
    expect([p.direction, p.distance, p.steps, p.nodes]).toEqual(["none", null, [], []]);
    expect(p.explanation).toMatch(/no dependency path/);
  });
});
