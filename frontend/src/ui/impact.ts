/** Impact mode: pick an element, see the affected streams, paths, distances and whom to notify. */
import type { ExplorerContext } from "../context";
import { elementLink } from "./link";
import { debounce, h } from "../dom";
import { DRAW_PAGE, loadedOf, shownOf, withMoreDependencies, withMoreImpact, type ImpactList, type ImpactParams, type ImpactResult, type PathResult } from "../questions";
import { relLabel } from "../style";
import type { ElementBrief } from "../types";
import { elementPicker } from "./picker";
import { typeSwatch } from "./swatch";
import { affectedTable, notifyTable } from "./impactlists";
import { reportButtons } from "./reports";

export class ImpactPanel {
  result: ImpactResult | null = null;
  path: PathResult | null = null;
  error: string | null = null;
  loading = false;
  /** A further page is being asked for ("show more", or a table's next page). */
  private asking = false;
  private readonly rerun = debounce(() => void this.run(), 300);

  constructor(private readonly app: ExplorerContext) {}

  /** Run the impact query for the chosen element and draw its answer over the graph. */
  async run(): Promise<void> {
    const app = this.app;
    const s = app.state;
    const target = s.impactOf ?? s.selected;
    this.error = null;
    if (s.impactDir === "path") return this.runPath();
    this.path = null;
    const depends = s.impactDir === "depends";
    if (!target) {
      this.result = null;
      app.renderPanels();
      app.status("Impact mode: select an element (search or click), then its change impact is shown.");
      return;
    }
    s.impactOf = target;
    this.loading = true;
    app.renderPanels();
    const dir = s.impactDir;
    // A newer question (another element, direction or mode) makes this answer stale: drop it quietly.
    const stale = (): boolean => app.state.impactOf !== target || app.state.mode !== "impact" || app.state.impactDir !== dir;
    try {
      const params = { element: target, depth: s.depth, rels: s.impactRels };
      const r = depends ? await app.questions.dependsOn(params, { limit: DRAW_PAGE, offset: 0 }) : await app.questions.impact(params);
      if (stale()) return;
      await this.draw(r, depends ? "dependency" : "impacted");
      this.result = r;
      app.status(
        depends
          ? `${app.name(target)} depends on ${shownOf(r.streams.length, r.totals?.streams)} element${(r.totals?.streams ?? r.streams.length) === 1 ? "" : "s"} (nearest first).`
          : `Impact of ${app.name(target)}: ${(r.totals?.streams ?? r.streams.length).toLocaleString()} value stream${(r.totals?.streams ?? r.streams.length) === 1 ? "" : "s"} affected.`,
      );
    } catch (err) {
      if (stale()) return;
      this.result = null;
      this.error = (err as Error).message;
      app.status(`Impact analysis failed: ${(err as Error).message}`, true);
    } finally {
      if (!stale()) {
        this.loading = false;
        app.renderPanels();
        app.commit();
      }
    }
  }

  /** Direction `path`: a shortest dependency path from the element to another one, drawn. */
  private async runPath(): Promise<void> {
    const app = this.app;
    const s = app.state;
    const source = s.impactOf ?? s.selected;
    this.result = null;
    if (!source || !s.pathTo) {
      this.path = null;
      app.renderPanels();
      app.status(source ? "Path: choose the other element (the “To” field)." : "Path: select an element (search or click), then choose the other end.");
      return;
    }
    s.impactOf = source;
    this.loading = true;
    app.renderPanels();
    const target = s.pathTo;
    const stale = (): boolean => app.state.impactOf !== source || app.state.pathTo !== target || app.state.mode !== "impact" || app.state.impactDir !== "path";
    try {
      const r = await app.questions.path({ element: source, target, depth: s.depth, rels: s.impactRels });
      if (stale()) return;
      this.path = r;
      await this.drawPath(r, source, target);
      app.status(r.steps.length ? r.explanation || `Path of ${r.distance} step(s).` : `No dependency path between ${app.name(source)} and ${app.name(target)}.`);
    } catch (err) {
      if (stale()) return;
      this.path = null;
      this.error = (err as Error).message;
      app.status(`Finding the path failed: ${(err as Error).message}`, true);
    } finally {
      if (!stale()) {
        this.loading = false;
        app.renderPanels();
        app.commit();
      }
    }
  }

