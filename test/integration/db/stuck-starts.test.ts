/**
 * The stuck-start sweep: an admitted job left QUEUED with no execution (its starter died between the row
 * and StartExecution) is started again, while a GENERATE job waiting QUEUED for a unit of its model, one
 * holding a unit before MarkGenerating, a job just submitted and a running job are left alone.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createAdmission } from '#shared/capacity/admission.ts';
import { memoryCapacityStore } from '#shared/capacity/memory-store.ts';
import { rawRows } from '#shared/db/sql.ts';
import { createStuckStartSweep, STUCK_START_AFTER_MS } from '#shared/pipeline/stuck-starts.ts';
import type { JobExecutionInput, JobWorkflow } from '#shared/workflow/port.ts';
import { describeEachDriver } from '#test/support/db-drivers.ts';
import { newOwner, suiteDatabase } from '#test/support/repositories.ts';

const GENERATE = { model: 'local', durationSeconds: 2, resolution: '640x360' };

describeEachDriver('starting admitted jobs whose start was lost on', (driver) => {
  const { t, repos } = suiteDatabase(driver);

  function setup() {
    const started: JobExecutionInput[] = [];
    const workflow: JobWorkflow = {
      start: async (input) => {
        started.push(input);
      },
      stop: async () => {},
    };
    const capacity = memoryCapacityStore();
    const admission = createAdmission({
      store: capacity,
      tokens: { succeed: async () => true },
      capacityOf: () => 1,
      leaseMsOf: () => 3_600_000,
    });
    // The sweep runs as if the jobs made now were older than the threshold.
    const sweep = createStuckStartSweep({
      jobs: repos.jobs,
      workflow,
      capacity,
      now: () => Date.now() + STUCK_START_AFTER_MS + 1_000,
    });
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
    expect((await repos.jobs.admitNextWaiting(user.id, 5))?.id).toBe(upload.id);
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
      workflow: { start: async (input) => void started.push(input), stop: async () => {} },
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
      workflow: { start: async (input) => void started.push(input), stop: async () => {} },
    });
    expect(await now()).not.toContain(young.id);
  });

  it('finds its candidates through a partial index of the QUEUED, admitted jobs', async () => {
    const rows = await rawRows<{ indexdef: string }>(
      t.db,
      sql`SELECT indexdef FROM pg_indexes WHERE indexname = 'generation_jobs_queued_admitted_idx'`,
    );
    expect(rows[0]?.indexdef).toMatch(/WHERE \(\(status = 'QUEUED'::text\) AND admitted\)/);
  });
});
