/**
 * The questions (impact, what an element depends on, the dependency path, bottlenecks,
 * health) as the explorer uses them: typed documents generated from
 * src/operations/questions.graphql against the server's SDL, and their answers read into
 * the small shapes the panels and the graph overlay draw.
 */
import type { GraphQLClient } from "./gql";
import {
  BottlenecksDocument,
  DependencyPathDocument,
  DependsOnDocument,
  HealthReportDocument,
  ImpactDocument,
  ImpactPageDocument,
  type AffectedFragment,
  type BottlenecksQuery,
  type DependencyPathQuery,
  type DependsOnQuery,
  type HealthReportQuery,
  type ImpactFragment,
  type ImpactPageQueryVariables,
  type NoticeFieldsFragment,
  type RefFragment,
  type StepFragment,
} from "./generated/graphql";
import type { TimeVariables } from "./time";
import type { ElementBrief } from "./types";

export interface PathStep {
  source: string;
  target: string;
  rel: string;
}

export interface ImpactStream {
  stream: ElementBrief;
  distance: number;
  /** Elements of one explaining path, from the changed element to the stream. */
  pathNodes: ElementBrief[];
  pathSteps: PathStep[];
  /** The server's own wording of the path, where it gives one. */
  pathText: string;
}

export interface NotifyEntry {
  element: ElementBrief;
  reason: string;
  /** Accountable owners (people accountable for an affected stream) come before owning teams. */
  role: "accountable owner" | "owning team";
  /** Hops from the change to the nearest element they answer for (null: not said). */
  distance: number | null;
  /** What they answer for that the change reaches. */
  about: ElementBrief[];
}

/** How many the whole answer holds when the server pages its lists (`counts`). */
export interface ImpactTotals {
  streams: number;
  affected: number;
  notify: number;
  /** Each list's own total, where the answer says (the explorer's first screen asks them all). */
  lists?: Partial<Record<ImpactList, number>>;
}

/** The lists of an impact answer, each asked a page at a time (`ImpactPage`). */
export type ImpactList = "streams" | AffectedList | "people" | "teams";
/** The lists of affected elements other than streams, in the answer's (and the report's) order. */
export type AffectedList = "capabilities" | "platforms" | "dataAssets" | "other";
export const AFFECTED_LISTS: readonly AffectedList[] = ["capabilities", "platforms", "dataAssets", "other"];

/** An affected element (not a stream), with the list it is in. */
export type AffectedEntry = ElementBrief & { list: AffectedList };

export interface ImpactResult {
  source: ElementBrief;
  streams: ImpactStream[];
  affected: AffectedEntry[];
  notify: NotifyEntry[];
  totals: ImpactTotals | null;
}

/** "500 of 1,234" when a list is a page of a longer one, else its length. */
export function shownOf(shown: number, total: number | undefined): string {
  return total !== undefined && total > shown ? `${shown.toLocaleString()} of ${total.toLocaleString()}` : `${shown}`;
}

/** How many elements a question draws at first, and how many each "show more" adds (as Explore's expansions). */
export const DRAW_PAGE = 25;

/**
 * The nearest `limit` entries of an answer (by distance, then name) and how many are left
 * out: a question draws a bounded picture however much the element depends on.
 */
export function nearestFirst(streams: ImpactStream[], limit: number): { shown: ImpactStream[]; hidden: number } {
  const ordered = [...streams].sort((a, b) => a.distance - b.distance || a.stream.name.localeCompare(b.stream.name) || a.stream.id.localeCompare(b.stream.id));
  return { shown: ordered.slice(0, limit), hidden: Math.max(0, ordered.length - limit) };
}

export interface BottleneckItem {
  element: ElementBrief;
  score: number;
  metrics: Record<string, number>;
  explanation: string;
}

export interface Cluster {
  id: string;
  label: string;
  streams: ElementBrief[];
  shared: ElementBrief[];
  load: number;
}

