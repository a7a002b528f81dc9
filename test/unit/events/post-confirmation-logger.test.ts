/**
 * The post-confirmation trigger logs only when something goes wrong, so its cold start builds no logger:
 * the first failure does.
 */
import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';

const built = vi.hoisted(() => ({ loggers: 0 }));

vi.mock('@aws-lambda-powertools/logger', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@aws-lambda-powertools/logger')>();
  class CountedLogger extends actual.Logger {
    constructor(...args: ConstructorParameters<typeof actual.Logger>) {
      super(...args);
      built.loggers += 1;
    }
  }
  return { ...actual, Logger: CountedLogger };
});

describe('Cognito post-confirmation trigger logger', () => {
  it('is built by the first event it has to log, not when the function loads', async () => {
    const { handler } = await import('#functions/events/cognito-post-confirmation.ts');
    expect(built.loggers).toBe(0);
    const forgotPassword = {
      triggerSource: 'PostConfirmation_ConfirmForgotPassword',
    } as unknown as PostConfirmationTriggerEvent;
    await expect(handler(forgotPassword)).resolves.toBe(forgotPassword);
    expect(built.loggers).toBe(0);
    const unexpected = {
      triggerSource: 'PostConfirmation_ConfirmSignUp',
      request: { userAttributes: { email: 'ada@example.com' } },
    } as unknown as PostConfirmationTriggerEvent;
    const errors = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    await expect(handler(unexpected)).resolves.toBe(unexpected);
    errors.mockRestore();
    expect(built.loggers).toBe(1);
  });
});
