/**
 * What-if scenarios as the explorer uses them: the GraphQL calls (`scenarios`,
 * `scenario`, `compareScenario` and the scenario mutations), the operation inputs built
 * from what the user filled in, and the comparison read into small shapes the panel and
 * the graph overlay use. Everything but the `Scenarios` class is pure and unit-tested.
 */
import type { GraphQLClient } from "./gql";
import {
  AddOperationDocument,
  ApplyScenarioDocument,
  ComparePageDocument,
  CompareScenarioDocument,
  CreateScenarioDocument,
  DiscardScenarioDocument,
  ScenarioDocument,
  ScenariosDocument,
  type ApplyScenarioMutation,
  type CompareScenarioQuery,
  type LostNeedFieldsFragment,
  type RefFragment,
  type StreamDeltaFieldsFragment,
  type StreamDeltaRowFragment,
  type ScenarioFieldsFragment,
  type ScenarioOperationInput,
  type ScenarioSummaryFieldsFragment,
} from "./generated/graphql";
import { readSteps, type ImpactStream, type PathStep } from "./questions";
import { restUrl } from "./rest";
import type { ElementBrief } from "./types";
import type { ScenarioSide } from "./urlstate";

// -- shapes -------------------------------------------------------------------------------

export type ScenarioStatus = "OPEN" | "APPLIED";

export interface ScenarioSummary {
  name: string;
  description: string;
  status: ScenarioStatus;
  operationCount: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string | null;
  appliedAt: string | null;
  appliedBy: string | null;
}

export interface ScenarioOperation {
  index: number;
  op: string;
  text: string;
  /** As stored, elements by id, e.g. `{op: "remove_element", element: "plat-x"}`. */
  operation: Record<string, unknown>;
}

export interface Scenario extends ScenarioSummary {
  operations: ScenarioOperation[];
  /** Why the operations no longer apply to the base model, if they do not. */
  problem: string | null;
}

/** `lost`: reached in the base only and the stream loses something it needs; `removed`: reached in the base only, decoupled or replaced. */
export type StreamChange = "lost" | "added" | "removed" | "closer" | "further" | "same";
export const STREAM_CHANGES: readonly StreamChange[] = ["lost", "added", "removed", "closer", "further", "same"];

export interface StreamDelta {
  stream: ElementBrief;
  change: StreamChange;
  baseDistance: number | null;
  scenarioDistance: number | null;
  basePath: string;
  scenarioPath: string;
  /** The stream as each side reaches it, with its explaining path (null: not reached there). */
  base: ImpactStream | null;
  scenario: ImpactStream | null;
}

export interface ImpactDiff {
  element: ElementBrief;
  inBase: boolean;
  inScenario: boolean;
  baseStreamCount: number;
  scenarioStreamCount: number;
  baseAffectedCount: number;
  scenarioAffectedCount: number;
  /** The streams held so far, in the server's order (the panel's: by change, then distance,
   * then name): the first page, then any page asked with `Scenarios.impactPage`. */
  streams: StreamDelta[];
  /** How many streams there are in all, and how many change each way (true past the page). */
  total: number;
  counts: Record<StreamChange, number>;
}

export type RankChange = "added" | "removed" | "higher" | "lower" | "same";

export interface BottleneckDelta {
  element: ElementBrief;
  change: RankChange;
  baseRank: number | null;
  scenarioRank: number | null;
  /** Base rank minus scenario rank: positive when it climbs. */
  rankChange: number | null;
  baseScore: number | null;
  scenarioScore: number | null;
  scoreDelta: number;
  baseStreamCount: number | null;
  scenarioStreamCount: number | null;
}

export interface BottleneckDiff {
  limit: number;
  baseStreamTotal: number;
  scenarioStreamTotal: number;
  rows: BottleneckDelta[];
}

