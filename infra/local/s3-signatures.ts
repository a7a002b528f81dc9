/**
 * The signature check s3rver lacks (it accepts any SigV4 signature, or none, and ignores POST policies):
 * a Koa middleware put in front of s3rver's own, so the local stand-in refuses what S3 refuses.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { allowOrigin, MEDIA_CORS } from '#shared/http/cors.ts';
import { boundaryOf, spoolUpload } from './s3-post-form.ts';
import { checkPostPolicy } from './s3-post-policy.ts';
import { type Credentials, S3AuthError, verifyHeaderSignature, verifyQuerySignature } from './s3-sigv4.ts';

/** The parts of Koa's context this middleware uses. */
export interface KoaContext {
  method: string;
  req: IncomingMessage | Readable;
  status: number;
  type: string;
  body: unknown;
  set(name: string, value: string): void;
}

const xmlText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function errorXml(error: S3AuthError): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error>' +
    `<Code>${error.code}</Code><Message>${xmlText(error.message)}</Message>` +
    `<RequestId>${randomUUID()}</RequestId></Error>`
  );
}

/**
 * `corsOrigins` are the origins the bucket's CORS rule allows: a refusal carries the CORS headers S3 would
 * give it, so a page reads the 403 rather than a failed fetch.
 */
export function s3SignatureCheck(credentials: Credentials, corsOrigins: readonly string[] = []) {
  return async function signatureCheck(ctx: KoaContext, next: () => Promise<unknown>) {
    const req = ctx.req as IncomingMessage;
    const url = req.url ?? '/';
    const [rawPath = '/', rawQuery = ''] = url.split('?');
    const request = { method: req.method ?? 'GET', url, headers: req.headers };
    let spool: string | undefined;
    try {
      const now = Date.now();
      const presigned = /(^|&)X-Amz-Algorithm=/.test(rawQuery);
      if (req.headers.authorization !== undefined && presigned)
        throw new S3AuthError(
          400,
          'InvalidArgument',
          'Only one auth mechanism allowed; send the X-Amz-Algorithm query parameter or the Authorization header.',
        );
      if (req.headers.authorization !== undefined) verifyHeaderSignature(request, credentials, now);
      else if (presigned) verifyQuerySignature(request, credentials, now);
      else if (req.method === 'OPTIONS') {
        // CORS preflights carry no credentials, on S3 as here.
      } else if (req.method === 'POST' && !rawQuery && /^\/[^/]+\/?$/.test(rawPath)) {
        const boundary = boundaryOf(req.headers['content-type']);
        if (!boundary)
          throw new S3AuthError(
            400,
            'PreconditionFailed',
            'Bucket POST must be of the enclosure-type multipart/form-data',
          );
        const bucket = decodeURIComponent(rawPath.replace(/^\/|\/$/g, ''));
        spool = path.join(os.tmpdir(), `s3-post-${randomUUID()}`);
        await spoolUpload(req, boundary, spool, (fields) =>
          checkPostPolicy(fields, bucket, credentials, now),
        );
        // s3rver reads the upload from ctx.req (its headers from ctx.request), so it reads the spooled copy.
        ctx.req = createReadStream(spool);
      } else throw new S3AuthError(403, 'AccessDenied', 'Access Denied');
    } catch (error) {
      if (spool) await rm(spool, { force: true });
      if (!(error instanceof S3AuthError)) throw error;
      const origin = req.headers.origin;
      if (
        allowOrigin(origin, corsOrigins) &&
        (MEDIA_CORS.allowedMethods as readonly string[]).includes(request.method)
      ) {
        ctx.set('Access-Control-Allow-Origin', origin!);
        ctx.set('Access-Control-Expose-Headers', MEDIA_CORS.exposedHeaders.join(', '));
        ctx.set('Vary', 'Origin');
      }
      ctx.status = error.status;
      ctx.type = 'application/xml';
      ctx.body = errorXml(error);
      return;
    }
    try {
      await next();
    } finally {
      if (spool) await rm(spool, { force: true });
    }
  };
}
