/**
 * One state of the generation-job state machine as a Lambda function. Errors are rethrown with their name
 * intact: the state machine's Retry and Catch match on it (GenerationFailed, ModelThrottled, …).
 */
import { loggableError, withoutQueryParams } from '#shared/db/errors.ts';
import { findInCauses, ServiceUnavailableError } from '#shared/errors.ts';
import { annotateTrace, inHandlerSegment } from '#shared/observability/tracing.ts';
import type { PipelineState, PipelineTasks } from '#shared/pipeline/tasks.ts';
import { pipelineRuntime } from '#shared/runtime/pipeline-aws.ts';

type TaskName = Exclude<keyof PipelineTasks, WaitingTaskName | 'generationOutputCreated'>;
type WaitingTaskName = 'acquireCapacity' | 'startGeneration' | 'checkGeneration';

/** What a `lambda:invoke.waitForTaskToken` state sends: the state's input and its task token. */
export interface WaitingTaskEvent {
  state: PipelineState;
  taskToken: string;
}

async function run(state: PipelineState, name: string, body: () => Promise<unknown>) {
  return inHandlerSegment(name, async () => {
    const { logger } = pipelineRuntime();
    // The execution carries the submitting request's correlation id: its log lines and trace carry it too.
    const keys = { jobId: state.jobId, userId: state.userId, correlationId: state.correlationId };
    logger.appendKeys({ ...keys, task: name });
    annotateTrace(keys);
    try {
      return (await body()) ?? null;
    } catch (error) {
      const e = error as Error;
      logger.warn('task failed', { errorName: e.name, error: loggableError(error) });
      // What a task throws becomes the execution's Cause (history, logs, MarkFailed's input): same name,
      // so Retry and Catch still match, but never a failed query's parameters.
      // A database that stayed unavailable through the driver's budget: the state machine retries the
      // tasks that can run twice (DatabaseUnavailable), and the rest fail with a retryable message.
      if (findInCauses(error, ServiceUnavailableError)) {
        const unavailable = new Error('The database is unavailable; the step can be retried.');
        unavailable.name = 'DatabaseUnavailable';
        throw unavailable;
      }
      if (typeof e.message === 'string' && e.message.includes('\nparams: ')) {
        const safe = new Error(withoutQueryParams(e.message));
        safe.name = e.name;
        throw safe;
      }
      throw error;
    }
  });
}

export function pipelineTask(name: TaskName) {
  return (state: PipelineState) =>
    run(state, name, () => (pipelineRuntime().tasks[name] as (s: PipelineState) => Promise<unknown>)(state));
}

/** A task whose state waits for a task token; the token is handed to the task and never logged. */
export function waitingPipelineTask(name: WaitingTaskName) {
  return ({ state, taskToken }: WaitingTaskEvent) =>
    run(state, name, () => pipelineRuntime().tasks[name](state, taskToken));
}
