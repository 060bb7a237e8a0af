import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { OverviewDocument, OverviewFirstDocument, OverviewHealthDocument, type HealthReportQuery, type OverviewFirstQuery, type OverviewQuery } from "../src/generated/graphql";
import type { GraphQLClient } from "../src/gql";
import { embeddedAnswer, embeddedLater, firstOverview, keyCounts, loadOverview, readDependedOn, readImportRuns, readStreamMap, streamNames, overviewAtHand, prefetchOverview, summarySentence, withLater, worstChecks } from "../src/overview";
import { readHealth, type Questions } from "../src/questions";
import type { Stats } from "../src/types";

const b = (id: string, type: string, name = id) => ({ id, type, name });
const stream = (id: string, name: string, rel: Partial<Record<"stages" | "requires" | "dependsOn" | "uses" | "supportedBy" | "ownedBy", ReturnType<typeof b>[]>>) =>
  ({ __typename: "ValueStream", ...b(id, "ValueStream", name), stages: [], requires: [], dependsOn: [], uses: [], supportedBy: [], ownedBy: [], ...rel }) as OverviewQuery["streams"]["items"][number];

describe("the overview's stream map", () => {
  const map = readStreamMap({
    total: 3,
    items: [
      stream("vs-pay", "Payments", {
        stages: [b("st-pay-10-settle", "Stage", "Settle"), b("st-pay-2-route", "Stage", "Route")],
        requires: [b("cap-route", "Capability", "Routing")],
        dependsOn: [b("vs-cards", "ValueStream", "Cards"), b("plat-gw", "Platform", "Gateway")],
        uses: [b("plat-hub", "Platform", "Hub"), b("plat-gw", "Platform", "Gateway")],
        supportedBy: [b("team-a", "Team", "Alpha")],
      }),
      stream("vs-cards", "Cards", { dependsOn: [b("vs-pay", "ValueStream", "Payments"), b("plat-gw", "Platform", "Gateway")], ownedBy: [b("team-a", "Team", "Alpha")] }),
      stream("vs-new", "Lending", {}),
    ],
  });

  it("orders streams and stages, and keeps each platform once", () => {
    expect(map.streams.map((c) => c.stream.id)).toEqual(["vs-cards", "vs-new", "vs-pay"]);
    const pay = map.streams[2]!;
    expect(pay.stages.map((s) => s.id)).toEqual(["st-pay-2-route", "st-pay-10-settle"]);
    expect(pay.platforms.map((p) => p.id)).toEqual(["plat-gw", "plat-hub"]);
    expect(pay.dependsOn.map((s) => s.id)).toEqual(["vs-cards"]);
  });

  it("draws the stream-to-stream dependencies both ways (Cards and Payments depend on each other)", () => {
    expect(map.links).toEqual([
      { source: "vs-cards", target: "vs-pay" },
      { source: "vs-pay", target: "vs-cards" },
    ]);
  });

  it("puts what most streams rest on first", () => {
    expect(map.platforms.map((s) => [s.element.id, s.streams.length])).toEqual([
      ["plat-gw", 2],
      ["plat-hub", 1],
    ]);
    expect(map.teams.map((s) => [s.element.id, s.streams.map((x) => x.id)])).toEqual([["team-a", ["vs-cards", "vs-pay"]]]);
  });
});

describe("the overview's figures", () => {
  const health = readHealth((JSON.parse(readFileSync(new URL("./data/health.json", import.meta.url), "utf8")) as { data: HealthReportQuery }).data.healthReport);

  it("shows the worst failing checks, lowest score first, with their counts and unit", () => {
    const worst = worstChecks(health);
    expect(worst.map((c) => c.id)).toEqual(["single_points_of_failure", "stream_cycles", "project_funding_only"]);
    expect(worst[0]).toMatchObject({ offending: 89, population: 93, unit: "stream requirements" });
  });

  it("counts the operating model's own types first", () => {
    expect(keyCounts({ nodes: { Person: 3, Team: 5, ValueStream: 7, GenericElement: 1, Measure: 0 }, relationships: {} })).toEqual([
      { label: "ValueStream", count: 7 },
      { label: "Team", count: 5 },
      { label: "Person", count: 3 },
      { label: "GenericElement", count: 1 },
    ]);
  });

  it("reads the latest imports", () => {
    expect(readImportRuns([{ id: "r1", source: "backstage", format: "backstage", startedAt: "2026-12-07T00:00:00", counts: { nodes: 3, relationships: 2 } }])).toEqual([
      { id: "r1", source: "backstage", format: "backstage", startedAt: "2026-12-07T00:00:00", written: 5 },
    ]);
  });
});

