/**
 * The Cytoscape view: keeps the canvas in step with the derived model (adding and
 * removing only what changed), runs the layouts, carries the question overlays as
 * classes, and exports PNG / SVG.
 */
import cytoscape, { type Core, type NodeSingular } from "cytoscape";
import dagre from "cytoscape-dagre";
import fcose from "cytoscape-fcose";
import svg from "cytoscape-svg";
import { chooseLayout, toElements } from "./elements";
import type { Derived } from "./model";
import { cytoscapeStyle } from "./style";
import type { LayoutName } from "./urlstate";

cytoscape.use(dagre);
cytoscape.use(fcose);
cytoscape.use(svg);

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

/** The largest zoom a layout's fit may leave (1 = labels at their CSS size). */
const MAX_FIT_ZOOM = 1.25;

export class GraphView {
  readonly cy: Core;
  private layoutName: LayoutName = "auto";
  private layoutRunning: cytoscape.Layouts | null = null;

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
    this.cy.on("tap", "node", (evt) => this.events.select((evt.target as NodeSingular).id()));
    this.cy.on("tap", (evt) => {
      if (evt.target === this.cy) this.events.select(null);
    });
    this.cy.on("tap", "edge", (evt) => {
      const d = evt.target.data() as { source: string; target: string; rel: string; attributes?: Record<string, unknown> };
      this.events.edge({ source: d.source, target: d.target, rel: d.rel, attributes: d.attributes ?? {} });
    });
    this.cy.on("dbltap", "node", (evt) => this.events.expandToggle((evt.target as NodeSingular).id()));
    this.cy.on("mouseover", "edge", (evt) => evt.target.addClass("show-label"));
    this.cy.on("mouseout", "edge", (evt) => evt.target.removeClass("show-label"));
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
  sync(d: Derived, opts: { anchor?: string | null; lockPinned?: boolean } = {}): boolean {
    const cy = this.cy;
    const want = toElements(d);
    const wantIds = new Set(want.map((e) => e.data.id as string));
    let changed = false;
    cy.batch(() => {
      cy.elements().forEach((ele) => {
        if (!wantIds.has(ele.id())) {
          ele.remove();
          changed = true;
        }
      });
      const anchor = opts.anchor ? cy.getElementById(opts.anchor) : null;
      const anchorPos = anchor && anchor.nonempty() ? { ...anchor.position() } : null;
      for (const def of want) {
        const id = def.data.id as string;
        const existing = cy.getElementById(id);
        if (existing.nonempty()) {
          existing.data(def.data);
          const keep = existing.classes().filter((c: string) => !["expanded", "pinned", "has-more", "overlay"].includes(c));
          existing.classes([...keep, ...String(def.classes ?? "").split(" ").filter(Boolean)]);
          continue;
        }
        if (def.group === "edges") continue;
        const jitter = () => (Math.random() - 0.5) * 40;
        cy.add({ ...def, position: anchorPos ? { x: anchorPos.x + jitter(), y: anchorPos.y + jitter() } : { x: 0, y: 0 } });
        changed = true;
      }
      for (const def of want) {
        if (def.group !== "edges" || cy.getElementById(def.data.id as string).nonempty()) continue;
        cy.add(def);
        changed = true;
      }
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

  layout(): void {
    this.layoutRunning?.stop();
    const n = this.cy.nodes().length;
    if (n === 0) {
      document.body.dataset.layout = "done";
      return;
    }
    const animate = n < 150;
    document.body.dataset.layout = "running";
    const options =
      this.resolvedLayout() === "dagre"
        ? {
            name: "dagre",
            rankDir: "LR",
            nodeSep: 18,
            rankSep: 90,
            edgeSep: 8,
            nodeDimensionsIncludeLabels: true,
            fit: true,
            padding: 30,
            animate,
            animationDuration: 250,
          }
        : {
            name: "fcose",
            quality: "default",
            randomize: true,
            animate,
            animationDuration: 300,
            fit: true,
            padding: 30,
            nodeDimensionsIncludeLabels: true,
            nodeRepulsion: () => 16000,
            idealEdgeLength: () => 120,
            nodeSeparation: 90,
            gravity: 0.2,
            packComponents: true,
          };
    const layout = this.cy.layout(options as cytoscape.LayoutOptions);
    this.layoutRunning = layout;
    layout.one("layoutstop", () => {
      if (this.layoutRunning !== layout) return;
      // A handful of elements would be fitted at a giant zoom: keep text at reading size.
      if (this.cy.zoom() > MAX_FIT_ZOOM) {
        this.cy.zoom(MAX_FIT_ZOOM);
        this.cy.center();
      }
      document.body.dataset.layout = "done";
    });
    layout.run();
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
    this.cy.fit(undefined, 30);
  }

  zoomBy(factor: number): void {
    const cy = this.cy;
    cy.zoom({ level: cy.zoom() * factor, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
  }

  /** Remove every question overlay class and data. */
  clearHighlights(): void {
    this.cy.batch(() => {
      this.cy.elements().removeClass(OVERLAY_CLASSES);
    });
  }

  /** Add classes to elements by id; with `dimOthers`, everything not named is dimmed. */
  highlight(classes: Map<string, string[]>, dimOthers: boolean): void {
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
      .nodes()
      .sort((a, b) => a.position().y - b.position().y || a.position().x - b.position().x)
      .map((n) => n.id());
  }

  pngBlob(): Blob {
    return this.cy.png({ output: "blob", full: true, scale: 2, bg: "#ffffff" });
  }

  svgText(): string {
    return (this.cy as unknown as { svg(o: object): string }).svg({ full: true, scale: 1, bg: "#ffffff" });
  }
}
