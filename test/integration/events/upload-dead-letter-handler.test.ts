/**
 * The deployed consumer of the upload trigger's on-failure queue as AWS composes it: the real handler,
 * ingest and pipeline runtime, built from the function's environment, on a database behind the Data API
 * double, with S3, Step Functions and DynamoDB mocked. Its input is the SQS event of Lambda's invocation
 * records of upload events that failed every attempt; its answer, the batch's failed items.
 */
import { randomUUID } from 'node:crypto';
import { DeleteObjectsCommand } from '@aws-sdk/client-s3';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { NotFoundError } from '#shared/errors.ts';
import { uploadKey } from '#shared/storage/keys.ts';
import { UPLOAD_NOT_STARTED } from '#shared/uploads/ingest.ts';
import { invocationRecord, s3ObjectCreated, sqsEvent } from '#test/support/aws-events.ts';
import {
  answerIngestCalls,
  arrivedUpload,
  databasesNamed,
  deployedHandlerSuite,
  storageOf,
} from '#test/support/deployed-function.ts';
import { newOwner } from '#test/support/repositories.ts';

const suite = deployedHandlerSuite(
  'upload-dead-letter',
  () => import('#functions/events/upload-dead-letter.ts'),
);
const { s3, sfn, documents } = suite;
answerIngestCalls(suite);

/** The queue's message for an upload event that failed every attempt. */
const message = (key: string, size: number, messageId = randomUUID()) => ({
  messageId,
  body: JSON.stringify(invocationRecord(s3ObjectCreated(key, size, suite.env.MEDIA_BUCKET))),
});
const deletesOf = () => s3.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input);
const deleted = (key: string) => ({
  Bucket: suite.env.MEDIA_BUCKET,
  Delete: { Objects: [{ Key: key }], Quiet: true },
});

describe('upload-dead-letter, deployed', () => {
  it('fails the job whose start never succeeded, frees its file and reservation, and starts the upload waiting for its slot', async () => {
    const { user, project } = await newOwner(suite.db.repos, 'dl');
    const owner = { userId: user.id, projectId: project.id };
    const unstarted = await arrivedUpload(suite.db.repos, owner, 1000);
    await arrivedUpload(suite.db.repos, owner, 2000);
    const waiting = await arrivedUpload(suite.db.repos, owner, 3000);
    expect(waiting.job.admitted).toBe(false);

    const m = message(unstarted.key, 1000);
    await expect(suite.handler(sqsEvent([m]))).resolves.toEqual({ batchItemFailures: [] });

    expect(await suite.db.repos.jobs.getForPipeline(unstarted.id)).toMatchObject({
      status: 'FAILED',
      errorMessage: UPLOAD_NOT_STARTED,
    });
    expect(deletesOf()).toEqual([deleted(unstarted.key)]);
    expect(await storageOf(suite.db.t, user.id)).toEqual({ reserved: 5000, summed: 5000, used: 0 });
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input)).toEqual([
      {
        stateMachineArn: suite.env.STATE_MACHINE_ARN,
        name: waiting.id,
        input: JSON.stringify({ jobId: waiting.id, ...owner, jobType: 'TRANSCODE' }),
      },
    ]);
    expect(suite.logs.lines).toContainEqual(
      expect.objectContaining({
        level: 'WARN',
        message: 'upload event failed every attempt',
        condition: 'RetriesExhausted',
        requestId: 'e4b46cbf-b738-xmpl-8880-a18cdf61200e',
        errorType: 'Error',
      }),
    );
    expect(suite.logs.lines).toContainEqual(
      expect.objectContaining({ message: 'upload abandoned', key: unstarted.key, jobId: unstarted.id }),
    );
    expect(databasesNamed(suite.db.rds)).toEqual(new Set([suite.env.DB_NAME]));
  });

  it('records a FAILED job for an upload the trigger never made one for, waking the idle sleepers', async () => {
    const { user, project } = await newOwner(suite.db.repos, 'dl');
    const id = randomUUID();
    const key = uploadKey(user.id, project.id, id, 'clip.mp4');
    await suite.db.repos.reservations.create({
      id,
      userId: user.id,
      projectId: project.id,
      bytes: 700,
      ttlSeconds: 900,
    });

    await expect(suite.handler(sqsEvent([message(key, 700)]))).resolves.toEqual({ batchItemFailures: [] });

    expect(await suite.db.repos.jobs.getForPipeline(id)).toMatchObject({
      userId: user.id,
      projectId: project.id,
      jobType: 'TRANSCODE',
      status: 'FAILED',
      errorMessage: UPLOAD_NOT_STARTED,
      parameters: { upload: { key, fileName: 'clip.mp4', size: 700 } },
    });
    expect(await storageOf(suite.db.t, user.id)).toEqual({ reserved: 0, summed: 0, used: 0 });
    expect(deletesOf()).toEqual([deleted(key)]);
    expect(documents.commandCalls(GetCommand).map((c) => c.args[0].input)).toEqual([
      { TableName: suite.env.RATE_LIMIT_TABLE, Key: { pk: 'idle-marker' }, ConsistentRead: true },
    ]);
    expect(documents.commandCalls(UpdateCommand).map((c) => c.args[0].input.TableName)).toEqual([
      suite.env.RATE_LIMIT_TABLE,
    ]);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('only deletes the file of an upload with neither job nor reservation (cancelled, or lapsed)', async () => {
    const { user, project } = await newOwner(suite.db.repos, 'dl');
    const id = randomUUID();
    const key = uploadKey(user.id, project.id, id, 'clip.mp4');
    await expect(suite.handler(sqsEvent([message(key, 700)]))).resolves.toEqual({ batchItemFailures: [] });
    await expect(suite.db.repos.jobs.getForPipeline(id)).rejects.toBeInstanceOf(NotFoundError);
    expect(deletesOf()).toEqual([deleted(key)]);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('reports a message it could not close as a failed batch item, and closes the others', async () => {
    const { user, project } = await newOwner(suite.db.repos, 'dl');
    const good = await arrivedUpload(suite.db.repos, { userId: user.id, projectId: project.id }, 10);
    const broken = { messageId: randomUUID(), body: '{"requestPayload":' };
    await expect(suite.handler(sqsEvent([broken, message(good.key, 10)]))).resolves.toEqual({
      batchItemFailures: [{ itemIdentifier: broken.messageId }],
    });
    expect(await suite.db.repos.jobs.getForPipeline(good.id)).toMatchObject({ status: 'FAILED' });
    expect(suite.logs.lines).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        message: 'dead-lettered upload not closed',
        messageId: broken.messageId,
      }),
    );
  });
});
