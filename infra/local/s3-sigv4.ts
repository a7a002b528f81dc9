/**
 * SigV4 as S3 checks it, for the local S3 stand-in: header-signed requests, presigned query links and the
 * policy of browser POST uploads. Written against AWS's description of the algorithm with node:crypto, not
 * with the SDK's signer, so a mistake in how a link is built shows up locally as it would on S3.
 */
import { createHash, createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** A refusal in S3's terms: the status and error code S3 answers with. */
export class S3AuthError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
/** How far a request's own clock may stray from the server's, as S3 allows. */
export const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

/** RFC 3986 encoding, as SigV4 wants it: everything but unreserved characters is %XX. */
export const uriEncode = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const decode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new S3AuthError(400, 'InvalidURI', `Couldn't parse the specified URI: ${s}`);
  }
};

/** S3 signs the object key as each segment's strict encoding, whatever escaping the client sent. */
export const canonicalUri = (rawPath: string) => rawPath.split('/').map(decode).map(uriEncode).join('/');

export function parseQuery(rawQuery: string): [string, string][] {
  if (!rawQuery) return [];
  return rawQuery.split('&').map((pair) => {
    const at = pair.indexOf('=');
    return at < 0 ? [decode(pair), ''] : [decode(pair.slice(0, at)), decode(pair.slice(at + 1))];
  });
}

export const canonicalQuery = (params: readonly [string, string][]) =>
  params
    .map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`)
    .sort()
    .join('&');

/** Parses "20261127T161500Z"; NaN when malformed. */
export function parseAmzDate(value: string | undefined): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? '');
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : Number.NaN;
}

interface Scope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

/** "AKID/20261127/us-east-1/s3/aws4_request", checked against the request's date and the known key. */
export function parseCredential(
  credential: string,
  amzDate: string,
  credentials: Credentials,
  malformed: string,
): Scope {
  const [accessKeyId = '', date = '', region = '', service = '', terminal, ...rest] = credential.split('/');
  if (accessKeyId !== credentials.accessKeyId)
    throw new S3AuthError(
      403,
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
    );
  if (!region || service !== 's3' || terminal !== 'aws4_request' || rest.length > 0)
    throw new S3AuthError(400, malformed, `The credential scope ${credential} is malformed.`);
  if (date !== amzDate.slice(0, 8))
    throw new S3AuthError(400, malformed, `The credential's date ${date} is not the request's date.`);
  return { accessKeyId, date, region, service };
}

const mismatch = () =>
  new S3AuthError(
    403,
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
  );

export interface SignedRequest {
  method: string;
  /** The path and query as received (still percent-encoded). */
  url: string;
  headers: IncomingHttpHeaders;
}

function signature(
  request: SignedRequest,
  query: readonly [string, string][],
  signedHeaders: string,
  payloadHash: string,
  amzDate: string,
  scope: Scope,
  credentials: Credentials,
): string {
  const rawPath = request.url.split('?')[0] ?? '/';
  const names = signedHeaders.split(';');
  const headerLines = names.map((name) => {
    const value = request.headers[name];
    const text = Array.isArray(value) ? value.join(',') : (value ?? '');
    return `${name}:${text.trim().replace(/\s+/g, ' ')}\n`;
  });
  const canonicalRequest = [
    request.method,
    canonicalUri(rawPath),
    canonicalQuery(query),
    headerLines.join(''),
    signedHeaders,
    payloadHash,
  ].join('\n');
  const scopeText = `${scope.date}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, scopeText, sha256Hex(canonicalRequest)].join('\n');
  const key = signingKey(credentials.secretAccessKey, scope.date, scope.region, scope.service);
  return createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
}

