/**
 * The change history as the explorer shows it (docs/history.md): an element's versions
 * with who, when, through what and each field before → after; the latest change sets and
 * what each changed. Typed documents from src/operations/history.graphql; the readers and
 * the time wording are pure (unit-tested).
 */
import type { GraphQLClient } from "./gql";
import { ChangeSetItemsDocument, ElementHistoryDocument, LatestChangesDocument, type ChangeSetFieldsFragment, type ElementHistoryQuery } from "./generated/graphql";

export interface Counts {
  created: number;
  updated: number;
  deleted: number;
}

/** One committed change set: who, when, through what, how much. */
export interface ChangeSetSummary {
  seq: number;
  at: string;
  actor: string;
  via: string;
  request: string;
  action: string;
  ref: string;
  source: string;
  changes: number;
  elements: Counts;
  relationships: Counts;
}

export interface FieldChange {
  field: string;
  before: string;
  after: string;
}

/** One version of an element or relationship: the change and the change set it came with. */
export interface VersionRow {
  seq: number;
  at: string;
  op: string;
  kind: string;
  set: ChangeSetSummary;
  /** Each field that moved, before → after ("" where it had no value). */
  fields: FieldChange[];
}

export interface Page<T> {
  total: number;
  limit: number;
  offset: number;
  items: T[];
}

/** What a change set changed, as the overview links it: an element, or a relationship's two ends. */
export interface Changed {
  kind: "element" | "relationship";
  id: string;
  type: string;
  op: string;
  /** An element's name; a relationship's ends. */
  name: string;
  source: string | null;
  target: string | null;
}

// State keys that say nothing a reader wants in a history (identity and volatile stamps).
const QUIET = new Set(["id", "type", "created_at", "updated_at", "import_run", "source", "target"]);

type State = Record<string, unknown>;

function asState(v: unknown): State | null {
  if (v && typeof v === "object" && !Array.isArray(v)) return v as State;
  if (typeof v === "string") {
    try {
      const parsed: unknown = JSON.parse(v);
      return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as State) : null;
    } catch {
      return null;
    }
  }
  return null;
}

/** A stored value as a reader sees it: lists joined, long text shortened, nothing as "". */
export function showValue(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (Array.isArray(v)) return v.map(showValue).join(", ");
  if (typeof v === "number") return Number.isInteger(v) ? v.toLocaleString("en-GB") : String(v);
  const s = typeof v === "object" ? JSON.stringify(v) : String(v);
  return s.length > 160 ? `${s.slice(0, 157)}…` : s;
}

const label = (k: string): string => k.replace(/_/g, " ");

/**
 * Field by field, what moved between two states. The free `properties` map is stored as
 * JSON text: its keys are compared one by one, so a reader sees "properties.tier: 1 → 2",
 * not two blobs. A creation lists what it was created with; a deletion what it had.
 */
export function fieldChanges(beforeRaw: unknown, afterRaw: unknown, fields: readonly string[]): FieldChange[] {
  const before = asState(beforeRaw) ?? {};
  const after = asState(afterRaw) ?? {};
  const keys = fields.length ? [...fields] : [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !QUIET.has(k)).sort();
  const out: FieldChange[] = [];
  for (const k of keys) {
    if (k === "properties") {
      const b = asState(before[k]) ?? {};
      const a = asState(after[k]) ?? {};
      for (const p of [...new Set([...Object.keys(b), ...Object.keys(a)])].sort()) {
        if (JSON.stringify(b[p]) !== JSON.stringify(a[p])) out.push({ field: `properties.${p}`, before: showValue(b[p]), after: showValue(a[p]) });
      }
      continue;
    }
    const bv = showValue(before[k]);
    const av = showValue(after[k]);
    if (bv !== av) out.push({ field: label(k), before: bv, after: av });
  }
  return out;
}

export function readChangeSet(s: ChangeSetFieldsFragment): ChangeSetSummary {
  return { ...s, elements: { ...s.elements }, relationships: { ...s.relationships } };
}

export function readVersions(page: ElementHistoryQuery["history"]): Page<VersionRow> {
  return {
    total: page.total,
    limit: page.limit,
    offset: page.offset,
    items: page.items.map((v) => ({
      seq: v.seq,
      at: v.at,
      op: v.op,
      kind: v.kind,
      set: readChangeSet(v.changeSet),
      fields: fieldChanges(v.before, v.after, v.fields),
    })),
  };
}

export function readChanged(items: { kind: string; id: string; type: string | null; op: string; before?: unknown; after?: unknown }[]): Changed[] {
  return items.map((c) => {
    const state = asState(c.after) ?? asState(c.before) ?? {};
    const rel = c.kind === "relationship";
    const str = (k: string): string | null => (typeof state[k] === "string" ? (state[k] as string) : null);
    return {
      kind: rel ? "relationship" : "element",
      id: c.id,
      type: c.type ?? str("type") ?? "",
      op: c.op,
      name: rel ? `${str("source") ?? "?"} → ${str("target") ?? "?"}` : (str("name") ?? c.id),
      source: rel ? str("source") : null,
      target: rel ? str("target") : null,
    };
  });
}

