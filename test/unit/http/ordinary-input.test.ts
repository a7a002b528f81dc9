import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '#shared/db/pagination.ts';
import { InvalidCursorError, ValidationError } from '#shared/errors.ts';
import { ContentTooLargeError } from '#shared/http/problem.ts';
import {
  guardRequest,
  jsonDepthExceeds,
  MAX_BODY_BYTES,
  unstorableText,
} from '#shared/http/request-guard.ts';
import { matchRoute, redactPath } from '#shared/http/routes.ts';
import { boundedJsonObject, depthOf } from '#shared/schema/common.ts';

const event = (over: Partial<APIGatewayProxyEventV2>): APIGatewayProxyEventV2 =>
  ({
    rawPath: '/v1/projects',
    headers: { 'content-type': 'application/json' },
    isBase64Encoded: false,
    ...over,
  }) as APIGatewayProxyEventV2;

function issuesOf(fn: () => void): { path: string }[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues;
  }
  throw new Error('expected a ValidationError');
}

const deep = (n: number) => {
  let value: unknown = 1;
  for (let i = 0; i < n; i += 1) value = { a: value };
  return value as Record<string, unknown>;
};

describe('the request guard', () => {
  it('names the body field, query parameter or path parameter holding U+0000', () => {
    const body = JSON.stringify({ title: 'ok', settings: { notes: ['fine', 'a\u0000b'] } });
    expect(issuesOf(() => guardRequest(event({ body })))).toEqual([
      expect.objectContaining({ path: 'body.settings.notes.1' }),
    ]);
    expect(issuesOf(() => guardRequest(event({ body: '{"a\\u0000":1}' })))[0]?.path).toBe('body');
    expect(
      issuesOf(() => guardRequest(event({ queryStringParameters: { q: 'a\u0000', limit: '2' } }))),
    ).toEqual([expect.objectContaining({ path: 'query.q' })]);
    expect(issuesOf(() => guardRequest(event({ pathParameters: { projectId: '\u0000' } })))[0]?.path).toBe(
      'path.projectId',
    );
    expect(issuesOf(() => guardRequest(event({ rawPath: '/v1/projects/%00' })))[0]?.path).toBe('path');
  });

  it('names the body field holding an unpaired surrogate escape (jsonb refuses it)', () => {
    for (const body of ['{"title":"a\\ud800"}', '{"title":"\\uDC00x"}', '{"title":"\\udd8a\\ud83e"}']) {
      expect(
        issuesOf(() => guardRequest(event({ body }))),
        body,
      ).toEqual([
        expect.objectContaining({ path: 'body.title', message: expect.stringMatching(/surrogate/) }),
      ]);
    }
    expect(() => guardRequest(event({ body: '{"title":"\\ud83e\\udd8a fox"}' }))).not.toThrow();
  });

  it('reads a base64-encoded JSON body as the route does', () => {
    const body = Buffer.from('{"title":"a\\u0000"}').toString('base64');
    const headers = { 'content-type': 'application/merge-patch+json' };
    expect(issuesOf(() => guardRequest(event({ body, headers, isBase64Encoded: true })))[0]?.path).toBe(
      'body.title',
    );
    const deepBody = Buffer.from(`{"a":${'['.repeat(100)}${']'.repeat(100)}}`).toString('base64');
    expect(
      issuesOf(() => guardRequest(event({ body: deepBody, headers, isBase64Encoded: true })))[0]?.path,
    ).toBe('body');
  });

  it('lets ordinary requests through, including bodies that are not JSON (the route answers those)', () => {
    expect(() =>
      guardRequest(event({ body: JSON.stringify({ title: 'naïve 🎬 \\u0000 text' }) })),
    ).not.toThrow();
    expect(() => guardRequest(event({ body: '{not json' }))).not.toThrow();
    expect(() => guardRequest(event({ queryStringParameters: { limit: '5' } }))).not.toThrow();
  });

  it('refuses a body nested 20,000 deep before anything parses it', () => {
    const body = `{"settings":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`;
    expect(issuesOf(() => guardRequest(event({ body })))).toEqual([
      expect.objectContaining({ path: 'body' }),
    ]);
    expect(jsonDepthExceeds('[[["[[[[[[[[[[[["]]]', 3)).toBe(false);
    expect(jsonDepthExceeds('[[[[]]]]', 3)).toBe(true);
  });

  it('answers 413 to a body over the limit', () => {
    expect(() => guardRequest(event({ body: 'x'.repeat(MAX_BODY_BYTES + 1) }))).toThrow(ContentTooLargeError);
    expect(() => guardRequest(event({ body: 'x'.repeat(MAX_BODY_BYTES) }))).not.toThrow();
  });

  it('walks deep values without recursion', () => {
    expect(unstorableText(deep(50_000), 'body')).toBeUndefined();
    expect(depthOf(deep(50_000), 32)).toBe(33);
  });
});

