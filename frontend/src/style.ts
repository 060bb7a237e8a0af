/**
 * How each node type and relationship type looks: colour and shape per node type,
 * colour and line style per relationship group. The legend and the Cytoscape stylesheet
 * are both generated from these tables, so they cannot disagree.
 */

export interface NodeStyle {
  label: string;
  color: string;
  shape: string;
  /** Base size in px; value streams are drawn larger. */
  size: number;
}

export interface EdgeStyle {
  color: string;
  line: "solid" | "dashed" | "dotted";
  group: string;
}

/** Okabe–Ito-based palette with distinct shapes, so types are told apart without colour too. */
export const NODE_STYLES: Record<string, NodeStyle> = {
  ValueStream: { label: "Value stream", color: "#D55E00", shape: "tag", size: 54 },
  Stage: { label: "Stage", color: "#E69F00", shape: "right-rhomboid", size: 36 },
  Capability: { label: "Capability", color: "#0072B2", shape: "round-rectangle", size: 38 },
  Platform: { label: "Platform", color: "#7B4FBF", shape: "barrel", size: 42 },
  Team: { label: "Team", color: "#009E73", shape: "ellipse", size: 40 },
  DataAsset: { label: "Data asset", color: "#56B4E9", shape: "cut-rectangle", size: 34 },
  Person: { label: "Person", color: "#CC79A7", shape: "round-triangle", size: 32 },
  Measure: { label: "Measure", color: "#6B8E23", shape: "diamond", size: 32 },
  Investment: { label: "Investment", color: "#B8860B", shape: "octagon", size: 34 },
  GovernanceForum: { label: "Governance forum", color: "#4B5563", shape: "hexagon", size: 38 },
  GenericElement: { label: "Imported generic element", color: "#9CA3AF", shape: "rhomboid", size: 30 },
};

export const FALLBACK_NODE_STYLE: NodeStyle = { label: "Other", color: "#6B7280", shape: "ellipse", size: 30 };

export const EDGE_GROUPS: Record<string, EdgeStyle> = {
  structure: { color: "#94A3B8", line: "solid", group: "Structure (stages, capability nesting)" },
  dependency: { color: "#334155", line: "solid", group: "Dependency (requires, uses, depends on)" },
  data: { color: "#0891B2", line: "dashed", group: "Data (reads, writes)" },
  organisation: { color: "#059669", line: "dotted", group: "Organisation (owns, supports, member, accountable)" },
  funding: { color: "#B45309", line: "dashed", group: "Funding, measures, governance" },
  imported: { color: "#9CA3AF", line: "dashed", group: "Imported, unmapped (related to)" },
};

export const REL_GROUP: Record<string, keyof typeof EDGE_GROUPS> = {
  HAS_STAGE: "structure",
  CONTAINS: "structure",
  REQUIRES: "dependency",
  USES: "dependency",
  DEPENDS_ON: "dependency",
  READS: "data",
  WRITES: "data",
  OWNS: "organisation",
  SUPPORTS: "organisation",
  MEMBER_OF: "organisation",
  ACCOUNTABLE_FOR: "organisation",
  FUNDED_BY: "funding",
  MEASURED_BY: "funding",
  DECIDES_FOR: "funding",
  RELATED_TO: "imported",
};

export function nodeStyle(type: string): NodeStyle {
  return NODE_STYLES[type] ?? FALLBACK_NODE_STYLE;
}

export function edgeStyle(rel: string): EdgeStyle {
  return EDGE_GROUPS[REL_GROUP[rel] ?? "imported"]!;
}

/** A readable label for a relationship type: `DEPENDS_ON` → `depends on`. */
export function relLabel(rel: string): string {
  return rel.toLowerCase().replace(/_/g, " ");
}

/** Linear scale of a value into [min, max] px, for bottleneck sizing. */
export function scaleSize(value: number, lo: number, hi: number, min = 30, max = 90): number {
  if (!Number.isFinite(value) || hi <= lo) return min;
  const t = Math.min(1, Math.max(0, (value - lo) / (hi - lo)));
  return Math.round(min + t * (max - min));
}

