/**
 * The questions (impact, bottlenecks, health) as the explorer uses them.
 *
 * These GraphQL fields are added by another part of the backend; the explorer finds them
 * by introspection, builds its request from the field's real arguments and return type,
 * and reads the answer tolerantly into the small normalised shapes below. A server
 * without the field gets a clear "not available on this server" message instead.
 */
import type { GraphQLClient, ServerSchema } from "./gql";
import { buildCall, documentFor, type ArgIntent } from "./select";
import type { ElementBrief } from "./types";

export type Json = unknown;
type Obj = Record<string, unknown>;

export interface PathStep {
  source: string;
  target: string;
  rel: string;
}

export interface ImpactStream {
  stream: ElementBrief;
  distance: number | null;
  /** Elements of one explaining path, from the changed element to the stream. */
  pathNodes: ElementBrief[];
  pathSteps: PathStep[];
  /** The server's own wording of the path, where it gives one. */
  pathText: string;
}

export interface NotifyEntry {
  element: ElementBrief;
  reason: string;
}

/** How many the whole answer holds when the server pages its lists (`counts`). */
export interface ImpactTotals {
  streams: number;
  affected: number;
  notify: number;
}

export interface ImpactResult {
  source: ElementBrief | null;
  streams: ImpactStream[];
  affected: ElementBrief[];
  notify: NotifyEntry[];
  totals: ImpactTotals | null;
  raw: Json;
}

/** "500 of 1,234" when a list is a page of a longer one, else its length. */
export function shownOf(shown: number, total: number | undefined): string {
  return total !== undefined && total > shown ? `${shown.toLocaleString()} of ${total.toLocaleString()}` : `${shown}`;
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
  load: number | null;
}

export interface BottleneckResult {
  items: BottleneckItem[];
  clusters: Cluster[];
  raw: Json;
}

export interface Finding {
  element: ElementBrief | null;
  elements: ElementBrief[];
  message: string;
}

export interface HealthCheck {
  id: string;
  title: string;
  score: number | null;
  passed: boolean | null;
  description: string;
  findings: Finding[];
}

export interface HealthReport {
  score: number | null;
  checks: HealthCheck[];
  markdown: string | null;
  raw: Json;
}

// -- tolerant readers ---------------------------------------------------------------------

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function str(v: unknown): string | null {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : null;
}

function num(v: unknown): number | null {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return null;
}

/** The first present value among keys (case-insensitive, `_` ignored). */
export function get(o: unknown, ...keys: string[]): unknown {
  if (!isObj(o)) return undefined;
  const norm = (k: string): string => k.toLowerCase().replace(/_/g, "");
  const table = new Map(Object.keys(o).map((k) => [norm(k), k]));
  for (const k of keys) {
    const real = table.get(norm(k));
    if (real !== undefined && o[real] !== undefined && o[real] !== null) return o[real];
  }
  return undefined;
}

/** The first key whose normalised name matches a pattern. */
function getMatching(o: unknown, re: RegExp, exclude?: RegExp): unknown {
  if (!isObj(o)) return undefined;
  for (const [k, v] of Object.entries(o)) {
    if (re.test(k) && !(exclude && exclude.test(k)) && v != null) return v;
  }
  return undefined;
}

/** Read an element out of whatever wraps it: an element, `{element|node|stream|team…: element}`, or an id. */
export function asElement(v: unknown, typeHint = ""): ElementBrief | null {
  if (typeof v === "string") return v ? { id: v, type: typeHint, name: v } : null;
  if (!isObj(v)) return null;
  const id = str(get(v, "id", "elementId", "nodeId"));
  const name = str(get(v, "name", "title"));
  if (id && (name !== null || get(v, "type", "__typename", "label") !== undefined)) {
    const type = str(get(v, "type", "label", "kind")) ?? str(v.__typename) ?? typeHint;
    return { id, type: type ?? typeHint, name: name ?? id };
  }
  for (const key of ["element", "node", "stream", "valueStream", "team", "platform", "target", "item", "entity"]) {
    const inner = get(v, key);
    if (isObj(inner) || typeof inner === "string") {
      const e = asElement(inner, typeHint);
      if (e) return e;
    }
  }
  if (id) return { id, type: typeHint, name: name ?? id };
  return null;
}

function asArray(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (isObj(v)) {
    const items = get(v, "items", "nodes", "edges", "list");
    if (Array.isArray(items)) return items;
  }
  return [];
}

