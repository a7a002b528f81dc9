/**
 * The deployed consumer of the upload trigger's on-failure queue as AWS composes it: the real handler,
 * ingest and pipeline runtime, built from the function's environment, on a database behind the Data API
 * double, with S3, Step Functions and DynamoDB mocked. Its input is the SQS event of Lambda's invocation
 * records of upload events that failed every attempt; its answer, the batch's failed items.
 */
import { randomUUID } from 'node:crypto';
import { DeleteObjectsCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError } from '#shared/errors.ts';
import { uploadKey } from '#shared/storage/keys.ts';
import { UPLOAD_NOT_STARTED } from '#shared/uploads/ingest.ts';
import { invocationRecord, s3ObjectCreated, sqsEvent } from '#test/support/aws-events.ts';
import {
  arrivedUpload,
  captureLogs,
  type DeployedDatabase,
  databasesNamed,
  openDeployedDatabase,
  storageOf,
  stubDeployedEnv,
} from '#test/support/deployed-function.ts';
import { newOwner } from '#test/support/repositories.ts';

const s3 = mockClient(S3Client);
const sfn = mockClient(SFNClient);
const documents = mockClient(DynamoDBDocumentClient);
let env: Record<string, string>;
let db: DeployedDatabase;
let logs: ReturnType<typeof captureLogs>;
let handler: (event: unknown) => Promise<unknown>;

beforeAll(async () => {
  env = stubDeployedEnv('upload-dead-letter');
  db = await openDeployedDatabase();
  logs = captureLogs();
  ({ handler } = (await import('#functions/events/upload-dead-letter.ts')) as unknown as {
    handler: typeof handler;
  });
});
afterAll(async () => {
  logs?.restore();
  await db?.close();
});
beforeEach(() => {
  logs.lines.length = 0;
  db.rds.resetHistory();
  s3.reset();
  sfn.reset();
  documents.reset();
  s3.on(DeleteObjectsCommand).resolves({});
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn', startDate: new Date() });
  documents.on(GetCommand).resolves({});
  documents.on(UpdateCommand).resolves({});
});

/** The queue's message for an upload event that failed every attempt. */
const message = (key: string, size: number, messageId = randomUUID()) => ({
  messageId,
  body: JSON.stringify(invocationRecord(s3ObjectCreated(key, size, env.MEDIA_BUCKET))),
});
const deletesOf = () => s3.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input);
const deleted = (key: string) => ({
  Bucket: env.MEDIA_BUCKET,
  Delete: { Objects: [{ Key: key }], Quiet: true },
});

describe('upload-dead-letter, deployed', () => {
  it('fails the job whose start never succeeded, frees its file and reservation, and starts the upload waiting for its slot', async () => {
    const { user, project } = await newOwner(db.repos, 'dl');
    const owner = { userId: user.id, projectId: project.id };
    const unstarted = await arrivedUpload(db.repos, owner, 1000);
    await arrivedUpload(db.repos, owner, 2000);
    const waiting = await arrivedUpload(db.repos, owner, 3000);
    expect(waiting.job.admitted).toBe(false);

    const m = message(unstarted.key, 1000);
    await expect(handler(sqsEvent([m]))).resolves.toEqual({ batchItemFailures: [] });

    expect(await db.repos.jobs.getForPipeline(unstarted.id)).toMatchObject({
      status: 'FAILED',
      errorMessage: UPLOAD_NOT_STARTED,
    });
    expect(deletesOf()).toEqual([deleted(unstarted.key)]);
    expect(await storageOf(db.t, user.id)).toEqual({ reserved: 5000, summed: 5000, used: 0 });
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input)).toEqual([
      {
        stateMachineArn: env.STATE_MACHINE_ARN,
        name: waiting.id,
        input: JSON.stringify({ jobId: waiting.id, ...owner, jobType: 'TRANSCODE' }),
      },
    ]);
    expect(logs.lines).toContainEqual(
      expect.objectContaining({
        level: 'WARN',
        message: 'upload event failed every attempt',
        condition: 'RetriesExhausted',
        requestId: 'e4b46cbf-b738-xmpl-8880-a18cdf61200e',
        errorType: 'Error',
      }),
    );
    expect(logs.lines).toContainEqual(
      expect.objectContaining({ message: 'upload abandoned', key: unstarted.key, jobId: unstarted.id }),
    );
    expect(databasesNamed(db.rds)).toEqual(new Set([env.DB_NAME]));
  });

  it('records a FAILED job for an upload the trigger never made one for, waking the idle sleepers', async () => {
    const { user, project } = await newOwner(db.repos, 'dl');
    const id = randomUUID();
    const key = uploadKey(user.id, project.id, id, 'clip.mp4');
    await db.repos.reservations.create({
      id,
      userId: user.id,
      projectId: project.id,
      bytes: 700,
      ttlSeconds: 900,
    });

    await expect(handler(sqsEvent([message(key, 700)]))).resolves.toEqual({ batchItemFailures: [] });

    expect(await db.repos.jobs.getForPipeline(id)).toMatchObject({
      userId: user.id,
      projectId: project.id,
      jobType: 'TRANSCODE',
      status: 'FAILED',
      errorMessage: UPLOAD_NOT_STARTED,
      parameters: { upload: { key, fileName: 'clip.mp4', size: 700 } },
    });
    expect(await storageOf(db.t, user.id)).toEqual({ reserved: 0, summed: 0, used: 0 });
    expect(deletesOf()).toEqual([deleted(key)]);
    expect(documents.commandCalls(GetCommand).map((c) => c.args[0].input)).toEqual([
      { TableName: env.RATE_LIMIT_TABLE, Key: { pk: 'idle-marker' }, ConsistentRead: true },
    ]);
    expect(documents.commandCalls(UpdateCommand).map((c) => c.args[0].input.TableName)).toEqual([
      env.RATE_LIMIT_TABLE,
    ]);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('only deletes the file of an upload with neither job nor reservation (cancelled, or lapsed)', async () => {
    const { user, project } = await newOwner(db.repos, 'dl');
    const id = randomUUID();
    const key = uploadKey(user.id, project.id, id, 'clip.mp4');
    await expect(handler(sqsEvent([message(key, 700)]))).resolves.toEqual({ batchItemFailures: [] });
    await expect(db.repos.jobs.getForPipeline(id)).rejects.toBeInstanceOf(NotFoundError);
    expect(deletesOf()).toEqual([deleted(key)]);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('reports a message it could not close as a failed batch item, and closes the others', async () => {
    const { user, project } = await newOwner(db.repos, 'dl');
    const good = await arrivedUpload(db.repos, { userId: user.id, projectId: project.id }, 10);
    const broken = { messageId: randomUUID(), body: '{"requestPayload":' };
    await expect(handler(sqsEvent([broken, message(good.key, 10)]))).resolves.toEqual({
      batchItemFailures: [{ itemIdentifier: broken.messageId }],
    });
    expect(await db.repos.jobs.getForPipeline(good.id)).toMatchObject({ status: 'FAILED' });
    expect(logs.lines).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        message: 'dead-lettered upload not closed',
        messageId: broken.messageId,
      }),
    );
  });
});
