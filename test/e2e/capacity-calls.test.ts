/**
 * DynamoDB calls per job on the create-and-cancel path through the local server, counted on its DynamoDB
 * client: jobs that find the model's only unit in use wait in line, are cancelled, and leave.
 */
import { afterEach, expect, it } from 'vitest';
import { countDynamoCalls } from '#infra/local/dynamo-calls.ts';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';

let api: LocalApi | undefined;
afterEach(async () => {
  await api?.stop();
  api = undefined;
});

it('a job cancelled while it waits costs its entry and its leaving, and no more', async () => {
  // The background sweeps stay out of the count.
  api = await startLocalApi({
    capacity: { units: { local: 1 }, sweepMs: 3_600_000 },
    stuckStarts: { everyMs: 3_600_000 },
    webhooks: { pollMs: 3_600_000 },
  });
  const { env } = api;
  // Another job holds the only unit for the whole test.
  const holder = { model: 'local', jobId: 'holder', userId: 'someone', enqueuedAt: 0, taskToken: 'held' };
  await env.capacity.addWaiter(holder);
  expect(await env.capacity.grant(holder, 1, Date.now() + 3_600_000, Date.now())).toMatchObject({
    taskToken: 'held',
  });
  const users = [];
  for (let i = 0; i < 5; i++) {
    const user = await api.newUser();
    const project = await api.call('POST', '/v1/projects', { token: user.token, body: { title: 'calls' } });
    users.push({ token: user.token, projectId: project.body.id as string });
  }
  // Each job is cancelled once its AcquireCapacity attempt is over: its look at the units has come back
  // (then the local state machine answers at once whether the state still waits). Cancelled before that
  // question, the attempt takes the job out of line again itself (the ended-execution orderings tests).
  let looks = 0;
  let looked = () => {};
  const leases = env.capacity.leases.bind(env.capacity);
  env.capacity.leases = async (model) => {
    const found = await leases(model);
    looks++;
    looked();
    return found;
  };
  const looksReach = (n: number) =>
    new Promise<void>((resolve) => {
      looked = () => looks >= n && resolve();
      looked();
    });
  const calls = countDynamoCalls(env.dynamo.client);
  for (const [i, { token, projectId }] of users.entries()) {
    const job = await api.call('POST', `/v1/projects/${projectId}/jobs`, {
      token,
      body: { jobType: 'GENERATE', prompt: 'a fox', parameters: { model: 'local', durationSeconds: 1 } },
    });
    expect(job.status).toBe(202);
    // Its entry's look, after the one its predecessor's leaving took.
    await looksReach(2 * i + 1);
    expect((await api.call('POST', `/v1/jobs/${job.body.id}/cancel`, { token })).status).toBe(200);
    await env.idle();
  }
  // The audit lines go out in batches off the request path; every other table is counted.
  const counted = [...calls].filter(([call]) => !call.includes('audit-log'));
  const perJob = counted.reduce((sum, [, n]) => sum + n, 0) / users.length;
  // In line and a look at the units; out of line and a look at the units (the first job also wakes the
  // idle marker's sleepers, once).
  expect(perJob, JSON.stringify(counted)).toBeLessThanOrEqual(4.4);
  expect((await env.capacity.leases('local')).map((l) => l.jobId)).toEqual(['holder']);
  expect(await env.capacity.waiters('local')).toEqual([]);
}, 120_000);
