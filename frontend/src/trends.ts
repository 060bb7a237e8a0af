/**
 * Trends and the roadmap as the explorer draws them: health and the bottleneck ranking over
 * a series of dates, a stream's measures against their targets and its funding over time,
 * and the roadmap's plateaus step by step. The shapes here are the explorer's own; the
 * server's answers are read into them (`TimeReads`), and `charts.ts`-style series are built
 * from them (pure, unit-tested).
 */
import type { Series, TrendData } from "./charts";
import { seconds } from "./charts";
import type { ElementBrief } from "./types";

export interface HealthPoint {
  at: string;
  /** After now: the model as planned on that day by lifecycle dates, not a recorded one. */
  planned?: boolean;
  score: number | null;
  /** Each check's score at that date (by check id). */
  checks: { id: string; title: string; score: number | null }[];
}

export interface RankedAt {
  element: ElementBrief;
  rank: number;
  score: number;
}

export interface BottleneckPoint {
  at: string;
  /** As `HealthPoint.planned`. */
  planned?: boolean;
  top: RankedAt[];
}

export interface MeasureTrend {
  measure: ElementBrief;
  unit: string;
  /** The target now. */
  target: number | null;
  /** Each value with the target in force when it was recorded (null: none then). */
  points: { at: string; value: number; target?: number | null }[];
  /** IMPROVING, WORSENING, STEADY or UNKNOWN (by the measure's direction). */
  trend: string;
  onTarget: boolean | null;
}

export interface FundingTrend {
  line: ElementBrief;
  points: { at: string; amount: number }[];
}

/** A stream's investment-to-outcome view: its funding lines beside its measures. */
export interface StreamTrends {
  measures: MeasureTrend[];
  funding: FundingTrend[];
  /** The stream's total funding from each day something changed (amounts added as given). */
  total: { at: string; amount: number }[];
  currencies: string[];
}

/** One dated step of the roadmap and its answers. */
export interface Plateau {
  /** 0: today's model. */
  index: number;
  name: string;
  date: string;
  /** Due before today, yet not applied. */
  overdue: boolean;
  /** Scenarios left out of the step: they no longer apply. */
  problems: string[];
  /** Streams an impact question reaches at that step (the roadmap's own impact measure). */
  impacted: number | null;
  health: number | null;
  findings: number | null;
  bottlenecks: RankedAt[];
}

/** What the explorer reads of time beyond the point-in-time arguments (built on `asof`/`roadmap`). */
export interface TimeReads {
  /** `until`: the last date at most (null: today); dates after now are planned. */
  healthTrend(every: "day" | "week" | "month", since: string, until?: string | null): Promise<HealthPoint[]>;
  bottleneckTrend(every: "day" | "week" | "month", since: string, top: number, until?: string | null): Promise<BottleneckPoint[]>;
  streamTrends(streamId: string): Promise<StreamTrends>;
  /** The plateaus, with the impact of `element` on each when one is given. */
  roadmap(element: string | null): Promise<Plateau[]>;
}

const PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#f59e0b", "#0891b2", "#db2777", "#65a30d"];

/** Points on a shared time axis: one x per distinct date, each series null where it has no value. */
function align(rows: { label: string; colour: string; dashed?: boolean; points: { t: number; v: number | null }[] }[]): { x: number[]; series: Series[] } {
  const x = [...new Set(rows.flatMap((r) => r.points.map((p) => p.t)))].sort((a, b) => a - b);
  const at = new Map(x.map((t, i) => [t, i]));
  return {
    x,
    series: rows.map((r) => {
      const values: (number | null)[] = x.map(() => null);
      for (const p of r.points) values[at.get(p.t)!] = p.v;
      return { label: r.label, colour: r.colour, dashed: r.dashed, values };
    }),
  };
}

const pts = <T>(items: T[], at: (x: T) => string, v: (x: T) => number | null) =>
  items.flatMap((p) => {
    const t = seconds(at(p));
    return t === null ? [] : [{ t, v: v(p) }];
  });

