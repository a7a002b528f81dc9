import { expect, it } from 'vitest';
import { failedStateOf } from '#functions/events/execution-ended.ts';
import { progressOf } from '#functions/events/mediaconvert-state-change.ts';
import { failureMessage } from '#shared/pipeline/tasks.ts';

const jobId = '11111111-2222-4333-8444-555555555555';

it('moves progress through the transcode band on STATUS_UPDATE events only', () => {
  const event = (status: string, pct?: number) => ({
    'detail-type': 'MediaConvert Job State Change',
    detail: {
      status,
      userMetadata: { jobId },
      ...(pct === undefined ? {} : { jobProgress: { jobPercentComplete: pct } }),
    },
  });
  expect(progressOf(event('STATUS_UPDATE', 0))).toEqual({ jobId, progress: 72 });
  expect(progressOf(event('STATUS_UPDATE', 60))).toEqual({ jobId, progress: 87 });
  expect(progressOf(event('STATUS_UPDATE'))).toBeNull();
  expect(progressOf(event('COMPLETE', 100))).toBeNull();
  expect(progressOf({ 'detail-type': 'x', detail: { status: 'STATUS_UPDATE' } })).toBeNull();
});

it('closes stopped, timed-out and failed executions with a message, and ignores the rest', () => {
  const input = JSON.stringify({ jobId, userId: 'u', projectId: 'p', jobType: 'GENERATE' });
  const aborted = failedStateOf({ detail: { status: 'ABORTED', input, error: 'JobCancelled' } });
  expect(aborted).toMatchObject({ jobId, error: { Error: 'JobCancelled', Cause: 'Cancelled by user.' } });
  expect(failureMessage(aborted!.error)).toBe('Cancelled by user.');
  const timedOut = failedStateOf({ detail: { status: 'TIMED_OUT', input } });
  expect(failureMessage(timedOut!.error)).toBe('The job took too long and was stopped.');
  expect(
    failedStateOf({ detail: { status: 'FAILED', input, error: 'Lambda.Unknown', cause: 'x' } }),
  ).toMatchObject({
    error: { Error: 'Lambda.Unknown' },
  });
  expect(failedStateOf({ detail: { status: 'FAILED', input, error: 'JobFailed', cause: 'x' } })).toBeNull();
  expect(failedStateOf({ detail: { status: 'SUCCEEDED', input } })).toBeNull();
  expect(failedStateOf({ detail: { status: 'ABORTED', input: null } })).toBeNull();
});
