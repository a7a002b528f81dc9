/**
 * The Step Functions adapter's start and execution lookup, with the request shapes of the Step Functions API
 * reference: StartExecution with the job's id as `name`, which fails with ExecutionAlreadyExists for a
 * closed execution of that name or for other input; DescribeExecution by the execution's ARN, whose
 * `status` says whether it still runs.
 */
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  type ExecutionStatus,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, expect, it } from 'vitest';
import { stepFunctionsExecutions, stepFunctionsWorkflow } from '#shared/workflow/step-functions.ts';

const sfn = mockClient(SFNClient);
afterEach(() => sfn.reset());

const STATE_MACHINE = 'arn:aws:states:us-east-1:111122223333:stateMachine:ai-video-dev-generation-job';
const JOB = {
  jobId: '11111111-2222-4333-8444-555555555555',
  userId: '66666666-7777-4888-9999-000000000000',
  projectId: '99999999-8888-4777-8666-555555555555',
  jobType: 'EDIT' as const,
};
const workflow = () => stepFunctionsWorkflow(new SFNClient({ region: 'us-east-1' }), STATE_MACHINE);
const executions = () => stepFunctionsExecutions(new SFNClient({ region: 'us-east-1' }), STATE_MACHINE);

it('starts the execution named after the job, with the job as its input', async () => {
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn', startDate: new Date() });
  expect(await workflow().start(JOB)).toBe('started');
  const calls = sfn.commandCalls(StartExecutionCommand);
  expect(calls).toHaveLength(1);
  expect(calls[0]!.args[0].input).toEqual({
    stateMachineArn: STATE_MACHINE,
    name: JOB.jobId,
    input: JSON.stringify(JOB),
  });
});

it('reports an execution of that name already there (closed, or with other input) as existing', async () => {
  sfn
    .on(StartExecutionCommand)
    .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
  expect(await workflow().start(JOB)).toBe('existing');
});

it('throws any other start failure', async () => {
  sfn
    .on(StartExecutionCommand)
    .rejects(new StateMachineDoesNotExist({ message: 'State Machine Does Not Exist', $metadata: {} }));
  await expect(workflow().start(JOB)).rejects.toThrow('State Machine Does Not Exist');
});

it.each<[ExecutionStatus, string]>([
  ['RUNNING', 'running'],
  ['PENDING_REDRIVE', 'running'],
  ['SUCCEEDED', 'ended'],
  ['FAILED', 'ended'],
  ['TIMED_OUT', 'ended'],
  ['ABORTED', 'ended'],
])('reads a %s execution as %s, looked up by its ARN', async (status, state) => {
  sfn.on(DescribeExecutionCommand).resolves({ status });
  expect(await executions().executionState(JOB.jobId)).toBe(state);
  const calls = sfn.commandCalls(DescribeExecutionCommand);
  expect(calls).toHaveLength(1);
  expect(calls[0]!.args[0].input).toEqual({
    executionArn: `arn:aws:states:us-east-1:111122223333:execution:ai-video-dev-generation-job:${JOB.jobId}`,
  });
});

it('reads an execution that does not exist as none, and throws on a status it does not know', async () => {
  sfn
    .on(DescribeExecutionCommand)
    .rejectsOnce(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }))
    .resolvesOnce({ status: 'PAUSED' as ExecutionStatus });
  expect(await executions().executionState(JOB.jobId)).toBe('none');
  await expect(executions().executionState(JOB.jobId)).rejects.toThrow('Unknown execution status PAUSED');
});
