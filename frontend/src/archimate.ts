/**
 * The ArchiMate types an element can carry (beside its operating-model type), as the server's
 * graph schema declares them: the choices of the `archimate_type` property (graph/archimate.py).
 * Pure, no DOM: the search box's type filter reads its options from here.
 */
import type { GraphSchema } from "./types";

/** The property every node type carries for its ArchiMate type (graph.schema.ARCHIMATE_TYPE). */
export const ARCHIMATE_PROP = "archimate_type";

/** Every ArchiMate type the server accepts, in its declared order, each once. Pure. */
export function archimateTypes(schema: GraphSchema): string[] {
  const seen = new Set<string>();
  for (const n of schema.nodes) {
    for (const p of n.properties) if (p.name === ARCHIMATE_PROP) p.choices.forEach((c) => seen.add(c));
  }
  return [...seen];
}

/** "BusinessProcess" → "Business Process", "SystemSoftware" → "System Software". Pure. */
export function archimateLabel(type: string): string {
  return type.replace(/([a-z0-9])([A-Z])/g, "$1 $2");
}

/** What the search box asks for: text search (optionally filtered), a listing of one type, or nothing. Pure. */
export type SearchPlan = { kind: "search"; text: string; archimateTypes: string[] } | { kind: "list"; archimateTypes: string[] } | { kind: "none" };

export function searchPlan(text: string, archimateType: string | null): SearchPlan {
  const types = archimateType ? [archimateType] : [];
  if (text.trim().length >= 2) return { kind: "search", text, archimateTypes: types };
  if (types.length) return { kind: "list", archimateTypes: types };
  return { kind: "none" };
}
