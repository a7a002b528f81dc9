import { createReadStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import S3rver from 's3rver';
import { LOCAL_CORS_ORIGINS, MEDIA_CORS } from '#shared/http/cors.ts';
import { sdkConfig } from '#shared/sdk/sha256.ts';
import type { StoredObject } from '#shared/storage/port.ts';
import { s3SignatureCheck } from './s3-signatures.ts';

// s3rver's own object and event models, as its PUT handler (lib/controllers/object.js) builds them.
const s3rverModule = createRequire(import.meta.url);
type S3rverObject = { size: number };
const S3Object = s3rverModule('s3rver/lib/models/object.js') as new (
  bucket: string,
  key: string,
  content: unknown,
  metadata: Record<string, string>,
) => S3rverObject;
const S3EventModel = s3rverModule('s3rver/lib/models/event.js') as new (
  data: { bucket: string; eventType: 'Put'; S3Item: S3rverObject },
  request: { reqHeaders: Record<string, string>; sourceIp: string },
) => S3Event;

export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  client: S3Client;
  onObjectCreated(listener: (event: S3Event) => void): void;
  /**
   * Stores a file as the AWS services the local stand-ins play (Bedrock's model, MediaConvert) write their
   * outputs: into s3rver's store as its PUT handler does (content type, size, MD5 ETag) and with the same
   * ObjectCreated event, without this process signing, sending, receiving and checking an HTTP request to
   * itself (the SDK client, SigV4 both ways and s3rver's middleware cost about as much CPU as the bytes:
   * 130–145 ms against 50–65 ms for one job's render and transcode outputs). Deployed, those services
   * write to S3 themselves; the application's own writes keep going through the S3 client.
   */
  storeFile(key: string, file: string, contentType: string): Promise<StoredObject>;
  stop(): Promise<void>;
}

const xmlText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The media bucket's CORS rule (the one the CDK gives the bucket) as S3's CORSConfiguration XML. */
export function mediaCorsXml(origins: readonly string[]): string {
  const tags = (tag: string, values: readonly (string | number)[]) =>
    values.map((v) => `<${tag}>${xmlText(String(v))}</${tag}>`).join('');
  return (
    '<CORSConfiguration><CORSRule>' +
    tags('AllowedOrigin', origins) +
    tags('AllowedMethod', MEDIA_CORS.allowedMethods) +
    tags('AllowedHeader', MEDIA_CORS.allowedHeaders) +
    tags('ExposeHeader', MEDIA_CORS.exposedHeaders) +
    tags('MaxAgeSeconds', [MEDIA_CORS.maxAgeSeconds]) +
    '</CORSRule></CORSConfiguration>'
  );
}

interface S3rverStore {
  putObject(object: S3rverObject): Promise<{ md5: string; size: number }>;
  getResourcePath(bucket: string, key: string, resource: 'object'): string;
}

/** s3rver on loopback, with the media bucket (and its CORS rule) and S3-style ObjectCreated events. */
export async function startLocalS3(options: {
  directory: string;
  bucket: string;
  port?: number;
  /** Origins the bucket's CORS rule allows; localhost and 127.0.0.1 on any port when absent. */
  corsOrigins?: readonly string[];
}): Promise<LocalS3> {
  await mkdir(options.directory, { recursive: true });
  const corsOrigins = options.corsOrigins ?? LOCAL_CORS_ORIGINS;
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory: options.directory,
    configureBuckets: [{ name: options.bucket, configs: [mediaCorsXml(corsOrigins)] }],
  });
  // First of s3rver's middleware, so every request is judged as S3 would before s3rver sees it.
  server.middleware.unshift(s3SignatureCheck(LOCAL_CREDENTIALS, corsOrigins));
  const info = (await server.run()) as AddressInfo;
  const endpoint = `http://127.0.0.1:${info.port}`;
  const client = new S3Client(
    sdkConfig({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: LOCAL_CREDENTIALS,
      // s3rver stores aws-chunked bodies verbatim; without default checksums the SDK sends plain bodies.
      requestChecksumCalculation: 'WHEN_REQUIRED' as const,
      responseChecksumValidation: 'WHEN_REQUIRED' as const,
    }),
  );
  // SigV4 signs a hash of every body unless told the payload is unsigned, as S3 allows; the local check
  // does not compare bodies with their hash, so hashing each media file the pipeline stores would be CPU
  // spent on nothing. Only requests that carry a body: a presigned GET must keep the SDK's own query.
  client.middlewareStack.add(
    (next) => (args) => {
      const request = args.request as { headers?: Record<string, string>; body?: unknown };
      if (request.headers && request.body != null)
        request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
      return next(args);
    },
    { step: 'build', name: 'localUnsignedPayload' },
  );
  await client.send(new CreateBucketCommand({ Bucket: options.bucket })).catch(() => undefined);
  return {
    endpoint,
    bucket: options.bucket,
    client,
    async storeFile(key, file, contentType) {
      const { size } = await stat(file);
      const store = (server as unknown as { store: S3rverStore }).store;
      const object = new S3Object(options.bucket, key, createReadStream(file), {
        'content-type': contentType,
        'content-length': String(size),
      });
      const { md5 } = await store.putObject(object);
      // s3rver answers once the bytes are hashed, while its file may still lack the last chunks; the event
      // starts readers of the object (the transcode of a render), so it waits until all of them are on disk.
      const stored = store.getResourcePath(options.bucket, key, 'object');
      for (const started = Date.now(); (await stat(stored)).size < size; ) {
        if (Date.now() - started > 10_000) throw new Error(`s3rver did not finish writing ${key}`);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      const item = new S3Object(options.bucket, key, null, {
        'content-length': String(size),
        etag: JSON.stringify(md5),
      });
      server.emit(
        'event',
        new S3EventModel(
          { bucket: options.bucket, eventType: 'Put', S3Item: item },
          { reqHeaders: { host: new URL(endpoint).host }, sourceIp: '127.0.0.1' },
        ),
      );
      return { key, size };
    },
    onObjectCreated(listener) {
      server.on('event', (event: S3Event) => {
        if (event.Records?.[0]?.eventName?.startsWith('ObjectCreated')) listener(event);
      });
    },
    async stop() {
      client.destroy();
      await server.close();
    },
  };
}
