/**
 * What bottleneck mode draws, bounded: the top-ranked elements, and of the clusters of
 * streams (all of them, or the one chosen) the first streams and, per cluster, the first
 * shared elements binding them (the server lists them most binding first), each drawn
 * stream tied to each drawn shared element. Pure; `ui/bottleneck.ts` draws it and says what
 * was left out with the true counts.
 */
import type { BottleneckResult, Cluster } from "./questions";
import { clusterColor } from "./style";
import type { ElementBrief } from "./types";

/** How many of the top-ranked bottlenecks are put on the graph. */
export const TOP_N = 12;
/** Streams drawn at first (all clusters together, or the chosen one): on L the clusters hold
 * all 500 streams. Each "show more" adds as many again. */
export const STREAMS_DRAWN = 60;
/** Shared elements drawn per cluster at first, most binding first. Every drawn stream is tied
 * to every drawn shared element of its cluster: on L a cluster is bound by some 160, and 60
 * streams tied to all of them were 9,600 edges, a drawing of seconds in one task. Each "show
 * more" adds as many again. */
export const SHARED_DRAWN = 10;

export interface BottleneckDrawing {
  nodes: ElementBrief[];
  edges: { source: string; target: string; rel: string }[];
  /** Stream (and, for a chosen cluster, shared element) id → its cluster's colour. */
  colours: Map<string, string>;
  /** Of the clusters drawn: streams and shared elements drawn, and in all. */
  streams: { drawn: number; total: number };
  shared: { drawn: number; total: number };
}

/**
 * The bounded drawing of `r`: of `chosen` only (when given), else of every cluster; `more`
 * is how many times "show more" was pressed.
 */
export function bottleneckDrawing(r: BottleneckResult, chosen: Cluster | undefined, more = 0): BottleneckDrawing {
  const nodes: ElementBrief[] = r.items.slice(0, TOP_N).map((i) => i.element);
  const edges: BottleneckDrawing["edges"] = [];
  const colours = new Map<string, string>();
  const clusters = chosen ? [chosen] : r.clusters;
  const sharedRoom = SHARED_DRAWN * (more + 1);
  let room = STREAMS_DRAWN * (more + 1);
  const streams = { drawn: 0, total: 0 };
  const shared = { drawn: 0, total: 0 };
  for (const c of clusters) {
    const colour = clusterColor(r.clusters.indexOf(c));
    streams.total += c.streams.length;
    shared.total += c.shared.length;
    if (room <= 0) continue;
    const drawnStreams = c.streams.slice(0, room);
    const drawnShared = c.shared.slice(0, sharedRoom);
    room -= drawnStreams.length;
    streams.drawn += drawnStreams.length;
    shared.drawn += drawnShared.length;
    for (const st of drawnStreams) {
      nodes.push(st);
      colours.set(st.id, colour);
      for (const sh of drawnShared) edges.push({ source: st.id, target: sh.id, rel: "SHARES" });
    }
    for (const sh of drawnShared) {
      nodes.push(sh);
      if (chosen) colours.set(sh.id, colour);
    }
  }
  return { nodes, edges, colours, streams, shared };
}

/** Whether anything of the clusters was left out of `d`. */
export function cutShort(d: BottleneckDrawing): boolean {
  return d.streams.drawn < d.streams.total || d.shared.drawn < d.shared.total;
}
