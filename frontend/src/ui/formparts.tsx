/**
 * The parts every editing form is made of (Preact): a field drawn for its kind (text,
 * number, date, choice, tags), its error beside it, the element picker and the form's frame
 * with its save and cancel buttons. What the fields are comes from src/forms.ts.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import type { ExplorerContext } from "../context";
import type { FieldErrors, FieldSpec, FormValues } from "../forms";
import type { NodeKind } from "../types";
import { elementPicker } from "./picker";

export function Errors({ id, messages }: { id: string; messages: string[] | undefined }) {
  if (!messages?.length) return null;
  return (
    <p class="field-error" id={id} role="alert">
      {messages.join(" ")}
    </p>
  );
}

export function Field({ f, value, errors, onInput }: { f: FieldSpec; value: string; errors: string[] | undefined; onInput: (v: string) => void }) {
  const id = `ef-${f.name}`;
  const invalid = Boolean(errors?.length);
  const common = {
    id,
    name: f.name,
    "aria-invalid": invalid,
    "aria-describedby": invalid ? `${id}-error` : undefined,
    title: f.description || undefined,
  };
  const set = (ev: Event) => onInput((ev.target as HTMLInputElement).value);
  let input;
  if (f.kind === "choice" || f.kind === "bool") {
    const choices = f.kind === "bool" ? ["true", "false"] : f.choices;
    input = (
      <select {...common} value={value} onChange={set}>
        <option value="">{f.required ? "— choose —" : "— none —"}</option>
        {choices.map((c) => (
          <option value={c}>{c}</option>
        ))}
      </select>
    );
  } else if (f.kind === "textarea") {
    input = <textarea {...common} rows={3} value={value} onInput={set} />;
  } else {
    const type = f.kind === "date" ? "date" : f.kind === "int" || f.kind === "float" ? "number" : "text";
    input = <input {...common} type={type} step={f.kind === "float" ? "any" : undefined} value={value} required={f.required} onInput={set} />;
  }
  return (
    <div class={`field${invalid ? " invalid" : ""}`} data-field={f.name}>
      <label for={id}>
        {f.label}
        {f.required ? <span class="required" aria-label="required"> *</span> : null}
      </label>
      {input}
      <Errors id={`${id}-error`} messages={errors} />
    </div>
  );
}

export function Fields({ fields, values, errors, set }: { fields: FieldSpec[]; values: FormValues; errors: FieldErrors; set: (name: string, v: string) => void }) {
  return (
    <>
      {fields.map((f) => (
        <Field f={f} value={values[f.name] ?? ""} errors={errors[f.name]} onInput={(v) => set(f.name, v)} />
      ))}
    </>
  );
}

/** An element picker (the explorer's type-ahead, DOM-built) inside a Preact form. */
export function Picker({ app, id, label, types, onChange }: { app: ExplorerContext; id: string; label: string; types: string[]; onChange: (value: string) => void }) {
  const slot = useRef<HTMLDivElement>(null);
  const latest = useRef(onChange);
  latest.current = onChange;
  useEffect(() => {
    slot.current?.replaceChildren(elementPicker(app, { id, label, value: undefined, types: types as NodeKind[], onChange: (v) => latest.current(v) }));
  }, [types.join(",")]);
  return <div ref={slot} />;
}

export function FormShell({ title, busy, error, saveText, onSubmit, onCancel, children, danger }: { title: string; busy: boolean; error: string[] | undefined; saveText: string; onSubmit: () => void; onCancel: () => void; children: ComponentChildren; danger?: boolean }) {
  return (
    <form
      id="edit-form"
      class="edit-form"
      aria-labelledby="edit-form-title"
      aria-busy={busy}
      noValidate
      onSubmit={(ev) => {
        ev.preventDefault();
        if (!busy) onSubmit();
      }}
    >
      <h3 id="edit-form-title">{title}</h3>
      {children}
      <Errors id="ef-error" messages={error} />
      <div class="row">
        <button type="submit" id="ef-save" class={danger ? "danger" : "primary"} disabled={busy}>
          {busy ? "Saving…" : saveText}
        </button>
        <button type="button" id="ef-cancel" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
