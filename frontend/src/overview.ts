/**
 * The landing overview's data: the value streams with their stages and what they rest on
 * (capabilities, platforms, teams), the stream-to-stream dependencies, key counts, the
 * health score with its worst findings, the top bottlenecks and the latest imports. A cheap
 * `OverviewFirst` answer (embedded in the page by the server when it may, else asked while
 * the explorer starts: `prefetchOverview`), then the `Overview` stream map and, beside it,
 * what it shows of the health report and the bottleneck ranking (`OverviewHealth`,
 * `OverviewBottlenecks`: the questions' answers without what only their own pages show).
 * The server keeps these answers per model revision and embeds those it has kept beside the
 * first (`embeddedLater`): a bare address on a warm server draws the whole overview without
 * a request. Everything but `loadOverview`, `prefetchOverview`, `overviewAtHand` and the
 * `embedded…` readers is pure and unit-tested. */
import {
  MostDependedOnDocument,
  OverviewBottlenecksDocument,
  OverviewDocument,
  OverviewFirstDocument,
  OverviewHealthDocument,
  type MostDependedOnQuery,
  type OverviewBottlenecksQuery,
  type OverviewFirstQuery,
  type OverviewHealthQuery,
  type OverviewQuery,
} from "./generated/graphql";
import type { GraphQLClient } from "./gql";
import { readBottlenecks, type BottleneckItem, type HealthCheck, type HealthReport, type Questions } from "./questions";
import type { ElementBrief, Stats } from "./types";

export interface StreamCard {
  stream: ElementBrief;
  stages: ElementBrief[];
  capabilities: ElementBrief[];
  platforms: ElementBrief[];
  teams: ElementBrief[];
  /** Streams this one depends on. */
  dependsOn: ElementBrief[];
}

/** Something streams rest on, with the streams resting on it (most shared first). */
export interface Shared {
  element: ElementBrief;
  streams: ElementBrief[];
}

export interface StreamMap {
  total: number;
  streams: StreamCard[];
  /** Stream → stream dependencies, each once. */
  links: { source: string; target: string }[];
  capabilities: Shared[];
  platforms: Shared[];
  teams: Shared[];
}

export interface ImportRunBrief {
  id: string;
  source: string;
  format: string;
  startedAt: string;
  /** Elements and relationships the run wrote, where it says. */
  written: number | null;
}

/** An element others need directly, with who answers for it (a model without streams). */
export interface DependedOn {
  element: ElementBrief;
  /** Distinct elements needing it directly (REQUIRES, USES, DEPENDS_ON, READS). */
  dependents: number;
  owners: ElementBrief[];
  accountable: ElementBrief[];
}

export interface DependedOnList {
  /** Elements something needs directly, in all (the list is the top of them). */
  total: number;
  items: DependedOn[];
}

/** How many of the most depended-on elements the overview lists. */
export const DEPENDED_ON_SHOWN = 15;

export interface Overview {
  map: StreamMap;
  /** The model in one sentence (counts of its main types and of everything), drawn first. */
  summary: string;
  /** Only for a model without value streams (null otherwise, or when it could not be read). */
  dependedOn: DependedOnList | null;
  counts: { label: string; count: number }[];
  health: HealthReport | null;
  worst: HealthCheck[];
  bottlenecks: BottleneckItem[];
  imports: ImportRunBrief[];
  /** Questions that could not be answered (the rest is shown). */
  errors: string[];
  /** Questions still being answered: what is known is drawn first (on a large model health
   * and bottlenecks take seconds each, the streams and counts a fraction of one). */
  pending: ("map" | "health" | "bottlenecks")[];
}

type StreamItem = OverviewQuery["streams"]["items"][number];

const brief = (e: ElementBrief): ElementBrief => ({ id: e.id, type: e.type, name: e.name });
const byName = (a: ElementBrief, b: ElementBrief): number => a.name.localeCompare(b.name) || a.id.localeCompare(b.id);

function unique(xs: ElementBrief[]): ElementBrief[] {
  const seen = new Map<string, ElementBrief>();
  for (const x of xs) if (!seen.has(x.id)) seen.set(x.id, brief(x));
  return [...seen.values()].sort(byName);
}

