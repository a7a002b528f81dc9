/** The local server's request reading: bodies as API Gateway takes them, without waiting on body-less requests. */
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { expect, it } from 'vitest';
import { readBody } from '#infra/local/api-gateway-event.ts';

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
