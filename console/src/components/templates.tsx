import { useEffect, useState } from 'preact/hooks';
import { TEMPLATE_CATEGORIES } from '../../../shared/templates/categories.ts';
import { call, client, messageOf, type Template } from '../api.ts';
import { templateAsShown, writeIfUnchanged } from '../if-match.ts';
import { useForm } from './form.tsx';

type Category = (typeof TEMPLATE_CATEGORIES)[number];
const PAGE_SIZE = 20;

/** The gallery's templates for a search and a category, a page at a time (GET /v1/templates). */
export function useTemplates() {
  const [q, setQ] = useState('');
  const [category, setCategory] = useState<Category | ''>('');
  const [items, setItems] = useState<Template[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState('');
  const read = (cursor?: string) => {
    const text = q.trim();
    return call(() =>
      client.GET('/v1/templates', {
        params: {
          query: {
            limit: PAGE_SIZE,
            ...(text ? { q: text } : {}),
            ...(category ? { category } : {}),
            ...(cursor ? { cursor } : {}),
          },
        },
      }),
    );
  };
  useEffect(() => {
    let live = true;
    // A search waits for a pause in the typing; a category is read at once.
    const timer = setTimeout(
      () =>
        read().then(
          (page) => {
            if (!live) return;
            setItems(page.items);
            setNext(page.nextCursor);
            setError('');
          },
          (e) => {
            if (live) setError(messageOf(e));
          },
        ),
      q ? 300 : 0,
    );
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [q, category]);
  return {
    items,
    error,
    q,
    setQ,
    category,
    setCategory,
    more: next
      ? async () => {
          const page = await read(next);
          setItems((all) => [...all, ...page.items.filter((t) => !all.some((o) => o.id === t.id))]);
          setNext(page.nextCursor);
        }
      : undefined,
    put: (template: Template) =>
      setItems((all) =>
        all.some((t) => t.id === template.id)
          ? all.map((t) => (t.id === template.id ? template : t))
          : [template, ...all],
      ),
    remove: (id: string) => setItems((all) => all.filter((t) => t.id !== id)),
  };
}

/**
 * The gallery as radio buttons inside the job form, with its search, category and further pages; the
 * caller's own templates (`createdBy`) can be edited (beside the form: forms do not nest) and deleted.
 */
export function TemplateGallery(props: {
  gallery: ReturnType<typeof useTemplates>;
  chosen: Template | null;
  onChoose: (template: Template | null) => void;
  onEdit: (template: Template) => void;
  onDeleted: (id: string) => void;
  userId: string | null;
  error?: string | undefined;
}) {
  const { gallery, chosen } = props;
  const more = useForm();
  // The chosen template stays in sight when a search leaves it out.
  const shown =
    chosen && !gallery.items.some((t) => t.id === chosen.id) ? [chosen, ...gallery.items] : gallery.items;
  return (
    <fieldset class="templates">
      <legend>Template (optional)</legend>
      <div class="grid template-filter">
        <label for="template-search">
          Search templates
          <input
            id="template-search"
            type="search"
            maxLength={100}
            value={gallery.q}
            onInput={(e) => gallery.setQ(e.currentTarget.value)}
            // Enter here searches; it must not submit the job.
            onKeyDown={(e) => {
              if (e.key === 'Enter') e.preventDefault();
            }}
          />
        </label>
        <label for="template-category">
          Template category
          <select
            id="template-category"
            value={gallery.category}
            onChange={(e) => gallery.setCategory(e.currentTarget.value as Category | '')}
          >
            <option value="">Every category</option>
            {TEMPLATE_CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
      </div>
      {gallery.error ? <p role="alert">{gallery.error}</p> : null}
      <label>
        <input
          type="radio"
          name="templateId"
          value=""
          checked={!chosen}
          onChange={() => props.onChoose(null)}
        />
        No template
      </label>
      {shown.map((t) => (
        <div key={t.id} class="template-item">
          <label class="template">
            <input
              type="radio"
              name="templateId"
              value={t.id}
              checked={chosen?.id === t.id}
              onChange={() => props.onChoose(t)}
            />
            <strong>{t.name}</strong>{' '}
            <small>
              {t.category}
              {t.createdBy === null ? '' : t.isPublic ? ' · public' : ' · private'}
            </small>
            <small class="template-prompt">{t.prompt}</small>
          </label>
          {props.userId !== null && t.createdBy === props.userId ? (
            <OwnTemplateActions
              template={t}
              onEdit={() => props.onEdit(t)}
              onReloaded={gallery.put}
              onDeleted={() => {
                gallery.remove(t.id);
                props.onDeleted(t.id);
              }}
            />
          ) : null}
        </div>
      ))}
      {gallery.items.length === 0 && !gallery.error ? (
        <small>{noneFound(gallery.q.trim(), gallery.category)}</small>
      ) : null}
      {gallery.more ? (
        <button
          type="button"
          class="secondary outline"
          aria-busy={more.busy}
          disabled={more.busy}
          onClick={() => gallery.more && more.submit(gallery.more)}
        >
          Show more templates
        </button>
      ) : null}
      {more.message ? <p role="alert">{more.message}</p> : null}
      {props.error ? <small class="field-error">{props.error}</small> : null}
    </fieldset>
  );
}

function noneFound(q: string, category: string): string {
  if (!q && !category) return 'No templates yet: save one below.';
  return `No template matches${q ? ` “${q}”` : ''}${category ? ` in ${category}` : ''}.`;
}

function OwnTemplateActions(props: {
  template: Template;
  onEdit: () => void;
  onReloaded: (template: Template) => void;
  onDeleted: () => void;
}) {
  const { template } = props;
  const form = useForm();
  return (
    <div class="actions">
      <button type="button" class="secondary outline" onClick={props.onEdit}>
        Edit<span class="visually-hidden"> the template {template.name}</span>
      </button>
      <button
        type="button"
        class="contrast outline"
        aria-busy={form.busy}
        disabled={form.busy}
        onClick={() => {
          if (!confirm(`Delete the template “${template.name}”?`)) return;
          form.submit(async () => {
            const path = { templateId: template.id };
            await writeIfUnchanged({
              ...templateAsShown(template, props.onReloaded),
              action: 'delete',
              write: (headers) => client.DELETE('/v1/templates/{templateId}', { params: { path }, headers }),
            });
            props.onDeleted();
          });
        }}
      >
        Delete<span class="visually-hidden"> the template {template.name}</span>
      </button>
      {form.message ? <p role="alert">{form.message}</p> : null}
    </div>
  );
}
