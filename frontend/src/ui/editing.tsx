/**
 * Editing in place (Preact), in the details panel, for editors: create, edit and delete
 * elements and relationships and move ownership. The forms are derived from the graph
 * schema (src/forms.ts); every change goes through the API's REST routes (src/editing.ts),
 * so it is validated, written, audited and kept in the history as any API client's; the
 * server's refusals are shown beside the field they concern. A viewer's page has none of it:
 * the caller's role is read from `GET /api/me` first (and written to body[data-role]).
 *
 * The controls live in one element per explorer that the details panel re-attaches on every
 * redraw, so a form being filled survives the panel's redraws.
 */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { ExplorerContext } from "../context";
import { Editing, mayEdit, RestError, type Caller, type StoredRelationship } from "../editing";
import {
  CHANGED_ELSEWHERE,
  createBody,
  errorsByField,
  missingRequired,
  nodeFields,
  ownership,
  patchBody,
  relChoices,
  relationshipFields,
  valuesOf,
  type FieldErrors,
  type FormValues,
} from "../forms";
import { nodeStyle, relLabel } from "../style";
import type { ElementBrief } from "../types";
import { Errors, Fields, FormShell, Picker } from "./formparts";

interface Session {
  host: HTMLElement;
  editing: Editing;
  caller: Caller | null;
  asked: boolean;
}

const sessions = new WeakMap<ExplorerContext, Session>();

function session(app: ExplorerContext): Session {
  let s = sessions.get(app);
  if (!s) {
    s = { host: document.createElement("div"), editing: new Editing(app.api.client), caller: null, asked: false };
    s.host.className = "edit-host";
    sessions.set(app, s);
  }
  return s;
}

/**
 * The edit controls for the selected element (or, with none selected, "New element"), as
 * one element the details panel appends: empty until the caller's role is known, and for
 * anyone who may not edit.
 */
export function editControls(app: ExplorerContext, id: string | null): HTMLElement {
  const s = session(app);
  if (!s.asked) {
    s.asked = true;
    s.editing.me().then(
      (caller) => {
        s.caller = caller;
        document.body.dataset.role = caller.role;
        draw(app, s, app.state.selected);
      },
      (err: Error) => {
        document.body.dataset.role = "unknown";
        app.status(`Could not learn your role (${err.message}): editing is off.`, true);
      },
    );
  }
  draw(app, s, id);
  return s.host;
}

function draw(app: ExplorerContext, s: Session, id: string | null): void {
  render(mayEdit(s.caller) ? <EditTools key={id ?? ""} app={app} editing={s.editing} id={id} /> : null, s.host);
}

type Open = null | "new" | "edit" | "rel" | "owner" | "editrel" | "delete";

function EditTools({ app, editing, id }: { app: ExplorerContext; editing: Editing; id: string | null }) {
  const [open, setOpen] = useState<Open>(null);
  const type = id ? (app.model.details.get(id)?.type ?? app.model.elements.get(id)?.type ?? "") : "";
  const toggle = (what: Open) => () => setOpen(open === what ? null : what);
  const close = () => setOpen(null);
  const props = { app, editing, id: id ?? "", type, close };
  const button = (what: Exclude<Open, null>, htmlId: string, text: string) => (
    <button type="button" id={htmlId} aria-expanded={open === what} onClick={toggle(what)} class={open === what ? "on" : ""}>
      {text}
    </button>
  );
  return (
    <section class="edit-tools" id="edit-tools" aria-label="Edit the model">
      <div class="actions" role="group" aria-label="Edit">
        {id && type ? (
          <>
            {button("edit", "edit-element", "Edit")}
            {button("rel", "edit-add-rel", "Add relationship")}
            {button("owner", "edit-owner", "Change owner")}
            {button("editrel", "edit-rel", "Edit a relationship")}
            {button("delete", "edit-delete", "Delete…")}
          </>
        ) : null}
        {button("new", "edit-new", "New element")}
      </div>
      {open === "new" ? <NewElementForm {...props} /> : null}
      {open === "edit" && id ? <ElementForm {...props} /> : null}
      {open === "rel" && id ? <AddRelationshipForm {...props} /> : null}
      {open === "owner" && id ? <OwnerForm {...props} /> : null}
      {open === "editrel" && id ? <RelationshipForm {...props} /> : null}
      {open === "delete" && id ? <DeleteElement {...props} /> : null}
    </section>
  );
}

