/**
 * The import page's backend: `POST /api/imports` (a real multipart upload, with progress and
 * several files), dry run first (the diff), then apply. The route, its form fields and the
 * formats are typed from the server's OpenAPI document (src/rest.ts); the report it answers
 * is declared there only as an object, so its shape is written down here from the server's
 * `importers.pipeline.run_import`.
 */
import type { GraphQLClient } from "./gql";
import type { ImportForm } from "./rest";

/** The route that takes the upload (a path of the OpenAPI document). */
export const IMPORT_ROUTE = "/api/imports" satisfies keyof import("./generated/openapi").paths;

export type ImportFormat = ImportForm["format"];
export const IMPORT_FORMATS = ["auto", "exchange", "archi", "csv", "backstage"] as const satisfies readonly ImportFormat[];

/** The form fields the explorer fills, by their names in the OpenAPI document. */
const FIELD = { files: "files", dryRun: "dry_run", format: "format" } as const satisfies Record<string, keyof ImportForm>;

/** Counts by node or relationship type, per kind of change (`importers.diff`). */
export interface DiffSection {
  added: Record<string, number>;
  changed: Record<string, number>;
  removed: Record<string, number>;
  unchanged: number;
}

/** A warning of the report (`importers.errors.ReportWarning.as_dict`). */
export interface ImportWarning {
  code: string;
  msg: string;
  file: string | null;
  line: number | null;
  subject: string | null;
}

/** What `POST /api/imports` answers (the fields the explorer reads). */
export interface ImportAnswer {
  run_id: string | null;
  format: string;
  dry_run: boolean;
  diff: { nodes: DiffSection; relationships: DiffSection };
  warnings: ImportWarning[];
}

/**
 * How the route refuses an import: a message (401, 403, a proxy's 413), the failure
 * (`ImportFailure.as_dict`: msg, file, line, hint; 413 and 422), or FastAPI's list of
 * form errors (422).
 */
type ImportRefusal = { detail?: string | { msg?: unknown; file?: unknown; line?: unknown; hint?: unknown } | { msg?: unknown }[] };

/** A refused import, as the server said it: the message, and where and what to do when it knows. */
export interface Refusal {
  status: number;
  msg: string;
  file: string | null;
  line: number | null;
  hint: string | null;
}

export interface DiffRow {
  /** "nodes" or "relationships". */
  section: string;
  type: string;
  added: number;
  changed: number;
  removed: number;
}

export interface ImportReport {
  dryRun: boolean;
  format: string | null;
  runId: string | null;
  rows: DiffRow[];
  warnings: string[];
  /** The answer as the server gave it (shown as the full report). */
  raw: ImportAnswer;
}

const KINDS = ["added", "changed", "removed"] as const;

/** The report read into rows (one per section and type that changes) and warning lines. Pure. */
export function readReport(r: ImportAnswer): ImportReport {
  const rows: DiffRow[] = [];
  for (const section of ["nodes", "relationships"] as const) {
    const byType = new Map<string, DiffRow>();
    for (const kind of KINDS) {
      for (const [type, n] of Object.entries(r.diff[section][kind])) {
        let row = byType.get(type);
        if (!row) byType.set(type, (row = { section, type, added: 0, changed: 0, removed: 0 }));
        row[kind] += n;
      }
    }
    rows.push(...[...byType.values()].filter((x) => x.added || x.changed || x.removed));
  }
  const warnings = r.warnings.map((w) => {
    const where = w.file ? ` (${w.file}${w.line !== null ? `:${w.line}` : ""})` : "";
    return `${w.msg}${where}`;
  });
  return { dryRun: r.dry_run, format: r.format, runId: r.run_id, rows, warnings, raw: r };
}

/** The refusal read from the route's answer, file, line and hint kept exactly as given. Pure. */
export function readRefusal(status: number, body: unknown): Refusal {
  const detail = (body as ImportRefusal | null)?.detail;
  const text = (x: unknown): string | null => (typeof x === "string" ? x : null);
  if (typeof detail === "string") return { status, msg: detail, file: null, line: null, hint: null };
  if (Array.isArray(detail)) {
    const msgs = detail.map((d) => text(d?.msg)).filter((m): m is string => m !== null);
    return { status, msg: msgs.join("; ") || JSON.stringify(body), file: null, line: null, hint: null };
  }
  if (detail && typeof detail === "object" && "msg" in detail && typeof detail.msg === "string") {
    const d = detail as { msg: string; file?: unknown; line?: unknown; hint?: unknown };
    return { status, msg: d.msg, file: text(d.file), line: typeof d.line === "number" ? d.line : null, hint: text(d.hint) };
  }
  return { status, msg: JSON.stringify(body), file: null, line: null, hint: null };
}

/** The refusal's message. */
export function refusalMessage(status: number, body: unknown): string {
  return `import failed (${status}): ${readRefusal(status, body).msg}`;
}

/** The error an import rejects with when the server refuses it: the message, and the refusal whole. */
export class ImportRefused extends Error {
  constructor(readonly refusal: Refusal) {
    super(`import failed (${refusal.status}): ${refusal.msg}`);
    this.name = "ImportRefused";
  }
}

export class Imports {
  constructor(readonly client: GraphQLClient) {}

  run(files: File[], opts: { dryRun: boolean; format: ImportFormat; onProgress?: (fraction: number) => void }): Promise<ImportReport> {
    if (!files.length) return Promise.reject(new Error("choose a file to import"));
    const form = new FormData();
    for (const f of files) form.append(FIELD.files, f, f.name);
    form.append(FIELD.dryRun, String(opts.dryRun));
    if (opts.format !== "auto") form.append(FIELD.format, opts.format);
    return new Promise((resolve, reject) => {
      // XMLHttpRequest rather than fetch: it reports upload progress.
      const xhr = new XMLHttpRequest();
      xhr.open("POST", IMPORT_ROUTE);
      for (const [k, v] of Object.entries(this.client.authHeaders())) xhr.setRequestHeader(k, v);
      xhr.responseType = "json";
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) opts.onProgress?.(e.loaded / e.total);
      };
      xhr.onload = () => {
        if (xhr.status >= 200 && xhr.status < 300) resolve(readReport(xhr.response as ImportAnswer));
        else reject(new ImportRefused(readRefusal(xhr.status, xhr.response)));
      };
      xhr.onerror = () => reject(new Error("import failed: the server did not answer"));
      xhr.send(form);
    });
  }
}