function shared(cards: StreamCard[], pick: (c: StreamCard) => ElementBrief[]): Shared[] {
  const by = new Map<string, Shared>();
  for (const c of cards) {
    for (const e of pick(c)) {
      const s = by.get(e.id) ?? { element: e, streams: [] };
      s.streams.push(c.stream);
      by.set(e.id, s);
    }
  }
  return [...by.values()].sort((a, b) => b.streams.length - a.streams.length || byName(a.element, b.element));
}

/** The streams' answer as cards and the layers beneath them. */
export function readStreamMap(v: OverviewQuery["streams"]): StreamMap {
  const list = (x: StreamItem, k: "stages" | "requires" | "dependsOn" | "uses" | "supportedBy" | "ownedBy"): ElementBrief[] => (x.__typename === "ValueStream" ? x[k] : []);
  const streams: StreamCard[] = v.items.map((x) => {
    const rests = [...list(x, "dependsOn"), ...list(x, "uses")];
    return {
      stream: brief(x),
      // Stage ids carry their order ("st-mortgage-1-discover"): numeric-aware, they read in sequence.
      stages: unique(list(x, "stages")).sort((a, b) => a.id.localeCompare(b.id, "en", { numeric: true })),
      capabilities: unique(list(x, "requires")),
      platforms: unique(rests.filter((e) => e.type === "Platform")),
      teams: unique([...list(x, "supportedBy"), ...list(x, "ownedBy")].filter((e) => e.type === "Team")),
      dependsOn: unique(rests.filter((e) => e.type === "ValueStream" && e.id !== x.id)),
    };
  });
  streams.sort((a, b) => byName(a.stream, b.stream));
  const links = streams.flatMap((c) => c.dependsOn.map((d) => ({ source: c.stream.id, target: d.id })));
  return {
    total: v.total,
    streams,
    links,
    capabilities: shared(streams, (c) => c.capabilities),
    platforms: shared(streams, (c) => c.platforms),
    teams: shared(streams, (c) => c.teams),
  };
}

/** The streams by name only, before what they rest on is read (the first answer). */
export function streamNames(v: OverviewFirstQuery["streams"]): StreamMap {
  const streams = v.items.map((x) => ({ stream: brief(x), stages: [], capabilities: [], platforms: [], teams: [], dependsOn: [] })).sort((a, b) => byName(a.stream, b.stream));
  return { total: v.total, streams, links: [], capabilities: [], platforms: [], teams: [] };
}

const plural = (n: number, one: string, many: string): string => `${n.toLocaleString("en-GB")} ${n === 1 ? one : many}`;

/** The model in one sentence, from the counts: what the landing page shows first. Pure. */
export function summarySentence(stats: Stats): string {
  const nodes = stats.nodes ?? {};
  const n = (t: string): number => nodes[t] ?? 0;
  const elements = Object.values(nodes).reduce((a, b) => a + b, 0);
  const relationships = Object.values(stats.relationships ?? {}).reduce((a, b) => a + b, 0);
  const all = `${plural(elements, "element", "elements")} and ${plural(relationships, "relationship", "relationships")} in all`;
  if (!elements) return "The model is empty: import a file or load the demo to see its overview.";
  const beneath = [plural(n("Capability"), "capability", "capabilities"), plural(n("Platform"), "platform", "platforms"), plural(n("Team"), "team", "teams")];
  const rest = `${beneath.slice(0, -1).join(", ")} and ${beneath[beneath.length - 1]}`;
  return n("ValueStream")
    ? `${plural(n("ValueStream"), "value stream", "value streams")} in ${plural(n("Stage"), "stage", "stages")} rest on ${rest}: ${all}.`
    : `No value streams yet; ${rest}: ${all}.`;
}

/** What the overview reads of the health report, as a report (no texts, no related elements). */
export function readOverviewHealth(a: OverviewHealthQuery["healthReport"]): HealthReport {
  return {
    score: a.score,
    checks: a.checks.map((c) => ({ ...c, description: "", findings: c.findings.map((f) => ({ element: brief(f.element), elements: [], message: "" })) })),
    markdown: "",
  };
}

/** The overview's top of the bottleneck ranking (asked without its clusters). */
export function readOverviewBottlenecks(a: OverviewBottlenecksQuery["bottlenecks"]): BottleneckItem[] {
  return readBottlenecks({ ...a, clusters: [] }).items;
}

/** The failing checks, lowest score first: what the overview shows of the health report. */
export function worstChecks(h: HealthReport, n = 3): HealthCheck[] {
  return h.checks
    .filter((c) => c.score !== null && !c.passed)
    .sort((a, b) => (a.score ?? 100) - (b.score ?? 100) || a.title.localeCompare(b.title))
    .slice(0, n);
}

