/**
 * The editing forms as data, derived from the graph schema (the `schema` query,
 * graph.schema.Schema.as_dict): which fields a node or relationship type has, of what kind,
 * required or not, with which choices; which relationships an element may have, to which
 * types; the request bodies built from what was typed; and the server's refusals (422
 * details) mapped back to the field they concern. Pure: no DOM, no fetch (unit-tested).
 */
import type { GraphSchema, SchemaProp } from "./types";

export type FieldKind = "text" | "textarea" | "int" | "float" | "bool" | "date" | "choice" | "tags";

/** One field of a form. */
export interface FieldSpec {
  /** The API's field name (snake_case, as REST reads and writes it). */
  name: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  choices: string[];
  description: string;
}

/** What the user typed, per field, as text (a bool is "true", "false" or ""). */
export type FormValues = Record<string, string>;

/** Messages per field name; "" holds those that concern no field of the form. */
export type FieldErrors = Record<string, string[]>;

const ANY = "*";

/**
 * How the common fields every node has are edited, for those of `common_node_fields` a
 * person edits (ids are given once at creation; provenance and dates are the server's).
 * Required-ness and length come from the server's model (graph.model.NodeBase), which the
 * schema description does not carry.
 */
const COMMON_EDITED: Record<string, Omit<FieldSpec, "name">> = {
  name: { label: "Name", kind: "text", required: true, choices: [], description: "What the element is called." },
  description: { label: "Description", kind: "textarea", required: false, choices: [], description: "What it is, in a sentence or two." },
  tags: { label: "Tags", kind: "tags", required: false, choices: [], description: "Comma-separated." },
};

/** "lifecycle_phase_out" → "lifecycle phase out". */
export function fieldLabel(name: string): string {
  const text = name.replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function propField(p: SchemaProp): FieldSpec {
  const kind: FieldKind = p.choices.length ? "choice" : p.kind === "string" ? "text" : p.kind;
  return { name: p.name, label: fieldLabel(p.name), kind, required: p.required, choices: [...p.choices], description: p.description };
}

/** The fields of a node type's form: the edited common fields, then its typed properties in schema order. */
export function nodeFields(schema: GraphSchema, label: string): FieldSpec[] {
  const type = schema.nodes.find((n) => n.label === label);
  if (!type) throw new Error(`unknown node type ${label}`);
  const common = schema.common_node_fields.filter((f) => f in COMMON_EDITED).map((f) => ({ name: f, ...COMMON_EDITED[f]! }));
  return [...common, ...type.properties.map(propField)];
}

/** The fields of a relationship type's form: its typed properties. */
export function relationshipFields(schema: GraphSchema, relType: string): FieldSpec[] {
  const rel = schema.relationships.find((r) => r.type === relType);
  if (!rel) throw new Error(`unknown relationship type ${relType}`);
  return rel.properties.map(propField);
}

/** A relationship an element of some type may have: its type, its direction and the types allowed at the other end. */
export interface RelChoice {
  type: string;
  /** The element is the source (true) or the target. */
  outgoing: boolean;
  /** The schema's name for it from the element's side (forward or reverse). */
  field: string;
  description: string;
  others: string[];
}

/** Every relationship an element of `label` may take part in, from the schema's allowed endpoints. */
export function relChoices(schema: GraphSchema, label: string): RelChoice[] {
  const labels = schema.nodes.map((n) => n.label);
  const out: RelChoice[] = [];
  for (const rel of schema.relationships) {
    for (const outgoing of [true, false]) {
      const [mine, theirs] = outgoing ? [0, 1] : [1, 0];
      const others = new Set<string>();
      for (const e of rel.endpoints) {
        if (e[mine] !== label && e[mine] !== ANY) continue;
        for (const o of e[theirs] === ANY ? labels : [e[theirs]]) others.add(o);
      }
      if (others.size) {
        out.push({ type: rel.type, outgoing, field: outgoing ? rel.forward : rel.reverse, description: rel.description, others: labels.filter((l) => others.has(l)) });
      }
    }
  }
  return out;
}

/** The relationship type that says who owns an element, and the types that may own one. */
export function ownership(schema: GraphSchema, label: string): RelChoice | undefined {
  return relChoices(schema, label).find((c) => c.type === "OWNS" && !c.outgoing);
}

/** The form's starting values from a stored record (REST's snake_case fields). */
export function valuesOf(fields: FieldSpec[], record: Record<string, unknown>): FormValues {
  const out: FormValues = {};
  for (const f of fields) {
    const v = record[f.name];
    out[f.name] = v === null || v === undefined ? "" : Array.isArray(v) ? v.join(", ") : String(v);
  }
  return out;
}

/**
 * A typed value from the text typed: empty is null; numbers that do not parse are sent as
 * typed, so that the server's refusal (not a guess here) is what the field shows.
 */
export function parseValue(f: FieldSpec, text: string): unknown {
  const t = text.trim();
  if (f.kind === "tags") {
    return t
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  }
  if (t === "") return null;
  if (f.kind === "int" || f.kind === "float") {
    const n = Number(t);
    return Number.isFinite(n) ? n : t;
  }
  if (f.kind === "bool") return t === "true" ? true : t === "false" ? false : t;
  return f.kind === "textarea" ? text : t;
}

/** The body of a create: every field given (empty ones left out). */
export function createBody(fields: FieldSpec[], values: FormValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = parseValue(f, values[f.name] ?? "");
    if (v === null || (Array.isArray(v) && !v.length)) continue;
    out[f.name] = v;
  }
  return out;
}

