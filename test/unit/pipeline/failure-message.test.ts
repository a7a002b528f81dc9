import { expect, it } from 'vitest';
import { transcodeProgress } from '#shared/pipeline/progress.ts';
import { failureMessage, fitFrame } from '#shared/pipeline/tasks.ts';

it('shows messages written for users and hides infrastructure details', () => {
  const lambdaCause = (name: string, message: string) =>
    JSON.stringify({ errorType: name, errorMessage: message, trace: ['at secret.js:1'] });
  expect(
    failureMessage({
      Error: 'GenerationFailed',
      Cause: lambdaCause('GenerationFailed', 'Blocked by filters.'),
    }),
  ).toBe('Blocked by filters.');
  expect(failureMessage({ Error: 'States.Timeout' })).toBe('The job took too long and was stopped.');
  expect(
    failureMessage({
      Error: 'MediaConvert.AWSMediaConvertException',
      Cause: '{"ErrorMessage":"Invalid input"}',
    }),
  ).toBe('Transcoding failed: Invalid input');
  const internal = failureMessage({
    Error: 'DatabaseErrorException',
    Cause: lambdaCause('x', 'password=hunter2'),
  });
  expect(internal).toMatch(/temporary service problem \(DatabaseErrorException\)/);
  expect(internal).not.toContain('hunter2');
  expect(failureMessage(undefined)).toBe('The job failed.');
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
