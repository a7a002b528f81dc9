import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, expect, it } from 'vitest';
import { createMediaSigner } from '#shared/storage/s3.ts';

const client = new S3Client({
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
});
const s3 = mockClient(S3Client);
afterEach(() => s3.reset());

const policyOf = (fields: Record<string, string>) =>
  JSON.parse(Buffer.from(fields.Policy!, 'base64').toString('utf8')) as {
    expiration: string;
    conditions: unknown[];
  };

it('binds the POST policy to the declared size, the key, the content type and the KMS key', async () => {
  const signer = createMediaSigner({ client, bucket: 'media', kmsKeyId: 'key-1', postTtlSeconds: 600 });
  const before = Date.now();
  const post = await signer.presignPost('uploads/u/p/x/clip.mp4', 'video/mp4', 4096);
  const policy = policyOf(post.fields);
  expect(policy.conditions).toContainEqual(['content-length-range', 1, 4096]);
  expect(policy.conditions).toContainEqual(['eq', '$Content-Type', 'video/mp4']);
  expect(policy.conditions).toContainEqual({ key: 'uploads/u/p/x/clip.mp4' });
  expect(policy.conditions).toContainEqual({ bucket: 'media' });
  expect(policy.conditions).toContainEqual({ 'x-amz-server-side-encryption': 'aws:kms' });
  expect(post.fields).toMatchObject({ key: 'uploads/u/p/x/clip.mp4', 'Content-Type': 'video/mp4' });
  const expires = Date.parse(policy.expiration);
  expect(expires).toBeGreaterThanOrEqual(before + 599_000);
  expect(expires).toBeLessThanOrEqual(Date.now() + 601_000);
  expect(signer.postTtlSeconds).toBe(600);
  // Signing is local: no request reaches S3.
  expect(s3.calls()).toHaveLength(0);
});

it('never widens the size range to the remaining quota', async () => {
  const signer = createMediaSigner({ client, bucket: 'media' });
  const post = await signer.presignPost('uploads/u/p/x/a.mp4', 'video/mp4', 1);
  const ranges = policyOf(post.fields).conditions.filter(
    (c) => Array.isArray(c) && c[0] === 'content-length-range',
  );
  expect(ranges).toEqual([['content-length-range', 1, 1]]);
});
