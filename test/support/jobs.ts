/** Helpers for end-to-end tests of jobs: submit, wait for the end, fetch media, list leftovers. */
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { probe } from '#shared/media/ffmpeg.ts';
import type { LocalApi } from './local-api.ts';

export async function submit(api: LocalApi, token: string, projectId: string, body: Record<string, unknown>) {
  return api.call('POST', `/v1/projects/${projectId}/jobs`, { token, body });
}

/** Polls GET /v1/jobs/{id} until the job ends; returns it with every progress value seen. */
export async function waitForJob(api: LocalApi, token: string, jobId: string, pollMs = 100) {
  const seen: number[] = [];
  for (let i = 0; i < 3000; i += 1) {
    const job = await api.call('GET', `/v1/jobs/${jobId}`, { token });
    if (job.status !== 200) throw new Error(`GET job: ${job.text}`);
    seen.push(job.body.progress);
    if (job.body.status === 'COMPLETED' || job.body.status === 'FAILED') {
      await api.env.idle();
      return { job: job.body, seen };
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  throw new Error(`job ${jobId} did not end`);
}

export async function generateClip(api: LocalApi, token: string, projectId: string, parameters: object) {
  const submitted = await submit(api, token, projectId, {
    jobType: 'GENERATE',
    prompt: 'test pattern',
    parameters: { model: 'local', ...parameters },
  });
  if (submitted.status !== 202) throw new Error(`submit: ${submitted.text}`);
  const { job } = await waitForJob(api, token, submitted.body.id);
  if (job.status !== 'COMPLETED') throw new Error(`job failed: ${job.errorMessage}`);
  return (await api.call('GET', `/v1/clips/${job.clipId}`, { token })).body;
}

/** Downloads a clip's MP4 and probes it. */
export async function probeClip(api: LocalApi, clip: { fileUrl: string }) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'probe-clip-'));
  const file = path.join(dir, 'video.mp4');
  await api.env.ctx.store.downloadToFile(clip.fileUrl, file);
  return probe(file);
}

/** Every object a user has in the bucket, outside their registered clips' folders. */
export async function strayObjects(api: LocalApi, userId: string, clipFolders: string[] = []) {
  const store = api.env.ctx.store;
  const all = [
    ...(await store.list(`work/${userId}/`)),
    ...(await store.list(`uploads/${userId}/`)),
    ...(await store.list(`users/${userId}/`)),
  ];
  return all.map((o) => o.key).filter((key) => !clipFolders.some((folder) => key.startsWith(folder)));
}

/**
 * What every finished clip must offer: a playable MP4 of the expected size and length, an HLS master
 * playlist whose variants and segments exist, and a JPEG thumbnail, all fetched through the signed URLs.
 */
export async function expectPlayableClip(
  api: LocalApi,
  clip: { fileUrl: string; media: { hlsUrl: string | null; thumbnailUrl: string | null; videoUrl: string } },
  expected: { width: number; height: number; duration: number },
) {
  const probed = await probeClip(api, clip);
  const problems: string[] = [];
  if (probed.width !== expected.width || probed.height !== expected.height) {
    problems.push(`video is ${probed.width}x${probed.height}, expected ${expected.width}x${expected.height}`);
  }
  if (Math.abs(probed.duration - expected.duration) > 0.5) {
    problems.push(`video lasts ${probed.duration} s, expected ${expected.duration} s`);
  }
  if ((await fetch(clip.media.videoUrl)).status !== 200) problems.push('video URL does not answer 200');
  // Follow the rendition as a player would: master playlist, each variant (relative to it), a segment.
  const master = clip.media.hlsUrl ? await (await fetch(clip.media.hlsUrl)).text() : '';
  const variants = master.split('\n').filter((l) => l && !l.startsWith('#'));
  if (!master.includes('#EXT-X-STREAM-INF') || variants.length === 0) problems.push('no HLS master playlist');
  for (const variant of variants) {
    const res = await fetch(new URL(variant, clip.media.hlsUrl ?? undefined));
    const segments = (await res.text()).split('\n').filter((l) => l && !l.startsWith('#'));
    if (res.status !== 200 || segments.length === 0) {
      problems.push(`HLS variant ${variant} did not load`);
      continue;
    }
    const segment = await fetch(segments[0]!);
    const bytes = new Uint8Array(await segment.arrayBuffer());
    if (segment.status !== 200 || bytes[0] !== 0x47) problems.push(`HLS segment of ${variant} did not load`);
  }
  const thumb = clip.media.thumbnailUrl
    ? new Uint8Array(await (await fetch(clip.media.thumbnailUrl)).arrayBuffer())
    : null;
  if (thumb?.[0] !== 0xff || thumb?.[1] !== 0xd8) problems.push('no JPEG thumbnail');
  return { problems, probed };
}

/** Uploads a file as a browser would (the presigned POST); answers the upload's id, which its job takes. */
export async function uploadFile(
  api: LocalApi,
  token: string,
  projectId: string,
  file: string,
  name: string,
  contentType = 'video/mp4',
) {
  const bytes = await readFile(file);
  const grant = await api.call('POST', `/v1/projects/${projectId}/uploads`, {
    token,
    body: { fileName: name, contentType, fileSize: bytes.byteLength },
  });
  if (grant.status !== 201) throw new Error(`upload grant: ${grant.text}`);
  const form = new FormData();
  for (const [k, v] of Object.entries(grant.body.fields as Record<string, string>)) form.append(k, v);
  form.append('file', new Blob([bytes], { type: contentType }), name);
  const res = await fetch(grant.body.url, { method: 'POST', body: form });
  if (res.status >= 300) throw new Error(`upload POST answered ${res.status}`);
  return grant.body.uploadId as string;
}

/** Waits for the job an upload starts, then for its end. */
export async function jobOfUpload(api: LocalApi, token: string, uploadId: string) {
  for (let i = 0; i < 200; i += 1) {
    const job = await api.call('GET', `/v1/jobs/${uploadId}`, { token });
    if (job.status === 200) return waitForJob(api, token, uploadId);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no job was created for the upload');
}
