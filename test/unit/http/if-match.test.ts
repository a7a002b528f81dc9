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