function elements(v: unknown, typeHint = ""): ElementBrief[] {
  return asArray(v)
    .map((x) => asElement(x, typeHint))
    .filter((x): x is ElementBrief => x !== null);
}

/** A path in any of the usual encodings: steps, {nodes, relationships}, or alternating items. */
export function readPath(v: unknown): { nodes: ElementBrief[]; steps: PathStep[] } {
  if (typeof v === "string") {
    // "a -[USES]-> b", "a <-[DEPENDS_ON]- b" (b depends on a), "a → b"
    const re = /\s*(?:-\[([A-Za-z_:]+)\]->|<-\[([A-Za-z_:]+)\]-|→|->)\s*/g;
    const names: string[] = [];
    const arrows: { rel: string; back: boolean }[] = [];
    let last = 0;
    for (let m = re.exec(v); m; m = re.exec(v)) {
      names.push(v.slice(last, m.index).trim());
      arrows.push({ rel: m[1] ?? m[2] ?? "", back: m[2] !== undefined });
      last = re.lastIndex;
    }
    names.push(v.slice(last).trim());
    if (names.some((n) => !n)) return { nodes: [], steps: [] };
    const nodes = names.map((n) => ({ id: n, type: "", name: n }));
    const steps = arrows.map((a, i) =>
      a.back ? { source: names[i + 1]!, target: names[i]!, rel: a.rel } : { source: names[i]!, target: names[i + 1]!, rel: a.rel },
    );
    return { nodes, steps };
  }
  if (isObj(v)) {
    const ns = get(v, "nodes", "elements");
    const rs = get(v, "relationships", "rels", "edges", "steps");
    if (Array.isArray(ns) || Array.isArray(rs)) {
      const nodes = elements(ns);
      const steps = asArray(rs)
        .map((r) => readStep(r))
        .filter((s): s is PathStep => s !== null);
      if (!steps.length && nodes.length > 1) {
        for (let i = 1; i < nodes.length; i++) steps.push({ source: nodes[i - 1]!.id, target: nodes[i]!.id, rel: "" });
      }
      return { nodes: nodes.length ? nodes : nodesFromSteps(steps), steps };
    }
    const inner = get(v, "path", "explanation");
    if (inner !== undefined) return readPath(inner);
    return { nodes: [], steps: [] };
  }
  if (Array.isArray(v)) {
    const steps = v.map((x) => readStep(x));
    if (v.length && steps.every((s) => s !== null)) {
      const ss = steps as PathStep[];
      const nodes = v.flatMap((x) => {
        const from = asElement(get(x, "fromElement", "from", "source", "start"));
        const to = asElement(get(x, "toElement", "to", "target", "end"));
        return [from, to].filter((e): e is ElementBrief => e !== null);
      });
      return { nodes: dedupe(nodes.length ? nodes : nodesFromSteps(ss)), steps: ss };
    }
    // alternating element / relationship-name list, or a plain element list
    const nodes: ElementBrief[] = [];
    const out: PathStep[] = [];
    let rel = "";
    for (const x of v) {
      if (typeof x === "string" && /^[A-Z_]+$/.test(x)) {
        rel = x;
        continue;
      }
      const relName = isObj(x) && !get(x, "name") ? str(get(x, "type", "rel", "relationship")) : null;
      if (relName && /^[A-Z_]+$/.test(relName)) {
        rel = relName;
        continue;
      }
      const e = asElement(x);
      if (!e) continue;
      const prev = nodes[nodes.length - 1];
      if (prev) out.push({ source: prev.id, target: e.id, rel });
      nodes.push(e);
      rel = "";
    }
    return { nodes, steps: out };
  }
  return { nodes: [], steps: [] };
}

function readStep(x: unknown): PathStep | null {
  if (!isObj(x)) return null;
  const from = get(x, "fromElement", "from", "source", "start");
  const to = get(x, "toElement", "to", "target", "end");
  if (from === undefined || to === undefined) return null;
  const a = asElement(from);
  const b = asElement(to);
  if (!a || !b) return null;
  const rel = str(get(x, "relationship", "rel", "type", "relType", "via")) ?? "";
  // Steps are in travel order; `storedForward: false` means stored as to -[rel]-> from.
  const stored = get(x, "storedForward", "forward");
  return stored === false ? { source: b.id, target: a.id, rel } : { source: a.id, target: b.id, rel };
}

