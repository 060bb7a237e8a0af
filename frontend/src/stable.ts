/**
 * What keeps drawings steady and readable: a seeded random source for the force-directed
 * layout (same elements, same positions) and how much labels grow as the view zooms out.
 * Pure.
 */

/** A 32-bit hash (FNV-1a) of the ids drawn, in any order. */
export function stableSeed(ids: string[]): number {
  let h = 0x811c9dc5;
  for (const id of [...ids].sort()) {
    for (let i = 0; i < id.length; i++) {
      h ^= id.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0x2c;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A deterministic replacement for Math.random (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The smallest size, in screen pixels, a node label is drawn at when the view zooms out. */
export const MIN_LABEL_PX = 9;
/** Labels grow at most this much (past it, a view is too dense to label every element). */
export const MAX_LABEL_FACTOR = 3.5;

/**
 * How much node labels (11 px at zoom 1) are enlarged at `zoom` so that they stay at least
 * MIN_LABEL_PX on screen, above Cytoscape's `min-zoomed-font-size` (7), under which it hides
 * them. Rounded to steps of 0.25, so small zoom changes do not restyle every node.
 */
export function labelScale(zoom: number): number {
  if (!Number.isFinite(zoom) || zoom <= 0) return 1;
  const wanted = MIN_LABEL_PX / (11 * zoom);
  if (wanted <= 1) return 1;
  return Math.min(MAX_LABEL_FACTOR, Math.ceil(wanted * 4) / 4);
}
