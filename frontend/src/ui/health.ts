/** The operating-model health report as a page; each finding links into the graph. */
import type { ExplorerContext } from "../context";
import { healthTrendsSection } from "./trends";
import { ServerTimeReads } from "../timereads";
import { timeLabel, timeOf } from "../time";
import { clear, h } from "../dom";
import { findingsTable } from "./findings";
import { reportButtons } from "./reports";

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
        reportButtons(app.api.client, { kind: "health" }, "report-health"),
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
          c.findings.length ? findingsTable(c) : null,
        ),
      );
    }
    root.appendChild(list);
  } catch (err) {
    status.textContent = `The health report failed: ${(err as Error).message}`;
    status.className = "error";
  }
}
