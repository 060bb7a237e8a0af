/**
 * The URL captures what is shown, so a link reproduces the view: page, mode, selection,
 * the elements added and expanded (in order, so re-expanding gives the same graph),
 * pinned and removed elements, filters, layout, progressive counts and the question
 * parameters. Defaults are left out to keep links short.
 */

export type Page = "overview" | "graph" | "health" | "roadmap" | "import";
export type Mode = "explore" | "impact" | "bottleneck" | "scenario";
export type LayoutName = "auto" | "dagre" | "fcose";
/** Impact mode asks what a change affects, what the element depends on, or the path to another element. */
export type ImpactDirection = "impact" | "depends" | "path";
/** Scenario mode: what the graph draws of the compared impact (both sides coloured by change, or one side). */
export type ScenarioSide = "diff" | "base" | "scenario";
/** What the graph groups its elements by, as compound nodes (none: no grouping). */
export type Grouping = "none" | "stream" | "capability" | "team";

export interface ViewState {
  page: Page;
  mode: Mode;
  selected: string | null;
  seeds: string[];
  expanded: string[];
  pinned: string[];
  removed: string[];
  hiddenTypes: string[];
  hiddenRels: string[];
  layout: LayoutName;
  /** Extra neighbours shown per element beyond the first page. */
  shown: Record<string, number>;
  /** Impact mode: the changed element, depth and relationship types to follow (empty = server defaults). */
  impactOf: string | null;
  depth: number;
  impactRels: string[];
  impactDir: ImpactDirection;
  /** Impact mode, direction `path`: the other end of the dependency path. */
  pathTo: string | null;
  /** Bottleneck mode: the selected cluster. */
  cluster: string | null;
  /** Scenario mode: the what-if scenario compared with the base (null: the base model). */
  scenario: string | null;
  /** Scenario mode: which side of the compared impact the graph draws. */
  side: ScenarioSide;
  /** The model as it was on a past date (transaction time, from the history); null: now. */
  asOf: string | null;
  /** The model as planned for a date (lifecycle dates); null: now. Never both (src/time.ts). */
  at: string | null;
  /** Elements grouped by stream, capability or owning team (compound nodes). */
  group: Grouping;
}

export const DEFAULT_DEPTH = 6;

export function defaultState(): ViewState {
  return {
    page: "graph",
    mode: "explore",
    selected: null,
    seeds: [],
    expanded: [],
    pinned: [],
    removed: [],
    hiddenTypes: [],
    hiddenRels: [],
    layout: "auto",
    shown: {},
    impactOf: null,
    depth: DEFAULT_DEPTH,
    impactRels: [],
    impactDir: "impact",
    pathTo: null,
    cluster: null,
    scenario: null,
    side: "diff",
    asOf: null,
    at: null,
    group: "none",
  };
}

const PAGES: readonly Page[] = ["overview", "graph", "health", "roadmap", "import"];
const MODES: readonly Mode[] = ["explore", "impact", "bottleneck", "scenario"];
const LAYOUTS: readonly LayoutName[] = ["auto", "dagre", "fcose"];
const DIRECTIONS: readonly ImpactDirection[] = ["impact", "depends", "path"];
const SIDES: readonly ScenarioSide[] = ["diff", "base", "scenario"];
export const GROUPINGS: readonly Grouping[] = ["none", "stream", "capability", "team"];

const enc = (s: string): string => encodeURIComponent(s);
const encList = (xs: string[]): string => xs.map(enc).join(",");

/** Encode a state as a query string (without the leading `?`); defaults omitted. */
export function encodeState(s: ViewState): string {
  const d = defaultState();
  const parts: string[] = [];
  const put = (k: string, v: string): void => {
    parts.push(`${k}=${v}`);
  };
  if (s.page !== d.page) put("page", s.page);
  if (s.mode !== d.mode) put("mode", s.mode);
  if (s.selected) put("sel", enc(s.selected));
  if (s.seeds.length) put("n", encList(s.seeds));
  if (s.expanded.length) put("x", encList(s.expanded));
  if (s.pinned.length) put("pin", encList(s.pinned));
  if (s.removed.length) put("rm", encList(s.removed));
  if (s.hiddenTypes.length) put("ht", encList(s.hiddenTypes));
  if (s.hiddenRels.length) put("hr", encList(s.hiddenRels));
  if (s.layout !== d.layout) put("layout", s.layout);
  const shown = Object.entries(s.shown).filter(([, v]) => v > 0);
  if (shown.length) put("more", shown.map(([k, v]) => `${enc(k)}:${v}`).join(","));
  if (s.impactOf) put("of", enc(s.impactOf));
  if (s.depth !== d.depth) put("depth", String(s.depth));
  if (s.impactRels.length) put("via", encList(s.impactRels));
  if (s.impactDir !== d.impactDir) put("dir", s.impactDir);
  if (s.pathTo) put("to", enc(s.pathTo));
  if (s.cluster) put("cluster", enc(s.cluster));
  // The compared scenario belongs to scenario mode: other modes always show the base model.
  if (s.mode === "scenario" && s.scenario) put("scn", enc(s.scenario));
  if (s.mode === "scenario" && s.side !== d.side) put("side", s.side);
  if (s.asOf) put("asof", enc(s.asOf));
  else if (s.at) put("at", enc(s.at));
  if (s.group !== d.group) put("group", s.group);
  return parts.join("&");
}

