/**
 * A list that scales (Preact): a table sortable by column, optionally grouped into
 * collapsible groups, one page of rows at a time (so a list of thousands draws a page of
 * DOM rows, never all), with its true count and a CSV download of everything it lists.
 * The row logic is the pure `../table`.
 *
 * Panels built with `h()` mount it with `tableElement`; its sort, pages and collapsed
 * groups are remembered by the table's id, so a panel rebuilt on every redraw keeps them.
 */
import { render, type ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import "./lists.css";
import type { ExplorerContext } from "../context";
import { download } from "../dom";
import { nodeStyle } from "../style";
import { countText, groupRows, nextSort, pageOf, sortRows, toCsv, type ColumnSpec, type SortState } from "../table";
import type { ElementBrief } from "../types";

export interface Column<T> extends ColumnSpec<T> {
  /** How a cell is drawn (default: its value). */
  render?: (row: T) => ComponentChildren;
  /** Right-aligned (numbers). */
  numeric?: boolean;
  sortable?: boolean;
  /** Only in the CSV, not drawn (a narrow panel shows it otherwise, e.g. under the name). */
  csvOnly?: boolean;
}

export interface TableProps<T> {
  /** DOM id of the table's root, and the key its state is remembered by. */
  id: string;
  /** Remember the state under this key instead (e.g. per element: another element's list starts afresh). */
  stateKey?: string;
  /** What the rows are ("teams and people to notify"): the heading and the CSV's name. */
  title: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  /** The true number of rows when `rows` is the first page of a longer list. */
  total?: number | null;
  /** Group rows by this (a column of its own in the CSV); groups keep the rows' order. */
  group?: { label: string; of: (row: T) => string; title?: (key: string, rows: T[]) => ComponentChildren };
  /** Groups closed at first (by default every group with more than a page is open too). */
  collapsed?: (key: string, rows: T[]) => boolean;
  pageSize?: number;
  sort?: SortState | null;
  /** The CSV file's name without `.csv`. */
  csvName: string;
  /** Heading level of the title (default h3); null: no heading. */
  heading?: "h2" | "h3" | "h4" | null;
  empty?: string;
  /** More to say under the heading (e.g. why the list stops at the server's page). */
  note?: ComponentChildren;
  /** Rows the server holds beyond those given: each group's true count (key "" when not
   * grouped), and how to ask for its next page, asked when a page past the rows held is
   * opened (the panel then draws the table again with them). */
  server?: { total: (key: string) => number; more: (key: string) => Promise<void> };
}

interface Memory {
  sort: SortState | null;
  pages: Record<string, number>;
  collapsed: Record<string, boolean>;
}

const memory = new Map<string, Memory>();

export const PAGE_SIZE = 25;

function Pager({ id, page, pages, from, to, count, onPage }: { id: string; page: number; pages: number; from: number; to: number; count: number; onPage: (p: number) => void }) {
  if (pages <= 1) return null;
  return (
    <div class="vt-pager" role="group" aria-label="Pages" data-for={id}>
      <button type="button" class="vt-prev" disabled={page === 0} onClick={() => onPage(page - 1)}>
        ‹ Previous
      </button>
      <span class="vt-range">
        {from.toLocaleString("en-GB")}–{to.toLocaleString("en-GB")} of {count.toLocaleString("en-GB")}
      </span>
      <button type="button" class="vt-next" disabled={page >= pages - 1} onClick={() => onPage(page + 1)}>
        Next ›
      </button>
    </div>
  );
}

export function DataTable<T>(props: TableProps<T>) {
  const { id, title, columns, rows, rowKey, group } = props;
  const size = props.pageSize ?? PAGE_SIZE;
  const memoryKey = props.stateKey ?? id;
  const remembered = memory.get(memoryKey) ?? { sort: props.sort ?? null, pages: {}, collapsed: {} };
  const [state, setState] = useState<Memory>(remembered);
  const update = (next: Memory): void => {
    memory.set(memoryKey, next);
    setState(next);
  };
  const sorted = sortRows(rows, columns, state.sort);
  const shown = columns.filter((c) => !c.csvOnly);
  const groups = group ? groupRows(sorted, group.of) : [{ key: "", rows: sorted }];
  const csvColumns: ColumnSpec<T>[] = group ? [{ key: "__group", label: group.label, value: group.of }, ...columns] : columns;
  const Heading = props.heading === undefined ? "h3" : props.heading;
  const isCollapsed = (key: string, rs: T[]): boolean => state.collapsed[key] ?? props.collapsed?.(key, rs) ?? false;

  const header = (
    <thead>
      <tr>
        {shown.map((c) => {
          const sortedBy = state.sort?.key === c.key ? state.sort.dir : null;
          return (
            <th scope="col" class={c.numeric ? "num" : undefined} aria-sort={sortedBy === "asc" ? "ascending" : sortedBy === "desc" ? "descending" : undefined} data-key={c.key}>
              {c.sortable === false ? (
                c.label
              ) : (
                <button type="button" class="vt-sort" onClick={() => update({ ...state, sort: nextSort(state.sort, c.key), pages: {} })} title={`Sort by ${c.label.toLowerCase()}`}>
                  {c.label}
                  <span class="vt-arrow" aria-hidden="true">
                    {sortedBy === "asc" ? " ▲" : sortedBy === "desc" ? " ▼" : ""}
                  </span>
                </button>
              )}
            </th>
          );
        })}
      </tr>
    </thead>
  );

  const countOf = (key: string, rs: T[]): number => Math.max(rs.length, props.server?.total(key) ?? 0);
  const body = (key: string, rs: T[]) => {
    const count = countOf(key, rs);
    const p = { ...pageOf(rs, state.pages[key] ?? 0, size), pages: Math.max(1, Math.ceil(count / size)) };
    return {
      p,
      rows: p.rows.map((r) => (
        <tr data-id={rowKey(r)} key={rowKey(r)}>
          {shown.map((c) => (
            <td class={c.numeric ? "num" : undefined}>{c.render ? c.render(r) : c.value(r)}</td>
          ))}
        </tr>
      )),
    };
  };
  const setPage = (key: string, page: number, rs: T[]): void => {
    const next = { ...state, pages: { ...state.pages, [key]: page } };
    if (props.server && (page + 1) * size > rs.length && rs.length < countOf(key, rs)) {
      // Remembered first: the table drawn again with the new rows opens on that page.
      memory.set(memoryKey, next);
      void props.server.more(key);
      return;
    }
    update(next);
  };

  return (
    <section class="vtable" id={id} data-total={props.total ?? rows.length} data-rows={rows.length}>
      <div class="vt-head">
        {Heading ? (
          <Heading class="vt-title">
            {title} (<span class="vt-count">{props.server ? countText(Math.max(rows.length, props.total ?? 0)) : countText(rows.length, props.total)}</span>)
          </Heading>
        ) : null}
        <button type="button" class="vt-csv" onClick={() => download(new Blob([toCsv(sorted, csvColumns)], { type: "text/csv" }), `${props.csvName}.csv`)} title="Every row listed, as CSV">
          CSV
        </button>
      </div>
      {props.note ? <p class="note vt-note">{props.note}</p> : null}
      {!rows.length ? (
        <p class="none">{props.empty ?? "Nothing to list."}</p>
      ) : !group ? (
        (() => {
          const b = body("", sorted);
          return (
            <>
              <table class="vt-table">
                {header}
                <tbody>{b.rows}</tbody>
              </table>
              <Pager id={id} {...b.p} count={countOf("", sorted)} onPage={(n) => setPage("", n, sorted)} />
            </>
          );
        })()
      ) : (
        groups.map((g) => {
          const closed = isCollapsed(g.key, g.rows);
          const b = closed ? null : body(g.key, g.rows);
          return (
            <div class="vt-group" data-group={g.key}>
              <button
                type="button"
                class="vt-group-toggle"
                aria-expanded={!closed}
                onClick={() => update({ ...state, collapsed: { ...state.collapsed, [g.key]: !closed } })}
              >
                <span aria-hidden="true">{closed ? "▸ " : "▾ "}</span>
                {group.title ? group.title(g.key, g.rows) : g.key} <span class="count">({countOf(g.key, g.rows).toLocaleString("en-GB")})</span>
              </button>
              {b ? (
                <>
                  <table class="vt-table">
                    {header}
                    <tbody>{b.rows}</tbody>
                  </table>
                  <Pager id={`${id}:${g.key}`} {...b.p} count={countOf(g.key, g.rows)} onPage={(n) => setPage(g.key, n, g.rows)} />
                </>
              ) : null}
            </div>
          );
        })
      )}
    </section>
  );
}

/** An element as a link that opens it in the graph (the Preact twin of `link.ts`'s button). */
export function ElementButton({ app, e }: { app: ExplorerContext; e: ElementBrief }) {
  const s = nodeStyle(e.type);
  return (
    <button type="button" class="element-link" data-id={e.id} title={`${s.label}: ${e.name} (${e.id})`} onClick={() => void app.openElement(e, false)}>
      <span class="vt-dot" style={{ background: s.color }} aria-hidden="true" />
      {e.name}
    </button>
  );
}

/** The table mounted in a fresh element, for the panels built with `h()`. */
export function tableElement<T>(props: TableProps<T>): HTMLElement {
  const root = document.createElement("div");
  root.className = "vtable-host";
  render(<DataTable {...props} />, root);
  return root;
}

/** Forget a table's sort, pages and collapsed groups (a new answer starts afresh). */
export function forgetTable(id: string): void {
  for (const k of [...memory.keys()]) if (k === id || k.startsWith(`${id}:`)) memory.delete(k);
}
