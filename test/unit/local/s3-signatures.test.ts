/**
 * The local S3 stand-in's SigV4 check against what the SDK itself signs: requests of the S3 client,
 * presigned links and presigned POST policies, each accepted as signed and refused once bent.
 */

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spoolUpload } from '#infra/local/s3-post-form.ts';
import { checkPostPolicy } from '#infra/local/s3-post-policy.ts';
import { type SignedRequest, verifyHeaderSignature, verifyQuerySignature } from '#infra/local/s3-sigv4.ts';

const credentials = { accessKeyId: 'LOCALKEY', secretAccessKey: 'local-secret' };
const client = new S3Client({
  endpoint: 'http://127.0.0.1:4569',
  region: 'us-east-1',
  forcePathStyle: true,
  credentials,
  requestChecksumCalculation: 'WHEN_REQUIRED',
  // Captures the signed request instead of sending it.
  requestHandler: {
    handle: async (request: unknown) => {
      throw Object.assign(new Error('captured'), { request });
    },
  },
});

/** The request as a server receives it: the path and query as sent, headers lower-cased. */
async function signed(command: GetObjectCommand | PutObjectCommand): Promise<SignedRequest> {
  const sent = command instanceof GetObjectCommand ? client.send(command) : client.send(command);
  const error = (await sent.catch((e: unknown) => e)) as {
    request: { method: string; path: string; query: Record<string, string>; headers: Record<string, string> };
  };
  const { method, path: p, query, headers } = error.request;
  const search = new URLSearchParams(query).toString().replaceAll('+', '%20');
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method, url: search ? `${p}?${search}` : p, headers: { ...lower, host: '127.0.0.1:4569' } };
}

const fromUrl = (url: string): SignedRequest => {
  const u = new URL(url);
  return { method: 'GET', url: u.pathname + u.search, headers: { host: u.host } };
};

