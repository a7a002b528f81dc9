/**
 * The local sweeper loop runs the stuck-start sweep: a job recorded QUEUED and admitted whose execution
 * was never started (as a crash between the row and the start leaves it) runs to the end without a restart.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startLocalEnvironment } from '#infra/local/environment.ts';
import { bareEnvironmentOptions } from '#test/support/local-environment.ts';

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'stuck-starts-'));
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

it('starts, while it runs, a job whose start was lost', async () => {
  const tasks: string[] = [];
  const env = await startLocalEnvironment({
    ...(await bareEnvironmentOptions(dataDir)),
    stuckStarts: { everyMs: 50, afterMs: 0 },
    beforeTask: async (name, input) => {
      tasks.push(`${name}:${input.jobId}`);
    },
  });
  try {
    const user = await env.ctx.users.create({ email: 's@example.com', username: 'stuck_user' });
    const project = await env.ctx.projects.create(user.id, { title: 'stuck' });
    // The row as the API writes it; its StartExecution never happened.
    const job = await env.ctx.jobs.create({
      userId: user.id,
      projectId: project.id,
      jobType: 'GENERATE',
      prompt: 'stuck',
      parameters: { model: 'local', durationSeconds: 1, resolution: '640x360' },
      concurrentLimit: 10,
    });
    let status = job.status;
    for (let i = 0; i < 600 && (status === 'QUEUED' || status === 'PROCESSING'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await env.ctx.jobs.get(user.id, job.id)).status;
    }
    expect(status).toBe('COMPLETED');
    expect(tasks[0]).toBe(`AcquireCapacity:${job.id}`);
  } finally {
    await env.stop();
  }
});