/** A request signed in its Authorization header, as the SDK's client signs. */
export function verifyHeaderSignature(request: SignedRequest, credentials: Credentials, now: number): void {
  const authorization = String(request.headers.authorization ?? '');
  if (!authorization.startsWith(`${ALGORITHM} `))
    throw new S3AuthError(
      400,
      'InvalidRequest',
      `The authorization mechanism you have provided is not supported. Please use ${ALGORITHM}.`,
    );
  const parts = new Map(
    authorization
      .slice(ALGORITHM.length + 1)
      .split(',')
      .map((part) => {
        const [k = '', ...v] = part.trim().split('=');
        return [k, v.join('=')] as const;
      }),
  );
  const credential = parts.get('Credential');
  const signedHeaders = parts.get('SignedHeaders');
  const provided = parts.get('Signature');
  if (!credential || !signedHeaders || !provided)
    throw new S3AuthError(
      400,
      'AuthorizationHeaderMalformed',
      'The authorization header is malformed; it needs Credential, SignedHeaders and Signature.',
    );
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  const time = parseAmzDate(amzDate);
  if (Number.isNaN(time))
    throw new S3AuthError(403, 'AccessDenied', 'AWS authentication requires a valid x-amz-date header');
  if (Math.abs(now - time) > MAX_SKEW_MS)
    throw new S3AuthError(
      403,
      'RequestTimeTooSkewed',
      'The difference between the request time and the current time is too large.',
    );
  const scope = parseCredential(credential, amzDate, credentials, 'AuthorizationHeaderMalformed');
  const payloadHash = request.headers['x-amz-content-sha256'];
  if (typeof payloadHash !== 'string')
    throw new S3AuthError(
      400,
      'InvalidRequest',
      'Missing required header for this request: x-amz-content-sha256',
    );
  const names = signedHeaders.split(';');
  if (!names.includes('host'))
    throw new S3AuthError(400, 'AuthorizationHeaderMalformed', 'SignedHeaders must include host.');
  const unsigned = Object.keys(request.headers).filter((h) => h.startsWith('x-amz-') && !names.includes(h));
  if (unsigned.length > 0)
    throw new S3AuthError(
      403,
      'AccessDenied',
      `There were headers present in the request which were not signed: ${unsigned.join(', ')}`,
    );
  const query = parseQuery(request.url.split('?')[1] ?? '');
  const expected = signature(request, query, signedHeaders, payloadHash, amzDate, scope, credentials);
  if (expected !== provided) throw mismatch();
}

/** A presigned link: its signature in the query, valid from X-Amz-Date for X-Amz-Expires seconds. */
export function verifyQuerySignature(request: SignedRequest, credentials: Credentials, now: number): void {
  const query = parseQuery(request.url.split('?')[1] ?? '');
  const amzNames = query.map(([k]) => k.toLowerCase()).filter((k) => k.startsWith('x-amz-'));
  if (new Set(amzNames).size !== amzNames.length)
    throw new S3AuthError(
      400,
      'AuthorizationQueryParametersError',
      'An X-Amz-* query parameter is repeated.',
    );
  const param = (name: string) => query.find(([k]) => k === name)?.[1];
  const [algorithm, credential, amzDate, expires, signedHeaders, provided] = [
    'X-Amz-Algorithm',
    'X-Amz-Credential',
    'X-Amz-Date',
    'X-Amz-Expires',
    'X-Amz-SignedHeaders',
    'X-Amz-Signature',
  ].map(param);
  if (algorithm !== ALGORITHM)
    throw new S3AuthError(
      400,
      'AuthorizationQueryParametersError',
      `X-Amz-Algorithm only supports "${ALGORITHM}"`,
    );
  if (!credential || !amzDate || !expires || !signedHeaders || !provided)
    throw new S3AuthError(
      400,
      'AuthorizationQueryParametersError',
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, ' +
        'X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  const time = parseAmzDate(amzDate);
  if (Number.isNaN(time))
    throw new S3AuthError(
      400,
      'AuthorizationQueryParametersError',
      `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`,
    );
  const seconds = Number(expires);
  if (!/^\d+$/.test(expires) || seconds < 1 || seconds > MAX_PRESIGN_SECONDS)
    throw new S3AuthError(
      400,
      'AuthorizationQueryParametersError',
      `X-Amz-Expires must be a whole number of seconds from 1 to ${MAX_PRESIGN_SECONDS}`,
    );
  const scope = parseCredential(credential, amzDate, credentials, 'AuthorizationQueryParametersError');
  if (time - now > MAX_SKEW_MS) throw new S3AuthError(403, 'AccessDenied', 'Request is not valid yet');
  if (now > time + seconds * 1000) throw new S3AuthError(403, 'AccessDenied', 'Request has expired');
  const payloadHash = param('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD';
  const signedQuery = query.filter(([k]) => k !== 'X-Amz-Signature');
  const expected = signature(request, signedQuery, signedHeaders, payloadHash, amzDate, scope, credentials);
  if (expected !== provided) throw mismatch();
}
