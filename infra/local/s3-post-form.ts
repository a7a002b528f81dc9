/**
 * Reads a multipart POST upload as S3 does: the fields come before the file (S3 ignores any after it), so
 * they can be judged before the file's bytes are; the file's length is known only at its end. The whole
 * body goes to a spool file meanwhile, for the stand-in to read again once the upload is judged.
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { SizeRange } from './s3-post-policy.ts';
import { S3AuthError } from './s3-sigv4.ts';

/** S3 refuses a POST whose fields before the file exceed 20 KB. */
const MAX_PRE_DATA = 20 * 1024;

export function boundaryOf(contentType: string | undefined): string | undefined {
  const m = /^multipart\/form-data\s*;.*?boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  return m ? (m[1] ?? m[2]) : undefined;
}

const noFile = () =>
  new S3AuthError(400, 'InvalidArgument', 'POST requires exactly one file upload per request.');

interface Head {
  /** Field names lower-cased, as S3 compares them. */
  fields: Map<string, string>;
  /** Where the file's bytes start in the body; null when the form ended with no file. */
  fileStart: number | null;
}

/** The fields before the file part, once the body so far reaches the file's bytes; undefined until then. */
export function parseHead(body: Buffer, boundary: string): Head | undefined {
  const open = `--${boundary}`;
  const fields = new Map<string, string>();
  let at = body.indexOf(open);
  if (at < 0) return undefined;
  for (;;) {
    const after = at + open.length;
    if (body.length < after + 2) return undefined;
    if (body.toString('latin1', after, after + 2) === '--') return { fields, fileStart: null };
    const headersEnd = body.indexOf('\r\n\r\n', after);
    if (headersEnd < 0) return undefined;
    const headers = body.toString('utf8', after + 2, headersEnd);
    const name = (/;\s*name="([^"]*)"/i.exec(headers)?.[1] ?? '').toLowerCase();
    const valueStart = headersEnd + 4;
    if (name === 'file') return { fields, fileStart: valueStart };
    const end = body.indexOf(`\r\n${open}`, valueStart);
    if (end < 0) return undefined;
    fields.set(name, body.toString('utf8', valueStart, end));
    at = end + 2;
  }
}

/**
 * Copies `body` to `spoolPath`, calling `judge` with the fields as soon as they are read; refuses a file
 * outside the size range `judge` returns (reading no further than its maximum).
 */
export async function spoolUpload(
  body: Readable,
  boundary: string,
  spoolPath: string,
  judge: (fields: Map<string, string>) => SizeRange,
): Promise<void> {
  const out = createWriteStream(spoolPath);
  const close = new Promise<void>((resolve, reject) => {
    out.on('close', resolve);
    out.on('error', reject);
  });
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  let head = Buffer.alloc(0);
  let range: SizeRange | undefined;
  let carry = Buffer.alloc(0);
  let fileBytes = 0;
  let fileEnded = false;
  // Refusing mid-body still reads the body to its end: leaving the loop early would destroy the request,
  // and the client would see a reset connection instead of S3's answer.
  let refusal: unknown;
  const take = async (chunk: Buffer) => {
    if (!out.write(chunk)) await once(out, 'drain');
    let rest = chunk;
    if (!range) {
      head = Buffer.concat([head, chunk]);
      const parsed = parseHead(head, boundary);
      if (!parsed) {
        if (head.length > MAX_PRE_DATA)
          throw new S3AuthError(
            400,
            'MaxPostPreDataLengthExceeded',
            'Your POST request fields preceding the upload file were too large.',
          );
        return;
      }
      if (parsed.fileStart === null) throw noFile();
      range = judge(parsed.fields);
      rest = head.subarray(parsed.fileStart);
    }
    if (fileEnded) return;
    const data = Buffer.concat([carry, rest]);
    const end = data.indexOf(delimiter);
    if (end >= 0) {
      fileBytes += end;
      fileEnded = true;
    } else {
      const keep = Math.min(data.length, delimiter.length - 1);
      fileBytes += data.length - keep;
      carry = data.subarray(data.length - keep);
    }
    if (fileBytes > range.maxBytes)
      throw new S3AuthError(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
  };
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (refusal === undefined) await take(chunk).catch((error: unknown) => (refusal = error));
    }
  } finally {
    out.end();
    await close;
  }
  if (refusal !== undefined) throw refusal;
  if (!range || !fileEnded) throw noFile();
  if (fileBytes < range.minBytes)
    throw new S3AuthError(
      400,
      'EntityTooSmall',
      'Your proposed upload is smaller than the minimum allowed size',
    );
}
