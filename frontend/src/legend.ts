/**
 * What a legend says about a drawing: the element types and relationship groups drawn, the
 * heat scale when heat colours are used, the scenario markings and the grouping. Pure: built
 * from the drawing's contents and `style.ts`'s tables, so the legend on screen, in the PNG
 * and in the SVG say the same, and say only what the drawing shows.
 */
import { EDGE_GROUPS, REL_GROUP, SCENARIO_COLORS, loadColor, nodeStyle } from "./style";
import { GROUPING_LABELS } from "./grouping";
import type { Grouping } from "./urlstate";

export interface LegendItem {
  kind: "node" | "edge" | "mark" | "group";
  label: string;
  color: string;
  /** Node items: the Cytoscape shape. */
  shape?: string;
  /** Edge and mark items: the line style. */
  line?: "solid" | "dashed" | "dotted" | "double";
}

export interface LegendSection {
  title: string;
  items: LegendItem[];
}

/** A colour ramp and what its ends mean. */
export interface HeatScale {
  title: string;
  low: number;
  high: number;
  /** Colours from low to high, evenly spaced. */
  stops: string[];
}

export interface Legend {
  sections: LegendSection[];
  heat: HeatScale | null;
}

/** The range of heat values a drawing colours, for its scale. */
export interface HeatRange {
  title: string;
  low: number;
  high: number;
}

export function heatRange(title: string, values: number[]): HeatRange | null {
  const finite = values.filter((v) => Number.isFinite(v));
  if (!finite.length) return null;
  return { title, low: Math.min(0, ...finite), high: Math.max(0, ...finite) };
}

/** The colours of the heat scale (the ramp `loadStyles` colours elements with). */
export function heatScale(range: HeatRange, steps = 5): HeatScale {
  const stops = Array.from({ length: steps }, (_, i) => loadColor(i / (steps - 1)));
  return { title: range.title, low: range.low, high: range.high, stops };
}

const SCENARIO_LABELS: Record<string, string> = {
  lost: "Loses what it needs",
  added: "Newly reached",
  removed: "No longer reached",
  closer: "Closer",
  further: "Further",
  same: "Unchanged",
};

export interface LegendInput {
  /** Node types drawn (in any order). */
  types: string[];
  /** Relationship types drawn. */
  rels: string[];
  heat?: HeatRange | null;
  /** Scenario changes drawn (keys of SCENARIO_COLORS). */
  scenario?: string[];
  grouping?: Grouping;
  groups?: number;
}

/** The legend of a drawing. Pure; sections in a fixed order, items in the tables' order. */
export function buildLegend(input: LegendInput): Legend {
  const sections: LegendSection[] = [];
  const types = new Set(input.types);
  const nodeItems: LegendItem[] = [];
  for (const type of [...types].sort()) {
    if (type === "Group") continue;
    const s = nodeStyle(type);
    nodeItems.push({ kind: "node", label: s.label, color: s.color, shape: s.shape });
  }
  nodeItems.sort((a, b) => a.label.localeCompare(b.label));
  if (nodeItems.length) sections.push({ title: "Elements", items: nodeItems });
  const groups = new Set(input.rels.map((r) => REL_GROUP[r] ?? "imported"));
  const edgeItems = Object.entries(EDGE_GROUPS)
    .filter(([g]) => groups.has(g as keyof typeof EDGE_GROUPS))
    .map(([, s]): LegendItem => ({ kind: "edge", label: s.group, color: s.color, line: s.line }));
  if (edgeItems.length) sections.push({ title: "Relationships", items: edgeItems });
  const changes = new Set(input.scenario ?? []);
  const scenarioItems = Object.entries(SCENARIO_COLORS)
    .filter(([k]) => changes.has(k))
    .map(([k, c]): LegendItem => ({ kind: "mark", label: SCENARIO_LABELS[k] ?? k, color: c.color, line: c.line }));
  if (scenarioItems.length) sections.push({ title: "Scenario (border)", items: scenarioItems });
  if (input.grouping && input.grouping !== "none" && (input.groups ?? 0) > 0) {
    sections.push({ title: "Groups", items: [{ kind: "group", label: GROUPING_LABELS[input.grouping], color: "#64748B" }] });
  }
  return { sections, heat: input.heat ? heatScale(input.heat) : null };
}

/** A number for a scale's end: whole numbers as such, others to two decimals. */
export function formatScaleValue(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}
