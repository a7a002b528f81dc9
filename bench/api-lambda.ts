/**
 * The API as Lambda runs it: each function's handler invoked in-process with API Gateway v2 events, one
 * request at a time, against a floor doing the same repository call in the same process (see
 * bench/_api-lambda-worker.ts). The figure is CPU time per request, which a busy machine disturbs less than
 * throughput. Each run is a fresh worker process (a cold container that then warms), RUNS runs per route,
 * median and range; a run with any failed request is no result. PostgreSQL at BENCH_PG_URL; dynalite (the
 * idempotency and rate-limit tables) in a process of its own, and a Step Functions stand-in in another that
 * answers StartExecution (bench/_sfn-stub.ts); audit entries are stdout lines, as deployed. BENCH_ROUTES
 * (project,list,clip,create-project,create-job) picks routes;
 * BENCH_PROFILE=<dir> writes CPU profiles of the measured blocks (handler's and floor's) there and adds
 * where the handler's time went, and how much of it per request beyond the floor's, by part. Profiled
 * runs cost more CPU than plain ones (the sampler runs every 100 µs): read their tables, not their ratios.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadOrCreateSigningKey } from '#shared/auth/local-issuer.ts';
import { openNodePostgres } from '#shared/db/drivers/node-postgres.ts';
import { migrate } from '#shared/db/migrate.ts';
import type { LambdaPlan, LambdaResult, LambdaRoute } from './_api-lambda-worker.ts';
import { benchDatabase, median, seedUsers } from './_api-seed.ts';
import { root, startStandIn, stopProcess, tsx } from './_processes.ts';
import { comparisonTable, summarizeProfiles, summaryTable } from './_profile-summary.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const USERS = Number(process.env.BENCH_USERS ?? 1000);
const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 4);
const PER_BLOCK = Number(process.env.BENCH_PER_BLOCK ?? 100);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 100);
const ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/bench';

const ROUTES: { name: string; route: LambdaRoute; write: boolean }[] = [
  { name: 'GET /v1/projects/{id}', route: 'project', write: false },
  { name: 'GET /v1/projects?limit=20', route: 'list', write: false },
  { name: 'GET /v1/clips/{id} (signed URLs)', route: 'clip', write: false },
  { name: 'POST /v1/projects', route: 'create-project', write: true },
  { name: 'POST /v1/projects/{id}/jobs', route: 'create-job', write: true },
];

/** The deployed function that serves each measured route (its name turns on Lambda's per-request lines). */
const FUNCTION_OF: Record<LambdaRoute, string> = {
  project: 'api-projects',
  list: 'api-projects',
  clip: 'api-clips',
  'create-project': 'api-projects',
  'create-job': 'api-jobs',
};

