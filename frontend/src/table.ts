/**
 * What a long list does with its rows, kept pure (unit-tested) so the table component
 * (`ui/table.tsx`) only draws: sort by a column, group, cut a page, and write the whole
 * list (every row, not the page shown) as CSV.
 */

export type Cell = string | number | null | undefined;

/** A column: its header and the value it sorts and exports by. */
export interface ColumnSpec<T> {
  key: string;
  label: string;
  value: (row: T) => Cell;
}

export interface SortState {
  key: string;
  dir: "asc" | "desc";
}

export interface Group<T> {
  key: string;
  rows: T[];
}

export interface Page<T> {
  rows: T[];
  /** 0-based page index, clamped to the pages there are. */
  page: number;
  pages: number;
  /** 1-based positions of the first and last row shown (0, 0 when empty). */
  from: number;
  to: number;
}

const collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

/** Numbers before text, empty cells last, text in natural order ("Team 2" before "Team 10"). */
export function compareCells(a: Cell, b: Cell): number {
  const empty = (v: Cell): boolean => v === null || v === undefined || v === "";
  if (empty(a) || empty(b)) return empty(a) === empty(b) ? 0 : empty(a) ? 1 : -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "number") return -1;
  if (typeof b === "number") return 1;
  return collator.compare(String(a), String(b));
}

/** The rows sorted by a column (stable: equal rows keep their order); unsorted when no column is chosen. */
export function sortRows<T>(rows: readonly T[], columns: readonly ColumnSpec<T>[], sort: SortState | null): T[] {
  const col = sort ? columns.find((c) => c.key === sort.key) : undefined;
  if (!col || !sort) return [...rows];
  const sign = sort.dir === "asc" ? 1 : -1;
  return rows
    .map((row, i) => ({ row, i, v: col.value(row) }))
    .sort((a, b) => {
      const c = compareCells(a.v, b.v);
      // Empty cells stay last whichever way the column is sorted.
      const emptyish = a.v === null || a.v === undefined || a.v === "" || b.v === null || b.v === undefined || b.v === "";
      return (emptyish ? c : sign * c) || a.i - b.i;
    })
    .map((x) => x.row);
}

/** A header click: ascending first, then descending, then ascending again. */
export function nextSort(current: SortState | null, key: string): SortState {
  return current?.key === key && current.dir === "asc" ? { key, dir: "desc" } : { key, dir: "asc" };
}

/** Rows grouped by `groupOf`, groups in the order they first appear (the caller's order). */
export function groupRows<T>(rows: readonly T[], groupOf: (row: T) => string): Group<T>[] {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = groupOf(row);
    const g = groups.get(k);
    if (g) g.push(row);
    else groups.set(k, [row]);
  }
  return [...groups].map(([key, rs]) => ({ key, rows: rs }));
}

/** One page of `size` rows. */
export function pageOf<T>(rows: readonly T[], page: number, size: number): Page<T> {
  const pages = Math.max(1, Math.ceil(rows.length / size));
  const p = Math.min(Math.max(0, Math.floor(page)), pages - 1);
  const shown = rows.slice(p * size, p * size + size);
  return { rows: shown, page: p, pages, from: shown.length ? p * size + 1 : 0, to: p * size + shown.length };
}

// What a spreadsheet may take as the start of a formula (OWASP's CSV injection list), as
// the server's reports neutralise it (queries/reports/text.py).
const FORMULA_START = ["=", "+", "-", "@", "\t", "\r"];

/** One CSV field (RFC 4180): formulas neutralised with an apostrophe, quoted where needed. */
export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return String(value);
  const text = FORMULA_START.some((s) => value.startsWith(s)) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The rows as CSV: a header row, then one line per row, CRLF line ends (as the server's reports). */
export function toCsv<T>(rows: readonly T[], columns: readonly ColumnSpec<T>[]): string {
  const lines = [columns.map((c) => csvCell(c.label)), ...rows.map((r) => columns.map((c) => csvCell(c.value(r))))];
  return lines.map((l) => l.join(",")).join("\r\n") + "\r\n";
}

/** "431" or "500 of 1,234" (when the list is the first page of a longer one). */
export function countText(shown: number, total?: number | null): string {
  const f = (n: number): string => n.toLocaleString("en-GB");
  return total !== undefined && total !== null && total > shown ? `${f(shown)} of ${f(total)}` : f(shown);
}