describe("the overview of a model without value streams", () => {
  it("reads the most depended-on elements with their owners, keeping the true total", () => {
    const d = readDependedOn({
      total: 40,
      items: [{ element: b("app-crm", "GenericElement", "CRM"), dependents: 12, owners: [b("team-a", "Team", "Alpha")], accountable: [] }],
    });
    expect(d).toEqual({ total: 40, items: [{ element: b("app-crm", "GenericElement", "CRM"), dependents: 12, owners: [b("team-a", "Team", "Alpha")], accountable: [] }] });
  });
});

describe("the overview's first answer", () => {
  it("says the model in one sentence", () => {
    const stats = { nodes: { ValueStream: 7, Stage: 35, Capability: 40, Platform: 1, Team: 25, Person: 12 }, relationships: { OWNS: 1000, USES: 234 } };
    expect(summarySentence(stats)).toBe("7 value streams in 35 stages rest on 40 capabilities, 1 platform and 25 teams: 120 elements and 1,234 relationships in all.");
    expect(summarySentence({ nodes: { Platform: 2 }, relationships: {} })).toBe("No value streams yet; 0 capabilities, 2 platforms and 0 teams: 2 elements and 0 relationships in all.");
    expect(summarySentence({ nodes: {}, relationships: {} })).toMatch(/^The model is empty/);
  });

  it("lists the streams by name before what they rest on is read", () => {
    const map = streamNames({ total: 9, items: [{ __typename: "ValueStream", ...b("vs-b", "ValueStream", "B") }, { __typename: "ValueStream", ...b("vs-a", "ValueStream", "A") }] });
    expect(map.total).toBe(9);
    expect(map.streams.map((c) => [c.stream.id, c.stages.length, c.platforms.length])).toEqual([
      ["vs-a", 0, 0],
      ["vs-b", 0, 0],
    ]);
    expect(map.links).toEqual([]);
  });
});

describe("the overview's first answer", () => {
  // The server draws the same sentence into the page it serves (app/explorer.py): both are
  // held to these cases.
  const cases = JSON.parse(readFileSync(new URL("../../tests/data/summary_sentences.json", import.meta.url), "utf8")) as { stats: Stats; sentence: string }[];
  it.each(cases)("words the counts as the server does: $sentence", ({ stats, sentence }) => {
    expect(summarySentence(stats)).toBe(sentence);
  });

  it("is read from the page once, hostile names as they are", () => {
    const name = "</script><script>alert(1)</script><!--";
    const answer = { streams: { total: 1, items: [{ __typename: "ValueStream", id: "vs-x", type: "ValueStream", name }] }, stats: { nodes: { ValueStream: 1 }, relationships: {} }, importRuns: [] };
    let script: { textContent: string; remove: () => void } | null = { textContent: JSON.stringify(answer).replace(/</g, "\\u003c"), remove: () => (script = null) };
    const doc = { getElementById: (id: string) => (id === "first-answer" ? script : null) } as unknown as Document;
    const read = embeddedAnswer(doc);
    expect(read?.streams.items[0]?.name).toBe(name);
    expect(embeddedAnswer(doc)).toBeNull(); // taken: a later visit asks afresh
    const o = firstOverview(read!, null, []);
    expect(o.map.streams.map((c) => c.stream.name)).toEqual([name]);
    expect(o.pending).toEqual(["map", "health", "bottlenecks"]);
  });
});

describe("loading the overview", () => {
  const first = { streams: { total: 1, items: [{ __typename: "ValueStream", id: "vs-a", type: "ValueStream", name: "A" }] }, stats: { nodes: { ValueStream: 1 }, relationships: {} }, importRuns: [] };
  const map = { streams: { total: 1, items: [{ __typename: "ValueStream", id: "vs-a", type: "ValueStream", name: "A", stages: [], requires: [], dependsOn: [], uses: [], supportedBy: [], ownedBy: [] }] } };
  const health = { healthReport: { score: 80, checks: [{ id: "c", title: "C", unit: "u", population: 2, offending: 1, score: 50, passed: false, findings: [{ element: { id: "vs-a", type: "ValueStream", name: "A" } }] }] } };
  const ranking = { bottlenecks: { bottlenecks: [{ rank: 1, element: { id: "t", type: "Team", name: "T" }, score: 9, streamCount: 1, proximity: 0, blastRadius: 0, crossStreamPairs: 0, betweenness: 0, explanation: "" }] } };

  it("asks the stream map beside health and the ranking, and asks again what was refused meanwhile", async () => {
    const asked: string[] = [];
    let mapAnswered = false;
    let refuse = true;
    const client = {
      request: async (doc: unknown) => {
        if (doc === OverviewFirstDocument) return first;
        if (doc === OverviewDocument) {
          asked.push("map");
          await new Promise((r) => setTimeout(r, 20));
          mapAnswered = true;
          return map;
        }
        if (doc === OverviewHealthDocument) {
          asked.push(mapAnswered ? "health after the map" : "health beside the map");
          if (refuse) {
            refuse = false;
            throw new Error("the server is answering as many expensive questions as it can");
          }
          return health;
        }
        asked.push(mapAnswered ? "bottlenecks after the map" : "bottlenecks beside the map");
        return ranking;
      },
    } as unknown as GraphQLClient;
    const questions = { time: () => ({}) } as unknown as Questions;
    const o = await loadOverview(client, questions);
    expect(asked).toEqual(["map", "health beside the map", "health after the map", "bottlenecks after the map"]);
    expect(o.pending).toEqual([]);
    expect(o.errors).toEqual([]);
    expect(o.health?.score).toBe(80);
    expect(o.worst.map((c) => c.id)).toEqual(["c"]);
    expect(o.bottlenecks.map((b) => b.element.id)).toEqual(["t"]);
    expect(o.map.streams.map((c) => c.stream.id)).toEqual(["vs-a"]);
  });
});

