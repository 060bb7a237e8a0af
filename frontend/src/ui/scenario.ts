/**
 * Scenario mode: list, create and change what-if scenarios, switch between the base model
 * and a scenario, and see the differences side by side (the impact of an element, drawn on
 * the graph; bottleneck ranks; health checks with the findings resolved and introduced).
 * Discard, and apply when the token is an admin's.
 */
import { reportButtons } from "./reports";
import type { ExplorerContext } from "../context";
import { emptyOverlay } from "../overlay";
import { append, h } from "../dom";
import { GraphQLError } from "../gql";
import {
  OPERATION_KINDS,
  PagedRange,
  buildOperationInput,
  changedChecks,
  comparedElement,
  scenarioNameProblem,
  boundedDiff,
  scenarioOverlay,
  type ApplyResult,
  type BottleneckDelta,
  COMPARE_IMPACT_PAGE,
  COMPARE_MORE,
  type Comparison,
  type HealthCheckDiff,
  type Losses,
  type OperationDraft,
  type OperationKind,
  type RoleInfo,
  type Scenario,
  type ScenarioSummary,
  type StreamChange,
  type StreamDelta,
} from "../scenarios";
import { nodeStyle, relLabel } from "../style";
import type { ElementBrief, NodeKind } from "../types";
import type { ScenarioSide } from "../urlstate";
import { elementPicker } from "./picker";
import { typeSwatch } from "./swatch";

const CHANGE_LABEL: Record<StreamChange, string> = {
  lost: "loses it",
  added: "newly reached",
  removed: "no longer reached",
  closer: "closer",
  further: "further",
  same: "unchanged",
};

const SIDE_LABEL: Record<ScenarioSide, string> = { diff: "Differences", base: "Base only", scenario: "Scenario only" };

const fmt = (v: number | null): string => (v === null ? "—" : Number.isInteger(v) ? String(v) : v.toFixed(1));
/** Scores always with one decimal, as the server rounds them. */
const score = (v: number | null): string => (v === null ? "—" : v.toFixed(1));

/** A signed delta, `+0.3` / `−1.2` / `±0`; `good` says which sign is an improvement. */
function delta(v: number | null, good: "up" | "down", id?: string): HTMLElement {
  if (v === null) return h("span", { class: "delta same", id }, "n/a"); // not applicable on a side
  const r = Math.round(v * 10) / 10;
  const cls = r === 0 ? "same" : (r > 0) === (good === "up") ? "good" : "bad";
  const t = r === 0 ? "±0" : `${r > 0 ? "+" : "−"}${Math.abs(r).toFixed(1)}`;
  return h("span", { class: `delta ${cls}`, id }, t);
}

const plural = (k: number, one: string, many = `${one}s`): string => `${k} ${k === 1 ? one : many}`;

/** Links a comparison shows at once; the rest are built when asked for. */
const SHOWN_LINKS = 40;

function errorText(err: unknown): string {
  if (err instanceof GraphQLError) return err.message;
  return (err as Error).message ?? String(err);
}

function numericAware(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}

export class ScenarioPanel {
  list: ScenarioSummary[] | null = null;
  scenario: Scenario | null = null;
  comparison: Comparison | null = null;
  role: RoleInfo | null = null;
  applied: ApplyResult | null = null;
  /** Loading or comparing failed. */
  error: string | null = null;
  /** The compared element was refused (the rest of the comparison is shown). */
  impactError: string | null = null;
  /** An action (create, add, discard, apply) failed: the server's message. */
  actionError: string | null = null;
  /** Where the action error is shown: beside the form or buttons it came from. */
  errorAt: "create" | "op" | "actions" = "actions";
  message: string | null = null;
  loading: string | null = null;
  busy = false;
  confirm: "apply" | "discard" | null = null;
  draft: OperationDraft = { kind: "removeElement", relType: "DEPENDS_ON" };
  newName = "";
  newDescription = "";
  /** Whether "Add a change" is open (null: open while the scenario has no changes). */
  addOpen: boolean | null = null;
  /** Elements put on the graph from the panel's lists (findings, bottlenecks), with their class. */
  private extras = new Map<string, { e: ElementBrief; cls: string }>();
  private seq = 0;
  /** When the pending bottleneck comparison was asked (ms, performance clock), or null. */
  private rankingSince: number | null = null;
  private rankingError: string | null = null;
  private rankingTimer: number | null = null;

  constructor(private readonly app: ExplorerContext) {}

  private get name(): string | null {
    return this.app.state.scenario;
  }

  /** Refresh the list (and, once, the caller's role), then compare the chosen scenario. */
  async run(): Promise<void> {
    const app = this.app;
    this.error = null;
    this.loading = "Loading scenarios…";
    app.renderPanels();
    try {
      const [list, role] = await Promise.all([app.scenarios.list(), this.role ?? app.scenarios.role()]);
      this.list = list;
      this.role = role;
    } catch (err) {
      this.error = `Could not list the scenarios: ${errorText(err)}`;
    } finally {
      this.loading = null;
    }
    if (app.state.mode !== "scenario") return;
    if (this.scenario && this.scenario.name !== this.name) this.forget(); // back / forward to another scenario
    if (this.name) await this.compare();
    else {
      this.scenario = null;
      this.comparison = null;
      this.clearGraph();
      app.renderPanels();
      app.status(
        this.list?.length
          ? `Base model. ${plural(this.list.length, "what-if scenario")}: choose one to compare it with the base.`
          : "Base model. No what-if scenarios yet: create one to try a change without touching the model.",
      );
    }
  }

  private async refreshList(): Promise<void> {
    try {
      this.list = await this.app.scenarios.list();
    } catch {
      /* the list is a convenience; the action's own result is what matters */
    }
  }

  /**
   * Compare the chosen scenario with the base, and draw the compared impact; `known`: the
   * scenario as the server just answered an action on it (not asked again).
   */
  async compare(known?: Scenario): Promise<void> {
    const app = this.app;
    const name = this.name;
    if (!name || app.state.mode !== "scenario") return;
    const seq = ++this.seq;
    this.stopRankingTimer();
    this.rankingSince = null;
    this.rankingError = null;
    const stale = (): boolean => seq !== this.seq || app.state.scenario !== name || app.state.mode !== "scenario";
    this.loading = `Comparing “${name}” with the base model…`;
    this.error = null;
    this.impactError = null;
    app.renderPanels();
    try {
      const sc = known?.name === name ? known : await app.scenarios.get(name);
      if (stale()) return;
      this.scenario = sc;
      if (!sc) {
        this.comparison = null;
        this.error = `There is no scenario named “${name}” (it may have been discarded). Choose another, or go back to the base model.`;
        this.clearGraph();
        return;
      }
      if (sc.status === "APPLIED") {
        this.comparison = null;
        this.clearGraph();
        app.status(`“${name}” has been applied: it is part of the base model now, so there is nothing to compare.`);
        return;
      }
      if (sc.problem) {
        this.comparison = null;
        this.error = `This scenario no longer applies to the base model: ${sc.problem}`;
        this.clearGraph();
        return;
      }
      if (!sc.operations.length) {
        // Nothing to compare yet, and the comparison is the dearest question there is (both
        // sides' bottlenecks and health: tens of seconds on L): wait for the first change.
        this.comparison = null;
        this.clearGraph();
        app.status(`“${name}” has no change yet: add one to compare it with the base model.`);
        return;
      }
      let element = comparedElement(app.state.impactOf, sc);
      let cmp: Comparison;
      // In two parts: what is lost, the impact and health first (every number final), then
      // the scenario's bottleneck ranking, the costliest question (seconds on L), when ready.
      try {
        cmp = await app.scenarios.compare(name, element, app.state.depth, undefined, false);
      } catch (err) {
        if (!element) throw err;
        // The element may be unknown on both sides: still show bottlenecks and health.
        cmp = await app.scenarios.compare(name, null, app.state.depth, undefined, false);
        this.impactError = `Impact of “${app.name(element)}”: ${errorText(err)}`;
        element = null;
      }
      if (stale()) return;
      this.comparison = cmp;
      this.scenario = cmp.scenario;
      if (cmp.impact) app.model.know([cmp.impact.element]);
      if (cmp.rankingPending) void this.completeRanking(seq, name, element);
      await this.draw();
      if (stale()) return;
      app.status(this.summary(cmp));
    } catch (err) {
      if (stale()) return;
      this.comparison = null;
      this.error = errorText(err);
      this.clearGraph();
      app.status(`Comparing the scenario failed: ${errorText(err)}`, true);
    } finally {
      if (!stale()) {
        this.loading = null;
        app.renderPanels();
        app.commit();
      }
    }
  }