function nodesFromSteps(steps: PathStep[]): ElementBrief[] {
  const ids: string[] = [];
  for (const s of steps) {
    if (!ids.includes(s.source)) ids.push(s.source);
    if (!ids.includes(s.target)) ids.push(s.target);
  }
  return ids.map((id) => ({ id, type: "", name: id }));
}

function dedupe(xs: ElementBrief[]): ElementBrief[] {
  const seen = new Map<string, ElementBrief>();
  for (const x of xs) if (!seen.has(x.id)) seen.set(x.id, x);
  return [...seen.values()];
}

function unwrap(raw: Json): Json {
  // Accept `{result: X}`, a JSON string, or X.
  if (typeof raw === "string") {
    try {
      return JSON.parse(raw) as Json;
    } catch {
      return raw;
    }
  }
  return raw;
}

// -- impact -----------------------------------------------------------------------------

export function normaliseImpact(raw: Json): ImpactResult {
  const r = unwrap(raw);
  const source = asElement(get(r, "source", "element", "changed", "origin", "root", "start"));
  const streamList = get(r, "streams", "affectedStreams", "valueStreams", "impactedStreams") ?? getMatching(r, /stream/i);
  const streams: ImpactStream[] = [];
  for (const item of asArray(streamList)) {
    const stream = asElement(item, "ValueStream");
    if (!stream) continue;
    if (!stream.type) stream.type = "ValueStream";
    const distance = num(get(item, "distance", "hops", "depth", "length"));
    const paths = get(item, "paths");
    const pathRaw = get(item, "path", "explanation", "via") ?? (Array.isArray(paths) ? paths[0] : undefined);
    const { nodes, steps } = readPath(pathRaw);
    const pathText = str(get(item, "pathText", "explanationText")) ?? (typeof pathRaw === "string" ? pathRaw : "");
    streams.push({ stream, distance: distance ?? (steps.length || null), pathNodes: nodes, pathSteps: steps, pathText });
  }
  const notify: NotifyEntry[] = [];
  const pushNotify = (list: unknown, hint: string): void => {
    for (const item of asArray(list)) {
      const element = asElement(item, hint);
      if (!element) continue;
      const reason = str(get(item, "reason", "why", "role", "because", "explanation")) ?? "";
      if (!notify.some((n) => n.element.id === element.id)) notify.push({ element, reason });
    }
  };
  // `teamsToNotify`, `peopleToNotify`, `notify: {teams, people}`, `notify: [...]`, `teams`, `people`…
  for (const [k, v] of Object.entries(isObj(r) ? r : {})) {
    if (!/notify|^teams$|^people$|stakeholder|^accountable/i.test(k)) continue;
    const hint = (key: string): string => (/team/i.test(key) ? "Team" : /people|person|account/i.test(key) ? "Person" : "");
    if (isObj(v)) for (const [k2, v2] of Object.entries(v)) pushNotify(v2, hint(k2));
    else pushNotify(v, hint(k));
  }
  const affected: ElementBrief[] = [];
  for (const [k, v] of Object.entries(isObj(r) ? r : {})) {
    if (/stream|notify|team|people|person|accountable|source|element$|changed|origin|root/i.test(k)) continue;
    if (/affected|capabilit|platform|data|element|node|^other$/i.test(k)) affected.push(...elements(v));
  }
  const counts = get(r, "counts");
  const count = (key: string): number => num(get(counts, key)) ?? 0;
  const totals = isObj(counts)
    ? { streams: count("streams"), affected: count("affected") - count("streams"), notify: count("teamsToNotify") + count("peopleToNotify") }
    : null;
  return { source, streams, affected: dedupe(affected), notify, totals, raw: r };
}

/** What an element depends on, read into the impact shape (`streams` = the dependencies). */
export function normaliseDependsOn(raw: Json): ImpactResult {
  const r = unwrap(raw);
  const list = Array.isArray(r) ? r : (get(r, "dependencies", "dependsOn", "items", "elements") ?? []);
  const as = normaliseImpact({ element: get(r, "element", "source", "root"), streams: list });
  for (const st of as.streams) {
    const original = asArray(list).find((x) => asElement(x)?.id === st.stream.id);
    st.stream.type = asElement(original)?.type ?? "";
  }
  return { ...as, raw: r };
}

// -- dependency path ----------------------------------------------------------------------

