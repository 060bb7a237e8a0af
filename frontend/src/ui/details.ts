/** The details panel: properties, owner, accountable, provenance and neighbour links. */
import type { ExplorerContext } from "../context";
import { editControls } from "./editing";
import { elementLink } from "./link";
import { historySection } from "./history";
import { streamTrendsSection } from "./trends";
import { ServerTimeReads } from "../timereads";
import { clear, h } from "../dom";
import { camel } from "../schema";
import { nodeStyle } from "../style";
import type { Element } from "../types";
import { typeSwatch } from "./swatch";
import { neighbourTable } from "./neighbours";

function fmt(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isInteger(v) ? v.toLocaleString("en-GB") : String(v);
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function table(rows: [string, unknown][], label: string): HTMLElement | null {
  const shown = rows.filter(([, v]) => v !== null && v !== undefined && v !== "");
  if (!shown.length) return null;
  return h(
    "table",
    { class: "props", "aria-label": label },
    h("tbody", {}, ...shown.map(([k, v]) => h("tr", {}, h("th", { scope: "row" }, k), h("td", {}, fmt(v))))),
  );
}

export function renderDetails(app: ExplorerContext, el: HTMLElement, loading: boolean): void {
  clear(el);
  const id = app.state.selected;
  if (!id) {
    el.appendChild(
      h(
        "div",
        { class: "placeholder" },
        h("h2", {}, "Details"),
        h("p", {}, "Select an element to see its properties, owner, accountable person, provenance and neighbours."),
        h(
          "p",
          { class: "hint" },
          "Keyboard: focus the graph and use the arrow keys to move between elements, Enter to expand or collapse, P to pin, Delete to remove, F to fit, + and − to zoom. Press / to search.",
        ),
      ),
    );
    el.appendChild(editControls(app, null));
    return;
  }
  const m = app.model;
  const brief = m.elements.get(id);
  const detail: Element | undefined = m.details.get(id);
  const type = detail?.type ?? brief?.type ?? "";
  const style = nodeStyle(type);
  const expanded = m.expanded.includes(id);
  const pinned = m.pinned.has(id);
  const visible = m.derive().nodes.find((n) => n.id === id);

  el.appendChild(
    h(
      "header",
      { class: "details-head" },
      h("div", { class: "type-badge" }, typeSwatch(type, 18), h("span", {}, style.label)),
      h("h2", { id: "details-title" }, detail?.name ?? brief?.name ?? id),
      h("code", { class: "element-id" }, id),
    ),
  );
  el.appendChild(
    h(
      "div",
      { class: "actions", role: "group", "aria-label": "Element actions" },
      h("button", { type: "button", id: "act-expand", onclick: () => void app.toggleExpand(id) }, expanded ? "Collapse" : "Expand neighbours"),
      h("button", { type: "button", id: "act-pin", "aria-pressed": String(pinned), onclick: () => app.togglePin(id) }, pinned ? "Unpin" : "Pin"),
      visible
        ? h("button", { type: "button", id: "act-remove", onclick: () => app.removeFromView(id) }, "Remove from view")
        : h("button", { type: "button", onclick: () => void app.openElement({ id, type, name: brief?.name ?? id }, false) }, "Add to view"),
      h(
        "button",
        {
          type: "button",
          id: "act-impact",
          onclick: () => {
            app.state.impactOf = id;
            // The answer opens above the details: go to its top, not after this button (below it).
            app.pendingFocus = "impact-title";
            if (app.state.mode !== "impact") void app.setMode("impact");
            else void app.runImpact();
          },
        },
        "Impact of a change",
      ),
    ),
  );
  // Editors only (the controls stay empty for a viewer).
  el.appendChild(editControls(app, id));
  if (visible?.hiddenNeighbours) {
    el.appendChild(
      h(
        "p",
        { class: "more" },
        `${visible.hiddenNeighbours} more neighbour${visible.hiddenNeighbours === 1 ? "" : "s"} not shown yet. `,
        h("button", { type: "button", id: "act-more", onclick: () => void app.showMore(id) }, "Show more"),
      ),
    );
  }
  if (!detail) {
    el.appendChild(h("p", { class: "loading", role: "status" }, loading ? "Loading…" : "No details loaded."));
    return;
  }

  const links = m.linksByField(id);
  const people = (field: string, title: string): HTMLElement =>
    h(
      "div",
      { class: "who" },
      h("span", { class: "who-label" }, title),
      links.get(field)?.length
        ? h("span", {}, ...(links.get(field) ?? []).map((l) => elementLink(app, l.neighbour)))
        : h("span", { class: "none" }, "none recorded"),
    );
  el.appendChild(h("section", { "aria-label": "Ownership" }, people("ownedBy", "Owner"), people("accountable", "Accountable")));
  if (detail.description) el.appendChild(h("p", { class: "description" }, detail.description));

  const schemaType = app.schema.nodes.find((n) => n.label === type);
  const typed: [string, unknown][] = (schemaType?.properties ?? []).map((p) => [p.name.replace(/_/g, " "), detail[camel(p.name)]]);
  const free = Object.entries(detail.properties ?? {}) as [string, unknown][];
  const props = table([...typed, ...free, ["tags", (detail.tags ?? []).join(", ")]], "Properties");
  el.appendChild(h("section", {}, h("h3", {}, "Properties"), props ?? h("p", { class: "none" }, "No properties recorded.")));

  el.appendChild(
    h(
      "section",
      {},
      h("h3", {}, "Provenance"),
      table(
        [
          ["source", detail.source],
          ["import run", detail.importRun],
          ["created", detail.createdAt],
          ["updated", detail.updatedAt],
        ],
        "Provenance",
      ) ?? h("p", { class: "none" }, "No provenance recorded."),
    ),
  );

  const groups = [...links.entries()];
  // Counts are true past the API's page: the relationships in all are counted when the first page came back full.
  const count = m.neighbourCount(id);
  const neighbourSection = h(
    "section",
    { class: "neighbours" },
    h("h3", { id: "neighbour-count" }, count.more ? `Neighbours (${count.loaded.toLocaleString("en-GB")} loaded)` : `Neighbours (${count.loaded.toLocaleString("en-GB")})`),
  );
  if (count.more) {
    neighbourSection.appendChild(
      h(
        "p",
        { class: "more", id: "neighbour-total" },
        count.total === null
          ? `The first ${count.links.toLocaleString("en-GB")} relationships are loaded; counting the rest… `
          : `${count.links.toLocaleString("en-GB")} of ${count.total.toLocaleString("en-GB")} relationships loaded. `,
        h("button", { type: "button", id: "act-load-more", onclick: () => void app.loadMoreNeighbours(id) }, "Load more"),
      ),
    );
  }
  if (!groups.length) neighbourSection.appendChild(h("p", { class: "none" }, "No relationships."));
  else neighbourSection.appendChild(neighbourTable(app, id, groups));
  el.appendChild(neighbourSection);
  // A stream's funding over time beside its measures' trends.
  if (type === "ValueStream") el.appendChild(streamTrendsSection(new ServerTimeReads(app.api.client), id, detail.updatedAt ?? ""));
  // Its versions, newest first (who, when, through what, before → after).
  el.appendChild(historySection(app, id, detail.updatedAt ?? ""));
}
