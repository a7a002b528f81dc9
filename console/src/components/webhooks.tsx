import { useEffect, useState } from 'preact/hooks';
import { EVENT_TYPES } from '../../../shared/events/types.ts';
import { call, client, messageOf, type Schemas } from '../api.ts';
import { formatDate } from '../format.ts';
import { type Listed, withFirstPage, withOlderPage } from '../paging.ts';
import { Field, FormProblem, useForm } from './form.tsx';

type Webhook = Schemas['Webhook'];
type Delivery = Schemas['WebhookDelivery'];
type EventType = NonNullable<Schemas['CreateWebhookRequest']['events']>[number];
/** What a webhook may subscribe to (a test event goes to whichever is tested). */
const SUBSCRIBABLE = EVENT_TYPES.filter((t) => t !== 'webhook.test') as EventType[];
const DELIVERY_PAGE = 5;
/**
 * Reads of the deliveries again while a delivery just sent (a test event, a retry) waits for its attempt to
 * be recorded: the sender claims it a moment after the API accepted it (the list read at once may come
 * first), and deployed an attempt may take up to its 10 s timeout. The first read comes soon, then one a
 * second.
 */
const FOLLOW_READS = 20;
const followPause = (read: number) => Math.min(1000, 250 * 2 ** read);
/** A delivery followed until it has more attempts than when it was sent, or is no longer pending. */
interface Followed {
  id: string;
  attemptsBefore: number;
}
/** Whether the page still shows the followed delivery waiting for the attempt its send asked for. */
function awaitsAttempt(followed: Followed, shown: readonly Delivery[]): boolean {
  const d = shown.find((item) => item.id === followed.id);
  return d !== undefined && d.status === 'pending' && d.attempts <= followed.attemptsBefore;
}
const eventsOf = (data: FormData) => data.getAll('events').map(String) as EventType[];

/** A checkbox per event type; none ticked sends every event. */
function EventChoice({ legend, chosen }: { legend: string; chosen: readonly string[] }) {
  return (
    <fieldset class="event-choice">
      <legend>{legend}</legend>
      {SUBSCRIBABLE.map((type) => (
        <label key={type}>
          <input type="checkbox" name="events" value={type} defaultChecked={chosen.includes(type)} />{' '}
          <code>{type}</code>
        </label>
      ))}
      <small>None ticked: every event.</small>
    </fieldset>
  );
}

