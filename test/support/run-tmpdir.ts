/**
 * One temporary folder per test run: every file a test or the code under test puts in the system's
 * temporary folder (CDK's cdk.out folders, probed clips, uploads, data dirs) goes under it, and the run
 * removes it as it exits, so that repeated runs do not fill /tmp. Worker processes inherit TMPDIR.
 * Files meant to outlive a run (the PGlite template) go to cacheTmpdir().
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CACHE_VARIABLE = 'AI_VIDEO_TEST_CACHE_DIR';

export function useRunTmpdir(): void {
  if (process.env[CACHE_VARIABLE]) return;
  const system = os.tmpdir();
  process.env[CACHE_VARIABLE] = system;
  const run = mkdtempSync(path.join(system, 'ai-video-test-'));
  process.env.TMPDIR = run;
  process.on('exit', () => rmSync(run, { recursive: true, force: true }));
}

/** The system's temporary folder, which outlives the run. */
export const cacheTmpdir = () => process.env[CACHE_VARIABLE] ?? os.tmpdir();
