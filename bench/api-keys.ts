/**
 * What an API key costs per request, beside a user access token.
 *
 * 1. Through the API: the local server (`npm start`'s entry point) runs in its own process on a fresh data
 *    folder; this process drives it with autocannon, alternating token and key rounds of GET
 *    /v1/projects/{id} (5 rounds each, 5 s, 10 connections). A key checked within the last 5 s is served
 *    from the container's cache, as in a busy deployment.
 * 2. A key check that misses the cache (the first request of a key in a container, then one every 5 s):
 *    the verifier alone, in this process, against the embedded database and DynamoDB stand-in, beside the
 *    RSA check of a token that misses its cache. Median of 5 runs of 200 checks each.
 * Any non-2xx answer or transport error fails the run.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { startLocalEnvironment } from '#infra/local/environment.ts';
import { startApiServer } from '#infra/local/server.ts';
import { createApiKeyVerifier } from '#shared/auth/api-keys.ts';
import { freePort, root, startProcess, stopProcess } from './_processes.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const range = (xs: number[], digits = 0) =>
  `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;

async function call(url: string, method: string, p: string, body?: unknown, token?: string) {
  const res = await fetch(`${url}${p}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json()) as Record<string, string>;
  if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function throughput(): Promise<string[]> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bench-api-keys-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  await mkdir(path.join(root, '.bench'), { recursive: true });
  const server = await startProcess(
    ['infra/local/main.ts'],
    { PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'ERROR' },
    path.join(root, '.bench', 'api-keys-server.log'),
    url,
  );
  try {
    const email = `bench${Date.now()}@example.com`;
    await call(url, 'POST', '/v1/auth/signup', {
      email,
      username: `bk_${Date.now()}`,
      password: 'Secret123',
    });
    const { accessToken = '' } = await call(url, 'POST', '/v1/auth/login', { email, password: 'Secret123' });
    const { key = '' } = await call(
      url,
      'POST',
      '/v1/api-keys',
      { name: 'bench', scopes: ['read'] },
      accessToken,
    );
    const project = await call(url, 'POST', '/v1/projects', { title: 'bench' }, accessToken);
    const rounds: Record<'token' | 'key', { rps: number; p99: number }[]> = { token: [], key: [] };
    for (let round = 0; round < 5; round += 1) {
      for (const kind of ['token', 'key'] as const) {
        const result = await autocannon({
          url: `${url}/v1/projects/${project.id}`,
          connections: 10,
          duration: 5,
          headers: { authorization: `Bearer ${kind === 'token' ? accessToken : key}` },
        });
        if (result.non2xx || result.errors) {
          throw new Error(`${kind} round ${round}: ${result.non2xx} non-2xx, ${result.errors} errors`);
        }
        rounds[kind].push({ rps: result.requests.average, p99: result.latency.p99 });
      }
    }
    const rps = (k: 'token' | 'key') => rounds[k].map((r) => r.rps);
    const p99 = (k: 'token' | 'key') => rounds[k].map((r) => r.p99);
    return [
      '| bearer | requests/s (median, range) | p99 ms (median, range) |',
      '|---|---|---|',
      `| user access token | ${median(rps('token')).toFixed(0)} (${range(rps('token'))}) | ${median(p99('token'))} (${range(p99('token'))}) |`,
      `| API key | ${median(rps('key')).toFixed(0)} (${range(rps('key'))}) | ${median(p99('key'))} (${range(p99('key'))}) |`,
      '',
      `Key / token throughput, median of the per-round ratios: ${median(rounds.key.map((r, i) => r.rps / rounds.token[i]!.rps)).toFixed(3)}`,
    ];
  } finally {
    await stopProcess(server);
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function cacheMisses(): Promise<string[]> {
  const api = await startApiServer({ port: 0, jwks: () => env.jwks });
  const env = await startLocalEnvironment({ issuer: api.url, logLevel: 'SILENT' });
  try {
    const { ctx } = env;
    const email = `miss${Date.now()}@example.com`;
    await call(api.url, 'POST', '/v1/auth/signup', {
      email,
      username: `ms_${Date.now()}`,
      password: 'Secret123',
    });
    const { accessToken = '' } = await call(api.url, 'POST', '/v1/auth/login', {
      email,
      password: 'Secret123',
    });
    const { key = '' } = await call(
      api.url,
      'POST',
      '/v1/api-keys',
      { name: 'miss', scopes: ['read'] },
      accessToken,
    );
    let clock = Date.now();
    // Each check sees a clock 6 s on, past the cache: every check reads the table and counts the attempt.
    const missing = createApiKeyVerifier({
      keys: ctx.apiKeys,
      limiter: ctx.loginLimiter,
      now: () => (clock += 6000),
    });
    const { localVerifier } = await import('#shared/auth/verifier.ts');
    const { LOCAL_CLIENT_ID } = await import('#shared/auth/local-issuer.ts');
    const N = 200;
    const keyMs: number[] = [];
    const tokenMs: number[] = [];
    for (let run = 0; run < 5; run += 1) {
      let start = performance.now();
      for (let i = 0; i < N; i += 1) await missing.verify(key, '10.0.0.1');
      keyMs.push((performance.now() - start) / N);
      // A fresh verifier per run: its cache is empty, so the first check is an RSA verification and the
      // rest are cache hits; a new verifier per check measures the miss.
      start = performance.now();
      for (let i = 0; i < N; i += 1) {
        await localVerifier(api.url, env.jwks, LOCAL_CLIENT_ID).verify(accessToken);
      }
      tokenMs.push((performance.now() - start) / N);
    }
    return [
      '| check that misses its cache | ms per check (median, range) |',
      '|---|---|',
      `| API key: SHA-256, indexed read, two rate-limit counter writes | ${median(keyMs).toFixed(3)} (${range(keyMs, 3)}) |`,
      `| access token: RS256 signature and claims | ${median(tokenMs).toFixed(3)} (${range(tokenMs, 3)}) |`,
    ];
  } finally {
    await api.close();
    await env.stop();
  }
}

export async function run(): Promise<string> {
  const lines = ['## API keys: cost per request', ''];
  lines.push(...(await throughput()), '', ...(await cacheMisses()));
  return lines.join('\n');
}
