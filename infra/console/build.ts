/**
 * Builds the console (console/ → console/dist) with Vite when the build is missing or older than its
 * sources, so that a fresh clone's `npm start`, the browser test and `cdk synth` all find it.
 * `npm run console:build` builds it unconditionally.
 */
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../console/', import.meta.url));
export const CONSOLE_DIST = path.join(ROOT, 'dist');
const STAMP = path.join(CONSOLE_DIST, 'index.html');
/** What the build reads besides console/: the shared constants it imports and the installed packages. */
const INPUTS = [ROOT, fileURLToPath(new URL('../../shared/clips/resolutions.ts', import.meta.url))];
const LOCKFILE = fileURLToPath(new URL('../../package-lock.json', import.meta.url));

async function newestInput(entry: string): Promise<number> {
  const info = await stat(entry);
  if (!info.isDirectory()) return info.mtimeMs;
  if (path.resolve(entry) === CONSOLE_DIST) return 0;
  const names = await readdir(entry);
  const times = await Promise.all(names.map((name) => newestInput(path.join(entry, name))));
  return Math.max(info.mtimeMs, ...times);
}

export async function consoleBuildIsStale(): Promise<boolean> {
  if (!existsSync(STAMP)) return true;
  const built = (await stat(STAMP)).mtimeMs;
  const inputs = await Promise.all([...INPUTS, LOCKFILE].filter(existsSync).map(newestInput));
  return Math.max(...inputs) > built;
}

export async function buildConsole(): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
}

/** Builds the console if needed; returns the folder to serve. */
export async function ensureConsoleBuilt(log: (line: string) => void = () => {}): Promise<string> {
  if (await consoleBuildIsStale()) {
    const started = Date.now();
    log('Building the web console…');
    await buildConsole();
    log(`Built the web console in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  }
  return CONSOLE_DIST;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildConsole();
  console.log(`built ${path.relative(process.cwd(), CONSOLE_DIST)}`);
}
