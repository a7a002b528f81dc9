import { useEffect, useState } from 'preact/hooks';
import { call, client, messageOf } from '../api.ts';
import { formatDate } from '../format.ts';
import { Field, FormProblem, SelectField, useForm } from './form.tsx';

type Key = {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  expiresAt: string | null;
  lastUsedAt: string | null;
};

/** API keys for scripts: made here (the key is shown once), listed by prefix, revoked. */
export function ApiKeys() {
  const form = useForm();
  const [keys, setKeys] = useState<Key[] | null>(null);
  const [error, setError] = useState('');
  const [created, setCreated] = useState<{ id: string; name: string; key: string } | null>(null);
  const load = () =>
    call(() => client.GET('/v1/api-keys')).then(
      (page) => setKeys(page.items),
      (e) => setError(messageOf(e)),
    );
  useEffect(() => {
    load();
  }, []);
  return (
    <section aria-labelledby="keys-heading">
      <h2 id="keys-heading">API keys</h2>
      <p>
        For scripts and servers: send a key as <code>Authorization: Bearer avk_…</code>. A read key may only
        read.
      </p>
      {error ? <p role="alert">{error}</p> : null}
      {keys && keys.length === 0 ? <p>No API keys yet.</p> : null}
      <ul class="api-keys">
        {keys?.map((k) => (
          <ApiKeyRow
            key={k.id}
            apiKey={k}
            onRevoked={() => {
              // A revoked key's one showing goes with it.
              if (created?.id === k.id) setCreated(null);
              return load();
            }}
          />
        ))}
      </ul>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const element = e.currentTarget;
          const data = new FormData(element);
          const name = String(data.get('name'));
          const scopes = data.get('scopes') === 'read' ? (['read'] as const) : (['read', 'write'] as const);
          setCreated(null);
          form.submit(async () => {
            const made = await call(() =>
              client.POST('/v1/api-keys', { body: { name, scopes: [...scopes] } }),
            );
            setCreated({ id: made.id, name: made.name, key: made.key });
            element.reset();
            await load();
          });
        }}
      >
        <FormProblem message={form.message} fields={form.fields} shown={['name', 'scopes']} />
        <div class="grid">
          <Field label="Key name" field="name" required maxLength={100} errors={form.fields} />
          <SelectField label="Access" field="scopes" errors={form.fields}>
            <option value="write">Read and write</option>
            <option value="read">Read only</option>
          </SelectField>
        </div>
        <button type="submit" class="secondary" aria-busy={form.busy} disabled={form.busy}>
          Create API key
        </button>
      </form>
      <div role="status">
        {created ? (
          <p class="notice">
            The key “{created.name}”, shown only now; copy it: <code class="secret">{created.key}</code>
          </p>
        ) : null}
      </div>
    </section>
  );
}

function ApiKeyRow({ apiKey, onRevoked }: { apiKey: Key; onRevoked: () => Promise<void> }) {
  const form = useForm();
  return (
    <li>
      <strong>{apiKey.name}</strong> <code>{apiKey.prefix}…</code> <small>{apiKey.scopes.join(', ')}</small>{' '}
      <small>
        {apiKey.lastUsedAt ? ` · last used ${formatDate(apiKey.lastUsedAt)}` : ' · never used'}
        {apiKey.expiresAt ? ` · expires ${formatDate(apiKey.expiresAt)}` : ''}
      </small>{' '}
      <button
        type="button"
        class="contrast outline"
        aria-busy={form.busy}
        disabled={form.busy}
        onClick={() => {
          if (!confirm(`Revoke the API key “${apiKey.name}”? Scripts using it stop working.`)) return;
          form.submit(async () => {
            await call(() =>
              client.DELETE('/v1/api-keys/{keyId}', { params: { path: { keyId: apiKey.id } } }),
            );
            await onRevoked();
          });
        }}
      >
        Revoke<span class="visually-hidden"> {apiKey.name}</span>
      </button>
      {form.message ? <p role="alert">{form.message}</p> : null}
    </li>
  );
}
