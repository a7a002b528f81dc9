import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { AuditEntry } from '#shared/audit/port.ts';
import { apiHandler } from '#shared/http/api-handler.ts';
import { endpoint } from '#shared/http/endpoint.ts';
import { ok } from '#shared/http/responses.ts';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';
import { captureOutput } from '#test/support/output.ts';

let api: LocalApi;
const lines: string[] = [];
const audited: AuditEntry[] = [];
beforeAll(async () => {
  captureOutput(lines);
  api = await startLocalApi();
  api.env.ctx.logger.setLogLevel('DEBUG');
  const record = api.env.ctx.audit.record.bind(api.env.ctx.audit);
  vi.spyOn(api.env.ctx.audit, 'record').mockImplementation(async (entry) => {
    audited.push(entry);
    await record(entry);
  });
});
afterAll(async () => {
  vi.restoreAllMocks();
  await api?.stop();
});

it('keeps the HLS token out of the request log and the audit entry', async () => {
  const token = 'eyJjIjoiMTIzIn0.SecretSignaturePart1234567890';
  lines.length = 0;
  audited.length = 0;
  const res = await api.call('GET', `/v1/media/hls/${token}/index.m3u8`);
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.text).not.toContain(token);
  const logged = lines.join('\n');
  expect(logged).toContain('"path":"/v1/media/hls/{token}/index.m3u8"');
  const entry = audited.find((e) => e.action === 'clip.stream');
  expect(entry?.resourceIds).toHaveLength(2);
  expect(entry?.resourceIds[0]).toMatch(/^token:sha256:/);
  for (const part of [token, 'SecretSignaturePart1234567890']) {
    expect(logged).not.toContain(part);
    expect(JSON.stringify(audited)).not.toContain(part);
  }
});

it("logs a failing query's SQL state but not its parameters", async () => {
  const secret = 'a prompt only its author may read, ann@example.com';
  const handler = apiHandler([
    {
      method: 'GET',
      path: '/v1/failing',
      handler: endpoint({ action: 'test.fail', resource: 'test', auth: false }, async (r) => {
        await r.ctx.db.execute(sql`SELECT ${secret}::int`);
        return ok({});
      }),
    },
  ]);
  lines.length = 0;
  const event = {
    version: '2.0',
    routeKey: 'GET /v1/failing',
    rawPath: '/v1/failing',
    rawQueryString: '',
    headers: {},
    requestContext: { requestId: 'failing-query', http: { method: 'GET', path: '/v1/failing' } },
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
  const res = await handler(event, { awsRequestId: 'failing-query' } as Context);
  expect(res.statusCode).toBe(500);
  const logged = lines.join('\n');
  expect(logged).toContain('request failed');
  expect(logged).toContain('22P02');
  expect(logged).not.toContain('ann@example.com');
  expect(logged).not.toContain('params:');
});
