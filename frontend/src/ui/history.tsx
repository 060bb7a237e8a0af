/**
 * The history panel in the details (Preact): the selected element's versions, newest first,
 * each with who, when (in words), through what, and every field that changed before →
 * after; paged. Read with the `history` query (src/history.ts).
 */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { ExplorerContext } from "../context";
import "./time.css";
import { History, humanTime, throughWhat, type FieldChange, type Page, type VersionRow } from "../history";

const PAGE = 10;

const OPS: Record<string, string> = { created: "Created", updated: "Updated", deleted: "Deleted" };

export function When({ at }: { at: string }) {
  return (
    <time dateTime={at} title={at}>
      {humanTime(at)}
    </time>
  );
}

function Diff({ fields }: { fields: FieldChange[] }) {
  return (
    <table class="history-diff" aria-label="Fields changed">
      <tbody>
        {fields.map((f) => (
          <tr data-field={f.field}>
            <th scope="row">{f.field}</th>
            <td class="before">{f.before || <span class="none">none</span>}</td>
            <td class="arrow" aria-label="became">
              →
            </td>
            <td class="after">{f.after || <span class="none">none</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Version({ v }: { v: VersionRow }) {
  const fields = v.fields;
  return (
    <li class="version" data-seq={v.seq} data-op={v.op}>
      <div class="version-head">
        <strong>{OPS[v.op] ?? v.op}</strong> by <span class="actor">{v.set.actor || "unknown"}</span>, <When at={v.at} />
      </div>
      <div class="sub via">{throughWhat(v.set)}</div>
      {v.op === "updated" ? (
        fields.length ? (
          <Diff fields={fields} />
        ) : (
          <p class="none">No field changed but its timestamps.</p>
        )
      ) : fields.length ? (
        <details>
          <summary>
            {v.op === "created" ? "Created with" : "Had"} {fields.length} field{fields.length === 1 ? "" : "s"}
          </summary>
          <Diff fields={fields} />
        </details>
      ) : null}
    </li>
  );
}

function HistoryPanel({ history, id }: { history: History; id: string }) {
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<Page<VersionRow> | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setError(null);
    history.versions(id, PAGE, offset).then(
      (p) => live && setPage(p),
      (err: Error) => live && setError(err.message),
    );
    return () => {
      live = false;
    };
  }, [id, offset]);
  const last = page ? Math.min(page.offset + page.items.length, page.total) : 0;
  return (
    <section class="history" id="history" aria-labelledby="history-title" aria-busy={!page && !error}>
      <h3 id="history-title">
        History {page ? <span class="count">({page.total === 1 ? "1 version" : `${page.total.toLocaleString("en-GB")} versions`})</span> : null}
      </h3>
      {error ? (
        <p class="error">The history could not be read: {error}</p>
      ) : !page ? (
        <p class="loading">Reading the history…</p>
      ) : !page.total ? (
        <p class="none">No change recorded for this element.</p>
      ) : (
        <>
          <ol class="versions" aria-label="Versions, newest first">
            {page.items.map((v) => (
              <Version v={v} />
            ))}
          </ol>
          {page.total > PAGE ? (
            <nav class="history-pager" aria-label="History pages">
              <button type="button" id="history-newer" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
                Newer
              </button>
              <span id="history-range">
                {page.offset + 1}–{last} of {page.total.toLocaleString("en-GB")}
              </span>
              <button type="button" id="history-older" disabled={last >= page.total} onClick={() => setOffset(offset + PAGE)}>
                Older
              </button>
            </nav>
          ) : null}
        </>
      )}
    </section>
  );
}

// The details panel is rebuilt on every change of the view: the history of the element
// shown is kept (with its page) and put back, and read again only when the element is
// another one or has been updated since.
let kept: { key: string; el: HTMLElement } | null = null;

/** The history section for an element; `version` (its updatedAt) tells when to read it again. */
export function historySection(app: ExplorerContext, id: string, version: string): HTMLElement {
  const key = `${id}@${version}`;
  if (kept?.key === key) return kept.el;
  const el = document.createElement("div");
  el.className = "history-slot";
  render(<HistoryPanel history={new History(app.api.client)} id={id} />, el);
  kept = { key, el };
  return el;
}
