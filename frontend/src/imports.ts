/**
 * The import page's backend: an import GraphQL mutation when the server has one (file as
 * an `Upload`, or its text as a `String` argument), else a REST upload route found in
 * the server's OpenAPI description. Either way: dry run first (the diff), then apply.
 */
import { isRequired, namedType, typeToString, type FieldInfo, type GraphQLClient, type ServerSchema } from "./gql";
import { buildCall, selectionFor, type ArgIntent } from "./select";
import { get } from "./questions";

export const IMPORT_FORMATS = ["auto", "exchange", "archi", "csv", "backstage"] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface DiffRow {
  /** "nodes" or "relationships" where the report separates them, else "". */
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
  raw: unknown;
}

/** How the file goes to a GraphQL import: an Upload, its text, or `[{filename, content}]` inputs. */
export type FileMode = "upload" | "text" | "inputs";

export type ImportBackend =
  | { kind: "graphql"; field: FieldInfo; fileArg: string; mode: FileMode; inputType?: string }
  | { kind: "rest"; path: string; fileField: string; dryRunParam: string | null; formatParam: string | null; inBody: boolean };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Find an import mutation: a root Mutation field named like import* taking a file somehow. */
export function findGraphqlImport(server: ServerSchema | null): ImportBackend | null {
  if (!server) return null;
  const candidates = [...server.mutation.values()].filter((f) => /import/i.test(f.name) && !/delete|remove|undo/i.test(f.name));
  candidates.sort((a, b) => Number(/^import(File|Model)?$/i.test(b.name)) - Number(/^import(File|Model)?$/i.test(a.name)));
  for (const field of candidates) {
    const upload = field.args.find((a) => namedType(a.type).name === "Upload");
    if (upload) return { kind: "graphql", field, fileArg: upload.name, mode: "upload" };
    for (const a of field.args) {
      const t = server.types.get(namedType(a.type).name ?? "");
      const names = new Set((t?.inputFields ?? []).map((f) => f.name));
      if (t?.kind === "INPUT_OBJECT" && names.has("content") && (names.has("filename") || names.has("name"))) {
        return { kind: "graphql", field, fileArg: a.name, mode: "inputs", inputType: typeToString(a.type) };
      }
    }
    const text = field.args.find((a) => /^(content|contents|text|data|body|file|document)$/i.test(a.name) && namedType(a.type).name === "String");
    if (text) return { kind: "graphql", field, fileArg: text.name, mode: "text" };
  }
  return null;
}

interface OpenApi {
  paths?: Record<string, Record<string, Obj>>;
  components?: { schemas?: Record<string, Obj> };
}

