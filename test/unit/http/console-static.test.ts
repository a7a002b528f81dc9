import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveConsole } from '#infra/local/static-site.ts';

let server: Server;
let base: string;
beforeAll(async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'console-static-'));
  await mkdir(path.join(dir, 'assets'));
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>console</title>');
  await writeFile(path.join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  await writeFile(path.join(os.tmpdir(), 'console-static-secret.txt'), 'secret');
  server = createServer(async (req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    // A throw is what the local server answers 500 (and logs as its own bug).
    const served = await serveConsole(dir, req, res, pathname).catch(() => res.writeHead(500).end());
    if (!served) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A GET with the path sent as given (fetch would normalise `..`). */
const rawGet = (rawPath: string) =>
  new Promise<number>((resolve, reject) => {
    request(`${base}${rawPath}`, { path: rawPath }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });

describe('the local console files', () => {
  it('serves the page (revalidated), hashed assets (immutable) and a same-origin config.json', async () => {
    const page = await fetch(`${base}/`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(await page.text()).toContain('<title>console</title>');
    const asset = await fetch(`${base}/assets/index-abc123.js`);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await (await fetch(`${base}/config.json`)).json()).toEqual({ apiUrl: '', eventsUrl: '' });
  });

  it("sends the deployed site's security headers: no framing (clickjacking), its CSP, no referrer path", async () => {
    for (const file of ['/', '/assets/index-abc123.js']) {
      const res = await fetch(`${base}${file}`);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self';");
      // Media comes from the S3 stand-in, another port of this machine over http.
      expect(csp).toContain("img-src 'self' https: http://127.0.0.1:* http://localhost:* data:;");
    }
  });

  it('answers nothing outside its folder, and nothing for a file it does not have', async () => {
    expect(await rawGet('/../console-static-secret.txt')).toBe(404);
    // An encoded slash survives URL parsing and decodes to `../` in the file name.
    expect(await rawGet('/%2e%2e%2fconsole-static-secret.txt')).toBe(404);
    expect(await rawGet('/assets')).toBe(404);
    // Not percent-encoding at all: not a file of the console either (the API then answers 404).
    expect(await rawGet('/%zz')).toBe(404);
    expect(await rawGet('/assets/%E0%A4%A.js')).toBe(404);
    expect(await rawGet('/nope.js')).toBe(404);
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(404);
  });
});