const ACTIONS: Record<string, string> = {
  edit: "edit",
  import: "import",
  scenario: "scenario applied",
  reset: "reset",
  baseline: "baseline (the model as it was when history began)",
  prune: "history pruned",
};
const CHANNELS: Record<string, string> = { rest: "REST API", graphql: "GraphQL API", cli: "command line", startup: "start-up" };

/** Through what a change set came, in words: "import demo:retail_bank · command line". */
export function throughWhat(s: Pick<ChangeSetSummary, "action" | "ref" | "source" | "via">): string {
  const what = ACTIONS[s.action] ?? s.action;
  const detail = s.action === "import" ? s.source || s.ref : s.ref;
  return [detail ? `${what} ${detail}` : what, CHANNELS[s.via] ?? s.via].filter(Boolean).join(" · ");
}

/** "3 created, 1 updated" over elements and relationships; "" when it changed nothing. */
export function countsText(c: Counts, noun: string): string {
  const parts = (["created", "updated", "deleted"] as const).filter((k) => c[k]).map((k) => `${c[k].toLocaleString("en-GB")} ${k}`);
  return parts.length ? `${noun}: ${parts.join(", ")}` : "";
}

const UNITS: [number, string][] = [
  [60, "second"],
  [3600, "minute"],
  [86400, "hour"],
  [7 * 86400, "day"],
];
const SIZE: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86400 };

/**
 * A time as a reader says it: relative when within a week ("5 minutes ago", "in 3 days"),
 * with the date and time in the reader's locale ("7 Dec 2026, 03:05"). `zone` is for tests.
 */
export function humanTime(iso: string, now: number = Date.now(), zone?: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const absolute = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: zone }).format(t);
  const diff = (now - t) / 1000;
  const d = Math.abs(diff);
  if (d < 45) return `just now (${absolute})`;
  const unit = UNITS.find(([limit]) => d < limit)?.[1];
  if (!unit) return absolute;
  const n = Math.max(1, Math.round(d / SIZE[unit]!));
  const word = `${n} ${unit}${n === 1 ? "" : "s"}`;
  return `${diff < 0 ? `in ${word}` : `${word} ago`} (${absolute})`;
}

/** The history's reads. */
export class History {
  constructor(private readonly client: GraphQLClient) {}

  async versions(id: string, limit = 10, offset = 0): Promise<Page<VersionRow>> {
    const data = await this.client.request(ElementHistoryDocument, { id, limit, offset });
    return readVersions(data.history);
  }

  async latest(limit = 8, offset = 0, since?: string): Promise<Page<ChangeSetSummary>> {
    const data = await this.client.request(LatestChangesDocument, { limit, offset, since: since ?? null });
    return { ...data.changes, items: data.changes.items.map(readChangeSet) };
  }

  /** The first `limit` things one change set changed, and how many in all. */
  async changed(seq: number, limit = 6): Promise<{ total: number; items: Changed[] }> {
    const data = await this.client.request(ChangeSetItemsDocument, { seq, limit });
    return { total: data.changeSet.total, items: readChanged(data.changeSet.items) };
  }
}

/** Consecutive change sets of one kind (same who, channel, action, reference and source). */
export interface ChangeRun {
  /** The newest of the run (what the list shows first). */
  newest: ChangeSetSummary;
  sets: ChangeSetSummary[];
  elements: Counts;
  relationships: Counts;
}

const sum = (a: Counts, b: Counts): Counts => ({ created: a.created + b.created, updated: a.updated + b.updated, deleted: a.deleted + b.deleted });

/**
 * Change sets (newest first) folded into runs: ten edits in a row by the same token read
 * as one line "×10" with their counts summed, rather than ten identical lines that push
 * everything else out of the list.
 */
export function changeRuns(sets: readonly ChangeSetSummary[]): ChangeRun[] {
  const key = (s: ChangeSetSummary): string => [s.actor, s.via, s.action, s.ref, s.source].join("\u0000");
  const runs: ChangeRun[] = [];
  for (const s of sets) {
    const last = runs[runs.length - 1];
    // A prune or a reset is always its own line: each is an event worth seeing alone.
    if (last && key(last.newest) === key(s) && s.action !== "prune" && s.action !== "reset") {
      last.sets.push(s);
      last.elements = sum(last.elements, s.elements);
      last.relationships = sum(last.relationships, s.relationships);
    } else runs.push({ newest: s, sets: [s], elements: { ...s.elements }, relationships: { ...s.relationships } });
  }
  return runs;
}