  private async drawPath(r: PathResult, source: string, target: string): Promise<void> {
    const app = this.app;
    const m = app.model;
    m.setOverlay([r.source, r.target, ...r.nodes], r.steps);
    const classes = new Map<string, string[]>();
    for (const n of r.nodes) classes.set(n.id, ["on-path"]);
    classes.set(source, ["impact-source"]);
    classes.set(target, [...(classes.get(target) ?? []), "impacted"]);
    app.overlay = { ...app.overlay, classes, pathSteps: r.steps, dim: true, load: new Map(), clusterColors: new Map() };
    app.render({ relayout: true });
  }

  /** Draw and list more: the next page of affected streams, or of what the element depends
   * on, asked of the server (on L a stream depends on thousands of elements: the whole
   * answer was 14 MB; a shared platform's impact with every list whole, 2.5 MB). */
  async showMore(): Promise<void> {
    const depends = this.app.state.impactDir === "depends";
    if (await this.more(depends ? null : "streams")) {
      await this.draw(this.result!, depends ? "dependency" : "impacted");
      this.app.pendingFocus = "impact-more";
      this.app.renderPanels();
    }
  }

  /** The next page of one list of the answer held (null: of what it depends on), asked of
   * the server and added to it; false when nothing was added. */
  async more(list: ImpactList | null): Promise<boolean> {
    const app = this.app;
    const s = app.state;
    const asked = this.result;
    if (!asked || this.loading || this.asking) return false;
    const params: ImpactParams = { element: asked.source.id, depth: s.depth, rels: s.impactRels };
    this.asking = true;
    try {
      const next =
        list === null
          ? withMoreDependencies(asked, await app.questions.dependsOn(params, { limit: DRAW_PAGE, offset: asked.streams.length }))
          : withMoreImpact(asked, await app.questions.impactPage(params, list, loadedOf(asked, list)));
      // Another question asked meanwhile: this page belongs to the old answer.
      if (this.result !== asked) return false;
      this.result = next;
      return true;
    } catch (err) {
      if (this.result !== asked) return false;
      this.error = (err as Error).message;
      app.status(`Reading more failed: ${(err as Error).message}`, true);
      app.renderPanels();
      return false;
    } finally {
      this.asking = false;
    }
  }

  /** The entries drawn and listed: the pages of affected streams (or of what an element
   * depends on) asked so far, the server's nearest first, and how many more there are.
   * Bounded: on L a shared platform reaches 500 streams, and drawing them with their paths
   * froze the tab for seconds. */
  private bounded(r: ImpactResult): { shown: ImpactResult["streams"]; hidden: number } {
    return { shown: r.streams, hidden: Math.max(0, (r.totals?.streams ?? r.streams.length) - r.streams.length) };
  }

  private async draw(r: ImpactResult, mark: "impacted" | "dependency"): Promise<void> {
    const app = this.app;
    const m = app.model;
    const source = r.source;
    const streams = this.bounded(r).shown;
    r = { ...r, streams };
    const nodes: ElementBrief[] = [source, ...r.streams.flatMap((st) => [st.stream, ...st.pathNodes])];
    m.setOverlay(nodes, r.streams.flatMap((st) => st.pathSteps));
    const classes = new Map<string, string[]>();
    const add = (id: string, c: string): void => {
      classes.set(id, [...(classes.get(id) ?? []), c]);
    };
    for (const st of r.streams) st.pathNodes.forEach((n) => add(n.id, "on-path"));
    for (const st of r.streams) add(st.stream.id, mark);
    add(source.id, "impact-source");
    // Derived once: per entry it was a full derivation for each of hundreds of teams to notify.
    const drawn = new Set(app.model.derive().nodes.map((v) => v.id));
    for (const n of r.notify) if (drawn.has(n.element.id)) add(n.element.id, "notify");
    app.overlay = {
      ...app.overlay,
      classes,
      pathSteps: r.streams.flatMap((st) => st.pathSteps),
      dim: true,
      load: new Map(),
      clusterColors: new Map(),
    };
    app.render({ relayout: true });
  }