/** Webhook endpoints: added here (the signing secret shown once), tested, their deliveries read, removed. */
export function Webhooks() {
  const form = useForm();
  const [hooks, setHooks] = useState<Webhook[] | null>(null);
  const [error, setError] = useState('');
  const [created, setCreated] = useState<{ id: string; url: string; secret: string } | null>(null);
  const load = () =>
    call(() => client.GET('/v1/webhooks')).then(
      (page) => setHooks(page.items),
      (e) => setError(messageOf(e)),
    );
  useEffect(() => {
    load();
  }, []);
  return (
    <section aria-labelledby="webhooks-heading">
      <h2 id="webhooks-heading">Webhooks</h2>
      <p>Each job event is POSTed, signed, to these addresses.</p>
      {error ? <p role="alert">{error}</p> : null}
      {hooks && hooks.length === 0 ? <p>No webhooks yet.</p> : null}
      <ul class="webhooks">
        {hooks?.map((h) => (
          <WebhookRow
            key={h.id}
            hook={h}
            onChanged={load}
            onRemoved={() => {
              // A removed webhook's secret, shown once, goes with it.
              if (created?.id === h.id) setCreated(null);
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
          const url = String(data.get('url'));
          const events = eventsOf(data);
          setCreated(null);
          form.submit(async () => {
            const made = await call(() =>
              client.POST('/v1/webhooks', { body: { url, ...(events.length ? { events } : {}) } }),
            );
            setCreated({ id: made.id, url: made.url, secret: made.secret });
            element.reset();
            await load();
          });
        }}
      >
        <FormProblem message={form.message} fields={form.fields} shown={['url']} />
        <Field
          label="Endpoint URL"
          field="url"
          type="url"
          required
          placeholder="https://example.com/hooks/video"
          errors={form.fields}
        />
        <EventChoice legend="Events to send" chosen={[]} />
        <button type="submit" class="secondary" aria-busy={form.busy} disabled={form.busy}>
          Add webhook
        </button>
      </form>
      <div role="status">
        {created ? (
          <p class="notice">
            The signing secret of {created.url}, shown only now; copy it:{' '}
            <code class="secret">{created.secret}</code>
          </p>
        ) : null}
      </div>
    </section>
  );
}

function WebhookRow({
  hook,
  onChanged,
  onRemoved,
}: {
  hook: Webhook;
  onChanged: () => void;
  onRemoved: () => Promise<void>;
}) {
  const form = useForm();
  const [deliveries, setDeliveries] = useState<Listed<Delivery> | null>(null);
  const [secret, setSecret] = useState('');
  const [choosing, setChoosing] = useState(false);
  const deliveryPage = (cursor?: string) =>
    call(() =>
      client.GET('/v1/webhooks/{webhookId}/deliveries', {
        params: {
          path: { webhookId: hook.id },
          query: { limit: DELIVERY_PAGE, ...(cursor ? { cursor } : {}) },
        },
      }),
    );
  const readDeliveries = () => deliveryPage().then(setDeliveries);
  /** Shows the first page, and follows the delivery just sent while its attempt is not recorded yet. */
  const readAndFollow = async (sent: Followed) => {
    const first = await deliveryPage();
    setDeliveries(first);
    if (awaitsAttempt(sent, first.items)) setFollowed(sent);
  };
  const [followed, setFollowed] = useState<Followed | null>(null);
  useEffect(() => {
    if (!followed) return;
    let stopped = false;
    (async () => {
      for (let read = 0; read < FOLLOW_READS; read += 1) {
        await new Promise((r) => setTimeout(r, followPause(read)));
        if (stopped) return;
        const first = await deliveryPage().catch(() => null);
        if (stopped || !first) return;
        setDeliveries((shown) => (shown ? withFirstPage(shown, first) : first));
        if (!awaitsAttempt(followed, first.items)) return;
      }
    })().finally(() => {
      if (!stopped) setFollowed(null);
    });
    return () => {
      stopped = true;
    };
  }, [followed]);
  const readOlderDeliveries = async () => {
    if (!deliveries?.nextCursor) return;
    const older = await deliveryPage(deliveries.nextCursor);
    setDeliveries((shown) => (shown ? withOlderPage(shown, older) : older));
  };
  const path = { webhookId: hook.id };
  return (
    <li class="webhook">
      <strong class="secret">{hook.url}</strong>{' '}
      <small>
        {hook.enabled ? 'enabled' : `disabled${hook.disabledReason ? `: ${hook.disabledReason}` : ''}`} ·{' '}
        {hook.events.length ? hook.events.join(', ') : 'every event'}
      </small>
      <div class="actions">
        <button
          type="button"
          class="secondary outline"
          aria-busy={form.busy}
          disabled={form.busy}
          onClick={() =>
            form.submit(async () => {
              const { deliveryId } = await call(() =>
                client.POST('/v1/webhooks/{webhookId}/test', { params: { path } }),
              );
              await readAndFollow({ id: deliveryId, attemptsBefore: 0 });
            })
          }
        >
          Send a test event<span class="visually-hidden"> to {hook.url}</span>
        </button>
        <button
          type="button"
          class="secondary outline"
          onClick={() => form.submit(readDeliveries)}
          disabled={form.busy}
        >
          Recent deliveries<span class="visually-hidden"> to {hook.url}</span>
        </button>
        <button
          type="button"
          class="secondary outline"
          disabled={form.busy}
          onClick={() =>
            form.submit(async () => {
              await call(() =>
                client.PATCH('/v1/webhooks/{webhookId}', {
                  params: { path },
                  body: { enabled: !hook.enabled },
                }),
              );
              onChanged();
            })
          }
        >
          {hook.enabled ? 'Disable' : 'Enable'}
          <span class="visually-hidden"> {hook.url}</span>
        </button>
        <button
          type="button"
          class="secondary outline"
          aria-expanded={choosing}
          onClick={() => setChoosing(!choosing)}
        >
          Choose events<span class="visually-hidden"> for {hook.url}</span>
        </button>
        <button
          type="button"
          class="secondary outline"
          disabled={form.busy}
          onClick={() => {
            if (
              !confirm(
                `Give ${hook.url} a new signing secret? The old one keeps signing beside it for 24 hours.`,
              )
            )
              return;
            setSecret('');
            form.submit(async () => {
              const rotated = await call(() =>
                client.POST('/v1/webhooks/{webhookId}/rotate-secret', { params: { path } }),
              );
              setSecret(rotated.secret);
              onChanged();
            });
          }}
        >
          Rotate the secret<span class="visually-hidden"> of {hook.url}</span>
        </button>
        <button
          type="button"
          class="contrast outline"
          disabled={form.busy}
          onClick={() => {
            if (!confirm(`Remove the webhook ${hook.url}?`)) return;
            form.submit(async () => {
              await call(() => client.DELETE('/v1/webhooks/{webhookId}', { params: { path } }));
              await onRemoved();
            });
          }}
        >
          Remove<span class="visually-hidden"> {hook.url}</span>
        </button>
      </div>
      {form.message ? <p role="alert">{form.message}</p> : null}
      {choosing ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const events = eventsOf(new FormData(e.currentTarget));
            form.submit(async () => {
              await call(() =>
                client.PATCH('/v1/webhooks/{webhookId}', { params: { path }, body: { events } }),
              );
              setChoosing(false);
              onChanged();
            });
          }}
        >
          <EventChoice legend={`Events to send to ${hook.url}`} chosen={hook.events} />
          <button type="submit" class="secondary" aria-busy={form.busy} disabled={form.busy}>
            Save events
          </button>
        </form>
      ) : null}
      <div role="status">
        {secret ? (
          <p class="notice">
            The new signing secret, shown only now; copy it
            {hook.secretRotatesUntil
              ? ` (the old one also signs until ${formatDate(hook.secretRotatesUntil)})`
              : ''}
            : <code class="secret">{secret}</code>
          </p>
        ) : null}
      </div>
      {deliveries ? (
        <ul class="deliveries" aria-label={`Recent deliveries to ${hook.url}`}>
          {deliveries.items.length === 0 ? <li>No deliveries yet.</li> : null}
          {deliveries.items.map((d) => (
            <li key={d.id}>
              {d.eventType}: <strong>{d.status}</strong> after {d.attempts} attempt
              {d.attempts === 1 ? '' : 's'}
              {d.lastStatusCode ? ` (HTTP ${d.lastStatusCode})` : ''}
              {d.lastError ? ` · ${d.lastError}` : ''}
              {d.nextAttemptAt ? ` · next try ${formatDate(d.nextAttemptAt)}` : ''}
              {d.status === 'failed' ? (
                <button
                  type="button"
                  class="secondary outline retry"
                  disabled={form.busy}
                  onClick={() =>
                    form.submit(async () => {
                      await call(() =>
                        client.POST('/v1/webhooks/{webhookId}/deliveries/{deliveryId}/retry', {
                          params: { path: { ...path, deliveryId: d.id } },
                        }),
                      );
                      await readAndFollow({ id: d.id, attemptsBefore: d.attempts });
                    })
                  }
                >
                  Retry<span class="visually-hidden"> the {d.eventType} delivery</span>
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {deliveries?.nextCursor ? (
        <button
          type="button"
          class="secondary outline"
          aria-busy={form.busy}
          disabled={form.busy}
          onClick={() => form.submit(readOlderDeliveries)}
        >
          Show older deliveries<span class="visually-hidden"> to {hook.url}</span>
        </button>
      ) : null}
    </li>
  );
}
