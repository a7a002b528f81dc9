/**
 * SendTaskSuccess as the model-output handler and CheckGeneration send it (request shape from the Step
 * Functions API reference: `taskToken` and `output`, a JSON string), and the answers that mean nothing
 * waits on the token any more; SendTaskHeartbeat (`taskToken` only), which AcquireCapacity sends to ask
 * whether its state still waits, with the same answers.
 */
import {
  InvalidToken,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, expect, it } from 'vitest';
import { stepFunctionsTaskTokens } from '#shared/workflow/step-functions.ts';

const sfn = mockClient(SFNClient);
afterEach(() => sfn.reset());

const run = {
  handle: 'arn:aws:bedrock:us-east-1:123456789012:async-invoke/abc123',
  model: 'nova-reel',
  startedAt: 1_790_000_000_000,
  expectedSeconds: 138,
  videoKey: 'work/u/j/generation/abc123/output.mp4',
};

it('resumes the waiting state with the run as its output', async () => {
  sfn.on(SendTaskSuccessCommand).resolves({});
  const tokens = stepFunctionsTaskTokens(new SFNClient({ region: 'us-east-1' }));
  expect(await tokens.succeed('AQCEAAAAKgAAAA...token', run)).toBe(true);
  const calls = sfn.commandCalls(SendTaskSuccessCommand);
  expect(calls).toHaveLength(1);
  expect(calls[0]!.args[0].input).toEqual({
    taskToken: 'AQCEAAAAKgAAAA...token',
    output: JSON.stringify(run),
  });
});

it.each([
  ['TaskTimedOut', new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} })],
  ['TaskDoesNotExist', new TaskDoesNotExist({ message: 'Task does not exist', $metadata: {} })],
  ['InvalidToken', new InvalidToken({ message: 'Invalid token', $metadata: {} })],
])(
  'reports a token nothing waits on (%s) as false: a late or repeated event is harmless',
  async (_n, error) => {
    sfn.on(SendTaskSuccessCommand).rejects(error);
    const tokens = stepFunctionsTaskTokens(new SFNClient({ region: 'us-east-1' }));
    expect(await tokens.succeed('old-token', run)).toBe(false);
  },
);

it('throws other failures, so the event is retried', async () => {
  sfn
    .on(SendTaskSuccessCommand)
    .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
  const tokens = stepFunctionsTaskTokens(new SFNClient({ region: 'us-east-1' }));
  await expect(tokens.succeed('token', run)).rejects.toMatchObject({ name: 'ThrottlingException' });
});

it('asks whether a state waits on the token with a heartbeat, which resumes nothing', async () => {
  sfn.on(SendTaskHeartbeatCommand).resolves({});
  const tokens = stepFunctionsTaskTokens(new SFNClient({ region: 'us-east-1' }));
  expect(await tokens.waiting('AQCEAAAAKgAAAA...token')).toBe(true);
  const calls = sfn.commandCalls(SendTaskHeartbeatCommand);
  expect(calls.map((c) => c.args[0].input)).toEqual([{ taskToken: 'AQCEAAAAKgAAAA...token' }]);
  expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
});

it.each([
  ['TaskTimedOut', new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} })],
  ['TaskDoesNotExist', new TaskDoesNotExist({ message: 'Task does not exist', $metadata: {} })],
  ['InvalidToken', new InvalidToken({ message: 'Invalid token', $metadata: {} })],
])('reports a token nothing waits on (%s) as not waiting', async (_n, error) => {
  sfn.on(SendTaskHeartbeatCommand).rejects(error);
  const tokens = stepFunctionsTaskTokens(new SFNClient({ region: 'us-east-1' }));
  expect(await tokens.waiting('old-token')).toBe(false);
});

it('throws other failures of the heartbeat', async () => {
  sfn
    .on(SendTaskHeartbeatCommand)
    .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
  const tokens = stepFunctionsTaskTokens(new SFNClient({ region: 'us-east-1' }));
  await expect(tokens.waiting('token')).rejects.toMatchObject({ name: 'ThrottlingException' });
});