export interface HealthCheckDiff {
  id: string;
  title: string;
  /** What the offending counts count ("stream requirements"…), as on the Health page. */
  unit: string;
  /** Null: not applicable on that side. */
  baseScore: number | null;
  scenarioScore: number | null;
  scoreDelta: number | null;
  baseOffending: number;
  scenarioOffending: number;
  /** The first page of each (the rest asked with `Scenarios.comparePage`); the totals are true. */
  resolved: ElementBrief[];
  introduced: ElementBrief[];
  resolvedTotal: number;
  introducedTotal: number;
}

export interface HealthDiff {
  baseScore: number | null;
  scenarioScore: number | null;
  scoreDelta: number | null;
  checks: HealthCheckDiff[];
}

/** Something an element needed that the scenario takes away. */
export interface LostNeed {
  element: ElementBrief;
  relationship: string;
  needed: ElementBrief;
  /** The needed element is gone (else only the relationship). */
  removed: boolean;
  /** How many value streams rest on `element` (they lose it too). */
  streamCount: number;
}

/** What the scenario takes away from what streams need: never an improvement. */
export interface Losses {
  /** The first page of each list (the rest asked with `Scenarios.comparePage`), its total in `totals`. */
  needs: LostNeed[];
  streams: ElementBrief[];
  capabilities: ElementBrief[];
  totals: { needs: number; streams: number; capabilities: number };
}

/** The lists of a comparison asked a page at a time: the losses', and a health check's findings. */
export type CompareList = "needs" | "streams" | "capabilities" | "resolved" | "introduced";

/** The first page of each long list of a comparison (every total true): what the panel
 * shows first. Asked whole, removing the most shared platform of L was 2.4 MB of JSON. */
export const COMPARE_PAGE = 40;
/** The compared streams the panel lists and the graph draws first (the first page of the
 * impact's streams, in the panel's order); the rest are asked when a list is opened. */
export const COMPARE_IMPACT_PAGE = 25;
/** A further page, asked when the user opens or pages a list (the server's page size at most). */
export const COMPARE_MORE = 500;

export interface Comparison {
  scenario: Scenario;
  impact: ImpactDiff | null;
  losses: Losses;
  /** Null while `rankingPending`: the scenario's ranking is still being computed. */
  bottlenecks: BottleneckDiff | null;
  rankingPending: boolean;
  health: HealthDiff;
}

export interface ApplyResult {
  scenario: ScenarioSummary;
  elementsAdded: ElementBrief[];
  elementsRemoved: ElementBrief[];
  elementsChanged: ElementBrief[];
  relationshipsAdded: string[];
  relationshipsRemoved: string[];
}

// -- reading answers ----------------------------------------------------------------------

type CompareAnswer = CompareScenarioQuery["result"];

const ref = (e: RefFragment): ElementBrief => ({ id: e.id, type: e.type, name: e.name });
/** The SDL's enum values (`ADDED`…) in the explorer's lower case; a new value fails the type check. */
const lower = <T extends string>(v: Uppercase<T>): T => v.toLowerCase() as T;

export function readSummary(v: ScenarioSummaryFieldsFragment): ScenarioSummary {
  return {
    name: v.name,
    description: v.description,
    status: v.status,
    operationCount: v.operationCount,
    createdAt: v.createdAt,
    updatedAt: v.updatedAt,
    createdBy: v.createdBy,
    appliedAt: v.appliedAt,
    appliedBy: v.appliedBy,
  };
}

/** An operation as stored (`JSON`): elements by id, e.g. `{op: "remove_element", element: "plat-x"}`. */
const stored = (v: unknown): Record<string, unknown> => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

export function readScenario(v: ScenarioFieldsFragment): Scenario {
  const operations = v.operations.map((op) => ({ index: op.index, op: op.op, text: op.text, operation: stored(op.operation) }));
  return { ...readSummary(v), operations, problem: v.problem };
}

/** A compared stream; each side's path read into the graph's steps (stored direction) when
 * asked (`StreamDeltaFields`: the first page, which the graph draws), else without steps. */
