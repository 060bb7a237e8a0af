/**
 * Reports to hand over (Preact): the impact, scenario comparison, bottleneck and health
 * reports as the server renders them (`/api/reports/...`, Markdown or CSV), downloaded
 * with the bearer token, and a print-ready view of the Markdown report (browser print to
 * PDF): title, date, model, what was asked, legend and findings, exactly the server's.
 */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import "./lists.css";
import { download } from "../dom";
import type { GraphQLClient } from "../gql";
import { plain, readMarkdown, type Block, type Inline } from "../markdown";
import type { paths } from "../generated/openapi";

/** Which report, with the parameters of the question it reports on. */
export type ReportSpec =
  | { kind: "impact"; element: string; depth?: number; rels?: string[] }
  | { kind: "bottlenecks"; limit?: number }
  | { kind: "health" }
  | { kind: "scenario"; scenario: string; element?: string | null; depth?: number };

export type ReportFormat = "md" | "csv";

// The query parameters each route declares (a renamed one fails the type check).
type Q<P extends keyof paths> = paths[P] extends { get: { parameters: { query?: infer Query } } } ? NonNullable<Query> : never;
type ImpactQ = Q<"/api/reports/impact/{element}">;
type BottlenecksQ = Q<"/api/reports/bottlenecks">;
type HealthQ = Q<"/api/reports/health">;
type ScenarioQ = Q<"/api/reports/scenarios/{name}/compare">;

function withQuery(path: string, query: object): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query as Record<string, unknown>)) {
    if (v === undefined || v === null) continue;
    for (const x of Array.isArray(v) ? v : [v]) q.append(k, String(x));
  }
  return `${path}?${q}`;
}

/** The REST route answering the report. */
export function reportUrl(spec: ReportSpec, format: ReportFormat): string {
  switch (spec.kind) {
    case "impact": {
      const q: ImpactQ = { format, max_depth: spec.depth, rel_type: spec.rels?.length ? spec.rels : undefined };
      return withQuery(`/api/reports/impact/${encodeURIComponent(spec.element)}`, q);
    }
    case "bottlenecks": {
      const q: BottlenecksQ = { format, limit: spec.limit };
      return withQuery("/api/reports/bottlenecks", q);
    }
    case "health": {
      const q: HealthQ = { format };
      return withQuery("/api/reports/health", q);
    }
    case "scenario": {
      const q: ScenarioQ = { format, element: spec.element ?? undefined, max_depth: spec.depth };
      return withQuery(`/api/reports/scenarios/${encodeURIComponent(spec.scenario)}/compare`, q);
    }
  }
}

/** The file name the server gives (Content-Disposition), else one made from the report. */
export function fileNameOf(disposition: string | null, spec: ReportSpec, format: ReportFormat): string {
  const m = /filename="?([^";]+)"?/i.exec(disposition ?? "");
  return m?.[1] ?? `valuegraph-${spec.kind}.${format}`;
}

export interface Fetched {
  text: string;
  filename: string;
}

/** The report's text, fetched with the bearer token; a refusal rejects with the server's reason. */
export async function fetchReport(client: GraphQLClient, spec: ReportSpec, format: ReportFormat): Promise<Fetched> {
  const response = await fetch(reportUrl(spec, format), { headers: { accept: format === "md" ? "text/markdown" : "text/csv", ...client.authHeaders() } });
  if (!response.ok) {
    let reason = `the server answered ${response.status}`;
    try {
      const body = (await response.json()) as { detail?: unknown };
      if (body.detail) reason = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
    } catch {
      /* no JSON: the status says it */
    }
    throw new Error(reason);
  }
  return { text: await response.text(), filename: fileNameOf(response.headers.get("content-disposition"), spec, format) };
}

const LABEL: Record<ReportSpec["kind"], string> = {
  impact: "impact report",
  bottlenecks: "bottleneck report",
  health: "health report",
  scenario: "comparison report",
};

