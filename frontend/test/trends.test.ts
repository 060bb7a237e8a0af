import { describe, expect, it } from "vitest";
import { readRoadmap, readStreamInvestment } from "../src/timereads";
import { bottleneckTrendChart, fundingChart, healthTrendChart, measureChart, rankMoves, roadmapChart, type Plateau } from "../src/trends";

const e = (id: string, name = id) => ({ id, type: "Platform", name });
const day = (d: string) => Date.parse(`${d}T00:00:00Z`) / 1000;

describe("trend charts from the server's series", () => {
  it("draws the health score out of 100 with the checks named, gaps where a date has none", () => {
    const c = healthTrendChart(
      [
        { at: "2026-10-01T00:00:00Z", score: 70, checks: [{ id: "spof", title: "Single points of failure", score: 40 }] },
        { at: "2026-11-01T00:00:00Z", score: 75.5, checks: [] },
      ],
      ["spof"],
    );
    expect(c.x).toEqual([day("2026-10-01"), day("2026-11-01")]);
    expect(c.yRange).toEqual([0, 100]);
    expect(c.series.map((s) => [s.label, s.values])).toEqual([
      ["Health score", [70, 75.5]],
      ["Single points of failure", [40, null]],
    ]);
  });

  it("draws the planned dates (after now) as a dashed line of their own, joined to the last recorded one", () => {
    const c = healthTrendChart([
      { at: "2026-11-01", score: 70, checks: [] },
      { at: "2026-12-01", score: 72, checks: [] },
      { at: "2027-01-01", planned: true, score: 80, checks: [] },
      { at: "2027-02-01", planned: true, score: 60, checks: [] },
    ]);
    expect(c.x).toEqual([day("2026-11-01"), day("2026-12-01"), day("2027-01-01"), day("2027-02-01")]);
    expect(c.series.map((s) => [s.label, s.dashed ?? false, s.values])).toEqual([
      ["Health score", false, [70, 72, null, null]],
      ["Health score (planned)", true, [null, 72, 80, 60]],
    ]);
    // Only planned dates: the plan alone.
    const plan = healthTrendChart([{ at: "2027-01-01", planned: true, score: 80, checks: [] }]);
    expect(plan.series.map((s) => [s.label, s.values])).toEqual([["Health score (planned)", [80]]]);
  });

  it("follows today's top bottlenecks back in time", () => {
    const c = bottleneckTrendChart([
      { at: "2026-10-01", top: [{ element: e("gw", "Gateway"), rank: 1, score: 9 }] },
      { at: "2026-11-01", top: [{ element: e("idp", "Identity"), rank: 1, score: 12 }, { element: e("gw", "Gateway"), rank: 2, score: 8 }] },
    ]);
    expect(c.series.map((s) => [s.label, s.values])).toEqual([
      ["Identity", [null, 12]],
      ["Gateway", [9, 8]],
    ]);
  });

  it("puts a measure's target beside its values, dashed, and funding lines on one axis", () => {
    const m = measureChart({ measure: e("m-nps", "NPS"), unit: "points", target: 40, trend: "IMPROVING", onTarget: false, points: [{ at: "2026-01-01", value: 20 }, { at: "2026-06-01", value: 31 }] });
    expect(m.series[1]).toMatchObject({ label: "Target", dashed: true, values: [40, 40] });
    expect(m.unit).toBe("points");
    const f = fundingChart([{ line: e("inv-a", "Run"), points: [{ at: "2026-01-01", amount: 100 }] }, { line: e("inv-b", "Change"), points: [{ at: "2026-02-01", amount: 50 }] }]);
    expect(f.series.map((s) => s.values)).toEqual([
      [100, null],
      [null, 50],
    ]);
  });

  it("compares the roadmap's steps: health and findings per date, bottleneck ranks moved", () => {
    const p = (date: string, health: number, ranks: [string, number][]): Plateau => ({ index: 0, overdue: false, problems: [], name: date, date, impacted: 7, health, findings: 10 - ranks.length, bottlenecks: ranks.map(([id, rank]) => ({ element: e(id), rank, score: 10 - rank })) });
    const steps = [p("2027-01-01", 70, [["gw", 1], ["idp", 2]]), p("2027-06-01", 80, [["idp", 1], ["new", 2]])];
    expect(roadmapChart(steps).series[0]!.values).toEqual([70, 80]);
    expect([...rankMoves(steps[0], steps[1]!)]).toEqual([
      ["idp", -1],
      ["new", null],
    ]);
  });
});

describe("the server's roadmap and stream investment, read", () => {
  const ref = (id: string) => ({ id, type: "Platform", name: id });
  it("names today's step and the scenarios of each later one, sums the findings", () => {
    const steps = readRoadmap({
      today: "2026-12-07",
      element: ref("gw"),
      steps: [
        { index: 0, date: "2026-12-07", overdue: false, scenarios: [], problems: [], healthScore: 76, impact: { inModel: true, streamCount: 7, affectedCount: 30 }, bottlenecks: [{ rank: 1, score: 70, element: ref("gw") }], healthChecks: [{ id: "a", title: "A", score: 50, offending: 3 }, { id: "b", title: "B", score: null, offending: 2 }] },
        { index: 1, date: "2027-03-01", overdue: false, scenarios: ["retire-gw"], problems: [], healthScore: 80, impact: { inModel: false, streamCount: 0, affectedCount: 0 }, bottlenecks: [], healthChecks: [] },
      ],
    });
    expect(steps.map((s) => [s.name, s.impacted, s.findings])).toEqual([
      ["Today", 7, 5],
      ["retire-gw", 0, 0],
    ]);
  });
  it("keeps a measure's targets by date and a funding line's amounts", () => {
    const t = readStreamInvestment({
      stream: ref("vs"),
      currencies: ["GBP"],
      funding: [{ date: "2026-01-01", total: 100, lines: 1 }],
      lines: [{ investment: ref("inv"), start: "2026-01-01", end: null, amount: 100, currency: "GBP", amounts: [] }],
      measures: [{ measure: ref("m"), unit: "%", direction: "higher-is-better", target: 90, current: 80, trend: "IMPROVING", gapToTarget: 10, onTarget: false, points: [{ date: "2026-01-01", value: 80, target: 85 }] }],
    });
    expect(t.funding[0]!.points).toEqual([{ at: "2026-01-01", amount: 100 }]);
    expect(t.measures[0]!.points).toEqual([{ at: "2026-01-01", value: 80, target: 85 }]);
    expect(measureChart(t.measures[0]!).series.map((s) => s.values)).toEqual([[80], [85]]);
  });
});
