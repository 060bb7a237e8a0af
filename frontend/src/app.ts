/**
 * The explorer application: owns the state (mirrored in the URL), the graph model, the
 * Cytoscape view and the panels, and wires user actions to GraphQL calls.
 */
import { Api } from "./api";
import { $, clear, download } from "./dom";
import { askForToken, clearToken, getToken } from "./auth";
import { AuthError, GraphQLClient } from "./gql";
import { Imports } from "./imports";
import { GraphModel } from "./model";
import { emptyOverlay, type Overlay } from "./overlay";
import type { ExplorerContext } from "./context";
import { Questions } from "./questions";
import type { ElementBrief, GraphSchema } from "./types";
import { decodeState, encodeState, type Mode, type Page, type ViewState } from "./urlstate";
import type { GraphView } from "./view";
import { renderDetails } from "./ui/details";
import { renderFilters } from "./ui/filters";
import { searchBox } from "./ui/search";
import { ImpactPanel } from "./ui/impact";
import { BottleneckPanel } from "./ui/bottleneck";
import { renderHealthPage } from "./ui/health";
import { renderImportPage } from "./ui/importpage";
import { renderOverviewPage } from "./ui/overview";
import { overviewAtHand, prefetchOverview } from "./overview";
import { Scenarios } from "./scenarios";
import { ScenarioPanel } from "./ui/scenario";
import { SERVER_TIME, timeOf, timeVariables } from "./time";
import { mountTimeControl } from "./ui/timecontrol";
import { ServerTimeReads } from "./timereads";
import { mountRoadmap } from "./ui/trends";
import { SavedViews, viewIdOf, VIEW_PARAM } from "./savedviews";
import { renderViewsPanel } from "./ui/views";
import { Editing, type Caller } from "./editing";
import { renderHeatLegend } from "./ui/heatlegend";
import { groupElements, type Grouped } from "./grouping";
import { buildLegend } from "./legend";
import { exportTitle, legendInputOf, renderSvg, svgToPng } from "./export";

export class App implements ExplorerContext {
  readonly client = new GraphQLClient({ token: getToken });
  readonly api = new Api(this.client);
  readonly model = new GraphModel();
  state: ViewState = decodeState(location.search);
  schema!: GraphSchema;
  readonly questions = new Questions(this.client);
  readonly imports = new Imports(this.client);
  readonly scenarios = new Scenarios(this.client);
  readonly savedViews = new SavedViews(this.client);
  private callerAsked: Promise<Caller> | null = null;
  view!: GraphView;
  overlay: Overlay = emptyOverlay();
  impactPanel!: ImpactPanel;
  bottleneckPanel!: BottleneckPanel;
  scenarioPanel!: ScenarioPanel;
  private restoring = false;
  /** The landing overview was drawn before the shell (`start`). */
  private landingDrawn = false;

  async start(): Promise<void> {
    // A bare address lands on the overview: its first answer is asked now, beside the
    // schema, so that it is drawn as soon as the shell is (`loadFromUrl`). When the page
    // holds it (the server drew the overview's lead and shows its page), the overview is
    // drawn at once, while the schema is asked and before the shell is built: it needs
    // neither, and a warm server's page holds all of it.
    let asked: Promise<GraphSchema> | null = this.api.schema();
    asked.catch(() => {}); // answered in the loop below
    if (!location.search.replace(/^\?/, "")) {
      prefetchOverview(this.api.client);
      if (overviewAtHand(this.api.client) && !$("#page-overview").hidden) {
        renderOverviewPage(this, $("#page-overview"));
        this.landingDrawn = true;
        // The overview painted before the shell is built: Cytoscape measures its container
        // as it starts, which would lay the new overview out in the same task.
        await new Promise((painted) => requestAnimationFrame(() => setTimeout(painted, 0)));
      }
    }
    let schema: GraphSchema;
    for (;;) {
      try {
        schema = await (asked ?? this.api.schema());
        break;
      } catch (err) {
        asked = null;
        if (!(err instanceof AuthError)) throw err;
        const had = getToken();
        clearToken();
        this.status("This server needs an API token.");
        await askForToken(had ? `The token was refused (${err.message}).` : "This valuegraph server has authentication on.");
      }
    }
    this.schema = schema;
    // The graph's drawing (Cytoscape) is a module of its own, loaded here: evaluated with
    // the page's own, it was the larger part of the landing's first long task, before
    // anything was drawn (the overview needs none of it).
    const { GraphView } = await import("./view");
    this.buildShell(GraphView);
    window.addEventListener("popstate", () => void this.loadFromUrl());
    await this.loadFromUrl();
    document.body.dataset.ready = "true";
  }