export function readStreamDelta(d: StreamDeltaRowFragment & Partial<Pick<StreamDeltaFieldsFragment, "basePathSteps" | "scenarioPathSteps">>): StreamDelta {
  const stream = ref(d.element);
  const side = (distance: number | null, hops: StreamDeltaFieldsFragment["basePathSteps"] | undefined, text: string): ImpactStream | null => {
    if (distance === null) return null;
    const { nodes, steps } = readSteps(hops ?? []);
    return { stream, distance, pathNodes: nodes, pathSteps: steps, pathText: text };
  };
  return {
    stream,
    change: lower<StreamChange>(d.change),
    baseDistance: d.baseDistance,
    scenarioDistance: d.scenarioDistance,
    basePath: d.basePath,
    scenarioPath: d.scenarioPath,
    base: side(d.baseDistance, d.basePathSteps, d.basePath),
    scenario: side(d.scenarioDistance, d.scenarioPathSteps, d.scenarioPath),
  };
}

export function readImpactDiff(v: CompareAnswer["impact"]): ImpactDiff | null {
  if (!v) return null;
  const c = v.changeCounts;
  return {
    element: ref(v.element),
    inBase: v.inBase,
    inScenario: v.inScenario,
    baseStreamCount: v.baseStreamCount,
    scenarioStreamCount: v.scenarioStreamCount,
    baseAffectedCount: v.baseAffectedCount,
    scenarioAffectedCount: v.scenarioAffectedCount,
    streams: v.streams.map(readStreamDelta),
    total: v.streamsTotal,
    counts: { lost: c.lost, added: c.added, removed: c.removed, closer: c.closer, further: c.further, same: c.same },
  };
}

export function readBottleneckDiff(v: CompareAnswer["bottlenecks"]): BottleneckDiff | null {
  if (!v) return null;
  return {
    limit: v.limit,
    baseStreamTotal: v.baseStreamTotal,
    scenarioStreamTotal: v.scenarioStreamTotal,
    rows: v.rows.map((r) => ({ ...r, element: ref(r.element), change: lower<RankChange>(r.change) })),
  };
}

export function readHealthDiff(v: CompareAnswer["health"]): HealthDiff {
  return {
    baseScore: v.baseScore,
    scenarioScore: v.scenarioScore,
    scoreDelta: v.scoreDelta,
    checks: v.checks.map((c) => ({ ...c, title: c.title || c.id, resolved: c.resolved.map(ref), introduced: c.introduced.map(ref) })),
  };
}

const readNeed = (n: LostNeedFieldsFragment): LostNeed => ({ element: ref(n.element), relationship: n.relationship, needed: ref(n.needed), removed: n.removed, streamCount: n.streamCount });

export function readLosses(v: CompareAnswer["losses"]): Losses {
  return {
    needs: v.needs.map(readNeed),
    streams: v.streams.map(ref),
    capabilities: v.capabilities.map(ref),
    totals: { needs: v.needsTotal, streams: v.streamsTotal, capabilities: v.capabilitiesTotal },
  };
}

/** A `compareScenario` answer, read into the shapes above. */
export function readComparison(v: CompareAnswer): Comparison {
  return {
    scenario: readScenario(v.scenario),
    impact: readImpactDiff(v.impact),
    losses: readLosses(v.losses),
    bottlenecks: readBottleneckDiff(v.bottlenecks),
    rankingPending: v.rankingPending,
    health: readHealthDiff(v.health),
  };
}

export function readApplyResult(v: ApplyScenarioMutation["result"]): ApplyResult {
  const rels = (xs: ApplyScenarioMutation["result"]["relationshipsAdded"]): string[] => xs.map((r) => r.text || `${r.source} -[${r.type}]-> ${r.target}`);
  return {
    scenario: readSummary(v.scenario),
    elementsAdded: v.elementsAdded.map(ref),
    elementsRemoved: v.elementsRemoved.map(ref),
    elementsChanged: v.elementsChanged.map(ref),
    relationshipsAdded: rels(v.relationshipsAdded),
    relationshipsRemoved: rels(v.relationshipsRemoved),
  };
}

