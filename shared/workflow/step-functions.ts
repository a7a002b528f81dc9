import {
  ExecutionAlreadyExists,
  type SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { JobWorkflow } from './port.ts';

export function stepFunctionsWorkflow(client: SFNClient, stateMachineArn: string): JobWorkflow {
  const executionArn = (jobId: string) =>
    `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${jobId}`;
  return {
    async start(input) {
      try {
        await client.send(
          new StartExecutionCommand({ stateMachineArn, name: input.jobId, input: JSON.stringify(input) }),
        );
      } catch (error) {
        // Same name and same input: Step Functions treats it as the same execution (idempotent start).
        if (!(error instanceof ExecutionAlreadyExists)) throw error;
      }
    },
    async stop(jobId, cause) {
      await client
        .send(new StopExecutionCommand({ executionArn: executionArn(jobId), error: 'JobCancelled', cause }))
        .catch((error: { name?: string }) => {
          if (error.name !== 'ExecutionDoesNotExist') throw error;
        });
    },
  };
}