describe("the overview from the answers the page holds", () => {
  const first = { streams: { total: 1, items: [{ __typename: "ValueStream", id: "vs-a", type: "ValueStream", name: "A" }] }, stats: { nodes: { ValueStream: 1 }, relationships: {} }, importRuns: [] } as OverviewFirstQuery;
  const later = {
    Overview: { streams: { total: 1, items: [stream("vs-a", "A", { stages: [b("st-a-1", "Stage", "One")], uses: [b("plat-x", "Platform", "X")] })] } },
    OverviewHealth: { healthReport: { score: 80, checks: [{ id: "c", title: "C", unit: "u", population: 2, offending: 1, score: 50, passed: false, findings: [{ element: b("vs-a", "ValueStream", "A") }] }] } },
    OverviewBottlenecks: { bottlenecks: { bottlenecks: [{ rank: 1, element: b("plat-x", "Platform", "X"), score: 9, streamCount: 1, proximity: 0, blastRadius: 0, crossStreamPairs: 0, betweenness: 0, explanation: "" }] } },
  };

  it("is read from the page once", () => {
    let script: { textContent: string; remove: () => void } | null = { textContent: JSON.stringify(later), remove: () => (script = null) };
    const doc = { getElementById: (id: string) => (id === "overview-answers" ? script : null) } as unknown as Document;
    expect(embeddedLater(doc).Overview?.streams.total).toBe(1);
    expect(embeddedLater(doc)).toEqual({}); // taken: a later visit asks afresh
  });

  it("settles what the page holds, as the answers asked would have", () => {
    const o = withLater(firstOverview(first, null, []), later);
    expect(o.pending).toEqual([]);
    expect(o.map.streams[0]?.stages.map((e) => e.id)).toEqual(["st-a-1"]);
    expect(o.map.platforms.map((p) => p.element.id)).toEqual(["plat-x"]);
    expect(o.health?.score).toBe(80);
    expect(o.worst.map((c) => c.id)).toEqual(["c"]);
    expect(o.bottlenecks.map((x) => x.element.id)).toEqual(["plat-x"]);
    // Only the health report held: the map and the ranking stay pending (they are asked).
    expect(withLater(firstOverview(first, null, []), { OverviewHealth: later.OverviewHealth }).pending).toEqual(["map", "bottlenecks"]);
  });

  it("asks only what the page lacks, and nothing of the page's answers for another time", async () => {
    const asked: string[] = [];
    const client = {
      request: async (doc: unknown) => {
        if (doc === OverviewFirstDocument) return first;
        if (doc === OverviewDocument) return (asked.push("map"), later.Overview);
        if (doc === OverviewHealthDocument) return (asked.push("health"), later.OverviewHealth);
        return (asked.push("bottlenecks"), later.OverviewBottlenecks);
      },
    } as unknown as GraphQLClient;
    const page = (held: object) => {
      const scripts: Record<string, string> = { "first-answer": JSON.stringify(first), "overview-answers": JSON.stringify(held) };
      globalThis.document = { getElementById: (id: string) => (id in scripts ? { textContent: scripts[id], remove: () => delete scripts[id] } : null) } as unknown as Document;
    };
    const now = { time: () => ({}) } as unknown as Questions;
    const saved = globalThis.document;
    page({ Overview: later.Overview, OverviewHealth: later.OverviewHealth });
    prefetchOverview(client);
    expect(overviewAtHand(client)?.pending).toEqual(["map", "bottlenecks"]); // the cards a frame later, from the page
    const o = await loadOverview(client, now);
    expect(asked).toEqual(["bottlenecks"]);
    expect(o.pending).toEqual([]);
    asked.length = 0;
    page(later);
    prefetchOverview(client);
    await loadOverview(client, { time: () => ({ asOf: "2025-01-01" }) } as unknown as Questions);
    expect(asked).toEqual(["map", "health", "bottlenecks"]);
    globalThis.document = saved;
  });
});

