/**
 * The AWS cost of a GENERATE job, counted from the event log of the real ASL run locally: with the model
 * output's event (the usual path), and without it (a lost event: only the safety-net poll resumes the job).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { LAMBDA_STATES } from '#infra/local/workflow.ts';
import { submit, waitForJob } from '#test/support/jobs.ts';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';

type Event = { type: string; state?: string };
const apis: LocalApi[] = [];
afterAll(async () => {
  await Promise.all(apis.map((a) => a.stop()));
});

async function generate(options: { pollMs: number; modelOutputEvents: boolean }) {
  const events: Event[] = [];
  const api = await startLocalApi({ ...options, onEvent: (_job, e) => events.push(e) });
  apis.push(api);
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
  const lambda = (e: Event) => LAMBDA_STATES.includes(e.state ?? '');
  return {
    states: entered.map((e) => e.state),
    retried: retried.map((e) => e.state),
    transitions: entered.length + retried.length,
    invocations:
      entered.filter(lambda).length +
      retried.filter(lambda).length +
      events.filter((e) => e.type === 'ModelOutputEvent').length,
  };
}

describe('a GENERATE job', () => {
  it('with the output event: 7 transitions and 6 Lambda invocations, no poll', async () => {
    // A safety net far longer than the render: only the event can resume the job in time.
    const run = await generate({ pollMs: 10_000, modelOutputEvents: true });
    expect(run.states).toEqual([
      'RouteByJobType',
      'AcquireCapacity',
      'MarkGenerating',
      'StartGeneration',
      'BuildTranscodeSettings',
      'Transcode',
      'RegisterClip',
    ]);
    expect(run.retried).toEqual([]);
    expect(run.transitions).toBe(7);
    // AcquireCapacity (a free unit: it resumes its own token), MarkGenerating, StartGeneration,
    // BuildTranscodeSettings, RegisterClip and the event handler.
    expect(run.invocations).toBe(6);
  });

  it('without it: CheckGeneration once, then one transition and one invocation per further look', async () => {
    const run = await generate({ pollMs: 100, modelOutputEvents: false });
    expect(run.states).toEqual([
      'RouteByJobType',
      'AcquireCapacity',
      'MarkGenerating',
      'StartGeneration',
      'CheckGeneration',
      'BuildTranscodeSettings',
      'Transcode',
      'RegisterClip',
    ]);
    expect(run.retried.every((s) => s === 'CheckGeneration')).toBe(true);
    const looks = run.retried.length;
    expect(run.transitions).toBe(8 + looks);
    expect(run.invocations).toBe(6 + looks);
  });
});
