import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import type { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { type ClientSource, clientGetter } from '../sdk/lazy-client.ts';
import type { ObjectStore, StoredObject } from './port.ts';
import { createGetPresigner } from './presign-get.ts';

// Loaded on first use, so a function that never touches S3 never loads these packages.
const s3 = () => import('@aws-sdk/client-s3');

export interface S3StoreOptions {
  client: ClientSource<S3Client>;
  bucket: string;
  /** SSE-KMS key for written objects; the bucket default applies when absent. */
  kmsKeyId?: string;
  /** First wait before keys S3 could not delete for a passing reason are sent again (doubles each time). */
  deleteRetryDelayMs?: number;
}

const BUFFERED_PUT_BYTES = 64 * 1024 ** 2;
/** DeleteObjects takes at most 1000 keys a request. */
const DELETE_BATCH = 1000;
const DELETE_ATTEMPTS = 4;
/** Per-key DeleteObjects error codes that asking again can cure. */
const TRANSIENT_DELETE_CODES = new Set(['InternalError', 'SlowDown', 'ServiceUnavailable']);

export function createS3Store({
  client: source,
  bucket,
  kmsKeyId,
  deleteRetryDelayMs = 100,
}: S3StoreOptions): ObjectStore {
  const client = clientGetter(source);
  const encryption = kmsKeyId ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: kmsKeyId } : {};

  async function list(prefix: string): Promise<StoredObject[]> {
    const out: StoredObject[] = [];
    let token: string | undefined;
    const { ListObjectsV2Command } = await s3();
    do {
      const page = await (await client()).send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) if (o.Key) out.push({ key: o.Key, size: o.Size ?? 0 });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  /**
   * DeleteObjects answers 200 even when keys were not deleted, listing them under Errors (only those, in
   * quiet mode). Keys that failed for a passing reason are sent again; any still failing fail the call.
   */
  async function deleteKeys(keys: readonly string[]): Promise<void> {
    const { DeleteObjectsCommand } = await s3();
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      let pending = keys.slice(i, i + DELETE_BATCH);
      for (let attempt = 1; ; attempt += 1) {
        const out = await (await client()).send(
          new DeleteObjectsCommand({
            Bucket: bucket,
            Delete: { Objects: pending.map((Key) => ({ Key })), Quiet: true },
          }),
        );
        const errors = out.Errors ?? [];
        if (errors.length === 0) break;
        const lasting = errors.filter((e) => !TRANSIENT_DELETE_CODES.has(e.Code ?? ''));
        if (lasting.length > 0 || attempt === DELETE_ATTEMPTS) {
          const first = lasting[0] ?? errors[0]!;
          throw new Error(
            `S3 did not delete ${errors.length} object(s) of ${bucket}: ${first.Code ?? 'unknown error'} on ${first.Key}`,
          );
        }
        pending = errors.map((e) => e.Key!).filter(Boolean);
        await new Promise((resolve) => setTimeout(resolve, deleteRetryDelayMs * 2 ** (attempt - 1)));
      }
    }
  }

  return {
    bucket,
    async putFile(key, filePath, contentType) {
      const { PutObjectCommand } = await s3();
      const { size } = await stat(filePath);
      await (await client()).send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          // A buffered body can be retried by the SDK after a dropped connection; a stream cannot.
          Body: size <= BUFFERED_PUT_BYTES ? await readFile(filePath) : createReadStream(filePath),
          ContentLength: size,
          ContentType: contentType,
          ...encryption,
        }),
      );
      return { key, size };
    },
    async putBytes(key, body, contentType) {
      const { PutObjectCommand } = await s3();
      const bytes = typeof body === 'string' ? Buffer.from(body) : body;
      await (await client()).send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: bytes,
          ContentType: contentType,
          ...encryption,
        }),
      );
      return { key, size: bytes.length };
    },
    async downloadToFile(key, filePath) {
      const { GetObjectCommand } = await s3();
      const out = await (await client()).send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      await pipeline(out.Body as Readable, createWriteStream(filePath));
    },
    async readBytes(key) {
      const { GetObjectCommand } = await s3();
      try {
        const out = await (await client()).send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return (await out.Body?.transformToByteArray()) ?? new Uint8Array();
      } catch (error) {
        if ((error as { name?: string }).name === 'NoSuchKey') return null;
        throw error;
      }
    },
    async head(key) {
      const { HeadObjectCommand } = await s3();
      try {
        const out = await (await client()).send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return { key, size: out.ContentLength ?? 0 };
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 404 || (error as { name?: string }).name === 'NotFound') return null;
        throw error;
      }
    },
    list,
    deleteKeys,
    async deletePrefix(prefix) {
      if (!prefix.endsWith('/')) throw new Error('refusing to delete a prefix that is not a folder');
      const keys = (await list(prefix)).map((o) => o.key);
      await deleteKeys(keys);
      return keys.length;
    },
  };
}

