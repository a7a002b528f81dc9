/**
 * The web console: its JavaScript gzipped (target ≤ 150 KB, the page's own and the hls.js chunk it loads
 * when a clip plays), and in Chromium the time from navigation to an interactive projects list, with the
 * local server (`npm start`) in its own process. Median of several cold loads (a new browser context each).
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { buildConsole, CONSOLE_DIST } from '../infra/console/build.ts';
import { freePort, startProcess, stopProcess } from './_processes.ts';

const RUNS = Number(process.env.BENCH_CONSOLE_RUNS ?? 7);
const TARGET_KB = 150;

export async function consoleJavaScript() {
  buildConsole();
  const html = await readFile(path.join(CONSOLE_DIST, 'index.html'), 'utf8');
  const files = (await readdir(path.join(CONSOLE_DIST, 'assets'))).filter((f) => f.endsWith('.js'));
  return Promise.all(
    files.map(async (file) => {
      const bytes = await readFile(path.join(CONSOLE_DIST, 'assets', file));
      return {
        file,
        initial: html.includes(`assets/${file}`),
        bytes: bytes.byteLength,
        gzip: gzipSync(bytes, { level: 9 }).byteLength,
      };
    }),
  );
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Milliseconds from navigation start to a rendered projects list with its buttons, per run. */
async function timeToProjectsList(): Promise<number[]> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = path.join(os.tmpdir(), `bench-console-${process.pid}`);
  const server = await startProcess(
    ['infra/local/main.ts'],
    { PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'ERROR' },
    path.join(os.tmpdir(), `bench-console-${process.pid}.log`),
    url,
  );
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const post = async (route: string, body: object, token?: string) => {
      const res = await fetch(`${url}${route}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${route}: ${res.status} ${await res.text()}`);
      return (await res.json()) as Record<string, string>;
    };
    const tag = Math.random().toString(36).slice(2, 10);
    const credentials = { email: `bench${tag}@example.com`, password: `Pw${tag}A1` };
    await post('/v1/auth/signup', { ...credentials, username: `b_${tag}` });
    const tokens = await post('/v1/auth/login', credentials);
    for (let i = 0; i < 10; i += 1) await post('/v1/projects', { title: `Project ${i}` }, tokens.accessToken);
    const session = JSON.stringify({ accessToken: tokens.accessToken, refreshToken: tokens.refreshToken });

    const times: number[] = [];
    for (let run = 0; run <= RUNS; run += 1) {
      const context = await browser.newContext();
      // Signed in (the session the sign-in page would store); the list is ready when its last row's
      // buttons are there.
      await context.addInitScript(`
        sessionStorage.setItem('ai-video.session', ${JSON.stringify(session)});
        new MutationObserver((_, observer) => {
          if (document.querySelectorAll('.projects li .actions button').length === 20) {
            window.listReadyAt = performance.now();
            observer.disconnect();
          }
        }).observe(document, { childList: true, subtree: true });`);
      const page = await context.newPage();
      await page.goto(`${url}/`);
      await page.waitForFunction('window.listReadyAt !== undefined', undefined, { timeout: 30_000 });
      const ready = (await page.evaluate('window.listReadyAt')) as number;
      if (run > 0) times.push(ready); // the first load warms the server
      await context.close();
    }
    return times;
  } finally {
    await browser.close();
    await stopProcess(server);
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<string> {
  const files = await consoleJavaScript();
  const kb = (n: number) => (n / 1024).toFixed(1);
  const sum = (xs: typeof files) => xs.reduce((total, f) => total + f.gzip, 0);
  const total = sum(files);
  const times = await timeToProjectsList();
  return [
    '## Web console',
    '',
    '| JavaScript file | loaded | KB | KB gzipped |',
    '|---|---|---|---|',
    ...files.map(
      (f) =>
        `| ${f.file.replace(/-[\w-]{8}\.js$/, '.js')} | ${f.initial ? 'with the page' : 'when a clip plays'} | ${kb(f.bytes)} | ${kb(f.gzip)} |`,
    ),
    `| **all** | | | **${kb(total)}** (target ≤ ${TARGET_KB}; ${total / 1024 <= TARGET_KB ? 'met' : 'missed'}) |`,
    '',
    `Navigation → interactive projects list (10 projects, signed in, cold browser context, local server in its own process), ${times.length} loads: median **${median(times).toFixed(0)} ms** (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}).`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(await run());
