/**
 * The saved views panel (Preact): save what the graph shows now under a name, the list of
 * saved views to open, each view's shareable link (`?view=<id>`), and for those who may
 * change a view (its owner, an admin) rename and delete. Opened from the toolbar's "Views"
 * button; the views are stored by the server (`savedviews.ts`).
 */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { mayEdit, type Caller } from "../editing";
import { viewFieldErrors, viewLink, type SavedView, type SavedViews } from "../savedviews";
import { Errors } from "./formparts";

export interface ViewsPanelProps {
  views: SavedViews;
  /** The explorer's URL state now (query string without '?'). */
  currentState: () => string;
  /** Open a saved view in this page. */
  open: (id: string) => void;
  status: (message: string, error?: boolean) => void;
  close: () => void;
  /** Who is asking (`GET /api/me`): viewers open views but get no save or delete controls. */
  caller: () => Promise<Caller>;
}

/** Whether `caller` may change `view`: an admin any, an editor their own (the server's rule). */
export function mayChange(caller: Caller | null, view: SavedView): boolean {
  return caller?.role === "admin" || (mayEdit(caller) && view.owner === caller?.name);
}

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });
}

async function copy(text: string, status: ViewsPanelProps["status"]): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    status("Link to the saved view copied.");
  } catch {
    status(`Copy this link: ${text}`);
  }
}

