/**
 * Exports of the graph view with a title and a legend, drawn by the explorer itself.
 *
 * The drawing is read from the Cytoscape view once (`sceneOf`: every node's position, size,
 * shape, colours, border and label, every edge's drawn curve, in model coordinates) and
 * written as SVG by `renderSvg`, a pure function of that scene. The PNG is that same SVG
 * rasterised, so the two files show exactly the same things. (cytoscape-svg replays the
 * canvas renderer into canvas2svg, which cannot follow some of Cytoscape's shape paths: it
 * dropped the Person shapes and some labels and logged "Attempted to apply path command to
 * node text".)
 */
import type { Core, EdgeSingular, NodeSingular } from "cytoscape";
import { formatScaleValue, type HeatRange, type Legend, type LegendInput, type LegendItem } from "./legend";
import { SCENARIO_COLORS } from "./style";
import type { Grouping, ViewState } from "./urlstate";

export interface SceneNode {
  id: string;
  type: string;
  label: string;
  shape: string;
  /** Centre and size, in model coordinates. */
  x: number;
  y: number;
  w: number;
  h: number;
  fill: string;
  fillOpacity: number;
  borderWidth: number;
  borderColor: string;
  borderStyle: string;
  opacity: number;
  fontSize: number;
  fontWeight: string;
  /** A halo behind the node (selection, impact source, cluster), if drawn. */
  underlay: { color: string; padding: number; opacity: number } | null;
  /** A compound node (a group): drawn first, its label on top. */
  compound: boolean;
}

export interface SceneEdge {
  id: string;
  rel: string;
  /** Source endpoint, control points (bezier), target endpoint. */
  points: [number, number][];
  color: string;
  width: number;
  line: string;
  opacity: number;
  arrow: boolean;
  arrowScale: number;
  label: string;
  labelAt: [number, number] | null;
}

export interface Scene {
  title: string;
  subtitle: string;
  nodes: SceneNode[];
  edges: SceneEdge[];
  /** The drawing's bounds (labels included), in model coordinates. */
  bounds: { x1: number; y1: number; x2: number; y2: number };
  legend: Legend;
}

export const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
const PAD = 24;
const TITLE_H = 64;
const LEGEND_W = 330;

// -- reading the view ---------------------------------------------------------------------

function str(ele: NodeSingular | EdgeSingular, name: string): string {
  const p = (ele as unknown as { pstyle(n: string): { strValue?: string; value?: unknown } | undefined }).pstyle(name);
  return p?.strValue ?? String(p?.value ?? "");
}

function num(ele: NodeSingular | EdgeSingular, name: string): number {
  const p = (ele as unknown as { pstyle(n: string): { pfValue?: number; value?: unknown } | undefined }).pstyle(name);
  const v = p?.pfValue ?? Number(p?.value);
  return Number.isFinite(v) ? Number(v) : 0;
}

/** The scene of what the view draws now (every element, whatever the zoom). */
export function sceneOf(cy: Core, title: string, subtitle: string, legend: Legend): Scene {
  const nodes: SceneNode[] = [];
  // Parents first: a group is drawn under its members.
  const ordered = cy.nodes().sort((a, b) => Number(b.isParent()) - Number(a.isParent()));
  ordered.forEach((n) => {
    if (n.style("display") === "none") return;
    const compound = n.isParent();
    const box = n.boundingBox({ includeLabels: false, includeOverlays: false } as object);
    const underlayOpacity = num(n, "underlay-opacity");
    nodes.push({
      id: n.id(),
      type: String(n.data("type") ?? ""),
      label: String(n.data("label") ?? ""),
      shape: compound ? "round-rectangle" : str(n, "shape"),
      x: compound ? (box.x1 + box.x2) / 2 : n.position("x"),
      y: compound ? (box.y1 + box.y2) / 2 : n.position("y"),
      w: compound ? box.w : n.width(),
      h: compound ? box.h : n.height(),
      fill: str(n, "background-color"),
      fillOpacity: num(n, "background-opacity"),
      borderWidth: num(n, "border-width"),
      borderColor: str(n, "border-color"),
      borderStyle: str(n, "border-style"),
      opacity: n.effectiveOpacity(),
      fontSize: num(n, "font-size") || 11,
      fontWeight: str(n, "font-weight") || "normal",
      underlay: underlayOpacity > 0 ? { color: str(n, "underlay-color"), padding: num(n, "underlay-padding"), opacity: underlayOpacity } : null,
      compound,
    });
  });
  const edges: SceneEdge[] = [];
  cy.edges().forEach((e) => {
    if (e.style("display") === "none") return;
    const src = e.sourceEndpoint();
    const tgt = e.targetEndpoint();
    const cps = (e.controlPoints() ?? []) as { x: number; y: number }[];
    const label = str(e, "label");
    const mid = label ? e.midpoint() : null;
    edges.push({
      id: e.id(),
      rel: String(e.data("rel") ?? ""),
      points: [[src.x, src.y], ...cps.map((p): [number, number] => [p.x, p.y]), [tgt.x, tgt.y]],
      color: str(e, "line-color"),
      width: num(e, "width") || 1,
      line: str(e, "line-style") || "solid",
      opacity: e.effectiveOpacity(),
      arrow: str(e, "target-arrow-shape") !== "none",
      arrowScale: num(e, "arrow-scale") || 1,
      label,
      labelAt: mid ? [mid.x, mid.y] : null,
    });
  });
  const bb = cy.elements().boundingBox({ includeLabels: true } as object);
  const bounds = cy.elements().nonempty() ? { x1: bb.x1, y1: bb.y1, x2: bb.x2, y2: bb.y2 } : { x1: 0, y1: 0, x2: 100, y2: 100 };
  return { title, subtitle, nodes, edges, bounds, legend };
}

