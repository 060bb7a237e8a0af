/**
 * The Cytoscape view: keeps the canvas in step with the derived model (adding and
 * removing only what changed), has the layouts computed off the main thread (`layouts.ts`,
 * `layout.worker.ts`) and applies them, carries the question overlays as
 * classes, groups elements into compound nodes, keeps labels readable at the zoom a fit
 * leaves, and hands the drawing to the exports (`export.ts`).
 */
import cytoscape, { type Core, type NodeSingular } from "cytoscape";
import { chooseLayout, toElements } from "./elements";
import { sceneOf, type Scene } from "./export";
import { isGroupId, type Grouped } from "./grouping";
import { LayoutClient } from "./layoutclient";
import { FIT_PADDING, layoutRequest } from "./layouts";
import type { Legend } from "./legend";
import type { Derived } from "./model";
import { labelScale } from "./stable";
import { cytoscapeStyle } from "./style";
import type { LayoutName } from "./urlstate";

export interface ViewEvents {
  select(id: string | null): void;
  expandToggle(id: string): void;
  /** A relationship was clicked. */
  edge(e: { source: string; target: string; rel: string; attributes: Record<string, unknown> }): void;
}

/** Every class a question overlay may set (cleared before the next answer is drawn). */
export const OVERLAY_CLASSES = [
  "dimmed impact-source impacted dependency notify on-path bottleneck cluster-member in-cluster finding",
  "sc-lost sc-gone-need sc-added sc-removed sc-closer sc-further sc-same sc-gone sc-new sc-resolved sc-introduced sc-path path-added path-removed path-same",
  "sc-bn-added sc-bn-removed sc-bn-higher sc-bn-lower sc-bn-same",
].join(" ");

/** Drawings of fewer nodes (and edges) move to their layout's places animated; larger ones
 * jump there. Edges count too: each animation frame re-paths every edge (bottleneck mode on M,
 * 93 nodes and 500 edges, animated: frames of 0.2-0.3 s of CPU). So do nodes: expanding the
 * most connected element on M (76 nodes, 25 edges) animated drew every node each frame, and
 * the fit's zoom crossed label-size steps on the way (a restyle of every label each), the
 * larger part of that expansion's long tasks. */
const ANIMATED_BELOW = 50;
const ANIMATED_EDGES_BELOW = 300;
/** A large drawing's edges are added this many a frame once its nodes are placed. */
const EDGES_PER_FRAME = 150;

/** Whether a drawing of `nodes` and `edges` is large: it jumps to its layout, waiting for it
 * outside the view. */
function large(nodes: number, edges: number): boolean {
  return nodes >= ANIMATED_BELOW || edges >= ANIMATED_EDGES_BELOW;
}

/** The largest zoom a layout's fit may leave (1 = labels at their CSS size). */
const MAX_FIT_ZOOM = 1.25;

export class GraphView {
  readonly cy: Core;
  private layoutName: LayoutName = "auto";
  private layoutRunning: cytoscape.Layouts | null = null;
  /** The latest layout asked for: an older one's positions are never applied. */
  private layoutSeq = 0;
  private readonly layouts = new LayoutClient();
  /** A large drawing's new edges, added after its nodes are placed (`addEdgesInSlices`). */
  private pendingEdges: cytoscape.ElementDefinition[] = [];
  /** The last overlay classes (`highlight`), for edges added after it. */
  private lastHighlight: { classes: Map<string, string[]>; dimOthers: boolean } | null = null;
  /** How much labels are enlarged so that they stay readable at the current zoom. */
  private labelFactor = 1;
  private labelFrame = 0;

  constructor(
    container: HTMLElement,
    private readonly events: ViewEvents,
  ) {
    this.cy = cytoscape({
      container,
      style: cytoscapeStyle() as unknown as cytoscape.StylesheetJson,
      minZoom: 0.1,
      maxZoom: 3,
      wheelSensitivity: 0.3,
      selectionType: "single",
      boxSelectionEnabled: false,
    });
    // Labels keep a readable size however far a fit zooms out (`stable.ts`'s labelScale).
    this.cy
      .style()
      .selector("node")
      .style({
        "font-size": (n: NodeSingular) => (n.hasClass("group") ? 13 : 11) * this.labelFactor,
        "text-max-width": () => `${Math.round(120 * this.labelFactor)}px`,
      } as unknown as cytoscape.Css.Node)
      .update();
    this.cy.on("zoom", () => this.scheduleLabels());
    // A group is not an element: tapping it selects nothing.
    this.cy.on("tap", "node", (evt) => {
      const id = (evt.target as NodeSingular).id();
      if (!isGroupId(id)) this.events.select(id);
    });
    this.cy.on("tap", (evt) => {
      if (evt.target === this.cy) this.events.select(null);
    });
    this.cy.on("tap", "edge", (evt) => {
      const d = evt.target.data() as { source: string; target: string; rel: string; attributes?: Record<string, unknown> };
      this.events.edge({ source: d.source, target: d.target, rel: d.rel, attributes: d.attributes ?? {} });
    });
    this.cy.on("dbltap", "node", (evt) => {
      const id = (evt.target as NodeSingular).id();
      if (!isGroupId(id)) this.events.expandToggle(id);
    });
    this.cy.on("mouseover", "edge", (evt) => evt.target.addClass("show-label"));
    this.cy.on("mouseout", "edge", (evt) => evt.target.removeClass("show-label"));
  }

