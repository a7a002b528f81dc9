/**
 * The events function as Lambda runs it: the runtime's `awslambda` global wraps the handler
 * (streamifyResponse) and the handler opens the HTTP response with HttpResponseStream.from(stream, prelude),
 * which writes the JSON prelude and eight NUL bytes before the body. The fake below does the same.
 */
import { Writable } from 'node:stream';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { NotFoundError, UnauthorizedError } from '#shared/errors.ts';
import type { StoredEvent } from '#shared/events/envelope.ts';
import { StdoutLogger } from '#shared/observability/stdout-logger.ts';
import { type AppContext, setContextFactory } from '#shared/runtime/context.ts';
import { jobEventData } from '#test/support/event-rows.ts';

const JOB = '3f2b8c1e-7d4a-4e8b-9c1d-2a3b4c5d6e7f';
const OTHER_JOB = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b';
/** A job whose events cannot be read: the outbox fails once its stream has begun. */
const BROKEN_JOB = '5c4b3a29-1807-4f6e-8d5c-4b3a29180716';

type Prelude = { statusCode: number; headers: Record<string, string> };
const preludes: Prelude[] = [];
let streamified = 0;
const fakeAwslambda = {
  streamifyResponse(handler: (event: unknown, stream: Writable, context: unknown) => Promise<void>) {
    streamified += 1;
    return handler;
  },
  HttpResponseStream: {
    from(stream: Writable, prelude: Prelude) {
      preludes.push(prelude);
      stream.write(JSON.stringify(prelude));
      stream.write(new Uint8Array(8));
      return stream;
    },
  },
};

const stored = (seq: number, type: StoredEvent['type'], status: string): StoredEvent => ({
  seq,
  txId: 900 + seq,
  type,
  data: jobEventData({ id: JOB, user_id: 'u1', status, progress: status === 'COMPLETED' ? 100 : 0 }),
  createdAt: new Date('2026-11-26T12:00:00Z'),
});

const slots = { taken: 0, released: 0 };
/** Refused tokens counted against the caller's address (the stream's URL has no API Gateway throttle). */
const refusedTokens: string[] = [];
let handler: (event: APIGatewayProxyEventV2, stream: Writable, context: unknown) => Promise<void>;
beforeAll(async () => {
  (globalThis as { awslambda?: unknown }).awslambda = fakeAwslambda;
  const mod = await import('#functions/api/events.ts');
  handler = mod.handler as unknown as typeof handler;
  const events = [stored(1, 'job.created', 'QUEUED'), stored(2, 'job.completed', 'COMPLETED')];
  const ctx = {
    logger: new StdoutLogger({ serviceName: 'ai-video-api', logLevel: 'INFO' }),
    verifier: {
      verify: async (token: string) => {
        if (token !== 'good-token') throw new UnauthorizedError('The access token is not valid.');
        return { userId: 'u1', sub: 'sub-1', email: 'ada@example.com' };
      },
    },
    userRows: { refuseErased: () => undefined },
    loginLimiter: {
      tokenRefused: async (address: string) => {
        refusedTokens.push(address);
      },
    },
    // Streams are audited as every route is (test/e2e/audit.test.ts reads the entries).
    audit: { record: () => undefined },
    jobs: {
      get: async (userId: string, jobId: string) => {
        if (userId !== 'u1' || (jobId !== JOB && jobId !== BROKEN_JOB)) throw new NotFoundError('job');
        return { id: jobId };
      },
    },
    // Each open stream holds one of its user's slots (shared/events/stream-slots.ts).
    streamSlots: {
      take: async () => {
        slots.taken += 1;
        return {
          renew: async () => true,
          release: async () => {
            slots.released += 1;
          },
        };
      },
    },
    outbox: {
      after: async (_u: string, from: { txId: number; seq: number }, filter: { jobId?: string }) => {
        if (filter.jobId === BROKEN_JOB) throw new Error('connection terminated');
        return events.filter((e) => e.txId > from.txId || (e.txId === from.txId && e.seq > from.seq));
      },
      now: async () => ({ txId: 0, seq: 0 }),
    },
  };
  setContextFactory(async () => ctx as unknown as AppContext);
});
afterAll(() => {
  delete (globalThis as { awslambda?: unknown }).awslambda;
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** What the handler writes to stdout and stderr (as Lambda, so metrics are EMF lines on stdout). */
function captureOutput() {
  vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'api-events');
  const out = { writes: [] as string[], errors: [] as string[] };
  vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string) => {
    out.writes.push(String(chunk));
    return true;
  }) as typeof process.stdout.write);
  vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: string) => {
    out.errors.push(String(chunk));
    return true;
  }) as typeof process.stderr.write);
  return out;
}