export interface SignedUrl {
  url: string;
  expiresAt: string;
}

/** The longest a SigV4 presigned link may be valid (S3's limit). */
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;
/** Signed GETs kept per window; a window's links are dropped when the next window begins. */
const SIGNED_GETS_KEPT = 5000;

/**
 * Short-lived links: signed GETs for media, presigned POSTs for uploads.
 *
 * A GET link is signed as of the start of the current window of `signWindowSeconds` (5 minutes), with an
 * expiry rounded up to whole windows that still covers its whole lifetime from now. So the same object asked
 * for again within a window gets the same link: a browser reuses what it fetched under it (a thumbnail
 * shown again), and the signature is computed once per window, not once per request. A link is then
 * valid for at least its lifetime and at most one window longer; `expiresAt` is exact.
 */
export function createMediaSigner(
  options: S3StoreOptions & { getTtlSeconds?: number; postTtlSeconds?: number; signWindowSeconds?: number },
) {
  const { bucket, kmsKeyId } = options;
  const client = clientGetter(options.client);
  const getTtl = options.getTtlSeconds ?? 900;
  const postTtl = options.postTtlSeconds ?? 900;
  const windowMs = (options.signWindowSeconds ?? 300) * 1000;
  const expiry = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();
  let presignGet: Promise<Awaited<ReturnType<typeof createGetPresigner>>> | undefined;
  const signed = new Map<string, SignedUrl>();
  let signedWindow = -1;
  return {
    /** How long a presigned POST stays valid. */
    postTtlSeconds: postTtl,
    /** A signed GET, valid for the signer's lifetime or for `atLeastSeconds` when that is longer. */
    async signGet(key: string, contentType?: string, atLeastSeconds = 0): Promise<SignedUrl> {
      presignGet ??= client()
        .then((c) => createGetPresigner(c, bucket))
        .catch((error: unknown) => {
          presignGet = undefined;
          throw error;
        });
      const now = Date.now();
      const until = now + Math.max(getTtl, atLeastSeconds) * 1000;
      const from = windowMs > 0 ? now - (now % windowMs) : now;
      const span =
        windowMs > 0
          ? Math.ceil((until - from) / windowMs) * windowMs
          : Math.ceil((until - from) / 1000) * 1000;
      const expiresIn = Math.min(span / 1000, MAX_PRESIGN_SECONDS);
      if (from !== signedWindow) {
        signed.clear();
        signedWindow = from;
      }
      const id = `${expiresIn} ${contentType ?? ''} ${key}`;
      const kept = signed.get(id);
      if (kept) return kept;
      const url = await (await presignGet)(key, expiresIn, contentType, new Date(from));
      const link = { url, expiresAt: new Date(from + expiresIn * 1000).toISOString() };
      if (from === signedWindow && signed.size < SIGNED_GETS_KEPT) signed.set(id, link);
      return link;
    },
    /**
     * A browser-ready POST whose policy pins the key and content type and refuses a file larger than the
     * size declared for it (S3 enforces content-length-range; the upload trigger checks again).
     */
    async presignPost(key: string, contentType: string, declaredBytes: number) {
      const fields: Record<string, string> = { 'Content-Type': contentType };
      const conditions: Parameters<typeof createPresignedPost>[1]['Conditions'] = [
        ['content-length-range', 1, declaredBytes],
        ['eq', '$Content-Type', contentType],
      ];
      if (kmsKeyId) {
        fields['x-amz-server-side-encryption'] = 'aws:kms';
        fields['x-amz-server-side-encryption-aws-kms-key-id'] = kmsKeyId;
      }
      const { createPresignedPost } = await import('@aws-sdk/s3-presigned-post');
      const post = await createPresignedPost(await client(), {
        Bucket: bucket,
        Key: key,
        Conditions: conditions,
        Fields: fields,
        Expires: postTtl,
      });
      return { url: post.url, fields: post.fields, expiresAt: expiry(postTtl) };
    },
  };
}

export type MediaSigner = ReturnType<typeof createMediaSigner>;
