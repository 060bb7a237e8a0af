/** Type-ahead search: an ARIA combobox over the `search` query. */
import type { Api } from "../api";
import { clear, debounce, h } from "../dom";
import type { ElementBrief } from "../types";
import { typeSwatch } from "./swatch";
import { nodeStyle } from "../style";

export function searchBox(api: Api, onPick: (e: ElementBrief) => void): HTMLElement {
  const listId = "search-results";
  const input = h("input", {
    id: "search",
    type: "search",
    role: "combobox",
    "aria-autocomplete": "list",
    "aria-expanded": "false",
    "aria-controls": listId,
    "aria-label": "Search elements by name",
    placeholder: "Search elements…  ( / )",
    autocomplete: "off",
    spellcheck: "false",
  });
  const list = h("ul", { id: listId, role: "listbox", class: "search-results", hidden: true, "aria-label": "Search results" });
  let results: ElementBrief[] = [];
  let active = -1;
  let controller: AbortController | null = null;

  const close = (): void => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const setActive = (i: number): void => {
    active = i;
    list.querySelectorAll("li").forEach((li, k) => li.setAttribute("aria-selected", String(k === i)));
    if (i >= 0) {
      input.setAttribute("aria-activedescendant", `search-opt-${i}`);
      list.children[i]?.scrollIntoView({ block: "nearest" });
    } else input.removeAttribute("aria-activedescendant");
  };
  const pick = (i: number): void => {
    const e = results[i];
    if (!e) return;
    close();
    input.value = "";
    onPick(e);
  };
  const render = (text: string): void => {
    clear(list);
    if (!results.length) {
      list.appendChild(h("li", { class: "empty", role: "option", "aria-disabled": "true" }, `No element matches “${text}”`));
    }
    results.forEach((e, i) =>
      list.appendChild(
        h(
          "li",
          {
            id: `search-opt-${i}`,
            role: "option",
            "aria-selected": "false",
            "data-id": e.id,
            onmousedown: (ev: Event) => {
              ev.preventDefault();
              pick(i);
            },
          },
          typeSwatch(e.type),
          h("span", { class: "opt-name" }, e.name),
          h("span", { class: "opt-type" }, nodeStyle(e.type).label),
        ),
      ),
    );
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    setActive(results.length ? 0 : -1);
  };
  const run = debounce(async (text: string) => {
    controller?.abort();
    if (text.trim().length < 2) {
      close();
      return;
    }
    controller = new AbortController();
    try {
      results = await api.search(text, controller.signal);
      if (input.value === text) render(text);
    } catch (err) {
      if ((err as Error).name !== "AbortError") {
        results = [];
        clear(list);
        list.appendChild(h("li", { class: "empty", role: "option", "aria-disabled": "true" }, `Search failed: ${(err as Error).message}`));
        list.hidden = false;
      }
    }
  }, 150);

  input.addEventListener("input", () => run(input.value));
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowDown") {
      ev.preventDefault();
      if (list.hidden && results.length) render(input.value);
      else setActive(Math.min(results.length - 1, active + 1));
    } else if (ev.key === "ArrowUp") {
      ev.preventDefault();
      setActive(Math.max(0, active - 1));
    } else if (ev.key === "Enter") {
      ev.preventDefault();
      if (active >= 0) pick(active);
    } else if (ev.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
  return h("div", { class: "search", role: "search" }, input, list);
}
