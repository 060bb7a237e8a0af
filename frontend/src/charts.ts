/**
 * What the explorer's trend charts draw, as plain data (pure, unit-tested): a time axis and
 * one or more series, built from the change history, the trends and the roadmap. The chart
 * itself is drawn by uPlot in `ui/chart.tsx`.
 */
import type { ChangeSetSummary } from "./history";

export interface Series {
  label: string;
  /** One value per x; null where there is none (a gap in the line). */
  values: (number | null)[];
  colour: string;
  /** A target or a plan: drawn dashed. */
  dashed?: boolean;
}

export interface TrendData {
  /** Times as Unix seconds, ascending. */
  x: number[];
  series: Series[];
  /** What the y axis counts ("changes", "score"). */
  unit: string;
  /** Fixed y range (a score out of 100); otherwise from the data. */
  yRange?: [number, number];
  /** Bars rather than lines (counts per period). */
  bars?: boolean;
}

const DAY = 86_400;

/** Unix seconds of an ISO time (NaN-safe: null when unreadable). */
export function seconds(iso: string): number | null {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : Math.floor(t / 1000);
}

/** The start of the UTC day holding `s`. */
export function dayOf(s: number): number {
  return s - (((s % DAY) + DAY) % DAY);
}

/**
 * Change activity per UTC day: elements and relationships changed, summed over the change
 * sets of that day; days without a change in between are zeros, so the bars keep their
 * spacing, and at least `minDays` days are drawn (a model changed on one day is still a
 * week's chart, not a lone bar on an axis of no width). Change sets that record nothing
 * of the model (a prune) are left out.
 */
export function activityPerDay(sets: readonly ChangeSetSummary[], minDays = 7): TrendData {
  const per = new Map<number, { elements: number; relationships: number }>();
  for (const s of sets) {
    if (s.action === "prune") continue;
    const t = seconds(s.at);
    if (t === null) continue;
    const d = dayOf(t);
    const e = s.elements;
    const r = s.relationships;
    const row = per.get(d) ?? { elements: 0, relationships: 0 };
    row.elements += e.created + e.updated + e.deleted;
    row.relationships += r.created + r.updated + r.deleted;
    per.set(d, row);
  }
  const days = [...per.keys()].sort((a, b) => a - b);
  const x: number[] = [];
  if (days.length) {
    const last = days[days.length - 1]!;
    for (let d = Math.min(days[0]!, last - (minDays - 1) * DAY); d <= last; d += DAY) x.push(d);
  }
  return {
    x,
    unit: "changes",
    bars: true,
    series: [
      { label: "Elements changed", colour: "#2563eb", values: x.map((d) => per.get(d)?.elements ?? 0) },
      { label: "Relationships changed", colour: "#f59e0b", values: x.map((d) => per.get(d)?.relationships ?? 0) },
    ],
  };
}

/** The sum of a series (what a chart's summary states). */
export function total(s: Series): number {
  return s.values.reduce<number>((a, v) => a + (v ?? 0), 0);
}