  /** Ask for the whole answer (the scenario's ranking added) and show its bottleneck comparison in place. */
  private async completeRanking(seq: number, name: string, element: string | null): Promise<void> {
    this.rankingSince = performance.now();
    this.rankingError = null;
    this.stopRankingTimer();
    // The elapsed time, updated in place: the panel is not rebuilt while waiting.
    this.rankingTimer = window.setInterval(() => {
      const el = document.getElementById("scenario-bottlenecks-elapsed");
      if (el && this.rankingSince !== null) el.textContent = `${Math.round((performance.now() - this.rankingSince) / 1000)} s`;
    }, 1000);
    let whole: Comparison | null = null;
    try {
      whole = await this.app.scenarios.compare(name, element, this.app.state.depth, undefined, true);
    } catch (err) {
      if (seq === this.seq) this.rankingError = errorText(err);
    }
    if (seq !== this.seq) return; // another scenario, change or mode since
    this.stopRankingTimer();
    this.rankingSince = null;
    if (whole && this.comparison) {
      this.comparison = { ...this.comparison, bottlenecks: whole.bottlenecks, rankingPending: false };
    }
    const old = document.getElementById("scenario-bn");
    if (old && this.comparison) old.replaceWith(this.bottleneckView(this.comparison));
    else this.app.renderPanels();
    if (this.comparison && !this.comparison.rankingPending) this.app.status(this.summary(this.comparison));
  }

  private stopRankingTimer(): void {
    if (this.rankingTimer !== null) window.clearInterval(this.rankingTimer);
    this.rankingTimer = null;
  }

  private summary(c: Comparison): string {
    const parts = [`“${c.scenario.name}” against the base`];
    if (c.losses.totals.streams) parts.push(`${plural(c.losses.totals.streams, "value stream")} lose something they need`);
    if (c.impact) {
      const changed = (["lost", "removed", "added", "closer", "further"] as StreamChange[]).filter((k) => c.impact!.counts[k]).map((k) => `${c.impact!.counts[k]} ${CHANGE_LABEL[k]}`);
      parts.push(`impact of ${c.impact.element.name}: ${changed.length ? changed.join(", ") : "no stream changes"}`);
    }
    const h = c.health;
    parts.push(`health ${score(h.baseScore)} → ${score(h.scenarioScore)}`);
    if (c.bottlenecks) {
      const moved = c.bottlenecks.rows.filter((r) => r.change !== "same").length;
      parts.push(`${plural(moved, "bottleneck")} change rank`);
    } else parts.push("bottlenecks being ranked");
    return `${parts.join("; ")}.`;
  }

  /** Switch between the base model (null) and a scenario (`known`: as just answered). */
  async choose(name: string | null, known?: Scenario): Promise<void> {
    const app = this.app;
    app.state.scenario = name;
    // What another scenario or mode compared (`of=`) is not what this one is about.
    app.state.impactOf = null;
    this.forget();
    app.commit(true);
    if (name) await this.compare(known);
    else {
      this.clearGraph();
      app.renderPanels();
      app.status("Base model: the graph shows the model as it is.");
    }
  }

  /** Forget what was shown for the previous scenario. */
  private forget(): void {
    this.seq++; // a comparison still on its way is for the previous choice
    this.stopRankingTimer();
    this.rankingSince = null;
    this.rankingError = null;
    this.loading = null;
    this.scenario = null;
    this.comparison = null;
    this.applied = null;
    this.confirm = null;
    this.actionError = null;
    this.message = null;
    this.error = null;
    this.impactError = null;
    this.extras.clear();
    this.addOpen = null;
  }

  private clearGraph(): void {
    const app = this.app;
    app.model.clearOverlay();
    app.overlay = emptyOverlay();
    app.render({ relayout: true });
  }

  /** Put the compared impact (and anything shown from the lists) on the graph. */
  async draw(): Promise<void> {
    const app = this.app;
    const m = app.model;
    const impact = this.comparison?.impact;
    // The streams the panel lists first (the first page), as impact mode draws the nearest 25.
    const ov = impact ? scenarioOverlay(boundedDiff(impact, COMPARE_IMPACT_PAGE), app.state.side) : { nodes: [], steps: [], classes: new Map<string, string[]>() };
    const nodes = [...ov.nodes];
    const classes = new Map(ov.classes);
    for (const { e, cls } of this.extras.values()) {
      nodes.push(e);
      classes.set(e.id, [...(classes.get(e.id) ?? []), cls]);
    }
    const sel = app.state.selected ? m.elements.get(app.state.selected) : undefined;
    if (sel && nodes.length) nodes.push(sel);
    if (!nodes.length) {
      this.clearGraph();
      return;
    }
    m.setOverlay(
      nodes,
      ov.steps.map(({ source, target, rel }) => ({ source, target, rel })),
    );
    app.overlay = { ...emptyOverlay(), classes, pathSteps: ov.steps, dim: true };
    app.render({ relayout: true });
  }

  /** Show an element from one of the lists on the graph, marked, and select it. */
  async showOnGraph(e: ElementBrief, cls: string): Promise<void> {
    const app = this.app;
    app.model.know([e]);
    this.extras.set(e.id, { e, cls });
    app.state.selected = e.id;
    await this.draw();
    await app.select(e.id, { keepMode: true });
    app.view.focus(e.id);
    // An element the scenario adds has no base neighbourhood to show.
    if (!app.model.isLoaded(e.id)) app.status(`${e.name} exists only in the scenario: it has no details in the base model yet.`);
  }

  // -- actions --------------------------------------------------------------------------------

  private async act(label: string, at: ScenarioPanel["errorAt"], fn: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.actionError = null;
    this.errorAt = at;
    this.message = null;
    this.app.renderPanels();
    try {
      await fn();
    } catch (err) {
      this.actionError = errorText(err);
      this.app.status(`${label} failed: ${errorText(err)}`, true);
    } finally {
      this.busy = false;
      this.app.renderPanels();
    }
  }

  async create(): Promise<void> {
    const problem = scenarioNameProblem(this.newName);
    if (problem) {
      this.actionError = problem;
      this.errorAt = "create";
      this.app.pendingFocus = "scenario-name";
      this.app.renderPanels();
      return;
    }
    await this.act("Creating the scenario", "create", async () => {
      const sc = await this.app.scenarios.create(this.newName, this.newDescription);
      this.newName = "";
      this.newDescription = "";
      // The list beside the comparison, not before it: neither waits for the other.
      const listed = this.refreshList();
      await this.choose(sc.name, sc);
      await listed;
      this.message = `Created “${sc.name}”. Add the changes it makes below.`;
      this.app.pendingFocus = "op-kind";
    });
  }

