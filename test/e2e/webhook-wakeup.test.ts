import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';
import { startReceiver } from '#test/support/webhook-receiver.ts';

// The sender's own look comes once in ten minutes here, far past this test's timeout: only the wake-up
// that committed deliveries send (LISTEN on the webhook_deliveries trigger) can bring them in time.
let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi({ webhooks: { pollMs: 600_000, timeoutMs: 2_000 } });
});
afterAll(async () => {
  await api?.stop();
});

it('sends new deliveries when they are committed, not at the next poll', async () => {
  const user = await api.newUser();
  const create = await api.call('POST', '/v1/webhooks', {
    token: user.token,
    body: { url: 'http://127.0.0.1:9/hook', events: ['job.created'] },
  });
  expect(create.status).toBe(201);
  const receiver = await startReceiver({ secrets: { '/hook': create.body.secret } });
  try {
    const id = create.body.id as string;
    await api.call('PATCH', `/v1/webhooks/${id}`, {
      token: user.token,
      body: { url: `${receiver.url}/hook` },
    });
    const project = await api.call('POST', '/v1/projects', { token: user.token, body: { title: 'wake' } });
    for (const prompt of ['first', 'second']) {
      const before = receiver.received.length;
      const job = await api.call('POST', `/v1/projects/${project.body.id}/jobs`, {
        token: user.token,
        body: { jobType: 'GENERATE', prompt, parameters: { model: 'local', durationSeconds: 2 } },
      });
      expect(job.status).toBe(202);
      await api.call('POST', `/v1/jobs/${job.body.id}/cancel`, { token: user.token });
      while (receiver.received.length === before) await new Promise((r) => setTimeout(r, 20));
    }
    const bodies = receiver.received.map((r) => JSON.parse(r.body as string));
    expect(bodies.map((b) => [b.type, b.data.prompt])).toEqual([
      ['job.created', 'first'],
      ['job.created', 'second'],
    ]);
    expect(receiver.received.every((r) => r.answer === 204)).toBe(true);
  } finally {
    await receiver.close();
  }
}, 30_000);

/** Payloads on the channel the webhook_deliveries trigger notifies, through a listener of the test's own. */
async function listenOnChannel(received: string[]): Promise<() => Promise<void>> {
  const db = api.env.db;
  if ('client' in db) {
    const client = (db as unknown as { client: import('@electric-sql/pglite').PGlite }).client;
    return client.listen('webhook_deliveries', (payload) => received.push(payload));
  }
  const listener = new pg.Client({ connectionString: process.env.E2E_DATABASE_URL });
  await listener.connect();
  listener.on('notification', (n) => received.push(n.payload ?? ''));
  await listener.query('LISTEN webhook_deliveries');
  return () => listener.end();
}

it('announces only statements that made deliveries: a job of an owner without endpoints wakes nothing', async () => {
  const quiet = await api.newUser();
  const project = await api.call('POST', '/v1/projects', { token: quiet.token, body: { title: 'quiet' } });
  const other = await api.newUser();
  const hook = await api.call('POST', '/v1/webhooks', {
    token: other.token,
    body: { url: 'http://127.0.0.1:9/hook', events: ['job.completed'] },
  });
  expect(hook.status).toBe(201);
  const received: string[] = [];
  const stop = await listenOnChannel(received);
  const arrived = async (payload: string) => {
    while (!received.includes(payload)) await new Promise((r) => setTimeout(r, 20));
  };
  try {
    // job.created and job.failed: events whose fan-out inserts no delivery.
    const job = await api.call('POST', `/v1/projects/${project.body.id}/jobs`, {
      token: quiet.token,
      body: { jobType: 'GENERATE', prompt: 'quiet', parameters: { model: 'local', durationSeconds: 2 } },
    });
    expect(job.status).toBe(202);
    expect((await api.call('POST', `/v1/jobs/${job.body.id}/cancel`, { token: quiet.token })).status).toBe(
      200,
    );
    await api.env.idle();
    // Notifications arrive in commit order: once this one is in, any the job's events sent are in too.
    await api.env.db.db.execute(sql`SELECT pg_notify('webhook_deliveries', 'marker')`);
    await arrived('marker');
    expect(received).toEqual(['marker']);
    // A statement that does make a delivery still announces it.
    const sent = await api.call('POST', `/v1/webhooks/${hook.body.id}/test`, { token: other.token });
    expect(sent.status).toBe(202);
    await arrived('');
    expect(received).toEqual(['marker', '']);
  } finally {
    await stop();
  }
}, 30_000);
