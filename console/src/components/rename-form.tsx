import { Field, FormProblem, type useForm } from './form.tsx';

/** The inline form that renames a project or a clip; `save` sends the new title, `close` ends renaming. */
export function RenameForm({
  form,
  title,
  save,
  close,
}: {
  form: ReturnType<typeof useForm>;
  title: string;
  save: (title: string) => Promise<unknown>;
  close: (renamed: boolean) => void;
}) {
  return (
    <form
      class="rename"
      onSubmit={(e) => {
        e.preventDefault();
        const next = String(new FormData(e.currentTarget).get('title'));
        form.submit(async () => {
          await save(next);
          close(true);
        });
      }}
    >
      <FormProblem message={form.message} fields={form.fields} shown={['title']} />
      <Field
        label={`New title for ${title}`}
        field="title"
        required
        maxLength={100}
        value={title}
        errors={form.fields}
        autoFocus
      />
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
