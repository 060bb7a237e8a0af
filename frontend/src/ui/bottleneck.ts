/** Bottleneck mode: teams and platforms sized and coloured by load, clusters of streams. */
import type { ExplorerContext } from "../context";
import { elementLink } from "./link";
import { rankingTable } from "./bottlenecklist";
import { reportButtons } from "./reports";
import { h } from "../dom";
import type { BottleneckResult, Cluster } from "../questions";
import { heatRange } from "../legend";
import { clusterColor, loadStyles } from "../style";
import type { ElementBrief } from "../types";

/** How many of the top-ranked bottlenecks are put on the graph. */
export const TOP_N = 12;
/** Streams drawn with all clusters shown (a chosen cluster is drawn whole): on L the clusters
 * hold all 500 streams, each tied to every shared element, a layout of several seconds. */
export const STREAMS_DRAWN = 60;

export class BottleneckPanel {
  result: BottleneckResult | null = null;
  error: string | null = null;
  loading = false;

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
    const top = r.items.slice(0, TOP_N);
    const cluster = this.selectedCluster();
    const nodes: ElementBrief[] = [...top.map((i) => i.element)];
    const edges: { source: string; target: string; rel: string }[] = [];
    const colours = new Map<string, string>();
    const clusters = cluster ? [cluster] : r.clusters;
    let room = cluster ? Infinity : STREAMS_DRAWN;
    clusters.forEach((c) => {
      const index = r.clusters.indexOf(c);
      if (room <= 0) return;
      const streams = c.streams.slice(0, room);
      room -= streams.length;
      for (const st of streams) {
        nodes.push(st);
        colours.set(st.id, clusterColor(index));
        for (const sh of c.shared) edges.push({ source: st.id, target: sh.id, rel: "SHARES" });
      }
      for (const sh of c.shared) {
        nodes.push(sh);
        if (cluster) colours.set(sh.id, clusterColor(index));
      }
    });
    app.model.setOverlay(nodes, edges);
    const classes = new Map<string, string[]>();
    if (cluster) {
      for (const n of [...cluster.streams, ...cluster.shared]) classes.set(n.id, ["in-cluster"]);
    }
    app.overlay = { classes, pathSteps: [], dim: Boolean(cluster), load: loadStyles(r.items), clusterColors: colours, heat: heatRange("Bottleneck score", r.items.map((i) => i.score)) };
    app.render({ relayout: true });
  }

  private pickCluster(id: string | null): void {
    this.app.state.cluster = id;
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
    const streams = r.clusters.reduce((n, c) => n + c.streams.length, 0);
    const bounded = !app.state.cluster && streams > STREAMS_DRAWN ? ` The first ${STREAMS_DRAWN} of ${streams.toLocaleString("en-GB")} clustered streams are drawn; choose a cluster to draw all of its streams.` : "";
    root.appendChild(h("p", { class: "hint" }, `Size and colour show the load score (the top ${Math.min(TOP_N, r.items.length)} are on the graph).${bounded}`));
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
