/**
 * The deployed execution-ended handler as AWS composes it: the real handler and pipeline runtime, built
 * from the function's environment (with the capacity table, without a state machine variable: it starts
 * waiting uploads on the event's state machine), on a database behind the Data API double, with S3, Step
 * Functions and DynamoDB mocked. EventBridge "Step Functions Execution Status Change" events of each ending.
 */
import { randomUUID } from 'node:crypto';
import {
  DeleteObjectsCommand,
  type DeleteObjectsCommandInput,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { CAPACITY_WAIT_ENDED, SERVICE_PROBLEM } from '#shared/pipeline/tasks.ts';
import { clipPrefix, jobWorkPrefix } from '#shared/storage/keys.ts';
import { executionStatusChange } from '#test/support/aws-events.ts';
import {
  arrivedUpload,
  databasesNamed,
  deployedHandlerSuite,
  storageOf,
} from '#test/support/deployed-function.ts';
import { newOwner, registerJobClip } from '#test/support/repositories.ts';

const suite = deployedHandlerSuite('execution-ended', () => import('#functions/events/execution-ended.ts'));
const { s3, sfn, documents } = suite;
/** The rule matches this stage's state machine only; the handler starts waiting uploads on it. */
const STATE_MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:GenerationJob-dev';
beforeEach(() => {
  // A started job wrote one scratch object; its clip folder is empty.
  s3.on(ListObjectsV2Command).callsFake(async (input: { Prefix: string }) => ({
    Contents: input.Prefix.startsWith('work/') ? [{ Key: `${input.Prefix}source.mp4`, Size: 5 }] : [],
    IsTruncated: false,
  }));
  s3.on(DeleteObjectsCommand).resolves({});
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn', startDate: new Date() });
  documents.on(DeleteCommand).resolves({});
  documents.on(QueryCommand).resolves({ Items: [] });
});

/** A FREE owner (two slots) with both taken by uploads, the first running, and a third upload waiting. */
async function ownerWithWaitingUpload() {
  const { user, project } = await newOwner(suite.db.repos, 'ee');
  const owner = { userId: user.id, projectId: project.id };
  const running = await arrivedUpload(suite.db.repos, owner, 1000);
  await suite.db.repos.jobs.markProcessing(running.id);
  const other = await arrivedUpload(suite.db.repos, owner, 2000);
  const waiting = await arrivedUpload(suite.db.repos, owner, 3000);
  expect([running.job.admitted, other.job.admitted, waiting.job.admitted]).toEqual([true, true, false]);
  return { ...owner, running, other, waiting };
}

const inputOf = (job: { id: string; userId: string; projectId: string }, jobType = 'TRANSCODE') => ({
  jobId: job.id,
  userId: job.userId,
  projectId: job.projectId,
  jobType,
});
const jobOf = (id: string) => suite.db.repos.jobs.getForPipeline(id);
const deletedKeys = () =>
  s3
    .commandCalls(DeleteObjectsCommand)
    .flatMap((c) => (c.args[0].input as DeleteObjectsCommandInput).Delete!.Objects!.map((o) => o.Key));

function expectStarted(waiting: { id: string }, owner: { userId: string; projectId: string }) {
  expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input)).toEqual([
    {
      stateMachineArn: STATE_MACHINE,
      name: waiting.id,
      input: JSON.stringify({
        jobId: waiting.id,
        userId: owner.userId,
        projectId: owner.projectId,
        jobType: 'TRANSCODE',
      }),
    },
  ]);
}

