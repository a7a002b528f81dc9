import type {
  ComponentChildren,
  InputHTMLAttributes,
  SelectHTMLAttributes,
  TextareaHTMLAttributes,
} from 'preact';
import { useState } from 'preact/hooks';
import { ApiProblem, messageOf } from '../api.ts';

/**
 * Where focus goes once a submission ends, when the page lost it meanwhile (a busy button is disabled; a
 * removed item takes its button with it, so the work should await the list's new state): back to the
 * element that had it, else to the heading of the section it was in, so that a keyboard user carries on from there and not from the top of the page.
 */
function focusKeeper() {
  const had = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const heading = had?.closest('section')?.querySelector<HTMLElement>('h2, h1');
  return () => {
    if (document.activeElement && document.activeElement !== document.body) return;
    if (had?.isConnected) had.focus();
    else if (heading?.isConnected) {
      if (!heading.hasAttribute('tabindex')) heading.tabIndex = -1;
      heading.focus();
    }
  };
}

/** The state of one form: busy, the problem's message and its errors by field. */
export function useForm() {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  async function submit(work: () => Promise<void>) {
    const keepFocus = focusKeeper();
    setBusy(true);
    setMessage('');
    setFields({});
    try {
      await work();
    } catch (error) {
      // A refusal of fields is told beside them (the API's detail speaks of its `errors` list).
      const invalid = error instanceof ApiProblem && Object.keys(error.fields).length > 0;
      setMessage(invalid ? 'Some fields need a change; see the notes below.' : messageOf(error));
      if (error instanceof ApiProblem) setFields(error.fields);
    } finally {
      setBusy(false);
      // Once that change is rendered, also when the form itself went with what it removed.
      setTimeout(keepFocus);
    }
  }
  return { busy, message, fields, submit };
}

let counter = 0;
const nextId = () => `f${++counter}`;

/** The id of a labelled control, its name and state, and the note under it (its problem, else its hint). */
function useNote(field: string, errors: Record<string, string>, hint?: string) {
  const [id] = useState(nextId);
  const error = errors[field];
  const noteId = error ? `${id}-error` : hint ? `${id}-hint` : undefined;
  const note = error ? (
    <small id={noteId} class="field-error">
      {error}
    </small>
  ) : hint ? (
    <small id={noteId}>{hint}</small>
  ) : null;
  const control = {
    id,
    name: field,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': noteId,
  } as const;
  return { id, note, control };
}

interface Labelled {
  label: string;
  /** The field's name in problem+json errors (`title`, `parameters.durationSeconds`). */
  field: string;
  errors: Record<string, string>;
  hint?: string;
}

/** A labelled input whose problem (from `errors[field]`) is announced and tied to it. */
export function Field({
  label,
  field,
  errors,
  hint,
  ...input
}: InputHTMLAttributes<HTMLInputElement> & Labelled) {
  const { id, note, control } = useNote(field, errors, hint);
  return (
    <label for={id}>
      {label}
      <input {...control} {...input} />
      {note}
    </label>
  );
}

/** A labelled textarea, its problem tied to it as Field's is. */
export function AreaField({
  label,
  field,
  errors,
  hint,
  ...area
}: TextareaHTMLAttributes<HTMLTextAreaElement> & Labelled) {
  const { id, note, control } = useNote(field, errors, hint);
  return (
    <label for={id}>
      {label}
      <textarea {...control} {...area} />
      {note}
    </label>
  );
}

export function SelectField({
  label,
  field,
  errors,
  children,
  ...select
}: SelectHTMLAttributes<HTMLSelectElement> & Labelled & { children: ComponentChildren }) {
  const { id, note, control } = useNote(field, errors);
  return (
    <label for={id}>
      {label}
      <select {...control} {...select}>
        {children}
      </select>
      {note}
    </label>
  );
}

/** The form's own problem (its detail, and field errors no input shows), announced when it appears. */
export function FormProblem({
  message,
  fields,
  shown,
}: {
  message: string;
  fields: Record<string, string>;
  shown: readonly string[];
}) {
  if (!message) return null;
  const others = Object.entries(fields).filter(([field]) => !shown.includes(field));
  return (
    <div role="alert" class="problem">
      <p>{message}</p>
      {others.length ? (
        <ul>
          {others.map(([field, text]) => (
            <li key={field}>
              <code>{field}</code>: {text}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
