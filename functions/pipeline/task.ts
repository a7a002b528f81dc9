/**
 * One state of the generation-job state machine as a Lambda function. Errors are rethrown with their name
 * intact: the state machine's Retry and Catch match on it (GenerationPending, ModelThrottled, …).
 */
import { loggableError, withoutQueryParams } from '#shared/db/errors.ts';
import { findInCauses, ServiceUnavailableError } from '#shared/errors.ts';
import { annotateTrace, inHandlerSegment } from '#shared/observability/tracing.ts';
import type { PipelineState, PipelineTasks } from '#shared/pipeline/tasks.ts';
import { pipelineRuntime } from '#shared/runtime/pipeline-aws.ts';

type TaskName = keyof PipelineTasks;

export function pipelineTask(name: TaskName) {
  return (state: PipelineState) => inHandlerSegment(name, () => run(state));

  async function run(state: PipelineState) {
    const { tasks, logger } = pipelineRuntime();
    // The execution carries the submitting request's correlation id: its log lines and trace carry it too.
    const keys = { jobId: state.jobId, userId: state.userId, correlationId: state.correlationId };
    logger.appendKeys({ ...keys, task: name });
    annotateTrace(keys);
    try {
      return (await tasks[name](state)) ?? null;
    } catch (error) {
      const e = error as Error;
      if (e.name !== 'GenerationPending')
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
  }
}
