/**
 * The stuck-start sweep: an admitted job left QUEUED with no execution (its starter died between the row
 * and StartExecution) is started again, while a GENERATE job waiting QUEUED for a unit of its model, one
 * holding a unit before MarkGenerating, a job just submitted and a running job are left alone. A job still
 * QUEUED whose execution has ended (its ending went unhandled) is failed through MarkFailed's task, which
 * frees its slot and its upload's reservation, and the upload waiting for that slot starts.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createAdmission } from '#shared/capacity/admission.ts';
import { memoryCapacityStore } from '#shared/capacity/memory-store.ts';
import { rawRows } from '#shared/db/sql.ts';
import { memoryIdleMarker } from '#shared/events/idle-marker.ts';
import {
  createStuckStartSweep,
  ENDED_UNSTARTED_CAUSE,
  OVERRAN_CAUSE,
  OVERRUN_AFTER_MS,
  restingStuckStartSweep,
  STUCK_START_AFTER_MS,
} from '#shared/pipeline/stuck-starts.ts';
import { createPipelineTasks, type PipelineState } from '#shared/pipeline/tasks.ts';
import { uploadKey } from '#shared/storage/keys.ts';
import type { ObjectStore } from '#shared/storage/port.ts';
import { createUploadIngest } from '#shared/uploads/ingest.ts';
import { tierLimits } from '#shared/users/tiers.ts';
import type {
  ExecutionLookup,
  ExecutionState,
  JobExecutionInput,
  JobWorkflow,
} from '#shared/workflow/port.ts';
import { describeEachDriver } from '#test/support/db-drivers.ts';
import { newOwner, suiteDatabase } from '#test/support/repositories.ts';

const GENERATE = { model: 'local', durationSeconds: 2, resolution: '640x360' };

describeEachDriver('starting admitted jobs whose start was lost on', (driver) => {
  const { t, repos } = suiteDatabase(driver);

  /** Starts record the job; a job given an execution here is not started again (running or ended). */
  function fakeWorkflow() {
    const started: JobExecutionInput[] = [];
    const executions = new Map<string, ExecutionState>();
    const workflow: JobWorkflow & ExecutionLookup = {
      start: async (input) => {
        if (executions.has(input.jobId)) return 'existing';
        started.push(input);
        return 'started';
      },
      stop: async () => {},
      executionState: async (jobId) => executions.get(jobId) ?? 'none',
    };
    return { started, executions, workflow };
  }
  const unusedFailurePath = {
    tasks: { markFailed: async (s: PipelineState) => expect.fail(`markFailed ${s.jobId}`) },
    startWaiting: async () => [],
  };

  function setup() {
    const { started, workflow } = fakeWorkflow();
    const capacity = memoryCapacityStore();
    const admission = createAdmission({
      store: capacity,
      tokens: { succeed: async () => true, waiting: async () => true },
      capacityOf: () => 1,
      leaseMsOf: () => 3_600_000,
    });
    // The sweep runs as if the jobs made now were older than the threshold.
    const sweep = async () =>
      (
        await createStuckStartSweep({
          jobs: repos.jobs,
          workflow,
          ...unusedFailurePath,
          capacity,
          now: () => Date.now() + STUCK_START_AFTER_MS + 1_000,
        })()
      ).started;
    return { started, capacity, admission, sweep, startedIds: () => started.map((s) => s.jobId) };
  }

  async function generateJob(userId: string, projectId: string) {
    return repos.jobs.create({
      userId,
      projectId,
      jobType: 'GENERATE',
      prompt: 'a lighthouse in fog',
      parameters: GENERATE,
      concurrentLimit: 10,
    });
  }

  it('starts a job left QUEUED and admitted with no execution, with the input its submission had', async () => {
    const { user, project } = await newOwner(repos, 'stuck');
    const job = await generateJob(user.id, project.id);
    const { started, sweep } = setup();
    expect(await sweep()).toContain(job.id);
    expect(started.find((s) => s.jobId === job.id)).toEqual({
      jobId: job.id,
      userId: user.id,
      projectId: project.id,
      jobType: 'GENERATE',
    });
  });

  it('starts an upload admitted to a freed slot whose start was lost', async () => {
    const { user, project } = await newOwner(repos, 'stuckup');
    const upload = await repos.jobs.create({
      id: randomUUID(),
      userId: user.id,
      projectId: project.id,
      jobType: 'TRANSCODE',
      prompt: 'Upload a.mp4',
      parameters: { upload: { key: 'uploads/x/a.mp4', fileName: 'a.mp4', size: 10 } },
      concurrentLimit: 0,
      whenFull: 'wait',
    });
    expect(upload.admitted).toBe(false);
    const { sweep } = setup();
    // Waiting for a slot, it is not the sweep's: startWaiting admits and starts it.
    expect(await sweep()).not.toContain(upload.id);
    // Admitted by a job's end, and the process that admitted it died before starting it.
    expect(
      (await repos.jobs.admitNextWaiting(user.id, { FREE: 5, BASIC: 5, PRO: 5, ENTERPRISE: 5 }))?.id,
    ).toBe(upload.id);
    expect(await sweep()).toContain(upload.id);
  });

  it('leaves alone a GENERATE job waiting in its model’s line, and one holding a unit', async () => {
    const { user, project } = await newOwner(repos, 'inline');
    const holding = await generateJob(user.id, project.id);
    const waiting = await generateJob(user.id, project.id);
    const { admission, sweep, startedIds } = setup();
    const enter = (jobId: string) =>
      admission.enter({
        model: 'local',
        jobId,
        userId: user.id,
        enqueuedAt: Date.now(),
        taskToken: `token-${jobId}`,
      });
    // The first holds the one unit and is still QUEUED (MarkGenerating has not run); the second waits.
    expect(await enter(holding.id)).toBe('admitted');
    expect(await enter(waiting.id)).toBe('waiting');
    await sweep();
    expect(startedIds()).not.toContain(holding.id);
    expect(startedIds()).not.toContain(waiting.id);
    // Once both have left the line (the execution ended, its job not closed), they are started again.
    await admission.release('local', holding.id);
    await admission.release('local', waiting.id);
    await sweep();
    expect(startedIds()).toEqual(expect.arrayContaining([holding.id, waiting.id]));
  });

  it('finds a lost start behind more waiting GENERATE jobs than one statement reads', async () => {
    const { user, project } = await newOwner(repos, 'behind');
    const { capacity, admission, started } = setup();
    for (let i = 0; i < 5; i++) {
      const job = await generateJob(user.id, project.id);
      await admission.enter({
        model: 'local',
        jobId: job.id,
        userId: user.id,
        enqueuedAt: Date.now(),
        taskToken: `token-${job.id}`,
      });
    }
    const lost = await generateJob(user.id, project.id);
    const sweep = createStuckStartSweep({
      jobs: repos.jobs,
      workflow: {
        start: async (input) => {
          started.push(input);
          return 'started';
        },
        executionState: async () => 'none',
      },
      ...unusedFailurePath,
      capacity,
      now: () => Date.now() + STUCK_START_AFTER_MS + 1_000,
      pageSize: 2,
    });
    // Two waiters a page: the lost start comes on the third.
    await sweep();
    expect(started.filter((s) => s.userId === user.id).map((s) => s.jobId)).toEqual([lost.id]);
  });

  it('leaves alone a job just submitted and one that is running or ended', async () => {
    const { user, project } = await newOwner(repos, 'fresh');
    const running = await generateJob(user.id, project.id);
    await repos.jobs.markProcessing(running.id);
    const ended = await generateJob(user.id, project.id);
    await repos.jobs.markFailed(ended.id, 'gone');
    const { started, sweep } = setup();
    const ids = await sweep();
    expect(ids).not.toContain(running.id);
    expect(ids).not.toContain(ended.id);
    const young = await generateJob(user.id, project.id);
    const now = createStuckStartSweep({
      jobs: repos.jobs,
      workflow: {
        start: async (input) => {
          started.push(input);
          return 'started';
        },
        executionState: async () => 'none',
      },
      ...unusedFailurePath,
    });
    expect((await now()).started).not.toContain(young.id);
  });

  /** The ended execution's failure path as the sweeper wires it: MarkFailed's task and the upload ingest. */
  function failurePath(workflow: JobWorkflow) {
    const deleted: string[] = [];
    const store = {
      bucket: 'media',
      deleteKeys: async (keys: string[]) => void deleted.push(...keys),
      deletePrefix: async (prefix: string) => {
        deleted.push(prefix);
        return 0;
      },
    } as unknown as ObjectStore;
    const tasks = createPipelineTasks({
      users: repos.users,
      jobs: repos.jobs,
      clips: repos.clips,
      store,
      models: {},
      prober: { probe: async () => expect.fail('nothing is probed') } as never,
    });
    const uploads = createUploadIngest({
      users: repos.users,
      jobs: repos.jobs,
      reservations: repos.reservations,
      store,
      workflow,
    });
    return { deleted, tasks, startWaiting: (userId: string) => uploads.startWaiting(userId) };
  }

  async function uploadJob(userId: string, projectId: string, whenFull: 'wait' | 'refuse' = 'refuse') {
    const id = randomUUID();
    await repos.reservations.create({ id, userId, projectId, bytes: 5_000, ttlSeconds: 3_600 });
    const key = uploadKey(userId, projectId, id, 'a.mp4');
    const job = await repos.jobs.create({
      id,
      userId,
      projectId,
      jobType: 'TRANSCODE',
      prompt: 'Upload a.mp4',
      parameters: { upload: { key, fileName: 'a.mp4', size: 5_000 } },
      concurrentLimit: tierLimits('FREE').concurrentJobs,
      whenFull,
    });
    return { job, key };
  }

  it('fails a job still QUEUED whose execution ended, freeing its slot and reservation for the waiting upload', async () => {
    const { user, project } = await newOwner(repos, 'ended');
    const reservedBefore = (await repos.users.getById(user.id)).storageReserved;
    const { started, executions, workflow } = fakeWorkflow();
    const path = failurePath(workflow);
    // Two jobs hold the FREE tier's two slots: one runs, one is QUEUED with its execution already ended.
    const running = await generateJob(user.id, project.id);
    await repos.jobs.markProcessing(running.id);
    executions.set(running.id, 'running');
    const { job: ended, key } = await uploadJob(user.id, project.id);
    executions.set(ended.id, 'ended');
    const { job: waiting } = await uploadJob(user.id, project.id, 'wait');
    expect(waiting.admitted).toBe(false);
    expect((await repos.users.getById(user.id)).storageReserved).toBe(reservedBefore + 10_000);

    const sweep = createStuckStartSweep({
      jobs: repos.jobs,
      workflow,
      ...path,
      now: () => Date.now() + STUCK_START_AFTER_MS + 1_000,
    });
    const result = await sweep();
    expect(result.failed).toEqual([ended.id]);
    expect(result.started).not.toContain(ended.id);
    const failed = await repos.jobs.get(user.id, ended.id);
    expect(failed).toMatchObject({ status: 'FAILED', errorMessage: ENDED_UNSTARTED_CAUSE });
    // Its reservation is given back and its file deleted; the waiting upload got the slot and started.
    expect((await repos.users.getById(user.id)).storageReserved).toBe(reservedBefore + 5_000);
    expect(path.deleted).toEqual([key]);
    expect(started.filter((s) => s.userId === user.id).map((s) => s.jobId)).toEqual([waiting.id]);
    expect((await repos.jobs.get(user.id, waiting.id)).admitted).toBe(true);
    // The next run finds nothing more to do for it.
    expect((await sweep()).failed).toEqual([]);
  });

  it('leaves alone a job whose start met its execution running (started with another correlation id)', async () => {
    const { user, project } = await newOwner(repos, 'other');
    const { started, executions, workflow } = fakeWorkflow();
    const { job } = await uploadJob(user.id, project.id);
    executions.set(job.id, 'running');
    const sweep = createStuckStartSweep({
      jobs: repos.jobs,
      workflow,
      ...unusedFailurePath,
      now: () => Date.now() + STUCK_START_AFTER_MS + 1_000,
    });
    const result = await sweep();
    expect(result.started).not.toContain(job.id);
    expect(result.failed).not.toContain(job.id);
    expect(started.filter((s) => s.userId === user.id)).toEqual([]);
    expect((await repos.jobs.get(user.id, job.id)).status).toBe('QUEUED');
  });

  /** Moves a job's start back, as if its execution had begun `ms` ago. */
  async function startedAgo(jobId: string, ms: number) {
    await t.db.execute(
      sql`UPDATE generation_jobs SET started_at = now() - make_interval(secs => ${ms / 1000}) WHERE id = ${jobId}::uuid`,
    );
  }

  it('fails a job PROCESSING past the execution timeout, freeing its slot and reservation, charging nothing', async () => {
    const { user, project } = await newOwner(repos, 'overran');
    const before = await repos.users.getById(user.id);
    const { started, executions, workflow } = fakeWorkflow();
    const path = failurePath(workflow);
    // The FREE tier's two slots: an upload whose execution's ending was lost, and a job running for an hour.
    const { job: lost, key } = await uploadJob(user.id, project.id);
    await repos.jobs.markProcessing(lost.id);
    await startedAgo(lost.id, OVERRUN_AFTER_MS + 60_000);
    executions.set(lost.id, 'ended');
    const running = await generateJob(user.id, project.id);
    await repos.jobs.markProcessing(running.id);
    await startedAgo(running.id, 3_600_000);
    executions.set(running.id, 'running');
    const { job: waiting } = await uploadJob(user.id, project.id, 'wait');
    expect(waiting.admitted).toBe(false);

    const sweep = createStuckStartSweep({ jobs: repos.jobs, workflow, ...path, pageSize: 1 });
    const result = await sweep();
    expect(result.overran).toEqual([lost.id]);
    expect(await repos.jobs.get(user.id, lost.id)).toMatchObject({
      status: 'FAILED',
      errorMessage: OVERRAN_CAUSE,
    });
    expect((await repos.jobs.get(user.id, running.id)).status).toBe('PROCESSING');
    // Its reservation is given back, its file and folders deleted, and nothing is counted as stored.
    const after = await repos.users.getById(user.id);
    expect(after.storageReserved).toBe(before.storageReserved + 5_000);
    expect(after.storageUsed).toBe(before.storageUsed);
    expect(path.deleted).toEqual(expect.arrayContaining([key]));
    // The slot it held went to the waiting upload.
    expect(started.filter((s) => s.userId === user.id).map((s) => s.jobId)).toEqual([waiting.id]);
    expect((await repos.jobs.get(user.id, waiting.id)).admitted).toBe(true);
    expect((await sweep()).overran).toEqual([]);
  });

  it('leaves a job PROCESSING past the timeout whose execution is still seen running', async () => {
    const { user, project } = await newOwner(repos, 'skewed');
    const { executions, workflow } = fakeWorkflow();
    const job = await generateJob(user.id, project.id);
    await repos.jobs.markProcessing(job.id);
    await startedAgo(job.id, OVERRUN_AFTER_MS + 60_000);
    executions.set(job.id, 'running');
    const sweep = createStuckStartSweep({ jobs: repos.jobs, workflow, ...unusedFailurePath });
    expect((await sweep()).overran).not.toContain(job.id);
    expect((await repos.jobs.get(user.id, job.id)).status).toBe('PROCESSING');
  });

  it('finds its PROCESSING candidates through a partial index of the PROCESSING jobs by start', async () => {
    const rows = await rawRows<{ indexdef: string }>(
      t.db,
      sql`SELECT indexdef FROM pg_indexes WHERE indexname = 'generation_jobs_processing_started_idx'`,
    );
    expect(rows[0]?.indexdef).toMatch(/\(started_at, id\) WHERE \(status = 'PROCESSING'::text\)/);
  });

  it('finds its candidates through a partial index of the QUEUED, admitted jobs', async () => {
    const rows = await rawRows<{ indexdef: string }>(
      t.db,
      sql`SELECT indexdef FROM pg_indexes WHERE indexname = 'generation_jobs_queued_admitted_idx'`,
    );
    expect(rows[0]?.indexdef).toMatch(/WHERE \(\(status = 'QUEUED'::text\) AND admitted\)/);
  });
});

