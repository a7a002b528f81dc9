import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { Field, FormProblem, type useForm } from './form.tsx';

/**
 * The inline form that changes a project's or a clip's title, and the other fields given as children (a
 * project's description, a clip's metadata); `save` sends them, `close` ends editing.
 */
export function EditForm({
  form,
  title,
  save,
  close,
  fields = [],
  children,
}: {
  form: ReturnType<typeof useForm>;
  title: string;
  save: (title: string, data: FormData) => Promise<unknown>;
  close: (saved: boolean) => void;
  /** The names of the children's fields, whose problems they show themselves. */
  fields?: readonly string[];
  children?: ComponentChildren;
}) {
  return (
    <form
      class="rename"
      onSubmit={(e) => {
        e.preventDefault();
        const data = new FormData(e.currentTarget);
        form.submit(async () => {
          await save(String(data.get('title')), data);
          close(true);
        });
      }}
    >
      <FormProblem message={form.message} fields={form.fields} shown={['title', ...fields]} />
      <Field
        label={`New title for ${title}`}
        field="title"
        required
        maxLength={100}
        defaultValue={title}
        errors={form.fields}
        autoFocus
      />
      {children}
      <div class="actions">
        <button type="submit" aria-busy={form.busy} disabled={form.busy}>
          Save
        </button>
        <button type="button" class="secondary" onClick={() => close(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/**
 * A ref for the button that opens an edit form: when the form closes (saved or cancelled), focus goes back
 * to it, not to the page's top, where the form's own buttons leave it as they disappear.
 */
export function useFocusBack<T extends HTMLElement>(open: boolean) {
  const opener = useRef<T>(null);
  const wasOpen = useRef(open);
  useEffect(() => {
    if (wasOpen.current && !open) opener.current?.focus();
    wasOpen.current = open;
  }, [open]);
  return opener;
}
