/** Type-ahead search: an ARIA combobox over the `search` query (the header search and every element picker). */
import type { Api } from "../api";
import { archimateLabel, archimateTypes, searchPlan } from "../archimate";
import { clear, debounce, h } from "../dom";
import { LatestAnswer } from "../latest";
import type { ElementBrief, NodeKind } from "../types";
import { typeSwatch } from "./swatch";
import { nodeStyle } from "../style";

export interface TypeAheadOptions {
  /** The input's id; the list is `${id}-results`, options `${id}-opt-N`. */
  id: string;
  label: string;
  placeholder: string;
  /** Only these node types (the `search` query's `types`). */
  types?: NodeKind[];
  /** Keep the picked element's name in the box (pickers) instead of clearing it (search). */
  keepValue?: boolean;
  onPick: (e: ElementBrief) => void;
  /** Called as the user types (pickers forget their element then). */
  onInput?: (text: string) => void;
  /** Extra attributes for the input (aria-describedby, required…). */
  attrs?: Record<string, string>;
  /** The ArchiMate type results must have (the header search's filter), or null for any. */
  archimateType?: () => string | null;
}

export function typeAhead(api: Api, opts: TypeAheadOptions): { root: HTMLElement; input: HTMLInputElement; refresh: () => void } {
  const listId = `${opts.id}-results`;
  const input = h("input", {
    id: opts.id,
    type: "search",
    role: "combobox",
    "aria-autocomplete": "list",
    "aria-expanded": "false",
    "aria-controls": listId,
    "aria-label": opts.label,
    placeholder: opts.placeholder,
    autocomplete: "off",
    spellcheck: "false",
    ...opts.attrs,
  });
  const list = h("ul", { id: listId, role: "listbox", class: "search-results", hidden: true, "aria-label": `${opts.label}: results` });
  // Only the answer to what the box holds now is shown or picked: a late answer to an
  // earlier prefix never replaces the list, nor what Enter picks, nor what was typed.
  const answers = new LatestAnswer<ElementBrief>();
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
      input.setAttribute("aria-activedescendant", `${opts.id}-opt-${i}`);
      list.children[i]?.scrollIntoView({ block: "nearest" });
    } else input.removeAttribute("aria-activedescendant");
  };
  const pick = (i: number): void => {
    if (!answers.current(input.value)) return; // the list is for an earlier text: wait for this one's
    const e = results[i];
    if (!e) return;
    close();
    input.value = opts.keepValue ? e.name : "";
    opts.onPick(e);
  };
  const render = (text: string): void => {
    clear(list);
    if (!results.length) {
      const of = opts.archimateType?.();
      const what = of ? `No ${archimateLabel(of)} element` : "No element";
      list.appendChild(h("li", { class: "empty", role: "option", "aria-disabled": "true" }, text.trim() ? `${what} matches “${text}”` : `${what} in the graph`));
    }
    results.forEach((e, i) =>
      list.appendChild(
        h(
          "li",
          {
            id: `${opts.id}-opt-${i}`,
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
          e.archimateType ? h("span", { class: "opt-archimate", "data-archimate-type": e.archimateType }, archimateLabel(e.archimateType)) : null,
        ),
      ),
    );
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    setActive(results.length ? 0 : -1);
  };
  const run = debounce(async (text: string) => {
    controller?.abort();
    const plan = searchPlan(text, opts.archimateType?.() ?? null);
    if (plan.kind === "none") {
      close();
      return;
    }
    controller = new AbortController();
    try {
      const found =
        plan.kind === "search"
          ? await api.search(text, controller.signal, 12, opts.types, plan.archimateTypes)
          : (await api.listByArchimateType(plan.archimateTypes, 50, controller.signal)).items;
      if (!answers.accept(text, found, input.value)) return;
      results = answers.items;
      render(text);
    } catch (err) {
      if ((err as Error).name !== "AbortError") {
        results = [];
        clear(list);
        list.appendChild(h("li", { class: "empty", role: "option", "aria-disabled": "true" }, `Search failed: ${(err as Error).message}`));
        list.hidden = false;
      }
    }
  }, 150);

  input.addEventListener("input", () => {
    // What was asked for an earlier text is of no use now: stop waiting for it.
    controller?.abort();
    answers.ask(input.value);
    opts.onInput?.(input.value);
    run(input.value);
  });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowDown") {
      ev.preventDefault();
      if (list.hidden && results.length && answers.current(input.value)) render(input.value);
      else setActive(Math.min(results.length - 1, active + 1));
    } else if (ev.key === "ArrowUp") {
      ev.preventDefault();
      setActive(Math.max(0, active - 1));
    } else if (ev.key === "Enter") {
      ev.preventDefault();
      if (active >= 0 && !list.hidden) pick(active);
    } else if (ev.key === "Escape") {
      if (!list.hidden) ev.stopPropagation();
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
  // A field rebuilt while the user types in it asks again for what it holds (the old
  // field's answer went to the old list).
  const refresh = (): void => {
    answers.ask(input.value);
    run(input.value);
  };
  return { root: h("div", { class: "search" }, input, list), input, refresh };
}

/** The header search box, with a filter by ArchiMate type (its options from the server's schema). */
export function searchBox(api: Api, onPick: (e: ElementBrief) => void): HTMLElement {
  const filter = h(
    "select",
    { id: "search-archimate-type", "aria-label": "Only elements of this ArchiMate type", title: "Only elements of this ArchiMate type" },
    h("option", { value: "" }, "Any ArchiMate type"),
  );
  const { root, input, refresh } = typeAhead(api, {
    id: "search",
    label: "Search elements by name",
    placeholder: "Search elements…  ( / )",
    onPick,
    archimateType: () => filter.value || null,
  });
  void api.schema().then((schema) => {
    for (const t of archimateTypes(schema)) filter.appendChild(h("option", { value: t }, archimateLabel(t)));
  });
  // A type chosen lists its elements (or narrows the text search) at once.
  filter.addEventListener("change", () => {
    input.focus();
    refresh();
  });
  root.appendChild(filter);
  root.setAttribute("role", "search");
  return root;
}
