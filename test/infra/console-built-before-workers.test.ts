/**
 * The global setup builds the console before the workers start (test/support/global-setup.ts), so no test
 * file finds it missing or stale and builds it while another file's synth or browser test reads it.
 */
import { expect, it } from 'vitest';
import { consoleBuildIsStale } from '#infra/console/build.ts';

it('finds the web console already built and up to date', () => {
  expect(consoleBuildIsStale()).toBe(false);
});