/** Colour ramp (light yellow → dark red) for a load in [0, 1]. */
export function loadColor(t: number): string {
  const stops = [
    [255, 237, 160],
    [254, 178, 76],
    [240, 59, 32],
    [128, 0, 38],
  ];
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const c = stops[i]!.map((v, k) => Math.round(v + (stops[i + 1]![k]! - v) * f));
  return `#${c.map((v) => v.toString(16).padStart(2, "0")).join("")}`;
}

/** Sizes and colours per element from scores (pure, tested). */
export function loadStyles(items: { element: { id: string }; score: number }[]): Map<string, { size: number; color: string }> {
  const scores = items.map((i) => i.score);
  const lo = Math.min(...scores, 0);
  const hi = Math.max(...scores, 0);
  return new Map(
    items.map((i) => [i.element.id, { size: scaleSize(i.score, lo, hi), color: loadColor(hi > lo ? (i.score - lo) / (hi - lo) : 0) }]),
  );
}

/** Categorical colours for clusters. */
export const CLUSTER_COLORS = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999"];

export function clusterColor(index: number): string {
  return CLUSTER_COLORS[((index % CLUSTER_COLORS.length) + CLUSTER_COLORS.length) % CLUSTER_COLORS.length]!;
}

/** How a stream's reach changes in a scenario: colour and border style (not colour alone). */
export const SCENARIO_COLORS: Record<string, { color: string; line: "solid" | "dashed" | "dotted" | "double" }> = {
  lost: { color: "#7F1D1D", line: "double" },
  added: { color: "#15803D", line: "solid" },
  removed: { color: "#B91C1C", line: "dashed" },
  closer: { color: "#1D4ED8", line: "solid" },
  further: { color: "#C2410C", line: "dotted" },
  same: { color: "#6B7280", line: "solid" },
};

type Css = Record<string, string | number | ((ele: { data(k: string): unknown }) => string | number)>;
export interface StyleRule {
  selector: string;
  style: Css;
}

