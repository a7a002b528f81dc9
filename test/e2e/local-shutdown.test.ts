/** Stopping `npm start`: running jobs' ffmpeg ends with it, and the API waits for the environment. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startLocalEnvironment } from '#infra/local/environment.ts';
import { startApiServer } from '#infra/local/server.ts';
import { runningFfmpegPids } from '#shared/media/ffmpeg.ts';
import { type AppContext, setContextFactory } from '#shared/runtime/context.ts';
import { bareEnvironmentOptions } from '#test/support/local-environment.ts';

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'shutdown-'));
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

it('shutdown ends the ffmpeg of running jobs and leaves no job PROCESSING', async () => {
  const options = await bareEnvironmentOptions(dataDir);
  const env = await startLocalEnvironment(options);
  const user = await env.ctx.users.create({ email: 's@example.com', username: 'shutdown_user' });
  const project = await env.ctx.projects.create(user.id, { title: 'shutdown' });
  const job = await env.ctx.jobs.create({
    userId: user.id,
    projectId: project.id,
    jobType: 'GENERATE',
    prompt: 'a long render',
    parameters: { model: 'local', durationSeconds: 10 },
    concurrentLimit: 10,
  });
  await env.ctx.workflow.start({
    jobId: job.id,
    userId: user.id,
    projectId: project.id,
    jobType: 'GENERATE',
  });
  let pids: number[] = [];
  for (let i = 0; i < 400 && pids.length === 0; i += 1) {
    await new Promise((r) => setTimeout(r, 25));
    pids = runningFfmpegPids();
  }
  expect(pids.length).toBeGreaterThan(0);
  const jobs = env.ctx.jobs;
  let statusAtStop: string | undefined;
  // Read the row as the environment finishes with it, just before the database closes.
  const stop = env.stop;
  env.stop = async () => {
    statusAtStop = (await jobs.get(user.id, job.id)).status;
    await stop();
  };
  await env.shutdown();
  expect(runningFfmpegPids()).toEqual([]);
  for (const pid of pids) expect(alive(pid)).toBe(false);
  expect(statusAtStop).toBe('FAILED');
});

it('answers 503 with Retry-After until the environment is ready, then serves requests', async () => {
  let ready = () => {};
  const readyWhen = new Promise<void>((resolve) => {
    ready = resolve;
  });
  const api = await startApiServer({ port: 0, jwks: () => ({ keys: [] }), readyWhen });
  try {
    const early = await fetch(`${api.url}/v1/health`);
    expect(early.status).toBe(503);
    expect(early.headers.get('retry-after')).toBe('1');
    expect(early.headers.get('content-type')).toBe('application/problem+json');
    expect(await early.json()).toMatchObject({ status: 503 });
    ready();
    await readyWhen;
    const later = await fetch(`${api.url}/.well-known/jwks.json`);
    expect(later.status).toBe(200);
    const openapi = await fetch(`${api.url}/v1/openapi.json`);
    expect(openapi.status).toBe(200);
  } finally {
    await api.close();
  }
});

it('closing the server ends open event streams instead of waiting for their clients', async () => {
  setContextFactory(
    async () =>
      ({
        verifier: { verify: async () => ({ userId: 'u1', sub: 's', email: 'a@example.com' }) },
        userRows: { refuseErased: () => undefined },
        outbox: { after: async () => [], now: async () => ({ txId: 0, seq: 0 }) },
        streamSlots: { take: async () => ({ renew: async () => true, release: async () => undefined }) },
        audit: { record: () => undefined },
        logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      }) as unknown as AppContext,
  );
  const api = await startApiServer({ port: 0, jwks: () => ({ keys: [] }) });
  const response = await fetch(`${api.url}/v1/events`, { headers: { authorization: 'Bearer t' } });
  expect(response.status).toBe(200);
  const reader = response.body!.getReader();
  expect(new TextDecoder().decode((await reader.read()).value)).toContain('retry: 1000');
  await api.close();
  // The server ended the response: the client reads to its end.
  while (!(await reader.read()).done) {}
});