/** What a field holds when emptied: common fields keep their type (text, list); typed properties are cleared with null. */
function emptied(f: FieldSpec): unknown {
  if (f.kind === "tags") return [];
  return f.name in COMMON_EDITED ? "" : null;
}

/** The body of a PATCH: only the fields changed since `initial`; an emptied one is cleared. */
export function patchBody(fields: FieldSpec[], initial: FormValues, values: FormValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const before = initial[f.name] ?? "";
    const now = values[f.name] ?? "";
    if (JSON.stringify(parseValue(f, before)) === JSON.stringify(parseValue(f, now))) continue;
    const v = parseValue(f, now);
    out[f.name] = v === null ? emptied(f) : v;
  }
  return out;
}

/** Messages the client refuses before asking the server: a required field left empty. */
export function missingRequired(fields: FieldSpec[], values: FormValues): FieldErrors {
  const out: FieldErrors = {};
  for (const f of fields) if (f.required && !(values[f.name] ?? "").trim()) out[f.name] = ["Required."];
  return out;
}

/** pydantic words its messages "Value error, …": the field shows the reason only. */
function cleanMessage(msg: string): string {
  return msg.replace(/^(Value error|Assertion failed), /, "");
}

function add(out: FieldErrors, field: string, msg: string): void {
  (out[field] ??= []).push(msg);
}

/**
 * The server's refusal mapped to the form's fields.
 *
 * `detail` is what REST answers: a 422 list of `{loc, msg, type}` (FastAPI's validation and
 * graph.edits.FieldErrors alike: loc `["body", field, …]`, with the node or relationship type
 * after "body" when a create picked its model by type), an object `{msg, errors}` (a store's
 * refusal, e.g. a relationship the schema does not allow) or a string. A loc naming no field
 * of the form goes to "" (shown by the form as a whole), as does everything else.
 * `tags`: the type names a create's loc may carry after "body"; `aliases` maps the API's
 * field names to the form's (a relationship's source or target to its "other end" field);
 * `storeField`: the field a store's refusal concerns (a relationship's other end), if any.
 */
export function errorsByField(detail: unknown, fields: string[], opts: { tags?: string[]; aliases?: Record<string, string>; storeField?: string } = {}): FieldErrors {
  const { tags = [], aliases = {}, storeField = "" } = opts;
  const out: FieldErrors = {};
  const known = new Set(fields);
  if (Array.isArray(detail)) {
    for (const item of detail) {
      const e = item as { loc?: unknown[]; msg?: unknown };
      const msg = cleanMessage(String(e.msg ?? JSON.stringify(item)));
      const loc = (Array.isArray(e.loc) ? e.loc : []).map(String);
      let i = loc[0] === "body" ? 1 : 0;
      if (tags.includes(loc[i] ?? "")) i++;
      const name = aliases[loc[i] ?? ""] ?? loc[i] ?? "";
      add(out, known.has(name) ? name : "", known.has(name) || !loc.length ? msg : `${loc.slice(i).join(".") || "input"}: ${msg}`);
    }
  } else if (detail && typeof detail === "object") {
    const d = detail as { msg?: unknown; errors?: unknown[] };
    const others = (d.errors ?? []).map((x) => String((x as { msg?: unknown }).msg ?? "")).filter(Boolean);
    const where = known.has(storeField) ? storeField : "";
    if (others.length) for (const m of others) add(out, where, m);
    else add(out, where, String(d.msg ?? JSON.stringify(detail)));
  } else {
    add(out, "", String(detail ?? "the server refused the change"));
  }
  return out;
}

/** What a 412 on an edit (its If-Match no longer matches) means to the person editing. */
export const CHANGED_ELSEWHERE = "Changed by someone else since you opened it: reload to see their change, then edit again.";
