/**
 * StartGeneration and CheckGeneration keep the job's capacity unit: every attempt renews its lease first,
 * so a running generation is never swept, while a job whose execution stops renewing is.
 */
import { describe, expect, it } from 'vitest';
import { createAdmission } from '#shared/capacity/admission.ts';
import { memoryCapacityStore } from '#shared/capacity/memory-store.ts';
import { ModelThrottled } from '#shared/generation/bedrock-async.ts';
import type { GenerationStatus, VideoModel } from '#shared/generation/port.ts';
import type { GenerationRun } from '#shared/pipeline/generation-wait.ts';
import { createPipelineTasks, type PipelineDeps, type PipelineState } from '#shared/pipeline/tasks.ts';

const LEASE_MS = 600_000;
const MODEL = 'nova-reel';

function setup() {
  let clock = 1_000_000;
  const store = memoryCapacityStore();
  const live = new Set<string>();
  const admission = createAdmission({
    store,
    tokens: { succeed: async (token) => live.delete(token), waiting: async (token) => live.has(token) },
    capacityOf: () => 1,
    leaseMsOf: () => LEASE_MS,
    now: () => clock,
  });
  let status: GenerationStatus = { state: 'running' };
  let throttled = false;
  const saved = new Map<string, GenerationRun>();
  const model: VideoModel = {
    id: MODEL,
    start: async () => {
      if (throttled) throw new ModelThrottled('busy');
      return { handle: 'arn:run' };
    },
    check: async () => {
      if (throttled) throw new ModelThrottled('busy');
      return status;
    },
  };
  const job = {
    id: 'job-1',
    userId: 'u',
    prompt: 'a heron',
    createdAt: new Date(0),
    parameters: { model: MODEL, durationSeconds: 6, resolution: '1280x720' },
  };
  const deps = {
    jobs: { getForPipeline: async () => job, reportProgress: async () => {} },
    models: { [MODEL]: model },
    waits: {
      save: async (jobId: string, _token: string, run: GenerationRun) => void saved.set(jobId, run),
      renew: async (jobId: string) => saved.get(jobId),
      release: async () => {},
    },
    tokens: { succeed: async () => true },
    admission,
    now: () => clock,
  } as unknown as PipelineDeps;
  const tasks = createPipelineTasks(deps);
  const state: PipelineState = {
    jobId: job.id,
    userId: job.userId,
    projectId: 'p',
    jobType: 'GENERATE',
    capacity: { model: MODEL, admittedAt: clock },
  };
  const admit = async (jobId: string) => {
    live.add(`${jobId}-token`);
    return admission.enter({
      model: MODEL,
      jobId,
      userId: 'u',
      enqueuedAt: clock,
      taskToken: `${jobId}-token`,
    });
  };
  return {
    store,
    admission,
    tasks,
    state,
    admit,
    tick: (ms: number) => (clock += ms),
    expiry: async () => (await store.lease(MODEL, job.id))?.expiresAt,
    now: () => clock,
    setStatus: (s: GenerationStatus) => (status = s),
    throttle: (on: boolean) => (throttled = on),
  };
}

describe('capacity lease renewal by the generation tasks', () => {
  it('checkGeneration renews the lease each time it finds the run still running', async () => {
    const t = setup();
    expect(await t.admit('job-1')).toBe('admitted');
    await t.tasks.startGeneration(t.state, 'start-token');
    // Three safety-net checks 240 s apart: longer together than one lease, never swept.
    for (let i = 0; i < 3; i++) {
      t.tick(241_000);
      expect(await t.tasks.checkGeneration(t.state, `check-${i}`)).toMatchObject({ handle: 'arn:run' });
      expect(await t.expiry()).toBe(t.now() + LEASE_MS);
      expect(await t.admission.sweep(MODEL)).toEqual([]);
    }
    expect(t.now() - 1_000_000).toBeGreaterThan(LEASE_MS);
  });

  it('a throttled start or check still renews, so retries of ModelThrottled keep the unit', async () => {
    const t = setup();
    await t.admit('job-1');
    t.throttle(true);
    t.tick(120_000);
    await expect(t.tasks.startGeneration(t.state, 'start-token')).rejects.toMatchObject({
      name: 'ModelThrottled',
    });
    expect(await t.expiry()).toBe(t.now() + LEASE_MS);
    t.throttle(false);
    await t.tasks.startGeneration(t.state, 'start-token');
    t.throttle(true);
    t.tick(241_000);
    await expect(t.tasks.checkGeneration(t.state, 'check-0')).rejects.toMatchObject({
      name: 'ModelThrottled',
    });
    expect(await t.expiry()).toBe(t.now() + LEASE_MS);
  });

  it('once checks stop, the lease runs out and the sweeper hands the unit on; a late check renews nothing', async () => {
    const t = setup();
    await t.admit('job-1');
    await t.tasks.startGeneration(t.state, 'start-token');
    expect(await t.admit('job-2')).toBe('waiting');
    t.tick(LEASE_MS + 1);
    expect(await t.admission.sweep(MODEL)).toEqual(['job-1']);
    expect((await t.store.leases(MODEL)).map((l) => l.jobId)).toEqual(['job-2']);
    await t.tasks.checkGeneration(t.state, 'late');
    expect((await t.store.leases(MODEL)).map((l) => l.jobId)).toEqual(['job-2']);
    expect(await t.expiry()).toBeUndefined();
  });
});
