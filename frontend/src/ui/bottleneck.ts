/** Bottleneck mode: teams and platforms sized and coloured by load, clusters of streams. */
import type { ExplorerContext } from "../context";
import { elementLink } from "./link";
import { rankingTable } from "./bottlenecklist";
import { reportButtons } from "./reports";
import { h } from "../dom";
import type { BottleneckResult, Cluster } from "../questions";
import { heatRange } from "../legend";
import { clusterColor, loadStyles } from "../style";
import { bottleneckDrawing, cutShort, TOP_N, type BottleneckDrawing } from "../bottleneckdrawing";

export class BottleneckPanel {
  result: BottleneckResult | null = null;
  error: string | null = null;
  loading = false;
  /** How many times "show more" was pressed (back to none when the cluster changes). */
  private more = 0;
  /** What is drawn now, for the panel's counts. */
  private drawing: BottleneckDrawing | null = null;

  constructor(private readonly app: ExplorerContext) {}

  async run(): Promise<void> {
    const app = this.app;
    this.error = null;
    this.loading = true;
    app.renderPanels();
    try {
      const r = this.result ?? (await app.questions.bottlenecks());
      if (app.state.mode !== "bottleneck") return;
      this.result = r;
      await this.draw(r);
      app.status(`${r.items.length} bottleneck${r.items.length === 1 ? "" : "s"} ranked; ${r.clusters.length} cluster${r.clusters.length === 1 ? "" : "s"} of streams.`);
    } catch (err) {
      this.error = (err as Error).message;
      app.status(`Bottleneck analysis failed: ${(err as Error).message}`, true);
    } finally {
      this.loading = false;
      app.renderPanels();
    }
  }

  private selectedCluster(): Cluster | undefined {
    return this.result?.clusters.find((c) => c.id === this.app.state.cluster);
  }

  private async draw(r: BottleneckResult): Promise<void> {
    const app = this.app;
    const cluster = this.selectedCluster();
    const d = bottleneckDrawing(r, cluster, this.more);
    this.drawing = d;
    app.model.setOverlay(d.nodes, d.edges);
    const classes = new Map<string, string[]>();
    if (cluster) {
      for (const n of [...cluster.streams, ...cluster.shared]) classes.set(n.id, ["in-cluster"]);
    }
    app.overlay = { classes, pathSteps: [], dim: Boolean(cluster), load: loadStyles(r.items), clusterColors: d.colours, heat: heatRange("Bottleneck score", r.items.map((i) => i.score)) };
    app.render({ relayout: true });
  }

  private showMore(): void {
    this.more += 1;
    this.app.pendingFocus = "bn-more";
    if (this.result) void this.draw(this.result).then(() => this.app.renderPanels());
  }

  private pickCluster(id: string | null): void {
    this.app.state.cluster = id;
    this.more = 0;
    this.app.commit();
    if (this.result) void this.draw(this.result).then(() => this.app.renderPanels());
  }

  element(): HTMLElement {
    const app = this.app;
    const root = h("section", { class: "mode-panel bottleneck", "aria-labelledby": "bn-title" }, h("h2", { id: "bn-title" }, "Coordination bottlenecks"));
    if (this.loading) root.appendChild(h("p", { class: "loading", role: "status" }, "Ranking bottlenecks…"));
    if (this.error) root.appendChild(h("p", { class: "error", role: "alert" }, this.error));
    const r = this.result;
    if (!r) return root;
    root.appendChild(h("p", { class: "hint" }, `Size and colour show the load score (the top ${Math.min(TOP_N, r.items.length)} are on the graph).`));
    const d = this.drawing;
    if (d && (d.streams.total || d.shared.total)) root.appendChild(drawnCounts(d, this.selectedCluster(), () => this.showMore()));
    const clusterList = h("ul", { class: "clusters", id: "clusters" });
    r.clusters.forEach((c, i) => {
      const selected = app.state.cluster === c.id;
      clusterList.appendChild(
        h(
          "li",
          {},
          h(
            "button",
            {
              type: "button",
              class: "cluster",
              "data-cluster": c.id,
              "aria-pressed": String(selected),
              onclick: () => this.pickCluster(selected ? null : c.id),
            },
            h("span", { class: "dot", style: `background:${clusterColor(i)}` }),
            ` ${c.label}: ${c.streams.length} stream${c.streams.length === 1 ? "" : "s"}`,
            ` · load ${c.load}`,
          ),
          selected
            ? h(
                "div",
                { class: "cluster-members", id: "cluster-members" },
                h("h4", {}, "Streams"),
                h("ul", {}, ...c.streams.map((e) => h("li", {}, elementLink(app, e)))),
                h("h4", {}, "Shared bottlenecks binding them"),
                h("ul", {}, ...c.shared.map((e) => h("li", {}, elementLink(app, e)))),
              )
            : null,
        ),
      );
    });
    root.appendChild(h("h3", {}, `Clusters of streams (${r.clusters.length})`));
    root.appendChild(r.clusters.length ? clusterList : h("p", { class: "none" }, "No clusters reported."));
    // The report ranks as many as the panel lists.
    root.appendChild(reportButtons(app.api.client, { kind: "bottlenecks", limit: r.items.length || undefined }, "report-bottlenecks"));
    root.appendChild(rankingTable(app, r.items));
    return root;
  }
}

const n = (x: number): string => x.toLocaleString("en-GB");

/** What the graph shows of the clusters, with the true counts, and "show more" when cut short. */
function drawnCounts(d: BottleneckDrawing, chosen: Cluster | undefined, more: () => void): HTMLElement {
  const of = chosen ? `of ${chosen.label}` : "clustered";
  const text = cutShort(d)
    ? `Drawn: ${n(d.streams.drawn)} of ${n(d.streams.total)} ${of} streams and ${n(d.shared.drawn)} of ${n(d.shared.total)} shared elements binding them (the most binding of each cluster).`
    : `Drawn: all ${n(d.streams.total)} ${of} streams and the ${n(d.shared.total)} shared elements binding them.`;
  return h(
    "p",
    {
      class: "hint",
      id: "bn-drawn",
      "data-streams-drawn": String(d.streams.drawn),
      "data-streams-total": String(d.streams.total),
      "data-shared-drawn": String(d.shared.drawn),
      "data-shared-total": String(d.shared.total),
    },
    text,
    cutShort(d) ? " " : null,
    cutShort(d) ? h("button", { type: "button", id: "bn-more", onclick: more }, "Show more") : null,
  );
}
