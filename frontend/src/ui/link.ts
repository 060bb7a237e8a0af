/** The element button every panel uses. */
import type { ExplorerContext } from "../context";
import { h } from "../dom";
import { nodeStyle } from "../style";
import type { ElementBrief } from "../types";

/** A button that selects (and if needed adds) an element. */
export function elementLink(app: ExplorerContext, e: ElementBrief, label?: string): HTMLButtonElement {
  const s = nodeStyle(e.type);
  return h(
    "button",
    {
      type: "button",
      class: "element-link",
      "data-id": e.id,
      title: `${s.label}: ${e.name} (${e.id})`,
      onclick: () => void app.openElement(e, false),
    },
    label ?? e.name,
  );
}