  element(): HTMLElement {
    const app = this.app;
    const s = app.state;
    const root = h("section", { class: "mode-panel impact", "aria-labelledby": "impact-title" }, h("h2", { id: "impact-title", tabindex: "-1" }, "Change impact and dependencies"));
    const target = s.impactOf ?? s.selected;
    const depends = s.impactDir === "depends";
    const pathMode = s.impactDir === "path";
    const radio = (value: "impact" | "depends" | "path", label: string): HTMLElement =>
      h(
        "label",
        { for: `impact-dir-${value}` },
        h("input", {
          type: "radio",
          name: "impact-dir",
          id: `impact-dir-${value}`,
          value,
          checked: s.impactDir === value,
          onchange: () => {
            s.impactDir = value;
            this.result = null;
            this.path = null;
            app.commit();
            void this.run();
          },
        }),
        ` ${label}`,
      );
    root.appendChild(
      h(
        "fieldset",
        { class: "impact-dir" },
        h("legend", { class: "sr-only" }, "Question"),
        radio("impact", "What a change affects"),
        radio("depends", "What it depends on"),
        radio("path", "Path to another element"),
      ),
    );
    root.appendChild(
      h(
        "p",
        {},
        target
          ? h("span", {}, pathMode ? "From: " : depends ? "Element: " : "Changed element: ", h("strong", { id: "impact-of" }, app.name(target)))
          : pathMode
            ? "Select the first element (search or click), then choose the other end below."
            : "Select an element (search or click) to see what a change to it affects.",
      ),
    );
    if (pathMode) {
      root.appendChild(
        elementPicker(app, {
          id: "path-to",
          label: "To",
          value: s.pathTo ?? undefined,
          onChange: (v, e) => {
            if (!e) return;
            s.pathTo = v;
            app.commit();
            void this.run();
          },
        }),
      );
    }
    const depth = h("input", {
      type: "number",
      id: "impact-depth",
      min: 1,
      max: 20,
      value: s.depth,
      onchange: (ev: Event) => {
        const v = Number((ev.target as HTMLInputElement).value);
        if (Number.isInteger(v) && v >= 1 && v <= 20) {
          s.depth = v;
          app.commit();
          this.rerun();
        }
      },
    });
    const relBoxes = h("div", { class: "impact-rels" });
    for (const r of app.schema.relationships) {
      const id = `impact-rel-${r.type}`;
      relBoxes.appendChild(
        h(
          "label",
          { for: id },
          h("input", {
            type: "checkbox",
            id,
            checked: s.impactRels.includes(r.type),
            onchange: (ev: Event) => {
              const on = (ev.target as HTMLInputElement).checked;
              s.impactRels = on ? [...s.impactRels, r.type] : s.impactRels.filter((x) => x !== r.type);
              app.commit();
              this.rerun();
            },
          }),
          ` ${relLabel(r.type)}`,
        ),
      );
    }
    root.appendChild(
      h(
        "div",
        { class: "controls" },
        h("label", { for: "impact-depth" }, "Max depth "),
        depth,
        h(
          "details",
          {},
          h("summary", {}, s.impactRels.length ? `Follow only: ${s.impactRels.map(relLabel).join(", ")}` : "Relationships followed: server defaults"),
          relBoxes,
        ),
        s.selected && s.selected !== s.impactOf
          ? h(
              "button",
              {
                type: "button",
                id: "impact-use-selected",
                onclick: () => {
                  s.impactOf = s.selected;
                  void this.run();
                },
              },
              `Analyse ${app.name(s.selected)} instead`,
            )
          : null,
      ),
    );
    if (this.loading) root.appendChild(h("p", { class: "loading", role: "status" }, pathMode ? "Finding the path…" : depends ? "Finding dependencies…" : "Computing impact…"));
    if (this.error) root.appendChild(h("p", { class: "error", role: "alert" }, this.error));
    if (pathMode) {
      const p = this.path;
      if (p && !this.loading) root.appendChild(this.pathView(p));
      return root;
    }
    const r = this.result;
    if (!r || this.loading) return root;
    const { shown, hidden } = this.bounded(r);
    root.appendChild(
      h(
        "h3",
        { id: "impact-list-title" },
        depends
          ? `Depends on (${hidden ? `nearest ${shown.length} of ${(shown.length + hidden).toLocaleString("en-GB")}` : shown.length})`
          : `Affected value streams (${hidden ? `nearest ${shown.length} of ${(shown.length + hidden).toLocaleString("en-GB")}` : shown.length})`,
      ),
    );
    const streams = h("ol", { class: "impact-streams", id: "impact-streams" });
    // Dependencies come in the server's order (nearest, then name, then id), page after page.
    const listed = depends ? shown : [...shown].sort((a, b) => a.distance - b.distance || a.stream.name.localeCompare(b.stream.name));
    for (const st of listed) {
      const path = st.pathText
        ? st.pathText
        : st.pathSteps.length
        ? st.pathSteps.map((p, i) => `${i === 0 ? app.name(p.source) : ""} —${p.rel ? relLabel(p.rel) : ""}→ ${app.name(p.target)}`).join(" ")
        : st.pathNodes.map((n) => app.name(n.id)).join(" → ");
      streams.appendChild(
        h(
          "li",
          { "data-id": st.stream.id },
          depends ? typeSwatch(st.stream.type, 12) : null,
          elementLink(app, st.stream),
          h("span", { class: "distance" }, ` ${st.distance} hop${st.distance === 1 ? "" : "s"}`),
          path ? h("div", { class: "path" }, path) : null,
        ),
      );
    }
    if (!r.streams.length) streams.appendChild(h("li", { class: "none" }, depends ? "It depends on nothing." : "No value stream is affected."));
    root.appendChild(streams);
    if (hidden) {
      root.appendChild(
        h(
          "p",
          { class: "more" },
          `${hidden.toLocaleString("en-GB")} more, further away, ${depends ? "not asked yet" : "not drawn"}. `,
          h("button", { type: "button", id: "impact-more", onclick: () => void this.showMore() }, `Show ${Math.min(DRAW_PAGE, hidden)} more`),
        ),
      );
    }
    if (depends) return root;
    root.appendChild(reportButtons(app.api.client, { kind: "impact", element: r.source.id, depth: s.depth, rels: s.impactRels }, "report-impact"));
    // A table's next page beyond what was asked so far is asked of the server first.
    const more = async (list: ImpactList): Promise<void> => {
      if (await this.more(list)) app.renderPanels();
    };
    root.appendChild(notifyTable(app, r, more));
    if (r.affected.length) root.appendChild(affectedTable(app, r, more));
    return root;
  }

