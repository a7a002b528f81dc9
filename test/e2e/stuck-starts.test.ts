/**
 * The local sweeper loop runs the stuck-start sweep: a job recorded QUEUED and admitted whose execution
 * was never started (as a crash between the row and the start leaves it) runs to the end without a restart,
 * and one whose execution ended with the job still QUEUED (its ending lost) is failed, its slot freed, as
 * is one left PROCESSING past the execution timeout.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startLocalEnvironment } from '#infra/local/environment.ts';
import { ENDED_UNSTARTED_CAUSE, OVERRAN_CAUSE } from '#shared/pipeline/stuck-starts.ts';
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
    // The row as the API writes it, after waking the sweep (a sweep that found nothing QUEUED rests until
    // woken); its StartExecution never happened.
    await env.ctx.idleMarker?.wake();
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

it('fails, while it runs, a job still QUEUED whose execution ended without closing it', async () => {
  const tasks: string[] = [];
  let entered: (() => void) | undefined;
  const acquiring = new Promise<void>((resolve) => {
    entered = resolve;
  });
  let crashed: ((error: Error) => void) | undefined;
  const env = await startLocalEnvironment({
    ...(await bareEnvironmentOptions(dataDir)),
    stuckStarts: { everyMs: 50, afterMs: 0 },
    beforeTask: async (name, input) => {
      tasks.push(`${name}:${input.jobId}`);
      if (name !== 'AcquireCapacity') return;
      entered?.();
      // The execution is held in its first task until it ends as by a crash (no MarkFailed, no event).
      await new Promise<void>((_resolve, reject) => {
        crashed = reject;
      });
    },
  });
  try {
    const user = await env.ctx.users.create({ email: 'e@example.com', username: 'ended_user' });
    const project = await env.ctx.projects.create(user.id, { title: 'ended' });
    // Submitted as the API does (which wakes the sweep and starts the execution).
    const job = await env.ctx.jobService.submit(user.id, project.id, {
      jobType: 'GENERATE',
      prompt: 'ended',
      parameters: { model: 'local', durationSeconds: 1, resolution: '640x360' },
    });
    await acquiring;
    expect((await env.ctx.users.getById(user.id)).activeJobs).toBe(1);
    await env.crashExecution(job.id);
    crashed?.(new Error('the execution is gone'));
    let found = await env.ctx.jobs.get(user.id, job.id);
    for (let i = 0; i < 600 && found.status === 'QUEUED'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      found = await env.ctx.jobs.get(user.id, job.id);
    }
    expect(found).toMatchObject({ status: 'FAILED', errorMessage: ENDED_UNSTARTED_CAUSE });
    expect((await env.ctx.users.getById(user.id)).activeJobs).toBe(0);
    // Nothing ran it again: its one execution stopped in its first task.
    expect(tasks).toEqual([`AcquireCapacity:${job.id}`]);
  } finally {
    await env.stop();
  }
});

it('fails, while it runs, a job left PROCESSING past the execution timeout with its execution gone', async () => {
  let entered: (() => void) | undefined;
  const generating = new Promise<void>((resolve) => {
    entered = resolve;
  });
  let crashed: ((error: Error) => void) | undefined;
  const env = await startLocalEnvironment({
    ...(await bareEnvironmentOptions(dataDir)),
    // Any PROCESSING job counts as overdue; only one whose execution is not running is failed.
    stuckStarts: { everyMs: 50, overrunAfterMs: 0 },
    beforeTask: async (name) => {
      if (name !== 'StartGeneration') return;
      entered?.();
      await new Promise<void>((_resolve, reject) => {
        crashed = reject;
      });
    },
  });
  try {
    const user = await env.ctx.users.create({ email: 'o@example.com', username: 'overran_user' });
    const project = await env.ctx.projects.create(user.id, { title: 'overran' });
    const job = await env.ctx.jobService.submit(user.id, project.id, {
      jobType: 'GENERATE',
      prompt: 'overran',
      parameters: { model: 'local', durationSeconds: 1, resolution: '640x360' },
    });
    await generating;
    // Held in StartGeneration, its execution running: several sweeps pass and leave it PROCESSING.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await env.ctx.jobs.get(user.id, job.id)).status).toBe('PROCESSING');
    await env.crashExecution(job.id);
    crashed?.(new Error('the execution is gone'));
    let found = await env.ctx.jobs.get(user.id, job.id);
    for (let i = 0; i < 600 && found.status === 'PROCESSING'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      found = await env.ctx.jobs.get(user.id, job.id);
    }
    expect(found).toMatchObject({ status: 'FAILED', errorMessage: OVERRAN_CAUSE });
    expect((await env.ctx.users.getById(user.id)).activeJobs).toBe(0);
    // Its capacity unit is given back with it: MarkFailed's task closes the job first, then releases it.
    let leases = (await env.capacity.queue('local')).leases;
    for (let i = 0; i < 200 && leases.length > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      leases = (await env.capacity.queue('local')).leases;
    }
    expect(leases).toEqual([]);
  } finally {
    await env.stop();
  }
});