  async addOperation(): Promise<void> {
    const name = this.name;
    if (!name) return;
    const built = buildOperationInput(this.draft);
    if (!built.ok) {
      this.actionError = `To add this change: ${built.problems.join("; ")}.`;
      this.errorAt = "op";
      this.app.renderPanels();
      return;
    }
    await this.act("Adding the change", "op", async () => {
      const sc = await this.app.scenarios.addOperation(name, built.input);
      this.scenario = sc;
      this.draft = { kind: this.draft.kind, relType: this.draft.relType };
      const listed = this.refreshList();
      await this.compare(sc);
      await listed;
      this.message = `Added: ${sc.operations[sc.operations.length - 1]?.text ?? "the change"}.`;
      this.app.pendingFocus = this.addOpen ? "op-kind" : "scenario-message";
    });
  }

  async discard(): Promise<void> {
    const name = this.name;
    if (!name) return;
    await this.act("Discarding the scenario", "actions", async () => {
      await this.app.scenarios.discard(name);
      this.confirm = null;
      await this.refreshList();
      await this.choose(null);
      this.message = `Discarded “${name}”. The base model was not touched.`;
      this.app.pendingFocus = "scenario-select";
      this.app.status(this.message);
    });
  }

  async apply(): Promise<void> {
    const name = this.name;
    if (!name) return;
    await this.act("Applying the scenario", "actions", async () => {
      const r = await this.app.scenarios.apply(name);
      this.confirm = null;
      this.applied = r;
      // The base model changed: forget loaded neighbourhoods so they are read again.
      this.app.model.neighbourhoods.clear();
      this.app.model.details.clear();
      await this.refreshList();
      this.scenario = (await this.app.scenarios.get(name)) ?? this.scenario;
      this.comparison = null;
      this.extras.clear();
      this.clearGraph();
      this.message = `Applied “${name}” to the base model.`;
      this.app.pendingFocus = "scenario-applied";
      this.app.status(this.message);
    });
  }

  private setSide(side: ScenarioSide): void {
    this.app.state.side = side;
    this.app.commit();
    void this.draw().then(() => this.app.renderPanels());
  }

  private compareElement(id: string): void {
    this.app.state.impactOf = id;
    this.extras.clear();
    void this.compare();
  }

  // -- rendering ------------------------------------------------------------------------------

  element(): HTMLElement {
    const root = h("section", { class: "mode-panel scenario", "aria-labelledby": "scn-title", "aria-busy": String(this.busy || Boolean(this.loading)) }, h("h2", { id: "scn-title" }, "What-if scenarios"));
    root.appendChild(this.switcher());
    if (this.message) root.appendChild(h("p", { class: "ok-message", role: "status", id: "scenario-message", tabindex: "-1" }, this.message));
    // With a comparison on screen the progress line goes with it (nothing above moves).
    if (this.loading && !(this.comparison && this.scenario)) root.appendChild(h("p", { class: "loading", role: "status" }, this.loading));
    if (this.error) root.appendChild(h("p", { class: "error", role: "alert", id: "scenario-error" }, this.error));
    if (!this.name) {
      root.append(this.listView(), this.createForm());
      return root;
    }
    const sc = this.scenario;
    if (!sc) return root;
    root.appendChild(this.header(sc));
    if (this.applied) root.appendChild(this.appliedView(this.applied));
    root.appendChild(this.operations(sc));
    root.appendChild(this.actions(sc));
    if (sc.status === "OPEN") root.appendChild(this.operationForm(sc));
    // While a new comparison loads the last one stays (marked stale), so focus and scroll stay put.
    if (this.comparison) root.appendChild(this.differences(this.comparison, Boolean(this.loading)));
    return root;
  }

  private switcher(): HTMLElement {
    const select = h(
      "select",
      {
        id: "scenario-select",
        disabled: this.busy,
        onchange: (ev: Event) => void this.choose((ev.target as HTMLSelectElement).value || null),
      },
      h("option", { value: "" }, "Base model (as it is)"),
      ...(this.list ?? []).map((s) =>
        h("option", { value: s.name }, `${s.name}${s.status === "APPLIED" ? " (applied)" : ` (${plural(s.operationCount, "change")})`}`),
      ),
    );
    // A scenario named in the URL but missing from the list still shows as chosen.
    if (this.name && !(this.list ?? []).some((s) => s.name === this.name)) select.appendChild(h("option", { value: this.name }, this.name));
    select.value = this.name ?? "";
    return h("div", { class: "scn-switch" }, h("label", { for: "scenario-select" }, "Model shown"), select);
  }

  private listView(): HTMLElement {
    const list = this.list ?? [];
    const ul = h("ul", { class: "scenario-list", id: "scenario-list" });
    for (const s of list) {
      ul.appendChild(
        h(
          "li",
          {},
          h("button", { type: "button", class: "scenario-open", "data-name": s.name, onclick: () => void this.choose(s.name) }, s.name),
          h("span", { class: `badge ${s.status === "APPLIED" ? "applied" : "open"}` }, s.status === "APPLIED" ? "applied" : plural(s.operationCount, "change")),
          s.description ? h("div", { class: "scn-desc" }, s.description) : null,
          h("div", { class: "scn-meta" }, [s.createdBy ? `by ${s.createdBy}` : "", s.createdAt ? `created ${s.createdAt.slice(0, 16).replace("T", " ")}` : ""].filter(Boolean).join(", ")),
        ),
      );
    }
    return h(
      "div",
      {},
      h("p", { class: "hint" }, "A scenario is a list of changes made on top of the model without touching it: compare it with the base, then discard it or apply it."),
      h("h3", {}, `Scenarios (${list.length})`),
      list.length ? ul : h("p", { class: "none" }, "None yet."),
    );
  }

  private createForm(): HTMLElement {
    return h(
      "form",
      {
        class: "scn-form",
        id: "scenario-new",
        "aria-labelledby": "scenario-new-title",
        onsubmit: (ev: Event) => {
          ev.preventDefault();
          void this.create();
        },
      },
      h("h3", { id: "scenario-new-title" }, "New scenario"),
      h("label", { for: "scenario-name" }, "Name"),
      h("input", {
        id: "scenario-name",
        required: true,
        maxlength: 100,
        value: this.newName,
        placeholder: "e.g. retire-api-gateway",
        "aria-describedby": "scenario-name-help",
        oninput: (ev: Event) => (this.newName = (ev.target as HTMLInputElement).value),
      }),
      h("div", { class: "hint", id: "scenario-name-help" }, "Letters, digits, spaces, '.', '_' or '-'."),
      h("label", { for: "scenario-description" }, "Description"),
      h("input", {
        id: "scenario-description",
        value: this.newDescription,
        placeholder: "What is being tried, and why",
        oninput: (ev: Event) => (this.newDescription = (ev.target as HTMLInputElement).value),
      }),
      this.errorView("create"),
      h("div", { class: "row" }, h("button", { type: "submit", class: "primary", id: "scenario-create", disabled: this.busy }, "Create scenario")),
    );
  }