export type PathDirection = "source-affects-target" | "target-affects-source" | "none";

export interface PathResult {
  source: ElementBrief | null;
  target: ElementBrief | null;
  direction: PathDirection;
  distance: number | null;
  /** Elements along the path, in travel order. */
  nodes: ElementBrief[];
  /** Steps in stored direction (what the graph draws). */
  steps: PathStep[];
  /** One line per hop, as the server words it. */
  stepTexts: string[];
  explanation: string;
  raw: Json;
}

/** A `dependencyPath` answer (`PathAnswer`): endpoints, direction, distance and the steps. */
export function normalisePath(raw: Json): PathResult {
  const r = unwrap(raw);
  const dir = (str(get(r, "direction")) ?? "").toUpperCase();
  const direction: PathDirection = dir === "SOURCE_AFFECTS_TARGET" ? "source-affects-target" : dir === "TARGET_AFFECTS_SOURCE" ? "target-affects-source" : "none";
  const stepList = asArray(get(r, "steps", "path"));
  const { nodes, steps } = readPath(stepList);
  return {
    source: asElement(get(r, "source", "from")),
    target: asElement(get(r, "target", "to")),
    direction: steps.length ? direction : "none",
    distance: num(get(r, "distance", "hops")) ?? (steps.length || null),
    nodes,
    steps,
    stepTexts: stepList.map((x) => str(get(x, "text")) ?? "").filter(Boolean),
    explanation: str(get(r, "explanation", "text")) ?? "",
    raw: r,
  };
}

// -- bottlenecks --------------------------------------------------------------------------

export function normaliseBottlenecks(raw: Json): BottleneckResult {
  const r = unwrap(raw);
  const list = Array.isArray(r) ? r : get(r, "bottlenecks", "ranking", "items", "ranked", "nodes", "elements");
  const items: BottleneckItem[] = [];
  for (const item of asArray(list)) {
    const element = asElement(item);
    if (!element) continue;
    const metrics: Record<string, number> = {};
    const collect = (o: unknown): void => {
      if (!isObj(o)) return;
      for (const [k, v] of Object.entries(o)) {
        const n = num(v);
        if (n !== null && typeof v === "number") metrics[k] = n;
      }
    };
    collect(item);
    collect(get(item, "metrics", "measures", "stats"));
    const score = num(get(item, "score", "load", "coordinationLoad", "rank_score")) ?? 0;
    const explanation = str(get(item, "explanation", "why", "reason", "summary")) ?? "";
    items.push({ element, score, metrics, explanation });
  }
  items.sort((a, b) => b.score - a.score);
  const clusters: Cluster[] = [];
  asArray(get(r, "clusters", "communities", "groups")).forEach((c, i) => {
    const streams = elements(get(c, "streams", "valueStreams", "members"), "ValueStream");
    const shared = elements(get(c, "shared", "sharedNodes", "binding", "bindingNodes", "bottlenecks", "sharedBottlenecks", "binds"));
    const id = str(get(c, "id", "cluster", "index")) ?? String(i + 1);
    const label = str(get(c, "name", "label")) ?? `Cluster ${id.replace(/^cluster[-_ ]?/i, "")}`;
    const load = num(get(c, "load", "internalLoad", "coordinationLoad", "weight", "score"));
    clusters.push({ id, label, streams, shared, load });
  });
  return { items, clusters, raw: r };
}

// -- health -----------------------------------------------------------------------------

export function normaliseHealth(raw: Json): HealthReport {
  const r = unwrap(raw);
  const list = Array.isArray(r) ? r : get(r, "checks", "results", "findings", "items");
  const checks: HealthCheck[] = [];
  asArray(list).forEach((c, i) => {
    const id = str(get(c, "id", "key", "code", "check", "name")) ?? `check-${i + 1}`;
    const title = str(get(c, "title", "name", "label", "check")) ?? id;
    const description = str(get(c, "description", "summary", "explanation", "message")) ?? "";
    const score = num(get(c, "score", "value"));
    const passedRaw = get(c, "passed", "ok", "pass", "healthy");
    const status = str(get(c, "status", "result", "severity"));
    const passed = typeof passedRaw === "boolean" ? passedRaw : status ? /^(ok|pass|passed|healthy|green)$/i.test(status) : null;
    const findings: Finding[] = [];
    for (const f of asArray(get(c, "findings", "offenders", "offending", "elements", "items", "violations", "issues"))) {
      const element = asElement(f);
      const els = elements(get(f, "related", "elements", "nodes", "path", "cycle", "members"));
      const message = str(get(f, "message", "detail", "explanation", "reason", "why")) ?? (typeof f === "string" ? f : "");
      findings.push({ element, elements: els, message });
    }
    checks.push({ id, title, score, passed: passed ?? (findings.length === 0 ? true : null), description, findings });
  });
  return {
    score: num(get(r, "score", "overall", "overallScore", "total")),
    checks,
    markdown: str(get(r, "markdown", "text", "report")),
    raw: r,
  };
}

