/**
 * CORS as a web developer meets it: a page on another local origin, in Debian's Chromium, signs in, makes a
 * clip, plays its HLS through hls.js (playlists from the API, segments from s3rver) and uploads a file with
 * the presigned POST. An origin outside the allowed list is refused at preflight, by the local API and
 * s3rver here and by the deployed configuration (the CDK template) alike.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '#infra/app.ts';
import { allowOrigin } from '#shared/http/cors.ts';
import { waitForJob } from '#test/support/jobs.ts';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
/** Resolved to 127.0.0.1 inside Chromium only: a page origin that is not in the allowed list. */
const FOREIGN_HOST = 'foreign.test';
const FOREIGN_ORIGIN = 'https://foreign.example';

const HLS_JS = createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js');

// The page's own script, plain JavaScript run by the browser; `runFlow(api)` returns what it saw.
const PAGE_SCRIPT = `
async function call(api, method, path, token, body, extraHeaders) {
  const headers = { ...(extraHeaders || {}) };
  if (token) headers.authorization = 'Bearer ' + token;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(api + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed = null;
  try { parsed = text ? JSON.parse(text) : null; } catch {}
  return {
    status: res.status,
    body: parsed,
    etag: res.headers.get('etag'),
    location: res.headers.get('location'),
    correlationId: res.headers.get('x-correlation-id'),
  };
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

window.runFlow = async (api) => {
  const tag = Math.random().toString(36).slice(2, 12);
  const email = 'page' + tag + '@example.com';
  const password = 'Pw' + tag + 'A1';
  const signUp = await call(api, 'POST', '/v1/auth/signup', null, { email, username: 'p_' + tag, password });
  const login = await call(api, 'POST', '/v1/auth/login', null, { email, password });
  const token = login.body.accessToken;
  const project = await call(api, 'POST', '/v1/projects', token, { title: 'from the browser' });
  const submitted = await call(api, 'POST', '/v1/projects/' + project.body.id + '/jobs', token, {
    jobType: 'GENERATE',
    prompt: 'a test pattern',
    parameters: { model: 'local', durationSeconds: 3, resolution: '640x360', fps: 24 },
  });
  let job = submitted;
  for (let i = 0; i < 600 && submitted.status === 202 && !['COMPLETED', 'FAILED'].includes(job.body.status); i += 1) {
    await sleep(200);
    job = await call(api, 'GET', '/v1/jobs/' + submitted.body.id, token);
  }
  const clip = await call(api, 'GET', '/v1/clips/' + job.body.clipId, token);
  const notModified = await call(api, 'GET', '/v1/clips/' + job.body.clipId, token, undefined, { 'if-none-match': clip.etag });
  const missing = await call(api, 'GET', '/v1/clips/00000000-0000-4000-8000-000000000000', token);

  // HLS through hls.js: the playlists come from the API, the segments from the media bucket.
  const video = document.querySelector('video');
  const hlsErrors = [];
  const hls = new Hls();
  hls.on(Hls.Events.ERROR, (_e, data) => { if (data.fatal) hlsErrors.push(data.details); });
  hls.loadSource(clip.body.media.hlsUrl);
  hls.attachMedia(video);
  hls.on(Hls.Events.MANIFEST_PARSED, () => { video.play().catch((e) => hlsErrors.push(String(e))); });
  for (let i = 0; i < 600 && video.currentTime <= 2 && hlsErrors.length === 0; i += 1) await sleep(100);
  const playedSeconds = video.currentTime;
  hls.destroy();

  // The clip's MP4, read from the media bucket, goes back up with the presigned POST.
  const mp4 = await (await fetch(clip.body.media.videoUrl)).blob();
  const grant = await call(api, 'POST', '/v1/projects/' + project.body.id + '/uploads', token, {
    fileName: 'again.mp4',
    contentType: 'video/mp4',
    fileSize: mp4.size,
  });
  const form = new FormData();
  for (const [k, v] of Object.entries(grant.body.fields)) form.append(k, v);
  form.append('file', new File([mp4], 'again.mp4', { type: 'video/mp4' }));
  const posted = await fetch(grant.body.url, { method: 'POST', body: form });

  return {
    token,
    statuses: {
      signUp: signUp.status,
      login: login.status,
      project: project.status,
      submitted: submitted.status,
      clip: clip.status,
      notModified: notModified.status,
      missing: missing.status,
      grant: grant.status,
      posted: posted.status,
    },
    jobStatus: job.body.status,
    projectLocation: project.location,
    clipEtag: clip.etag,
    correlationId: missing.correlationId,
    missingType: missing.body && missing.body.type,
    playedSeconds,
    hlsErrors,
    uploadId: grant.body.uploadId,
    uploadedBytes: mp4.size,
  };
};

window.tryApi = async (api) => {
  const outcome = async (p) => { try { return (await p).status; } catch (e) { return e.name; } };
  return {
    health: await outcome(fetch(api + '/v1/health')),
    signUp: await outcome(fetch(api + '/v1/auth/signup', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}',
    })),
  };
};
`;

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>CORS page</title>
<script src="/hls.min.js"></script><script>${PAGE_SCRIPT}</script></head>
<body><video muted playsinline></video></body></html>`;

/** The front-end's own origin: a tiny static server on another port. */
async function startPageServer(): Promise<{ server: Server; port: number }> {
  const hlsJs = await readFile(HLS_JS);
  const server = createServer((req, res) => {
    if (req.url === '/hls.min.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(hlsJs);
    else res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi({ pollMs: 50 });
});
afterAll(async () => {
  await api?.stop();
});

const preflight = (url: string, origin: string, method: string, headers?: string) =>
  fetch(url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      ...(headers ? { 'access-control-request-headers': headers } : {}),
    },
  });

describe('CORS preflight', () => {
  it('refuses an origin outside the allowed list, locally and in the deployed configuration alike', async () => {
    const allowed = 'http://localhost:5173';
    // The local API answers as API Gateway does: 204, with CORS headers only for an allowed origin.
    const refused = await preflight(
      `${api.url}/v1/projects`,
      FOREIGN_ORIGIN,
      'POST',
      'authorization,content-type',
    );
    expect(refused.status).toBe(204);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    const granted = await preflight(`${api.url}/v1/projects`, allowed, 'POST', 'authorization,content-type');
    expect(granted.status).toBe(204);
    expect(granted.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(granted.headers.get('access-control-allow-methods')).toBe('GET,POST,PATCH,DELETE');
    expect(granted.headers.get('access-control-max-age')).toBe('3600');
    // A header outside the list is refused even for an allowed origin.
    const otherHeader = await preflight(`${api.url}/v1/projects`, allowed, 'POST', 'x-secret');
    expect(otherHeader.headers.get('access-control-allow-origin')).toBeNull();

    // s3rver serves the media bucket's rule: refused for the foreign origin, granted for an allowed one.
    const object = `${api.env.s3Endpoint}/media/clips/any.mp4`;
    const s3Refused = await preflight(object, FOREIGN_ORIGIN, 'GET');
    expect(s3Refused.status).toBe(403);
    expect(s3Refused.headers.get('access-control-allow-origin')).toBeNull();
    const s3Granted = await preflight(object, allowed, 'POST', 'content-type');
    expect(s3Granted.status).toBe(200);
    expect(s3Granted.headers.get('access-control-allow-methods')).toBe('GET, HEAD, POST');
    expect((await preflight(object, allowed, 'DELETE')).status).toBe(403);

    // Deployed (dev's synthesized template): the HTTP API and the media bucket refuse the foreign origin and
    // allow the dev front-end, by the same matcher.
    const app = new App({ context: { stage: 'dev', 'aws:cdk:bundling-stacks': [] } });
    const built = buildApp(app);
    const [httpApi] = Object.values(
      Template.fromStack(built.compute).findResources('AWS::ApiGatewayV2::Api'),
    );
    const apiOrigins = httpApi?.Properties.CorsConfiguration.AllowOrigins as string[];
    const [bucketRule] = Object.values(Template.fromStack(built.data).findResources('AWS::S3::Bucket'))
      .map((b) => b.Properties.CorsConfiguration?.CorsRules?.[0])
      .filter(Boolean);
    // (Each list also names the web console's CloudFront origin, a token until deployed.)
    for (const listed of [apiOrigins, bucketRule.AllowedOrigins as string[]]) {
      const origins = listed.filter((o) => typeof o === 'string');
      expect(allowOrigin(FOREIGN_ORIGIN, origins)).toBe(false);
      expect(allowOrigin(allowed, origins)).toBe(true);
    }
  });
});

describe.skipIf(!hasChromium)(
  hasChromium
    ? 'in Chromium'
    : `in Chromium (skipped: ${CHROMIUM} is not installed; apt-get install chromium)`,
  () => {
    let browser: Browser;
    let page: { server: Server; port: number };
    beforeAll(async () => {
      page = await startPageServer();
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-quic',
          '--no-first-run',
          '--disable-component-update',
          '--disable-sync',
          '--autoplay-policy=no-user-gesture-required',
          `--host-resolver-rules=MAP ${FOREIGN_HOST} 127.0.0.1`,
        ],
      });
    });
    afterAll(async () => {
      await browser?.close();
      await new Promise((resolve) => page?.server.close(resolve));
    });

    it('a page on another local origin signs in, plays a clip through hls.js and uploads a file', async () => {
      const tab = await browser.newPage();
      await tab.goto(`http://127.0.0.1:${page.port}/`);
      // A refused CORS check surfaces as the page's TypeError ("Failed to fetch"); rethrown without the
      // page's stack, which points at the page's URL.
      const seen = await tab.evaluate(`runFlow(${JSON.stringify(api.url)})`).catch((error: Error) => {
        throw new Error(`the page failed: ${error.message.split('\n')[0]}`);
      });
      const r = seen as {
        token: string;
        statuses: Record<string, number>;
        jobStatus: string;
        projectLocation: string | null;
        clipEtag: string | null;
        correlationId: string | null;
        missingType: string | null;
        playedSeconds: number;
        hlsErrors: string[];
        uploadId: string;
      };
      expect(r.statuses).toEqual({
        signUp: 201,
        login: 200,
        project: 201,
        submitted: 202,
        clip: 200,
        notModified: 304,
        missing: 404,
        grant: 201,
        posted: 204,
      });
      expect(r.jobStatus).toBe('COMPLETED');
      // Exposed headers are readable by the page; the problem reached it as problem+json.
      expect(r.projectLocation).toMatch(/\/v1\/projects\//);
      expect(r.clipEtag).toBeTruthy();
      expect(r.correlationId).toBeTruthy();
      expect(r.missingType).toBeTruthy();
      expect(r.hlsErrors).toEqual([]);
      expect(r.playedSeconds).toBeGreaterThan(2);
      // The browser's upload reached the bucket: it becomes a job that completes.
      const { job } = await waitForJob(api, r.token, await jobIdOf(r.token, r.uploadId));
      expect(job.status).toBe('COMPLETED');
      await tab.close();
    });

    it('a page on an origin outside the list cannot read the API', async () => {
      const tab = await browser.newPage();
      await tab.goto(`http://${FOREIGN_HOST}:${page.port}/`);
      // The browser turns a refused CORS check into a network error (TypeError), for simple and
      // preflighted requests alike.
      expect(await tab.evaluate(`tryApi(${JSON.stringify(api.url)})`)).toEqual({
        health: 'TypeError',
        signUp: 'TypeError',
      });
      await tab.close();
    });
  },
);

/** An upload's job appears once its ObjectCreated event is handled; its id is the upload's. */
async function jobIdOf(token: string, uploadId: string): Promise<string> {
  for (let i = 0; i < 400; i += 1) {
    if ((await api.call('GET', `/v1/jobs/${uploadId}`, { token })).status === 200) return uploadId;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no job was created for the upload');
}
