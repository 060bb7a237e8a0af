import { describe, expect, it } from "vitest";
import { bottleneckDrawing, cutShort, SHARED_DRAWN, STREAMS_DRAWN, TOP_N } from "../src/bottleneckdrawing";
import type { BottleneckResult, Cluster } from "../src/questions";
import type { ElementBrief } from "../src/types";

const el = (id: string, type = "ValueStream"): ElementBrief => ({ id, type, name: id });
const cluster = (id: string, streams: number, shared: number): Cluster => ({
  id,
  label: id,
  streams: Array.from({ length: streams }, (_, i) => el(`${id}-vs-${i}`)),
  shared: Array.from({ length: shared }, (_, i) => el(`${id}-p-${i}`, "Platform")),
  load: 1,
});
const result = (clusters: Cluster[]): BottleneckResult => ({
  items: Array.from({ length: 20 }, (_, i) => ({ element: el(`top-${i}`, "Team"), score: 20 - i, metrics: { rank: i + 1, score: 20 - i, streamCount: 1, proximity: 0, blastRadius: 0, crossStreamPairs: 0, betweenness: 0 }, explanation: "" })),
  clusters,
});

describe("bottleneck mode's drawing", () => {
  // L: every stream clustered, each cluster bound by some 160 shared elements.
  const big = result([cluster("c1", 400, 160), cluster("c2", 100, 40)]);

  it("draws the first streams and each cluster's most binding shared elements, with the true counts", () => {
    const d = bottleneckDrawing(big, undefined);
    expect(d.streams).toEqual({ drawn: STREAMS_DRAWN, total: 500 });
    expect(d.shared).toEqual({ drawn: SHARED_DRAWN, total: 200 });
    expect(d.edges.length).toBe(STREAMS_DRAWN * SHARED_DRAWN);
    expect(d.nodes.length).toBe(TOP_N + STREAMS_DRAWN + SHARED_DRAWN);
    expect(d.nodes.map((n) => n.id)).toContain("c1-p-0");
    expect(d.nodes.map((n) => n.id)).not.toContain(`c1-p-${SHARED_DRAWN}`);
    expect(cutShort(d)).toBe(true);
  });

  it("draws more with each 'show more', counts unchanged", () => {
    const d = bottleneckDrawing(big, undefined, 1);
    expect(d.streams).toEqual({ drawn: 2 * STREAMS_DRAWN, total: 500 });
    expect(d.shared).toEqual({ drawn: 2 * SHARED_DRAWN, total: 200 });
  });

  it("bounds a chosen cluster too, coloured whole", () => {
    const c1 = big.clusters[0]!;
    const d = bottleneckDrawing(big, c1);
    expect(d.streams).toEqual({ drawn: STREAMS_DRAWN, total: 400 });
    expect(d.shared).toEqual({ drawn: SHARED_DRAWN, total: 160 });
    expect(d.colours.has("c1-p-0")).toBe(true);
  });

  it("draws a small model whole", () => {
    const d = bottleneckDrawing(result([cluster("a", 3, 2), cluster("b", 2, 1)]), undefined);
    expect(d.streams).toEqual({ drawn: 5, total: 5 });
    expect(d.shared).toEqual({ drawn: 3, total: 3 });
    expect(d.edges.length).toBe(3 * 2 + 2 * 1);
    expect(cutShort(d)).toBe(false);
  });
});
