/** The import page: choose a file, see the dry-run diff, apply it, read the report. */
import type { ExplorerContext } from "../context";
import { clear, h } from "../dom";
import { IMPORT_FORMATS, IMPORT_ROUTE, ImportRefused, type ImportFormat, type ImportReport, type Refusal } from "../imports";

/** A refusal's file, line and hint as the server gave them (the message is in the status line). */
function refusalView(r: Refusal): HTMLElement {
  const row = (label: string, id: string, value: string | number | null): HTMLElement[] =>
    value === null ? [] : [h("dt", {}, label), h("dd", { id }, h("code", {}, String(value)))];
  return h(
    "section",
    { class: "refusal", id: "import-refusal", role: "alert" },
    h("h2", {}, "Nothing was imported"),
    h("p", { id: "import-refusal-msg" }, r.msg),
    h("dl", {}, ...row("File", "import-refusal-file", r.file), ...row("Line", "import-refusal-line", r.line)),
    r.hint ? h("p", { id: "import-refusal-hint" }, h("strong", {}, "What to do: "), r.hint) : null,
  );
}

function reportView(r: ImportReport, id: string): HTMLElement {
  const rows = r.rows.length
    ? h(
        "table",
        { class: "diff" },
        h("thead", {}, h("tr", {}, ...["", "Type", "Added", "Changed", "Removed"].map((t) => h("th", { scope: "col" }, t)))),
        h(
          "tbody",
          {},
          ...r.rows.map((x) =>
            h("tr", {}, h("td", { class: "section" }, x.section === "relationships" ? "relationship" : x.section === "nodes" ? "element" : ""), h("th", { scope: "row" }, x.type), h("td", {}, String(x.added)), h("td", {}, String(x.changed)), h("td", {}, String(x.removed))),
          ),
        ),
      )
    : h("p", {}, "No changes: the graph already matches this file.");
  return h(
    "section",
    { class: "report", id },
    h("h2", {}, r.dryRun ? "Dry run: what would change" : "Import applied"),
    r.format ? h("p", {}, `Format: ${r.format}`) : null,
    r.runId && !r.dryRun ? h("p", {}, `Import run: `, h("code", {}, r.runId)) : null,
    rows,
    h("h3", {}, `Warnings (${r.warnings.length})`),
    r.warnings.length ? h("ul", { class: "warnings" }, ...r.warnings.map((w) => h("li", {}, w))) : h("p", { class: "none" }, "None."),
    h("details", {}, h("summary", {}, "Full report"), h("pre", {}, JSON.stringify(r.raw, null, 2))),
  );
}

export async function renderImportPage(app: ExplorerContext, root: HTMLElement): Promise<void> {
  clear(root);
  root.appendChild(h("h1", {}, "Import a model"));
  const file = h("input", { type: "file", id: "import-file", multiple: true, accept: ".xml,.archimate,.csv,.yaml,.yml,.json", "aria-describedby": "import-help" });
  const format = h("select", { id: "import-format" }, ...IMPORT_FORMATS.map((f) => h("option", { value: f }, f === "auto" ? "Detect from content" : f)));
  const dry = h("button", { type: "button", id: "import-dry-run", disabled: true }, "Preview changes (dry run)");
  const apply = h("button", { type: "button", id: "import-apply", disabled: true, class: "primary" }, "Apply import");
  const progress = h("progress", { id: "import-progress", max: 1, value: 0, hidden: true, "aria-label": "Upload progress" });
  const message = h("p", { id: "import-status", role: "status", "aria-live": "polite" });
  const out = h("div", { id: "import-result" });
  let previewed = false;
  file.addEventListener("change", () => {
    dry.disabled = !file.files?.length;
    apply.disabled = true;
    previewed = false;
    clear(out);
    const chosen = [...(file.files ?? [])];
    message.textContent = chosen.length ? `Selected ${chosen.map((f) => `${f.name} (${f.size.toLocaleString("en-GB")} bytes)`).join(", ")}.` : "";
  });
  const go = async (dryRun: boolean): Promise<void> => {
    const chosen = [...(file.files ?? [])];
    if (!chosen.length) return;
    dry.disabled = apply.disabled = true;
    progress.hidden = false;
    progress.removeAttribute("value");
    message.textContent = dryRun ? "Reading the file and comparing it with the graph…" : "Importing…";
    message.classList.remove("error");
    try {
      const report = await app.imports.run(chosen, {
        dryRun,
        format: format.value as ImportFormat,
        onProgress: (x) => (progress.value = x),
      });
      clear(out);
      out.appendChild(reportView(report, dryRun ? "import-diff" : "import-report"));
      message.textContent = dryRun ? "Dry run done: nothing was written. Apply to import." : "Import done.";
      previewed = dryRun;
      if (!dryRun) {
        out.appendChild(h("p", {}, h("a", { href: "?", id: "import-open-graph" }, "Open the graph")));
      }
    } catch (err) {
      message.textContent = (err as Error).message;
      message.classList.add("error");
      clear(out);
      if (err instanceof ImportRefused) out.appendChild(refusalView(err.refusal));
    } finally {
      progress.hidden = true;
      dry.disabled = !file.files?.length;
      apply.disabled = !previewed;
    }
  };
  dry.addEventListener("click", () => void go(true));
  apply.addEventListener("click", () => void go(false));
  root.append(
    h(
      "form",
      { class: "import-form", onsubmit: (e: Event) => e.preventDefault() },
      h(
        "p",
        { id: "import-help" },
        "ArchiMate exchange XML, Archi .archimate (also the zipped file Archi saves when a model holds images), Archi CSV export (choose its elements, relations and properties files together) or Backstage catalog YAML (one or several files). Preview the changes first; nothing is written until you apply.",
      ),
      h("div", { class: "row" }, h("label", { for: "import-file" }, "File "), file),
      h("div", { class: "row" }, h("label", { for: "import-format" }, "Format "), format),
      h("div", { class: "row" }, dry, apply, progress),
      message,
      h("p", { class: "hint" }, `Uses the REST route POST ${IMPORT_ROUTE}.`),
    ),
    out,
  );
}
