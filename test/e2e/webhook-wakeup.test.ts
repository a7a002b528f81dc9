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
