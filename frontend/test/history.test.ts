import { describe, expect, it } from "vitest";
import { activityPerDay, total } from "../src/charts";
import { NOW, checkTime, setTime, timeLabel, timeOf, timeParams, timeVariables } from "../src/time";
import { decodeState, defaultState, encodeState } from "../src/urlstate";
import { changeRuns, countsText, fieldChanges, humanTime, readChanged, readVersions, throughWhat, type ChangeSetSummary } from "../src/history";

const set = (over: Partial<ChangeSetSummary> = {}): ChangeSetSummary => ({
  seq: 7,
  at: "2026-12-07T03:00:00+00:00",
  actor: "alice",
  via: "rest",
  request: "PATCH /api/nodes/plat-x",
  action: "edit",
  ref: "",
  source: "",
  changes: 1,
  elements: { created: 0, updated: 1, deleted: 0 },
  relationships: { created: 0, updated: 0, deleted: 0 },
  ...over,
});

describe("the history's field changes", () => {
  it("lists an update's fields before → after, the free properties key by key", () => {
    const before = { id: "p", type: "Platform", name: "Gateway", tags: ["a"], properties: '{"tier": 1, "zone": "eu"}', updated_at: "x" };
    const after = { id: "p", type: "Platform", name: "API Gateway", tags: ["a", "b"], properties: '{"tier": 2, "zone": "eu"}', updated_at: "y" };
    expect(fieldChanges(before, after, ["name", "properties", "tags"])).toEqual([
      { field: "name", before: "Gateway", after: "API Gateway" },
      { field: "properties.tier", before: "1", after: "2" },
      { field: "tags", before: "a", after: "a, b" },
    ]);
  });

  it("lists what a creation set, leaving out identity and timestamps; states may come as JSON text", () => {
    const after = JSON.stringify({ id: "p", type: "Platform", name: "Hub", lifecycle_status: "active", created_at: "t", description: "" });
    expect(fieldChanges(null, after, [])).toEqual([
      { field: "lifecycle status", before: "", after: "active" },
      { field: "name", before: "", after: "Hub" },
    ]);
  });

  it("reads a page of versions with their change set", () => {
    const page = readVersions({
      total: 2,
      limit: 10,
      offset: 0,
      items: [
        { seq: 9, at: "2026-12-07T03:00:00+00:00", kind: "element", id: "p", type: "Platform", op: "updated", fields: ["name"], before: { name: "A" }, after: { name: "B" }, changeSet: set({ seq: 9 }) },
      ],
    });
    expect(page.items[0]!.fields).toEqual([{ field: "name", before: "A", after: "B" }]);
    expect(page.items[0]!.set.actor).toBe("alice");
  });
});

describe("change sets in words", () => {
  it("says through what", () => {
    expect(throughWhat(set())).toBe("edit · REST API");
    expect(throughWhat(set({ action: "import", source: "demo:retail_bank", ref: "run-1", via: "cli" }))).toBe("import demo:retail_bank · command line");
    expect(throughWhat(set({ action: "scenario", ref: "adopt", via: "graphql" }))).toBe("scenario applied adopt · GraphQL API");
  });

  it("counts only what happened", () => {
    expect(countsText({ created: 3, updated: 0, deleted: 1 }, "elements")).toBe("elements: 3 created, 1 deleted");
    expect(countsText({ created: 0, updated: 0, deleted: 0 }, "relationships")).toBe("");
  });

  it("links what a change set changed: elements by name, relationships by their ends", () => {
    expect(
      readChanged([
        { kind: "element", id: "p", type: "Platform", op: "updated", before: { name: "A" }, after: { name: "B" } },
        { kind: "relationship", id: "r1", type: "OWNS", op: "created", before: null, after: { source: "t", target: "p", type: "OWNS" } },
        { kind: "element", id: "q", type: null, op: "deleted", before: { name: "Q", type: "Team" }, after: null },
      ]),
    ).toEqual([
      { kind: "element", id: "p", type: "Platform", op: "updated", name: "B", source: null, target: null },
      { kind: "relationship", id: "r1", type: "OWNS", op: "created", name: "t → p", source: "t", target: "p" },
      { kind: "element", id: "q", type: "Team", op: "deleted", name: "Q", source: null, target: null },
    ]);
  });
});

