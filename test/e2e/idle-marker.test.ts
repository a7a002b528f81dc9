/**
 * What gives the webhook relay or the stuck-start sweep work wakes them through the API (the features wrap
 * the repository calls, shared/events/idle-marker.ts): a job submitted, a clip or project deleted, a webhook
 * test send, retry or enabling. The marker is the one the local server keeps in dynalite, and the local
 * stuck-start sweep rests on it too.
 */
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { WAKE_SETTLE_MS } from '#shared/events/idle-marker.ts';
import { dynamoIdleMarker } from '#shared/events/idle-marker-dynamodb.ts';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi({ webhooks: { pollMs: 600_000 } });
  // The clock (Date only, running on) is moved past each wake's settle window before the sleepers rest.
  vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
});
afterAll(async () => {
  vi.useRealTimers();
  await api?.stop();
});

const documents = () => DynamoDBDocumentClient.from(api.env.dynamo.client);
const marker = () => dynamoIdleMarker(documents(), api.env.dynamo.tables.rateLimit);

/**
 * Both sleepers at rest, as an idle stage leaves them: nothing may rest until a wake has settled, and the
 * server remembers its last wake for half of that, so the clock moves on first.
 */
async function rest() {
  vi.setSystemTime(Date.now() + WAKE_SETTLE_MS + 1);
  await documents().send(
    new PutCommand({
      TableName: api.env.dynamo.tables.rateLimit,
      Item: { pk: 'idle-marker', wokenAt: 0, relayUntil: -1, sweepResting: true },
    }),
  );
  expect(await marker().read()).toMatchObject({ relayUntil: Number.POSITIVE_INFINITY, sweepResting: true });
}

async function expectWoken(what: string) {
  expect(await marker().read(), what).toMatchObject({ relayUntil: undefined, sweepResting: false });
}

it('wakes both sleepers on each API call that may give them work', async () => {
  const { userId, token } = await api.newUser();
  const project = (await api.call('POST', '/v1/projects', { token, body: { title: 'idle' } })).body;
  const hook = await api.call('POST', '/v1/webhooks', {
    token,
    body: { url: 'http://127.0.0.1:9/hook', events: ['job.created', 'clip.deleted'] },
  });
  expect(hook.status).toBe(201);

  await rest();
  const job = await api.call('POST', `/v1/projects/${project.id}/jobs`, {
    token,
    body: {
      jobType: 'GENERATE',
      prompt: 'a quiet harbour',
      parameters: { model: 'local', durationSeconds: 2 },
    },
  });
  expect(job.status).toBe(202);
  await expectWoken('a job submitted');
  await api.call('POST', `/v1/jobs/${job.body.id}/cancel`, { token });

  const clip = await api.env.ctx.clips.register({
    userId,
    projectId: project.id,
    title: 'shot',
    duration: 6,
    fileUrl: `users/${userId}/projects/${project.id}/clips/c/video.mp4`,
    fileSize: 1234,
    resolution: '1280x720',
    format: 'mp4',
  });
  await rest();
  expect((await api.call('DELETE', `/v1/clips/${clip.id}`, { token })).status).toBe(204);
  await expectWoken('a clip deleted');

  await rest();
  const test = await api.call('POST', `/v1/webhooks/${hook.body.id}/test`, { token });
  expect(test.status).toBe(202);
  await expectWoken('a test send');

  await rest();
  const retry = await api.call(
    'POST',
    `/v1/webhooks/${hook.body.id}/deliveries/${test.body.deliveryId}/retry`,
    { token },
  );
  expect(retry.status).toBe(202);
  await expectWoken('a retry');

  await rest();
  await api.call('PATCH', `/v1/webhooks/${hook.body.id}`, { token, body: { enabled: true } });
  await expectWoken('an endpoint enabled');

  await rest();
  expect((await api.call('DELETE', `/v1/projects/${project.id}`, { token })).status).toBe(204);
  await expectWoken('a project deleted');

  // A read wakes nothing.
  await rest();
  await api.call('GET', '/v1/webhooks', { token });
  expect(await marker().read()).toMatchObject({ sweepResting: true });
}, 60_000);
