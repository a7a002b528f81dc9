import { describe, expect, it } from 'vitest';
import { failureClass } from '#shared/pipeline/failure-class.ts';

const lambdaCause = (name: string, message: string) =>
  JSON.stringify({ errorType: name, errorMessage: message, trace: ['at x.js:1'] });

describe('failureClass', () => {
  it('counts what users cause as user failures: cancels, limits, bad input, blocked prompts', () => {
    expect(failureClass({ Error: 'JobCancelled', Cause: 'Cancelled by user.' })).toBe('user');
    expect(failureClass({ Error: 'TierLimitError', Cause: lambdaCause('TierLimitError', 'too long') })).toBe(
      'user',
    );
    expect(failureClass({ Error: 'QuotaExceededError' })).toBe('user');
    expect(
      failureClass({ Error: 'UnreadableMedia', Cause: lambdaCause('UnreadableMedia', 'not a video') }),
    ).toBe('user');
    expect(
      failureClass({
        Error: 'GenerationFailed',
        Cause: lambdaCause(
          'GenerationFailed',
          "The prompt or image was blocked by nova-reel's content filters; rephrase it and submit the job again.",
        ),
      }),
    ).toBe('user');
    expect(
      failureClass({
        Error: 'JobInputError',
        Cause: lambdaCause(
          'JobInputError',
          'The uploaded video lasts 700 s; the FREE tier accepts up to 60 s.',
        ),
      }),
    ).toBe('user');
  });

  it('counts what the model could not do as model failures', () => {
    expect(
      failureClass({
        Error: 'GenerationFailed',
        Cause: lambdaCause('GenerationFailed', 'luma-ray2 could not make the video; submit the job again.'),
      }),
    ).toBe('model');
    expect(failureClass({ Error: 'GenerationTimedOut', Cause: 'The video model did not finish.' })).toBe(
      'model',
    );
    expect(failureClass({ Error: 'ModelThrottled', Cause: lambdaCause('ModelThrottled', 'busy') })).toBe(
      'model',
    );
  });

  it('counts infrastructure and configuration faults as system failures', () => {
    for (const name of [
      'States.Timeout',
      'States.TaskFailed',
      'States.Runtime',
      'Lambda.ServiceException',
      'MediaConvert.AWSMediaConvertException',
      'TypeError',
      'Interrupted',
      'DatabaseErrorException',
    ]) {
      expect(failureClass({ Error: name, Cause: 'x' }), name).toBe('system');
    }
    expect(
      failureClass({
        Error: 'GenerationFailed',
        Cause: lambdaCause(
          'GenerationFailed',
          "nova-reel is not enabled for this service's AWS account; an administrator has to enable access to the model in Amazon Bedrock.",
        ),
      }),
    ).toBe('system');
    expect(
      failureClass({ Error: 'Error', Cause: lambdaCause('Error', 'Failed query: select 1\nparams: ') }),
    ).toBe('system');
    expect(
      failureClass({ Error: 'Error', Cause: lambdaCause('Error', 'The transcoded video is missing.') }),
    ).toBe('system');
    expect(failureClass({ Error: 'DatabaseUnavailable' })).toBe('system');
    expect(failureClass({ Error: 'States.Timeout' })).toBe('system');
    expect(failureClass(undefined)).toBe('system');
    expect(failureClass({ Error: 'GenerationFailed', Cause: 'not json {' })).toBe('model');
  });
});