interface FormProps {
  app: ExplorerContext;
  editing: Editing;
  id: string;
  type: string;
  close: () => void;
}

/** Whether a conditional write was refused because someone else changed the element since
 * the form read it (412 Precondition Failed). */
function changedElsewhere(err: unknown): boolean {
  return err instanceof RestError && err.status === 412;
}

/** The refusal of a write as messages per field (and "" for the form). */
function refusal(err: unknown, fields: string[], opts: Parameters<typeof errorsByField>[2] = {}): FieldErrors {
  if (err instanceof RestError) {
    if (err.status === 422 || err.status === 409) return errorsByField(err.detail, fields, opts);
    if (err.status === 404) return { "": [`Not found: ${typeof err.detail === "string" ? err.detail : "it was deleted by someone else; reload"}.`] };
    if (err.status === 403 || err.status === 401) return { "": [`Refused: ${String(err.detail ?? err.message)}`] };
  }
  return { "": [(err as Error).message] };
}

// -- after a change ---------------------------------------------------------------------------

/**
 * Read again what a change touched (the elements loaded among `ids`), add `show` to the view
 * (the other end of a new relationship, so that it is drawn), redraw and fit the view.
 */
async function refresh(app: ExplorerContext, ids: string[], show: string[] = []): Promise<void> {
  try {
    for (const id of new Set(ids)) {
      if (!app.model.isLoaded(id) && app.state.selected !== id) continue;
      const n = await app.api.neighbourhood(id);
      if (n) app.model.mergeNeighbourhood(n);
      else app.model.forget(id);
    }
  } catch (err) {
    // The change is made; only the redraw is behind: say so rather than as a refusal.
    app.status(`Saved, but the view could not be read again: ${(err as Error).message}`, true);
  }
  const drawn = new Set(app.model.derive().nodes.map((n) => n.id));
  for (const id of show) if (!drawn.has(id) && app.model.elements.has(id)) app.model.addSeed(id);
  app.render({ relayout: true });
  app.renderPanels();
  app.commit();
}

// -- the forms --------------------------------------------------------------------------------

function NewElementForm({ app, editing, type: selectedType, close }: FormProps) {
  const labels = app.schema.nodes.map((n) => n.label);
  const [type, setType] = useState(labels.includes(selectedType) ? selectedType : labels[0]!);
  const fields = nodeFields(app.schema, type);
  const [values, setValues] = useState<FormValues>({});
  const [elementId, setElementId] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const set = (name: string, v: string) => setValues({ ...values, [name]: v });
  const submit = async () => {
    const missing = missingRequired(fields, values);
    if (Object.keys(missing).length) return setErrors(missing);
    setBusy(true);
    try {
      const body = { type, ...createBody(fields, values), ...(elementId.trim() ? { id: elementId.trim() } : {}) };
      const created = await editing.createNode(body);
      const brief: ElementBrief = { id: created.id, type: created.type, name: created.name };
      close();
      // Added to the view, selected and expanded (nothing to expand yet: its relationships
      // appear as they are added); the layout fits the view.
      await app.openElement(brief);
      app.status(`Created ${nodeStyle(type).label} “${brief.name}”.`);
    } catch (err) {
      setErrors(refusal(err, ["id", ...fields.map((f) => f.name)], { tags: [type], storeField: "id" }));
      setBusy(false);
    }
  };
  return (
    <FormShell title="New element" busy={busy} error={errors[""]} saveText="Create" onSubmit={() => void submit()} onCancel={close}>
      <div class="field">
        <label for="ef-type">Type</label>
        <select
          id="ef-type"
          value={type}
          onChange={(ev) => {
            setType((ev.target as HTMLSelectElement).value);
            setErrors({});
          }}
        >
          {app.schema.nodes.map((n) => (
            <option value={n.label} title={n.description}>
              {nodeStyle(n.label).label}
            </option>
          ))}
        </select>
      </div>
      <div class={`field${errors.id?.length ? " invalid" : ""}`} data-field="id">
        <label for="ef-id">
          Id <span class="optional">(optional: made from type and name)</span>
        </label>
        <input id="ef-id" type="text" value={elementId} aria-invalid={Boolean(errors.id?.length)} onInput={(ev) => setElementId((ev.target as HTMLInputElement).value)} />
        <Errors id="ef-id-error" messages={errors.id} />
      </div>
      <Fields fields={fields} values={values} errors={errors} set={set} />
    </FormShell>
  );
}

