/**
 * The signing hash every AWS SDK client is given (shared/sdk/sha256.ts) must compute exactly what the SDK's
 * own computes: SigV4 signatures made with it equal the SDK's, byte for byte.
 */
import { createHash, createHmac } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import path from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KeyObjectSha256, sdkConfig } from '#shared/sdk/sha256.ts';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'token/with+odd=chars',
};
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

afterEach(() => {
  vi.useRealTimers();
});

describe('KeyObjectSha256', () => {
  const text = 'GET\n/\nX-Amz-Date=20261126T000000Z\nhost:example.com ü';
  const bytes = new TextEncoder().encode(text);
  const padded = new Uint8Array(bytes.length + 8);
  padded.set(bytes, 4);
  const inputs: [string, string | ArrayBuffer | ArrayBufferView][] = [
    ['a string', text],
    ['a Uint8Array', bytes],
    ['an ArrayBuffer', bytes.slice().buffer],
    ['a view into a larger buffer', new DataView(padded.buffer, 4, bytes.length)],
  ];

  it.each(inputs)('hashes %s as node:crypto does', async (_, data) => {
    const hash = new KeyObjectSha256();
    hash.update(data);
    expect(hex(await hash.digest())).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it.each(inputs)('keys an HMAC with %s as node:crypto does', async (_, key) => {
    const hmac = new KeyObjectSha256(key);
    hmac.update('string to sign');
    expect(hex(await hmac.digest())).toBe(createHmac('sha256', bytes).update('string to sign').digest('hex'));
  });

  it('keeps hashing after a digest, finishes an HMAC with its digest, and starts over on reset', async () => {
    const hash = new KeyObjectSha256();
    hash.update('ab');
    await hash.digest();
    hash.update('c');
    expect(hex(await hash.digest())).toBe(createHash('sha256').update('abc').digest('hex'));
    const key = new Uint8Array(32).fill(7);
    const hmac = new KeyObjectSha256(key);
    hmac.update('x');
    await hmac.digest();
    expect(() => hmac.update('y')).toThrow('already finished');
    hmac.reset();
    hmac.update('y');
    // The same key bytes again (SigV4 passes its cached signing key): the same result.
    expect(hex(await hmac.digest())).toBe(createHmac('sha256', key).update('y').digest('hex'));
    expect(hex(await new KeyObjectSha256(key).digest())).toBe(createHmac('sha256', key).digest('hex'));
    // The same array holding another key: that key, not the one first seen in it.
    key.fill(9);
    expect(hex(await new KeyObjectSha256(key).digest())).toBe(createHmac('sha256', key).digest('hex'));
  });
});

describe('signatures made with it equal the SDK’s own', () => {
  it('signs the same presigned GET and POST as the SDK’s hash', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-26T23:59:59Z'), toFake: ['Date'] });
    const sdk = new S3Client({ region: 'eu-west-1', credentials });
    const ours = new S3Client(sdkConfig({ region: 'eu-west-1', credentials }));
    const command = () =>
      new GetObjectCommand({ Bucket: 'media', Key: 'users/u/clip.mp4', ResponseContentType: 'video/mp4' });
    expect(await getSignedUrl(ours, command(), { expiresIn: 900 })).toBe(
      await getSignedUrl(sdk, command(), { expiresIn: 900 }),
    );
    const post = (client: S3Client) =>
      createPresignedPost(client, {
        Bucket: 'media',
        Key: 'users/u/upload.mp4',
        Conditions: [['content-length-range', 1, 100]],
        Fields: { 'Content-Type': 'video/mp4' },
        Expires: 900,
      });
    expect((await post(ours)).fields).toEqual((await post(sdk)).fields);
  });

  it('sends a call with the same Authorization header as the SDK’s hash', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-26T12:00:00Z'), toFake: ['Date'] });
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      req.on('end', () => {
        res.setHeader('content-type', 'application/x-amz-json-1.0');
        res.end(JSON.stringify({ executionArn: 'arn:aws:states:us-east-1:0:execution:m:x', startDate: 1 }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const input = { stateMachineArn: 'arn:aws:states:us-east-1:0:stateMachine:m', name: 'x', input: '{}' };
      for (const client of [
        new SFNClient({ region: 'us-east-1', endpoint, credentials }),
        new SFNClient(sdkConfig({ region: 'us-east-1', endpoint, credentials })),
      ]) {
        // The one signed header that differs between two calls of the SDK: its random invocation id.
        type Step = (args: { request: unknown }) => Promise<unknown>;
        const fixed =
          (next: Step): Step =>
          (args) => {
            (args.request as { headers: Record<string, string> }).headers['amz-sdk-invocation-id'] = 'fixed';
            return next(args);
          };
        client.middlewareStack.addRelativeTo(
          fixed as unknown as Parameters<typeof client.middlewareStack.addRelativeTo>[0],
          { relation: 'before', toMiddleware: 'httpSigningMiddleware', name: 'fixedInvocationId' },
        );
        await client.send(new StartExecutionCommand(input));
      }
    } finally {
      server.close();
    }
    expect(seen).toHaveLength(2);
    expect(seen[1]!.authorization).toMatch(/Signature=[0-9a-f]{64}$/);
    expect(seen[1]!.authorization).toBe(seen[0]!.authorization);
  });
});

it('is given to every AWS SDK client the app builds', async () => {
  const root = path.resolve(import.meta.dirname, '../../..');
  const files: string[] = [];
  for (const dir of ['shared', 'functions', 'infra']) {
    for (const entry of await readdir(path.join(root, dir), { recursive: true })) {
      if (entry.endsWith('.ts') && !entry.endsWith('.d.ts')) files.push(path.join(dir, entry));
    }
  }
  const unconfigured: string[] = [];
  let built = 0;
  for (const file of files) {
    const source = await readFile(path.join(root, file), 'utf8');
    // `new XClient(` or `new (await import('@aws-sdk/…')).XClient(`; the document client wraps one.
    for (const match of source.matchAll(
      /new (?:\(await import\('@aws-sdk\/[a-z-]+'\)\)\.)?(\w+Client)\(\s*(\S+)/g,
    )) {
      if (match[1] === 'DynamoDBDocumentClient' || !/^[A-Z]\w*Client$/.test(match[1]!)) continue;
      built += 1;
      if (!match[2]!.startsWith('sdkConfig(') && !isLocalUnsignedDynamo(file, source))
        unconfigured.push(`${file}: new ${match[1]}(${match[2]}`);
    }
  }
  expect(built).toBeGreaterThan(20);
  expect(unconfigured).toEqual([]);
});

/** The local DynamoDB's client skips SigV4 altogether (infra/local/dynamo.ts, `unverifiedSigner`). */
function isLocalUnsignedDynamo(file: string, source: string): boolean {
  return file === path.join('infra', 'local', 'dynamo.ts') && source.includes('signer: unverifiedSigner');
}