describeEachDriver('the resting stuck-job sweep on', (driver) => {
  const { repos } = suiteDatabase(driver);

  it('does not rest while a job is PROCESSING, and rests once the overdue one is failed', async () => {
    const { user, project } = await newOwner(repos, 'rest');
    const job = await repos.jobs.create({
      userId: user.id,
      projectId: project.id,
      jobType: 'TRANSCODE',
      prompt: 'a lighthouse in fog',
      parameters: {},
      concurrentLimit: 2,
    });
    await repos.jobs.markProcessing(job.id);
    let clock = Date.now();
    const marker = memoryIdleMarker(() => clock);
    const failed: string[] = [];
    const sweep = restingStuckStartSweep(
      marker,
      repos.jobs,
      createStuckStartSweep({
        jobs: repos.jobs,
        workflow: {
          start: async () => expect.fail('nothing is QUEUED'),
          executionState: async () => 'ended',
        },
        tasks: {
          markFailed: async (state) => {
            failed.push(state.jobId);
            await repos.jobs.markFailed(state.jobId, OVERRAN_CAUSE);
          },
        },
        startWaiting: async () => [],
        now: () => clock,
      }),
    );
    // No job QUEUED, one PROCESSING: the sweep stays awake for it.
    expect((await sweep()).overran).toEqual([]);
    expect((await marker.read()).sweepResting).toBe(false);
    clock += OVERRUN_AFTER_MS + 60_000;
    expect((await sweep()).overran).toEqual([job.id]);
    expect(failed).toEqual([job.id]);
    expect((await marker.read()).sweepResting).toBe(true);
  });
});
