/** A single resource's strong ETag: the first 27 base64url characters of the body's SHA-256, quoted. */
import { createHash } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { expect, it } from 'vitest';
import { withEtag } from '#shared/http/responses.ts';

const request = (headers: Record<string, string> = {}) => ({ headers }) as unknown as APIGatewayProxyEventV2;
const body = { id: '22222222-3333-4444-8555-666666666666', title: 'Ünïcode ✓' };

it('tags the body with its SHA-256 and answers 304 to the same tag', () => {
  const text = JSON.stringify(body);
  const tag = `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`;
  const res = withEtag(request(), body);
  expect(res).toMatchObject({ statusCode: 200, body: text, headers: { etag: tag } });
  expect(withEtag(request({ 'if-none-match': `W/${tag}, "other"` }), body)).toMatchObject({
    statusCode: 304,
    headers: { etag: tag },
  });
});
