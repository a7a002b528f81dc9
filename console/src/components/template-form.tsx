import { TEMPLATE_CATEGORIES } from '../../../shared/templates/categories.ts';
import { call, client, type Template } from '../api.ts';
import { templateAsShown, writeIfUnchanged } from '../if-match.ts';
import { Field, FormProblem, SelectField, useForm } from './form.tsx';

type Category = (typeof TEMPLATE_CATEGORIES)[number];
const SHOWN = ['name', 'category', 'prompt'];

/** A template's fields as the form holds them. */
function bodyOf(element: HTMLFormElement) {
  const data = new FormData(element);
  return {
    name: String(data.get('name')),
    category: String(data.get('category')) as Category,
    prompt: String(data.get('prompt')),
    isPublic: data.get('isPublic') !== null,
  };
}

/** Name, category, prompt and visibility, filled in with `template`'s when it is given. */
function TemplateFields({ template, errors }: { template?: Template; errors: Record<string, string> }) {
  return (
    <>
      <Field
        label="Template name"
        field="name"
        required
        maxLength={100}
        defaultValue={template?.name}
        errors={errors}
        autoFocus={template !== undefined}
      />
      <SelectField label="Category" field="category" errors={errors}>
        {TEMPLATE_CATEGORIES.map((c) => (
          <option key={c} value={c} selected={template?.category === c}>
            {c}
          </option>
        ))}
      </SelectField>
      <Field
        label="Template prompt"
        field="prompt"
        required
        maxLength={2000}
        defaultValue={template?.prompt}
        hint="Write {{animal}} (any name in double braces) for a part to fill in each time the template is used"
        errors={errors}
      />
      <label>
        <input type="checkbox" name="isPublic" defaultChecked={template?.isPublic} /> Public: anyone may use
        it (otherwise only you)
      </label>
    </>
  );
}

/** A new template of the caller: private unless shared; `{{name}}` marks a part filled in at each use. */
export function TemplateForm({ onCreated }: { onCreated: (template: Template) => void }) {
  const form = useForm();
  return (
    <details class="template-form">
      <summary>Save a new template</summary>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const element = e.currentTarget;
          const body = { ...bodyOf(element), description: '' };
          form.submit(async () => {
            onCreated(await call(() => client.POST('/v1/templates', { body })));
            element.reset();
          });
        }}
      >
        <FormProblem message={form.message} fields={form.fields} shown={SHOWN} />
        <TemplateFields errors={form.fields} />
        <button type="submit" class="secondary" aria-busy={form.busy} disabled={form.busy}>
          Save template
        </button>
      </form>
    </details>
  );
}

/** Changes one of the caller's own templates (PATCH sends every field of the form). */
export function TemplateEditor(props: {
  template: Template;
  onSaved: (template: Template) => void;
  /** Given the template as it is now, when it changed elsewhere (the editor stays open with it). */
  onReloaded: (template: Template) => void;
  onClose: () => void;
}) {
  const { template } = props;
  const form = useForm();
  return (
    <section class="template-form" aria-labelledby="template-edit-heading">
      <h3 id="template-edit-heading">Edit the template “{template.name}”</h3>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const body = bodyOf(e.currentTarget);
          form.submit(async () => {
            const path = { templateId: template.id };
            props.onSaved(
              await writeIfUnchanged({
                ...templateAsShown(template, props.onReloaded),
                action: 'save',
                write: (headers) =>
                  client.PATCH('/v1/templates/{templateId}', { params: { path }, headers, body }),
              }),
            );
          });
        }}
      >
        <FormProblem message={form.message} fields={form.fields} shown={SHOWN} />
        {/* Reloaded after a change made elsewhere: the fields left alone show it, the ones typed in keep it. */}
        <TemplateFields template={template} errors={form.fields} />
        <div class="actions">
          <button type="submit" class="secondary" aria-busy={form.busy} disabled={form.busy}>
            Save changes
          </button>
          <button type="button" class="secondary outline" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