function ViewsPanel(props: ViewsPanelProps) {
  const [items, setItems] = useState<SavedView[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [saved, setSaved] = useState<SavedView | null>(null);
  const [busy, setBusy] = useState(false);
  const [caller, setCaller] = useState<Caller | null>(null);
  useEffect(() => {
    props.caller().then(setCaller, () => setCaller(null));
  }, []);

  const load = async (): Promise<void> => {
    try {
      const page = await props.views.list();
      setItems(page.items);
      setTotal(page.total);
      setError(null);
    } catch (err) {
      setError(`Could not list the saved views: ${(err as Error).message}`);
    }
  };
  useEffect(() => void load(), []);

  const save = async (ev: Event): Promise<void> => {
    ev.preventDefault();
    if (!name.trim()) {
      setError("Give the view a name.");
      return;
    }
    setBusy(true);
    try {
      const view = await props.views.create(name, description, props.currentState());
      setSaved(view);
      setName("");
      setDescription("");
      setError(null);
      props.status(`Saved the view “${view.name}”.`);
      await load();
    } catch (err) {
      setError(`Could not save the view: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  const [renaming, setRenaming] = useState<string | null>(null);
  const startRename = (view: SavedView) => setRenaming(renaming === view.id ? null : view.id);
  const renamed = async (view: SavedView, name: string): Promise<void> => {
    setRenaming(null);
    if (saved?.id === view.id) setSaved({ ...saved, name });
    props.status(`Renamed “${view.name}” to “${name}”.`);
    await load();
  };

  const remove = async (view: SavedView): Promise<void> => {
    if (!confirm(`Delete the saved view “${view.name}”?`)) return;
    try {
      await props.views.remove(view.id);
      if (saved?.id === view.id) setSaved(null);
      props.status(`Deleted the saved view “${view.name}”.`);
      await load();
    } catch (err) {
      setError(`Could not delete “${view.name}”: ${(err as Error).message}`);
    }
  };

  return (
    <section class="views-panel" aria-labelledby="views-title">
      <header>
        <h2 id="views-title">Saved views</h2>
        <button type="button" id="views-close" aria-label="Close saved views" onClick={props.close}>
          ×
        </button>
      </header>
      {!mayEdit(caller) ? (
        <p class="hint" id="views-read-only">
          {caller ? "Saving views needs an editor's token; yours can open them." : "Reading your role…"}
        </p>
      ) : (
      <form id="view-form" onSubmit={(ev) => void save(ev)}>
        <label for="view-name">Save what is shown now as</label>
        <input id="view-name" type="text" maxLength={120} required placeholder="Name" value={name} onInput={(ev) => setName((ev.target as HTMLInputElement).value)} />
        <label for="view-description" class="sr-only">
          Description
        </label>
        <textarea id="view-description" maxLength={2000} rows={2} placeholder="What it shows (optional)" value={description} onInput={(ev) => setDescription((ev.target as HTMLTextAreaElement).value)} />
        <button type="submit" id="view-save" disabled={busy}>
          Save view
        </button>
      </form>
      )}
      {saved ? (
        <p class="view-saved" id="view-saved">
          Saved “{saved.name}”. Shareable link:{" "}
          <input id="view-link" type="text" readOnly value={viewLink(location.href, saved.id)} onFocus={(ev) => (ev.target as HTMLInputElement).select()} />
          <button type="button" onClick={() => void copy(viewLink(location.href, saved.id), props.status)}>
            Copy
          </button>
        </p>
      ) : null}
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {items === null ? (
        <p class="hint">Loading…</p>
      ) : items.length === 0 ? (
        <p class="hint">No saved views yet.</p>
      ) : (
        <>
          <p class="hint">
            {total} saved view{total === 1 ? "" : "s"}
            {total > items.length ? `, the latest ${items.length} shown` : ""}
          </p>
          <ul id="views-list" class="views-list">
            {items.map((v) => (
              <li key={v.id} data-view-id={v.id}>
                <a
                  class="view-open"
                  href={`?view=${encodeURIComponent(v.id)}`}
                  title={v.description || `Open “${v.name}”`}
                  onClick={(ev) => {
                    ev.preventDefault();
                    props.open(v.id);
                  }}
                >
                  {v.name}
                </a>
                <span class="sub">
                  {" "}
                  {v.owner} · {when(v.updatedAt)}
                </span>
                {v.description ? <div class="sub">{v.description}</div> : null}
                <span class="view-actions">
                  <button type="button" class="view-copy" onClick={() => void copy(viewLink(location.href, v.id), props.status)}>
                    Copy link
                  </button>
                  {mayChange(caller, v) ? (
                    <>
                      <button type="button" class="view-rename" aria-expanded={renaming === v.id} onClick={() => startRename(v)}>
                        Rename
                      </button>
                      <button type="button" class="view-delete" onClick={() => void remove(v)}>
                        Delete
                      </button>
                    </>
                  ) : null}
                </span>
                {renaming === v.id && mayChange(caller, v) ? <RenameForm view={v} views={props.views} done={(name) => void renamed(v, name)} cancel={() => setRenaming(null)} /> : null}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** Rename one view: the new name, the server's refusal beside it (too long, empty, not allowed). */
function RenameForm({ view, views, done, cancel }: { view: SavedView; views: SavedViews; done: (name: string) => void; cancel: () => void }) {
  const [name, setName] = useState(view.name);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  const submit = async (ev: Event): Promise<void> => {
    ev.preventDefault();
    if (name.trim() === view.name) return cancel();
    setBusy(true);
    try {
      const changed = await views.rename(view, name);
      done(changed.name);
    } catch (err) {
      setErrors(viewFieldErrors(err));
      setBusy(false);
    }
  };
  const invalid = Boolean(errors.name?.length);
  const others = Object.entries(errors).flatMap(([field, messages]) => (field === "name" ? [] : messages.map((m) => (field ? `${field}: ${m}` : m))));
  return (
    <form class="view-rename-form" id="view-rename-form" onSubmit={(ev) => void submit(ev)}>
      <div class={`field${invalid ? " invalid" : ""}`} data-field="name">
        <label for="view-rename-name">New name</label>
        <input
          id="view-rename-name"
          type="text"
          value={name}
          aria-invalid={invalid}
          aria-describedby={invalid ? "view-rename-error" : undefined}
          onInput={(ev) => setName((ev.target as HTMLInputElement).value)}
        />
        <Errors id="view-rename-error" messages={errors.name} />
      </div>
      <Errors id="view-rename-form-error" messages={others} />
      <button type="submit" id="view-rename-save" disabled={busy}>
        Rename
      </button>
      <button type="button" id="view-rename-cancel" onClick={cancel}>
        Cancel
      </button>
    </form>
  );
}

/** Show the saved views panel in `root` (or hide it when `props` is null). */
export function renderViewsPanel(root: HTMLElement, props: ViewsPanelProps | null): void {
  render(null, root);
  root.hidden = props === null;
  if (props) render(<ViewsPanel {...props} />, root);
}
