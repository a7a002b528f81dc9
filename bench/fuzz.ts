import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import {
  type FuzzRequest,
  newTally,
  type OpenApiDocument,
  requestArbitrary,
  seedWorld,
  send,
} from '../test/support/fuzz-requests.ts';
import { freePort, startProcess, stopProcess } from './_processes.ts';

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const CONCURRENCY = Number(process.env.FUZZ_CONCURRENCY ?? 8);
const SEED = Number(process.env.FUZZ_SEED ?? 1);

export async function run(): Promise<string> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'fuzz-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = await startProcess(
    ['infra/local/main.ts'],
    { PORT: String(port), DATA_DIR: path.join(dataDir, 'data'), LOG_LEVEL: 'ERROR' },
    path.join(dataDir, 'server.log'),
    url,
  );
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
    await stopProcess(child);
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(await run());