/** Find a REST upload route for imports in an OpenAPI document. */
export function findRestImport(doc: OpenApi | null): ImportBackend | null {
  if (!doc?.paths) return null;
  const resolve = (s: unknown): Obj => {
    if (isObj(s) && typeof s.$ref === "string") {
      const name = s.$ref.split("/").pop() ?? "";
      return (doc.components?.schemas?.[name] as Obj | undefined) ?? {};
    }
    return isObj(s) ? s : {};
  };
  const paths = Object.entries(doc.paths).filter(([p]) => /import/i.test(p) && !/\{/.test(p));
  paths.sort(([a], [b]) => a.length - b.length);
  for (const [path, ops] of paths) {
    const post = ops.post;
    if (!isObj(post)) continue;
    const content = get(get(post, "requestBody"), "content");
    const multipart = isObj(content) ? content["multipart/form-data"] : undefined;
    if (!isObj(multipart)) continue;
    const schema = resolve(multipart.schema);
    const props = isObj(schema.properties) ? schema.properties : {};
    const fileField =
      Object.entries(props).find(([, s]) => {
        const r = resolve(s);
        const binary = (x: Obj): boolean => x.format === "binary" || x.contentMediaType === "application/octet-stream";
        return binary(r) || (isObj(r.items) && binary(resolve(r.items)));
      })?.[0] ?? "file";
    const params = Array.isArray(post.parameters) ? (post.parameters as Obj[]) : [];
    const pname = (re: RegExp): string | null => (params.find((p) => typeof p.name === "string" && re.test(p.name))?.name as string | undefined) ?? null;
    const bodyName = (re: RegExp): string | null => Object.keys(props).find((k) => re.test(k)) ?? null;
    const dryQuery = pname(/dry.?run/i);
    const fmtQuery = pname(/^format$/i);
    return {
      kind: "rest",
      path,
      fileField,
      dryRunParam: dryQuery ?? bodyName(/dry.?run/i),
      formatParam: fmtQuery ?? bodyName(/^format$/i),
      inBody: !dryQuery && Boolean(bodyName(/dry.?run/i)),
    };
  }
  return null;
}

/** Read an import report (dry-run diff or applied result) in its usual shapes. */
export function normaliseReport(raw: unknown, dryRun: boolean): ImportReport {
  let r = raw;
  if (typeof r === "string") {
    try {
      r = JSON.parse(r) as unknown;
    } catch {
      /* keep */
    }
  }
  const rowsByKey = new Map<string, DiffRow>();
  const row = (type: string, section = ""): DiffRow => {
    let x = rowsByKey.get(`${section}|${type}`);
    if (!x) rowsByKey.set(`${section}|${type}`, (x = { section, type, added: 0, changed: 0, removed: 0 }));
    return x;
  };
  const NAMES = { added: ["added", "created", "new"], changed: ["changed", "updated", "modified"], removed: ["removed", "deleted", "pruned"] };
  const readSection = (diff: unknown, section: string): void => {
    for (const kind of ["added", "changed", "removed"] as const) {
      const v = get(diff, ...NAMES[kind]);
      if (typeof v === "number") row("total", section)[kind] += v;
      else if (Array.isArray(v)) {
        for (const item of v) {
          if (isObj(item)) {
            const type = String(get(item, "type", "label", "kind") ?? "total");
            const n = get(item, "count", "n", "value");
            row(type, section)[kind] += typeof n === "number" ? n : 1;
          } else row("total", section)[kind] += 1;
        }
      } else if (isObj(v)) {
        for (const [type, n] of Object.entries(v)) {
          if (typeof n === "number") row(type, section)[kind] += n;
          else if (Array.isArray(n)) row(type, section)[kind] += n.length;
          else if (isObj(n)) for (const [sub, m] of Object.entries(n)) if (typeof m === "number") row(sub, section)[kind] += m;
        }
      }
    }
  };
  const diff = get(r, "diff", "changes", "summary") ?? r;
  const nodes = get(diff, "nodes");
  const rels = get(diff, "relationships", "rels", "edges");
  if (isObj(nodes) || isObj(rels)) {
    if (isObj(nodes)) readSection(nodes, "nodes");
    if (isObj(rels)) readSection(rels, "relationships");
  } else readSection(diff, "");
  // Per-type maps the other way round: {ValueStream: {added, changed, removed}}.
  const byType = get(r, "byType", "by_type", "types");
  if (isObj(byType)) {
    for (const [type, v] of Object.entries(byType)) {
      if (!isObj(v)) continue;
      for (const kind of ["added", "changed", "removed"] as const) {
        const n = get(v, kind);
        if (typeof n === "number") row(type)[kind] += n;
      }
    }
  }
  const warningsRaw = get(r, "warnings", "messages", "problems");
  const warnings = Array.isArray(warningsRaw)
    ? warningsRaw.map((w) => {
        if (typeof w === "string") return w;
        const msg = String(get(w, "msg", "message", "detail", "text") ?? JSON.stringify(w));
        const file = get(w, "file");
        const line = get(w, "line");
        const where = typeof file === "string" ? ` (${file}${typeof line === "number" ? `:${line}` : ""})` : "";
        return `${msg}${where}`;
      })
    : [];
  const dry = get(r, "dryRun", "dry_run");
  return {
    dryRun: typeof dry === "boolean" ? dry : dryRun,
    format: (get(r, "format", "detectedFormat") as string | undefined) ?? null,
    runId: (get(r, "runId", "importRun", "run", "id") as string | undefined)?.toString() ?? null,
    rows: [...rowsByKey.values()].filter((x) => x.added || x.changed || x.removed),
    warnings,
    raw: r,
  };
}

export class Imports {
  constructor(
    readonly client: GraphQLClient,
    readonly server: ServerSchema | null,
    readonly fetchFn: typeof fetch = (i, init) => globalThis.fetch(i, init),
  ) {}

  /** The import backend this server offers, or null. */
  /** The REST upload (real multipart, progress, several files) when listed, else the GraphQL mutation. */
  async detect(): Promise<ImportBackend | null> {
    try {
      const res = await this.fetchFn("/openapi.json");
      if (res.ok) {
        const rest = findRestImport((await res.json()) as OpenApi);
        if (rest) return rest;
      }
    } catch {
      /* no OpenAPI document: try GraphQL */
    }
    return findGraphqlImport(this.server);
  }

  async run(
    backend: ImportBackend,
    files: File[],
    opts: { dryRun: boolean; format: ImportFormat; onProgress?: (fraction: number) => void },
  ): Promise<ImportReport> {
    if (!files.length) throw new Error("choose a file to import");
    return backend.kind === "graphql" ? this.runGraphql(backend, files, opts) : this.runRest(backend, files, opts);
  }

  private async runGraphql(
    b: Extract<ImportBackend, { kind: "graphql" }>,
    files: File[],
    opts: { dryRun: boolean; format: ImportFormat },
  ): Promise<ImportReport> {
    const server = this.server!;
    const intents: ArgIntent[] = [
      { names: [/dry.?run/i], value: opts.dryRun },
      { names: [/^format$/i], value: opts.format === "auto" ? null : opts.format, optional: true },
    ];
    if (b.mode !== "inputs") intents.push({ names: [/^(filename|fileName|name|path)$/i], value: files[0]!.name, optional: true });
    const field = b.field;
    const inner = namedType(field.type);
    const sel = inner.name ? selectionFor(server, inner.name) : "";
    const fileArg = field.args.find((a) => a.name === b.fileArg)!;
    const rest = { ...field, args: field.args.filter((a) => a.name !== b.fileArg) };
    const built = buildCall(server, rest, intents);
    if (!built.call) throw new Error(`the import mutation needs arguments the explorer does not know: ${built.missing.join(", ")}`);
    const call = built.call.includes("(") ? built.call.replace(/\)$/, `, ${b.fileArg}: $file)`) : `${field.name}(${b.fileArg}: $file)`;
    const varType = b.mode === "inputs" ? b.inputType! : `${namedType(fileArg.type).name}${isRequired(fileArg) || fileArg.type.kind === "NON_NULL" ? "!" : ""}`;
    const doc = `mutation Import($file: ${varType}) { result: ${call} ${sel} }`;
    let data: { result: unknown };
    if (b.mode === "upload") data = await this.client.upload<{ result: unknown }>(doc, {}, { file: files[0]! });
    else if (b.mode === "inputs") {
      const inputs = await Promise.all(files.map(async (f) => ({ filename: f.name, content: await f.text() })));
      data = await this.client.request<{ result: unknown }>(doc, { file: inputs });
    } else data = await this.client.request<{ result: unknown }>(doc, { file: await files[0]!.text() });
    return normaliseReport(data.result, opts.dryRun);
  }

  private runRest(
    b: Extract<ImportBackend, { kind: "rest" }>,
    files: File[],
    opts: { dryRun: boolean; format: ImportFormat; onProgress?: (fraction: number) => void },
  ): Promise<ImportReport> {
    const form = new FormData();
    for (const f of files) form.append(b.fileField, f, f.name);
    const query = new URLSearchParams();
    const put = (name: string | null, value: string): void => {
      if (!name) return;
      if (b.inBody) form.append(name, value);
      else query.set(name, value);
    };
    put(b.dryRunParam, String(opts.dryRun));
    if (opts.format !== "auto") put(b.formatParam, opts.format);
    const url = `${b.path}${query.toString() ? `?${query}` : ""}`;
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      for (const [k, v] of Object.entries(this.client.authHeaders())) xhr.setRequestHeader(k, v);
      xhr.responseType = "json";
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) opts.onProgress?.(e.loaded / e.total);
      };
      xhr.onload = () => {
        const body = xhr.response as unknown;
        if (xhr.status >= 200 && xhr.status < 300) resolve(normaliseReport(body, opts.dryRun));
        else {
          const detail = get(body, "detail");
          const msg = typeof detail === "string" ? detail : isObj(detail) ? String(get(detail, "msg", "message") ?? JSON.stringify(detail)) : JSON.stringify(body);
          reject(new Error(`import failed (${xhr.status}): ${msg}`));
        }
      };
      xhr.onerror = () => reject(new Error("import failed: the server did not answer"));
      xhr.send(form);
    });
  }
}
