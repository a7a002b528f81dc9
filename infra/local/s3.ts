import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import S3rver from 's3rver';
import { LOCAL_CORS_ORIGINS, MEDIA_CORS } from '#shared/http/cors.ts';
import { s3SignatureCheck } from './s3-signatures.ts';

export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  client: S3Client;
  onObjectCreated(listener: (event: S3Event) => void): void;
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
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: LOCAL_CREDENTIALS,
    // s3rver stores aws-chunked bodies verbatim; without default checksums the SDK sends plain bodies.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
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