export interface BottleneckResult {
  items: BottleneckItem[];
  clusters: Cluster[];
}

export interface Finding {
  element: ElementBrief;
  elements: ElementBrief[];
  message: string;
}

export interface HealthCheck {
  id: string;
  title: string;
  /** Null: not applicable (the model has nothing this check looks at). */
  score: number | null;
  passed: boolean;
  description: string;
  /** What `offending` and `population` count ("stream requirements"…): the score's basis, the same number every surface shows. */
  unit: string;
  offending: number;
  population: number;
  findings: Finding[];
}

export interface HealthReport {
  /** Null: no check applies. */
  score: number | null;
  checks: HealthCheck[];
  markdown: string;
}

// -- reading answers ------------------------------------------------------------------------

const ref = (e: RefFragment): ElementBrief => ({ id: e.id, type: e.type, name: e.name });

/** A path step as selected (the scenario comparison leaves out the step's text). */
type StepLike = Pick<StepFragment, "fromElement" | "toElement" | "relationship" | "storedForward">;

/**
 * A path's elements in travel order, and its steps in stored direction (what the graph
 * draws): steps are in travel order, `storedForward: false` means stored as to -[rel]-> from.
 */
export function readSteps(path: readonly StepLike[]): { nodes: ElementBrief[]; steps: PathStep[] } {
  const nodes = new Map<string, ElementBrief>();
  const steps = path.map((s) => {
    for (const e of [s.fromElement, s.toElement]) if (!nodes.has(e.id)) nodes.set(e.id, ref(e));
    const [a, b] = s.storedForward ? [s.fromElement, s.toElement] : [s.toElement, s.fromElement];
    return { source: a.id, target: b.id, rel: s.relationship };
  });
  return { nodes: [...nodes.values()], steps };
}

type AffectedLike = Pick<AffectedFragment, "element" | "distance" | "pathText"> & { path: readonly StepLike[] };

function readAffected(a: AffectedLike): ImpactStream {
  const { nodes, steps } = readSteps(a.path);
  return { stream: ref(a.element), distance: a.distance, pathNodes: nodes, pathSteps: steps, pathText: a.pathText };
}

/** An impact answer: the whole one (`Impact` fragment) or a scenario side's (streams only). */
export type ImpactLike = { element: RefFragment; streams: readonly AffectedLike[] } & Partial<
  Pick<ImpactFragment, "capabilities" | "platforms" | "dataAssets" | "other" | "teamsToNotify" | "peopleToNotify">
> & { counts?: Pick<ImpactFragment["counts"], "affected" | "streams" | "teamsToNotify" | "peopleToNotify"> & Partial<ImpactFragment["counts"]> };

function dedupe<T extends ElementBrief>(xs: T[]): T[] {
  const seen = new Map<string, T>();
  for (const x of xs) if (!seen.has(x.id)) seen.set(x.id, x);
  return [...seen.values()];
}

export function readImpact(a: ImpactLike): ImpactResult {
  const streams = a.streams.map(readAffected);
  // Who to notify, ranked as the impact report ranks them: accountable owners first, then
  // owning teams, each nearest first (the server's order within each list).
  const notify: NotifyEntry[] = [];
  const seen = new Set<string>();
  const take = (ns: readonly NoticeFieldsFragment[] | undefined, role: NotifyEntry["role"]): void => {
    for (const n of ns ?? []) {
      if (seen.has(n.element.id)) continue;
      seen.add(n.element.id);
      notify.push({ element: ref(n.element), reason: n.reason, role, distance: typeof n.distance === "number" ? n.distance : null, about: (n.about ?? []).map(ref) });
    }
  };
  take(a.peopleToNotify, "accountable owner");
  take(a.teamsToNotify, "owning team");
  const affected = dedupe(AFFECTED_LISTS.flatMap((list) => (a[list] ?? []).map((x) => ({ ...ref(x.element), list }))));
  const c = a.counts;
  const totals: ImpactTotals | null = c ? { streams: c.streams, affected: c.affected - c.streams, notify: c.teamsToNotify + c.peopleToNotify } : null;
  if (c && totals && c.capabilities !== undefined) {
    totals.lists = { streams: c.streams, capabilities: c.capabilities, platforms: c.platforms, dataAssets: c.dataAssets, other: c.other, people: c.peopleToNotify, teams: c.teamsToNotify };
  }
  return { source: ref(a.element), streams, affected, notify, totals };
}