async function worker(route: LambdaRoute, planFile: string, resultFile: string): Promise<LambdaResult> {
  const child = spawn(tsx, [path.join(root, 'bench', '_api-lambda-worker.ts'), planFile, resultFile], {
    cwd: root,
    // As in a Lambda environment: the request's EMF metric line and the correlation id on every log line.
    env: { ...process.env, AWS_LAMBDA_FUNCTION_NAME: FUNCTION_OF[route] },
    // The handlers' log and audit lines go down a pipe, as a Lambda's stdout does, and are dropped here;
    // only failures are kept.
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.resume();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`worker exited with ${code}: ${stderr.slice(-500)}`);
  return JSON.parse(await readFile(resultFile, 'utf8')) as LambdaResult;
}

/** A stand-in in a process of its own (another host on AWS) that prints what to reach it by. */
const range = (xs: number[], digits = 0) =>
  `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;

export async function run(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'api-lambda-'));
  const database = await benchDatabase('apilambda');
  const dynamo = await startStandIn<LambdaPlan['dynamo']>('_api-dynamo.ts');
  const stepFunctions = await startStandIn<LambdaPlan['stepFunctions']>('_sfn-stub.ts');
  try {
    const handle = openNodePostgres({ url: database.url });
    await migrate(handle.db);
    await handle.close();
    const keyDir = path.join(dir, 'keys');
    const key = await loadOrCreateSigningKey(keyDir);
    const users = await seedUsers(database.url, key, ISSUER, USERS);
    const only = (process.env.BENCH_ROUTES ?? '').split(',').filter(Boolean);
    if (process.env.BENCH_PROFILE) await mkdir(process.env.BENCH_PROFILE, { recursive: true });
    const rows: string[] = [];
    const breakdowns: string[] = [];
    for (const { name, route, write } of ROUTES.filter((r) => only.length === 0 || only.includes(r.route))) {
      const runs: LambdaResult[] = [];
      for (let i = 0; i < RUNS; i += 1) {
        const plan: LambdaPlan = {
          databaseUrl: database.url,
          dynamo: { endpoint: dynamo.endpoint, tables: dynamo.tables },
          stepFunctions: { endpoint: stepFunctions.endpoint },
          keyDir,
          issuer: ISSUER,
          users,
          route,
          warmup: WARMUP,
          blocks: BLOCKS,
          perBlock: PER_BLOCK,
        };
        const planFile = path.join(dir, `${route}-${i}.json`);
        await writeFile(planFile, JSON.stringify(plan));
        runs.push(await worker(route, planFile, path.join(dir, `${route}-${i}.result.json`)));
        process.stderr.write(`api-lambda: ${name} run ${i + 1}/${RUNS}: ${JSON.stringify(runs.at(-1))}\n`);
      }
      const profileDir = process.env.BENCH_PROFILE;
      if (profileDir) {
        const names = await readdir(profileDir);
        const files = (side: string) =>
          names
            .filter((f) => f.startsWith(`${route}-${side}-`) && f.endsWith('.cpuprofile'))
            .map((f) => path.join(profileDir, f));
        const requests = RUNS * BLOCKS * PER_BLOCK;
        breakdowns.push(
          `### ${name}: the handler's blocks`,
          '',
          summaryTable(await summarizeProfiles(files('handler'))),
          '',
          `#### ${name}: the handler beside the floor`,
          '',
          await comparisonTable({ files: files('handler'), requests }, { files: files('floor'), requests }),
          '',
          `#### ${name}: the handler beside the floor + duties`,
          '',
          await comparisonTable(
            { files: files('handler'), requests },
            { files: files('duties'), requests },
            'floor + duties',
          ),
          '',
        );
      }
      const failures = runs.reduce((n, r) => n + r.failures, 0);
      const ratios = runs.map((r) => r.floorCpuUs / r.handlerCpuUs);
      const dutyRatios = runs.map((r) => r.dutiesCpuUs / r.handlerCpuUs);
      const ratioCell = (all: number[]) =>
        `**${median(all).toFixed(2)}** (${Math.min(...all).toFixed(2)}–${Math.max(...all).toFixed(2)})`;
      const target = write ? 0.5 : 0.7;
      rows.push(
        failures > 0
          ? `| ${name} | FAILED: ${failures} failed requests (${runs.find((r) => r.firstFailure)?.firstFailure}) | | | | | | |`
          : `| ${name} | ${range(runs.map((r) => r.handlerCpuUs))} | ${range(runs.map((r) => r.floorCpuUs))} | ${ratioCell(ratios)} | ${range(
              runs.map((r) => r.handlerWallMs),
              2,
            )} | ${median(ratios) >= target ? 'met' : 'missed'} (≥ ${target}) | ${range(runs.map((r) => r.dutiesCpuUs))} | ${ratioCell(dutyRatios)} |`,
      );
    }
    return [
      `## API, Lambda-shaped (handlers in-process with API Gateway v2 events, one request at a time; ${USERS} users, ${WARMUP} warm-up then ${BLOCKS}×${PER_BLOCK} requests per target, median of ${RUNS} fresh processes)`,
      '',
      '| route | handler CPU µs/request median (min–max) | floor CPU µs/request | floor / handler | handler wall ms/request | target | floor + duties CPU µs/request | floor + duties / handler |',
      '|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
      'CPU is the worker process’s user+system time per request: everything the function does (token check, validation, routing, URL signing, the SQL through node-postgres, a job’s StartExecution call, and the three stdout lines of a request as deployed: its log line, its EMF metric line and its audit entry), but not the database’s work, which runs elsewhere as it does on AWS, nor the audit writer’s, which runs later in another function, nor the job’s execution (Step Functions’ StartExecution is answered by a stand-in in another process, and each job is cancelled after its block, outside the measurement). ' +
        'The floor is the same repository call and JSON serialisation in the same process, in alternating blocks. ' +
        'Floor + duties (bench/_floor-duties.ts, a third block in turn) adds, written plainly with node:crypto, what any server must do for each such request: the token checked as the API checks it (RS256 signature, issuer, token use, client, expiry, issue time, UUID subject; a verified token remembered until it expires), the path’s id checked as a UUID, and the same three stdout lines in one write. The target stays against the bare floor; the duties column shows how much of the gap those duties are. ' +
        'Each request is signed by a user drawn at random (jobs: the users in a shuffled cycle), so the verified-token cache of a fresh process misses often.',
      ...(breakdowns.length ? ['', ...breakdowns] : []),
    ].join('\n');
  } finally {
    await stopProcess(dynamo.child);
    await stopProcess(stepFunctions.child);
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(await run());