  private header(sc: Scenario): HTMLElement {
    return h(
      "header",
      { class: "scn-head" },
      h("h3", { id: "scenario-title" }, sc.name, " ", h("span", { class: `badge ${sc.status === "APPLIED" ? "applied" : "open"}` }, sc.status === "APPLIED" ? "applied" : "open")),
      sc.description ? h("p", { class: "scn-desc" }, sc.description) : null,
      h(
        "p",
        { class: "scn-meta" },
        [
          sc.createdBy ? `Created by ${sc.createdBy}` : "",
          sc.createdAt ? `on ${sc.createdAt.slice(0, 16).replace("T", " ")}` : "",
          sc.appliedAt ? `· applied ${sc.appliedAt.slice(0, 16).replace("T", " ")}${sc.appliedBy ? ` by ${sc.appliedBy}` : ""}` : "",
        ]
          .filter(Boolean)
          .join(" "),
      ),
    );
  }

  private operations(sc: Scenario): HTMLElement {
    return h(
      "section",
      { "aria-labelledby": "scenario-ops-title" },
      h("h3", { id: "scenario-ops-title" }, `Changes (${sc.operations.length})`),
      sc.operations.length
        ? h("ol", { class: "scn-ops", id: "scenario-ops" }, ...sc.operations.map((o) => h("li", { "data-op": o.op }, o.text)))
        : h("p", { class: "none" }, "No changes yet: add one below."),
    );
  }

  private operationForm(sc: Scenario): HTMLElement {
    const app = this.app;
    const d = this.draft;
    const set = (patch: Partial<OperationDraft>): void => {
      Object.assign(d, patch);
    };
    const fields = h("div", { class: "op-fields" });
    const picker = (id: string, label: string, key: keyof OperationDraft, types?: NodeKind[], optional = false): HTMLElement =>
      elementPicker(app, { id, label, value: d[key] as string | undefined, types, optional, onChange: (v) => set({ [key]: v } as Partial<OperationDraft>) });
    switch (d.kind) {
      case "removeElement":
        fields.append(picker("op-element", "Element to remove", "element"));
        break;
      case "replaceElement": {
        // An element's `type` is its node type's label, one of the SDL's NodeKind values.
        const oldType = d.old ? (app.model.elements.get(d.old)?.type as NodeKind | undefined) : undefined;
        fields.append(
          elementPicker(app, {
            id: "op-old",
            label: "Element to replace",
            value: d.old,
            onChange: (v, e) => {
              set({ old: v });
              if (e) app.renderPanels(); // the replacement must be of the same type
            },
          }),
          picker("op-new", "Replaced by (same type)", "new", oldType ? [oldType] : undefined),
          h("p", { class: "hint" }, "The replacement takes every relationship of the old element (its users, what it uses, its data, its owners); then the old one goes. To replace it by something new, add the new element first."),
        );
        break;
      }
      case "moveOwnership":
        fields.append(
          picker("op-element", "Element", "element"),
          picker("op-to-team", "New owning team", "toTeam", ["Team"]),
          picker("op-from-team", "Only from this team", "fromTeam", ["Team"], true),
          h("p", { class: "hint" }, "Without a team to move it from, every current owner gives it up."),
        );
        break;
      case "addRelationship":
      case "removeRelationship": {
        const rel = app.schema.relationships.find((r) => r.type === (d.relType ?? "DEPENDS_ON"));
        fields.append(
          h("label", { for: "op-rel-type" }, "Relationship"),
          h(
            "select",
            { id: "op-rel-type", onchange: (ev: Event) => (set({ relType: (ev.target as HTMLSelectElement).value }), app.renderPanels()) },
            ...app.schema.relationships.map((r) => h("option", { value: r.type, selected: r.type === (d.relType ?? "DEPENDS_ON") }, relLabel(r.type))),
          ),
          rel?.description ? h("p", { class: "hint", id: "op-rel-help" }, rel.description) : "",
          picker("op-source", `Source (the one that ${relLabel(rel?.type ?? "DEPENDS_ON")} …)`, "source"),
          picker("op-target", "Target", "target"),
        );
        break;
      }
      case "splitStream":
        fields.append(...this.splitFields());
        break;
      case "addElement":
        fields.append(
          h("label", { for: "op-type" }, "Type"),
          h(
            "select",
            { id: "op-type", onchange: (ev: Event) => set({ type: (ev.target as HTMLSelectElement).value }) },
            h("option", { value: "" }, "Choose a type…"),
            ...app.schema.nodes.map((n) => h("option", { value: n.label, selected: n.label === d.type }, nodeStyle(n.label).label)),
          ),
          h("label", { for: "op-name" }, "Name"),
          h("input", { id: "op-name", value: d.name ?? "", oninput: (ev: Event) => set({ name: (ev.target as HTMLInputElement).value }) }),
          h("label", { for: "op-id" }, "Id ", h("span", { class: "optional" }, "(optional: made from the type and name)")),
          h("input", { id: "op-id", value: d.id ?? "", oninput: (ev: Event) => set({ id: (ev.target as HTMLInputElement).value }) }),
        );
        break;
    }
    const details = h(
      "details",
      { class: "scn-add", id: "scenario-add", open: this.addOpen ?? sc.operations.length === 0 },
      h("summary", { id: "scenario-add-summary" }, "Add a change"),
      h(
        "form",
        {
          class: "scn-form",
          onsubmit: (ev: Event) => {
            ev.preventDefault();
            void this.addOperation();
          },
        },
        h("label", { for: "op-kind" }, "Change"),
        h(
          "select",
          {
            id: "op-kind",
            onchange: (ev: Event) => {
              this.draft = { kind: (ev.target as HTMLSelectElement).value as OperationKind, relType: d.relType ?? "DEPENDS_ON" };
              this.actionError = null;
              app.renderPanels();
            },
          },
          ...OPERATION_KINDS.map((k) => h("option", { value: k.kind, selected: k.kind === d.kind }, k.label)),
        ),
        fields,
        this.errorView("op"),
        h("div", { class: "row" }, h("button", { type: "submit", class: "primary", id: "op-add", disabled: this.busy }, this.busy ? "Working…" : "Add change")),
      ),
    );
    // Remember the user's choice (a click or Enter/Space on the summary), not the initial state.
    details.querySelector("summary")!.addEventListener("click", () => (this.addOpen = !details.open));
    return details;
  }