/** How many of a list an answer holds so far. */
export function loadedOf(r: ImpactResult, list: ImpactList): number {
  if (list === "streams") return r.streams.length;
  if (list === "people" || list === "teams") return r.notify.filter((n) => (n.role === "accountable owner") === (list === "people")).length;
  return r.affected.filter((e) => e.list === list).length;
}

/** A further page of one list (`next`, read from `ImpactPage`) added to the answer shown,
 * each list kept in the server's order (an entry already there is kept once). */
export function withMoreImpact(shown: ImpactResult, next: ImpactResult): ImpactResult {
  const have = new Set(shown.streams.map((s) => s.stream.id));
  const streams = [...shown.streams, ...next.streams.filter((s) => !have.has(s.stream.id))];
  // Each list after its own: the affected lists, then the notices, keep the answer's order.
  const affected = dedupe(AFFECTED_LISTS.flatMap((list) => [...shown.affected, ...next.affected].filter((e) => e.list === list)));
  const seen = new Set<string>();
  const notify = [...shown.notify, ...next.notify].filter((n) => !seen.has(n.element.id) && !!seen.add(n.element.id));
  const people = notify.filter((n) => n.role === "accountable owner");
  return { ...shown, streams, affected, notify: [...people, ...notify.filter((n) => n.role !== "accountable owner")] };
}

/** A page of what an element depends on, read into the impact shape (`streams` = the
 * dependencies of the page, `totals.streams` = how many there are in all). */
export function readDependsOn(a: DependsOnQuery["dependsOn"]): ImpactResult {
  return { source: ref(a.element), streams: a.dependencies.map(readAffected), affected: [], notify: [], totals: { streams: a.total, affected: 0, notify: 0 } };
}

/** A further page of dependencies added to the answer shown: pages come nearest first, so
 * the next one follows on (an entry already there, after a change in between, is kept once). */
export function withMoreDependencies(shown: ImpactResult, next: ImpactResult): ImpactResult {
  const have = new Set(shown.streams.map((s) => s.stream.id));
  return { ...shown, streams: [...shown.streams, ...next.streams.filter((s) => !have.has(s.stream.id))], totals: next.totals };
}

// -- dependency path ----------------------------------------------------------------------

export type PathDirection = "source-affects-target" | "target-affects-source" | "none";

export interface PathResult {
  source: ElementBrief;
  target: ElementBrief;
  direction: PathDirection;
  distance: number | null;
  /** Elements along the path, in travel order. */
  nodes: ElementBrief[];
  /** Steps in stored direction (what the graph draws). */
  steps: PathStep[];
  /** One line per hop, as the server words it. */
  stepTexts: string[];
  explanation: string;
}

const DIRECTIONS: Record<DependencyPathQuery["dependencyPath"]["direction"], PathDirection> = {
  SOURCE_AFFECTS_TARGET: "source-affects-target",
  TARGET_AFFECTS_SOURCE: "target-affects-source",
  NONE: "none",
};

/** A `dependencyPath` answer (`PathAnswer`): endpoints, direction, distance and the steps. */
export function readPath(a: DependencyPathQuery["dependencyPath"]): PathResult {
  const { nodes, steps } = readSteps(a.steps);
  return {
    source: ref(a.source),
    target: ref(a.target),
    direction: steps.length ? DIRECTIONS[a.direction] : "none",
    distance: a.distance ?? (steps.length || null),
    nodes,
    steps,
    stepTexts: a.steps.map((s) => s.text).filter(Boolean),
    explanation: a.explanation,
  };
}

