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
 *
 * A start can also find the job's execution there already and start nothing: a running one started with
 * other input (another correlation id), which is left to run, or one that has ended (Step Functions keeps
 * a closed execution's name, so no start ever runs the job again) while the job is still QUEUED, because
 * the ending's event was lost or its handler failed. Such a job would hold its slot for good: it is failed
 * here as that handler would have (MarkFailed's task, then the owner's waiting uploads are started).
 *
 * The same loss strands a PROCESSING job. Its execution cannot outlive the state machine's hard timeout,
 * so a job PROCESSING for longer than that (and a margin) has lost its ending and is failed the same way;
 * only an execution still seen running (clocks apart) is left to it.
 */
import type { CapacityStore } from '../capacity/store.ts';
import type { IdleMarker } from '../events/idle-marker.ts';
import type { JobRepository, SweepCandidate } from '../jobs/repository.ts';
import { EXECUTION_TIMEOUT_SECONDS } from '../workflow/execution-timeout.ts';
import type { ExecutionLookup, JobWorkflow } from '../workflow/port.ts';
import type { PipelineTasks } from './tasks.ts';

/** How long an admitted job may stay QUEUED before its start is taken for lost. */
export const STUCK_START_AFTER_MS = 5 * 60_000;
/**
 * How long a job may stay PROCESSING before its ending is taken for lost: the execution's hard timeout, and
 * a margin for the timed-out execution's own event to be handled first.
 */
export const OVERRUN_AFTER_MS = EXECUTION_TIMEOUT_SECONDS * 1000 + 15 * 60_000;
/** Candidates read per statement: a long line of GENERATE jobs is read page by page, never left unread. */
const PAGE = 100;

/** What the user reads on a job whose execution ended with the job still QUEUED. */
export const ENDED_UNSTARTED_CAUSE =
  'The job stopped before it could start, and nothing was charged. Please submit it again.';

/** What the user reads on a job still PROCESSING past its execution's hard timeout. */
export const OVERRAN_CAUSE =
  'The job ran past its time limit and was stopped; nothing was charged. Please submit it again.';

export interface StuckStartSweepDeps {
  jobs: Pick<JobRepository, 'listQueuedAdmitted' | 'listProcessingStartedBefore'>;
  workflow: Pick<JobWorkflow, 'start'> & ExecutionLookup;
  /** The failure path of an ended execution: MarkFailed's task, then the owner's waiting uploads. */
  tasks: Pick<PipelineTasks, 'markFailed'>;
  startWaiting: (userId: string) => Promise<unknown>;
  /** The model capacity store; without it every GENERATE candidate is started again too. */
  capacity?: Pick<CapacityStore, 'queue'> | undefined;
  now?: () => number;
  stuckAfterMs?: number;
  /** How long a job may stay PROCESSING (the execution's hard timeout and a margin). */
  overrunAfterMs?: number;
  /** Candidates per statement (tests make it small). */
  pageSize?: number;
}

/**
 * The jobs a sweep started, those QUEUED whose execution had ended and that it failed, and those it failed
 * PROCESSING past the execution timeout.
 */
export interface StuckStartSweepResult {
  started: string[];
  failed: string[];
  overran: string[];
}

/** The model whose line a GENERATE job waits in (AcquireCapacity's `effectiveGenerate(...).model`). */
const modelOf = (job: SweepCandidate) => job.model ?? 'local';

export function createStuckStartSweep(deps: StuckStartSweepDeps) {
  const now = deps.now ?? Date.now;
  const stuckAfterMs = deps.stuckAfterMs ?? STUCK_START_AFTER_MS;
  const pageSize = deps.pageSize ?? PAGE;
  const overrunAfterMs = deps.overrunAfterMs ?? OVERRUN_AFTER_MS;

  /** Fails a job whose execution has ended, as the execution-ended handler would have. */
  async function failEnded(job: SweepCandidate, cause: string) {
    await deps.tasks.markFailed({
      jobId: job.id,
      userId: job.userId,
      projectId: job.projectId,
      jobType: job.jobType,
      error: { Error: 'Interrupted', Cause: cause },
    });
    await deps.startWaiting(job.userId);
  }

  /** Fails the jobs PROCESSING for longer than `overrunAfterMs` whose execution is not seen running. */
  async function failOverrun(overran: string[], errors: unknown[]) {
    const before = new Date(now() - overrunAfterMs);
    let after: SweepCandidate | undefined;
    for (;;) {
      const page = await deps.jobs.listProcessingStartedBefore(before, pageSize, after);
      for (const job of page) {
        try {
          if ((await deps.workflow.executionState(job.id)) === 'running') continue;
          await failEnded(job, OVERRAN_CAUSE);
          overran.push(job.id);
        } catch (error) {
          errors.push(error);
        }
      }
      if (page.length < pageSize) break;
      after = page.at(-1);
    }
  }

  /**
   * Starts again the admitted jobs QUEUED for longer than `stuckAfterMs` whose execution is not seen
   * running, and fails those whose execution has ended; then fails the jobs PROCESSING past the execution
   * timeout. A job that fails either way is retried by the next run, and reported once every other job has
   * had its turn.
   */
  return async function sweepStuckStarts(): Promise<StuckStartSweepResult> {
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
    const failed: string[] = [];
    const errors: unknown[] = [];
    let after: SweepCandidate | undefined;
    for (;;) {
      const page = await deps.jobs.listQueuedAdmitted(before, pageSize, after);
      for (const job of page) {
        if (job.jobType === 'GENERATE' && deps.capacity && (await inLine(modelOf(job))).has(job.id)) continue;
        try {
          const outcome = await deps.workflow.start({
            jobId: job.id,
            userId: job.userId,
            projectId: job.projectId,
            jobType: job.jobType,
          });
          if (outcome === 'started') started.push(job.id);
          // A running execution is left to run; one not seen yet (`none`) is looked at again next run.
          else if ((await deps.workflow.executionState(job.id)) === 'ended') {
            await failEnded(job, ENDED_UNSTARTED_CAUSE);
            failed.push(job.id);
          }
        } catch (error) {
          errors.push(error);
        }
      }
      if (page.length < pageSize) break;
      after = page.at(-1);
    }
    const overran: string[] = [];
    await failOverrun(overran, errors);
    if (errors.length)
      throw new AggregateError(errors, `${errors.length} stuck job(s) could not be started or failed.`);
    return { started, failed, overran };
  };
}

/**
 * The sweep behind the idle marker: while it rests, a run is one marker read and no statement. A run that
 * finds no job QUEUED (admitted or waiting for a slot, which an admission could turn into a lost start with
 * no wake) or PROCESSING (which could outlive its execution) rests it until something wakes it; a job
 * submission wakes it before its row is written.
 */
export function restingStuckStartSweep(
  marker: IdleMarker,
  jobs: Pick<JobRepository, 'anyActive'>,
  sweep: () => Promise<StuckStartSweepResult>,
): () => Promise<StuckStartSweepResult> {
  return async () => {
    const seen = await marker.read();
    if (seen.sweepResting) return { started: [], failed: [], overran: [] };
    const result = await sweep();
    if (!(await jobs.anyActive())) await marker.restSweep(seen);
    return result;
  };
}