  /** Split a stream: pick it, name the new streams, say which takes each stage. */
  private splitFields(): HTMLElement[] {
    const app = this.app;
    const d = this.draft;
    const out: HTMLElement[] = [
      elementPicker(app, {
        id: "op-stream",
        label: "Value stream to split",
        value: d.stream,
        types: ["ValueStream"],
        onChange: (v, e) => {
          d.stream = v;
          if (e) void this.loadStages(e);
        },
      }),
    ];
    const stages = d.stages ?? [];
    const parts = d.parts ?? [];
    if (!d.stream || !stages.length) {
      out.push(h("p", { class: "hint" }, "Pick the stream: its stages are listed to share out between the new streams."));
      return out;
    }
    const partList = h("fieldset", { class: "split-parts" }, h("legend", {}, "New streams"));
    parts.forEach((p, i) => {
      partList.appendChild(
        h(
          "div",
          { class: "row" },
          h("label", { for: `op-part-${i}` }, `${i + 1}.`),
          h("input", { id: `op-part-${i}`, value: p.name, "aria-label": `New stream ${i + 1} name`, oninput: (ev: Event) => {
              p.name = (ev.target as HTMLInputElement).value;
              // The stage choices name the new streams: keep them in step as the name is typed.
              document.querySelectorAll(`select[data-stage] option[value="${i}"]`).forEach((o) => (o.textContent = p.name.trim() || `new stream ${i + 1}`));
            } }),
          parts.length > 2
            ? h(
                "button",
                {
                  type: "button",
                  "aria-label": `Remove new stream ${i + 1}`,
                  onclick: () => {
                    parts.splice(i, 1);
                    for (const [s, k] of Object.entries(d.assign ?? {})) if (k >= parts.length) d.assign![s] = parts.length - 1;
                    app.renderPanels();
                  },
                },
                "✕",
              )
            : null,
        ),
      );
    });
    partList.appendChild(
      h(
        "button",
        {
          type: "button",
          id: "op-part-add",
          onclick: () => {
            parts.push({ name: "" });
            app.pendingFocus = `op-part-${parts.length - 1}`;
            app.renderPanels();
          },
        },
        "Add another new stream",
      ),
    );
    const table = h(
      "table",
      { class: "split-stages" },
      h("caption", {}, "Which new stream takes each stage"),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Stage"), h("th", { scope: "col" }, "Goes to"))),
      h(
        "tbody",
        {},
        ...stages.map((sid, k) =>
          h(
            "tr",
            {},
            h("th", { scope: "row" }, h("label", { for: `op-stage-${k}` }, app.name(sid))),
            h(
              "td",
              {},
              h(
                "select",
                {
                  id: `op-stage-${k}`,
                  "data-stage": sid,
                  onchange: (ev: Event) => {
                    d.assign = { ...(d.assign ?? {}), [sid]: Number((ev.target as HTMLSelectElement).value) };
                  },
                },
                ...parts.map((p, i) => h("option", { value: i, selected: d.assign?.[sid] === i }, p.name.trim() || `new stream ${i + 1}`)),
              ),
            ),
          ),
        ),
      ),
    );
    out.push(partList, table, h("p", { class: "hint" }, "Everything else the stream has (capabilities, platforms, teams, funding…) is copied to each new stream; adjust the copies with further changes."));
    return out;
  }

  private async loadStages(stream: ElementBrief): Promise<void> {
    const app = this.app;
    try {
      await app.ensureLoaded(stream.id);
    } catch (err) {
      this.actionError = `Could not read the stages of ${stream.name}: ${errorText(err)}`;
      this.errorAt = "op";
    }
    const d = this.draft;
    if (d.kind !== "splitStream" || d.stream !== stream.id) return;
    const stages = (app.model.neighbourhoods.get(stream.id) ?? [])
      .filter((l) => l.rel === "HAS_STAGE" && l.outgoing)
      .map((l) => l.neighbour.id)
      .filter((id, i, all) => all.indexOf(id) === i)
      .sort(numericAware);
    d.stages = stages;
    d.parts = [{ name: `${stream.name} (1)` }, { name: `${stream.name} (2)` }];
    const half = Math.ceil(stages.length / 2);
    d.assign = Object.fromEntries(stages.map((s, i) => [s, i < half ? 0 : 1]));
    if (!stages.length) {
      this.actionError = `${stream.name} has no stages to split.`;
      this.errorAt = "op";
    }
    app.pendingFocus = "op-part-0";
    app.renderPanels();
  }

  /** The last action's error, where it belongs (an alert, so it is read out). */
  private errorView(at: ScenarioPanel["errorAt"]): HTMLElement | null {
    if (!this.actionError || this.errorAt !== at) return null;
    return h("p", { class: "error action-error", role: "alert", id: "scenario-action-error" }, this.actionError);
  }

  private actions(sc: Scenario): HTMLElement {
    const role = this.role;
    const box = h("div", { class: "scn-actions", role: "group", "aria-label": "Scenario actions" });
    const err = this.errorView("actions");
    if (err) box.appendChild(err);
    if (sc.status === "OPEN") {
      box.appendChild(h("button", { type: "button", id: "scenario-compare", disabled: this.busy, onclick: () => void this.compare() }, "Compare again"));
    }
    if (this.confirm === "discard") {
      box.append(
        h("p", { class: "confirm", id: "scenario-discard-question" }, `Discard “${sc.name}”? Its changes are lost; the base model is not touched.`),
        h("button", { type: "button", id: "scenario-discard-confirm", class: "danger", disabled: this.busy, "aria-describedby": "scenario-discard-question", onclick: () => void this.discard() }, "Discard"),
        h("button", { type: "button", id: "scenario-cancel", onclick: () => ((this.confirm = null), (this.app.pendingFocus = "scenario-discard"), this.app.renderPanels()) }, "Cancel"),
      );
      return box;
    }
    if (this.confirm === "apply") {
      box.append(
        h(
          "p",
          { class: "confirm", id: "scenario-apply-question" },
          `Apply “${sc.name}” to the base model? Its ${plural(sc.operations.length, "change")} are written in one transaction, for everyone.`,
        ),
        h("button", { type: "button", id: "scenario-apply-confirm", class: "danger", disabled: this.busy, "aria-describedby": "scenario-apply-question", onclick: () => void this.apply() }, "Apply now"),
        h("button", { type: "button", id: "scenario-cancel", onclick: () => ((this.confirm = null), (this.app.pendingFocus = "scenario-apply"), this.app.renderPanels()) }, "Cancel"),
      );
      return box;
    }
    box.appendChild(
      h("button", { type: "button", id: "scenario-discard", disabled: this.busy, onclick: () => ((this.confirm = "discard"), (this.app.pendingFocus = "scenario-cancel"), this.app.renderPanels()) }, "Discard…"),
    );
    if (sc.status === "OPEN") {
      if (role?.admin === false) {
        box.appendChild(
          h(
            "p",
            { class: "note", id: "scenario-apply-refused" },
            "Applying writes the scenario into the base model, which needs an admin token. The server says: ",
            h("q", {}, role.message),
            ".",
          ),
        );
      } else {
        box.appendChild(
          h(
            "button",
            {
              type: "button",
              id: "scenario-apply",
              disabled: this.busy || !sc.operations.length,
              title: role?.admin ? "" : "The server decides whether your token may apply",
              onclick: () => ((this.confirm = "apply"), (this.app.pendingFocus = "scenario-cancel"), this.app.renderPanels()),
            },
            "Apply to the base model…",
          ),
        );
      }
    }
    return box;
  }

  private appliedView(r: ApplyResult): HTMLElement {
    const list = (title: string, items: (ElementBrief | string)[]): HTMLElement | null =>
      items.length
        ? h(
            "details",
            {},
            h("summary", {}, `${title} (${items.length})`),
            h("ul", {}, ...items.map((x) => h("li", {}, typeof x === "string" ? x : `${x.name} (${nodeStyle(x.type).label})`))),
          )
        : null;
    return h(
      "section",
      { class: "scn-applied", id: "scenario-applied", tabindex: "-1", "aria-labelledby": "scenario-applied-title" },
      h("h3", { id: "scenario-applied-title" }, "Applied to the base model"),
      h(
        "p",
        {},
        `${plural(r.elementsAdded.length, "element")} added, ${r.elementsRemoved.length} removed, ${r.elementsChanged.length} changed; ` +
          `${plural(r.relationshipsAdded.length, "relationship")} added, ${r.relationshipsRemoved.length} removed.`,
      ),
      list("Elements added", r.elementsAdded),
      list("Elements removed", r.elementsRemoved),
      list("Elements changed", r.elementsChanged),
      list("Relationships added", r.relationshipsAdded),
      list("Relationships removed", r.relationshipsRemoved),
    );
  }