// -- bottlenecks --------------------------------------------------------------------------

export function readBottlenecks(a: BottlenecksQuery["bottlenecks"]): BottleneckResult {
  const items: BottleneckItem[] = a.bottlenecks.map((b) => {
    const { rank, score, streamCount, proximity, blastRadius, crossStreamPairs, betweenness } = b;
    return { element: ref(b.element), score, metrics: { rank, score, streamCount, proximity, blastRadius, crossStreamPairs, betweenness }, explanation: b.explanation };
  });
  items.sort((x, y) => y.score - x.score);
  const clusters: Cluster[] = a.clusters.map((c) => ({
    id: c.id,
    label: `Cluster ${c.id.replace(/^cluster[-_ ]?/i, "")}`,
    streams: c.streams.map(ref),
    shared: c.binding.map((s) => ref(s.element)),
    load: c.internalLoad,
  }));
  return { items, clusters };
}

// -- health -----------------------------------------------------------------------------

export function readHealth(a: HealthReportQuery["healthReport"]): HealthReport {
  return {
    score: a.score,
    checks: a.checks.map((c) => ({
      id: c.id,
      title: c.title,
      score: c.score,
      passed: c.passed,
      description: c.description,
      unit: c.unit,
      offending: c.offending,
      population: c.population,
      findings: c.findings.map((f) => ({ element: ref(f.element), elements: f.related.map(ref), message: f.detail })),
    })),
    markdown: a.markdown,
  };
}

// -- calling the server -----------------------------------------------------------------

export interface ImpactParams {
  element: string;
  depth: number;
  /** Relationship types to follow; empty: the server's defaults. */
  rels: string[];
}

const walk = (p: ImpactParams) => ({ element: p.element, maxDepth: p.depth, relationshipTypes: p.rels.length ? p.rels : null });

export class Questions {
  /** The point in time every question is asked for (src/time.ts; the App sets it from the URL). */
  time: () => TimeVariables = () => ({});

  constructor(readonly client: GraphQLClient) {}

  /** The first screen of a change's impact: every count and the first page of each list. */
  async impact(p: ImpactParams): Promise<ImpactResult> {
    return readImpact((await this.client.request(ImpactDocument, { ...walk(p), page: DRAW_PAGE, ...this.time() })).impact);
  }

  /** The next page of one list of that answer, read into the impact shape (that list only). */
  async impactPage(p: ImpactParams, list: ImpactList, offset: number, limit = DRAW_PAGE): Promise<ImpactResult> {
    const vars: ImpactPageQueryVariables = { ...walk(p), limit, offset, [list]: true, ...this.time() };
    const a = (await this.client.request(ImpactPageDocument, vars)).impact;
    return readImpact({ ...a, element: { id: p.element, type: "", name: p.element }, streams: a.streams ?? [] });
  }

  /** A page of what the element depends on, nearest first (the server orders and counts). */
  async dependsOn(p: ImpactParams, page: { limit: number; offset: number } = { limit: DRAW_PAGE, offset: 0 }): Promise<ImpactResult> {
    return readDependsOn((await this.client.request(DependsOnDocument, { ...walk(p), ...page, ...this.time() })).dependsOn);
  }

  async path(p: ImpactParams & { target: string }): Promise<PathResult> {
    const { element, ...rest } = walk(p);
    return readPath((await this.client.request(DependencyPathDocument, { source: element, target: p.target, ...rest, ...this.time() })).dependencyPath);
  }

  async bottlenecks(limit = 50): Promise<BottleneckResult> {
    return readBottlenecks((await this.client.request(BottlenecksDocument, { limit, ...this.time() })).bottlenecks);
  }

  async health(): Promise<HealthReport> {
    return readHealth((await this.client.request(HealthReportDocument, { ...this.time() })).healthReport);
  }
}
