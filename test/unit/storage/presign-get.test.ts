import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGetPresigner } from '#shared/storage/presign-get.ts';
import { createMediaSigner } from '#shared/storage/s3.ts';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const clients = {
  'AWS, virtual-hosted': new S3Client({ region: 'eu-west-1', credentials }),
  'AWS, with a session token': new S3Client({
    region: 'us-east-1',
    credentials: { ...credentials, sessionToken: 'token/with+odd=chars' },
  }),
  'local, path style': new S3Client({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:4568',
    forcePathStyle: true,
    credentials,
  }),
};
const keys = [
  'users/6f1c2a4e/projects/p/clips/c/video.mp4',
  "users/a b/(draft)!*'~/clip+1.mp4",
  'users/ü/Ωmega/日本語.m3u8',
  'users/x//double-slash/poster.0000000.jpg',
];

/** The same link as a set of query parameters (their order and encoding may differ, their values may not). */
function parts(url: string) {
  const u = new URL(url);
  return { origin: u.origin, path: u.pathname, query: Object.fromEntries([...u.searchParams].sort()) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe.each(Object.entries(clients))('presigned GET links (%s)', (_name, client) => {
  it.each(keys)('equals getSignedUrl for %s, with and without a response content type', async (key) => {
    vi.useFakeTimers({ now: new Date('2026-11-26T12:34:56Z'), toFake: ['Date'] });
    const presign = await createGetPresigner(client, 'media-bucket');
    for (const contentType of [undefined, 'application/vnd.apple.mpegurl']) {
      const expected = await getSignedUrl(
        client,
        new GetObjectCommand({
          Bucket: 'media-bucket',
          Key: key,
          ...(contentType ? { ResponseContentType: contentType } : {}),
        }),
        { expiresIn: 900 },
      );
      const actual = await presign(key, 900, contentType);
      expect(parts(actual)).toEqual(parts(expected));
      expect(new URL(actual).searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    }
  });
});

it('signs each link at the time it is made', async () => {
  vi.useFakeTimers({ now: new Date('2026-11-26T23:59:59Z'), toFake: ['Date'] });
  const signer = createMediaSigner({ client: clients['AWS, virtual-hosted'], bucket: 'media-bucket' });
  const first = new URL((await signer.signGet('a.mp4')).url);
  vi.setSystemTime(new Date('2026-11-27T00:00:01Z'));
  const second = await signer.signGet('a.mp4', 'video/mp4');
  const expected = await getSignedUrl(
    clients['AWS, virtual-hosted'],
    new GetObjectCommand({ Bucket: 'media-bucket', Key: 'a.mp4', ResponseContentType: 'video/mp4' }),
    { expiresIn: 900 },
  );
  expect(first.searchParams.get('X-Amz-Date')).toBe('20261126T235959Z');
  expect(parts(second.url)).toEqual(parts(expected));
  expect(second.expiresAt).toBe('2026-11-27T00:15:01.000Z');
});
