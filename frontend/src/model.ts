/**
 * The graph model behind the view, kept free of the DOM and of Cytoscape so it can be
 * unit-tested: which elements are known, which neighbourhoods are loaded, and what the
 * user asked to see (seeds, expanded, pinned, removed, filters, progressive counts).
 *
 * What is visible is *derived*: start from the seeds and pinned elements, and for each
 * visible expanded element add its first N neighbours (N grows with "show more"),
 * honouring the type and relationship filters. Collapsing an element just removes it
 * from `expanded`; whatever only it brought in disappears on the next derive.
 */
import { REL_PAGE, type NeighbourLink, type Neighbourhood } from "./api";
import type { Element, ElementBrief } from "./types";

/** How many neighbours an expansion shows at first, and how many each "show more" adds. */
export const NEIGHBOUR_PAGE = 25;

export interface VisibleNode {
  id: string;
  type: string;
  name: string;
  expanded: boolean;
  pinned: boolean;
  seed: boolean;
  /** Neighbours known but not shown yet (progressive loading), after filters. */
  hiddenNeighbours: number;
}

export interface VisibleEdge {
  id: string;
  source: string;
  target: string;
  rel: string;
  attributes: Record<string, unknown>;
  /** Whether it came from an overlay (impact paths) rather than a loaded neighbourhood. */
  overlay?: boolean;
}

export interface Derived {
  nodes: VisibleNode[];
  edges: VisibleEdge[];
}

export interface OverlayEdge {
  source: string;
  target: string;
  rel: string;
}

export class GraphModel {
  readonly elements = new Map<string, ElementBrief>();
  readonly details = new Map<string, Element>();
  readonly neighbourhoods = new Map<string, NeighbourLink[]>();
  /** Elements whose loaded links are a first page only: how many relationships they have in all (once counted) and the next page's offset. */
  readonly partial = new Map<string, { total: number | null; next: number }>();

  seeds: string[] = [];
  expanded: string[] = [];
  pinned = new Set<string>();
  removed = new Set<string>();
  hiddenTypes = new Set<string>();
  hiddenRels = new Set<string>();
  /** Neighbours shown per expanded element when more than NEIGHBOUR_PAGE. */
  shown = new Map<string, number>();
  /** Elements and edges drawn on top of the explored graph (impact results). */
  overlayNodes: string[] = [];
  overlayEdges: OverlayEdge[] = [];
  /** Show only the overlay (a question's answer) while it is set, keeping the explored view for later. */
  overlayOnly = false;

  /** Remember elements (from search, lists, question results) without showing them. */
  know(items: Iterable<ElementBrief>): void {
    for (const e of items) {
      const prev = this.elements.get(e.id);
      this.elements.set(e.id, { id: e.id, type: e.type || prev?.type || "", name: e.name || prev?.name || e.id });
    }
  }

  /** Merge a loaded neighbourhood: the element's details, its neighbours, its links. */
  mergeNeighbourhood(n: Neighbourhood): void {
    const el = n.element;
    this.know([el]);
    this.details.set(el.id, el);
    this.neighbourhoods.delete(el.id);
    this.addLinks(el.id, n.links);
    if (n.truncated) this.partial.set(el.id, { total: this.partial.get(el.id)?.total ?? null, next: REL_PAGE });
    else this.partial.delete(el.id);
  }

  /** Add links of an element (a further page), each relationship once. */
  addLinks(id: string, more: NeighbourLink[]): number {
    this.know(more.map((l) => l.neighbour).filter((b) => b.type || !this.elements.has(b.id)));
    const links = this.neighbourhoods.get(id) ?? [];
    const seen = new Set(links.map((l) => l.edgeId));
    let added = 0;
    for (const l of more) {
      if (seen.has(l.edgeId)) continue;
      seen.add(l.edgeId);
      links.push(l);
      added++;
    }
    this.neighbourhoods.set(id, links);
    return added;
  }

  /** After a further page: the next offset, or complete when neither direction's page came back full. */
  pageLoaded(id: string, full: boolean): void {
    const p = this.partial.get(id);
    if (!p) return;
    if (full) p.next += REL_PAGE;
    else this.partial.delete(id);
  }

  /** What the details panel says of an element's neighbours: distinct neighbours loaded, and the true relationship total when the loaded ones are a first page. */
  neighbourCount(id: string): { loaded: number; links: number; total: number | null; more: boolean } {
    const links = this.neighbourhoods.get(id) ?? [];
    const loaded = new Set(links.map((l) => l.neighbour.id)).size;
    const p = this.partial.get(id);
    return { loaded, links: links.length, total: p?.total ?? (p ? null : links.length), more: Boolean(p) };
  }

  isLoaded(id: string): boolean {
    return this.neighbourhoods.has(id);
  }

  addSeed(id: string): void {
    this.removed.delete(id);
    if (!this.seeds.includes(id)) this.seeds.push(id);
  }

  expand(id: string): void {
    this.removed.delete(id);
    if (!this.expanded.includes(id)) this.expanded.push(id);
  }

  collapse(id: string): void {
    this.expanded = this.expanded.filter((x) => x !== id);
    this.shown.delete(id);
    this.prune();
  }

  togglePin(id: string): boolean {
    if (this.pinned.has(id)) this.pinned.delete(id);
    else this.pinned.add(id);
    this.prune();
    return this.pinned.has(id);
  }

  /** Take an element out of the view (it stays out until added again). */
  remove(id: string): void {
    this.seeds = this.seeds.filter((x) => x !== id);
    this.expanded = this.expanded.filter((x) => x !== id);
    this.pinned.delete(id);
    this.shown.delete(id);
    this.removed.add(id);
    this.prune();
  }