/** Checks whose score or offenders differ, most changed first; the rest after, in order. */
export function changedChecks(h: HealthDiff): { changed: HealthCheckDiff[]; unchanged: HealthCheckDiff[] } {
  const differs = (c: HealthCheckDiff): boolean =>
    (c.scoreDelta ?? 0) !== 0 || c.resolvedTotal > 0 || c.introducedTotal > 0 || c.baseOffending !== c.scenarioOffending;
  const changed = h.checks.filter(differs).sort((a, b) => Math.abs(b.scoreDelta ?? 0) - Math.abs(a.scoreDelta ?? 0));
  return { changed, unchanged: h.checks.filter((c) => !differs(c)) };
}

/**
 * The element a scenario's comparison shows the impact of: the one chosen for this
 * scenario (in its panel, or `of=` in a link to it), else what its first change is about.
 * Never an element left over from another mode or scenario: choosing a scenario forgets it.
 */
export function comparedElement(chosen: string | null, s: Pick<Scenario, "operations">): string | null {
  return chosen ?? scenarioSubject(s);
}

/** The element whose impact a scenario's comparison shows by default: what its first change is about. */
export function scenarioSubject(s: Pick<Scenario, "operations">): string | null {
  for (const { operation: o } of s.operations) {
    const pick = (k: string): string | null => (typeof o[k] === "string" && o[k] ? (o[k] as string) : null);
    switch (o.op) {
      case "remove_element":
      case "move_ownership":
        return pick("element");
      case "replace_element":
        return pick("old");
      case "add_relationship":
      case "remove_relationship":
        // `source DEPENDS_ON target`: a change to the target is what reaches further or less far.
        return pick("target");
      case "split_stream":
        return pick("stream");
      case "add_element":
        return pick("id");
    }
  }
  return null;
}

/**
 * The rows [from, to) of a list the server pages, as a panel opens them: those held already
 * (the first page), then a page at a time from where they end (`more`). Used for the
 * compared streams past the first page: the changed ones, then the unchanged.
 */
export class PagedRange<T> {
  /** The list's index the next row comes from. */
  private next: number;
  /** The range's rows held when it was made (shown as soon as it is opened). */
  readonly first: T[];

  constructor(
    held: readonly T[],
    readonly from: number,
    readonly to: number,
    private readonly fetch: (offset: number, limit: number) => Promise<T[]>,
    private readonly page = COMPARE_MORE,
  ) {
    this.next = Math.max(from, Math.min(held.length, to));
    this.first = held.slice(from, this.next);
  }

  /** How many of the range are not shown yet. */
  get left(): number {
    return this.to - this.next;
  }

  /** How many the next `more` asks for. */
  get nextPage(): number {
    return Math.min(this.page, this.left);
  }

  /** The next page of the range (empty when the server has no more: the list got shorter). */
  async more(): Promise<T[]> {
    if (this.left <= 0) return [];
    const rows = (await this.fetch(this.next, this.nextPage)).slice(0, this.left);
    this.next = rows.length ? this.next + rows.length : this.to;
    return rows;
  }
}

// -- drawing the compared impact -----------------------------------------------------------

export interface OverlayStep extends PathStep {
  /** `on-path` (one side drawn), or in a diff `path-same` (both sides), `path-removed` (base only), `path-added` (scenario only). */
  cls: string;
}

export interface ScenarioOverlay {
  nodes: ElementBrief[];
  steps: OverlayStep[];
  classes: Map<string, string[]>;
}

const stepKey = (s: PathStep): string => `${s.source}|${s.rel}|${s.target}`;

/**
 * The compared impact with at most its first `max` streams (the server's order, the panel's:
 * changed first): what the graph draws, however many pages the panel has asked since.
 */
export function boundedDiff(d: ImpactDiff, max: number): ImpactDiff {
  return d.streams.length <= max ? d : { ...d, streams: d.streams.slice(0, max) };
}

/**
 * What the graph shows for a compared impact. `diff`: both sides' explaining paths, those
 * only the base has drawn as removed and those only the scenario has as added, each stream
 * marked by its change; `base` / `scenario`: one side's answer, as impact mode draws it.
 */