  private pathView(p: PathResult): HTMLElement {
    const app = this.app;
    const found = p.steps.length > 0;
    const dir =
      p.direction === "source-affects-target"
        ? `A change to ${p.source?.name ?? "the first"} reaches ${p.target?.name ?? "the second"}`
        : p.direction === "target-affects-source"
          ? `A change to ${p.target?.name ?? "the second"} reaches ${p.source?.name ?? "the first"}`
          : "";
    return h(
      "section",
      { class: "path-answer", id: "path-answer", "aria-labelledby": "path-title" },
      h("h3", { id: "path-title" }, found ? `Path (${p.distance ?? p.steps.length} step${(p.distance ?? p.steps.length) === 1 ? "" : "s"})` : "No path"),
      dir ? h("p", { id: "path-direction" }, `${dir}.`) : null,
      found
        ? h(
            "ol",
            { class: "path-steps", id: "path-steps" },
            ...p.nodes.map((n, i) =>
              h("li", { "data-id": n.id }, typeSwatch(n.type, 12), " ", elementLink(app, app.model.elements.get(n.id) ?? n), i < p.stepTexts.length ? h("div", { class: "path" }, p.stepTexts[i]) : null),
            ),
          )
        : h("p", { class: "none", id: "path-none" }, p.explanation || "No dependency path within the depth."),
    );
  }
}