function ElementForm({ app, editing, id, type, close }: FormProps) {
  const fields = nodeFields(app.schema, type);
  const [loaded, setLoaded] = useState<{ values: FormValues; etag: string | null } | null>(null);
  const [values, setValues] = useState<FormValues>({});
  const [errors, setErrors] = useState<FieldErrors>({});
  const [stale, setStale] = useState(false);
  const [busy, setBusy] = useState(false);
  const load = async () => {
    try {
      const { value: node, etag } = await editing.taggedNode(id);
      const v = valuesOf(fields, node);
      setLoaded({ values: v, etag });
      setValues(v);
      setErrors({});
      setStale(false);
    } catch (err) {
      setErrors(refusal(err, []));
    }
  };
  useEffect(() => void load(), [id]);
  if (!loaded) return errors[""] ? <Errors id="ef-error" messages={errors[""]} /> : <p class="loading">Reading the element…</p>;
  const set = (name: string, v: string) => setValues({ ...values, [name]: v });
  const submit = async () => {
    const missing = missingRequired(fields, values);
    if (Object.keys(missing).length) return setErrors(missing);
    const patch = patchBody(fields, loaded.values, values);
    if (!Object.keys(patch).length) return setErrors({ "": ["Nothing changed."] });
    setBusy(true);
    try {
      // Conditional on what the form was filled from (If-Match): the server refuses (412)
      // when someone else changed the element since, checked in the write's transaction.
      await editing.updateNode(id, patch, loaded.etag);
      await refresh(app, [id]);
      close();
      app.status(`Saved ${Object.keys(patch).map((k) => k.replace(/_/g, " ")).join(", ")} of ${app.name(id)}.`);
    } catch (err) {
      const stale = changedElsewhere(err) || (err instanceof RestError && err.status === 409);
      setStale(stale);
      setErrors(stale ? { "": [CHANGED_ELSEWHERE] } : refusal(err, fields.map((f) => f.name)));
      setBusy(false);
    }
  };
  return (
    <FormShell title={`Edit ${nodeStyle(type).label}`} busy={busy} error={errors[""]} saveText="Save" onSubmit={() => void submit()} onCancel={close}>
      <Fields fields={fields} values={values} errors={errors} set={set} />
      {stale ? (
        <button type="button" id="ef-reload" onClick={() => void load()}>
          Reload (your changes here are dropped)
        </button>
      ) : null}
    </FormShell>
  );
}

function AddRelationshipForm({ app, editing, id, type, close }: FormProps) {
  const choices = relChoices(app.schema, type);
  const key = (c: (typeof choices)[number]) => `${c.type}|${c.outgoing ? "out" : "in"}`;
  const [choice, setChoice] = useState(key(choices[0]!));
  const chosen = choices.find((c) => key(c) === choice) ?? choices[0]!;
  const fields = relationshipFields(app.schema, chosen.type);
  const [values, setValues] = useState<FormValues>({});
  const [other, setOther] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const missing = { ...missingRequired(fields, values), ...(other ? {} : { other: ["Choose the element at the other end."] }) };
    if (Object.keys(missing).length) return setErrors(missing);
    setBusy(true);
    const [source, target] = chosen.outgoing ? [id, other] : [other, id];
    try {
      await editing.createRelationship({ type: chosen.type, source, target, ...createBody(fields, values) });
      await refresh(app, [id, other], [other]);
      close();
      app.status(`Added: ${app.name(source)} ${relLabel(chosen.type)} ${app.name(target)}.`);
    } catch (err) {
      const aliases: Record<string, string> = chosen.outgoing ? { target: "other" } : { source: "other" };
      setErrors(refusal(err, ["other", ...fields.map((f) => f.name)], { tags: [chosen.type], aliases, storeField: "other" }));
      setBusy(false);
    }
  };
  return (
    <FormShell title="Add a relationship" busy={busy} error={errors[""]} saveText="Add" onSubmit={() => void submit()} onCancel={close}>
      <div class="field">
        <label for="ef-rel">Relationship</label>
        <select
          id="ef-rel"
          value={choice}
          onChange={(ev) => {
            setChoice((ev.target as HTMLSelectElement).value);
            setValues({});
            setErrors({});
          }}
        >
          {choices.map((c) => (
            <option value={key(c)} title={c.description}>
              {c.outgoing ? `${relLabel(c.type)} → (${c.field})` : `← ${relLabel(c.type)} (${c.field})`}
            </option>
          ))}
        </select>
      </div>
      <div class={`field${errors.other?.length ? " invalid" : ""}`} data-field="other">
        <Picker app={app} id="ef-other" label={chosen.outgoing ? "To" : "From"} types={chosen.others} onChange={setOther} />
        <Errors id="ef-other-error" messages={errors.other} />
      </div>
      <Fields fields={fields} values={values} errors={errors} set={(n, v) => setValues({ ...values, [n]: v })} />
    </FormShell>
  );
}