describe('free-form objects', () => {
  it('refuse 20,000 levels of nesting as a validation issue instead of a RangeError', () => {
    const result = boundedJsonObject.safeParse(deep(20_000));
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/nest/);
    expect(boundedJsonObject.safeParse(deep(31)).success).toBe(true);
  });
});

describe('path matching', () => {
  it('answers malformed percent-encoding with a 400 naming the parameter', () => {
    for (const bad of ['%', '%E0%A4%A', '%ZZ']) {
      expect(issuesOf(() => matchRoute('GET', `/v1/projects/${bad}`))).toEqual([
        { path: 'path.projectId', message: 'malformed percent-encoding' },
      ]);
    }
    expect(matchRoute('GET', '/v1/projects/a%20b')?.params).toEqual({ projectId: 'a b' });
  });

  it('redacts the HLS token from a path and leaves other paths alone', () => {
    expect(redactPath('/v1/media/hls/abc.def-ghi/index.m3u8')).toBe('/v1/media/hls/{token}/index.m3u8');
    expect(redactPath('/v1/projects/123')).toBe('/v1/projects/123');
  });
});

describe('cursors', () => {
  const scope = 'projects:u1';
  const id = '00000000-0000-4000-8000-000000000000';
  const fields = (c: string) => JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
  // The scope's tag as encodeCursor writes it, beside a date encodeCursor could not write.
  const tag = fields(encodeCursor({ createdAt: new Date(0), id }, scope))[2];
  const cursor = (at: unknown) => Buffer.from(JSON.stringify([at, id, tag])).toString('base64url');

  it('are bound to their list: another list’s, another user’s or an untagged cursor is invalid (400)', () => {
    const own = encodeCursor({ createdAt: new Date('2026-01-02T03:04:05.006Z'), id }, scope);
    expect(decodeCursor(own, scope)).toEqual({ createdAt: new Date('2026-01-02T03:04:05.006Z'), id });
    for (const other of ['projects:u2', 'templates:u1', 'clips:u1:p1']) {
      expect(() => decodeCursor(own, other), other).toThrow(InvalidCursorError);
    }
    const [at] = fields(own);
    const untagged = Buffer.from(JSON.stringify([at, id])).toString('base64url');
    expect(() => decodeCursor(untagged, scope)).toThrow(InvalidCursorError);
  });

  it('with a date PostgreSQL cannot take are invalid cursors (400), not database errors', () => {
    for (const at of [
      '0000-01-01T00:00:00.000Z',
      '-000001-01-01T00:00:00.000Z',
      '+010000-01-01T00:00:00.000Z',
      '+275760-09-13T00:00:00.000Z',
      '-271821-04-20T00:00:00.000Z',
      '2024-01-01',
      1_700_000_000_000,
    ]) {
      expect(() => decodeCursor(cursor(at), scope), String(at)).toThrow(InvalidCursorError);
    }
    expect(decodeCursor(cursor('2024-05-06T07:08:09.010Z'), scope).createdAt.toISOString()).toBe(
      '2024-05-06T07:08:09.010Z',
    );
    expect(decodeCursor(cursor('9999-12-31T23:59:59.999Z'), scope).createdAt.getUTCFullYear()).toBe(9999);
  });
});
