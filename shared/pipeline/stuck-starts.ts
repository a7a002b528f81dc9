/**
 * The net under a job's start. A job is recorded QUEUED and admitted (holding one of its owner's slots)
 * before its execution is started, by the API (a submission), the upload trigger, or whoever admits a
 * waiting upload when a slot frees. A process that dies between the two (a timeout, running out of
 * memory), or a failed start whose compensating markFailed fails too, leaves a job that nothing runs and
 * that holds its slot until the user cancels it. This sweep starts those jobs again: starting is
 * idempotent (the execution is named after the job), so a job whose execution does exist is not harmed.
 *
 * Admitted jobs leave QUEUED within seconds of their start, except GENERATE jobs, which wait QUEUED in
 * AcquireCapacity for a unit of their model for as long as the model is busy. Such a job is in its
 * model's line (a waiter record) or holds a unit (a lease, until MarkGenerating runs): that is the sign its
 * execution runs, read once per model, so a long line costs no start per job and per run.
 */
import type { CapacityStore } from '../capacity/store.ts';
import { effectiveGenerate } from '../generation/models.ts';
import type { Job, JobRepository } from '../jobs/repository.ts';
import type { GenerateParameters } from '../jobs/schema.ts';
import type { JobWorkflow } from '../workflow/port.ts';

/** How long an admitted job may stay QUEUED before its start is taken for lost. */
export const STUCK_START_AFTER_MS = 5 * 60_000;
/** Jobs looked at per run; more wait for the next run. */
const BATCH = 50;

export interface StuckStartSweepDeps {
  jobs: Pick<JobRepository, 'listQueuedAdmitted'>;
  workflow: JobWorkflow;
  /** The model capacity store; without it every GENERATE candidate is started again too. */
  capacity?: Pick<CapacityStore, 'queue'> | undefined;
  now?: () => number;
  stuckAfterMs?: number;
}

export function createStuckStartSweep(deps: StuckStartSweepDeps) {
  const now = deps.now ?? Date.now;
  const stuckAfterMs = deps.stuckAfterMs ?? STUCK_START_AFTER_MS;

  /** The candidates whose execution is known to run: GENERATE jobs in their model's line or holding a unit. */
  async function inLine(candidates: Job[]): Promise<Set<string>> {
    const found = new Set<string>();
    if (!deps.capacity) return found;
    const models = new Set(
      candidates
        .filter((job) => job.jobType === 'GENERATE')
        .map((job) => effectiveGenerate(job.parameters as GenerateParameters).model),
    );
    for (const model of models) {
      const { waiters, leases } = await deps.capacity.queue(model);
      for (const holder of [...waiters, ...leases]) found.add(holder.jobId);
    }
    return found;
  }

  /**
   * Starts again the admitted jobs QUEUED for longer than `stuckAfterMs` whose execution is not seen
   * running. Returns their ids; a start that fails is retried by the next run, and reported once every
   * other job has had its turn.
   */
  return async function sweepStuckStarts(): Promise<string[]> {
    const candidates = await deps.jobs.listQueuedAdmitted(new Date(now() - stuckAfterMs), BATCH);
    if (!candidates.length) return [];
    const running = await inLine(candidates);
    const started: string[] = [];
    const errors: unknown[] = [];
    for (const job of candidates) {
      if (running.has(job.id)) continue;
      try {
        await deps.workflow.start({
          jobId: job.id,
          userId: job.userId,
          projectId: job.projectId,
          jobType: job.jobType,
        });
        started.push(job.id);
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length)
      throw new AggregateError(errors, `${errors.length} stuck job(s) could not be started.`);
    return started;
  };
}
