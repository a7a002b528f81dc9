/**
 * The job metrics as the embedded environment writes them (the same EMF lines deployed functions write):
 * a completed, a failed and a cancelled job, read back by name, value and dimensions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmfRecord, METRICS_NAMESPACE } from '#shared/observability/metrics.ts';
import { submit, waitForJob } from '#test/support/jobs.ts';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';

let api: LocalApi;
let user: { userId: string; token: string };
let projectId: string;
const lines: string[] = [];
const failing = new Set<string>();

beforeAll(async () => {
  api = await startLocalApi({
    pollMs: 100,
    onMetric: (line) => lines.push(line),
    beforeTask: (state, input) => {
      if (state === 'BuildTranscodeSettings' && failing.has(input.jobId)) throw new Error('disk on fire');
    },
  });
  user = await api.newUser();
  projectId = (await api.call('POST', '/v1/projects', { token: user.token, body: { title: 'metrics' } })).body
    .id;
});
afterAll(async () => {
  await api?.stop();
});

const records = () => lines.map((l) => JSON.parse(l) as EmfRecord);
/** The records holding `name`, with the value and the dimension sets it was written under. */
const written = (name: string) =>
  records()
    .filter((r) => name in r)
    .map((r) => {
      const [directive] = r._aws.CloudWatchMetrics;
      return {
        record: r,
        value: r[name],
        dimensions: directive?.Dimensions,
        namespace: directive?.Namespace,
      };
    });

const generate = (durationSeconds: number) =>
  submit(api, user.token, projectId, {
    jobType: 'GENERATE',
    prompt: 'metrics pattern',
    parameters: { model: 'local', durationSeconds, resolution: '640x360' },
  });

describe('job metrics', () => {
  it('counts a completed job: submitted, started, model output, completed, with its timings', async () => {
    lines.length = 0;
    const submitted = await generate(2);
    expect(submitted.status).toBe(202);
    const { job } = await waitForJob(api, user.token, submitted.body.id);
    expect(job.status).toBe('COMPLETED');

    const labels = { service: 'ai-video', stage: 'local', jobType: 'GENERATE', model: 'local' };
    const sets = [
      ['service', 'stage'],
      ['service', 'stage', 'jobType'],
      ['service', 'stage', 'jobType', 'model'],
    ];
    for (const name of ['JobsSubmitted', 'JobsCompleted']) {
      expect(written(name)).toEqual([
        { record: expect.objectContaining(labels), value: 1, dimensions: sets, namespace: METRICS_NAMESPACE },
      ]);
    }
    const [started] = written('TimeToStart');
    const [output] = written('TimeToModelOutput');
    const [completed] = written('TimeToComplete');
    expect(started?.record).toMatchObject(labels);
    expect(started?.value).toBeGreaterThanOrEqual(0);
    expect(output?.value).toBeGreaterThanOrEqual(started?.value as number);
    expect(completed?.value).toBeGreaterThanOrEqual(output?.value as number);
    expect(written('GenerationSeconds').map((m) => m.value)).toEqual([2]);
    const [minutes] = written('TranscodeMinutes');
    expect(minutes?.value as number).toBeCloseTo(2 / 60, 2);
    expect(written('JobsFailed')).toEqual([]);
    expect(written('JobsCancelled')).toEqual([]);

    // Every request was counted by route and status class, never by anything unbounded.
    const requests = written('ApiRequests');
    expect(requests.map((m) => m.record.route)).toContain('POST /v1/projects/{projectId}/jobs');
    expect(requests.map((m) => m.record.route)).toContain('GET /v1/jobs/{jobId}');
    for (const m of requests) {
      expect(m.dimensions).toEqual([
        ['service', 'stage', 'statusClass'],
        ['service', 'stage', 'statusClass', 'route'],
      ]);
      expect(m.record.statusClass).toBe('2xx');
    }
    expect(lines.join('\n')).not.toContain(user.userId);
    expect(lines.join('\n')).not.toContain(submitted.body.id);
  });

  it('counts a failed job once, as a system failure', async () => {
    lines.length = 0;
    const submitted = await generate(1);
    failing.add(submitted.body.id);
    const { job } = await waitForJob(api, user.token, submitted.body.id);
    expect(job.status).toBe('FAILED');
    expect(written('JobsFailed')).toEqual([
      {
        record: expect.objectContaining({ jobType: 'GENERATE', model: 'local', failureClass: 'system' }),
        value: 1,
        dimensions: [
          ['service', 'stage', 'failureClass'],
          ['service', 'stage', 'jobType', 'failureClass'],
          ['service', 'stage', 'jobType', 'failureClass', 'model'],
        ],
        namespace: METRICS_NAMESPACE,
      },
    ]);
    expect(written('JobsCompleted')).toEqual([]);
    expect(written('JobsCancelled')).toEqual([]);
  });

  it('counts a cancelled job as cancelled, not as a failure', async () => {
    lines.length = 0;
    const submitted = await generate(6);
    const cancelled = await api.call('POST', `/v1/jobs/${submitted.body.id}/cancel`, { token: user.token });
    expect(cancelled.status).toBe(200);
    await api.env.idle();
    expect(written('JobsCancelled')).toEqual([
      {
        record: expect.objectContaining({ jobType: 'GENERATE', model: 'local', JobsCancelled: 1 }),
        value: 1,
        dimensions: [
          ['service', 'stage'],
          ['service', 'stage', 'jobType'],
          ['service', 'stage', 'jobType', 'model'],
        ],
        namespace: METRICS_NAMESPACE,
      },
    ]);
    expect(written('JobsFailed')).toEqual([]);
    expect(written('JobsCompleted')).toEqual([]);
  });
});
