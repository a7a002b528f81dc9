import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { useRunTmpdir } from './test/support/run-tmpdir.ts';

useRunTmpdir();

/**
 * Test files that mock modules or touch process-wide state (the environment, globals, timers, the context
 * or metrics sink, AWS SDK clients mocked by aws-sdk-client-mock, which patches every instance of a client
 * class) run in a process of their own. The rest share one process per worker, within their folder's
 * project: starting a process and importing the code again cost more than many files' tests (about 2 s for
 * an end-to-end or database file, which also compiled PGlite again). Each such file still starts its own
 * local environment or opens its own databases, and closes them when it ends. The infra files synthesize
 * each stage once per process (test/support/stage-synth.ts) and build each function's bundle once
 * (test/support/function-bundle.ts). A support module that does such things for the file importing it
 * (deployed-function.ts stubs the environment and mocks the AWS clients) isolates that file too.
 */
const PROCESS_STATE =
  /vi\.(mock|doMock|stubEnv|stubGlobal|useFakeTimers)\b|process\.|globalThis|set(ContextFactory|MetricsSink)\b|mockClient\b|vi\.spyOn\b|#test\/support\/(deployed-function)\.ts/;
const sharingFiles = (dir: string) =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => `${dir}/${f}`)
    .filter((f) => !PROCESS_STATE.test(readFileSync(f, 'utf8')));
const sharedUnit = sharingFiles('test/unit');
const shared = {
  infra: sharingFiles('test/infra'),
  integration: sharingFiles('test/integration'),
  e2e: sharingFiles('test/e2e'),
};

export default defineConfig({
  test: {
    environment: 'node',
    pool: 'forks',
    reporters: ['default', './test/support/unfinished-files-reporter.ts'],
    // One worker per core. Vitest's default leaves a core out, which is one worker on two cores, and most
    // end-to-end files wait on ffmpeg, servers and timers rather than on a core.
    maxWorkers: Math.max(1, availableParallelism()),
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit (shared process)', include: sharedUnit, isolate: false },
      },
      ...Object.entries(shared).map(([folder, include]) => ({
        extends: true as const,
        test: {
          name: `${folder} (shared process)`,
          include,
          isolate: false,
          globalSetup: ['test/support/global-setup.ts'],
          setupFiles: ['test/support/print-failure-logs.ts'],
        },
      })),
      {
        extends: true,
        test: {
          name: 'isolated',
          include: ['test/**/*.test.ts'],
          exclude: [...sharedUnit, ...Object.values(shared).flat()],
          globalSetup: ['test/support/global-setup.ts'],
          setupFiles: ['test/support/print-failure-logs.ts'],
        },
      },
    ],
  },
});
