/**
 * The explorer's point in time: now, the model as it was on a past date (`asOf`, the
 * transaction time the change history answers), or as planned for a date (`at`, the valid
 * time of the lifecycle dates). What the time control sets, what the URL keeps (`asof=`,
 * `at=`), and the arguments every question and element read sends for it (GraphQL `asOf` /
 * `at`, REST `as_of` / `at`). Pure; the one place the time contract is spelled.
 */

export type TimeKind = "now" | "past" | "planned";

export interface TimePoint {
  kind: TimeKind;
  /** YYYY-MM-DD (or an ISO time); null for now. */
  date: string | null;
}

/** The GraphQL arguments for a point in time (none for now). */
export interface TimeVariables {
  asOf?: string | null;
  at?: string | null;
}

/** The REST query parameters for a point in time. */
export interface TimeParams {
  as_of?: string;
  at?: string;
}

export const NOW: TimePoint = { kind: "now", date: null };

/** The point in time a view state names (`asOf` wins; the URL never holds both). */
export function timeOf(s: { asOf: string | null; at: string | null }): TimePoint {
  if (s.asOf) return { kind: "past", date: s.asOf };
  if (s.at) return { kind: "planned", date: s.at };
  return NOW;
}

/** Put a point in time into a view state. */
export function setTime(s: { asOf: string | null; at: string | null }, t: TimePoint): void {
  s.asOf = t.kind === "past" ? t.date : null;
  s.at = t.kind === "planned" ? t.date : null;
}

/**
 * A past date is sent as it is: the server reads YYYY-MM-DD as that day's midnight (UTC),
 * as the CLI's `--as-of` and REST's `as_of` do, so every surface gives the same answer
 * for the same date. A full ISO time (kept in the URL) is a moment within a day.
 */
export function asOfInstant(date: string): string {
  return date;
}

export function timeVariables(t: TimePoint): TimeVariables {
  if (t.kind === "past" && t.date) return { asOf: asOfInstant(t.date) };
  if (t.kind === "planned" && t.date) return { at: t.date };
  return {};
}

export function timeParams(t: TimePoint): TimeParams {
  if (t.kind === "past" && t.date) return { as_of: asOfInstant(t.date) };
  if (t.kind === "planned" && t.date) return { at: t.date };
  return {};
}

/** Today as YYYY-MM-DD (UTC), the boundary between past and planned. */
export function today(now: number = Date.now()): string {
  return new Date(now).toISOString().slice(0, 10);
}

/**
 * Whether a date fits its kind: a past date is not after today, a planned one not before
 * it; else the reason, as the control says it.
 */
export function checkTime(t: TimePoint, now: number = Date.now()): string | null {
  if (t.kind === "now") return null;
  if (!t.date || !/^\d{4}-\d{2}-\d{2}/.test(t.date) || Number.isNaN(Date.parse(t.date))) return "Choose a date.";
  const d = t.date.slice(0, 10);
  if (t.kind === "past" && d > today(now)) return "A past date cannot be after today: choose “as planned” for a future one.";
  if (t.kind === "planned" && d < today(now)) return "A planned date cannot be before today: choose “as it was” for a past one.";
  return null;
}

/** The point in time in words ("as it was on 1 Nov 2026", "as planned for 1 Mar 2027"). */
export function timeLabel(t: TimePoint): string {
  if (t.kind === "now" || !t.date) return "now";
  const day = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" }).format(Date.parse(t.date.slice(0, 10)));
  if (t.kind === "planned") return `as planned for ${day}`;
  if (t.date.length <= 10) return `as it was at the start of ${day} (UTC)`;
  const moment = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" }).format(Date.parse(t.date));
  return `as it was at ${moment} UTC`;
}

/**
 * What the server can answer in time (learnt from its SDL at build time: see
 * `SERVER_TIME` below). Until the `asOf`/`at` arguments are published, the control is
 * not offered, so no answer is ever labelled with a date it was not computed for.
 */
export interface TimeSupport {
  /** `asOf` on the questions and element reads. */
  past: boolean;
  /** `at` on the questions and element reads. */
  planned: boolean;
  /** `healthTrend` / `bottleneckTrend`. */
  trends: boolean;
  /** The `roadmap` query. */
  roadmap: boolean;
}

// All published (tests/data/snapshots/schema.graphql): asOf/at on the questions and
// `node`, healthTrend/bottleneckTrend, roadmap and the per-stream measures and investment.
export const SERVER_TIME: TimeSupport = { past: true, planned: true, trends: true, roadmap: true };
