import type { ComponentChildren, InputHTMLAttributes, SelectHTMLAttributes } from 'preact';
import { useState } from 'preact/hooks';
import { ApiProblem, messageOf } from '../api.ts';

/** The state of one form: busy, the problem's message and its errors by field. */
export function useForm() {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  async function submit(work: () => Promise<void>) {
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
    }
  }
  return { busy, message, fields, submit };
}

let counter = 0;
const nextId = () => `f${++counter}`;

type InputProps = InputHTMLAttributes<HTMLInputElement> & {
  label: string;
  /** The field's name in problem+json errors (`title`, `parameters.durationSeconds`). */
  field: string;
  errors: Record<string, string>;
  hint?: string;
};

/** A labelled input whose problem (from `errors[field]`) is announced and tied to it. */
export function Field({ label, field, errors, hint, ...input }: InputProps) {
  const [id] = useState(nextId);
  const error = errors[field];
  const described = error ? `${id}-error` : hint ? `${id}-hint` : undefined;
  return (
    <label for={id}>
      {label}
      <input
        id={id}
        name={field}
        aria-invalid={error ? true : undefined}
        aria-describedby={described}
        {...input}
      />
      {error ? (
        <small id={`${id}-error`} class="field-error">
          {error}
        </small>
      ) : hint ? (
        <small id={`${id}-hint`}>{hint}</small>
      ) : null}
    </label>
  );
}

type SelectProps = SelectHTMLAttributes<HTMLSelectElement> & {
  label: string;
  field: string;
  errors: Record<string, string>;
  children: ComponentChildren;
};

export function SelectField({ label, field, errors, children, ...select }: SelectProps) {
  const [id] = useState(nextId);
  const error = errors[field];
  return (
    <label for={id}>
      {label}
      <select
        id={id}
        name={field}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        {...select}
      >
        {children}
      </select>
      {error ? (
        <small id={`${id}-error`} class="field-error">
          {error}
        </small>
      ) : null}
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