  private scheduleLabels(): void {
    // An animated fit zooms a little each frame: labels are resized once, when it stops
    // (`place`), not at every step it crosses on the way (each a restyle of every label).
    if (this.labelFrame || this.layoutRunning) return;
    this.labelFrame = requestAnimationFrame(() => {
      this.labelFrame = 0;
      this.updateLabels();
    });
  }

  /** Resize labels for the current zoom (now, not on the next frame). */
  updateLabels(): void {
    const factor = labelScale(this.cy.zoom());
    if (factor === this.labelFactor) return;
    this.labelFactor = factor;
    this.restyleLabels();
  }

  /** Only node labels follow the factor: restyling the edges too (`cy.style().update()`)
   * recomputed every edge's style and path, the larger part of a big drawing's restyle. */
  private restyleLabels(): void {
    // `updateStyle` is Cytoscape's own (a collection's restyle), missing from its types.
    (this.cy.nodes() as unknown as { updateStyle(): void }).updateStyle();
  }

  setLayout(name: LayoutName): void {
    this.layoutName = name;
  }

  /**
   * Bring the canvas in step with `d`. New nodes start at the position of a visible
   * neighbour (the element that was expanded) so the layout animates outwards.
   * Returns whether the structure changed (the caller then runs the layout, after
   * styling that changes node sizes).
   */
  sync(d: Derived, opts: { anchor?: string | null; lockPinned?: boolean; grouped?: Grouped } = {}): boolean {
    const cy = this.cy;
    const want = toElements(d, opts.grouped);
    const wantIds = new Set(want.map((e) => e.data.id as string));
    let changed = this.pendingEdges.length > 0;
    this.pendingEdges = [];
    cy.batch(() => {
      // Groups first, and members moved into (or out of) them before anything is removed:
      // removing a compound node removes what it still holds.
      for (const def of want) {
        const id = def.data.id as string;
        if (isGroupId(id) && cy.getElementById(id).empty()) {
          cy.add(def);
          changed = true;
        }
      }
      for (const def of want) {
        if (def.group !== "nodes" || isGroupId(def.data.id as string)) continue;
        const node = cy.getElementById(def.data.id as string);
        const wantParent = (def.data.parent as string | undefined) ?? null;
        if (node.nonempty() && node.isNode() && (node.parent().first().id() || null) !== wantParent) {
          node.move({ parent: wantParent });
          changed = true;
        }
      }
      cy.elements().forEach((ele) => {
        if (!wantIds.has(ele.id())) {
          ele.remove();
          changed = true;
        }
      });
      const anchor = opts.anchor ? cy.getElementById(opts.anchor) : null;
      const anchorPos = anchor && anchor.nonempty() ? { ...anchor.position() } : null;
      // A drawing that jumps to its layout waits for it outside the view: heaped in the
      // view, its first frame drew every element there (textures at a zoom the fit then
      // changes), the larger part of a second-long task on M's bottlenecks. An expansion's
      // new neighbours too: heaped on the expanded element, they were drawn and their
      // edges pathed there once before their places came back.
      const nodeCount = want.reduce((k, def) => k + (def.group === "nodes" ? 1 : 0), 0);
      // (A position object per node: Cytoscape keeps the object it is given.)
      const outside = large(nodeCount, want.length - nodeCount) ? outsideView(cy) : null;
      // New elements are added in one call per kind: element by element, Cytoscape's
      // bookkeeping for each addition made a drawing of hundreds a long task of its own.
      const newNodes: cytoscape.ElementDefinition[] = [];
      const newEdges: cytoscape.ElementDefinition[] = [];
      const adding = new Set<string>();
      for (const def of want) {
        const id = def.data.id as string;
        if (adding.has(id)) continue;
        const existing = cy.getElementById(id);
        if (existing.nonempty()) {
          const { parent: _parent, ...data } = def.data;
          // Setting data restyles the element even when nothing changed: on a redraw of
          // the same answer that was every element restyled (1,400 on M's bottlenecks).
          if (!sameData(existing.data() as Record<string, unknown>, data)) existing.data(data);
          const keep = existing.classes().filter((c: string) => !["expanded", "pinned", "has-more", "overlay", "parallel"].includes(c));
          existing.classes([...keep, ...String(def.classes ?? "").split(" ").filter(Boolean)]);
          continue;
        }
        adding.add(id);
        if (def.group === "edges") {
          newEdges.push(def);
          continue;
        }
        const jitter = () => (Math.random() - 0.5) * 40;
        newNodes.push({ ...def, position: outside ? { ...outside } : anchorPos ? { x: anchorPos.x + jitter(), y: anchorPos.y + jitter() } : { x: 0, y: 0 } });
      }
      if (newNodes.length) cy.add(newNodes);
      // A large drawing's new edges wait for its nodes' places: added now, each was styled
      // and pathed for the heap outside the view and again once placed, the larger part of
      // bottleneck mode's first long task; added after, a slice per frame (`place`).
      if (outside) this.pendingEdges = newEdges;
      else if (newEdges.length) cy.add(newEdges);
      if (newNodes.length || newEdges.length) changed = true;
      cy.nodes().forEach((n) => {
        if (n.hasClass("pinned") && opts.lockPinned !== false) n.lock();
        else n.unlock();
      });
    });
    return changed;
  }