export function scenarioOverlay(d: ImpactDiff, side: ScenarioSide): ScenarioOverlay {
  const nodes = new Map<string, ElementBrief>();
  const classes = new Map<string, string[]>();
  const add = (id: string, c: string): void => {
    const cs = classes.get(id) ?? [];
    if (!cs.includes(c)) cs.push(c);
    classes.set(id, cs);
  };
  const know = (e: ElementBrief): void => {
    const prev = nodes.get(e.id);
    if (!prev || (!prev.type && e.type)) nodes.set(e.id, e);
  };
  know(d.element);
  // Each side's streams with their explaining paths, as that side answers the impact.
  const reached = (which: "base" | "scenario"): ImpactStream[] => d.streams.flatMap((st) => (st[which] ? [st[which]] : []));
  const sideSteps = (streams: ImpactStream[], nodeClass: string): PathStep[] => {
    for (const st of streams) {
      know(st.stream);
      st.pathNodes.forEach(know);
      st.pathNodes.forEach((p) => add(p.id, nodeClass));
    }
    return streams.flatMap((st) => st.pathSteps);
  };
  const steps: OverlayStep[] = [];
  if (side === "diff") {
    const base = sideSteps(reached("base"), "sc-path");
    const scen = sideSteps(reached("scenario"), "sc-path");
    const inBase = new Set(base.map(stepKey));
    const inScen = new Set(scen.map(stepKey));
    const seen = new Set<string>();
    for (const s of [...base, ...scen]) {
      const k = stepKey(s);
      if (seen.has(k)) continue;
      seen.add(k);
      steps.push({ ...s, cls: inBase.has(k) && inScen.has(k) ? "path-same" : inBase.has(k) ? "path-removed" : "path-added" });
    }
    for (const st of d.streams) {
      know(st.stream);
      add(st.stream.id, `sc-${st.change}`);
    }
  } else {
    const streams = reached(side);
    for (const s of sideSteps(streams, "on-path")) steps.push({ ...s, cls: "on-path" });
    for (const st of streams) add(st.stream.id, "impacted");
  }
  add(d.element.id, "impact-source");
  if (!d.inScenario) add(d.element.id, "sc-gone");
  if (!d.inBase) add(d.element.id, "sc-new");
  return { nodes: [...nodes.values()], steps, classes };
}

// -- building operation inputs ----------------------------------------------------------------

export type OperationKind =
  | "removeElement"
  | "replaceElement"
  | "moveOwnership"
  | "addRelationship"
  | "removeRelationship"
  | "splitStream"
  | "addElement";

export const OPERATION_KINDS: { kind: OperationKind; label: string }[] = [
  { kind: "removeElement", label: "Remove an element" },
  { kind: "replaceElement", label: "Replace an element by another" },
  { kind: "moveOwnership", label: "Move ownership to another team" },
  { kind: "addRelationship", label: "Add a dependency (or other relationship)" },
  { kind: "removeRelationship", label: "Remove a dependency (or other relationship)" },
  { kind: "splitStream", label: "Split a value stream" },
  { kind: "addElement", label: "Add a new element" },
];

/** What the "add a change" form holds; element fields are ids (or exact names typed in). */
export interface OperationDraft {
  kind: OperationKind;
  element?: string;
  old?: string;
  new?: string;
  toTeam?: string;
  fromTeam?: string;
  relType?: string;
  source?: string;
  target?: string;
  stream?: string;
  /** Split: the stream's stages in order, the new streams, and which new stream (index) takes each stage. */
  stages?: string[];
  parts?: { name: string; id?: string }[];
  assign?: Record<string, number>;
  /** Add element. */
  type?: string;
  name?: string;
  id?: string;
}

export type { ScenarioOperationInput };

export type Built = { ok: true; input: ScenarioOperationInput } | { ok: false; problems: string[] };