  // -- the differences --------------------------------------------------------------------------

  private link(e: ElementBrief, cls: string, label?: string): HTMLButtonElement {
    return h(
      "button",
      {
        type: "button",
        class: "element-link",
        "data-id": e.id,
        title: `Show ${e.name} (${nodeStyle(e.type).label}, ${e.id}) on the graph`,
        onclick: () => void this.showOnGraph(e, cls),
      },
      label ?? e.name,
    );
  }

  private differences(c: Comparison, stale: boolean): HTMLElement {
    const app = this.app;
    const s = app.state;
    const root = h(
      "section",
      { class: `scn-diff${stale ? " stale" : ""}`, id: "scenario-diff", "aria-labelledby": "scenario-diff-title" },
      h("h3", { id: "scenario-diff-title" }, "Differences from the base model"),
      stale ? h("p", { class: "loading", role: "status" }, this.loading) : null,
      reportButtons(app.api.client, { kind: "scenario", scenario: c.scenario.name, element: c.impact?.element.id ?? null, depth: s.depth }, "report-scenario"),
    );
    // What the graph draws.
    const radio = (side: ScenarioSide): HTMLElement =>
      h(
        "label",
        { for: `scn-side-${side}` },
        h("input", { type: "radio", name: "scn-side", id: `scn-side-${side}`, value: side, checked: s.side === side, onchange: () => this.setSide(side) }),
        ` ${SIDE_LABEL[side]}`,
      );
    if (c.impact) {
      root.appendChild(
        h(
          "fieldset",
          { class: "scn-side", "aria-describedby": "scn-side-help" },
          h("legend", {}, "The graph shows"),
          h("div", { class: "radios" }, radio("diff"), radio("base"), radio("scenario")),
          h(
            "p",
            { class: "hint", id: "scn-side-help" },
            s.side === "diff"
              ? "Green: reached only in the scenario; dashed red: only in the base; dark: the same on both sides. The changed element is ringed."
              : `The impact as the ${s.side === "base" ? "base model" : "scenario"} answers it, paths in red.`,
          ),
        ),
      );
    }
    root.appendChild(this.lossesView(c));
    root.appendChild(this.impactView(c));
    root.appendChild(this.healthView(c));
    root.appendChild(this.bottleneckView(c));
    return root;
  }