// -- writing SVG (pure) --------------------------------------------------------------------

/** Text safe inside XML: escaped, without the control characters XML 1.0 forbids. */
export function xml(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "")
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

const r2 = (v: number): string => String(Math.round(v * 100) / 100);

/** Unit polygons (in [-1, 1]) of Cytoscape's polygon shapes, as it draws them. */
const POLYGONS: Record<string, number[]> = {
  triangle: [0, -1, 1, 1, -1, 1],
  "round-triangle": [0, -1, 1, 1, -1, 1],
  diamond: [0, -1, 1, 0, 0, 1, -1, 0],
  "round-diamond": [0, -1, 1, 0, 0, 1, -1, 0],
  rhomboid: [-1, -1, 0.333, -1, 1, 1, -0.333, 1],
  "right-rhomboid": [-0.333, -1, 1, -1, 0.333, 1, -1, 1],
  tag: [-1, -1, 0.25, -1, 1, 0, 0.25, 1, -1, 1],
  "round-tag": [-1, -1, 0.25, -1, 1, 0, 0.25, 1, -1, 1],
  hexagon: [-1, 0, -0.5, -1, 0.5, -1, 1, 0, 0.5, 1, -0.5, 1],
  "round-hexagon": [-1, 0, -0.5, -1, 0.5, -1, 1, 0, 0.5, 1, -0.5, 1],
  octagon: [-1, -0.414, -0.414, -1, 0.414, -1, 1, -0.414, 1, 0.414, 0.414, 1, -0.414, 1, -1, 0.414],
  "round-octagon": [-1, -0.414, -0.414, -1, 0.414, -1, 1, -0.414, 1, 0.414, 0.414, 1, -0.414, 1, -1, 0.414],
  pentagon: [0, -1, 0.951, -0.309, 0.588, 0.809, -0.588, 0.809, -0.951, -0.309],
  star: [0, -1, 0.225, -0.309, 0.951, -0.309, 0.363, 0.118, 0.588, 0.809, 0, 0.382, -0.588, 0.809, -0.363, 0.118, -0.951, -0.309, -0.225, -0.309],
};

