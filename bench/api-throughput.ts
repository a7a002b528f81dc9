/**
 * The API under load, against floors that cannot be beaten by much: five processes on one machine.
 * - the server under test: infra/local/main.ts as `npm start` runs it, on a fresh PostgreSQL database;
 * - the floor (bench/_api-floor.ts): a bare node:http server doing each route's SQL through the same
 *   driver and repositories, on the same database;
 * - the floor + duties: the same program with FLOOR_DUTIES=1, which also checks each request's token and
 *   writes its log, metric and audit lines (bench/_floor-duties.ts), as any server must;
 * - the load (bench/_api-load.ts): autocannon in a child process, signing each request as one of
 *   USERS users drawn at random, with new tokens every run, so each user's first request of a run misses
 *   the verified-token cache;
 * - this process, which seeds the database, mints the tokens and prints the table.
 * Every route runs RUNS times against each target, alternating; the table shows the median and the range.
 * A run with any non-2xx answer or error is not a result, and the route is printed as failed.
 * BENCH_ROUTES (comma-separated: project,list,clip,create-project,create-job) runs only those routes.
 * BENCH_KEEP=1 keeps the temporary folder (server and floor logs). BENCH_TARGETS (comma-separated: server,
 * floor, duties) runs only those targets (a ratio needs both of its sides). BENCH_PROFILE=1 starts the
 * targets with `node --cpu-prof`, writing their profiles to the kept folder. BENCH_DYNAMO_CALLS=1 has the server count its DynamoDB calls
 * (infra/local/dynamo-calls.ts) and prints, after each server run, the calls per request (jobs: per job).
 * Needs PostgreSQL at BENCH_PG_URL (postgres://postgres@127.0.0.1:5432 by default).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { LOCAL_DYNAMO_THREAD } from '#infra/local/dynamo.ts';
import { loadOrCreateSigningKey } from '#shared/auth/local-issuer.ts';
import type { LoadPlan, LoadResult, LoadUser } from './_api-load.ts';
import { benchDatabase, median, resignUsers, seedUsers } from './_api-seed.ts';
import {
  descendantsNamed,
  freePort,
  root,
  startProcess,
  stopProcess,
  threadCpuSeconds,
  treeCpuSeconds,
  tsx,
} from './_processes.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const USERS = Number(process.env.BENCH_USERS ?? 1000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

const ROUTES: { name: string; route: LoadPlan['route']; write: boolean }[] = [
  { name: 'GET /v1/projects/{id}', route: 'project', write: false },
  { name: 'GET /v1/projects?limit=20', route: 'list', write: false },
  { name: 'GET /v1/clips/{id} (signed URLs)', route: 'clip', write: false },
  { name: 'POST /v1/projects', route: 'create-project', write: true },
  { name: 'POST /v1/projects/{id}/jobs (cancelled at once)', route: 'create-job', write: true },
];

/**
 * Cancels the jobs still active after a run: those whose 202 came after autocannon stopped counting, so the
 * load generator never cancelled them. Left alone they would render in full (the server's local model)
 * and starve the next runs, the floor's included. Waits until no job is active and the target process has
 * no ffmpeg left (a cancelled render's ffmpeg is stopped after its job has ended).
 */
