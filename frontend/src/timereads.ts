/**
 * `TimeReads` over the server: the roadmap and a stream's investment and measures
 * (`src/operations/trends.graphql`), read into the shapes of `src/trends.ts`, and health
 * and the bottleneck ranking at each date of a series (`healthTrend`, `bottleneckTrend`).
 */
import type { GraphQLClient } from "./gql";
import { BottleneckTrendDocument, HealthTrendDocument, RoadmapDocument, StreamInvestmentDocument, type RoadmapQuery, type StreamInvestmentQuery } from "./generated/graphql";
import type { BottleneckPoint, HealthPoint, Plateau, StreamTrends, TimeReads } from "./trends";

export function readRoadmap(r: RoadmapQuery["roadmap"]): Plateau[] {
  return r.steps.map((s) => ({
    index: s.index,
    name: s.index === 0 ? "Today" : s.scenarios.join(", ") || `Step ${s.index}`,
    date: s.date,
    overdue: s.overdue,
    problems: s.problems,
    impacted: s.impact ? s.impact.streamCount : null,
    health: s.healthScore,
    findings: s.healthChecks.reduce((n, c) => n + c.offending, 0),
    bottlenecks: s.bottlenecks.map((b) => ({ element: b.element, rank: b.rank, score: b.score })),
  }));
}

export function readStreamInvestment(r: StreamInvestmentQuery["streamInvestment"]): StreamTrends {
  return {
    currencies: r.currencies,
    total: r.funding.map((p) => ({ at: p.date, amount: p.total })),
    funding: r.lines.map((l) => ({
      line: l.investment,
      // A line without recorded amounts still shows the amount it holds from its start.
      points: l.amounts.filter((a) => a.amount !== null).map((a) => ({ at: a.date, amount: a.amount! })).concat(l.amounts.length || l.amount === null ? [] : [{ at: l.start, amount: l.amount }]),
    })),
    measures: r.measures.map((m) => ({
      measure: m.measure,
      unit: m.unit ?? "",
      target: m.target,
      trend: m.trend,
      onTarget: m.onTarget,
      points: m.points.map((p) => ({ at: p.date, value: p.value, target: p.target })),
    })),
  };
}

type Every = "day" | "week" | "month";
const EVERY = { day: "DAY", week: "WEEK", month: "MONTH" } as const;

export class ServerTimeReads implements TimeReads {
  constructor(private readonly client: GraphQLClient) {}

  async healthTrend(every: Every, since: string, until: string | null = null): Promise<HealthPoint[]> {
    const data = await this.client.request(HealthTrendDocument, { since, until, every: EVERY[every] });
    return data.healthTrend.points.map((p) => ({ at: String(p.day), planned: p.planned, score: p.score, checks: p.checks.map((c) => ({ id: c.id, title: c.title, score: c.score })) }));
  }

  async bottleneckTrend(every: Every, since: string, top: number, until: string | null = null): Promise<BottleneckPoint[]> {
    const data = await this.client.request(BottleneckTrendDocument, { since, until, every: EVERY[every], limit: top });
    return data.bottleneckTrend.points.map((p) => ({ at: String(p.day), planned: p.planned, top: p.ranking.map((r) => ({ element: r.element, rank: r.rank, score: r.score })) }));
  }

  async streamTrends(streamId: string): Promise<StreamTrends> {
    return readStreamInvestment((await this.client.request(StreamInvestmentDocument, { stream: streamId })).streamInvestment);
  }

  async roadmap(element: string | null, limit = 5): Promise<Plateau[]> {
    return readRoadmap((await this.client.request(RoadmapDocument, { element, limit })).roadmap);
  }
}