function OwnerForm({ app, editing, id, type, close }: FormProps) {
  const owns = ownership(app.schema, type);
  const [owners, setOwners] = useState<StoredRelationship[] | null>(null);
  const [team, setTeam] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (owns)
      editing.relationships({ target: id, type: [owns.type], limit: 100 }).then(
        (page) => setOwners(page.items as StoredRelationship[]),
        (err: Error) => setErrors({ "": [err.message] }),
      );
  }, [id]);
  if (!owns) return <p class="none">The schema gives this type no owner.</p>;
  const submit = async () => {
    if (!team) return setErrors({ owner: ["Choose the new owner."] });
    setBusy(true);
    try {
      // One write on the server (the new owner in, the others out, or nothing changes).
      await editing.moveOwner(id, team);
      await refresh(app, [id, team, ...(owners ?? []).map((r) => r.source)], [team]);
      close();
      const from = (owners ?? []).filter((r) => r.source !== team).map((r) => app.name(r.source));
      app.status(`${app.name(team)} owns ${app.name(id)} now${from.length ? ` (was ${from.join(", ")})` : ""}.`);
    } catch (err) {
      setErrors(refusal(err, ["owner"], { tags: [owns.type], storeField: "owner" }));
      setBusy(false);
    }
  };
  return (
    <FormShell title="Change owner" busy={busy} error={errors[""]} saveText="Move ownership" onSubmit={() => void submit()} onCancel={close}>
      <p id="ef-owners">
        Owned by now:{" "}
        {owners === null ? "…" : owners.length ? owners.map((r) => app.name(r.source)).join(", ") : <span class="none">no owner recorded</span>}
      </p>
      <div class={`field${errors.owner?.length ? " invalid" : ""}`} data-field="owner">
        <Picker app={app} id="ef-owner" label="New owner" types={owns.others} onChange={setTeam} />
        <Errors id="ef-owner-error" messages={errors.owner} />
      </div>
    </FormShell>
  );
}

function RelationshipForm({ app, editing, id, close }: FormProps) {
  const links = app.model.neighbourhoods.get(id) ?? [];
  const [relId, setRelId] = useState("");
  const [rel, setRel] = useState<StoredRelationship | null>(null);
  const [relTag, setRelTag] = useState<string | null>(null);
  const [values, setValues] = useState<FormValues>({});
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const fields = rel ? relationshipFields(app.schema, rel.type) : [];
  const pick = async (value: string) => {
    setRelId(value);
    setRel(null);
    setErrors({});
    setConfirming(false);
    if (!value) return;
    try {
      const { value: r, etag } = await editing.taggedRelationship(value);
      setRel(r);
      setRelTag(etag);
      setValues(valuesOf(relationshipFields(app.schema, r.type), r));
    } catch (err) {
      setErrors(refusal(err, []));
    }
  };
  const ends = rel ? [rel.source, rel.target] : [];
  const save = async () => {
    if (!rel) return setErrors({ "": ["Choose a relationship."] });
    const patch = patchBody(fields, valuesOf(fields, rel), values);
    if (!Object.keys(patch).length) return setErrors({ "": ["Nothing changed."] });
    setBusy(true);
    try {
      await editing.updateRelationship(rel.id, patch, relTag);
      await refresh(app, ends);
      close();
      app.status(`Saved the relationship ${app.name(rel.source)} ${relLabel(rel.type)} ${app.name(rel.target)}.`);
    } catch (err) {
      setErrors(changedElsewhere(err) ? { "": [CHANGED_ELSEWHERE] } : refusal(err, fields.map((f) => f.name), { tags: [rel.type] }));
      setBusy(false);
    }
  };
  const remove = async () => {
    if (!rel) return;
    setBusy(true);
    try {
      await editing.deleteRelationship(rel.id);
      await refresh(app, ends);
      close();
      app.status(`Deleted the relationship ${app.name(rel.source)} ${relLabel(rel.type)} ${app.name(rel.target)}.`);
    } catch (err) {
      setErrors(refusal(err, []));
      setBusy(false);
    }
  };
  return (
    <FormShell title="Edit a relationship" busy={busy} error={errors[""]} saveText="Save" onSubmit={() => void save()} onCancel={close}>
      <div class="field">
        <label for="ef-relationship">Relationship</label>
        <select id="ef-relationship" value={relId} onChange={(ev) => void pick((ev.target as HTMLSelectElement).value)}>
          <option value="">— choose ({links.length} loaded) —</option>
          {links.map((l) => (
            <option value={l.edgeId}>{l.outgoing ? `${relLabel(l.rel)} → ${l.neighbour.name}` : `← ${relLabel(l.rel)} ${l.neighbour.name}`}</option>
          ))}
        </select>
      </div>
      {rel ? (
        <>
          {fields.length ? <Fields fields={fields} values={values} errors={errors} set={(n, v) => setValues({ ...values, [n]: v })} /> : <p class="none">This relationship type has no fields of its own.</p>}
          {confirming ? (
            <p class="confirm" role="alert">
              Delete {app.name(rel.source)} {relLabel(rel.type)} {app.name(rel.target)}? The elements stay.{" "}
              <button type="button" id="ef-rel-delete-confirm" class="danger" onClick={() => void remove()}>
                Delete relationship
              </button>
            </p>
          ) : (
            <button type="button" id="ef-rel-delete" onClick={() => setConfirming(true)}>
              Delete this relationship…
            </button>
          )}
        </>
      ) : null}
    </FormShell>
  );
}

