/** What a question draws over the graph, kept between renders (new nodes must get it too). */
import type { HeatRange } from "./legend";

export interface Overlay {
  classes: Map<string, string[]>;
  /** Edges to light up: `cls` defaults to `on-path` (scenario diffs use `path-added` / `path-removed`). */
  pathSteps: { source: string; target: string; rel: string; cls?: string }[];
  dim: boolean;
  load: Map<string, { size: number; color: string }>;
  clusterColors: Map<string, string>;
  /** The values the heat colours (`load`) stand for, for the heat scale legend. */
  heat?: HeatRange | null;
}

export const emptyOverlay = (): Overlay => ({ classes: new Map(), pathSteps: [], dim: false, load: new Map(), clusterColors: new Map() });