// -- calling the server -----------------------------------------------------------------

export class NotAvailable extends Error {
  constructor(readonly feature: string, detail: string) {
    super(`${feature} is not available on this server (${detail}).`);
    this.name = "NotAvailable";
  }
}

/** The candidates for each question field, by name, in order of preference. */
export const FIELD_NAMES = {
  impact: ["impact", "changeImpact"],
  dependsOn: ["dependsOn", "dependsOnTree", "dependencies", "dependencyTree"],
  path: ["path", "dependencyPath"],
  bottlenecks: ["bottlenecks", "coordinationBottlenecks"],
  health: ["healthReport", "health", "operatingModelHealth"],
} as const;

export function findField(server: ServerSchema | null, names: readonly string[]): string | null {
  if (!server) return null;
  return names.find((n) => server.query.has(n)) ?? null;
}

export interface ImpactParams {
  element: string;
  depth: number;
  rels: string[];
}

export class Questions {
  constructor(
    readonly client: GraphQLClient,
    readonly server: ServerSchema | null,
  ) {}

  has(kind: keyof typeof FIELD_NAMES): boolean {
    return findField(this.server, FIELD_NAMES[kind]) !== null;
  }

  private async run(kind: keyof typeof FIELD_NAMES, label: string, intents: ArgIntent[]): Promise<Json> {
    const name = findField(this.server, FIELD_NAMES[kind]);
    if (!name || !this.server) throw new NotAvailable(label, `the GraphQL API has no \`${FIELD_NAMES[kind][0]}\` query yet`);
    const field = this.server.query.get(name)!;
    const built = buildCall(this.server, field, intents);
    if (!built.call) throw new NotAvailable(label, `\`${name}\` needs arguments the explorer does not know: ${built.missing.join(", ")}`);
    const data = await this.client.request<{ result: Json }>(documentFor(this.server, field, built.call));
    return data.result;
  }

  async impact(p: ImpactParams): Promise<ImpactResult> {
    const raw = await this.run("impact", "Impact analysis", [
      { names: [/^(element|elementId|id|node|nodeId|of|source|target|start|from)$/i, /element|node|id/i], value: p.element },
      { names: [/depth|hops/i], value: p.depth },
      { names: [/^(rel|relationship)?types$/i, /rel|via|follow|propagat/i], value: p.rels, optional: true },
    ]);
    return normaliseImpact(raw);
  }

  async dependsOn(p: ImpactParams): Promise<ImpactResult> {
    const raw = await this.run("dependsOn", "Dependency analysis", [
      { names: [/^(element|elementId|id|node|nodeId|of|source|target|start|from)$/i, /element|node|id/i], value: p.element },
      { names: [/depth|hops/i], value: p.depth },
      { names: [/^(rel|relationship)?types$/i, /rel|via|follow|propagat/i], value: p.rels, optional: true },
    ]);
    return normaliseDependsOn(raw);
  }

  async path(p: ImpactParams & { target: string }): Promise<PathResult> {
    const raw = await this.run("path", "The dependency path", [
      { names: [/^(source|from|start)$/i], value: p.element },
      { names: [/^(target|to|end)$/i], value: p.target },
      { names: [/depth|hops/i], value: p.depth },
      { names: [/^(rel|relationship)?types$/i, /rel|via|follow/i], value: p.rels, optional: true },
    ]);
    return normalisePath(raw);
  }

  async bottlenecks(limit = 50): Promise<BottleneckResult> {
    const raw = await this.run("bottlenecks", "Bottleneck analysis", [
      { names: [/^(limit|top|first|n)$/i], value: limit, optional: true },
    ]);
    return normaliseBottlenecks(raw);
  }

  async health(): Promise<HealthReport> {
    return normaliseHealth(await this.run("health", "The health report", []));
  }
}