  /** What the scenario takes away from what streams need: first, as a loss, never good news. */
  private lossesView(c: Comparison): HTMLElement {
    const l: Losses = c.losses;
    const box = h("section", { class: "scn-losses", id: "scenario-losses", "aria-labelledby": "scenario-losses-title" });
    box.appendChild(h("h4", { id: "scenario-losses-title" }, "Losses"));
    if (!l.totals.needs) {
      box.appendChild(h("p", { class: "none", id: "scenario-no-losses" }, "Nothing loses a platform, capability or data it needs."));
      return box;
    }
    const links = (es: ElementBrief[], cls: string, list: "streams" | "capabilities"): (Node | string)[] =>
      this.links(es, cls, false, { total: l.totals[list], fetch: (offset) => this.app.scenarios.comparePage(...this.asked(c), list, offset) });
    box.appendChild(
      h(
        "p",
        { class: "loss-summary", id: "scenario-lost-streams" },
        h("span", { class: "tag bad" }, "Loss"),
        ` ${plural(l.totals.streams, "value stream")} lose something they need: `,
        ...links(l.streams, "sc-lost", "streams"),
        ".",
      ),
    );
    if (l.totals.capabilities) {
      box.appendChild(
        h(
          "p",
          { class: "loss-summary", id: "scenario-cut-capabilities" },
          `${plural(l.totals.capabilities, "capability", "capabilities")} left without a working platform: `,
          ...links(l.capabilities, "sc-lost", "capabilities"),
          ".",
        ),
      );
    }
    const row = (n: Losses["needs"][number]): HTMLElement =>
      h(
        "tr",
        { "data-id": n.element.id, "data-needed": n.needed.id },
        h("td", {}, h("div", { class: "el" }, typeSwatch(n.element.type, 11), this.link(n.element, "sc-lost"))),
        h("td", {}, `${relLabel(n.relationship)} `, h("div", { class: "el" }, typeSwatch(n.needed.type, 11), this.link(n.needed, "sc-gone-need")), n.removed ? h("span", { class: "sub" }, " (removed)") : h("span", { class: "sub" }, " (relationship removed)")),
        h("td", { class: "num" }, String(n.streamCount)),
      );
    const shown = 25;
    const table = (body: HTMLElement[]): HTMLElement =>
      h(
        "table",
        { class: "scn-table scn-lost-needs", id: "scenario-lost-needs" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Loses"), h("th", { scope: "col" }, "What it needed"), h("th", { scope: "col" }, "Streams"))),
        h("tbody", {}, ...body),
      );
    box.appendChild(table(l.needs.slice(0, shown).map(row)));
    if (l.totals.needs > shown) {
      // The rest is asked and built when opened, a page at a time: removing the most shared
      // platform of L loses 5,600 needs (the comparison holds its first page).
      const held = [...l.needs];
      const rest = h("tbody", {});
      const next = h("button", { type: "button", class: "linkish more", id: "scenario-lost-needs-more", hidden: true }, "");
      const label = (): void => {
        next.textContent = `Show ${Math.min(COMPARE_MORE, l.totals.needs - held.length)} more of ${(l.totals.needs - held.length).toLocaleString("en-GB")}`;
        next.hidden = held.length >= l.totals.needs;
      };
      next.onclick = async () => {
        next.setAttribute("disabled", "");
        try {
          const page = await this.app.scenarios.lostNeedsPage(...this.asked(c), held.length);
          append(rest, page.map(row));
          held.push(...page);
          label();
          if (!page.length) next.hidden = true;
        } catch (e) {
          next.textContent = `Could not load more (${e instanceof Error ? e.message : String(e)}): try again`;
        } finally {
          next.removeAttribute("disabled");
        }
      };
      const more = h(
        "details",
        {
          ontoggle: () => {
            if (!more.open || rest.firstChild) return;
            append(rest, held.slice(shown).map(row));
            label();
          },
        },
        h("summary", {}, `${(l.totals.needs - shown).toLocaleString("en-GB")} more`),
        h("table", { class: "scn-table" }, rest),
        next,
      );
      box.appendChild(more);
    }
    return box;
  }

  private impactView(c: Comparison): HTMLElement {
    const app = this.app;
    const s = app.state;
    const box = h("section", { class: "scn-impact", "aria-labelledby": "scenario-impact-title" });
    const d = c.impact;
    box.appendChild(h("h4", { id: "scenario-impact-title" }, "Impact of a change to ", d ? h("strong", { id: "scenario-impact-of" }, d.element.name) : "an element"));
    if (this.impactError) box.appendChild(h("p", { class: "error", role: "alert" }, this.impactError));
    box.appendChild(
      elementPicker(app, {
        id: "scenario-element",
        label: "Compare the impact of",
        // The field shows the element compared, whether chosen or the first change's subject.
        value: d?.element.id ?? app.state.impactOf ?? undefined,
        onChange: (v, e) => {
          if (e) this.compareElement(v);
        },
      }),
    );
    box.appendChild(
      h(
        "div",
        { class: "controls" },
        h("label", { for: "scenario-depth" }, "Max depth "),
        h("input", {
          type: "number",
          id: "scenario-depth",
          min: 1,
          max: 20,
          value: s.depth,
          "aria-describedby": "scenario-depth-help",
          onchange: (ev: Event) => {
            const v = Number((ev.target as HTMLInputElement).value);
            if (Number.isInteger(v) && v >= 1 && v <= 20 && v !== s.depth) {
              s.depth = v;
              app.commit();
              void this.compare();
            }
          },
        }),
        h("span", { class: "hint", id: "scenario-depth-help" }, "hops followed from the element, on both sides"),
      ),
    );
    if (!d) {
      box.appendChild(h("p", { class: "none" }, "Pick an element to compare what a change to it reaches in the base and in the scenario."));
      return box;
    }
    const notes: string[] = [];
    if (!d.inScenario)
      notes.push(
        d.counts.lost
          ? `${d.element.name} does not exist in the scenario: the ${plural(d.counts.lost, "stream")} that needed it lose it (see Losses).`
          : `${d.element.name} does not exist in the scenario, so nothing is reached from it there.`,
      );
    if (!d.inBase) notes.push(`${d.element.name} exists only in the scenario.`);
    if (notes.length) box.appendChild(h("p", { class: "note" }, notes.join(" ")));
    box.appendChild(
      h(
        "table",
        { class: "scn-side-by-side", "aria-label": "Reach, base against scenario" },
        h("thead", {}, h("tr", {}, h("td", {}), h("th", { scope: "col" }, "Base"), h("th", { scope: "col" }, "Scenario"))),
        h(
          "tbody",
          {},
          h("tr", {}, h("th", { scope: "row" }, "Value streams reached"), h("td", { id: "scenario-base-streams" }, String(d.baseStreamCount)), h("td", { id: "scenario-scenario-streams" }, String(d.scenarioStreamCount))),
          h("tr", {}, h("th", { scope: "row" }, "Elements reached"), h("td", {}, String(d.baseAffectedCount)), h("td", {}, String(d.scenarioAffectedCount))),
        ),
      ),
    );
    const chips = h("ul", { class: "change-chips", "aria-label": "Streams by change (colours as on the graph)" });
    for (const k of ["lost", "removed", "added", "closer", "further", "same"] as StreamChange[]) {
      if (d.counts[k]) chips.appendChild(h("li", { class: `chip sc-${k}` }, `${d.counts[k]} ${CHANGE_LABEL[k]}`));
    }
    if (d.total) box.appendChild(chips);
    const drawn = Math.min(COMPARE_IMPACT_PAGE, d.streams.length);
    if (d.total > drawn) box.appendChild(h("p", { class: "hint", id: "scenario-drawn" }, `The graph draws the first ${drawn} of these ${d.total.toLocaleString("en-GB")} streams, as listed below.`));
    const table = h(
      "table",
      { class: "scn-streams", id: "scenario-impact" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Value stream"), h("th", { scope: "col" }, "Base"), h("th", { scope: "col" }, "Scenario"))),
    );
    // The server lists them changed first, the unchanged last (`counts.same` of them): the
    // first page is in the table, the rest asked a page at a time when opened (removing the
    // most shared platform of L changes all 500 streams, each row with its paths).
    const changedTotal = d.total - d.counts.same;
    const first = d.streams.slice(0, Math.min(drawn, changedTotal));
    const body = h("tbody", {});
    for (const st of first) body.appendChild(this.streamRow(st));
    if (!changedTotal) {
      body.appendChild(h("tr", {}, h("td", { colspan: 3, class: "none" }, d.total ? "No stream's reach changes." : "No value stream is reached on either side.")));
    }
    table.appendChild(body);
    box.appendChild(table);
    const fetch = (offset: number, limit: number): Promise<StreamDelta[]> => this.app.scenarios.impactPage(...this.asked(c), offset, limit);
    const row = (st: StreamDelta): HTMLElement => this.streamRow(st);
    if (changedTotal > first.length) {
      const range = new PagedRange(d.streams, first.length, changedTotal, fetch);
      box.appendChild(this.pagedRows(`${(changedTotal - first.length).toLocaleString("en-GB")} more changed`, "scn-streams", range, row, "scenario-impact-more"));
    }
    if (d.counts.same) {
      const summary = `${plural(d.counts.same, "stream")} reached the same way on both sides`;
      box.appendChild(this.pagedRows(summary, "scn-streams", new PagedRange(d.streams, changedTotal, d.total, fetch), row, "scenario-impact-same", "scn-same"));
    }
    return box;
  }

  /**
   * A closed `details` with the rows of `range` (a list the server pages): those held
   * already built when it is first opened, the rest asked a page at a time with a
   * "Show N more" button.
   */
  private pagedRows<T>(summary: string, tableClass: string, range: PagedRange<T>, row: (item: T) => HTMLElement, id: string, cls?: string): HTMLElement {
    const rest = h("tbody", {});
    const button = h("button", { type: "button", class: "linkish more", id: `${id}-next`, hidden: true }, "");
    const label = (): void => {
      button.textContent = `Show ${range.nextPage.toLocaleString("en-GB")} more of ${range.left.toLocaleString("en-GB")}`;
      button.hidden = range.left <= 0;
    };
    const load = async (): Promise<void> => {
      button.setAttribute("disabled", "");
      try {
        append(rest, (await range.more()).map(row));
        label();
      } catch (e) {
        button.textContent = `Could not load more (${e instanceof Error ? e.message : String(e)}): try again`;
      } finally {
        button.removeAttribute("disabled");
      }
    };
    button.onclick = load;
    let opened = false;
    const more = h(
      "details",
      {
        class: cls ?? null,
        ontoggle: () => {
          if (!more.open || opened) return;
          opened = true;
          append(rest, range.first.map(row));
          label();
          // Nothing of the range held yet: its first page at once.
          if (!range.first.length) void load();
        },
      },
      h("summary", {}, summary),
      h("table", { class: tableClass, id }, rest),
      button,
    );
    return more;
  }

  /** The arguments the comparison shown was asked with: a next page of one of its lists
   * is asked with them, and the server answers it from the comparison it keeps. */
  private asked(c: Comparison): [string, string | null, number] {
    return [c.scenario.name, c.impact?.element.id ?? null, this.app.state.depth];
  }

  /** Element links separated by commas: the first `SHOWN_LINKS`, the rest when asked for,
   * a page at a time from the server (`server`) past those held. */
  private links(es: ElementBrief[], cls: string, swatch = true, server?: { total: number; fetch: (offset: number) => Promise<ElementBrief[]> }): (Node | string)[] {
    const one = (e: ElementBrief, i: number): (Node | string)[] => (swatch ? [i ? ", " : "", typeSwatch(e.type, 11), " ", this.link(e, cls)] : [i ? ", " : "", this.link(e, cls)]);
    const out = es.slice(0, SHOWN_LINKS).flatMap(one);
    const total = Math.max(es.length, server?.total ?? 0);
    if (total > SHOWN_LINKS) {
      const held = [...es];
      let shown = SHOWN_LINKS;
      const rest = h("span", {});
      const button = h("button", { type: "button", class: "linkish more" }, ` and ${(total - shown).toLocaleString("en-GB")} more`);
      button.onclick = async () => {
        button.setAttribute("disabled", "");
        try {
          if (held.length <= shown && server) held.push(...(await server.fetch(held.length)));
          append(rest, held.slice(shown).flatMap((e, i) => one(e, i + shown)));
          const grew = held.length > shown;
          shown = held.length;
          if (shown >= total || !grew) button.remove();
          else button.textContent = ` and ${(total - shown).toLocaleString("en-GB")} more`;
        } catch (e) {
          button.textContent = ` (could not load more: ${e instanceof Error ? e.message : String(e)}; try again)`;
        } finally {
          button.removeAttribute("disabled");
        }
      };
      out.push(rest, button);
    }
    return out;
  }

  private streamRow(st: StreamDelta): HTMLElement {
    const hops = (v: number | null): string => (v === null ? "—" : `${v} hop${v === 1 ? "" : "s"}`);
    const paths =
      st.basePath && st.scenarioPath && st.basePath === st.scenarioPath
        ? [h("div", { class: "path" }, st.basePath)]
        : [st.basePath ? h("div", { class: "path" }, h("span", { class: "side-tag" }, "base "), st.basePath) : null, st.scenarioPath ? h("div", { class: "path" }, h("span", { class: "side-tag" }, "scenario "), st.scenarioPath) : null];
    return h(
      "tr",
      { "data-id": st.stream.id, "data-change": st.change, class: `sc-row sc-${st.change}` },
      h("td", {}, h("span", { class: `chip sc-${st.change}` }, CHANGE_LABEL[st.change]), " ", this.link(st.stream, `sc-${st.change}`), ...paths),
      h("td", { class: "num" }, hops(st.baseDistance)),
      h("td", { class: "num" }, hops(st.scenarioDistance)),
    );
  }

  private healthView(c: Comparison): HTMLElement {
    const hd = c.health;
    const { changed, unchanged } = changedChecks(hd);
    const findings = (k: HealthCheckDiff, list: "resolved" | "introduced") => ({
      total: list === "resolved" ? k.resolvedTotal : k.introducedTotal,
      fetch: (offset: number) => this.app.scenarios.comparePage(...this.asked(c), list, offset, k.id),
    });
    const row = (k: HealthCheckDiff): HTMLElement[] => {
      const rows = [
        h(
          "tr",
          { "data-check": k.id },
          h("th", { scope: "row" }, k.title),
          h("td", { class: "num" }, score(k.baseScore), h("div", { class: "sub", "data-side": "base" }, `${k.baseOffending} ${k.unit}`)),
          h("td", { class: "num" }, score(k.scenarioScore), h("div", { class: "sub", "data-side": "scenario" }, `${k.scenarioOffending} ${k.unit}`)),
          h("td", { class: "num" }, delta(k.scoreDelta, "up")),
        ),
      ];
      if (k.resolvedTotal || k.introducedTotal) {
        rows.push(
          h(
            "tr",
            { class: "findings", "data-check": k.id },
            h(
              "td",
              { colspan: 4 },
              k.resolvedTotal
                ? h("div", { class: "resolved" }, h("span", { class: "tag good" }, "Resolved"), " ", ...this.links(k.resolved, "sc-resolved", true, findings(k, "resolved")))
                : null,
              k.introducedTotal
                ? h("div", { class: "introduced" }, h("span", { class: "tag bad" }, "Introduced"), " ", ...this.links(k.introduced, "sc-introduced", true, findings(k, "introduced")))
                : null,
            ),
          ),
        );
      }
      return rows;
    };
    const head = (): HTMLElement =>
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Check"), h("th", { scope: "col" }, "Base"), h("th", { scope: "col" }, "Scenario"), h("th", { scope: "col" }, "Δ")));
    return h(
      "section",
      { class: "scn-health", "aria-labelledby": "scenario-health-title" },
      h("h4", { id: "scenario-health-title" }, "Operating-model health"),
      h(
        "p",
        { class: "scn-score", id: "scenario-health-score" },
        "Base ",
        h("strong", {}, score(hd.baseScore)),
        " → scenario ",
        h("strong", {}, score(hd.scenarioScore)),
        " ",
        delta(hd.scoreDelta, "up", "scenario-health-delta"),
      ),
      changed.length
        ? h("table", { class: "scn-table", id: "scenario-health" }, h("caption", { class: "sr-only" }, "Health checks that change"), head(), h("tbody", {}, ...changed.flatMap(row)))
        : h("p", { class: "none" }, "No check changes."),
      unchanged.length
        ? h(
            "details",
            {},
            h("summary", {}, `${plural(unchanged.length, "check")} unchanged`),
            h("table", { class: "scn-table" }, head(), h("tbody", {}, ...unchanged.flatMap(row))),
          )
        : null,
    );
  }

  private bottleneckView(c: Comparison): HTMLElement {
    const b = c.bottlenecks;
    if (!b) {
      const waiting = this.rankingSince !== null;
      return h(
        "section",
        { class: "scn-bottlenecks", id: "scenario-bn", "aria-labelledby": "scenario-bn-title", "aria-busy": String(waiting) },
        h("h4", { id: "scenario-bn-title" }, "Coordination bottlenecks"),
        this.rankingError
          ? h("p", { class: "error", role: "alert", id: "scenario-bottlenecks-error" }, `Ranking the scenario's bottlenecks failed: ${this.rankingError}`)
          : h(
              "p",
              { class: "loading", role: "status", id: "scenario-bottlenecks-pending" },
              "Ranking the scenario's teams and platforms (betweenness over the whole model): the losses, impact and health above are final; this part follows. ",
              h("span", { id: "scenario-bottlenecks-elapsed" }, waiting ? `${Math.round((performance.now() - (this.rankingSince ?? 0)) / 1000)} s` : ""),
            ),
      );
    }
    const rankCell = (r: BottleneckDelta): HTMLElement => {
      const arrow = r.change === "higher" ? "▲" : r.change === "lower" ? "▼" : r.change === "added" ? "new" : r.change === "removed" ? "gone" : "";
      const cls = r.change === "higher" || r.change === "added" ? "bad" : r.change === "lower" || r.change === "removed" ? "good" : "same";
      return h("td", { class: "num" }, `${fmt(r.baseRank)} → ${fmt(r.scenarioRank)} `, arrow ? h("span", { class: `delta ${cls}`, title: r.change }, arrow) : null);
    };
    const moved = b.rows.filter((r) => r.change !== "same" || Math.abs(r.scoreDelta) >= 0.05).length;
    return h(
      "section",
      { class: "scn-bottlenecks", id: "scenario-bn", "aria-labelledby": "scenario-bn-title", "aria-busy": "false" },
      h("h4", { id: "scenario-bn-title" }, "Coordination bottlenecks"),
      h(
        "p",
        { class: "hint" },
        `Teams and platforms ranked in the top ${b.limit} on either side; ${plural(moved, "row")} change. A higher score is a bigger bottleneck. Streams in the model: ${b.baseStreamTotal} → ${b.scenarioStreamTotal}.`,
      ),
      h(
        "table",
        { class: "scn-table", id: "scenario-bottlenecks" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Team or platform"), h("th", { scope: "col" }, "Rank"), h("th", { scope: "col" }, "Score"), h("th", { scope: "col" }, "Δ"))),
        h(
          "tbody",
          {},
          ...b.rows.map((r) =>
            h(
              "tr",
              { "data-id": r.element.id, "data-change": r.change, class: r.change === "same" && Math.abs(r.scoreDelta) < 0.05 ? "quiet" : "" },
              h("td", {}, h("div", { class: "el" }, typeSwatch(r.element.type, 11), this.link(r.element, `sc-bn-${r.change}`))),
              rankCell(r),
              h("td", { class: "num" }, `${score(r.baseScore)} → ${score(r.scenarioScore)}`),
              h("td", { class: "num" }, delta(r.scoreDelta, "down")),
            ),
          ),
        ),
      ),
    );
  }
}