async function settleJobs(
  databaseUrl: string,
  url: string,
  users: LoadUser[],
  target: ChildProcess,
): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const byId = new Map(users.map((u) => [u.userId, u]));
    for (let attempt = 0; attempt < 600; attempt += 1) {
      const { rows } = await client.query<{ id: string; user_id: string }>(
        `SELECT id::text, user_id::text FROM generation_jobs WHERE status IN ('QUEUED', 'PROCESSING')`,
      );
      if (rows.length === 0 && (await descendantsNamed(target.pid!, 'ffmpeg')).length === 0) return;
      await Promise.all(
        rows.map(async (job) => {
          const u = byId.get(job.user_id);
          if (!u) return;
          await fetch(`${url}/v1/jobs/${job.id}/cancel`, {
            method: 'POST',
            headers: { authorization: `Bearer ${u.token}`, 'x-user-id': u.userId },
          }).then((r) => r.arrayBuffer());
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error('jobs still active 5 minutes after the run');
  } finally {
    await client.end();
  }
}

async function load(planFile: string): Promise<LoadResult> {
  const child = spawn(tsx, [path.join(root, 'bench', '_api-load.ts'), planFile], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`load generator exited with ${code}: ${stderr.slice(-500)}`);
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as LoadResult;
}

const targets = <T extends readonly [string, string]>(all: readonly T[]): T[] => {
  const only = (process.env.BENCH_TARGETS ?? '').split(',').filter(Boolean);
  return all.filter(([target]) => only.length === 0 || only.includes(target));
};

/** One run's load result, with the target process's CPU time per request it served. */
type Run = LoadResult & {
  cpuMsPerRequest: number | undefined;
  /** The part of it spent in child processes (the local model's and the transcode's ffmpeg). */
  childCpuMsPerRequest: number | undefined;
  /** The most ffmpeg processes seen at once under the target during the load (jobs only). */
  mostFfmpeg: number;
  /** The server's: the CPU of its main thread and of its local DynamoDB's thread, per request. */
  threadMsPerRequest: { main: number; dynamo: number } | undefined;
};

interface Summary {
  rps: number;
  /** Median over the runs of CPU ms per request (jobs: per job created, its cancel and ending included). */
  cpuMs: number | undefined;
  childCpuMs: number | undefined;
  threadMs: { main: number; dynamo: number } | undefined;
  mostFfmpeg: number;
  min: number;
  max: number;
  p99: number;
  non2xx: number;
  errors: number;
  failed: boolean;
}

function summarize(runs: Run[]): Summary {
  if (runs.length === 0)
    return {
      rps: NaN,
      cpuMs: undefined,
      childCpuMs: undefined,
      threadMs: undefined,
      mostFfmpeg: 0,
      min: NaN,
      max: NaN,
      p99: NaN,
      non2xx: 0,
      errors: 0,
      failed: true,
    };
  const cpu = runs.flatMap((r) => (r.cpuMsPerRequest === undefined ? [] : [r.cpuMsPerRequest]));
  const childCpu = runs.flatMap((r) =>
    r.childCpuMsPerRequest === undefined ? [] : [r.childCpuMsPerRequest],
  );
  const threads = runs.flatMap((r) => (r.threadMsPerRequest === undefined ? [] : [r.threadMsPerRequest]));
  const rps = runs.map((r) => r.rps);
  const non2xx = runs.reduce((n, r) => n + r.non2xx, 0);
  const errors = runs.reduce((n, r) => n + r.errors + r.cancelFailures, 0);
  return {
    rps: median(rps),
    cpuMs: cpu.length === runs.length ? median(cpu) : undefined,
    childCpuMs: childCpu.length === runs.length ? median(childCpu) : undefined,
    threadMs:
      threads.length === runs.length
        ? { main: median(threads.map((t) => t.main)), dynamo: median(threads.map((t) => t.dynamo)) }
        : undefined,
    mostFfmpeg: Math.max(...runs.map((r) => r.mostFfmpeg)),
    min: Math.min(...rps),
    max: Math.max(...rps),
    p99: median(runs.map((r) => r.p99)),
    non2xx,
    errors,
    // A run that completed no request measured nothing.
    failed: non2xx > 0 || errors > 0 || runs.some((r) => r.requests === 0),
  };
}

const cell = (s: Summary) =>
  Number.isNaN(s.rps)
    ? 'not run'
    : s.failed
      ? `FAILED (${s.non2xx} non-2xx, ${s.errors} errors, min ${s.min.toFixed(0)} req/s)`
      : `${s.rps.toFixed(0)} (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;

const cpuCell = (s: Summary) =>
  s.cpuMs === undefined ? '—' : `${s.cpuMs.toFixed(1)} (${s.childCpuMs?.toFixed(1) ?? '—'})`;

const threadCell = (s: Summary) =>
  s.threadMs === undefined ? '—' : `${s.threadMs.main.toFixed(2)} / ${s.threadMs.dynamo.toFixed(2)}`;

const THREADS = ['MainThread', LOCAL_DYNAMO_THREAD] as const;

/** Jobs in the database (each jobs run counts the jobs it created, late ones included). */
async function jobCount(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM generation_jobs');
    return rows[0]!.n;
  } finally {
    await client.end();
  }
}

/** The server's DynamoDB call counts so far (it rewrites the file every second: wait for this run's). */
async function dynamoCalls(file: string): Promise<Record<string, number>> {
  await new Promise((resolve) => setTimeout(resolve, 1500));
  return readFile(file, 'utf8').then(
    (text) => JSON.parse(text) as Record<string, number>,
    () => ({}),
  );
}

function callsTable(before: Record<string, number>, after: Record<string, number>, served: number): string {
  const rows = Object.entries(after)
    .map(([call, n]): [string, number] => [call, n - (before[call] ?? 0)])
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((sum, [, n]) => sum + n, 0);
  return [
    `DynamoDB calls per request over ${served} requests: ${(total / served).toFixed(2)}`,
    ...rows.map(
      ([call, n]) => `  ${(n / served).toFixed(3).padStart(8)}  ${n.toString().padStart(7)}  ${call}`,
    ),
    '',
  ].join('\n');
}

export async function run(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'api-bench-'));
  const database = await benchDatabase('apibench');
  const databaseUrl = database.url;
  let server: ChildProcess | undefined;
  let floor: ChildProcess | undefined;
  let duties: ChildProcess | undefined;
  try {
    const profile: Record<string, string> = process.env.BENCH_PROFILE
      ? {
          NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --cpu-prof --cpu-prof-dir=${path.join(dir, 'profiles')}`,
        }
      : {};
    const callsFile = path.join(dir, 'dynamo-calls.json');
    const serverPort = await freePort();
    const serverUrl = `http://127.0.0.1:${serverPort}`;
    const dataDir = path.join(dir, 'data');
    server = await startProcess(
      ['infra/local/main.ts'],
      {
        PORT: String(serverPort),
        DATA_DIR: dataDir,
        DATABASE_URL: databaseUrl,
        LOG_LEVEL: 'ERROR',
        ...(process.env.BENCH_DYNAMO_CALLS ? { LOCAL_DYNAMO_CALLS: callsFile } : {}),
        ...profile,
      },
      path.join(dir, 'server.log'),
      serverUrl,
    );
    const floorPort = await freePort();
    const floorUrl = `http://127.0.0.1:${floorPort}`;
    floor = await startProcess(
      ['bench/_api-floor.ts'],
      { PORT: String(floorPort), DATABASE_URL: databaseUrl, ...profile },
      path.join(dir, 'floor.log'),
      floorUrl,
    );
    const dutiesPort = await freePort();
    const dutiesUrl = `http://127.0.0.1:${dutiesPort}`;
    duties = await startProcess(
      ['bench/_api-floor.ts'],
      {
        PORT: String(dutiesPort),
        DATABASE_URL: databaseUrl,
        FLOOR_DUTIES: '1',
        ISSUER: serverUrl,
        KEY_DIR: path.join(dataDir, 'keys'),
        ...profile,
      },
      path.join(dir, 'duties.log'),
      dutiesUrl,
    );
    // The server made its signing key under its data folder on start; the seeded users' tokens use it.
    const key = await loadOrCreateSigningKey(path.join(dataDir, 'keys'));
    let users = await seedUsers(databaseUrl, key, serverUrl, USERS);

    const rows: string[] = [];
    const notes: string[] = [];
    const only = (process.env.BENCH_ROUTES ?? '').split(',').filter(Boolean);
    for (const { name, route, write } of ROUTES.filter((r) => only.length === 0 || only.includes(r.route))) {
      const results = { server: [] as Run[], floor: [] as Run[], duties: [] as Run[] };
      for (let i = 0; i < RUNS; i += 1) {
        // New tokens for every run: each user's first request of the run misses the verified-token cache.
        users = await resignUsers(key, serverUrl, users);
        for (const [target, url] of targets([
          ['server', serverUrl],
          ['floor', floorUrl],
          ['duties', dutiesUrl],
        ] as const)) {
          const child = target === 'server' ? server : target === 'floor' ? floor : duties;
          const plan: LoadPlan = { url, route, seconds: SECONDS, connections: CONNECTIONS, users };
          const planFile = path.join(dir, `${route}-${target}-${i}.json`);
          await writeFile(planFile, JSON.stringify(plan));
          const jobsBefore = route === 'create-job' ? await jobCount(databaseUrl) : 0;
          const countCalls = process.env.BENCH_DYNAMO_CALLS && target === 'server';
          const callsBefore = countCalls ? await dynamoCalls(callsFile) : {};
          const cpuBefore = await treeCpuSeconds(child.pid!);
          const threadsBefore =
            target === 'server'
              ? await threadCpuSeconds(child.pid!, LOCAL_DYNAMO_THREAD, THREADS)
              : undefined;
          // The most ffmpeg processes under the target at once, sampled while the load runs (jobs only).
          let mostFfmpeg = 0;
          let loaded = route !== 'create-job';
          const watch = (async () => {
            while (!loaded) {
              mostFfmpeg = Math.max(mostFfmpeg, (await descendantsNamed(child.pid!, 'ffmpeg')).length);
              await new Promise((resolve) => setTimeout(resolve, 100));
            }
          })();
          const result = await load(planFile).finally(() => {
            loaded = true;
          });
          await watch;
          if (route === 'create-job') await settleJobs(databaseUrl, url, users, child);
          const cpuAfter = await treeCpuSeconds(child.pid!);
          const threadsAfter =
            target === 'server'
              ? await threadCpuSeconds(child.pid!, LOCAL_DYNAMO_THREAD, THREADS)
              : undefined;
          const served =
            route === 'create-job' ? (await jobCount(databaseUrl)) - jobsBefore : result.requests;
          const perRequest = (part: 'total' | 'children') =>
            cpuBefore === undefined || cpuAfter === undefined || served === 0
              ? undefined
              : ((cpuAfter[part] - cpuBefore[part]) * 1000) / served;
          results[target].push({
            ...result,
            cpuMsPerRequest: perRequest('total'),
            childCpuMsPerRequest: perRequest('children'),
            mostFfmpeg,
            threadMsPerRequest:
              threadsBefore && threadsAfter && served > 0
                ? {
                    main: ((threadsAfter.MainThread! - threadsBefore.MainThread!) * 1000) / served,
                    dynamo:
                      ((threadsAfter[LOCAL_DYNAMO_THREAD]! - threadsBefore[LOCAL_DYNAMO_THREAD]!) * 1000) /
                      served,
                  }
                : undefined,
          });
          process.stderr.write(
            `api-throughput: ${name} ${target} run ${i + 1}/${RUNS}: ${JSON.stringify(results[target].at(-1))}\n`,
          );
          if (countCalls) process.stderr.write(callsTable(callsBefore, await dynamoCalls(callsFile), served));
        }
      }
      const s = summarize(results.server);
      const f = summarize(results.floor);
      const d = summarize(results.duties);
      const target = write ? 0.5 : 0.7;
      const ratio = s.failed || f.failed ? '—' : (s.rps / f.rps).toFixed(2);
      const dutiesRatio = s.failed || d.failed ? '—' : (s.rps / d.rps).toFixed(2);
      const verdict = s.failed || f.failed ? 'no result' : s.rps / f.rps >= target ? 'met' : 'missed';
      if (route === 'create-job')
        notes.push(
          `Jobs: the most ffmpeg processes seen at once under the server during a run: ${s.mostFfmpeg}; under the floor: ${f.mostFfmpeg}; under the floor + duties: ${d.mostFfmpeg}.`,
        );
      rows.push(
        `| ${name} | ${cell(s)} | ${s.p99} | ${s.non2xx} / ${s.errors} | ${cpuCell(s)} | ${threadCell(s)} | ${cell(f)} | ${f.p99} | ${f.non2xx} / ${f.errors} | ${cpuCell(f)} | **${ratio}** | ≥ ${target}: ${verdict} | ${cell(d)} | ${d.non2xx} / ${d.errors} | ${cpuCell(d)} | **${dutiesRatio}** |`,
      );
    }
    return [
      `## API throughput (local server on PostgreSQL, ${USERS} users, autocannon ${CONNECTIONS} connections × ${SECONDS} s, median of ${RUNS} runs)`,
      '',
      '| route | req/s median (min–max) | p99 ms | non-2xx / errors | CPU ms/req (in ffmpeg) | of it, main thread / DynamoDB thread | floor req/s median (min–max) | floor p99 ms | floor non-2xx / errors | floor CPU ms/req | ratio | target | floor + duties req/s median (min–max) | floor + duties non-2xx / errors | floor + duties CPU ms/req | ratio to floor + duties |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
      ...(notes.length ? [...notes, ''] : []),
      'Server, floor and load generator each run in their own process, on one fresh PostgreSQL database through node-postgres. ' +
        "Each request is signed by one of the users drawn at random (jobs: the users in a shuffled cycle); every run signs new tokens, so each user's first request of a run misses the server's verified-token cache (an RSA check) and the later ones hit it, as in a warm container. " +
        "The server's local DynamoDB (dynalite, holding the audit, idempotency, rate-limit and capacity tables) runs in a thread of the server's process, off its event loop (as DynamoDB is off a Lambda function's CPU): its CPU is in the server's column. " +
        'The floor is a bare node:http server calling the same repository methods (the caller id comes in a header): no token verification, user-row check, validation, audit, idempotency or URL signing. ' +
        'Floor + duties is the same program doing, written plainly with node:crypto, what any server must do for each request (bench/_floor-duties.ts): the caller is the subject of the bearer token it checks as the API does (RS256 signature, issuer, token use, client, expiry, issue time, UUID subject; a verified token remembered until it expires), path ids are checked as UUIDs, and each answer writes a log line, an EMF metric line and an audit line to stdout in one write (the server under test, as `npm start` runs it, keeps its audit entries in its local DynamoDB instead, and logs at ERROR here). The target stays against the bare floor; the last column shows how much of the gap those duties are. ' +
        'Jobs use the local model and are cancelled by the load generator as soon as they are accepted, on every target; cancel failures count as errors. ' +
        'After each jobs run the benchmark cancels any job still active and waits until the target has no ffmpeg left, so no run pays for the one before. ' +
        'CPU ms/req: user + system CPU of the target process and its children (ffmpeg included; in brackets the part spent in ffmpeg) over the run, divided by the requests it served (jobs: by the jobs it created, counting each cancel and the end of its execution, and the settling after the run); median of the runs; — where /proc is missing. ' +
        "Of it: the CPU of the server's main thread (the API, the pipeline's stand-ins and the SDK clients) and of its local DynamoDB's thread, per request, from /proc/<pid>/task; the rest is V8's and libuv's helper threads and ffmpeg. " +
        'p99 is the median of the runs. Any non-2xx or error in any run fails the route.',
    ].join('\n');
  } finally {
    await stopProcess(server);
    await stopProcess(floor);
    await stopProcess(duties);
    await database.drop();
    if (process.env.BENCH_KEEP) process.stderr.write(`api-throughput: kept ${dir}\n`);
    else await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(await run());
