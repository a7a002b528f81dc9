import { hash } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export type HttpResult = APIGatewayProxyStructuredResultV2;

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return { statusCode: status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

export const ok = (body: unknown) => json(200, body);
export const created = (body: unknown, location: string) => json(201, body, { location });
export const accepted = (body: unknown, location: string) => json(202, body, { location });
export const noContent = (): HttpResult => ({ statusCode: 204, headers: { 'cache-control': 'no-store' } });

/** The strong ETag of a representation: a hash of its JSON. */
export function etagOf(body: unknown): string {
  return etagOfText(JSON.stringify(body));
}

// One-shot hash: no Hash object per response, the same digest.
const etagOfText = (text: string) => `"${hash('sha256', text, 'base64url').slice(0, 27)}"`;

/**
 * Whether the request's If-None-Match names the resource whose current ETag is `etag` (RFC 9110, 13.1.2):
 * `*`, or a listed tag equal to it by weak comparison. A GET then answers 304, a write 412.
 */
export function noneMatchNames(event: APIGatewayProxyEventV2, etag: string): boolean {
  const tags = event.headers['if-none-match']?.split(',').map((t) => t.trim().replace(/^W\//, ''));
  return !!tags && (tags.includes(etag) || tags.includes('*'));
}

/** A single resource with a strong ETag; If-None-Match with the same tag gives 304 and no body. */
export function withEtag(event: APIGatewayProxyEventV2, body: unknown, maxAgeSeconds = 0): HttpResult {
  const text = JSON.stringify(body);
  const etag = etagOfText(text);
  const cache = maxAgeSeconds > 0 ? `private, max-age=${maxAgeSeconds}` : 'private, no-cache';
  if (noneMatchNames(event, etag)) {
    return { statusCode: 304, headers: { etag, 'cache-control': cache } };
  }
  return { statusCode: 200, headers: { ...JSON_HEADERS, etag, 'cache-control': cache }, body: text };
}