function decodeList(v: string | undefined): string[] {
  if (!v) return [];
  const out: string[] = [];
  for (const part of v.split(",")) {
    if (!part) continue;
    try {
      out.push(decodeURIComponent(part));
    } catch {
      /* a malformed item is dropped, not fatal */
    }
  }
  return [...new Set(out)];
}

function decodeOne(v: string | undefined): string | null {
  const xs = decodeList(v);
  return xs[0] ?? null;
}

/** A scenario name is one value (it may hold spaces, never a list). */
function decodeScenario(v: string | undefined): string | null {
  if (!v) return null;
  try {
    return decodeURIComponent(v).trim() || null;
  } catch {
    return null;
  }
}

/** A date (YYYY-MM-DD, or a full ISO time); anything else is no date. */
function decodeDate(v: string | undefined): string | null {
  const d = decodeScenario(v);
  return d && /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(d) && !Number.isNaN(Date.parse(d)) ? d : null;
}

function pick<T extends string>(v: string | undefined, allowed: readonly T[], fallback: T): T {
  return v && (allowed as readonly string[]).includes(v) ? (v as T) : fallback;
}

/** Decode a query string (with or without `?`); unknown keys and bad values fall back to defaults. */
export function decodeState(query: string): ViewState {
  const raw = new Map<string, string>();
  for (const kv of query.replace(/^[?#]/, "").split("&")) {
    if (!kv) continue;
    const i = kv.indexOf("=");
    const key = i < 0 ? kv : kv.slice(0, i);
    raw.set(key, i < 0 ? "" : kv.slice(i + 1).replace(/\+/g, "%20"));
  }
  const d = defaultState();
  const shown: Record<string, number> = {};
  for (const part of (raw.get("more") ?? "").split(",")) {
    const i = part.lastIndexOf(":");
    if (i <= 0) continue;
    const n = Number(part.slice(i + 1));
    try {
      if (Number.isInteger(n) && n > 0) shown[decodeURIComponent(part.slice(0, i))] = Math.min(n, 100_000);
    } catch {
      /* ignore */
    }
  }
  const depth = Number(raw.get("depth"));
  return {
    page: pick(raw.get("page"), PAGES, d.page),
    mode: pick(raw.get("mode"), MODES, d.mode),
    selected: decodeOne(raw.get("sel")),
    seeds: decodeList(raw.get("n")),
    expanded: decodeList(raw.get("x")),
    pinned: decodeList(raw.get("pin")),
    removed: decodeList(raw.get("rm")),
    hiddenTypes: decodeList(raw.get("ht")),
    hiddenRels: decodeList(raw.get("hr")),
    layout: pick(raw.get("layout"), LAYOUTS, d.layout),
    shown,
    impactOf: decodeOne(raw.get("of")),
    depth: Number.isInteger(depth) && depth >= 1 && depth <= 20 ? depth : d.depth,
    impactRels: decodeList(raw.get("via")),
    impactDir: pick(raw.get("dir"), DIRECTIONS, d.impactDir),
    pathTo: decodeOne(raw.get("to")),
    cluster: decodeOne(raw.get("cluster")),
    scenario: decodeScenario(raw.get("scn")),
    side: pick(raw.get("side"), SIDES, d.side),
    asOf: decodeDate(raw.get("asof")),
    at: decodeDate(raw.get("asof")) ? null : decodeDate(raw.get("at")),
    group: pick(raw.get("group"), GROUPINGS, d.group),
  };
}

/** A link that opens the graph on an element: added, expanded and selected. Pure. */
export function graphHref(ids: string[], selected?: string): string {
  const s = defaultState();
  s.seeds = ids;
  s.expanded = selected ? [selected] : ids.slice(0, 1);
  s.selected = selected ?? ids[0] ?? null;
  return `?${encodeState(s)}`;
}

