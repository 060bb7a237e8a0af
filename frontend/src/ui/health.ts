/** The operating-model health report as a page; each finding links into the graph. */
import type { ExplorerContext } from "../context";
import { clear, download, h } from "../dom";
import { graphHref } from "../urlstate";
import type { ElementBrief } from "../types";
import { typeSwatch } from "./swatch";
import { healthTrendsSection } from "./trends";
import { ServerTimeReads } from "../timereads";
import { timeLabel, timeOf } from "../time";

function findingLink(e: ElementBrief): HTMLElement {
  return h("a", { href: graphHref([e.id], e.id), class: "finding-link", "data-id": e.id }, typeSwatch(e.type, 12), ` ${e.name}`);
}

export async function renderHealthPage(app: ExplorerContext, root: HTMLElement): Promise<void> {
  clear(root);
  root.appendChild(h("h1", {}, "Operating-model health"));
  const status = h("p", { class: "loading", role: "status" }, "Running the checks…");
  root.appendChild(status);
  try {
    const report = await app.questions.health();
    status.remove();
    const failing = report.checks.filter((c) => c.passed === false || c.findings.length > 0).length;
    root.appendChild(
      h(
        "div",
        { class: "health-summary" },
        h("div", { class: "score", id: "health-score" }, h("span", {}, "Overall score"), h("strong", {}, report.score === null ? "not applicable" : String(report.score))),
        h("p", {}, `${report.checks.length} checks, ${failing} with findings.`),
        report.markdown
          ? h(
              "button",
              { type: "button", onclick: () => download(new Blob([report.markdown], { type: "text/markdown" }), "valuegraph-health.md") },
              "Download the report (Markdown)",
            )
          : null,
      ),
    );
    // The point in time the report was asked for, and the score over time.
    const when = timeOf(app.state);
    if (when.kind !== "now") root.appendChild(h("p", { class: "asof-banner", id: "health-time" }, `The model ${timeLabel(when)}.`));
    root.appendChild(healthTrendsSection(new ServerTimeReads(app.api.client)));
    const list = h("div", { class: "checks", id: "health-checks" });
    for (const c of report.checks) {
      const ok = c.findings.length === 0 && c.passed !== false;
      list.appendChild(
        h(
          "article",
          { class: `check ${ok ? "ok" : "bad"}`, "data-check": c.id },
          h(
            "header",
            {},
            h("h2", {}, c.title),
            // The score's count with its unit (as the CLI and the scenario comparison say it), then the findings listed.
            h("span", { class: "badge", "data-offending": String(c.offending) }, ok ? "OK" : `${c.offending} of ${c.population} ${c.unit}`),
            !ok && c.findings.length !== c.offending ? h("span", { class: "finding-count" }, `${c.findings.length} finding${c.findings.length === 1 ? "" : "s"}`) : null,
            h("span", { class: "check-score" }, c.score === null ? "not applicable" : `score ${c.score}`),
          ),
          c.description ? h("p", {}, c.description) : null,
          c.findings.length
            ? h(
                "ul",
                {},
                ...c.findings.map((f) => {
                  const els = [f.element, ...f.elements.filter((e) => e.id !== f.element.id)];
                  return h(
                    "li",
                    {},
                    ...els.map((e, i) => [i ? " · " : "", findingLink(e)]).flat(),
                    f.message ? h("span", { class: "message" }, ` ${f.message}`) : null,
                    els.length > 1 ? [" ", h("a", { href: graphHref(els.map((e) => e.id), els[0]!.id), class: "all" }, "(show all in graph)")] : null,
                  );
                }),
              )
            : null,
        ),
      );
    }
    root.appendChild(list);
  } catch (err) {
    status.textContent = `The health report failed: ${(err as Error).message}`;
    status.className = "error";
  }
}