  // -- shell ------------------------------------------------------------------------------

  private buildShell(View: typeof GraphView): void {
    $("#search-slot").appendChild(searchBox(this.api, (e) => void this.pickFromSearch(e)));
    this.view = new View($("#cy"), {
      select: (id) => void this.select(id),
      expandToggle: (id) => void this.toggleExpand(id),
      edge: (e) => {
        const attrs = Object.entries(e.attributes).filter(([, v]) => v !== null && v !== undefined && v !== "");
        const extra = attrs.length ? ` (${attrs.map(([k, v]) => `${k.replace(/_/g, " ")}: ${String(v)}`).join(", ")})` : "";
        this.status(`${this.name(e.source)} —${e.rel.toLowerCase().replace(/_/g, " ")}→ ${this.name(e.target)}${extra}`);
      },
    });
    this.impactPanel = new ImpactPanel(this);
    this.bottleneckPanel = new BottleneckPanel(this);
    this.scenarioPanel = new ScenarioPanel(this);
    for (const a of document.querySelectorAll<HTMLAnchorElement>("nav.pages a")) {
      a.addEventListener("click", (ev) => {
        ev.preventDefault();
        this.navigate(a.dataset.page as Page);
      });
    }
    for (const b of document.querySelectorAll<HTMLButtonElement>(".modes button")) {
      b.addEventListener("click", () => void this.setMode(b.dataset.mode as Mode));
    }
    $("#layout").addEventListener("change", (ev) => {
      this.state.layout = (ev.target as HTMLSelectElement).value as ViewState["layout"];
      this.view.setLayout(this.state.layout);
      this.view.layout();
      this.commit();
    });
    $("#fit").addEventListener("click", () => this.view.fit());
    $("#zoom-in").addEventListener("click", () => this.view.zoomBy(1.25));
    $("#zoom-out").addEventListener("click", () => this.view.zoomBy(0.8));
    $("#relayout").addEventListener("click", () => this.view.layout());
    $("#clear").addEventListener("click", () => {
      this.model.clear();
      this.state.selected = null;
      this.state.impactOf = null;
      this.state.cluster = null;
      this.overlay = emptyOverlay();
      this.render({ relayout: true });
      this.renderPanels();
      this.commit();
      this.status("View cleared. Search for an element, or start from the value streams.");
    });
    $("#start-streams").addEventListener("click", () => void this.seedValueStreams());
    $("#export-png").addEventListener("click", () => void this.exportPng());
    $("#export-svg").addEventListener("click", () => this.exportSvg());
    $("#copy-link").addEventListener("click", () => void this.copyLink());
    // A date re-asks the whole view for that date (the URL keeps it).
    this.questions.time = this.api.time = () => timeVariables(timeOf(this.state));
    mountTimeControl(this, $("#time-slot"), SERVER_TIME, () => {
      this.model.forgetReads();
      return this.loadFromUrl();
    });
    $("#grouping").addEventListener("change", (ev) => {
      this.state.group = (ev.target as HTMLSelectElement).value as ViewState["group"];
      this.render({ relayout: true });
      this.commit();
    });
    $("#views-toggle").addEventListener("click", () => this.toggleViewsPanel());
    this.installKeyboard();
  }

  private installKeyboard(): void {
    document.addEventListener("keydown", (ev) => {
      const target = ev.target as HTMLElement;
      const typing = target.closest("input, textarea, select, [contenteditable]");
      if (ev.key === "/" && !typing) {
        ev.preventDefault();
        $("#search").focus();
      }
    });
    const cyEl = $("#cy");
    cyEl.addEventListener("keydown", (ev) => {
      const ids = this.view.orderedNodeIds();
      const sel = this.state.selected;
      const i = sel ? ids.indexOf(sel) : -1;
      const move = (k: number): void => {
        if (!ids.length) return;
        const next = ids[(i + k + ids.length) % ids.length]!;
        void this.select(next);
        this.view.focus(next);
      };
      let handled = true;
      switch (ev.key) {
        case "ArrowRight":
        case "ArrowDown":
          move(1);
          break;
        case "ArrowLeft":
        case "ArrowUp":
          move(i < 0 ? 0 : -1);
          break;
        case "Enter":
          if (sel) void this.toggleExpand(sel);
          break;
        case "p":
          if (sel) this.togglePin(sel);
          break;
        case "Delete":
        case "Backspace":
          if (sel) this.removeFromView(sel);
          break;
        case "f":
          this.view.fit();
          break;
        case "+":
        case "=":
          this.view.zoomBy(1.25);
          break;
        case "-":
          this.view.zoomBy(0.8);
          break;
        default:
          handled = false;
      }
      if (handled) ev.preventDefault();
    });
  }