/** Counts by type, the operating model's own types first. */
export function keyCounts(stats: Stats): { label: string; count: number }[] {
  const order = ["ValueStream", "Stage", "Capability", "Platform", "Team", "DataAsset", "Person"];
  const nodes = stats.nodes ?? {};
  const rank = (t: string): number => (order.includes(t) ? order.indexOf(t) : order.length);
  return Object.entries(nodes)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([label, count]) => ({ label, count }));
}

export function readImportRuns(v: OverviewFirstQuery["importRuns"]): ImportRunBrief[] {
  return v.map((r) => {
    const c = (r.counts ?? {}) as Record<string, unknown>;
    const num = (k: string): number => (typeof c[k] === "number" ? (c[k] as number) : 0);
    const written = num("nodes") + num("relationships");
    return { id: r.id, source: r.source, format: r.format, startedAt: r.startedAt, written: written || null };
  });
}

export function readDependedOn(v: MostDependedOnQuery["mostDependedOn"]): DependedOnList {
  return {
    total: v.total,
    items: v.items.map((i) => ({ element: brief(i.element), dependents: i.dependents, owners: i.owners.map(brief), accountable: i.accountable.map(brief) })),
  };
}

/** The overview's other answers the server embedded beside the first, those it had kept
 * (app/explorer.py): each drawn at once instead of asked. */
export interface LaterAnswers {
  Overview?: OverviewQuery;
  OverviewHealth?: OverviewHealthQuery;
  OverviewBottlenecks?: OverviewBottlenecksQuery;
}

let early: { client: GraphQLClient; answer: Promise<OverviewFirstQuery>; data: OverviewFirstQuery | null; later: LaterAnswers } | null = null;

/** The JSON of the page's script element `id`, taken once (later visits ask afresh); null
 * when there is none (authentication on, another address) or it cannot be read. */
function takeEmbedded<T>(id: string, doc: Document): T | null {
  const script = doc.getElementById(id);
  if (!script) return null;
  script.remove();
  try {
    return JSON.parse(script.textContent ?? "") as T;
  } catch {
    return null;
  }
}

/** The first answer the server embedded in the page (app/explorer.py), taken once: later
 * visits ask afresh. Null when there is none (authentication on, another address). */
export function embeddedAnswer(doc: Document = document): OverviewFirstQuery | null {
  return takeEmbedded<OverviewFirstQuery>("first-answer", doc);
}

/** The other answers the server embedded (those it had kept), taken once. */
export function embeddedLater(doc: Document = document): LaterAnswers {
  return takeEmbedded<LaterAnswers>("overview-answers", doc) ?? {};
}

/** Have the overview's first answer ready for `loadOverview`: the page's own, or asked now
 * (while the explorer starts); and the other answers the page holds. */
export function prefetchOverview(client: GraphQLClient): void {
  const data = embeddedAnswer();
  const answer = data ? Promise.resolve(data) : client.request(OverviewFirstDocument, {});
  answer.catch(() => {}); // asked again by `loadOverview` (a token asked for meanwhile)
  early = { client, answer, data, later: data ? embeddedLater() : {} };
}

/** The overview's first drawing from what the page holds without waiting (its embedded
 * answers): all but the stream map's cards, which `loadOverview` settles from the page a
 * frame later (on M the whole overview in one task was over 200 ms); null when the first
 * answer is not at hand. */
export function overviewAtHand(client: GraphQLClient): Overview | null {
  if (early?.client !== client || !early.data) return null;
  return withLater(firstOverview(early.data, null, []), { ...early.later, Overview: undefined });
}

function firstAnswer(client: GraphQLClient): { answer: Promise<OverviewFirstQuery>; later: LaterAnswers } {
  const asked = early?.client === client ? early : null;
  early = null;
  const ask = () => client.request(OverviewFirstDocument, {});
  return asked ? { answer: asked.answer.catch(ask), later: asked.later } : { answer: ask(), later: {} };
}

