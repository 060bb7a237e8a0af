/**
 * Build GraphQL documents for fields whose exact shape the explorer learns at run time
 * (the question and import fields, which other parts of the backend add): arguments are
 * matched by name and type, selections are generated from introspection. Elements are
 * always selected briefly (`id type name`) so a selection cannot explode through the
 * relationship fields.
 */
import { isRequired, namedType, typeToString, type ArgInfo, type FieldInfo, type ServerSchema } from "./gql";

const ELEMENT_INTERFACE = "Element";
const MAX_DEPTH = 6;
const MAX_FIELDS = 400;

function isElementType(server: ServerSchema, name: string): boolean {
  if (name === ELEMENT_INTERFACE) return true;
  const t = server.types.get(name);
  const iface = server.types.get(ELEMENT_INTERFACE);
  return Boolean(t && iface?.possibleTypes?.some((p) => p.name === name));
}

/** A selection set (with braces) for a named type, or "" for scalars and enums. */
export function selectionFor(server: ServerSchema, typeName: string): string {
  let budget = MAX_FIELDS;
  const walk = (name: string, depth: number): string => {
    const t = server.types.get(name);
    if (!t || t.kind === "SCALAR" || t.kind === "ENUM") return "";
    if (isElementType(server, name)) return "{ __typename id type name }";
    if (depth >= MAX_DEPTH) return "{ __typename }";
    if (t.kind === "UNION") {
      const parts = (t.possibleTypes ?? []).map((p) => {
        const sub = walk(p.name, depth + 1);
        return sub ? `... on ${p.name} ${sub}` : "";
      });
      return `{ __typename ${parts.join(" ")} }`;
    }
    const parts: string[] = [];
    for (const f of t.fields ?? []) {
      if (budget <= 0) break;
      if (f.args.some(isRequired)) continue;
      const inner = namedType(f.type);
      if (!inner.name) continue;
      const sub = walk(inner.name, depth + 1);
      const innerKind = server.types.get(inner.name)?.kind ?? inner.kind;
      if (!sub && innerKind !== "SCALAR" && innerKind !== "ENUM") continue;
      budget -= 1;
      parts.push(sub ? `${f.name} ${sub}` : f.name);
    }
    if (t.kind === "INTERFACE") parts.unshift("__typename");
    return parts.length ? `{ ${parts.join(" ")} }` : "{ __typename }";
  };
  const named = server.types.get(typeName);
  if (!named || named.kind === "SCALAR" || named.kind === "ENUM") return "";
  return walk(typeName, 0);
}

/** A GraphQL literal for a value and argument type (enums unquoted). */
export function literal(server: ServerSchema, arg: ArgInfo, value: unknown): string {
  const inner = namedType(arg.type);
  const enumType = inner.name ? server.types.get(inner.name) : undefined;
  const isEnum = enumType?.kind === "ENUM";
  const enumName = (v: string): string =>
    enumType?.enumValues?.find((e) => e.name === v)?.name ?? enumType?.enumValues?.find((e) => e.name.toLowerCase() === v.toLowerCase())?.name ?? v;
  const one = (v: unknown): string => {
    if (v === null || v === undefined) return "null";
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    if (isEnum && typeof v === "string" && /^[_A-Za-z][_0-9A-Za-z]*$/.test(enumName(v))) return enumName(v);
    if (typeof v === "object") {
      const entries = Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}: ${JSON.stringify(x)}`);
      return `{ ${entries.join(", ")} }`;
    }
    return JSON.stringify(String(v));
  };
  return Array.isArray(value) ? `[${value.map(one).join(", ")}]` : one(value);
}

/** What a caller wants to pass, by meaning; matched against the field's argument names. */
export interface ArgIntent {
  /** Regular expressions tried in order against argument names. */
  names: RegExp[];
  value: unknown;
  /** Only pass it when set (e.g. an empty filter list means "server default"). */
  optional?: boolean;
}

export interface BuiltCall {
  /** e.g. `impact(element: "x", maxDepth: 3)`; null when a required argument has no value. */
  call: string | null;
  missing: string[];
  used: Record<string, unknown>;
}

/** Match intents to a field's arguments; required arguments nobody provides are reported. */
export function buildCall(server: ServerSchema, field: FieldInfo, intents: ArgIntent[]): BuiltCall {
  const used: Record<string, unknown> = {};
  const taken = new Set<string>();
  const args: string[] = [];
  for (const intent of intents) {
    if (intent.optional && (intent.value == null || (Array.isArray(intent.value) && intent.value.length === 0))) continue;
    const arg = intent.names
      .map((re) => field.args.find((a) => !taken.has(a.name) && re.test(a.name)))
      .find(Boolean);
    if (!arg) continue;
    taken.add(arg.name);
    used[arg.name] = intent.value;
    args.push(`${arg.name}: ${literal(server, arg, intent.value)}`);
  }
  const missing = field.args.filter((a) => isRequired(a) && !taken.has(a.name)).map((a) => `${a.name}: ${typeToString(a.type)}`);
  if (missing.length) return { call: null, missing, used };
  return { call: args.length ? `${field.name}(${args.join(", ")})` : field.name, missing, used };
}

/** A whole query document for one root field, selected from introspection. */
export function documentFor(server: ServerSchema, field: FieldInfo, call: string, op: "query" | "mutation" = "query"): string {
  const inner = namedType(field.type);
  const sel = inner.name ? selectionFor(server, inner.name) : "";
  return `${op} { result: ${call} ${sel} }`;
}
