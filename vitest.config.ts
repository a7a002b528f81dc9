import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { useRunTmpdir } from './test/support/run-tmpdir.ts';

useRunTmpdir();

/**
 * Unit files that mock modules or touch process-wide state (the environment, globals, timers, the context
 * or metrics sink, AWS SDK clients mocked by aws-sdk-client-mock, which patches every instance of a client
 * class) run in a process of their own, as every other file does. The rest share one process
 * per worker: starting a process and importing the code again for each file cost more than their tests.
 */
const PROCESS_STATE =
  /vi\.(mock|doMock|stubEnv|stubGlobal|useFakeTimers)\b|process\.|globalThis|set(ContextFactory|MetricsSink)\b|mockClient\b|vi\.spyOn\b/;
const testFiles = (dir: string) =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => `${dir}/${f}`);
const touchesNoProcessState = (f: string) => !PROCESS_STATE.test(readFileSync(f, 'utf8'));
const sharedProcess = testFiles('test/unit').filter(touchesNoProcessState);
/**
 * Infra files that touch no process-wide state share one process per worker too: most synthesize a stage,
 * once per process for all of them (test/support/stage-synth.ts), and the bundle checks build each function
 * once (function-bundle.ts). Alone, each file imported the CDK and synthesized again.
 */
const sharedInfra = testFiles('test/infra').filter(touchesNoProcessState);
/**
 * So do the database suites: each opens databases of its own (db-drivers.ts) and closes them, and alone
 * each file imported the drivers and the stand-ins again and started PGlite in a new process.
 */
const sharedIntegration = testFiles('test/integration').filter(touchesNoProcessState);

export default defineConfig({
  test: {
    environment: 'node',
    pool: 'forks',
    // One worker per core. Vitest's default leaves a core out, which is one worker on two cores, and most
    // end-to-end files wait on ffmpeg, servers and timers rather than on a core.
    maxWorkers: Math.max(1, availableParallelism()),
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit (shared process)', include: sharedProcess, isolate: false },
      },
      {
        extends: true,
        test: {
          name: 'infra (shared process)',
          include: sharedInfra,
          isolate: false,
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration (shared process)',
          include: sharedIntegration,
          isolate: false,
          globalSetup: ['test/support/global-setup.ts'],
          setupFiles: ['test/support/print-failure-logs.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'isolated',
          include: ['test/**/*.test.ts'],
          exclude: [...sharedProcess, ...sharedInfra, ...sharedIntegration],
          globalSetup: ['test/support/global-setup.ts'],
          setupFiles: ['test/support/print-failure-logs.ts'],
        },
      },
    ],
  },
});