  // -- state and URL ----------------------------------------------------------------------

  /** Copy the model into the state and write the URL (replace, not push). */
  commit(push = false): void {
    if (this.restoring) return;
    const m = this.model;
    Object.assign(this.state, {
      seeds: [...m.seeds],
      expanded: [...m.expanded],
      pinned: [...m.pinned],
      removed: [...m.removed],
      hiddenTypes: [...m.hiddenTypes],
      hiddenRels: [...m.hiddenRels],
      shown: Object.fromEntries(m.shown),
    });
    let q = encodeState(this.state);
    // An empty query is the landing overview: the graph page says so once it is chosen.
    if (!q && this.state.page === "graph") q = "page=graph";
    const url = `${location.pathname}${q ? `?${q}` : ""}`;
    if (url !== `${location.pathname}${location.search}`) {
      if (push) history.pushState(null, "", url);
      else history.replaceState(null, "", url);
    }
  }

  async loadFromUrl(): Promise<void> {
    this.restoring = true;
    let opened: string | null = null;
    try {
      // `?view=<id>`: a saved view's state replaces the address, then is restored as any link.
      const viewId = viewIdOf(location.search);
      if (viewId) {
        const saved = await this.savedViews.get(viewId);
        if (!saved) throw new Error(`there is no saved view ${viewId} (deleted?)`);
        history.replaceState(null, "", `${location.pathname}?${saved.state || "page=graph"}`);
        opened = saved.name;
        document.body.dataset.savedView = saved.id;
      }
      this.state = decodeState(location.search);
      // A bare address lands on the overview.
      if (!location.search.replace(/^\?/, "")) this.state.page = "overview";
      const s = this.state;
      const m = this.model;
      m.clear();
      m.hiddenTypes = new Set(s.hiddenTypes);
      m.hiddenRels = new Set(s.hiddenRels);
      m.pinned = new Set(s.pinned);
      m.removed = new Set(s.removed);
      m.shown = new Map(Object.entries(s.shown));
      m.overlayOnly = s.mode !== "explore";
      this.overlay = emptyOverlay();
      ($("#layout") as HTMLSelectElement).value = s.layout;
      ($("#grouping") as HTMLSelectElement).value = s.group;
      this.view.setLayout(s.layout);
      renderFilters(this);
      this.showPage(s.page);
      if (s.page === "graph") await this.restoreGraph();
    } catch (err) {
      this.status(`Could not restore the view: ${(err as Error).message}`, true);
    } finally {
      this.restoring = false;
    }
    this.commit();
    if (opened) this.status(`Opened the saved view “${opened}”. ${$("#status").textContent ?? ""}`);
  }