const codeOf = (check: () => void) => {
  try {
    check();
    return 'accepted';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
};

describe('header-signed requests', () => {
  it("accepts the S3 client's request, an awkward key included, and refuses it bent", async () => {
    const request = await signed(
      new GetObjectCommand({ Bucket: 'media', Key: "users/a/it's (1) ünï.mp4", Range: 'bytes=0-9' }),
    );
    const now = Date.now();
    expect(codeOf(() => verifyHeaderSignature(request, credentials, now))).toBe('accepted');
    const bentPath = { ...request, url: request.url.replace('users/a/', 'users/b/') };
    expect(codeOf(() => verifyHeaderSignature(bentPath, credentials, now))).toBe('SignatureDoesNotMatch');
    const bentHeader = { ...request, headers: { ...request.headers, range: 'bytes=0-99' } };
    expect(codeOf(() => verifyHeaderSignature(bentHeader, credentials, now))).toBe('SignatureDoesNotMatch');
    const extra = { ...request, headers: { ...request.headers, 'x-amz-acl': 'public-read' } };
    expect(codeOf(() => verifyHeaderSignature(extra, credentials, now))).toBe('AccessDenied');
    const otherKey = { ...credentials, secretAccessKey: 'other' };
    expect(codeOf(() => verifyHeaderSignature(request, otherKey, now))).toBe('SignatureDoesNotMatch');
    expect(codeOf(() => verifyHeaderSignature(request, credentials, now + 16 * 60_000))).toBe(
      'RequestTimeTooSkewed',
    );
    expect(codeOf(() => verifyHeaderSignature(request, credentials, now + 14 * 60_000))).toBe('accepted');
  });

  it('signs an unsigned payload as UNSIGNED-PAYLOAD, whatever the body', async () => {
    client.middlewareStack.add(
      (next) => (args) => {
        (args.request as { headers: Record<string, string> }).headers['x-amz-content-sha256'] =
          'UNSIGNED-PAYLOAD';
        return next(args);
      },
      { step: 'build', name: 'testUnsignedPayload' },
    );
    try {
      const request = await signed(
        new PutObjectCommand({ Bucket: 'media', Key: 'a b+c.mp4', Body: 'x', ContentType: 'video/mp4' }),
      );
      expect(request.headers['x-amz-content-sha256']).toBe('UNSIGNED-PAYLOAD');
      expect(codeOf(() => verifyHeaderSignature(request, credentials, Date.now()))).toBe('accepted');
      const bent = { ...request, headers: { ...request.headers, 'content-type': 'text/html' } };
      expect(codeOf(() => verifyHeaderSignature(bent, credentials, Date.now()))).toBe(
        'SignatureDoesNotMatch',
      );
    } finally {
      client.middlewareStack.remove('testUnsignedPayload');
    }
  });
});

describe('presigned links', () => {
  it('accepts a link until its expiry and refuses it after, or with its query changed', async () => {
    const url = await getSignedUrl(
      client,
      new GetObjectCommand({ Bucket: 'media', Key: 'users/a/clip.mp4', ResponseContentType: 'video/mp4' }),
      { expiresIn: 60 },
    );
    const now = Date.now();
    expect(codeOf(() => verifyQuerySignature(fromUrl(url), credentials, now))).toBe('accepted');
    expect(codeOf(() => verifyQuerySignature(fromUrl(url), credentials, now + 61_000))).toBe('AccessDenied');
    const retyped = url.replace('video%2Fmp4', 'text%2Fhtml');
    expect(retyped).not.toBe(url);
    expect(codeOf(() => verifyQuerySignature(fromUrl(retyped), credentials, now))).toBe(
      'SignatureDoesNotMatch',
    );
    const longer = url.replace('X-Amz-Expires=60', 'X-Amz-Expires=3600');
    expect(codeOf(() => verifyQuerySignature(fromUrl(longer), credentials, now))).toBe(
      'SignatureDoesNotMatch',
    );
    const tooLong = url.replace('X-Amz-Expires=60', 'X-Amz-Expires=604801');
    expect(codeOf(() => verifyQuerySignature(fromUrl(tooLong), credentials, now))).toBe(
      'AuthorizationQueryParametersError',
    );
  });
});

describe('POST policies', () => {
  async function grant() {
    const post = await createPresignedPost(client, {
      Bucket: 'media',
      Key: 'uploads/u/1.mp4',
      Conditions: [
        ['content-length-range', 1, 100],
        ['eq', '$Content-Type', 'video/mp4'],
      ],
      Fields: { 'Content-Type': 'video/mp4' },
      Expires: 60,
    });
    return new Map(Object.entries(post.fields).map(([k, v]) => [k.toLowerCase(), v]));
  }

  it("returns the policy's size range for its own fields", async () => {
    expect(checkPostPolicy(await grant(), 'media', credentials, Date.now())).toEqual({
      minBytes: 1,
      maxBytes: 100,
    });
  });

  it('refuses another key, content type or bucket, an extra field, a late upload and a forged policy', async () => {
    const fields = await grant();
    const now = Date.now();
    const refusal = (changed: Map<string, string>, bucket = 'media', at = now) =>
      codeOf(() => checkPostPolicy(changed, bucket, credentials, at));
    const changed = (name: string, value: string) => new Map([...fields, [name, value]]);
    expect(refusal(changed('key', 'uploads/v/1.mp4'))).toBe('AccessDenied');
    expect(refusal(changed('content-type', 'text/html'))).toBe('AccessDenied');
    expect(refusal(changed('success_action_redirect', 'https://example.com'))).toBe('AccessDenied');
    expect(refusal(changed('x-ignore-note', 'anything'))).toBe('accepted');
    expect(refusal(fields, 'other')).toBe('AccessDenied');
    expect(refusal(fields, 'media', now + 61_000)).toBe('AccessDenied');
    const policy = JSON.parse(Buffer.from(fields.get('policy')!, 'base64').toString());
    policy.conditions[0] = ['content-length-range', 1, 10 ** 9];
    const forged = Buffer.from(JSON.stringify(policy)).toString('base64');
    expect(refusal(changed('policy', forged))).toBe('SignatureDoesNotMatch');
  });
});

describe('reading a POST upload', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 's3-post-form-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const boundary = 'XyZ--boundary';
  const body = (file: Buffer) =>
    Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="key"\r\n\r\nuploads/u/1.mp4\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="Content-Type"\r\n\r\nvideo/mp4\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\n` +
          'Content-Type: video/mp4\r\n\r\n',
      ),
      file,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
  /** The body in small pieces, so the delimiter after the file falls across chunks. */
  const chunked = (bytes: Buffer, size: number) =>
    Readable.from(
      Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) =>
        bytes.subarray(i * size, (i + 1) * size),
      ),
    );

  it('judges the fields before the file, spools the body as sent, and measures the file exactly', async () => {
    const file = Buffer.from(`\r\n--${boundary.slice(0, 4)} almost a delimiter, then 50 bytes.....`);
    const sent = body(file);
    const spool = path.join(dir, 'ok');
    let seen: Map<string, string> | undefined;
    for (const size of [1, 7, 64, sent.length]) {
      await spoolUpload(chunked(sent, size), boundary, spool, (fields) => {
        seen = fields;
        return { minBytes: file.length, maxBytes: file.length };
      });
      expect(await readFile(spool)).toEqual(sent);
    }
    expect(Object.fromEntries(seen!)).toEqual({ key: 'uploads/u/1.mp4', 'content-type': 'video/mp4' });
  });

  it('refuses a file outside its size range, a refused policy and a form with no file', async () => {
    const spool = path.join(dir, 'refused');
    const outcome = (bytes: Buffer, judge: () => { minBytes: number; maxBytes: number }) =>
      spoolUpload(chunked(bytes, 5), boundary, spool, judge).then(
        () => 'accepted',
        (e: { code?: string }) => e.code,
      );
    const range = () => ({ minBytes: 2, maxBytes: 10 });
    expect(await outcome(body(Buffer.alloc(10)), range)).toBe('accepted');
    expect(await outcome(body(Buffer.alloc(11)), range)).toBe('EntityTooLarge');
    expect(await outcome(body(Buffer.alloc(1)), range)).toBe('EntityTooSmall');
    const refuse = () => {
      throw Object.assign(new Error('no'), { code: 'AccessDenied' });
    };
    expect(await outcome(body(Buffer.alloc(3)), refuse)).toBe('AccessDenied');
    const noFile = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="key"\r\n\r\nk\r\n--${boundary}--\r\n`,
    );
    expect(await outcome(noFile, range)).toBe('InvalidArgument');
  });
});
