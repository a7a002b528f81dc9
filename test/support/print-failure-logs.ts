/**
 * Setup file: what the local environments logged during a test that failed (see failure-logs.ts) joins
 * its error, so that the failure summary at the end of a run, which CI keeps, shows why a job failed.
 */
import { beforeEach } from 'vitest';
import { takeFailureLogs } from './failure-logs.ts';

beforeEach(({ onTestFailed }) => {
  // Lines logged between tests (a file's beforeAll, an earlier test's late work) belong to no test.
  takeFailureLogs();
  onTestFailed(({ task }) => {
    const logged = takeFailureLogs();
    const error = task.result?.errors?.[0];
    if (logged.length && error)
      error.message += `\n\nThe local environment logged, during this test:\n${logged.map((l) => l.slice(0, 1_500)).join('\n')}`;
  });
});
