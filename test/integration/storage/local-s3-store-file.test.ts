/**
 * The local stand-ins for Bedrock and MediaConvert store their outputs straight into s3rver's store
 * (storeFile): the object and its ObjectCreated event must be the ones an SDK PutObject of the same file
 * gives, since the pipeline reads both (the event hands a render over, the GETs serve the clip).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalS3, startLocalS3 } from '#infra/local/s3.ts';
import { createMediaSigner, createS3Store } from '#shared/storage/s3.ts';

let s3: LocalS3;
let dir: string;
const events: S3Event[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'local-s3-store-file-'));
  s3 = await startLocalS3({ directory: path.join(dir, 's3'), bucket: 'media' });
  s3.onObjectCreated((event) => events.push(event));
});
afterAll(async () => {
  await s3.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('storeFile', () => {
  it('stores an object and raises an event as a PutObject of the same file does', async () => {
    const file = path.join(dir, 'segment.ts');
    const bytes = Buffer.alloc(300_000, 7);
    await writeFile(file, bytes);
    const store = createS3Store({ client: s3.client, bucket: s3.bucket });
    const signer = createMediaSigner({ client: s3.client, bucket: s3.bucket });

    events.length = 0;
    await store.putFile('users/u/p/put/segment.ts', file, 'video/mp2t');
    const direct = await s3.storeFile('users/u/p/direct/segment.ts', file, 'video/mp2t');
    expect(direct).toEqual({ key: 'users/u/p/direct/segment.ts', size: bytes.length });

    const read = async (key: string) => {
      const response = await fetch((await signer.signGet(key)).url);
      return {
        status: response.status,
        type: response.headers.get('content-type'),
        length: response.headers.get('content-length'),
        etag: response.headers.get('etag'),
        body: Buffer.from(await response.arrayBuffer()),
      };
    };
    const [put, stored] = [await read('users/u/p/put/segment.ts'), await read('users/u/p/direct/segment.ts')];
    expect(stored).toEqual(put);
    expect(stored.status).toBe(200);
    expect(stored.body.equals(bytes)).toBe(true);
    expect(await store.head('users/u/p/direct/segment.ts')).toEqual(direct);

    expect(events).toHaveLength(2);
    const shape = (event: S3Event) => {
      const { eventName, s3: record } = event.Records[0]!;
      return { eventName, bucket: record.bucket.name, size: record.object.size, eTag: record.object.eTag };
    };
    expect(shape(events[1]!)).toEqual(shape(events[0]!));
    expect(events[1]!.Records[0]!.s3.object.key).toBe('users/u/p/direct/segment.ts');
  });
});