  private async restoreGraph(): Promise<void> {
    const s = this.state;
    const m = this.model;
    const baseView = s.mode === "explore" || (s.mode === "scenario" && !s.scenario);
    if (!s.seeds.length && !s.expanded.length && !s.impactOf && !s.pinned.length && baseView) {
      const page = await this.api.listByType("ValueStream", 100);
      m.know(page.items);
      s.seeds = page.items.map((e) => e.id);
    }
    this.status("Loading the view…");
    const hoods = await Promise.all(s.expanded.map((id) => this.api.neighbourhood(id).catch(() => null)));
    hoods.forEach((n) => n && m.mergeNeighbourhood(n));
    const wanted = [...s.seeds, ...s.pinned, ...(s.selected ? [s.selected] : []), ...(s.impactOf ? [s.impactOf] : [])];
    const unknown = wanted.filter((id) => !m.elements.has(id));
    if (unknown.length) m.know(await this.api.briefs(unknown));
    m.seeds = s.seeds.filter((id) => m.elements.has(id));
    m.expanded = s.expanded.filter((id) => m.isLoaded(id));
    // A kept bottleneck answer is drawn again at once below: drawing the explored view first
    // removed its elements only to add them back (1,400 on M, a second-long task).
    if (!(s.mode === "bottleneck" && this.bottleneckPanel.result)) this.render({ relayout: true });
    this.updateModeButtons();
    if (s.selected) await this.select(s.selected, { keepMode: true });
    else this.renderPanels();
    if (s.mode === "impact") await this.impactPanel.run();
    if (s.mode === "bottleneck") await this.bottleneckPanel.run();
    if (s.mode === "scenario") await this.scenarioPanel.run();
    // Question modes said what they found; the count is for exploring.
    if (!baseView) return;
    const shown = m.derive().nodes.length;
    const stats = await this.api.stats().catch(() => null);
    const total = stats ? Object.values(stats.nodes).reduce((a, b) => a + b, 0) : null;
    this.status(
      `${shown} element${shown === 1 ? "" : "s"} shown${total !== null ? ` of ${total.toLocaleString("en-GB")} in the graph` : ""}. Double-click or press Enter on an element to expand it.`,
    );
  }

  navigate(page: Page): void {
    if (this.state.page === page) return;
    this.state.page = page;
    this.commit(true);
    void this.loadFromUrl();
  }

  private showPage(page: Page): void {
    for (const p of ["overview", "graph", "health", "roadmap", "import"] as const) {
      $(`#page-${p}`).hidden = p !== page;
      const link = document.querySelector(`nav.pages a[data-page="${p}"]`);
      if (p === page) link?.setAttribute("aria-current", "page");
      else link?.removeAttribute("aria-current");
    }
    document.title = `valuegraph explorer — ${{ overview: "overview", graph: "graph", health: "health report", roadmap: "roadmap", import: "import" }[page]}`;
    // The landing's overview was drawn while the explorer started: not read again.
    if (page === "overview" && !this.landingDrawn) renderOverviewPage(this, $("#page-overview"));
    this.landingDrawn = false;
    if (page === "health") void renderHealthPage(this, $("#page-health"));
    if (page === "import") void renderImportPage(this, $("#page-import"));
    if (page === "roadmap") mountRoadmap(new ServerTimeReads(this.client), this.state.impactOf, $("#page-roadmap"));
    if (page === "graph") requestAnimationFrame(() => this.view.cy.resize());
  }

  // -- graph actions ------------------------------------------------------------------------

  render(opts: { relayout?: boolean; anchor?: string | null } = {}): void {
    const d = this.model.derive();
    const changed = this.view.sync(d, { anchor: opts.anchor, lockPinned: this.state.mode === "explore", grouped: this.grouping(d) });
    this.applyOverlay();
    if (changed || opts.relayout) this.view.layout();
    this.view.select(this.state.selected);
    $("#empty-hint").hidden = d.nodes.length > 0;
    $("#count").textContent = `${d.nodes.length} elements · ${d.edges.length} relationships`;
  }

  applyOverlay(): void {
    const o = this.overlay;
    this.view.clearHighlights();
    const classes = new Map(o.classes);
    // Edges still to be drawn (a large drawing's, added once placed) are matched too.
    const edges = o.pathSteps.length ? this.view.edgesForOverlay() : [];
    for (const step of o.pathSteps) {
      for (const e of edges) {
        const same = (e.source === step.source && e.target === step.target) || (e.source === step.target && e.target === step.source);
        if (same && (!step.rel || e.rel === step.rel || e.overlay)) {
          classes.set(e.id, [...(classes.get(e.id) ?? []), step.cls ?? "on-path"]);
        }
      }
    }
    if (classes.size || o.dim) this.view.highlight(classes, o.dim);
    if (o.load.size) this.view.setLoad(o.load);
    if (o.clusterColors.size) this.view.setClusterColors(o.clusterColors);
    renderHeatLegend($("#heat-legend"), o.load.size ? (o.heat ?? null) : null);
  }

