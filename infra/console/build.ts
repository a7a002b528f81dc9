/**
 * Builds the console (console/ → console/dist) with Vite when the build is missing or older than its
 * sources, so that a fresh clone's `npm start`, the browser test and `cdk synth` all find it.
 * `npm run console:build` builds it unconditionally.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../console/', import.meta.url));
export const CONSOLE_DIST = path.join(ROOT, 'dist');
const STAMP = path.join(CONSOLE_DIST, 'index.html');
/**
 * What the build reads: console/, shared/ (the console imports its constants: resolutions, tiers, template
 * categories, event types; the whole folder, so that a new import cannot be missed) and the installed packages.
 */
export const CONSOLE_INPUTS = [
  ROOT,
  fileURLToPath(new URL('../../shared/', import.meta.url)),
  fileURLToPath(new URL('../../package-lock.json', import.meta.url)),
];

function newestInput(entry: string): number {
  const info = statSync(entry);
  if (!info.isDirectory()) return info.mtimeMs;
  if (path.resolve(entry) === path.resolve(CONSOLE_DIST)) return 0;
  return Math.max(info.mtimeMs, ...readdirSync(entry).map((name) => newestInput(path.join(entry, name))));
}

export function consoleBuildIsStale(): boolean {
  if (!existsSync(STAMP)) return true;
  return Math.max(...CONSOLE_INPUTS.filter(existsSync).map(newestInput)) > statSync(STAMP).mtimeMs;
}

/**
 * Runs Vite's build in a child process (a few seconds). Always a production build: the JSX transform
 * follows NODE_ENV, and under vitest (NODE_ENV=test, where the test setup builds the console) it would
 * otherwise emit the development runtime, with every component's absolute source path in the bundle, and
 * a later `cdk synth` of the same checkout would deploy that build.
 */
export function buildConsole(): void {
  const pkg = createRequire(import.meta.url).resolve('vite/package.json');
  const vite = path.join(path.dirname(pkg), 'bin', 'vite.js');
  execFileSync(process.execPath, [vite, 'build', '--config', path.join(ROOT, 'vite.config.ts')], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Builds the console if needed; returns the folder to serve or deploy. */
export function ensureConsoleBuilt(log: (line: string) => void = () => {}): string {
  if (consoleBuildIsStale()) {
    const started = Date.now();
    log('Building the web console…');
    buildConsole();
    log(`Built the web console in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  }
  return CONSOLE_DIST;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildConsole();
  console.log(`built ${path.relative(process.cwd(), CONSOLE_DIST)}`);
}