  /** The layout `auto` stands for: layered unless some element fans out widely. */
  resolvedLayout(): "dagre" | "fcose" {
    if (this.layoutName !== "auto") return this.layoutName;
    return chooseLayout(this.cy.nodes().map((n) => n.degree(false)), this.cy.edges().length);
  }

  /**
   * Lay out what is drawn. The layout runs in the layout worker (`layoutclient.ts`), off
   * the main thread; its positions are applied here (animated for small drawings) unless a
   * newer layout has been asked for meanwhile, whose positions alone are applied.
   */
  layout(): void {
    this.layoutRunning?.stop();
    this.layoutRunning = null;
    const seq = ++this.layoutSeq;
    if (this.cy.nodes().length === 0) {
      document.body.dataset.layout = "done";
      return;
    }
    document.body.dataset.layout = "running";
    // Measured in a task of its own: measuring every node for the layout, in the task that
    // changed the drawing (and drew the panels), made that task a long one (expanding the
    // most connected element, opening the graph page on M and L). Only the latest layout
    // asked for is measured.
    setTimeout(() => {
      if (seq === this.layoutSeq) this.request(seq);
    }, 0);
  }

  private request(seq: number): void {
    const n = this.cy.nodes().length;
    // Layouts measure labels: measure them at their own size, not as enlarged for the last
    // zoom, or the same elements would be laid out differently after each fit.
    if (this.labelFactor !== 1) {
      this.labelFactor = 1;
      this.restyleLabels();
    }
    const request = layoutRequest(this.cy, this.resolvedLayout(), seq);
    for (const def of this.pendingEdges) request.edges.push({ id: def.data.id as string, source: def.data.source as string, target: def.data.target as string });
    void this.layouts.run(request).then((answer) => {
      if (answer && seq === this.layoutSeq) this.place(answer.positions, !large(n, request.edges.length));
    });
  }

  /** Move the nodes to where the layout placed them and fit the drawing. */
  private place(positions: Record<string, { x: number; y: number }>, animate: boolean): void {
    const seq = this.layoutSeq;
    const layout = this.cy.layout({
      name: "preset",
      positions,
      animate,
      animationDuration: 250,
      fit: true,
      padding: FIT_PADDING,
    } as cytoscape.LayoutOptions);
    this.layoutRunning = layout;
    layout.one("layoutstop", () => {
      if (this.layoutRunning !== layout) return;
      this.layoutRunning = null;
      // A handful of elements would be fitted at a giant zoom: keep text at reading size.
      if (this.cy.zoom() > MAX_FIT_ZOOM) {
        this.cy.zoom(MAX_FIT_ZOOM);
        this.cy.center();
      }
      this.updateLabels();
      const current = (): boolean => this.layoutRunning === null && this.layoutSeq === seq;
      const done = (): void => void (document.body.dataset.layout = "done");
      if (animate) {
        this.addEdgesInSlices(current, done);
        return;
      }
      // A drawing that jumped: its nodes' styles and labels (at the size this zoom gives
      // them) are measured in this task, so that the frame drawing it only draws, and its
      // edges come in the frames after. In one frame, measuring, drawing and pathing were
      // the expansion of the most connected element's longest task (M and L).
      this.cy.nodes().boundingBox();
      requestAnimationFrame(() => this.addEdgesInSlices(current, done));
    });
    layout.run();
  }

