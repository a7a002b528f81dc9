/** The EMF lines of a job's life: names, values, units and dimension sets, as CloudWatch will read them. */
import { afterEach, expect, it, vi } from 'vitest';
import { captureMetrics, jobLabels, jobMetrics } from '#shared/observability/metrics.ts';

afterEach(() => {
  vi.unstubAllEnvs();
});

const submittedAt = new Date('2026-11-26T10:00:00.000Z');
const at = (seconds: number) => submittedAt.getTime() + seconds * 1000;
const generate = jobLabels({ jobType: 'GENERATE', parameters: { model: 'luma-ray2', prompt: 'x' } });
const sets = (...extra: string[]) => [
  ['service', 'stage', ...extra],
  ['service', 'stage', 'jobType', ...extra],
  ['service', 'stage', 'jobType', ...extra, 'model'],
];
const metricsOf = (r: { _aws: { CloudWatchMetrics: { Metrics: unknown[] }[] } }) =>
  r._aws.CloudWatchMetrics[0]?.Metrics;

it('labels jobs by type and model only', () => {
  expect(generate).toEqual({ jobType: 'GENERATE', model: 'luma-ray2' });
  expect(jobLabels({ jobType: 'GENERATE', parameters: {} })).toEqual({ jobType: 'GENERATE', model: 'local' });
  expect(jobLabels({ jobType: 'EDIT', parameters: { model: 'x' } })).toEqual({
    jobType: 'EDIT',
    model: 'none',
  });
});

it('writes a completed job: time to start, to model output and to completion, model and transcode output', async () => {
  vi.stubEnv('STAGE', 'prod');
  const records = await captureMetrics(() => {
    jobMetrics.submitted(generate);
    jobMetrics.started(generate, submittedAt, at(4));
    jobMetrics.modelOutput(generate, submittedAt, 9, at(130));
    jobMetrics.completed(generate, submittedAt, 9, at(190));
  });
  expect(records.map((r) => r._aws.CloudWatchMetrics[0]?.Dimensions)).toEqual(Array(4).fill(sets()));
  for (const r of records) {
    expect(r).toMatchObject({ service: 'ai-video', stage: 'prod', jobType: 'GENERATE', model: 'luma-ray2' });
    expect(r._aws.CloudWatchMetrics[0]?.Namespace).toBe('AiVideo');
  }
  expect(records[0]).toMatchObject({ JobsSubmitted: 1 });
  expect(records[1]).toMatchObject({ TimeToStart: 4 });
  expect(records[2]).toMatchObject({ TimeToModelOutput: 130, GenerationSeconds: 9 });
  expect(records[3]).toMatchObject({ JobsCompleted: 1, TimeToComplete: 190, TranscodeMinutes: 0.15 });
  expect(metricsOf(records[3]!)).toEqual([
    { Name: 'JobsCompleted', Unit: 'Count' },
    { Name: 'TimeToComplete', Unit: 'Seconds' },
    { Name: 'TranscodeMinutes', Unit: 'None' },
  ]);
});

it('writes a failed job with its class, and a cancelled one apart from failures', async () => {
  const edit = jobLabels({ jobType: 'EDIT', parameters: {} });
  const records = await captureMetrics(() => {
    jobMetrics.failed(edit, 'model');
    jobMetrics.cancelled(edit);
  });
  expect(records[0]).toMatchObject({ JobsFailed: 1, failureClass: 'model', jobType: 'EDIT', model: 'none' });
  expect(records[0]?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual(sets('failureClass'));
  expect(records[1]).toMatchObject({ JobsCancelled: 1, jobType: 'EDIT', stage: 'local' });
  expect(records[1]).not.toHaveProperty('JobsFailed');
  expect(records[1]?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual(sets());
});

it('writes nothing outside Lambda unless a sink is installed', async () => {
  const write = vi.spyOn(process.stdout, 'write');
  jobMetrics.submitted(generate);
  expect(write).not.toHaveBeenCalled();
  vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'pipeline-register-clip');
  write.mockImplementation(() => true);
  jobMetrics.submitted(generate);
  expect(String(write.mock.calls[0]?.[0])).toMatch(/^\{"_aws":.*"JobsSubmitted":1\}\n$/);
  write.mockRestore();
});
