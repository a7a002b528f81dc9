/**
 * Runs every benchmark module (each exports `run(): Promise<string>` returning a markdown section) and
 * writes the results, with the machine and the date, to .bench/latest.md. Copy what you want to keep into
 * BENCHMARKS.md. `npm run bench -- db-keyset` runs only the modules whose file name contains an argument.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface BenchModule {
  run(): Promise<string>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const mem = (os.totalmem() / 1024 ** 3).toFixed(0);
  return `${os.cpus().length} × ${cpu}, ${mem} GiB, ${os.type()} ${os.release()}, Node ${process.version}`;
}

const files = (await readdir(here))
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

const sections: string[] = [`# Benchmark run ${new Date().toISOString()}`, '', `Machine: ${machine()}`, ''];
for (const file of files) {
  const mod = (await import(pathToFileURL(path.join(here, file)).href)) as Partial<BenchModule>;
  if (typeof mod.run !== 'function') continue;
  process.stderr.write(`bench: ${file}\n`);
  try {
    sections.push(await mod.run(), '');
  } catch (error) {
    sections.push(`## ${file}`, '', `failed: ${(error as Error).message}`, '');
  }
}
const out = sections.join('\n');
await mkdir(path.join(here, '..', '.bench'), { recursive: true });
await writeFile(path.join(here, '..', '.bench', 'latest.md'), out);
process.stdout.write(out);