const linesOf = (writes: string[]) =>
  writes.flatMap((w) => w.split('\n').filter(Boolean)).map((l) => JSON.parse(l) as Record<string, unknown>);

function collector() {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

const request = (path: string, headers: Record<string, string>) =>
  ({
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers,
    requestContext: { http: { method: 'GET', path }, requestId: 'r1' },
    isBase64Encoded: false,
  }) as unknown as APIGatewayProxyEventV2;

/** The body after the prelude and its eight-NUL separator. */
const bodyOf = (raw: string) => raw.slice(raw.indexOf('\0'.repeat(8)) + 8);

it('is wrapped by streamifyResponse when the runtime provides awslambda', () => {
  expect(streamified).toBe(1);
  expect(typeof handler).toBe('function');
});

it('streams a job as Server-Sent Events behind an HTTP prelude, ending after the terminal event', async () => {
  preludes.length = 0;
  const out = collector();
  await handler(request(`/v1/jobs/${JOB}/events`, { authorization: 'Bearer good-token' }), out.stream, {});
  expect(out.stream.writableEnded).toBe(true);
  expect(preludes).toHaveLength(1);
  expect(preludes[0]?.statusCode).toBe(200);
  expect(preludes[0]?.headers).toMatchObject({
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
  });
  const raw = out.text();
  expect(raw.startsWith(JSON.stringify(preludes[0]))).toBe(true);
  const body = bodyOf(raw);
  expect(body.startsWith('retry: 1000\n\n')).toBe(true);
  expect(body).toContain('id: evt_901_1\nevent: job.created\ndata: ');
  expect(body).toContain('id: evt_902_2\nevent: job.completed\ndata: ');
  const data = body
    .split('\n')
    .filter((l) => l.startsWith('data: '))
    .map((l) => JSON.parse(l.slice(6)) as { id: string; type: string; data: { status: string } });
  expect(data.map((d) => [d.id, d.type, d.data.status])).toEqual([
    ['evt_901_1', 'job.created', 'QUEUED'],
    ['evt_902_2', 'job.completed', 'COMPLETED'],
  ]);
});

it('resumes after Last-Event-ID', async () => {
  const out = collector();
  await handler(
    request(`/v1/jobs/${JOB}/events`, { authorization: 'Bearer good-token', 'last-event-id': 'evt_901_1' }),
    out.stream,
    {},
  );
  const body = bodyOf(out.text());
  expect(body).not.toContain('evt_901_1');
  expect(body).toContain('id: evt_902_2');
});

it('holds a stream slot while it streams and gives it back at the end; a refused request takes none', async () => {
  const before = { ...slots };
  await handler(
    request(`/v1/jobs/${JOB}/events`, { authorization: 'Bearer good-token' }),
    collector().stream,
    {},
  );
  expect(slots).toEqual({ taken: before.taken + 1, released: before.released + 1 });
  await handler(request(`/v1/jobs/${JOB}/events`, { authorization: 'Bearer wrong' }), collector().stream, {});
  await handler(
    request(`/v1/jobs/${BROKEN_JOB}/events`, { authorization: 'Bearer good-token' }),
    collector().stream,
    {},
  );
  expect(slots).toEqual({ taken: before.taken + 2, released: before.released + 2 });
});

it('refuses a missing or bad token with a 401 problem, counted against the address, and streams nothing', async () => {
  refusedTokens.length = 0;
  for (const headers of [{}, { authorization: 'Bearer wrong' }] as Record<string, string>[]) {
    preludes.length = 0;
    const out = collector();
    await handler(request('/v1/events', headers), out.stream, {});
    expect(out.stream.writableEnded).toBe(true);
    expect(preludes[0]?.statusCode).toBe(401);
    expect(preludes[0]?.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = JSON.parse(bodyOf(out.text())) as { status: number; type: string };
    expect(problem.status).toBe(401);
    expect(out.text()).not.toContain('event:');
  }
  expect(refusedTokens).toHaveLength(2);
});

it("answers 404 for another user's job, as for one that does not exist", async () => {
  preludes.length = 0;
  const out = collector();
  await handler(
    request(`/v1/jobs/${OTHER_JOB}/events`, { authorization: 'Bearer good-token' }),
    out.stream,
    {},
  );
  expect(preludes[0]?.statusCode).toBe(404);
  expect(JSON.parse(bodyOf(out.text()))).toMatchObject({ status: 404 });
});

it('sends the headers every API answer carries, on a stream and on a refusal', async () => {
  preludes.length = 0;
  await handler(
    request(`/v1/jobs/${JOB}/events`, { authorization: 'Bearer good-token' }),
    collector().stream,
    {},
  );
  await handler(request('/v1/events', {}), collector().stream, {});
  expect(preludes.map((p) => p.statusCode)).toEqual([200, 401]);
  for (const prelude of preludes) {
    expect(prelude.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'strict-transport-security': 'max-age=63072000; includeSubDomains',
      'x-correlation-id': 'r1',
    });
  }
});

it('writes one request line and its metric when the stream ends, in one write, with status and duration', async () => {
  const output = captureOutput();
  await handler(
    request(`/v1/jobs/${JOB}/events`, { authorization: 'Bearer good-token' }),
    collector().stream,
    {},
  );
  await handler(request('/v1/events', { authorization: 'Bearer wrong' }), collector().stream, {});
  const requestWrites = output.writes.filter((w) => w.includes('"message":"request"'));
  expect(requestWrites).toHaveLength(2);
  const [streamed, refused] = requestWrites.map((w) => linesOf([w]));
  expect(streamed?.map((l) => l.message ?? l.route)).toEqual(['GET /v1/jobs/{jobId}/events', 'request']);
  expect(streamed?.[0]).toMatchObject({ statusClass: '2xx', ApiRequests: 1 });
  expect(streamed?.[1]).toMatchObject({
    level: 'INFO',
    correlationId: 'r1',
    method: 'GET',
    path: `/v1/jobs/${JOB}/events`,
    status: 200,
    durationMs: expect.any(Number),
  });
  expect(refused?.[0]).toMatchObject({ route: 'GET /v1/events', statusClass: '4xx' });
  expect(refused?.[1]).toMatchObject({ message: 'request', path: '/v1/events', status: 401 });
  expect(output.errors).toEqual([]);
});

it('ends a stream whose events cannot be read once begun, logging the failure and the 200 it sent', async () => {
  const output = captureOutput();
  preludes.length = 0;
  const out = collector();
  await handler(
    request(`/v1/jobs/${BROKEN_JOB}/events`, { authorization: 'Bearer good-token' }),
    out.stream,
    {},
  );
  expect(out.stream.writableEnded).toBe(true);
  expect(preludes.map((p) => p.statusCode)).toEqual([200]);
  expect(bodyOf(out.text())).toBe('retry: 1000\n\n');
  const failures = linesOf(output.errors);
  expect(failures).toHaveLength(1);
  expect(failures[0]).toMatchObject({ level: 'ERROR', message: 'request failed', correlationId: 'r1' });
  const requests = linesOf(output.writes).filter((l) => l.message === 'request');
  expect(requests).toEqual([expect.objectContaining({ status: 200, path: `/v1/jobs/${BROKEN_JOB}/events` })]);
});