/** The health score over time, with the `checks` named (at most a few) beside it. */
export function healthTrendChart(points: HealthPoint[], checks: string[] = []): TrendData {
  const recorded = points.filter((p) => !p.planned);
  const planned = recorded.length < points.length;
  const rows: { label: string; colour: string; dashed?: boolean; points: { t: number; v: number | null }[] }[] = [];
  if (recorded.length || !planned) rows.push({ label: "Health score", colour: PALETTE[0]!, points: pts(recorded, (p) => p.at, (p) => p.score) });
  if (planned) {
    // The plan dashed, from the last recorded date on, so the two lines meet.
    const plan = [...recorded.slice(-1), ...points.filter((p) => p.planned)];
    rows.push({ label: "Health score (planned)", colour: PALETTE[0]!, dashed: true, points: pts(plan, (p) => p.at, (p) => p.score) });
  }
  checks.forEach((id, i) => {
    const title = points.flatMap((p) => p.checks).find((c) => c.id === id)?.title ?? id;
    rows.push({ label: title, colour: PALETTE[(i + 1) % PALETTE.length]!, points: pts(points, (p) => p.at, (p) => p.checks.find((c) => c.id === id)?.score ?? null) });
  });
  return { ...align(rows), unit: "score", yRange: [0, 100] };
}

/** The bottleneck scores over time of the elements ranked in the top at the last date. */
export function bottleneckTrendChart(points: BottleneckPoint[], top = 5): TrendData {
  const last = points[points.length - 1];
  const who = (last?.top ?? []).slice(0, top).map((r) => r.element);
  const rows = who.map((e, i) => ({
    label: e.name,
    colour: PALETTE[i % PALETTE.length]!,
    points: pts(points, (p) => p.at, (p) => p.top.find((r) => r.element.id === e.id)?.score ?? null),
  }));
  return { ...align(rows), unit: "bottleneck score" };
}

/** One measure's values over time, its target dashed (the target in force at each value, else today's). */
export function measureChart(m: MeasureTrend): TrendData {
  const dated = m.points.some((p) => p.target !== undefined && p.target !== null);
  const rows = [{ label: m.measure.name, colour: PALETTE[0]!, points: pts(m.points, (p) => p.at, (p) => p.value) }];
  if (dated) rows.push({ label: "Target", colour: "#6b7280", dashed: true, points: pts(m.points, (p) => p.at, (p) => p.target ?? null) } as (typeof rows)[number]);
  const chart = align(rows);
  if (!dated && m.target !== null && chart.x.length) chart.series.push({ label: "Target", colour: "#6b7280", dashed: true, values: chart.x.map(() => m.target) });
  return { ...chart, unit: m.unit || "value" };
}

/** The stream's funding over time: its total, and each line. */
export function fundingChart(f: FundingTrend[], total: { at: string; amount: number }[] = []): TrendData {
  const rows = total.length ? [{ label: "Total", colour: "#111827", points: pts(total, (p) => p.at, (p) => p.amount) }] : [];
  f.forEach((l, i) => rows.push({ label: l.line.name, colour: PALETTE[i % PALETTE.length]!, points: pts(l.points, (p) => p.at, (p) => p.amount) }));
  return { ...align(rows), unit: "funding" };
}

/** The roadmap's steps: health and the streams an impact reaches, step by step. */
export function roadmapChart(plateaus: Plateau[]): TrendData {
  return {
    ...align([
      { label: "Health score", colour: PALETTE[0]!, points: pts(plateaus, (p) => p.date, (p) => p.health) },
      { label: "Health findings", colour: PALETTE[1]!, points: pts(plateaus, (p) => p.date, (p) => p.findings) },
    ]),
    unit: "score / findings",
  };
}

/** How a bottleneck's rank moved from one plateau to the next (negative: it climbed). */
export function rankMoves(prev: Plateau | undefined, next: Plateau): Map<string, number | null> {
  const before = new Map((prev?.bottlenecks ?? []).map((r) => [r.element.id, r.rank]));
  return new Map(next.bottlenecks.map((r) => [r.element.id, before.has(r.element.id) ? r.rank - before.get(r.element.id)! : null]));
}