  /** Add the pending edges a slice per animation frame (each frame styles, paths and draws
   * only its slice), with the overlay's classes; then `done`. Abandoned when `current` turns
   * false (a newer drawing took over: it has its own pending edges). */
  private addEdgesInSlices(current: () => boolean, done: () => void): void {
    const step = (): void => {
      if (!current()) return;
      const slice = this.pendingEdges.splice(0, EDGES_PER_FRAME);
      if (!slice.length) {
        done();
        return;
      }
      this.cy.batch(() => {
        const added = this.cy.add(slice);
        const h = this.lastHighlight;
        if (h) added.forEach((e) => {
          const cs = h.classes.get(e.id());
          if (cs) e.addClass(cs.join(" "));
          else if (h.dimOthers) e.addClass("dimmed");
        });
      });
      requestAnimationFrame(step);
    };
    step();
  }

  /** The edges drawn and still to be added, as the overlays match them. */
  edgesForOverlay(): { id: string; source: string; target: string; rel: string; overlay: boolean }[] {
    const drawn = this.cy.edges().map((e) => ({ id: e.id(), source: e.data("source") as string, target: e.data("target") as string, rel: e.data("rel") as string, overlay: e.hasClass("overlay") }));
    const pending = this.pendingEdges.map((def) => ({
      id: def.data.id as string,
      source: def.data.source as string,
      target: def.data.target as string,
      rel: def.data.rel as string,
      overlay: String(def.classes ?? "").split(" ").includes("overlay"),
    }));
    return [...drawn, ...pending];
  }

  select(id: string | null): void {
    this.cy.$(":selected").unselect();
    if (!id) return;
    const n = this.cy.getElementById(id);
    if (n.nonempty()) n.select();
  }

  focus(id: string): void {
    const n = this.cy.getElementById(id);
    if (n.nonempty()) this.cy.animate({ center: { eles: n }, duration: 200 });
  }

  fit(): void {
    this.cy.fit(undefined, FIT_PADDING);
  }

  zoomBy(factor: number): void {
    const cy = this.cy;
    cy.zoom({ level: cy.zoom() * factor, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
  }

  /** Remove every question overlay class and data. */
  clearHighlights(): void {
    this.lastHighlight = null;
    this.cy.batch(() => {
      this.cy.elements().removeClass(OVERLAY_CLASSES);
    });
  }

  /** Add classes to elements by id; with `dimOthers`, everything not named is dimmed. */
  highlight(classes: Map<string, string[]>, dimOthers: boolean): void {
    this.lastHighlight = { classes, dimOthers };
    this.cy.batch(() => {
      this.cy.elements().forEach((ele) => {
        const cs = classes.get(ele.id());
        if (cs) ele.addClass(cs.join(" "));
        else if (dimOthers) ele.addClass("dimmed");
      });
    });
  }

  /** Bottleneck sizing and colouring: per element id, a size in px and a colour. */
  setLoad(load: Map<string, { size: number; color: string }>): void {
    this.cy.batch(() => {
      for (const [id, v] of load) {
        const n = this.cy.getElementById(id);
        if (n.empty()) continue;
        n.data({ loadSize: v.size, loadColor: v.color });
        n.addClass("bottleneck");
      }
    });
  }

  setClusterColors(colors: Map<string, string>): void {
    this.cy.batch(() => {
      for (const [id, c] of colors) {
        const n = this.cy.getElementById(id);
        if (n.empty()) continue;
        n.data("clusterColor", c);
        n.addClass("cluster-member");
      }
    });
  }

  /** Visible node ids in reading order (for keyboard navigation). */
  orderedNodeIds(): string[] {
    return this.cy
      .nodes(":childless")
      .sort((a, b) => a.position().y - b.position().y || a.position().x - b.position().x)
      .map((n) => n.id());
  }

  /** What is drawn now, with a title and legend, for the PNG and SVG exports. */
  scene(title: string, subtitle: string, legend: Legend): Scene {
    // An export is drawn at full size: labels at their own size, as the layout measured them.
    const factor = this.labelFactor;
    if (factor !== 1) {
      this.labelFactor = 1;
      this.restyleLabels();
    }
    try {
      return sceneOf(this.cy, title, subtitle, legend);
    } finally {
      if (factor !== 1) {
        this.labelFactor = factor;
        this.restyleLabels();
      }
    }
  }
}

/** A point well outside what the canvas shows (model coordinates). */
function outsideView(cy: Core): { x: number; y: number } {
  const e = cy.extent();
  return { x: e.x2 + e.w + 1000, y: e.y2 + e.h + 1000 };
}

/** Whether an element's data already holds `want` (attributes compared by value). */
function sameData(have: Record<string, unknown>, want: Record<string, unknown>): boolean {
  for (const [k, v] of Object.entries(want)) {
    const h = have[k];
    if (h === v) continue;
    if (typeof v !== "object" || v === null || typeof h !== "object" || h === null) return false;
    if (JSON.stringify(h) !== JSON.stringify(v)) return false;
  }
  return true;
}