/** The SVG element drawing `shape` at (x, y) of size w × h, with the given attributes. */
export function shapeElement(shape: string, x: number, y: number, w: number, h: number, attrs: string): string {
  const poly = POLYGONS[shape];
  if (poly) {
    const pts: string[] = [];
    for (let i = 0; i < poly.length; i += 2) pts.push(`${r2(x + (poly[i]! * w) / 2)},${r2(y + (poly[i + 1]! * h) / 2)}`);
    const round = shape.startsWith("round-") ? ' stroke-linejoin="round"' : "";
    return `<polygon data-shape="${shape}" points="${pts.join(" ")}"${round} ${attrs}/>`;
  }
  if (shape === "cut-rectangle") {
    const c = Math.min(8, w / 4, h / 4);
    const [l, t, rr, b] = [x - w / 2, y - h / 2, x + w / 2, y + h / 2];
    const pts = [[l + c, t], [rr - c, t], [rr, t + c], [rr, b - c], [rr - c, b], [l + c, b], [l, b - c], [l, t + c]];
    return `<polygon data-shape="${shape}" points="${pts.map(([a, d]) => `${r2(a!)},${r2(d!)}`).join(" ")}" ${attrs}/>`;
  }
  if (shape === "barrel") {
    // Straight sides, top and bottom bulging out (Cytoscape's barrel).
    const [l, t, rr, b] = [x - w / 2, y - h / 2, x + w / 2, y + h / 2];
    const bulge = h * 0.08;
    const d = `M${r2(l)},${r2(t + bulge)} Q${r2(x)},${r2(t - bulge)} ${r2(rr)},${r2(t + bulge)} L${r2(rr)},${r2(b - bulge)} Q${r2(x)},${r2(b + bulge)} ${r2(l)},${r2(b - bulge)} Z`;
    return `<path data-shape="${shape}" d="${d}" ${attrs}/>`;
  }
  if (shape === "rectangle" || shape === "round-rectangle" || shape === "bottom-round-rectangle" || shape === "square") {
    const rad = shape === "round-rectangle" ? Math.min(w / 4, h / 4, 8) : 0;
    return `<rect data-shape="${shape}" x="${r2(x - w / 2)}" y="${r2(y - h / 2)}" width="${r2(w)}" height="${r2(h)}" rx="${r2(rad)}" ${attrs}/>`;
  }
  return `<ellipse data-shape="${shape || "ellipse"}" cx="${r2(x)}" cy="${r2(y)}" rx="${r2(w / 2)}" ry="${r2(h / 2)}" ${attrs}/>`;
}

/** Words of `text` in lines of at most about `maxWidth` px (as Cytoscape's `text-wrap: wrap`). */
export function wrapLabel(text: string, maxWidth = 120, fontSize = 11): string[] {
  const perLine = Math.max(4, Math.floor(maxWidth / (fontSize * 0.56)));
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > perLine) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

function dash(line: string, width: number): string {
  if (line === "dashed") return ` stroke-dasharray="${r2(width * 4)} ${r2(width * 3)}"`;
  if (line === "dotted") return ` stroke-dasharray="${r2(width)} ${r2(width * 2)}" stroke-linecap="round"`;
  return "";
}

function edgePath(points: [number, number][]): string {
  const [first, ...rest] = points;
  if (!first) return "";
  let d = `M${r2(first[0])},${r2(first[1])}`;
  if (rest.length === 1) return `${d} L${r2(rest[0]![0])},${r2(rest[0]![1])}`;
  // Control points joined as Cytoscape does: quadratic curves through their midpoints.
  const cps = rest.slice(0, -1);
  const end = rest[rest.length - 1]!;
  cps.forEach((cp, i) => {
    const next = cps[i + 1];
    const to = next ? [(cp[0] + next[0]) / 2, (cp[1] + next[1]) / 2] : end;
    d += ` Q${r2(cp[0])},${r2(cp[1])} ${r2(to[0]!)},${r2(to[1]!)}`;
  });
  return d;
}

function arrowHead(e: SceneEdge): string {
  const n = e.points.length;
  if (!e.arrow || n < 2) return "";
  const [tx, ty] = e.points[n - 1]!;
  const [fx, fy] = e.points[n - 2]!;
  const len = Math.hypot(tx - fx, ty - fy) || 1;
  const [ux, uy] = [(tx - fx) / len, (ty - fy) / len];
  const size = Math.max(Math.pow(e.width * 13.37, 0.9), 29) * e.arrowScale;
  const [back, half] = [0.3 * size, 0.15 * size];
  const [bx, by] = [tx - ux * back, ty - uy * back];
  const pts = [
    [tx, ty],
    [bx - uy * half, by + ux * half],
    [bx + uy * half, by - ux * half],
  ];
  return `<polygon class="arrow" points="${pts.map(([a, b]) => `${r2(a!)},${r2(b!)}`).join(" ")}" fill="${xml(e.color)}"/>`;
}

