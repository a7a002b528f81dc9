/** If-Match against the ETag the resource's GET answers (strong comparison, RFC 9110 8.8.3.2). */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { PreconditionFailedError } from '#shared/errors.ts';
import { ifMatchVersion } from '#shared/http/if-match.ts';
import { withEtag } from '#shared/http/responses.ts';

const request = (headers: Record<string, string> = {}) => ({ headers }) as unknown as APIGatewayProxyEventV2;
const row = { id: 'p1', title: 'Trip', secret: 'not in the representation' };
const represent = (r: typeof row) => ({ id: r.id, title: r.title });
const etag = withEtag(request(), represent(row)).headers!.etag as string;

function check(headers: Record<string, string>) {
  let reads = 0;
  const read = async () => {
    reads += 1;
    return { row, version: '42' };
  };
  return { result: ifMatchVersion(request(headers), 'project', read, represent), reads: () => reads };
}

describe('If-Match', () => {
  it('without the header or with *, reads nothing and leaves the write unconditional', async () => {
    const cases: Record<string, string>[] = [{}, { 'if-match': '*' }, { 'if-match': '"x", *' }];
    for (const headers of cases) {
      const c = check(headers);
      expect(await c.result).toBeUndefined();
      expect(c.reads()).toBe(0);
    }
  });

  it('with the GET’s ETag (alone or in a list), conditions the write on the version read', async () => {
    expect(await check({ 'if-match': etag }).result).toBe('42');
    expect(await check({ 'if-match': `"stale",${etag}` }).result).toBe('42');
  });

  it('refuses any other tag, and the same tag marked weak, with 412', async () => {
    for (const tag of ['"stale"', `W/${etag}`, etag.slice(1, -1), '']) {
      await expect(check({ 'if-match': tag }).result).rejects.toBeInstanceOf(PreconditionFailedError);
    }
  });
});

describe('If-None-Match on a write', () => {
  it('refuses * (the resource exists) and its current ETag, weak or strong, with 412', async () => {
    for (const tag of ['*', etag, `W/${etag}`, `"stale", ${etag}`]) {
      const refused = check({ 'if-none-match': tag }).result;
      await expect(refused).rejects.toBeInstanceOf(PreconditionFailedError);
      await expect(refused).rejects.toThrow(/If-None-Match names it/);
    }
  });

  it('lets a write through when no listed tag is current, conditioned on the version read', async () => {
    const c = check({ 'if-none-match': '"stale", W/"older"' });
    expect(await c.result).toBe('42');
    expect(c.reads()).toBe(1);
  });

  it('is looked at after If-Match, which fails first', async () => {
    await expect(check({ 'if-match': '"stale"', 'if-none-match': '"other"' }).result).rejects.toThrow(
      /changed since the ETag you sent in If-Match/,
    );
    await expect(check({ 'if-match': etag, 'if-none-match': '*' }).result).rejects.toThrow(/If-None-Match/);
    expect(await check({ 'if-match': '*', 'if-none-match': '"other"' }).result).toBe('42');
  });
});