/** Markdown, CSV and print-view buttons for one report. */
export function ReportButtons({ client, spec, id }: { client: GraphQLClient; spec: ReportSpec; id: string }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const get = (format: ReportFormat): void => {
    setBusy(format);
    setError(null);
    fetchReport(client, spec, format)
      .then((r) => download(new Blob([r.text], { type: format === "md" ? "text/markdown" : "text/csv" }), r.filename))
      .catch((err: Error) => setError(`The ${LABEL[spec.kind]} could not be made: ${err.message}`))
      .finally(() => setBusy(null));
  };
  return (
    <div class="report-buttons" id={id} role="group" aria-label={`Download the ${LABEL[spec.kind]}`}>
      <span class="group-label">Report</span>
      <button type="button" id={`${id}-md`} data-url={reportUrl(spec, "md")} disabled={busy !== null} onClick={() => get("md")} title={`The ${LABEL[spec.kind]} as Markdown (title, date, model, legend, findings)`}>
        {busy === "md" ? "Markdown…" : "Markdown"}
      </button>
      <button type="button" id={`${id}-csv`} data-url={reportUrl(spec, "csv")} disabled={busy !== null} onClick={() => get("csv")} title={`The ${LABEL[spec.kind]} as one CSV table`}>
        {busy === "csv" ? "CSV…" : "CSV"}
      </button>
      <button type="button" id={`${id}-print`} onClick={() => openPrintView(client, spec)} title="A print-ready page: print it or save it as PDF">
        Print view
      </button>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** The buttons mounted in a fresh element, for the panels built with `h()`. */
export function reportButtons(client: GraphQLClient, spec: ReportSpec, id: string): HTMLElement {
  const root = document.createElement("div");
  render(<ReportButtons client={client} spec={spec} id={id} />, root);
  return root;
}

// -- the print view --------------------------------------------------------------------

function Text({ inline }: { inline: Inline[] }) {
  return (
    <>
      {inline.map((i) => (i.kind === "strong" ? <strong>{i.text}</strong> : i.kind === "em" ? <em>{i.text}</em> : i.kind === "code" ? <code>{i.text}</code> : i.text))}
    </>
  );
}

function BlockView({ b, index }: { b: Block; index: number }) {
  switch (b.kind) {
    case "heading": {
      const Tag = (["h1", "h2", "h3", "h4", "h5", "h6"] as const)[Math.min(b.level, 6) - 1]!;
      const section = plain(b.inline).toLowerCase().replace(/\s*\(\d+\)$/, "").replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
      return (
        <Tag data-section={section} id={index === 0 ? "print-title" : undefined}>
          <Text inline={b.inline} />
        </Tag>
      );
    }
    case "para":
      return (
        <p>
          <Text inline={b.inline} />
        </p>
      );
    case "list": {
      const items = b.items.map((it) => (
        <li>
          <Text inline={it} />
        </li>
      ));
      return b.ordered ? <ol>{items}</ol> : <ul>{items}</ul>;
    }
    case "table":
      return (
        <table class="print-table">
          <thead>
            <tr>
              {b.header.map((h, i) => (
                <th scope="col" class={b.right[i] ? "num" : undefined}>
                  <Text inline={h} />
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {b.rows.map((r) => (
              <tr>
                {r.map((c, i) => (
                  <td class={b.right[i] ? "num" : undefined}>
                    <Text inline={c} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      );
  }
}

function PrintView({ client, spec, onClose }: { client: GraphQLClient; spec: ReportSpec; onClose: () => void }) {
  const [blocks, setBlocks] = useState<Block[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    fetchReport(client, spec, "md").then(
      (r) => {
        const read = readMarkdown(r.text);
        setBlocks(read);
        const title = read.find((b) => b.kind === "heading");
        if (title?.kind === "heading") document.title = plain(title.inline);
      },
      (err: Error) => setError(err.message),
    );
  }, []);
  return (
    <>
      <div class="print-toolbar" role="toolbar" aria-label="Print view">
        <button type="button" class="primary" id="print-now" onClick={() => window.print()} disabled={!blocks}>
          Print or save as PDF
        </button>
        <button type="button" id="print-close" onClick={onClose}>
          Close
        </button>
        <span class="hint">The {LABEL[spec.kind]} as the server writes it; the browser's print dialog saves it as PDF.</span>
      </div>
      <article class="print-page" aria-busy={!blocks && !error} data-ready={blocks ? "true" : undefined}>
        {error ? <p class="error">The {LABEL[spec.kind]} could not be made: {error}</p> : blocks ? blocks.map((b, i) => <BlockView b={b} index={i} />) : <p class="loading">Writing the report…</p>}
      </article>
    </>
  );
}

/**
 * Open the print view over the page (the page stays as it was behind it): only the view is
 * printed while it is open (`body.printing`, see lists.css).
 */
export function openPrintView(client: GraphQLClient, spec: ReportSpec): void {
  closePrintView();
  const host = document.createElement("section");
  host.id = "print-view";
  host.className = "print-view";
  host.setAttribute("aria-label", `Print view: ${LABEL[spec.kind]}`);
  const title = document.title;
  document.body.appendChild(host);
  document.body.classList.add("printing");
  const close = (): void => {
    render(null, host);
    host.remove();
    document.body.classList.remove("printing");
    document.title = title;
  };
  host.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") close();
  });
  render(<PrintView client={client} spec={spec} onClose={close} />, host);
  host.querySelector<HTMLElement>("#print-close")?.focus();
}

export function closePrintView(): void {
  document.querySelector<HTMLElement>("#print-view #print-close")?.click();
}
