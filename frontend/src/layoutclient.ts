/**
 * The page's side of the layout worker (`layout.worker.ts`): sends a layout request and
 * resolves with the positions, or with null when a newer request superseded it (the worker
 * still placing the old one is terminated and a fresh one started, so a stale layout never
 * delays the next). Where no Worker exists (Vitest, jsdom) or the worker fails, the layout
 * runs in the page, as it always did (its libraries loaded then only).
 */
import type { LayoutAnswer, LayoutRequest } from "./layouts";

/** The layout run in the page (`layoutrun.ts`), loaded the first time it is needed. */
async function computeLayout(req: LayoutRequest): Promise<LayoutAnswer> {
  return (await import("./layoutrun")).computeLayout(req);
}

interface Pending {
  req: LayoutRequest;
  resolve: (a: LayoutAnswer | null) => void;
}

export class LayoutClient {
  private worker: Worker | null = null;
  private pending: Pending | null = null;
  private broken = typeof Worker === "undefined";

  constructor() {
    // Started before the first drawing: loading the worker's Cytoscape is not on its path.
    this.start();
  }

  private start(): void {
    if (this.broken) return;
    try {
      this.worker = new Worker(new URL("./layout.worker.ts", import.meta.url), { type: "module" });
    } catch {
      this.broken = true;
      return;
    }
    this.worker.onmessage = (ev: MessageEvent<LayoutAnswer>) => {
      const p = this.pending;
      if (!p || p.req.seq !== ev.data.seq) return;
      this.pending = null;
      if (ev.data.error) {
        console.warn(`layout worker: ${ev.data.error}; laying out in the page`);
        void computeLayout(p.req).then(p.resolve);
      } else p.resolve(ev.data);
    };
    this.worker.onerror = (ev) => {
      ev.preventDefault();
      console.warn(`layout worker failed (${ev.message}); laying out in the page from now on`);
      this.broken = true;
      this.terminate();
      const p = this.pending;
      this.pending = null;
      if (p) void computeLayout(p.req).then(p.resolve);
    };
  }

  /**
   * Lay out `req`, off the main thread when possible. Resolves null if a later request
   * superseded this one before it was answered.
   */
  run(req: LayoutRequest): Promise<LayoutAnswer | null> {
    if (this.pending) {
      // The worker is busy with a drawing nobody wants any more: stop it rather than wait.
      const stale = this.pending;
      this.pending = null;
      this.terminate();
      stale.resolve(null);
      this.start();
    }
    if (this.broken || !this.worker) return computeLayout(req);
    const worker = this.worker;
    return new Promise((resolve) => {
      this.pending = { req, resolve };
      worker.postMessage(req);
    });
  }

  terminate(): void {
    this.worker?.terminate();
    this.worker = null;
  }
}
