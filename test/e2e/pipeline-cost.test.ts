/** The AWS cost of a GENERATE job, counted from the event log of the real ASL run locally. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LAMBDA_STATES } from '#infra/local/workflow.ts';
import { submit, waitForJob } from '#test/support/jobs.ts';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';

const events: { type: string; state?: string }[] = [];
let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi({ pollMs: 20, onEvent: (_job, e) => events.push(e) });
});
afterAll(async () => {
  await api?.stop();
});

it('spends 8 transitions and 5 Lambda invocations plus one of each per poll', async () => {
  const { token } = await api.newUser();
  const project = (await api.call('POST', '/v1/projects', { token, body: { title: 'cost' } })).body;
  const submitted = await submit(api, token, project.id, {
    jobType: 'GENERATE',
    prompt: 'cost',
    parameters: { model: 'local', durationSeconds: 2, resolution: '640x360' },
  });
  const { job } = await waitForJob(api, token, submitted.body.id, 50);
  expect(job.status).toBe('COMPLETED');
  const entered = events.filter((e) => e.type === 'StateEntered');
  const retried = events.filter((e) => e.type === 'StateRetried');
  const polls = retried.filter((e) => e.state === 'CheckGeneration').length;
  const lambda = (e: { state?: string }) => LAMBDA_STATES.includes(e.state ?? '');
  expect(entered.map((e) => e.state)).toEqual([
    'MarkProcessing',
    'RouteByJobType',
    'StartGeneration',
    'WaitForGeneration',
    'CheckGeneration',
    'BuildTranscodeSettings',
    'Transcode',
    'RegisterClip',
  ]);
  expect(retried.length).toBe(polls);
  const transitions = entered.length + retried.length;
  const invocations = entered.filter(lambda).length + retried.filter(lambda).length;
  expect(transitions).toBeLessThanOrEqual(12 + 2 * polls);
  expect(invocations).toBeLessThanOrEqual(5 + polls);
  expect(invocations).toBe(5 + polls);
});
