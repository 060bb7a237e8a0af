/** Impact mode: pick an element, see the affected streams, paths, distances and whom to notify. */
import { elementLink, type App } from "../app";
import { debounce, h } from "../dom";
import { NotAvailable, type ImpactResult } from "../questions";
import { relLabel } from "../style";
import type { ElementBrief } from "../types";
import { typeSwatch } from "./swatch";

export class ImpactPanel {
  result: ImpactResult | null = null;
  error: string | null = null;
  unavailable: string | null = null;
  loading = false;
  private readonly rerun = debounce(() => void this.run(), 300);

  constructor(private readonly app: App) {}

  /** Run the impact query for the chosen element and draw its answer over the graph. */
  async run(): Promise<void> {
    const app = this.app;
    const s = app.state;
    const target = s.impactOf ?? s.selected;
    this.error = null;
    this.unavailable = null;
    const depends = s.impactDir === "depends";
    if (!app.questions.has(depends ? "dependsOn" : "impact")) {
      this.unavailable = depends
        ? "Dependency analysis is not available on this server: its GraphQL API has no `dependsOn` query yet."
        : "Impact analysis is not available on this server: its GraphQL API has no `impact` query yet.";
      this.result = null;
      app.renderPanels();
      return;
    }
    if (!target) {
      this.result = null;
      app.renderPanels();
      app.status("Impact mode: select an element (search or click), then its change impact is shown.");
      return;
    }
    s.impactOf = target;
    this.loading = true;
    app.renderPanels();
    try {
      const params = { element: target, depth: s.depth, rels: s.impactRels };
      const r = depends ? await app.questions.dependsOn(params) : await app.questions.impact(params);
      if (app.state.impactOf !== target || app.state.mode !== "impact" || (app.state.impactDir === "depends") !== depends) return;
      await this.draw(r, target, depends ? "dependency" : "impacted");
      this.result = r;
      app.status(
        depends
          ? `${app.name(target)} depends on ${r.streams.length} element${r.streams.length === 1 ? "" : "s"}.`
          : `Impact of ${app.name(target)}: ${r.streams.length} value stream${r.streams.length === 1 ? "" : "s"} affected.`,
      );
    } catch (err) {
      this.result = null;
      if (err instanceof NotAvailable) this.unavailable = err.message;
      else this.error = (err as Error).message;
      app.status(`Impact analysis failed: ${(err as Error).message}`, true);
    } finally {
      this.loading = false;
      app.renderPanels();
      app.commit();
    }
  }

  private async draw(r: ImpactResult, target: string, mark: "impacted" | "dependency"): Promise<void> {
    const app = this.app;
    const m = app.model;
    const nodes: ElementBrief[] = [];
    const source = r.source ?? m.elements.get(target) ?? { id: target, type: "", name: target };
    nodes.push(source);
    for (const st of r.streams) nodes.push(st.stream, ...st.pathNodes);
    // Path steps may name elements only by id: fetch their names and types.
    const missing = nodes.filter((n) => !n.type && !m.elements.get(n.id)?.type).map((n) => n.id);
    const known = missing.length ? await app.api.briefs(missing) : [];
    const byId = new Map(known.map((k) => [k.id, k]));
    const full = nodes.map((n) => byId.get(n.id) ?? (n.type ? n : (m.elements.get(n.id) ?? n)));
    m.setOverlay(full, r.streams.flatMap((st) => st.pathSteps));
    const classes = new Map<string, string[]>();
    const add = (id: string, c: string): void => {
      classes.set(id, [...(classes.get(id) ?? []), c]);
    };
    for (const st of r.streams) st.pathNodes.forEach((n) => add(n.id, "on-path"));
    for (const st of r.streams) add(st.stream.id, mark);
    add(source.id, "impact-source");
    for (const n of r.notify) if (app.model.derive().nodes.some((v) => v.id === n.element.id)) add(n.element.id, "notify");
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
    const root = h("section", { class: "mode-panel impact", "aria-labelledby": "impact-title" }, h("h2", { id: "impact-title" }, "Change impact and dependencies"));
    const target = s.impactOf ?? s.selected;
    const depends = s.impactDir === "depends";
    const radio = (value: "impact" | "depends", label: string): HTMLElement =>
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
            app.commit();
            void this.run();
          },
        }),
        ` ${label}`,
      );
    root.appendChild(
      h("fieldset", { class: "impact-dir" }, h("legend", { class: "sr-only" }, "Question"), radio("impact", "What a change affects"), radio("depends", "What it depends on")),
    );
    root.appendChild(
      h(
        "p",
        {},
        target
          ? h("span", {}, depends ? "Element: " : "Changed element: ", h("strong", { id: "impact-of" }, app.name(target)))
          : "Select an element (search or click) to see what a change to it affects.",
      ),
    );
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
    if (this.unavailable) {
      root.appendChild(h("p", { class: "unavailable", role: "note", id: "impact-unavailable" }, this.unavailable));
      return root;
    }
    if (this.loading) root.appendChild(h("p", { class: "loading", role: "status" }, depends ? "Finding dependencies…" : "Computing impact…"));
    if (this.error) root.appendChild(h("p", { class: "error", role: "alert" }, this.error));
    const r = this.result;
    if (!r || this.loading) return root;
    root.appendChild(h("h3", {}, depends ? `Depends on (${r.streams.length})` : `Affected value streams (${r.streams.length})`));
    const streams = h("ol", { class: "impact-streams", id: "impact-streams" });
    for (const st of [...r.streams].sort((a, b) => (a.distance ?? 99) - (b.distance ?? 99) || a.stream.name.localeCompare(b.stream.name))) {
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
          h("span", { class: "distance" }, st.distance !== null ? ` ${st.distance} hop${st.distance === 1 ? "" : "s"}` : ""),
          path ? h("div", { class: "path" }, path) : null,
        ),
      );
    }
    if (!r.streams.length) streams.appendChild(h("li", { class: "none" }, depends ? "It depends on nothing." : "No value stream is affected."));
    root.appendChild(streams);
    if (depends) return root;
    root.appendChild(h("h3", {}, `Teams and people to notify (${r.notify.length})`));
    root.appendChild(
      h(
        "ul",
        { class: "notify", id: "impact-notify" },
        ...r.notify.map((n) => h("li", {}, elementLink(app, n.element), n.reason ? h("span", { class: "reason" }, ` — ${n.reason}`) : null)),
        r.notify.length ? null : h("li", { class: "none" }, "Nobody recorded."),
      ),
    );
    if (r.affected.length) {
      root.appendChild(h("h3", {}, `Other affected elements (${r.affected.length})`));
      root.appendChild(h("ul", { class: "affected" }, ...r.affected.map((e) => h("li", {}, elementLink(app, e)))));
    }
    return root;
  }
}