interface Going {
  total: number;
  shown: { rel: string; outgoing: boolean; other: string }[];
}

const SHOWN_GOING = 20;

function DeleteElement({ app, editing, id, type, close }: FormProps) {
  const [going, setGoing] = useState<Going | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    (async () => {
      const [out, inn] = await Promise.all([editing.relationships({ source: id, limit: SHOWN_GOING }), editing.relationships({ target: id, limit: SHOWN_GOING })]);
      const rows = [...out.items.map((r) => ({ rel: r.type, outgoing: true, other: r.target })), ...inn.items.map((r) => ({ rel: r.type, outgoing: false, other: r.source }))];
      const unknown = rows.map((r) => r.other).filter((o) => !app.model.elements.has(o));
      if (unknown.length) app.model.know(await app.api.briefs(unknown));
      setGoing({ total: out.total + inn.total, shown: rows.slice(0, SHOWN_GOING) });
    })().catch((err: Error) => setErrors({ "": [err.message] }));
  }, [id]);
  const submit = async () => {
    setBusy(true);
    const name = app.name(id);
    const neighbours = going?.shown.map((g) => g.other) ?? [];
    try {
      await editing.deleteNode(id);
      close();
      app.model.forget(id);
      if (app.state.selected === id) app.state.selected = null;
      if (app.state.impactOf === id) app.state.impactOf = null;
      await refresh(app, neighbours);
      app.status(`Deleted ${name} and its ${going?.total ?? 0} relationship${going?.total === 1 ? "" : "s"}.`);
    } catch (err) {
      setErrors(refusal(err, []));
      setBusy(false);
    }
  };
  const name = app.name(id);
  return (
    <FormShell title={`Delete ${nodeStyle(type).label}`} busy={busy || !going} error={errors[""]} saveText={going ? `Delete ${name} and ${going.total} relationship${going.total === 1 ? "" : "s"}` : "Delete"} onSubmit={() => void submit()} onCancel={close} danger>
      <div id="edit-delete-summary" role="alert">
        {!going ? (
          <p class="loading">Counting what goes with it…</p>
        ) : (
          <>
            <p>
              Delete <strong>{name}</strong> from the model for everyone?{" "}
              {going.total ? `Its ${going.total} relationship${going.total === 1 ? "" : "s"} go${going.total === 1 ? "es" : ""} with it:` : "It has no relationships."}
            </p>
            {going.total ? (
              <ul class="going">
                {going.shown.map((g) => (
                  <li>{g.outgoing ? `${relLabel(g.rel)} → ${app.name(g.other)}` : `← ${relLabel(g.rel)} ${app.name(g.other)}`}</li>
                ))}
                {going.total > going.shown.length ? <li class="sub">and {going.total - going.shown.length} more</li> : null}
              </ul>
            ) : null}
            <p class="hint">The change history keeps what it was.</p>
          </>
        )}
      </div>
    </FormShell>
  );
}
