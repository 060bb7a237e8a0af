/** An element field for forms: the type-ahead search, plus "use the selected element". */
import type { ExplorerContext } from "../context";
import { h } from "../dom";
import { nodeStyle } from "../style";
import type { ElementBrief, NodeKind } from "../types";
import { typeAhead } from "./search";
import { typeSwatch } from "./swatch";

export interface PickerOptions {
  id: string;
  label: string;
  /** Current value: an element id (or a name typed in). */
  value: string | undefined;
  types?: NodeKind[];
  optional?: boolean;
  onChange: (value: string, element: ElementBrief | null) => void;
}

export function elementPicker(app: ExplorerContext, o: PickerOptions): HTMLElement {
  const known = (v: string | undefined): ElementBrief | undefined => (v ? app.model.elements.get(v) : undefined);
  const chosen = h("div", { class: "picker-chosen", id: `${o.id}-chosen`, "aria-live": "polite" });
  const describe = (v: string | undefined): void => {
    chosen.replaceChildren();
    const e = known(v);
    if (e) chosen.append(typeSwatch(e.type, 12), ` ${nodeStyle(e.type).label} · `, h("code", {}, e.id));
    else if (v) chosen.append(`“${v}”: an id or exact name, checked when the change is added`);
  };
  const { root, input, refresh } = typeAhead(app.api, {
    id: o.id,
    label: o.label,
    placeholder: o.optional ? "Type to search (optional)…" : "Type to search…",
    types: o.types,
    keepValue: true,
    attrs: { "aria-describedby": `${o.id}-chosen` },
    onPick: (e) => {
      app.model.know([e]);
      o.onChange(e.id, e);
      describe(e.id);
    },
    onInput: (t) => {
      o.onChange(t.trim(), null);
      describe(t.trim());
    },
  });
  // Rebuilt while the user types in it (panels re-render on answers): keep what was typed.
  const before = document.getElementById(o.id);
  const typed = before instanceof HTMLInputElement && before === document.activeElement ? before.value : null;
  input.value = typed ?? known(o.value)?.name ?? o.value ?? "";
  const typing = typed !== null && typed !== (known(o.value)?.name ?? o.value ?? "");
  describe(typing ? typed.trim() : o.value);
  if (typing) refresh();
  const sel = app.state.selected ? known(app.state.selected) : undefined;
  const fits = sel && (!o.types?.length || (o.types as readonly string[]).includes(sel.type));
  const useSelected = fits
    ? h(
        "button",
        {
          type: "button",
          class: "use-selected",
          title: `Use the selected element: ${sel.name}`,
          "aria-label": `${o.label}: use the selected element, ${sel.name}`,
          onclick: () => {
            input.value = sel.name;
            o.onChange(sel.id, sel);
            describe(sel.id);
          },
        },
        "Use selected",
      )
    : null;
  return h("div", { class: "picker" }, h("label", { for: o.id }, o.label, o.optional ? h("span", { class: "optional" }, " (optional)") : null), h("div", { class: "picker-row" }, root, useSelected), chosen);
}
