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
import type { IdleMarker } from '../events/idle-marker.ts';
import type { Job, JobRepository } from '../jobs/repository.ts';
import type { JobWorkflow } from '../workflow/port.ts';

/** How long an admitted job may stay QUEUED before its start is taken for lost. */
export const STUCK_START_AFTER_MS = 5 * 60_000;
/** Candidates read per statement: a long line of GENERATE jobs is read page by page, never left unread. */
const PAGE = 100;

export interface StuckStartSweepDeps {
  jobs: Pick<JobRepository, 'listQueuedAdmitted'>;
  workflow: JobWorkflow;
  /** The model capacity store; without it every GENERATE candidate is started again too. */
  capacity?: Pick<CapacityStore, 'queue'> | undefined;
  now?: () => number;
  stuckAfterMs?: number;
  /** Candidates per statement (tests make it small). */
  pageSize?: number;
}

/** The model whose line a GENERATE job waits in (AcquireCapacity's `effectiveGenerate(...).model`). */
const modelOf = (job: Job) => (job.parameters.model as string | undefined) ?? 'local';

export function createStuckStartSweep(deps: StuckStartSweepDeps) {
  const now = deps.now ?? Date.now;
  const stuckAfterMs = deps.stuckAfterMs ?? STUCK_START_AFTER_MS;
  const pageSize = deps.pageSize ?? PAGE;

  /**
   * Starts again the admitted jobs QUEUED for longer than `stuckAfterMs` whose execution is not seen
   * running. Returns their ids; a start that fails is retried by the next run, and reported once every
   * other job has had its turn.
   */
  return async function sweepStuckStarts(): Promise<string[]> {
    const before = new Date(now() - stuckAfterMs);
    // Each model's line, read once per run and only for a model with a GENERATE candidate.
    const lines = new Map<string, Promise<Set<string>>>();
    const inLine = (model: string) => {
      let line = lines.get(model);
      if (!line) {
        line = deps
          .capacity!.queue(model)
          .then(({ waiters, leases }) => new Set([...waiters, ...leases].map((holder) => holder.jobId)));
        lines.set(model, line);
      }
      return line;
    };
    const started: string[] = [];
    const errors: unknown[] = [];
    let after: Job | undefined;
    for (;;) {
      const page = await deps.jobs.listQueuedAdmitted(before, pageSize, after);
      for (const job of page) {
        if (job.jobType === 'GENERATE' && deps.capacity && (await inLine(modelOf(job))).has(job.id)) continue;
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
      if (page.length < pageSize) break;
      after = page.at(-1);
    }
    if (errors.length)
      throw new AggregateError(errors, `${errors.length} stuck job(s) could not be started.`);
    return started;
  };
}

/**
 * The sweep behind the idle marker: while it rests, a run is one marker read and no statement. A run that
 * finds no QUEUED job at all (admitted or waiting for a slot, which an admission could turn into a lost
 * start with no wake) rests it until something wakes it; a job submission wakes it before its row is written.
 */
export function restingStuckStartSweep(
  marker: IdleMarker,
  jobs: Pick<JobRepository, 'anyQueued'>,
  sweep: () => Promise<string[]>,
): () => Promise<string[]> {
  return async () => {
    const seen = await marker.read();
    if (seen.sweepResting) return [];
    const started = await sweep();
    if (!(await jobs.anyQueued())) await marker.restSweep(seen);
    return started;
  };
}