  /** The compound groups of the drawn elements (`state.group`), from every known relationship. */
  private grouping(d: ReturnType<GraphModel["derive"]>): Grouped | undefined {
    if (this.state.group === "none") return undefined;
    const links = d.edges.map((e) => ({ source: e.source, target: e.target, rel: e.rel }));
    for (const [id, ls] of this.model.neighbourhoods) {
      for (const l of ls) links.push(l.outgoing ? { source: id, target: l.neighbour.id, rel: l.rel } : { source: l.neighbour.id, target: id, rel: l.rel });
    }
    const m = this.model;
    return groupElements(this.state.group, d.nodes, links, (id) => m.elements.get(id)?.type, (id) => this.name(id));
  }

  /** Who is asking (`GET /api/me`), read once per page (again after a failure). */
  caller(): Promise<Caller> {
    this.callerAsked ??= new Editing(this.client).me().catch((err: Error) => {
      this.callerAsked = null;
      throw err;
    });
    return this.callerAsked;
  }

  private toggleViewsPanel(): void {
    const root = $("#views-slot");
    const open = root.hidden;
    $("#views-toggle").setAttribute("aria-expanded", String(open));
    renderViewsPanel(
      root,
      open
        ? {
            views: this.savedViews,
            currentState: () => encodeState(this.state) || "page=graph",
            open: (id) => {
              history.pushState(null, "", `${location.pathname}?${VIEW_PARAM}=${encodeURIComponent(id)}`);
              void this.loadFromUrl();
            },
            status: (m, e) => this.status(m, e),
            close: () => this.toggleViewsPanel(),
            caller: () => this.caller(),
          }
        : null,
    );
    if (open) document.querySelector<HTMLElement>("#views-slot button, #views-slot input")?.focus();
  }

  name(id: string): string {
    return this.model.elements.get(id)?.name ?? id;
  }

  /** Make sure an element's neighbourhood (details + neighbours) is loaded. */
  async ensureLoaded(id: string): Promise<boolean> {
    if (this.model.isLoaded(id)) return true;
    const n = await this.api.neighbourhood(id);
    if (!n) {
      this.status(`No element with id “${id}”.`, true);
      return false;
    }
    this.model.mergeNeighbourhood(n);
    if (n.truncated) void this.countRelationships(id);
    return true;
  }

  /** The true number of relationships of an element whose neighbourhood came back a first page only. */
  private async countRelationships(id: string): Promise<void> {
    try {
      const total = await this.api.relationshipTotal(id);
      const p = this.model.partial.get(id);
      if (p) p.total = total;
      if (this.state.selected === id) this.renderPanels();
    } catch (err) {
      this.status(`Could not count the relationships of ${this.name(id)}: ${(err as Error).message}`, true);
    }
  }

  /** Load the next page of an element's relationships (past the first REL_PAGE each way). */
  async loadMoreNeighbours(id: string): Promise<void> {
    const p = this.model.partial.get(id);
    const type = this.model.elements.get(id)?.type;
    if (!p || !type) return;
    this.status(`Loading more neighbours of ${this.name(id)}…`);
    const { links, full } = await this.api.moreLinks(id, type, p.next);
    const added = this.model.addLinks(id, links);
    this.model.pageLoaded(id, full);
    this.render({ anchor: id });
    this.pendingFocus = "act-load-more";
    this.renderPanels();
    this.commit();
    this.status(`Loaded ${added} more relationship${added === 1 ? "" : "s"} of ${this.name(id)}.`);
  }

  /** Expand an element (`panels: false`: the caller draws the details panel itself). */
  async expand(id: string, { panels = true }: { panels?: boolean } = {}): Promise<void> {
    // Question modes show an answer; expanding goes back to exploring, with this element.
    if (this.state.mode !== "explore") await this.setMode("explore");
    this.status(`Loading neighbours of ${this.name(id)}…`);
    if (!(await this.ensureLoaded(id))) return;
    const m = this.model;
    if (!m.derive().nodes.some((n) => n.id === id)) m.addSeed(id);
    m.expand(id);
    this.render({ anchor: id });
    if (panels) this.renderPanels();
    this.commit();
    const node = m.derive().nodes.find((n) => n.id === id);
    const total = new Set((m.neighbourhoods.get(id) ?? []).map((l) => l.neighbour.id)).size;
    const more = node?.hiddenNeighbours ? ` ${node.hiddenNeighbours} more can be shown from the details panel.` : "";
    this.status(`Expanded ${this.name(id)}: ${total} neighbour${total === 1 ? "" : "s"}.${more}`);
  }