/** `o` with the later answers at hand settled (no longer pending). Pure. */
export function withLater(o: Overview, later: LaterAnswers): Overview {
  const change: Partial<Overview> = {};
  const settled: Overview["pending"] = [];
  if (later.Overview && o.pending.includes("map")) {
    change.map = readStreamMap(later.Overview.streams);
    settled.push("map");
  }
  if (later.OverviewHealth) {
    const health = readOverviewHealth(later.OverviewHealth.healthReport);
    Object.assign(change, { health, worst: worstChecks(health) });
    settled.push("health");
  }
  if (later.OverviewBottlenecks) {
    change.bottlenecks = readOverviewBottlenecks(later.OverviewBottlenecks.bottlenecks).slice(0, 5);
    settled.push("bottlenecks");
  }
  return { ...o, ...change, pending: o.pending.filter((p) => !settled.includes(p)) };
}

/** The overview as the first answer shows it: the summary, counts, stream names and
 * imports; the rest pending. Pure. */
export function firstOverview(data: OverviewFirstQuery, dependedOn: DependedOnList | null, errors: string[]): Overview {
  const stats = data.stats as Stats; // `stats: JSON!`: counts by type (typed by hand in types.ts)
  return {
    map: streamNames(data.streams),
    summary: summarySentence(stats),
    dependedOn,
    counts: keyCounts(stats),
    health: null,
    worst: [],
    bottlenecks: [],
    imports: readImportRuns(data.importRuns),
    errors,
    pending: data.streams.total ? ["map", "health", "bottlenecks"] : ["health", "bottlenecks"],
  };
}

/** Everything the overview shows; the stream map, health and bottlenecks may fail alone
 * (shown as such). `progress` receives each stage as it is known: the summary, counts,
 * stream names and imports first (with, for a model without value streams, what is most
 * depended on), then the stream map, the health report and the bottlenecks as each is
 * answered (the report before the bottlenecks; the map beside them). */
export async function loadOverview(client: GraphQLClient, questions: Questions, progress: (o: Overview) => void = () => {}): Promise<Overview> {
  const first = firstAnswer(client);
  const data = await first.answer;
  const errors: string[] = [];
  // Without value streams the stream map has nothing to draw: what is most depended on instead.
  const dependedOn = data.streams.total
    ? null
    : await client.request(MostDependedOnDocument, { limit: DEPENDED_ON_SHOWN }).then(
        (d) => readDependedOn(d.mostDependedOn),
        (err: Error) => (errors.push(`most depended-on: ${err.message}`), null),
      );
  const time = questions.time();
  // The page's answers are of the present model: not for a visit asked of another time.
  const later = Object.values(time).every((v) => v == null) ? first.later : {};
  let o = withLater(firstOverview(data, dependedOn, errors), later);
  progress(o);
  const settle = (change: Partial<Overview>, done: Overview["pending"][number]): void => {
    o = { ...o, ...change, errors: [...errors], pending: o.pending.filter((p) => p !== done) };
    progress(o);
  };
  // The stream map (a gated question's worth of neighbours on a large model) beside the
  // health report and the ranking, which are kept answers once the server is warm (served
  // without a question slot): asked one after the other, the overview took their sum (1.7 s
  // on L). Not yet kept (the first minute after a start or a change), each is a question
  // waiting for the slot the map holds, and may be refused meanwhile: then it is asked again
  // once the map is answered. Health and bottlenecks stay one after the other. What the
  // page held (`later`: the server had it kept) is not asked at all.
  const map = o.pending.includes("map")
    ? client.request(OverviewDocument, {}).then(
        (full) => settle({ map: readStreamMap(full.streams) }, "map"),
        (err: Error) => (errors.push(`stream map: ${err.message}`), settle({}, "map")), // the names stay
      )
    : Promise.resolve();
  const afterMap = <T>(ask: () => Promise<T>): Promise<T> => ask().catch(() => map.then(ask));
  const ranked = (async () => {
    if (o.pending.includes("health")) {
      const health = await afterMap(() => client.request(OverviewHealthDocument, time)).then(
        (d) => readOverviewHealth(d.healthReport),
        (err: Error) => (errors.push(`health: ${err.message}`), null),
      );
      settle({ health, worst: health ? worstChecks(health) : [] }, "health");
    }
    if (o.pending.includes("bottlenecks")) {
      const bottlenecks = await afterMap(() => client.request(OverviewBottlenecksDocument, { limit: 5, ...time })).then(
        (d) => readOverviewBottlenecks(d.bottlenecks),
        (err: Error) => (errors.push(`bottlenecks: ${err.message}`), null),
      );
      settle({ bottlenecks: bottlenecks?.slice(0, 5) ?? [] }, "bottlenecks");
    }
  })();
  await Promise.all([map, ranked]);
  return o;
}
