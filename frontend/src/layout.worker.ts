/**
 * The layout worker: runs each graph layout (`layoutrun.ts`) off the page's main thread, so
 * a drawing of a few hundred elements no longer freezes the page while it is placed.
 * One request at a time; the page terminates the worker when a newer drawing supersedes
 * the one it is placing.
 */
import type { LayoutAnswer, LayoutRequest } from "./layouts";
import { computeLayout } from "./layoutrun";

interface WorkerScope {
  onmessage: ((ev: MessageEvent<LayoutRequest>) => void) | null;
  postMessage(answer: LayoutAnswer): void;
}

const scope = self as unknown as WorkerScope;

scope.onmessage = (ev) => {
  const req = ev.data;
  try {
    scope.postMessage(computeLayout(req));
  } catch (err) {
    scope.postMessage({ seq: req.seq, positions: {}, error: String(err) });
  }
};
