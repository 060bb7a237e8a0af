/** The legend, which doubles as the node-type and relationship-type filters. */
import type { ExplorerContext } from "../context";
import { $, clear, h } from "../dom";
import { EDGE_GROUPS, REL_GROUP, nodeStyle, relLabel } from "../style";
import { relSwatch, typeSwatch } from "./swatch";

export function renderFilters(app: ExplorerContext): void {
  const root = $("#filters");
  clear(root);
  const m = app.model;
  const apply = (): void => {
    m.prune();
    app.render({ relayout: true });
    app.renderPanels();
    app.commit();
  };
  const typeList = h("ul", { class: "legend" });
  for (const n of app.schema.nodes) {
    const id = `type-${n.label}`;
    const box = h("input", {
      type: "checkbox",
      id,
      checked: !m.hiddenTypes.has(n.label),
      "data-type": n.label,
      onchange: (ev: Event) => {
        if ((ev.target as HTMLInputElement).checked) m.hiddenTypes.delete(n.label);
        else m.hiddenTypes.add(n.label);
        apply();
      },
    });
    typeList.appendChild(h("li", { title: n.description }, box, h("label", { for: id }, typeSwatch(n.label), " ", nodeStyle(n.label).label)));
  }
  const relList = h("ul", { class: "legend" });
  const groups = new Map<string, string[]>();
  for (const r of app.schema.relationships) {
    const g = REL_GROUP[r.type] ?? "imported";
    groups.set(g, [...(groups.get(g) ?? []), r.type]);
  }
  for (const [group, rels] of groups) {
    relList.appendChild(h("li", { class: "group" }, EDGE_GROUPS[group]?.group ?? group));
    for (const rel of rels) {
      const id = `rel-${rel}`;
      const desc = app.schema.relationships.find((r) => r.type === rel)?.description ?? "";
      const box = h("input", {
        type: "checkbox",
        id,
        checked: !m.hiddenRels.has(rel),
        "data-rel": rel,
        onchange: (ev: Event) => {
          if ((ev.target as HTMLInputElement).checked) m.hiddenRels.delete(rel);
          else m.hiddenRels.add(rel);
          apply();
        },
      });
      relList.appendChild(h("li", { title: desc }, box, h("label", { for: id }, relSwatch(rel), " ", relLabel(rel))));
    }
  }
  root.append(
    h("h2", { class: "sr-only" }, "Legend and filters"),
    h("fieldset", {}, h("legend", {}, "Element types"), typeList),
    h("fieldset", {}, h("legend", {}, "Relationships"), relList),
    h(
      "p",
      { class: "hint" },
      "Thick dark border: expanded. Double border: pinned. Orange ring: more neighbours to show. Untick a type or relationship to hide it.",
    ),
  );
}
