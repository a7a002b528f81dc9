import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import S3rver from 's3rver';

export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  client: S3Client;
  onObjectCreated(listener: (event: S3Event) => void): void;
  stop(): Promise<void>;
}

/** s3rver on loopback, with the media bucket and S3-style ObjectCreated events. */
export async function startLocalS3(options: {
  directory: string;
  bucket: string;
  port?: number;
}): Promise<LocalS3> {
  await mkdir(options.directory, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory: options.directory,
    allowMismatchedSignatures: true,
    configureBuckets: [{ name: options.bucket, configs: [] }],
  });
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
