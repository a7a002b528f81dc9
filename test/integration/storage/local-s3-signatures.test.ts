/**
 * The local S3 stand-in checks signatures as S3 does, so a link the API hands out cannot be bent to
 * another key, outlive its expiry or skip its upload policy on `npm start` either.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type LocalS3, startLocalS3 } from '#infra/local/s3.ts';
import { createMediaSigner, createS3Store } from '#shared/storage/s3.ts';

let s3: LocalS3;
let dir: string;
const signer = () => createMediaSigner({ client: s3.client, bucket: s3.bucket });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'local-s3-signatures-'));
  s3 = await startLocalS3({ directory: dir, bucket: 'media' });
  const store = createS3Store({ client: s3.client, bucket: s3.bucket });
  await store.putBytes('users/a/clip.mp4', new TextEncoder().encode('mine'), 'video/mp4');
  await store.putBytes('users/b/clip.mp4', new TextEncoder().encode('theirs'), 'video/mp4');
});
afterAll(async () => {
  await s3.stop();
  await rm(dir, { recursive: true, force: true });
});

function post(url: string, fields: Record<string, string>, body: string) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([body], { type: 'video/mp4' }), 'clip.mp4');
  return fetch(url, { method: 'POST', body: form });
}

describe('local S3 signatures', () => {
  it('serves a signed GET as signed, and refuses it bent to another key', async () => {
    const { url } = await signer().signGet('users/a/clip.mp4');
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('mine');
    const bent = await fetch(url.replace('users/a/', 'users/b/'));
    expect(bent.status).toBe(403);
    expect(await bent.text()).toContain('SignatureDoesNotMatch');
  });

  it('serves a link signed as of its window until its expiry, from the last second of the window, and not after', async () => {
    const windowStart = Math.floor(Date.now() / 300_000) * 300_000 + 300_000;
    vi.useFakeTimers({ now: windowStart + 299_000, toFake: ['Date'] });
    try {
      const link = await signer().signGet('users/a/clip.mp4');
      expect(new URL(link.url).searchParams.get('X-Amz-Date')).toBe(
        new Date(windowStart).toISOString().replace(/[-:]|\.\d{3}/g, ''),
      );
      expect((await fetch(link.url)).status).toBe(200);
      vi.setSystemTime(Date.parse(link.expiresAt) - 1000);
      expect((await fetch(link.url)).status).toBe(200);
      vi.setSystemTime(Date.parse(link.expiresAt) + 1000);
      const late = await fetch(link.url);
      expect(late.status).toBe(403);
      expect(await late.text()).toContain('Request has expired');
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses a signed GET with a repeated signature parameter (400), not with a server error', async () => {
    const { url } = await signer().signGet('users/a/clip.mp4');
    const repeated = await fetch(`${url}&X-Amz-Signature=00`);
    expect(repeated.status).toBe(400);
    expect(await repeated.text()).toContain('AuthorizationQueryParametersError');
  });

  it('refuses a signed GET whose expiry was stretched, and a request with no signature', async () => {
    const { url } = await signer().signGet('users/a/clip.mp4');
    expect((await fetch(url.replace(/X-Amz-Expires=\d+/, 'X-Amz-Expires=604800'))).status).toBe(403);
    expect((await fetch(`${s3.endpoint}/media/users/a/clip.mp4`)).status).toBe(403);
  });

  it('accepts an upload within its POST policy and refuses one signed for another key', async () => {
    const good = await signer().presignPost('users/a/upload.mp4', 'video/mp4', 100);
    expect((await post(good.url, good.fields, 'video')).status).toBeLessThan(300);
    const bent = { ...good.fields, key: 'users/b/upload.mp4' };
    expect((await post(good.url, bent, 'video')).status).toBe(403);
  });

  it('refuses an upload of another content type or past its size, and stores nothing', async () => {
    const good = await signer().presignPost('users/a/typed.mp4', 'video/mp4', 5);
    const retyped = await post(good.url, { ...good.fields, 'Content-Type': 'text/html' }, 'video');
    expect(retyped.status).toBe(403);
    expect(await retyped.text()).toContain('<Code>AccessDenied</Code>');
    const large = await post(good.url, good.fields, 'video!');
    expect(large.status).toBe(400);
    expect(await large.text()).toContain('<Code>EntityTooLarge</Code>');
    expect(
      await createS3Store({ client: s3.client, bucket: s3.bucket }).head('users/a/typed.mp4'),
    ).toBeNull();
  });

  it('answers a CORS preflight, which carries no signature', async () => {
    const res = await fetch(`${s3.endpoint}/media/users/a/clip.mp4`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET' },
    });
    expect(res.status).toBe(200);
  });

  it('gives a refusal the CORS headers of an allowed origin, so a page can read it', async () => {
    const { url } = await signer().signGet('users/a/clip.mp4');
    const bent = url.replace('users/a/', 'users/b/');
    const allowed = await fetch(bent, { headers: { origin: 'http://localhost:5173' } });
    expect(allowed.status).toBe(403);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    const foreign = await fetch(bent, { headers: { origin: 'https://foreign.example' } });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });
});
