import { expect, it } from 'vitest';
import { transcodeProgress } from '#shared/pipeline/progress.ts';
import { failureMessage, fitFrame, SERVICE_PROBLEM, TRANSCODE_FAILED } from '#shared/pipeline/tasks.ts';

it('shows messages written for users and hides infrastructure details', () => {
  const lambdaCause = (name: string, message: string) =>
    JSON.stringify({ errorType: name, errorMessage: message, trace: ['at secret.js:1'] });
  expect(
    failureMessage({
      Error: 'GenerationFailed',
      Cause: lambdaCause('GenerationFailed', 'Blocked by filters.'),
    }),
  ).toBe('Blocked by filters.');
  expect(
    failureMessage({ Error: 'JobInputError', Cause: 'A source clip was deleted before the job ran.' }),
  ).toBe('A source clip was deleted before the job ran.');
  expect(failureMessage({ Error: 'States.Timeout' })).toBe('The job took too long and was stopped.');
  // MediaConvert's own words can name keys and buckets.
  const transcode = failureMessage({
    Error: 'MediaConvert.AWSMediaConvertException',
    Cause: '{"ErrorMessage":"Failed to read s3://media/users/u/projects/p/clips/c/video.mp4"}',
  });
  expect(transcode).toBe(TRANSCODE_FAILED);
  const internal = failureMessage({
    Error: 'DatabaseErrorException',
    Cause: lambdaCause('x', 'password=hunter2'),
  });
  expect(internal).toBe(SERVICE_PROBLEM);
  expect(failureMessage(undefined)).toBe('The job failed.');
});

it('never passes tool output through: ffmpeg stderr, SDK messages, keys and absolute paths', () => {
  const leaks = [
    // What the local executor threw for a source declared with audio that has none (a plain Error).
    {
      Error: 'Error',
      Cause:
        "ffmpeg failed (234): [fc#0 @ 0x5555] Stream specifier ':a' in filtergraph description matches no streams. /tmp/transcode-abc/in0",
    },
    {
      Error: 'NoSuchKey',
      Cause: 'The specified key does not exist. users/other/projects/p/clips/c/poster.0000000.jpg',
    },
    { Error: 'States.TaskFailed', Cause: 'ENOENT: no such file or directory, open /etc/passwd' },
    { Error: 'TypeError', Cause: "Cannot read properties of undefined (reading 'key')" },
  ];
  for (const error of leaks) {
    const message = failureMessage(error);
    expect([SERVICE_PROBLEM, TRANSCODE_FAILED]).toContain(message);
    expect(message).not.toMatch(/ffmpeg|\/tmp|\/etc|users\/|key|Stream|undefined|NoSuchKey|TypeError/);
  }
});

it('scales frames down to the tier in either orientation and never up', () => {
  expect(fitFrame(3840, 2160, 1920, 1080)).toEqual({ width: 1920, height: 1080 });
  expect(fitFrame(2160, 3840, 1920, 1080)).toEqual({ width: 1080, height: 1920 });
  expect(fitFrame(640, 360, 1920, 1080)).toEqual({ width: 640, height: 360 });
});

it('maps transcode progress into its band', () => {
  expect(transcodeProgress(0)).toBe(72);
  expect(transcodeProgress(1)).toBe(97);
  expect(transcodeProgress(2)).toBe(97);
});
