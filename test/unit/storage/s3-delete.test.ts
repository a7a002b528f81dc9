/**
 * DeleteObjects answers 200 even when some keys were not deleted: in quiet mode the body lists only the
 * keys that failed, under Errors (S3 API Reference, DeleteObjects). The store must not report those as gone.
 */
import { DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, expect, it } from 'vitest';
import { createS3Store } from '#shared/storage/s3.ts';

const client = new S3Client({
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
});
const s3 = mockClient(S3Client);
afterEach(() => s3.reset());

const store = () => createS3Store({ client, bucket: 'media', deleteRetryDelayMs: 0 });
const keysOf = (call: number) =>
  (s3.commandCalls(DeleteObjectsCommand)[call]!.args[0].input.Delete?.Objects ?? []).map((o) => o.Key);

it('deletes in requests of at most 1000 keys, in quiet mode', async () => {
  s3.on(DeleteObjectsCommand).resolves({});
  const keys = Array.from({ length: 2001 }, (_, i) => `work/u/j/${i}`);
  await store().deleteKeys(keys);
  const calls = s3.commandCalls(DeleteObjectsCommand);
  expect(calls.map((c) => c.args[0].input.Delete?.Objects?.length)).toEqual([1000, 1000, 1]);
  expect(calls.every((c) => c.args[0].input.Delete?.Quiet === true)).toBe(true);
});

it('throws when S3 reports keys it could not delete, naming the error code', async () => {
  s3.on(DeleteObjectsCommand).resolves({
    Errors: [{ Key: 'users/u/a.mp4', Code: 'AccessDenied', Message: 'Access Denied' }],
  });
  await expect(store().deleteKeys(['users/u/a.mp4', 'users/u/b.mp4'])).rejects.toThrow(/AccessDenied/);
  // A refusal does not go away by asking again.
  expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(1);
});

it('sends again only the keys that failed with a transient code, then succeeds', async () => {
  s3.on(DeleteObjectsCommand)
    .resolvesOnce({ Errors: [{ Key: 'work/u/j/b', Code: 'SlowDown', Message: 'Please reduce your rate' }] })
    .resolvesOnce({ Errors: [{ Key: 'work/u/j/b', Code: 'InternalError', Message: 'Try again' }] })
    .resolves({});
  await store().deleteKeys(['work/u/j/a', 'work/u/j/b']);
  expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(3);
  expect(keysOf(0)).toEqual(['work/u/j/a', 'work/u/j/b']);
  expect(keysOf(1)).toEqual(['work/u/j/b']);
  expect(keysOf(2)).toEqual(['work/u/j/b']);
});

it('gives up on keys that keep failing transiently', async () => {
  s3.on(DeleteObjectsCommand).resolves({
    Errors: [{ Key: 'work/u/j/b', Code: 'InternalError', Message: 'Try again' }],
  });
  await expect(store().deleteKeys(['work/u/j/b'])).rejects.toThrow(/1 object.*InternalError/);
});

it('deletePrefix fails when part of the folder could not be deleted', async () => {
  s3.on(ListObjectsV2Command).resolves({
    Contents: [
      { Key: 'users/u/x/1', Size: 1 },
      { Key: 'users/u/x/2', Size: 2 },
    ],
    IsTruncated: false,
  });
  s3.on(DeleteObjectsCommand).resolves({
    Errors: [{ Key: 'users/u/x/2', Code: 'AccessDenied', Message: 'Access Denied' }],
  });
  await expect(store().deletePrefix('users/u/x/')).rejects.toThrow(/AccessDenied/);
});