/** The one-of `ScenarioOperationInput` for a draft, or what is missing. Pure. */
export function buildOperationInput(d: OperationDraft): Built {
  const problems: string[] = [];
  const need = (v: string | undefined, what: string): string => {
    const t = (v ?? "").trim();
    if (!t) problems.push(`choose ${what}`);
    return t;
  };
  const opt = (v: string | undefined): string | undefined => (v ?? "").trim() || undefined;
  const done = (input: ScenarioOperationInput): Built => (problems.length ? { ok: false, problems } : { ok: true, input });
  switch (d.kind) {
    case "removeElement":
      return done({ removeElement: { element: need(d.element, "the element to remove") } });
    case "replaceElement": {
      const old = need(d.old, "the element to replace");
      const nu = need(d.new, "the element replacing it");
      if (old && nu && old === nu) problems.push("an element cannot replace itself");
      return done({ replaceElement: { old, new: nu } });
    }
    case "moveOwnership": {
      const fromTeam = opt(d.fromTeam);
      const body = { element: need(d.element, "the element"), toTeam: need(d.toTeam, "the team taking it over") };
      return done({ moveOwnership: fromTeam ? { ...body, fromTeam } : body });
    }
    case "addRelationship":
    case "removeRelationship": {
      const body = { type: need(d.relType, "the relationship type"), source: need(d.source, "the source"), target: need(d.target, "the target") };
      if (body.source && body.source === body.target) problems.push("source and target are the same element");
      return done(d.kind === "addRelationship" ? { addRelationship: body } : { removeRelationship: body });
    }
    case "splitStream": {
      const stream = need(d.stream, "the value stream to split");
      const parts = d.parts ?? [];
      if (parts.length < 2) problems.push("split into at least two new streams");
      parts.forEach((p, i) => {
        if (!p.name.trim()) problems.push(`name new stream ${i + 1}`);
      });
      const names = parts.map((p) => p.name.trim().toLowerCase()).filter(Boolean);
      if (new Set(names).size !== names.length) problems.push("give the new streams different names");
      const stages = d.stages ?? [];
      const assign = d.assign ?? {};
      const unassigned = stages.filter((s) => !(Number.isInteger(assign[s]) && assign[s]! >= 0 && assign[s]! < parts.length));
      if (unassigned.length) problems.push(`assign every stage to a new stream (${unassigned.length} left)`);
      const into = parts.map((p, i) => {
        const id = opt(p.id);
        const part = { name: p.name.trim(), stages: stages.filter((s) => assign[s] === i) };
        return id ? { ...part, id } : part;
      });
      return done({ splitStream: { stream, into } });
    }
    case "addElement": {
      const id = opt(d.id);
      const body = { type: need(d.type, "the element type"), name: need(d.name, "a name") };
      return done({ addElement: id ? { ...body, id } : body });
    }
  }
}

/** A scenario name the server accepts (its `^\w[\w .\-]{0,99}$`): 1 to 100 letters, digits, spaces, `.`, `_` or `-`. */
export function scenarioNameProblem(name: string): string | null {
  const t = name.trim();
  if (!t) return "Give the scenario a name.";
  if (t.length > 100) return "The name is longer than 100 characters.";
  if (!/^[\p{L}\p{M}\p{N}_][\p{L}\p{M}\p{N}_ .-]*$/u.test(t)) return "Use letters, digits, spaces, '.', '_' or '-', starting with a letter or digit.";
  return null;
}

// -- calling the server -------------------------------------------------------------------

/** Whether the caller may apply: known from an admin-only read, or unknown (then the server decides). */
export interface RoleInfo {
  admin: boolean | null;
  /** The server's refusal, when it refused. */
  message: string;
}

/** Admin-only read used to learn whether the caller may apply: its refusal is the message shown. */
export const ADMIN_PROBE = restUrl("/api/audit", { limit: 1 });

/** How many bottleneck rows a comparison asks for (ranked within it on either side). */
export const BOTTLENECK_LIMIT = 20;

export class Scenarios {
  constructor(
    readonly client: GraphQLClient,
    private readonly fetchFn: (input: string, init?: RequestInit) => Promise<Response> = (i, init) => globalThis.fetch(i, init),
  ) {}