function nodeSvg(n: SceneNode): string {
  const parts: string[] = [];
  const stroke = n.borderWidth > 0 ? `stroke="${xml(n.borderColor)}" stroke-width="${r2(n.borderWidth)}"${dash(n.borderStyle, n.borderWidth)}` : 'stroke="none"';
  if (n.underlay) {
    const p = n.underlay.padding;
    parts.push(`<ellipse class="underlay" cx="${r2(n.x)}" cy="${r2(n.y)}" rx="${r2(n.w / 2 + p)}" ry="${r2(n.h / 2 + p)}" fill="${xml(n.underlay.color)}" fill-opacity="${r2(n.underlay.opacity)}"/>`);
  }
  parts.push(shapeElement(n.shape, n.x, n.y, n.w, n.h, `fill="${xml(n.fill)}" fill-opacity="${r2(n.fillOpacity)}" ${stroke}`));
  if (n.label) {
    const lines = n.compound ? [n.label] : wrapLabel(n.label, 120, n.fontSize);
    const lh = n.fontSize * 1.2;
    const y0 = n.compound ? n.y - n.h / 2 - 6 - (lines.length - 1) * lh : n.y + n.h / 2 + 4 + n.fontSize;
    const spans = lines.map((l, i) => `<tspan x="${r2(n.x)}" y="${r2(y0 + i * lh)}">${xml(l)}</tspan>`).join("");
    parts.push(
      `<text class="label" text-anchor="middle" font-size="${r2(n.fontSize)}" font-weight="${xml(n.fontWeight)}" fill="#111827" stroke="#ffffff" stroke-width="3" stroke-opacity="0.8" paint-order="stroke">${spans}</text>`,
    );
  }
  const cls = n.compound ? "group" : "node";
  return `<g class="${cls}" data-id="${xml(n.id)}" data-type="${xml(n.type)}" opacity="${r2(n.opacity)}"><title>${xml(n.label)}</title>${parts.join("")}</g>`;
}

function edgeSvg(e: SceneEdge): string {
  const label = e.label && e.labelAt
    ? `<text class="edge-label" x="${r2(e.labelAt[0])}" y="${r2(e.labelAt[1])}" text-anchor="middle" font-size="9" fill="#374151" stroke="#ffffff" stroke-width="3" paint-order="stroke">${xml(e.label)}</text>`
    : "";
  return `<g class="edge" data-id="${xml(e.id)}" data-rel="${xml(e.rel)}" opacity="${r2(e.opacity)}"><path d="${edgePath(e.points)}" fill="none" stroke="${xml(e.color)}" stroke-width="${r2(e.width)}"${dash(e.line, e.width)}/>${arrowHead(e)}${label}</g>`;
}

function legendSwatch(item: LegendItem, x: number, y: number): string {
  if (item.kind === "node") return shapeElement(item.shape ?? "ellipse", x + 8, y, 14, 14, `fill="${xml(item.color)}"`);
  if (item.kind === "edge") return `<line x1="${x}" y1="${y}" x2="${x + 22}" y2="${y}" stroke="${xml(item.color)}" stroke-width="2"${dash(item.line ?? "solid", 2)}/>`;
  if (item.kind === "group") return `<rect x="${x}" y="${y - 7}" width="22" height="14" rx="3" fill="#F1F5F9" stroke="${xml(item.color)}" stroke-dasharray="3 2"/>`;
  const w = item.line === "double" ? 4 : 2.5;
  return `<rect x="${x + 1}" y="${y - 6}" width="20" height="12" rx="2" fill="#ffffff" stroke="${xml(item.color)}" stroke-width="${w}"${dash(item.line ?? "solid", 1.5)}/>`;
}

/** The legend block at (x, y), `width` wide: its SVG and its height. */
function legendSvg(legend: Legend, x: number, y: number): { svg: string; height: number } {
  const parts: string[] = [`<text class="legend-title" x="${x}" y="${y + 14}" font-size="14" font-weight="bold" fill="#111827">Legend</text>`];
  let at = y + 34;
  if (legend.heat) {
    const h = legend.heat;
    const gid = "vg-heat";
    const stops = h.stops.map((c, i) => `<stop offset="${r2((i / Math.max(1, h.stops.length - 1)) * 100)}%" stop-color="${c}"/>`).join("");
    parts.push(
      `<g class="heat-scale"><text x="${x}" y="${at}" font-size="12" font-weight="bold" fill="#111827">${xml(h.title)}</text>`,
      `<defs><linearGradient id="${gid}" x1="0" x2="1" y1="0" y2="0">${stops}</linearGradient></defs>`,
      `<rect x="${x}" y="${at + 8}" width="200" height="12" fill="url(#${gid})" stroke="#9CA3AF" stroke-width="0.5"/>`,
      `<text x="${x}" y="${at + 34}" font-size="11" fill="#374151">${xml(formatScaleValue(h.low))} (low)</text>`,
      `<text x="${x + 200}" y="${at + 34}" font-size="11" text-anchor="end" fill="#374151">${xml(formatScaleValue(h.high))} (high)</text></g>`,
    );
    at += 52;
  }
  for (const section of legend.sections) {
    parts.push(`<text class="legend-section" x="${x}" y="${at}" font-size="12" font-weight="bold" fill="#111827">${xml(section.title)}</text>`);
    at += 18;
    for (const item of section.items) {
      parts.push(`<g class="legend-item" data-kind="${item.kind}">${legendSwatch(item, x, at - 4)}<text x="${x + 30}" y="${at}" font-size="11" fill="#374151">${xml(item.label)}</text></g>`);
      at += 18;
    }
    at += 8;
  }
  return { svg: `<g class="legend">${parts.join("")}</g>`, height: at - y };
}