/** The Cytoscape stylesheet, generated from the tables above. */
export function cytoscapeStyle(): StyleRule[] {
  const rules: StyleRule[] = [
    {
      selector: "node",
      style: {
        label: "data(label)",
        "font-family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
        "font-size": 11,
        color: "#111827",
        "text-valign": "bottom",
        "text-halign": "center",
        "text-margin-y": 4,
        "text-wrap": "wrap",
        "text-max-width": "120px",
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.8,
        "text-background-padding": "1px",
        "border-width": 1,
        "border-color": "#ffffff",
        width: "data(size)",
        height: "data(size)",
        "min-zoomed-font-size": 7,
      },
    },
  ];
  for (const [type, s] of Object.entries(NODE_STYLES)) {
    rules.push({ selector: `node[type = "${type}"]`, style: { "background-color": s.color, shape: s.shape } });
  }
  rules.push(
    { selector: "node[type = \"ValueStream\"]", style: { width: "data(wide)", "font-weight": "bold" } },
    // Groups (compound nodes, `grouping.ts`): a light box named at its top.
    {
      selector: "node.group",
      style: {
        shape: "round-rectangle",
        "background-color": "#F1F5F9",
        "background-opacity": 0.7,
        "border-width": 1.5,
        "border-style": "dashed",
        "border-color": "#64748B",
        "text-valign": "top",
        "text-halign": "center",
        "text-margin-y": -4,
        "font-weight": "bold",
        color: "#334155",
        padding: "16px",
      },
    },
    { selector: "node.expanded", style: { "border-width": 3, "border-color": "#1F2937" } },
    { selector: "node.pinned", style: { "border-style": "double", "border-width": 5, "border-color": "#111827" } },
    { selector: "node.has-more", style: { "outline-width": 2, "outline-color": "#F59E0B", "outline-offset": 2 } },
    {
      selector: "node:selected",
      style: { "underlay-color": "#2563EB", "underlay-padding": 6, "underlay-opacity": 0.35, "underlay-shape": "ellipse" },
    },
    {
      selector: "edge",
      style: {
        width: 1.5,
        // A lone edge is a straight line either way; only a bundle (`parallel`, set by
        // `elements.ts`) needs Cytoscape's bezier bundling, which is dear on large drawings.
        "curve-style": "straight",
        "target-arrow-shape": "triangle",
        "arrow-scale": 0.9,
        "line-color": "#94A3B8",
        "target-arrow-color": "#94A3B8",
        label: "",
        "font-size": 9,
        color: "#374151",
        "text-rotation": "autorotate",
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.85,
      },
    },
  );
  rules.push({ selector: "edge.parallel", style: { "curve-style": "bezier" } });
  for (const [rel, group] of Object.entries(REL_GROUP)) {
    const s = EDGE_GROUPS[group]!;
    rules.push({
      selector: `edge[rel = "${rel}"]`,
      style: { "line-color": s.color, "target-arrow-color": s.color, "line-style": s.line },
    });
  }
  rules.push(
    { selector: "edge:selected, edge.show-label", style: { label: "data(label)", width: 2.5 } },
    // Question overlays: dim everything, then light up what the answer names.
    { selector: ".dimmed", style: { opacity: 0.18 } },
    {
      selector: "node.impact-source",
      style: { "underlay-color": "#DC2626", "underlay-padding": 10, "underlay-opacity": 0.5, "underlay-shape": "ellipse" },
    },
    { selector: "node.on-path", style: { "border-width": 2, "border-color": "#DC2626" } },
    {
      selector: "node.impacted",
      style: { "border-width": 4, "border-color": "#DC2626", "font-weight": "bold" },
    },
    {
      selector: "node.dependency",
      style: { "border-width": 4, "border-color": "#1D4ED8", "font-weight": "bold" },
    },
    {
      selector: "node.notify",
      style: { "border-width": 4, "border-color": "#2563EB", "border-style": "dashed" },
    },
    {
      selector: "edge.on-path",
      style: { "line-color": "#DC2626", "target-arrow-color": "#DC2626", width: 3, label: "data(label)", "z-index": 10 },
    },
    {
      selector: "node.bottleneck",
      style: { "background-color": "data(loadColor)", width: "data(loadSize)", height: "data(loadSize)", "border-color": "#111827", "border-width": 2 },
    },
    {
      selector: "node.cluster-member",
      style: { "underlay-color": "data(clusterColor)", "underlay-padding": 10, "underlay-opacity": 0.55, "underlay-shape": "ellipse" },
    },
    { selector: "node.finding", style: { "border-width": 4, "border-color": "#B91C1C" } },
    // Scenario comparison: streams by how their reach changes, paths only one side has.
    { selector: "node.sc-path", style: { "border-width": 2, "border-color": "#334155" } },
    ...Object.entries(SCENARIO_COLORS).map(([change, c]) => ({
      selector: `node.sc-${change}`,
      style: { "border-width": change === "same" ? 3 : 5, "border-color": c.color, "border-style": c.line, "font-weight": change === "same" ? "normal" : "bold" } as Css,
    })),
    { selector: "node.sc-gone", style: { "background-opacity": 0.35, "border-style": "dashed", "border-width": 3, "border-color": "#B91C1C" } },
    { selector: "node.sc-new", style: { "underlay-color": "#15803D", "underlay-padding": 10, "underlay-opacity": 0.45, "underlay-shape": "ellipse" } },
    { selector: "node.sc-resolved", style: { "border-width": 5, "border-color": "#15803D", "border-style": "double" } },
    { selector: "node.sc-introduced", style: { "border-width": 5, "border-color": "#B91C1C", "border-style": "double" } },
    { selector: "node.sc-bn-higher, node.sc-bn-added", style: { "border-width": 4, "border-color": "#B91C1C" } },
    { selector: "node.sc-bn-lower, node.sc-bn-removed", style: { "border-width": 4, "border-color": "#15803D" } },
    {
      selector: "edge.path-same",
      style: { "line-color": "#334155", "target-arrow-color": "#334155", width: 2.5, label: "data(label)", "z-index": 9 },
    },
    {
      selector: "edge.path-removed",
      style: { "line-color": "#B91C1C", "target-arrow-color": "#B91C1C", "line-style": "dashed", width: 3, label: "data(label)", "z-index": 10 },
    },
    {
      selector: "edge.path-added",
      style: { "line-color": "#15803D", "target-arrow-color": "#15803D", "line-style": "solid", width: 3.5, label: "data(label)", "z-index": 11 },
    },
  );
  return rules;
}
