import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseAmzDate } from '#infra/local/s3-sigv4.ts';
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

it("signs a link as of its window, across midnight with the next day's key, valid for at least its lifetime", async () => {
  vi.useFakeTimers({ now: new Date('2026-11-26T23:59:59Z'), toFake: ['Date'] });
  const client = clients['AWS, virtual-hosted'];
  const signer = createMediaSigner({ client, bucket: 'media-bucket' });
  const first = await signer.signGet('a.mp4');
  const firstUrl = new URL(first.url);
  expect(firstUrl.searchParams.get('X-Amz-Date')).toBe('20261126T235500Z');
  expect(firstUrl.searchParams.get('X-Amz-Expires')).toBe('1200');
  // 15 minutes from now, and at most one window (5 minutes) more.
  expect(first.expiresAt).toBe('2026-11-27T00:15:00.000Z');
  vi.setSystemTime(new Date('2026-11-27T00:00:01Z'));
  const second = await signer.signGet('a.mp4', 'video/mp4');
  const expected = await getSignedUrl(
    client,
    new GetObjectCommand({ Bucket: 'media-bucket', Key: 'a.mp4', ResponseContentType: 'video/mp4' }),
    { expiresIn: 1200, signingDate: new Date('2026-11-27T00:00:00Z') },
  );
  expect(parts(second.url)).toEqual(parts(expected));
  expect(second.expiresAt).toBe('2026-11-27T00:20:00.000Z');
});

it('gives the same link for the same object within a window, and a new one in the next', async () => {
  vi.useFakeTimers({ now: new Date('2026-11-26T10:00:10Z'), toFake: ['Date'] });
  const signer = createMediaSigner({ client: clients['AWS, with a session token'], bucket: 'media-bucket' });
  const first = await signer.signGet('users/u/clip/video.mp4', 'video/mp4');
  vi.setSystemTime(new Date('2026-11-26T10:04:59Z'));
  expect(await signer.signGet('users/u/clip/video.mp4', 'video/mp4')).toEqual(first);
  expect((await signer.signGet('users/u/clip/video.mp4')).url).not.toBe(first.url);
  expect((await signer.signGet('users/u/clip/thumb.jpg', 'video/mp4')).url).not.toBe(first.url);
  vi.setSystemTime(new Date('2026-11-26T10:05:00Z'));
  const next = await signer.signGet('users/u/clip/video.mp4', 'video/mp4');
  expect(next.url).not.toBe(first.url);
  expect(new URL(next.url).searchParams.get('X-Amz-Date')).toBe('20261126T100500Z');
});

it('covers at least the asked lifetime from any moment of a window, and one window more at most', async () => {
  vi.useFakeTimers({ now: new Date('2026-11-26T10:00:00Z'), toFake: ['Date'] });
  const signer = createMediaSigner({ client: clients['local, path style'], bucket: 'media-bucket' });
  // An HLS segment's link must last until its playlist token expires, however far into the window.
  const tokenExpiry = Date.parse('2026-11-26T11:00:00Z');
  const links = new Set<string>();
  for (const offset of [0, 1, 61_000, 299_999, 300_000, 449_123]) {
    const now = Date.parse('2026-11-26T10:00:00Z') + offset;
    vi.setSystemTime(now);
    for (const atLeast of [0, 100, 3600 - offset / 1000, (tokenExpiry - now) / 1000]) {
      const link = await signer.signGet('users/u/hls/seg_0001.ts', 'video/mp2t', atLeast);
      const url = new URL(link.url);
      const signedAt = parseAmzDate(url.searchParams.get('X-Amz-Date') ?? undefined);
      const until = signedAt + Number(url.searchParams.get('X-Amz-Expires')) * 1000;
      expect(Date.parse(link.expiresAt)).toBe(until);
      const wanted = now + Math.max(900, atLeast) * 1000;
      expect(until).toBeGreaterThanOrEqual(wanted);
      expect(until - wanted).toBeLessThan(300_000 + 1000);
      expect(signedAt).toBeLessThanOrEqual(now);
      if (atLeast === (tokenExpiry - now) / 1000) links.add(link.url);
    }
  }
  // Links to the token's expiry: one per window, not one per request.
  expect(links.size).toBe(2);
});

it('signs at the moment itself with no window', async () => {
  vi.useFakeTimers({ now: new Date('2026-11-26T23:59:59Z'), toFake: ['Date'] });
  const signer = createMediaSigner({
    client: clients['AWS, virtual-hosted'],
    bucket: 'media-bucket',
    signWindowSeconds: 0,
  });
  const link = await signer.signGet('a.mp4');
  expect(new URL(link.url).searchParams.get('X-Amz-Date')).toBe('20261126T235959Z');
  expect(new URL(link.url).searchParams.get('X-Amz-Expires')).toBe('900');
  expect(link.expiresAt).toBe('2026-11-27T00:14:59.000Z');
});
