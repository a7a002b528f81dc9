/**
 * An upload whose bytes are an HLS playlist (with an MPEG-TS appended, so that ffprobe reads it as a video)
 * must not make the local pipeline fetch the URLs the playlist lists: ffmpeg picks its demuxer from the
 * bytes, and the HLS demuxer opens every segment URL, on any host this machine can reach. The transcode
 * reads sources only in the containers it accepts, so such an upload fails and nothing is fetched. Deployed,
 * MediaConvert reads an input named `.m3u8` as a playlist, so such names are refused when the upload is asked.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runFfmpeg } from '#shared/media/ffmpeg.ts';
import { waitForJob } from '#test/support/jobs.ts';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';

let api: LocalApi;
let target: Server;
const fetched: string[] = [];
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'playlist-'));
  // What the playlist points at: an address only this machine reaches (an internal service, say).
  target = createServer((req, res) => {
    fetched.push(req.url ?? '');
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  api = await startLocalApi({ pollMs: 50 });
});
afterAll(async () => {
  await api?.stop();
  await new Promise((resolve) => target?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

async function playlistPolyglot(segmentUrl: string): Promise<Uint8Array> {
  const video = path.join(dir, 'video.ts');
  await runFfmpeg([
    ...['-f', 'lavfi', '-i', 'testsrc=duration=1:size=320x240:rate=25'],
    ...['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-f', 'mpegts', '-y', video],
  ]);
  const playlist =
    '#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:0\n' +
    `#EXTINF:10.0,\n${segmentUrl}\n#EXT-X-ENDLIST\n`;
  return Buffer.concat([Buffer.from(playlist), await readFile(video)]);
}

async function upload(token: string, projectId: string, fileName: string, bytes: Uint8Array) {
  const grant = await api.call('POST', `/v1/projects/${projectId}/uploads`, {
    token,
    body: { fileName, contentType: 'video/mp4', fileSize: bytes.byteLength },
  });
  expect(grant.status).toBe(201);
  const form = new FormData();
  for (const [k, v] of Object.entries(grant.body.fields as Record<string, string>)) form.append(k, v);
  form.append('file', new Blob([bytes], { type: 'video/mp4' }), fileName);
  expect((await fetch(grant.body.url, { method: 'POST', body: form })).status).toBeLessThan(300);
  for (let i = 0; i < 400; i += 1) {
    if ((await api.call('GET', `/v1/jobs/${grant.body.uploadId}`, { token })).status === 200) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return (await waitForJob(api, token, grant.body.uploadId)).job;
}

it('reads an upload that is an HLS playlist as nothing, and fetches none of its segment URLs', async () => {
  const user = await api.newUser();
  const project = await api.call('POST', '/v1/projects', { token: user.token, body: { title: 'hls' } });
  const { port } = target.address() as AddressInfo;
  const bytes = await playlistPolyglot(`http://127.0.0.1:${port}/internal/segment.ts`);
  const job = await upload(user.token, project.body.id, 'holiday.mp4', bytes);
  expect(job).toMatchObject({ status: 'FAILED', clipId: null });
  expect(fetched).toEqual([]);
});

it('refuses an upload named as a playlist, which MediaConvert would read as one', async () => {
  const user = await api.newUser();
  const project = await api.call('POST', '/v1/projects', { token: user.token, body: { title: 'hls' } });
  // The last one is full-width: the stored name is its NFKD form, `x.m3u8`.
  for (const fileName of ['x.m3u8', 'X.M3U', 'x.ｍ３ｕ８']) {
    const refused = await api.call('POST', `/v1/projects/${project.body.id}/uploads`, {
      token: user.token,
      body: { fileName, contentType: 'video/mp4', fileSize: 1000 },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([
      { path: 'body.fileName', message: expect.stringContaining('not an HLS playlist') },
    ]);
  }
  const fine = await api.call('POST', `/v1/projects/${project.body.id}/uploads`, {
    token: user.token,
    body: { fileName: 'm3u8.mp4', contentType: 'video/mp4', fileSize: 1000 },
  });
  expect(fine.status).toBe(201);
});