  async list(): Promise<ScenarioSummary[]> {
    return (await this.client.request(ScenariosDocument, {})).result.map(readSummary);
  }

  async get(name: string): Promise<Scenario | null> {
    const { result } = await this.client.request(ScenarioDocument, { name });
    return result ? readScenario(result) : null;
  }

  async create(name: string, description: string): Promise<Scenario> {
    return readScenario((await this.client.request(CreateScenarioDocument, { name: name.trim(), description: description.trim() })).result);
  }

  async addOperation(name: string, operation: ScenarioOperationInput): Promise<Scenario> {
    return readScenario((await this.client.request(AddOperationDocument, { name, operation })).result);
  }

  async discard(name: string): Promise<void> {
    await this.client.request(DiscardScenarioDocument, { name });
  }

  async apply(name: string): Promise<ApplyResult> {
    return readApplyResult((await this.client.request(ApplyScenarioDocument, { name })).result);
  }

  /**
   * The comparison; `wait` false answers without the bottleneck comparison while the
   * scenario's ranking is not computed yet (`rankingPending`), every other number final.
   */
  async compare(name: string, element: string | null, maxDepth: number, limit = BOTTLENECK_LIMIT, wait = true): Promise<Comparison> {
    const vars = { name, element, maxDepth, limit, wait, page: COMPARE_PAGE, impactPage: COMPARE_IMPACT_PAGE };
    return readComparison((await this.client.request(CompareScenarioDocument, vars)).result);
  }

  /** The compared streams from `offset` of a comparison asked as `compare(name, element, maxDepth)`:
   * rows of the panel's table, without the paths hop by hop (only the first page is drawn). */
  async impactPage(name: string, element: string | null, maxDepth: number, offset: number, limit = COMPARE_MORE): Promise<StreamDelta[]> {
    const { result } = await this.client.request(ComparePageDocument, { name, element, maxDepth, rankLimit: BOTTLENECK_LIMIT, limit, offset, impact: true });
    return (result.impact?.streams ?? []).map(readStreamDelta);
  }

  /** The lost needs from `offset` of a comparison asked as `compare(name, element, maxDepth)`. */
  async lostNeedsPage(name: string, element: string | null, maxDepth: number, offset: number, limit = COMPARE_MORE): Promise<LostNeed[]> {
    const { result } = await this.client.request(ComparePageDocument, { name, element, maxDepth, rankLimit: BOTTLENECK_LIMIT, limit, offset, needs: true });
    return (result.losses.needs ?? []).map(readNeed);
  }

  /** A page from `offset` of one list of elements: the streams or capabilities lost, or a
   * health check's (`check`) findings resolved or introduced. */
  async comparePage(
    name: string,
    element: string | null,
    maxDepth: number,
    list: Exclude<CompareList, "needs">,
    offset: number,
    check = "",
    limit = COMPARE_MORE,
  ): Promise<ElementBrief[]> {
    const { result } = await this.client.request(ComparePageDocument, { name, element, maxDepth, rankLimit: BOTTLENECK_LIMIT, limit, offset, [list]: true });
    if (list === "resolved" || list === "introduced") return (result.health.checks.find((c) => c.id === check)?.[list] ?? []).map(ref);
    return (result.losses[list] ?? []).map(ref);
  }

  /** Whether this token is an admin's: an admin-only read answers 200, or 403 with the refusal. */
  async role(): Promise<RoleInfo> {
    try {
      const r = await this.fetchFn(ADMIN_PROBE, { headers: { accept: "application/json", ...this.client.authHeaders() } });
      if (r.ok) return { admin: true, message: "" };
      if (r.status === 401 || r.status === 403) {
        const body = (await r.json().catch(() => null)) as { detail?: unknown } | null;
        return { admin: false, message: typeof body?.detail === "string" ? body.detail : `the server refused (${r.status})` };
      }
    } catch {
      /* unknown: offer the action and let the server decide */
    }
    return { admin: null, message: "" };
  }
}
