/** Small SVG symbols for node types and relationship styles (legend, lists, panels). */
import { edgeStyle, nodeStyle } from "../style";

const NS = "http://www.w3.org/2000/svg";

const SHAPES: Record<string, string> = {
  tag: "polygon:1,3 11,3 15,8 11,13 1,13",
  "right-rhomboid": "polygon:4,3 15,3 12,13 1,13",
  rhomboid: "polygon:1,3 12,3 15,13 4,13",
  "round-rectangle": "rect",
  barrel: "barrel",
  ellipse: "circle",
  "cut-rectangle": "polygon:4,2 12,2 15,5 15,11 12,14 4,14 1,11 1,5",
  "round-triangle": "polygon:8,2 15,14 1,14",
  diamond: "polygon:8,1 15,8 8,15 1,8",
  octagon: "polygon:5,1 11,1 15,5 15,11 11,15 5,15 1,11 1,5",
  hexagon: "polygon:4,2 12,2 15,8 12,14 4,14 1,8",
};

export function typeSwatch(type: string, size = 16): SVGSVGElement {
  const s = nodeStyle(type);
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("width", String(size));
  svg.setAttribute("height", String(size));
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "swatch");
  const spec = SHAPES[s.shape] ?? "circle";
  let el: SVGElement;
  if (spec.startsWith("polygon:")) {
    el = document.createElementNS(NS, "polygon");
    el.setAttribute("points", spec.slice(8));
  } else if (spec === "rect") {
    el = document.createElementNS(NS, "rect");
    Object.entries({ x: 1, y: 3, width: 14, height: 10, rx: 3 }).forEach(([k, v]) => el.setAttribute(k, String(v)));
  } else if (spec === "barrel") {
    el = document.createElementNS(NS, "rect");
    Object.entries({ x: 2, y: 1, width: 12, height: 14, rx: 6, ry: 3 }).forEach(([k, v]) => el.setAttribute(k, String(v)));
  } else {
    el = document.createElementNS(NS, "circle");
    Object.entries({ cx: 8, cy: 8, r: 7 }).forEach(([k, v]) => el.setAttribute(k, String(v)));
  }
  el.setAttribute("fill", s.color);
  el.setAttribute("stroke", "#1f2937");
  el.setAttribute("stroke-width", "0.6");
  svg.appendChild(el);
  return svg;
}

export function relSwatch(rel: string, width = 28): SVGSVGElement {
  const s = edgeStyle(rel);
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} 10`);
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", "10");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "swatch");
  const line = document.createElementNS(NS, "line");
  Object.entries({ x1: 1, y1: 5, x2: width - 6, y2: 5, stroke: s.color, "stroke-width": 2 }).forEach(([k, v]) => line.setAttribute(k, String(v)));
  if (s.line === "dashed") line.setAttribute("stroke-dasharray", "5 3");
  if (s.line === "dotted") line.setAttribute("stroke-dasharray", "1.5 2.5");
  const head = document.createElementNS(NS, "polygon");
  head.setAttribute("points", `${width - 7},1 ${width - 1},5 ${width - 7},9`);
  head.setAttribute("fill", s.color);
  svg.append(line, head);
  return svg;
}
