/**
 * `npm run bench -- fuzz`: at least 10,000 requests generated from the OpenAPI document (see
 * test/support/fuzz-requests.ts) against `npm start`'s server running in its own process, on a temporary
 * data directory and a free port. Prints the count of responses ≥ 500 and of 4xx that are not
 * application/problem+json (both targets 0), of another user's project, clip or job served, and the
 * total and rate. Jobs the fuzz gets accepted are cancelled at once, so the ffmpeg pipeline never piles up.
 * FUZZ_REQUESTS (default 10000), FUZZ_CONCURRENCY (default 8) and FUZZ_SEED (default 1) tune it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import fc from 'fast-check';
import {
  type FuzzRequest,
  newTally,
  type OpenApiDocument,
  requestArbitrary,
  seedWorld,
  send,
} from '../test/support/fuzz-requests.ts';

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const CONCURRENCY = Number(process.env.FUZZ_CONCURRENCY ?? 8);
const SEED = Number(process.env.FUZZ_SEED ?? 1);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function startServer(dataDir: string, port: number): Promise<{ child: ChildProcess; url: string }> {
  const log = createWriteStream(path.join(dataDir, 'server.log'));
  const child = spawn(path.join(root, 'node_modules', '.bin', 'tsx'), ['infra/local/main.ts'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), DATA_DIR: path.join(dataDir, 'data'), LOG_LEVEL: 'ERROR' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const healthy = await fetch(`${url}/v1/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (healthy) return { child, url };
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  child.kill('SIGTERM');
  throw new Error('server did not become healthy in 180 s');
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

export async function run(): Promise<string> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'fuzz-'));
  const { child, url } = await startServer(dataDir, await freePort());
  try {
    const doc = (await (await fetch(`${url}/v1/openapi.json`)).json()) as OpenApiDocument;
    const world = await seedWorld(url);
    const arbitrary = requestArbitrary(doc, world);
    const tally = newTally();
    let generated = 0;
    let batch: FuzzRequest[] = [];
    const next = (): FuzzRequest | undefined => {
      if (generated >= REQUESTS) return undefined;
      if (batch.length === 0) {
        batch = fc.sample(arbitrary, {
          seed: SEED + generated,
          numRuns: Math.min(500, REQUESTS - generated),
        });
      }
      generated += 1;
      return batch.shift();
    };
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let request = next(); request; request = next()) await send(url, request, world, tally);
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const serverLog = await readFile(path.join(dataDir, 'server.log'), 'utf8').catch(() => '');
    const statuses = Object.entries(tally.byStatus)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([status, count]) => `${status}: ${count}`)
      .join(', ');
    const failures = tally.failures
      .slice(0, 20)
      .map((f) => `- ${f.problem}: \`${f.request}\` → ${f.response}`);
    // Logged errors carry no parameters or tokens (see loggableError), so they can be shown.
    const errorLines = serverLog.split('\n').filter((l) => /"level":"ERROR"|^local API server:/.test(l));
    return [
      `## Fuzz (OpenAPI-generated requests, local server in its own process, seed ${SEED}, ${CONCURRENCY} concurrent)`,
      '',
      '| requests | seconds | req/s | responses ≥ 500 | 4xx not problem+json | other user served | transport errors |',
      '|---|---|---|---|---|---|---|',
      `| ${tally.total} | ${seconds.toFixed(1)} | ${(tally.total / seconds).toFixed(0)} | **${tally.serverErrors}** | **${tally.nonProblem4xx}** | ${tally.crossUser} | ${tally.transportErrors} |`,
      '',
      `Statuses: ${statuses}.`,
      `Jobs accepted and cancelled at once: ${tally.jobsCancelled}. Server log lines at ERROR: ${errorLines.length}.`,
      'Targets: 0 responses ≥ 500 and 0 4xx that are not application/problem+json.',
      ...(failures.length ? ['', 'First failures:', ...failures] : []),
      ...(errorLines.length
        ? ['', 'First server errors:', ...errorLines.slice(0, 10).map((l) => `    ${l.slice(0, 800)}`)]
        : []),
    ].join('\n');
  } finally {
    await stopServer(child);
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(await run());