/** The scene as a standalone SVG document: title, the drawing, the legend on the right. */
export function renderSvg(scene: Scene): { svg: string; width: number; height: number } {
  const b = scene.bounds;
  const gw = Math.max(1, b.x2 - b.x1);
  const gh = Math.max(1, b.y2 - b.y1);
  const legend = legendSvg(scene.legend, PAD + gw + PAD, TITLE_H);
  const width = Math.ceil(PAD + gw + PAD + LEGEND_W);
  const height = Math.ceil(TITLE_H + Math.max(gh + PAD, legend.height + PAD));
  const dx = PAD - b.x1;
  const dy = TITLE_H - b.y1;
  const groups = scene.nodes.filter((n) => n.compound).map(nodeSvg).join("");
  const nodes = scene.nodes.filter((n) => !n.compound).map(nodeSvg).join("");
  const svg = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text class="title" x="${PAD}" y="30" font-size="20" font-weight="bold" fill="#111827">${xml(scene.title)}</text>`,
    `<text class="subtitle" x="${PAD}" y="50" font-size="12" fill="#4B5563">${xml(scene.subtitle)}</text>`,
    `<g class="graph" transform="translate(${r2(dx)},${r2(dy)})">${groups}<g class="edges">${scene.edges.map(edgeSvg).join("")}</g><g class="nodes">${nodes}</g></g>`,
    legend.svg,
    `</svg>`,
  ].join("\n");
  return { svg, width, height };
}

/** The largest side of an exported PNG, in pixels (browsers refuse larger canvases). */
export const MAX_PNG_SIDE = 8000;

/** The scale a PNG of `width` × `height` is drawn at: 2, or less to stay under MAX_PNG_SIDE. */
export function pngScale(width: number, height: number, wanted = 2): number {
  return Math.max(0.1, Math.min(wanted, MAX_PNG_SIDE / Math.max(width, height, 1)));
}

/** The SVG rasterised to a PNG (the same drawing, pixel for pixel of its vector). */
export async function svgToPng(svg: string, width: number, height: number): Promise<Blob> {
  const scale = pngScale(width, height);
  const url = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
  try {
    const img = new Image();
    img.decoding = "sync";
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error("the exported SVG could not be drawn"));
      img.src = url;
    });
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const ctx = canvas.getContext("2d");
    if (!ctx) throw new Error("no 2D canvas to draw the PNG on");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("the PNG could not be made"))), "image/png"));
  } finally {
    URL.revokeObjectURL(url);
  }
}

// -- what an export says about itself --------------------------------------------------------

const DIRECTION_TITLES = {
  impact: (of: string) => `Impact of a change to ${of}`,
  depends: (of: string) => `What ${of} depends on`,
  path: (of: string, to: string) => `Dependency path from ${of} to ${to}`,
};

/** The title of an export of the graph view in `state`. Pure. */
export function exportTitle(state: ViewState, nameOf: (id: string) => string): string {
  const sel = state.selected ? nameOf(state.selected) : null;
  switch (state.mode) {
    case "impact": {
      const of = state.impactOf ?? state.selected;
      if (!of) return "valuegraph: impact";
      return DIRECTION_TITLES[state.impactDir](nameOf(of), state.pathTo ? nameOf(state.pathTo) : "…");
    }
    case "bottleneck":
      return state.cluster ? `Bottlenecks: cluster ${state.cluster}` : "Bottlenecks: the most shared elements";
    case "scenario":
      return state.scenario ? `Scenario “${state.scenario}” compared with the base model` : "Scenarios: the base model";
    default:
      return sel ? `valuegraph: the graph around ${sel}` : "valuegraph: the graph";
  }
}

/** The legend's inputs read from what the view draws. */
export function legendInputOf(cy: Core, heat: HeatRange | null, grouping: Grouping): LegendInput {
  const types = new Set<string>();
  cy.nodes().forEach((n) => {
    if (!n.isParent()) types.add(String(n.data("type") ?? ""));
  });
  const rels = new Set<string>();
  cy.edges().forEach((e) => {
    rels.add(String(e.data("rel") ?? ""));
  });
  const scenario = Object.keys(SCENARIO_COLORS).filter((k) => cy.nodes(`.sc-${k}`).nonempty());
  return { types: [...types], rels: [...rels], heat, scenario, grouping, groups: cy.nodes(".group").length };
}
