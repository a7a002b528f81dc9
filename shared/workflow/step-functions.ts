import type { SFNClient } from '@aws-sdk/client-sfn';
import { currentCorrelationId } from '../observability/correlation.ts';
import { currentTraceHeader } from '../observability/tracing.ts';
import type { TaskTokens } from '../pipeline/generation-wait.ts';
import { type ClientSource, clientGetter } from '../sdk/lazy-client.ts';
import type { ExecutionLookup, ExecutionState, JobWorkflow } from './port.ts';

const sfn = () => import('@aws-sdk/client-sfn');

/** DescribeExecution's status as the sweep reads it; PENDING_REDRIVE is a redrive about to run again. */
const STATES: Record<string, ExecutionState> = {
  RUNNING: 'running',
  PENDING_REDRIVE: 'running',
  SUCCEEDED: 'ended',
  FAILED: 'ended',
  TIMED_OUT: 'ended',
  ABORTED: 'ended',
};

const executionArnOf = (stateMachineArn: string, jobId: string) =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${jobId}`;

export function stepFunctionsWorkflow(source: ClientSource<SFNClient>, stateMachineArn: string): JobWorkflow {
  const client = clientGetter(source);
  const executionArn = (jobId: string) => executionArnOf(stateMachineArn, jobId);
  return {
    async start(input) {
      const { ExecutionAlreadyExists, StartExecutionCommand } = await sfn();
      // The request's correlation id and trace travel with the execution (its input and X-Ray trace).
      const correlationId = input.correlationId ?? currentCorrelationId();
      const traceHeader = currentTraceHeader();
      try {
        await (await client()).send(
          new StartExecutionCommand({
            stateMachineArn,
            name: input.jobId,
            input: JSON.stringify(correlationId ? { ...input, correlationId } : input),
            ...(traceHeader ? { traceHeader } : {}),
          }),
        );
        return 'started';
      } catch (error) {
        // Same name and same input as a running execution succeeds (an idempotent start); a closed one, or
        // other input (another correlation id), fails with ExecutionAlreadyExists and starts nothing.
        if (!(error instanceof ExecutionAlreadyExists)) throw error;
        return 'existing';
      }
    },
    async stop(jobId, cause) {
      const { StopExecutionCommand } = await sfn();
      await (await client())
        .send(new StopExecutionCommand({ executionArn: executionArn(jobId), error: 'JobCancelled', cause }))
        .catch((error: { name?: string }) => {
          if (error.name !== 'ExecutionDoesNotExist') throw error;
        });
    },
  };
}

/**
 * DescribeExecution of a job's execution, for the stuck-start sweep alone (its own factory, so the other
 * functions' bundles hold no command their roles may not call).
 */
export function stepFunctionsExecutions(
  source: ClientSource<SFNClient>,
  stateMachineArn: string,
): ExecutionLookup {
  const client = clientGetter(source);
  const executionArn = (jobId: string) => executionArnOf(stateMachineArn, jobId);
  return {
    async executionState(jobId) {
      const { DescribeExecutionCommand } = await sfn();
      let status: string | undefined;
      try {
        ({ status } = await (await client()).send(
          new DescribeExecutionCommand({ executionArn: executionArn(jobId) }),
        ));
      } catch (error) {
        if ((error as { name?: string }).name === 'ExecutionDoesNotExist') return 'none';
        throw error;
      }
      const state = STATES[status ?? ''];
      if (!state) throw new Error(`Unknown execution status ${status} for job ${jobId}.`);
      return state;
    },
  };
}

/**
 * SendTaskSuccess for the states that wait on a task token. A token nothing waits on any more (the state
 * timed out or was already answered: TaskTimedOut; its execution ended: TaskDoesNotExist or InvalidToken)
 * is reported as `false`, so a duplicate or late event changes nothing; other errors are thrown. `waiting`
 * asks the same with SendTaskHeartbeat, which resumes nothing (no state sets HeartbeatSeconds, so there is
 * no heartbeat clock to reset).
 */
export function stepFunctionsTaskTokens(
  source: ClientSource<SFNClient>,
): TaskTokens & { waiting(taskToken: string): Promise<boolean> } {
  const client = clientGetter(source);
  return {
    async waiting(taskToken) {
      const { SendTaskHeartbeatCommand } = await sfn();
      try {
        await (await client()).send(new SendTaskHeartbeatCommand({ taskToken }));
        return true;
      } catch (error) {
        if (GONE.has((error as { name?: string }).name ?? '')) return false;
        throw error;
      }
    },
    async succeed(taskToken, output) {
      const { SendTaskSuccessCommand } = await sfn();
      try {
        await (await client()).send(
          new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }),
        );
        return true;
      } catch (error) {
        if (GONE.has((error as { name?: string }).name ?? '')) return false;
        throw error;
      }
    },
  };
}

const GONE = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);