describe('execution-ended, deployed', () => {
  it('ABORTED: closes the job as cancelled, removes what it wrote, and starts the upload waiting for its slot', async () => {
    const o = await ownerWithWaitingUpload();
    await suite.handler(executionStatusChange(STATE_MACHINE, inputOf({ id: o.running.id, ...o }), 'ABORTED'));

    expect(await jobOf(o.running.id)).toMatchObject({ status: 'FAILED', errorMessage: 'Cancelled by user.' });
    // Its scratch and clip folders are listed in the media bucket, and what they hold and its upload deleted.
    expect(s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input)).toEqual(
      expect.arrayContaining([
        { Bucket: suite.env.MEDIA_BUCKET, Prefix: jobWorkPrefix(o.userId, o.running.id) },
        { Bucket: suite.env.MEDIA_BUCKET, Prefix: clipPrefix(o.userId, o.projectId, o.running.id) },
      ]),
    );
    expect(
      s3.commandCalls(DeleteObjectsCommand).every((c) => c.args[0].input.Bucket === suite.env.MEDIA_BUCKET),
    ).toBe(true);
    expect(deletedKeys().sort()).toEqual(
      [`${jobWorkPrefix(o.userId, o.running.id)}source.mp4`, o.running.key].sort(),
    );
    // The freed slot went to the waiting upload, started on the event's state machine.
    expect(await jobOf(o.waiting.id)).toMatchObject({ status: 'QUEUED', admitted: true });
    expectStarted(o.waiting, o);
    // Its reservation is given back; the others' stay, each counted once.
    expect(await storageOf(suite.db.t, o.userId)).toEqual({ reserved: 5000, summed: 5000, used: 0 });
    expect(suite.logs.lines).toContainEqual(
      expect.objectContaining({ message: 'waiting uploads started', jobIds: [o.waiting.id] }),
    );
    // A TRANSCODE job holds no model capacity.
    expect(documents.calls()).toHaveLength(0);
    expect(databasesNamed(suite.db.rds)).toEqual(new Set([suite.env.DB_NAME]));
  });

  it('TIMED_OUT: a generation still in its model line ends as a capacity wait, and leaves the line', async () => {
    const { user, project } = await newOwner(suite.db.repos, 'ee');
    const job = await suite.db.repos.jobs.create({
      userId: user.id,
      projectId: project.id,
      jobType: 'GENERATE',
      prompt: 'a lighthouse at dusk',
      parameters: { model: 'nova-reel' },
      concurrentLimit: 2,
    });
    await suite.handler(executionStatusChange(STATE_MACHINE, inputOf(job, 'GENERATE'), 'TIMED_OUT'));

    expect(await jobOf(job.id)).toMatchObject({ status: 'FAILED', errorMessage: CAPACITY_WAIT_ENDED });
    // Its place in line is removed from the capacity table the environment names.
    expect(documents.commandCalls(DeleteCommand).map((c) => c.args[0].input)).toEqual([
      {
        TableName: suite.env.CAPACITY_TABLE,
        Key: { pk: 'model#nova-reel', sk: `waiter#${job.id}` },
        ReturnValues: 'ALL_OLD',
      },
    ]);
    expect(
      documents
        .commandCalls(QueryCommand)
        .every((c) => c.args[0].input.TableName === suite.env.CAPACITY_TABLE),
    ).toBe(true);
    // It never started: nothing of it is in the bucket.
    expect(s3.calls()).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('FAILED outside the Catch: the job fails with the generic message and the error is logged', async () => {
    const o = await ownerWithWaitingUpload();
    await suite.handler(
      executionStatusChange(STATE_MACHINE, inputOf({ id: o.running.id, ...o }), 'FAILED', {
        error: 'States.Runtime',
        cause: "An error occurred while executing the state 'MarkFailed'.",
      }),
    );
    expect(await jobOf(o.running.id)).toMatchObject({ status: 'FAILED', errorMessage: SERVICE_PROBLEM });
    expect(deletedKeys()).toContain(o.running.key);
    expectStarted(o.waiting, o);
    expect(suite.logs.lines).toContainEqual(
      expect.objectContaining({
        level: 'WARN',
        message: 'job failed',
        jobId: o.running.id,
        error: expect.objectContaining({ Error: 'States.Runtime' }),
      }),
    );
  });

  it('FAILED by its own Fail state, and SUCCEEDED: the job is left as MarkFailed or RegisterClip left it', async () => {
    const o = await ownerWithWaitingUpload();
    await suite.db.repos.jobs.markFailed(o.running.id, 'The video could not be transcoded.');
    await suite.handler(
      executionStatusChange(STATE_MACHINE, inputOf({ id: o.running.id, ...o }), 'FAILED', {
        error: 'JobFailed',
        cause: 'The video could not be transcoded.',
      }),
    );
    expect(await jobOf(o.running.id)).toMatchObject({
      status: 'FAILED',
      errorMessage: 'The video could not be transcoded.',
    });
    expect(s3.calls()).toHaveLength(0);
    expectStarted(o.waiting, o);

    sfn.resetHistory();
    // Both slots are taken again (the upload just started, and the other), so the next upload waits.
    const next = await arrivedUpload(suite.db.repos, o, 10);
    expect(next.job.admitted).toBe(false);
    await suite.db.repos.jobs.markProcessing(o.other.id);
    await registerJobClip(suite.db.repos, { id: o.other.id, ...o }, 'clip');
    await suite.handler(executionStatusChange(STATE_MACHINE, inputOf({ id: o.other.id, ...o }), 'SUCCEEDED'));
    expect(await jobOf(o.other.id)).toMatchObject({ status: 'COMPLETED' });
    expect(s3.calls()).toHaveLength(0);
    expectStarted(next, o);
  });

  it('an ended execution of an owner with nothing waiting starts nothing', async () => {
    const { user, project } = await newOwner(suite.db.repos, 'ee');
    const only = await arrivedUpload(suite.db.repos, { userId: user.id, projectId: project.id });
    await suite.db.repos.jobs.markFailed(only.id, 'x');
    await suite.handler(
      executionStatusChange(STATE_MACHINE, inputOf(only.job), 'FAILED', { error: 'JobFailed', cause: 'x' }),
    );
    expect(sfn.calls()).toHaveLength(0);
    expect(suite.logs.lines.filter((l) => l.message === 'waiting uploads started')).toEqual([]);
  });

  it('an ended execution whose input EventBridge left out (too large) is logged, and nothing is done', async () => {
    await suite.handler(executionStatusChange(STATE_MACHINE, null, 'ABORTED'));
    expect(suite.logs.lines).toMatchObject([
      { level: 'WARN', message: 'ended execution without its input', status: 'ABORTED' },
    ]);
    expect(suite.db.rds.calls()).toHaveLength(0);
    expect([...s3.calls(), ...sfn.calls(), ...documents.calls()]).toHaveLength(0);
  });

  it('logs a malformed event, where it failed, and throws so Lambda retries it', async () => {
    const jobId = randomUUID();
    await expect(
      suite.handler(executionStatusChange(STATE_MACHINE, JSON.stringify({ jobId }), 'ABORTED')),
    ).rejects.toMatchObject({ name: 'UnexpectedEvent' });
    expect(suite.logs.lines).toMatchObject([
      {
        level: 'ERROR',
        message: 'unexpected event',
        eventKind: 'Step Functions Execution Status Change',
        issues: expect.arrayContaining([expect.objectContaining({ path: 'detail.input.userId' })]),
      },
    ]);
    expect(JSON.stringify(suite.logs.lines)).not.toContain(jobId);
    expect(suite.db.rds.calls()).toHaveLength(0);
    expect([...s3.calls(), ...sfn.calls(), ...documents.calls()]).toHaveLength(0);
  });
});
