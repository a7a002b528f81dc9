import { TEMPLATE_CATEGORIES } from '../../../shared/templates/categories.ts';
import { call, client, type Template } from '../api.ts';
import { Field, FormProblem, SelectField, useForm } from './form.tsx';

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
          const data = new FormData(element);
          const body = {
            name: String(data.get('name')),
            category: String(data.get('category')) as (typeof TEMPLATE_CATEGORIES)[number],
            prompt: String(data.get('prompt')),
            description: '',
            isPublic: data.get('isPublic') !== null,
          };
          form.submit(async () => {
            onCreated(await call(() => client.POST('/v1/templates', { body })));
            element.reset();
          });
        }}
      >
        <FormProblem message={form.message} fields={form.fields} shown={['name', 'category', 'prompt']} />
        <Field label="Template name" field="name" required maxLength={100} errors={form.fields} />
        <SelectField label="Category" field="category" errors={form.fields}>
          {TEMPLATE_CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </SelectField>
        <Field
          label="Template prompt"
          field="prompt"
          required
          maxLength={2000}
          hint="Write {{animal}} (any name in double braces) for a part to fill in each time the template is used"
          errors={form.fields}
        />
        <label>
          <input type="checkbox" name="isPublic" /> Public: anyone may use it (otherwise only you)
        </label>
        <button type="submit" class="secondary" aria-busy={form.busy} disabled={form.busy}>
          Save template
        </button>
      </form>
    </details>
  );
}
