/**
 * Node 20 has no Promise.withResolvers, which aws-local-stepfunctions calls: the local workflow supplies it,
 * so a state machine still runs there (here, on Node 24, the method is taken away for the test).
 */
import { afterAll, expect, it, vi } from 'vitest';

// On globalThis, so the test config gives this file a process of its own (vitest.config.ts).
const statics = globalThis.Promise as unknown as { withResolvers?: unknown };
const native = statics.withResolvers;
afterAll(() => {
  statics.withResolvers = native;
});

it('runs an execution to its Catch when the runtime lacks Promise.withResolvers', async () => {
  delete statics.withResolvers;
  vi.resetModules();
  const { createLocalWorkflow } = await import('#infra/local/workflow.ts');
  const failed: { error?: unknown }[] = [];
  const workflow = createLocalWorkflow({
    tasks: {
      markProcessing: async () => {
        throw new Error('the job cannot start');
      },
      markFailed: async (state: { error?: unknown }) => {
        failed.push(state);
      },
    } as never,
    store: {} as never,
    jobs: { reportProgress: async () => {} } as never,
  });
  const job = {
    jobId: '11111111-2222-4333-8444-555555555555',
    userId: '66666666-7777-4888-9999-000000000000',
    projectId: '99999999-8888-4777-8666-555555555555',
    jobType: 'EDIT' as const,
  };
  expect(await workflow.start(job)).toBe('started');
  await workflow.idle();
  // The task's own failure reached the Catch, not a TypeError from the interpreter.
  expect(failed.map((s) => s.error)).toEqual([{ Error: 'Error', Cause: 'the job cannot start' }]);
});