describe("times in words", () => {
  const now = Date.parse("2026-12-07T12:00:00Z");
  it("is relative within a week, with the date and time", () => {
    expect(humanTime("2026-12-07T11:59:50Z", now, "UTC")).toBe("just now (7 Dec 2026, 11:59)");
    expect(humanTime("2026-12-07T11:55:00+00:00", now, "UTC")).toBe("5 minutes ago (7 Dec 2026, 11:55)");
    expect(humanTime("2026-12-06T12:00:00Z", now, "UTC")).toBe("1 day ago (6 Dec 2026, 12:00)");
    expect(humanTime("2026-12-10T12:00:00Z", now, "UTC")).toBe("in 3 days (10 Dec 2026, 12:00)");
  });
  it("is the date alone beyond a week, and leaves what it cannot read", () => {
    expect(humanTime("2026-01-02T08:30:00Z", now, "UTC")).toBe("2 Jan 2026, 08:30");
    expect(humanTime("not a time", now)).toBe("not a time");
  });
});

describe("change activity per day", () => {
  it("sums elements and relationships per UTC day, zeros between, prunes aside", () => {
    const a = activityPerDay([
      set({ at: "2026-12-07T03:00:00Z", elements: { created: 2, updated: 1, deleted: 0 }, relationships: { created: 4, updated: 0, deleted: 0 } }),
      set({ at: "2026-12-07T09:00:00Z" }),
      set({ at: "2026-12-05T23:59:00Z", elements: { created: 0, updated: 0, deleted: 3 } }),
      set({ at: "2026-12-06T10:00:00Z", action: "prune" }),
    ], 1);
    expect(a.x.map((s) => new Date(s * 1000).toISOString().slice(0, 10))).toEqual(["2026-12-05", "2026-12-06", "2026-12-07"]);
    expect(a.series[0]!.values).toEqual([3, 0, 4]);
    expect(a.series[1]!.values).toEqual([0, 0, 4]);
    expect(total(a.series[0]!)).toBe(7);
  });
  it("draws at least a week, ending on the last day changed", () => {
    const a = activityPerDay([set({ at: "2026-12-07T03:00:00Z" })]);
    expect(a.x.length).toBe(7);
    expect(new Date(a.x[0]! * 1000).toISOString().slice(0, 10)).toBe("2026-12-01");
    expect(a.series[0]!.values).toEqual([0, 0, 0, 0, 0, 0, 1]);
  });
});

describe("the point in time", () => {
  const now = Date.parse("2026-12-07T12:00:00Z");
  it("is kept in the URL as asof= or at=, never both, and bad dates are dropped", () => {
    const s = defaultState();
    setTime(s, { kind: "past", date: "2026-11-01" });
    expect(encodeState(s)).toBe("asof=2026-11-01");
    expect(timeOf(decodeState("?asof=2026-11-01&at=2027-01-01"))).toEqual({ kind: "past", date: "2026-11-01" });
    setTime(s, { kind: "planned", date: "2027-03-01" });
    expect(encodeState(s)).toBe("at=2027-03-01");
    expect(timeOf(decodeState("?at=2027-03-01"))).toEqual({ kind: "planned", date: "2027-03-01" });
    expect(timeOf(decodeState("?asof=last-year"))).toEqual(NOW);
    setTime(s, NOW);
    expect(encodeState(s)).toBe("");
  });
  it("sends asOf and at as the day given (its midnight UTC, as the CLI), nothing for now", () => {
    expect(timeVariables({ kind: "past", date: "2026-11-01" })).toEqual({ asOf: "2026-11-01" });
    expect(timeParams({ kind: "planned", date: "2027-03-01" })).toEqual({ at: "2027-03-01" });
    expect(timeVariables(NOW)).toEqual({});
  });
  it("refuses a past date after today and a planned one before it", () => {
    expect(checkTime({ kind: "past", date: "2026-12-08" }, now)).toMatch(/cannot be after today/);
    expect(checkTime({ kind: "planned", date: "2026-12-06" }, now)).toMatch(/cannot be before today/);
    expect(checkTime({ kind: "past", date: "2026-12-07" }, now)).toBeNull();
    expect(timeLabel({ kind: "planned", date: "2027-03-01" })).toBe("as planned for 1 Mar 2027");
  });
});

describe("runs of change sets", () => {
  it("folds consecutive change sets of one kind, summing their counts", () => {
    const runs = changeRuns([
      set({ seq: 5 }),
      set({ seq: 4 }),
      set({ seq: 3, actor: "bob" }),
      set({ seq: 2, action: "reset", ref: "r" }),
      set({ seq: 1, action: "reset", ref: "r" }),
    ]);
    expect(runs.map((r) => [r.newest.seq, r.sets.length, r.elements.updated])).toEqual([
      [5, 2, 2],
      [3, 1, 1],
      [2, 1, 1],
      [1, 1, 1],
    ]);
  });
});
