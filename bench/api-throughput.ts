/**
 * autocannon against the local server for GET /v1/projects/{id} and GET /v1/projects?limit=20, and, in the
 * same run, a bare node:http server doing the same SQL through the same driver (the floor).
 * Target: at least 0.5 of the floor's throughput.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { startLocalApi } from '../test/support/local-api.ts';

const DURATION = Number(process.env.BENCH_SECONDS ?? 8);

async function load(url: string, headers: Record<string, string>) {
  const result = await autocannon({ url, connections: 10, duration: DURATION, headers });
  return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

export async function run(): Promise<string> {
  const api = await startLocalApi();
  try {
    const user = await api.newUser();
    let projectId = '';
    for (let i = 0; i < 50; i += 1) {
      const p = await api.call('POST', '/v1/projects', {
        token: user.token,
        body: { title: `Project ${i}` },
      });
      projectId = p.body.id;
    }
    const { projects } = api.env.ctx;
    const floor = createServer(async (req, res) => {
      const result = req.url?.startsWith('/one')
        ? await projects.get(user.userId, projectId)
        : await projects.list(user.userId, { limit: 20 });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
    });
    await new Promise<void>((resolve) => floor.listen(0, '127.0.0.1', resolve));
    const floorUrl = `http://127.0.0.1:${(floor.address() as AddressInfo).port}`;
    const auth = { authorization: `Bearer ${user.token}` };
    const rows: string[] = [];
    for (const [name, path, floorPath] of [
      ['GET /v1/projects/{id}', `/v1/projects/${projectId}`, '/one'],
      ['GET /v1/projects?limit=20', '/v1/projects?limit=20', '/list'],
    ] as const) {
      const full = await load(`${api.url}${path}`, auth);
      const bare = await load(`${floorUrl}${floorPath}`, {});
      rows.push(
        `| ${name} | ${full.rps.toFixed(0)} | ${full.p99} | ${bare.rps.toFixed(0)} | ${bare.p99} | **${(full.rps / bare.rps).toFixed(2)}** | ${full.errors} |`,
      );
    }
    floor.close();
    return [
      `## API throughput (local server, PGlite, autocannon 10 connections × ${DURATION} s)`,
      '',
      '| route | req/s | p99 ms | floor req/s | floor p99 ms | ratio | errors |',
      '|---|---|---|---|---|---|---|',
      ...rows,
      '',
      'Floor: a bare node:http server running the same repository call on the same PGlite. Target ratio ≥ 0.5.',
    ].join('\n');
  } finally {
    await api.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(await run());
