import type { SFNClient } from '@aws-sdk/client-sfn';
import { currentCorrelationId } from '../observability/correlation.ts';
import { currentTraceHeader } from '../observability/tracing.ts';
import { type ClientSource, clientGetter } from '../sdk/lazy-client.ts';
import type { JobWorkflow } from './port.ts';

const sfn = () => import('@aws-sdk/client-sfn');

export function stepFunctionsWorkflow(source: ClientSource<SFNClient>, stateMachineArn: string): JobWorkflow {
  const client = clientGetter(source);
  const executionArn = (jobId: string) =>
    `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${jobId}`;
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
      } catch (error) {
        // Same name and same input: Step Functions treats it as the same execution (idempotent start).
        if (!(error instanceof ExecutionAlreadyExists)) throw error;
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