  showMore(id: string, by = NEIGHBOUR_PAGE): void {
    this.shown.set(id, this.limitFor(id) + by);
  }

  limitFor(id: string): number {
    return this.shown.get(id) ?? NEIGHBOUR_PAGE;
  }

  clear(): void {
    this.seeds = [];
    this.expanded = [];
    this.pinned.clear();
    this.removed.clear();
    this.shown.clear();
    this.overlayNodes = [];
    this.overlayEdges = [];
  }

  /** Drop what was read of elements (details, neighbourhoods): they are read again for another point in time. */
  forgetReads(): void {
    this.details.clear();
    this.neighbourhoods.clear();
    this.partial.clear();
  }

  /** Forget an element deleted from the model: it, what was loaded of it, and every link to it. */
  forget(id: string): void {
    this.elements.delete(id);
    this.details.delete(id);
    this.neighbourhoods.delete(id);
    this.partial.delete(id);
    for (const [k, links] of this.neighbourhoods) this.neighbourhoods.set(k, links.filter((l) => l.neighbour.id !== id));
    this.seeds = this.seeds.filter((x) => x !== id);
    this.expanded = this.expanded.filter((x) => x !== id);
    this.pinned.delete(id);
    this.removed.delete(id);
    this.shown.delete(id);
    this.overlayNodes = this.overlayNodes.filter((x) => x !== id);
    this.overlayEdges = this.overlayEdges.filter((e) => e.source !== id && e.target !== id);
  }

  setOverlay(nodes: ElementBrief[], edges: OverlayEdge[]): void {
    this.know(nodes);
    this.overlayNodes = nodes.map((n) => n.id);
    this.overlayEdges = edges;
  }

  clearOverlay(): void {
    this.overlayNodes = [];
    this.overlayEdges = [];
  }

  private typeVisible(id: string): boolean {
    const e = this.elements.get(id);
    return !e || !this.hiddenTypes.has(e.type);
  }

  /** The links of an expanded element that pass the filters, one per neighbour, in order. */
  private shownNeighbours(id: string): { shown: string[]; hidden: number } {
    const links = this.neighbourhoods.get(id) ?? [];
    const order: string[] = [];
    const seen = new Set<string>();
    for (const l of links) {
      const nid = l.neighbour.id;
      if (seen.has(nid) || this.hiddenRels.has(l.rel) || this.removed.has(nid) || !this.typeVisible(nid))
        continue;
      seen.add(nid);
      order.push(nid);
    }
    const limit = this.limitFor(id);
    return { shown: order.slice(0, limit), hidden: Math.max(0, order.length - limit) };
  }

  derive(): Derived {
    const visible = new Map<string, VisibleNode>();
    const expanded = new Set(this.expanded);
    const onlyOverlay = this.overlayOnly && this.overlayNodes.length > 0;
    const queue: string[] = [];
    const visit = (id: string): void => {
      if (visible.has(id) || this.removed.has(id) || !this.elements.has(id) || !this.typeVisible(id)) return;
      const e = this.elements.get(id)!;
      visible.set(id, {
        id,
        type: e.type,
        name: e.name,
        expanded: !onlyOverlay && expanded.has(id) && this.isLoaded(id),
        pinned: this.pinned.has(id),
        seed: this.seeds.includes(id),
        hiddenNeighbours: 0,
      });
      queue.push(id);
    };
    for (const id of onlyOverlay ? this.overlayNodes : [...this.seeds, ...this.pinned, ...this.overlayNodes]) visit(id);
    while (queue.length) {
      const id = queue.shift()!;
      if (onlyOverlay || !expanded.has(id) || !this.isLoaded(id)) continue;
      const { shown, hidden } = this.shownNeighbours(id);
      visible.get(id)!.hiddenNeighbours = hidden;
      shown.forEach(visit);
    }
    const edges = new Map<string, VisibleEdge>();
    for (const id of visible.keys()) {
      for (const l of this.neighbourhoods.get(id) ?? []) {
        const other = l.neighbour.id;
        if (!visible.has(other) || this.hiddenRels.has(l.rel) || edges.has(l.edgeId)) continue;
        const [source, target] = l.outgoing ? [id, other] : [other, id];
        edges.set(l.edgeId, { id: l.edgeId, source, target, rel: l.rel, attributes: l.attributes });
      }
    }
    const pairs = new Set([...edges.values()].map((e) => `${e.source}|${e.rel}|${e.target}`));
    for (const o of this.overlayEdges) {
      const key = `${o.source}|${o.rel}|${o.target}`;
      if (pairs.has(key) || !visible.has(o.source) || !visible.has(o.target)) continue;
      pairs.add(key);
      edges.set(`overlay:${key}`, { id: `overlay:${key}`, ...o, attributes: {}, overlay: true });
    }
    return { nodes: [...visible.values()], edges: [...edges.values()] };
  }

  /** Forget expansions and progressive counts of elements no longer visible. */
  prune(): void {
    if (this.overlayOnly && this.overlayNodes.length) return;
    const visible = new Set(this.derive().nodes.map((n) => n.id));
    this.expanded = this.expanded.filter((id) => visible.has(id));
    for (const id of [...this.shown.keys()]) if (!visible.has(id)) this.shown.delete(id);
  }

  /** Neighbour links of an element (for the details panel), grouped by field name. */
  linksByField(id: string): Map<string, NeighbourLink[]> {
    const groups = new Map<string, NeighbourLink[]>();
    for (const l of this.neighbourhoods.get(id) ?? []) {
      groups.set(l.field, [...(groups.get(l.field) ?? []), l]);
    }
    return groups;
  }
}
