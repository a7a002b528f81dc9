/**
 * The deployed upload trigger as AWS composes it: the real handler, ingest and pipeline runtime, built from
 * the function's environment (the state machine and the rate limit table, whose idle marker a new job
 * wakes), on a database behind the Data API double, with S3, Step Functions and DynamoDB mocked.
 * EventBridge S3 "Object Created" events as the bucket's rule delivers them.
 */
import { randomUUID } from 'node:crypto';
import { DeleteObjectsCommand } from '@aws-sdk/client-s3';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { uploadKey } from '#shared/storage/keys.ts';
import { s3ObjectCreated } from '#test/support/aws-events.ts';
import {
  answerIngestCalls,
  arrivedUpload,
  databasesNamed,
  deployedHandlerSuite,
  storageOf,
} from '#test/support/deployed-function.ts';
import { newOwner } from '#test/support/repositories.ts';

const suite = deployedHandlerSuite('upload-trigger', () => import('#functions/events/upload-trigger.ts'));
const { s3, sfn, documents } = suite;
answerIngestCalls(suite);

/** An owner and an upload they were given a presigned POST for (its bytes reserved), not yet arrived. */
async function presignedUpload(bytes: number) {
  const { user, project } = await newOwner(suite.db.repos, 'ut');
  const id = randomUUID();
  await suite.db.repos.reservations.create({
    id,
    userId: user.id,
    projectId: project.id,
    bytes,
    ttlSeconds: 900,
  });
  return { id, userId: user.id, projectId: project.id, key: uploadKey(user.id, project.id, id, 'clip.mp4') };
}
const event = (key: string, size: number) => s3ObjectCreated(key, size, suite.env.MEDIA_BUCKET);
const startsOf = () => sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
const startOf = (u: { id: string; userId: string; projectId: string }) => ({
  stateMachineArn: suite.env.STATE_MACHINE_ARN,
  name: u.id,
  input: JSON.stringify({ jobId: u.id, userId: u.userId, projectId: u.projectId, jobType: 'TRANSCODE' }),
});

describe('upload-trigger, deployed', () => {
  it('turns the upload into a TRANSCODE job started on the state machine; a repeated event changes nothing', async () => {
    const u = await presignedUpload(5000);
    await suite.handler(event(u.key, 4096));

    expect(await suite.db.repos.jobs.getForPipeline(u.id)).toMatchObject({
      id: u.id,
      userId: u.userId,
      projectId: u.projectId,
      jobType: 'TRANSCODE',
      status: 'QUEUED',
      admitted: true,
      parameters: { upload: { key: u.key, fileName: 'clip.mp4', size: 4096 } },
    });
    expect(startsOf()).toEqual([startOf(u)]);
    // The reservation that admitted the upload is held for the job, as declared.
    expect(await storageOf(suite.db.t, u.userId)).toEqual({ reserved: 5000, summed: 5000, used: 0 });
    // The new job woke the idle sleepers: the marker item of the rate limit table the environment names.
    expect(documents.commandCalls(GetCommand).map((c) => c.args[0].input)).toEqual([
      { TableName: suite.env.RATE_LIMIT_TABLE, Key: { pk: 'idle-marker' }, ConsistentRead: true },
    ]);
    expect(documents.commandCalls(UpdateCommand).map((c) => c.args[0].input)).toEqual([
      expect.objectContaining({
        TableName: suite.env.RATE_LIMIT_TABLE,
        Key: { pk: 'idle-marker' },
        UpdateExpression: 'SET wokenAt = :now REMOVE relayUntil, sweepResting',
      }),
    ]);
    expect(suite.logs.lines).toContainEqual(
      expect.objectContaining({ level: 'INFO', message: 'upload received', key: u.key, jobId: u.id }),
    );
    expect(s3.calls()).toHaveLength(0);
    expect(databasesNamed(suite.db.rds)).toEqual(new Set([suite.env.DB_NAME]));

    // S3 delivers an event more than once: the same job is found and started again (an idempotent start).
    await suite.handler(event(u.key, 4096));
    expect(startsOf()).toEqual([startOf(u), startOf(u)]);
    expect(await storageOf(suite.db.t, u.userId)).toEqual({ reserved: 5000, summed: 5000, used: 0 });
    expect(s3.calls()).toHaveLength(0);
  });

  it('refuses a file larger than declared: the job fails with the reason, the file and reservation go', async () => {
    const u = await presignedUpload(1000);
    await suite.handler(event(u.key, 1001));
    expect(await suite.db.repos.jobs.getForPipeline(u.id)).toMatchObject({
      status: 'FAILED',
      errorMessage: expect.stringContaining('larger than the 0.0 MiB declared for it; it was deleted'),
    });
    expect(s3.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: suite.env.MEDIA_BUCKET, Delete: { Objects: [{ Key: u.key }], Quiet: true } },
    ]);
    expect(await storageOf(suite.db.t, u.userId)).toEqual({ reserved: 0, summed: 0, used: 0 });
    expect(sfn.calls()).toHaveLength(0);
  });

  it('an upload whose owner has no free slot waits QUEUED, unstarted', async () => {
    const u = await presignedUpload(100);
    const owner = { userId: u.userId, projectId: u.projectId };
    await arrivedUpload(suite.db.repos, owner);
    await arrivedUpload(suite.db.repos, owner);
    await suite.handler(event(u.key, 100));
    expect(await suite.db.repos.jobs.getForPipeline(u.id)).toMatchObject({
      status: 'QUEUED',
      admitted: false,
    });
    expect(sfn.calls()).toHaveLength(0);
  });

  it('a refused StartExecution fails the invocation, and Lambda’s retry starts the same job', async () => {
    const u = await presignedUpload(100);
    sfn
      .on(StartExecutionCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(suite.handler(event(u.key, 100))).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(await suite.db.repos.jobs.getForPipeline(u.id)).toMatchObject({
      status: 'QUEUED',
      admitted: true,
    });
    await suite.handler(event(u.key, 100));
    expect(startsOf()).toEqual([startOf(u), startOf(u)]);
    expect(await storageOf(suite.db.t, u.userId)).toEqual({ reserved: 100, summed: 100, used: 0 });
  });

  it('logs a malformed event, where it failed and without the key, and throws so Lambda retries it', async () => {
    const u = await presignedUpload(100);
    const malformed = event(u.key, 100);
    delete (malformed.detail.object as { size?: number }).size;
    await expect(suite.handler(malformed)).rejects.toMatchObject({ name: 'UnexpectedEvent' });
    expect(suite.logs.lines).toMatchObject([
      {
        level: 'ERROR',
        message: 'unexpected event',
        eventKind: 'S3 Object Created',
        issues: [expect.objectContaining({ path: 'detail.object.size' })],
      },
    ]);
    expect(JSON.stringify(suite.logs.lines)).not.toContain(u.id);
    expect(suite.db.rds.calls()).toHaveLength(0);
    expect([...s3.calls(), ...sfn.calls(), ...documents.calls()]).toHaveLength(0);
  });
});