  collapse(id: string): void {
    this.model.collapse(id);
    this.render({ relayout: true });
    this.renderPanels();
    this.commit();
    this.status(`Collapsed ${this.name(id)}.`);
  }

  async toggleExpand(id: string): Promise<void> {
    if (this.model.expanded.includes(id)) this.collapse(id);
    else await this.expand(id);
  }

  async showMore(id: string): Promise<void> {
    this.model.showMore(id);
    this.render({ anchor: id });
    this.renderPanels();
    this.commit();
  }

  togglePin(id: string): void {
    const pinned = this.model.togglePin(id);
    this.render();
    this.renderPanels();
    this.commit();
    this.status(`${pinned ? "Pinned" : "Unpinned"} ${this.name(id)}.`);
  }

  removeFromView(id: string): void {
    this.model.remove(id);
    if (this.state.selected === id) this.state.selected = null;
    this.render({ relayout: true });
    this.renderPanels();
    this.commit();
    this.status(`Removed ${this.name(id)} from the view.`);
  }

  /** Search picks: in impact mode the picked element becomes the changed one; comparing a scenario, the compared one. */
  async pickFromSearch(e: ElementBrief): Promise<void> {
    if (this.state.page !== "graph") this.navigate("graph");
    if (this.state.mode === "impact") {
      this.model.know([e]);
      this.state.impactOf = e.id;
      await this.select(e.id, { keepMode: true });
      await this.impactPanel.run();
      return;
    }
    if (this.state.mode === "scenario" && this.state.scenario) {
      this.model.know([e]);
      this.state.impactOf = e.id;
      this.state.selected = e.id;
      await this.scenarioPanel.compare();
      await this.select(e.id, { keepMode: true });
      return;
    }
    await this.openElement(e);
  }

  /** From search or a link: add the element to the view, select it and expand it. */
  async openElement(e: ElementBrief, expand = true): Promise<void> {
    this.model.know([e]);
    this.model.addSeed(e.id);
    // The details panel is drawn once, by `select`, in a task of its own: drawn in the
    // expansion's task too (twice, "Loading…" in between), after the drawing's update and
    // layout request, it made that task a long one (the most connected element on M and L).
    if (expand) {
      await this.expand(e.id, { panels: false });
      await new Promise((next) => setTimeout(next, 0));
    } else this.render({ anchor: null });
    await this.select(e.id);
    // An expansion's layout fits the whole view; centring on the element would push half of
    // its neighbours off screen.
    if (!expand) this.view.focus(e.id);
  }

  async select(id: string | null, opts: { keepMode?: boolean } = {}): Promise<void> {
    this.state.selected = id;
    this.view.select(id);
    this.commit();
    if (id) {
      // "Loading…" only while there is something to load: drawn and replaced in the same
      // task, it was the panel drawn twice.
      if (!this.model.isLoaded(id)) this.renderPanels(true);
      try {
        await this.ensureLoaded(id);
      } catch (err) {
        this.status(`Could not load ${id}: ${(err as Error).message}`, true);
      }
      if (this.state.selected !== id) return;
      if (!opts.keepMode && this.state.mode === "impact" && !this.state.impactOf) {
        await this.impactPanel.run();
        return;
      }
    }
    this.renderPanels();
  }

  async seedValueStreams(): Promise<void> {
    const page = await this.api.listByType("ValueStream", 100);
    this.model.know(page.items);
    page.items.forEach((e) => this.model.addSeed(e.id));
    this.render({ relayout: true });
    this.commit();
    this.status(`Showing ${page.items.length} value streams.`);
  }

  runImpact(): Promise<void> {
    return this.impactPanel.run();
  }

  // -- modes --------------------------------------------------------------------------------

  updateModeButtons(): void {
    for (const b of document.querySelectorAll<HTMLButtonElement>(".modes button")) {
      const mode = b.dataset.mode as Mode;
      b.setAttribute("aria-pressed", String(mode === this.state.mode));
    }
    if (document.body.dataset.mode !== this.state.mode) {
      document.body.dataset.mode = this.state.mode;
      // The details panel is wider when comparing scenarios: the canvas changes size.
      requestAnimationFrame(() => this.view.cy.resize());
    }
  }

