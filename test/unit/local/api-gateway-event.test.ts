/** The local server's request reading: bodies as API Gateway takes them, without waiting on body-less requests. */
import { createServer, get, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { expect, it } from 'vitest';
import { readBody, toApiGatewayEvent, writeResult } from '#infra/local/api-gateway-event.ts';

/** A request whose stream stays open until `end` is called, as a socket's does until the parser finishes. */
function request(headers: Record<string, string>) {
  const stream = new PassThrough();
  return Object.assign(stream, { headers }) as unknown as IncomingMessage & PassThrough;
}

const settlesAtOnce = <T>(promise: Promise<T>) =>
  Promise.race([promise, new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), 50))]);

it('takes a request with neither Content-Length nor Transfer-Encoding as bodiless, without reading it', async () => {
  const body = await settlesAtOnce(readBody(request({})));
  expect(body).toEqual(Buffer.alloc(0));
  const zero = await settlesAtOnce(readBody(request({ 'content-length': '0' })));
  expect(zero).toEqual(Buffer.alloc(0));
});

it('reads a declared or chunked body to its end, and refuses one over the limit', async () => {
  const sized = request({ 'content-length': '5' });
  const read = readBody(sized);
  sized.end(Buffer.from('hello'));
  expect((await read).toString()).toBe('hello');

  const chunked = request({ 'transfer-encoding': 'chunked' });
  const readChunked = readBody(chunked);
  expect(await settlesAtOnce(readChunked)).toBe('pending');
  chunked.write('he');
  chunked.end('llo');
  expect((await readChunked).toString()).toBe('hello');

  await expect(readBody(request({ 'content-length': '11' }), 10)).rejects.toMatchObject({ status: 413 });
  const sent = request({ 'transfer-encoding': 'chunked' });
  const tooMuch = readBody(sent, 10);
  sent.end(Buffer.alloc(11));
  await expect(tooMuch).rejects.toMatchObject({ status: 413 });
});

/** The raw status and headers a result is answered with, through a real HTTP server. */
async function answered(result: unknown) {
  const server = createServer((_req, res) => writeResult(res, result));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
      (resolve, reject) => {
        get({ host: '127.0.0.1', port, path: '/' }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
          );
        }).on('error', reject);
      },
    );
  } finally {
    server.close();
  }
}

it('answers with the body’s length, as API Gateway does, not in chunks', async () => {
  const text = await answered({
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: '{"a":"é"}',
  });
  expect(text.headers['content-length']).toBe(String(Buffer.byteLength('{"a":"é"}')));
  expect(text.headers['transfer-encoding']).toBeUndefined();
  expect(text.body.toString()).toBe('{"a":"é"}');

  const binary = await answered({
    statusCode: 200,
    body: Buffer.from([1, 2, 3]).toString('base64'),
    isBase64Encoded: true,
  });
  expect(binary.headers['content-length']).toBe('3');
  expect([...binary.body]).toEqual([1, 2, 3]);

  const bare = await answered({ id: 1 });
  expect(bare.headers['content-length']).toBe(String('{"id":1}'.length));

  const empty = await answered({ statusCode: 204, headers: { 'cache-control': 'no-store' } });
  expect(empty.status).toBe(204);
  expect(empty.headers['content-length']).toBeUndefined();
  expect(empty.headers['transfer-encoding']).toBeUndefined();
});

it('hands a text body whose bytes are not UTF-8 over base64-encoded, so the route refuses it rather than reading U+FFFD', () => {
  const incoming = (contentType: string) =>
    Object.assign(request({ 'content-type': contentType }), {
      url: '/v1/projects',
      method: 'POST',
      socket: { remoteAddress: '127.0.0.1' },
    }) as unknown as IncomingMessage;
  // "café" with its é in ISO-8859-1: one byte that is not UTF-8.
  const latin1 = Buffer.concat([Buffer.from('{"title":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
  const refused = toApiGatewayEvent(incoming('application/json'), latin1, 'POST /v1/projects');
  expect(refused.isBase64Encoded).toBe(true);
  expect(Buffer.from(refused.body!, 'base64')).toEqual(latin1);

  const utf8 = Buffer.from('{"title":"café \uFFFD"}');
  const kept = toApiGatewayEvent(incoming('application/json'), utf8, 'POST /v1/projects');
  expect(kept.isBase64Encoded).toBe(false);
  expect(kept.body).toBe('{"title":"café \uFFFD"}');

  const binary = toApiGatewayEvent(incoming('video/mp4'), Buffer.from([0, 0xff]), 'POST /v1/x');
  expect(binary).toMatchObject({ isBase64Encoded: true, body: Buffer.from([0, 0xff]).toString('base64') });
});

it('keeps query parameters named like Object.prototype members as their own, as API Gateway does', () => {
  const incoming = Object.assign(request({}), {
    url: '/v1/projects?__proto__=x&constructor=a&constructor=b&toString=t&limit=1&limit=2',
    method: 'GET',
    socket: { remoteAddress: '127.0.0.1' },
  }) as unknown as IncomingMessage;
  const query = toApiGatewayEvent(incoming, Buffer.alloc(0), 'GET /v1/projects').queryStringParameters!;
  expect(Object.keys(query)).toEqual(['__proto__', 'constructor', 'toString', 'limit']);
  expect(Object.getPrototypeOf(query)).toBe(Object.prototype);
  expect(Object.getOwnPropertyDescriptor(query, '__proto__')?.value).toBe('x');
  expect([query.constructor, query.toString, query.limit]).toEqual(['a,b', 't', '1,2']);
});
