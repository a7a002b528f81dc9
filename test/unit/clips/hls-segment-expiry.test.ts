/**
 * A player reads a VOD playlist once and then fetches its segments for as long as the video plays, so a
 * segment link must live as long as the playlist link that served it: a presigned S3 URL stops working
 * X-Amz-Expires seconds after its X-Amz-Date (S3 user guide, "Sharing objects with presigned URLs").
 */
import { S3Client } from '@aws-sdk/client-s3';
import { expect, it } from 'vitest';
import { parseAmzDate } from '#infra/local/s3-sigv4.ts';
import type { Clip } from '#shared/clips/repository.ts';
import { createClipService } from '#shared/clips/service.ts';
import type { ObjectStore } from '#shared/storage/port.ts';
import { createMediaSigner } from '#shared/storage/s3.ts';

const userId = '00000000-0000-4000-8000-000000000001';
const clip = {
  id: '00000000-0000-4000-8000-000000000003',
  userId,
  projectId: '00000000-0000-4000-8000-000000000002',
  fileUrl: 'video.mp4',
  thumbnailUrl: null,
  system: { hasHls: true },
  createdAt: new Date(),
  updatedAt: new Date(),
} as unknown as Clip;
const playlist = [
  '#EXTM3U',
  '#EXT-X-PLAYLIST-TYPE:VOD',
  '#EXTINF:6.0,',
  'index_720p_00001.ts',
  '#EXT-X-ENDLIST',
];

it('signs the segments of a playlist for as long as its link lives, and never for less than 15 minutes', async () => {
  const signer = createMediaSigner({
    client: new S3Client({
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    }),
    bucket: 'media',
  });
  const service = createClipService({
    clips: { get: async () => clip } as never,
    store: { readBytes: async () => new TextEncoder().encode(playlist.join('\n')) } as unknown as ObjectStore,
    signer,
    hlsLinkKey: async () => new Uint8Array(32).fill(1),
  });
  const { media } = await service.getWithMedia(userId, clip.id, 'https://api.example');
  const [, token] = /\/hls\/([^/]+)\//.exec(media.hlsUrl!)!;
  const segment = (await service.hlsPlaylist(token!, 'index_720p.m3u8'))
    .split('\n')
    .find((line) => line.startsWith('https://'))!;
  // Links are signed as of their 5-minute window (shared/storage/s3.ts): a link ends X-Amz-Expires
  // seconds after its X-Amz-Date.
  const ends = (url: string) => {
    const q = new URL(url).searchParams;
    const signedAt = parseAmzDate(q.get('X-Amz-Date') ?? undefined);
    return (signedAt + Number(q.get('X-Amz-Expires')) * 1000 - Date.now()) / 1000;
  };
  // The link lives an hour; its segments at least as long (give or take the second the test takes), and at
  // most one window longer.
  expect(ends(segment)).toBeGreaterThanOrEqual(3598);
  expect(ends(segment)).toBeLessThanOrEqual(3600 + 300);
  // The MP4 link keeps its own lifetime.
  expect(ends(media.videoUrl)).toBeGreaterThanOrEqual(898);
  expect(ends(media.videoUrl)).toBeLessThanOrEqual(900 + 300);
  expect(Date.parse(media.expiresAt) - Date.now()).toBeGreaterThanOrEqual(898_000);
});