  async setMode(mode: Mode): Promise<void> {
    if (this.state.mode === mode) return;
    this.state.mode = mode;
    this.state.cluster = null;
    // The changed element carries over between impact and scenario comparison (impact of X, in the scenario).
    if (mode !== "impact" && mode !== "scenario") this.state.impactOf = null;
    this.overlay = emptyOverlay();
    this.model.clearOverlay();
    this.model.overlayOnly = mode !== "explore";
    this.state.layout = mode === "bottleneck" ? "fcose" : mode === "impact" || mode === "scenario" ? "dagre" : "auto";
    ($("#layout") as HTMLSelectElement).value = this.state.layout;
    this.view.setLayout(this.state.layout);
    this.updateModeButtons();
    this.commit(true);
    this.render({ relayout: true });
    if (mode === "impact") await this.impactPanel.run();
    else if (mode === "bottleneck") await this.bottleneckPanel.run();
    else if (mode === "scenario") await this.scenarioPanel.run();
    else this.renderPanels();
  }

  /** An element id to focus after the next panel render (e.g. the next field after an action). */
  pendingFocus: string | null = null;

  renderPanels(loading = false): void {
    const modeSlot = $("#mode-panel");
    // Panels are rebuilt on every change: keep keyboard focus on the control that had it.
    const active = document.activeElement as HTMLElement | null;
    const inPanels = active && active.id && active.closest(".panel") ? active.id : null;
    // Build the new panel before the old one leaves the page: a field rebuilt while the user
    // types in it reads what was typed from the old one (ui/picker.ts).
    const panel =
      this.state.mode === "impact"
        ? this.impactPanel.element()
        : this.state.mode === "bottleneck"
          ? this.bottleneckPanel.element()
          : this.state.mode === "scenario"
            ? this.scenarioPanel.element()
            : null;
    clear(modeSlot);
    if (panel) modeSlot.appendChild(panel);
    modeSlot.hidden = this.state.mode === "explore";
    renderDetails(this, $("#details"), loading);
    const requested = this.pendingFocus;
    this.pendingFocus = null;
    const want = requested ?? inPanels;
    const target = want ? document.getElementById(want) : null;
    if (target && target !== document.activeElement && (requested !== null || !document.contains(active))) {
      // Focus kept through a redraw must not scroll the panel (a button below a long answer
      // would pull the answer out of view); a field asked for is brought into view.
      target.focus({ preventScroll: requested === null });
      if (requested !== null && target.id === "impact-title") $(".panel").scrollTop = 0;
      // A text field rebuilt under the cursor keeps its caret at the end of what was typed.
      if (target instanceof HTMLInputElement && (target.type === "text" || target.type === "search")) {
        target.setSelectionRange(target.value.length, target.value.length);
      }
    }
  }

  // -- export and share -----------------------------------------------------------------------

  private stamp(): string {
    return new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
  }

  /** The graph as drawn, with its title and legend (`export.ts`): the PNG is this SVG rasterised. */
  private exported(): { svg: string; width: number; height: number } {
    const cy = this.view.cy;
    const legend = buildLegend(legendInputOf(cy, this.overlay.load.size ? (this.overlay.heat ?? null) : null, this.state.group));
    const counts = `${cy.nodes().filter((n) => !n.isParent()).length} elements · ${cy.edges().length} relationships`;
    const subtitle = `${counts} · ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC · ${location.host}`;
    return renderSvg(this.view.scene(exportTitle(this.state, (id) => this.name(id)), subtitle, legend));
  }

  async exportPng(): Promise<void> {
    try {
      const { svg, width, height } = this.exported();
      download(await svgToPng(svg, width, height), `valuegraph-${this.stamp()}.png`);
      this.status("Exported the view as PNG (with title and legend).");
    } catch (err) {
      this.status(`Could not export the PNG: ${(err as Error).message}`, true);
    }
  }

  exportSvg(): void {
    download(new Blob([this.exported().svg], { type: "image/svg+xml" }), `valuegraph-${this.stamp()}.svg`);
    this.status("Exported the view as SVG (with title and legend).");
  }

  async copyLink(): Promise<void> {
    try {
      await navigator.clipboard.writeText(location.href);
      this.status("Link to this view copied.");
    } catch {
      this.status(`Copy this link: ${location.href}`);
    }
  }

  status(message: string, error = false): void {
    const el = $("#status");
    el.textContent = message;
    el.classList.toggle("error", error);
  }
}
