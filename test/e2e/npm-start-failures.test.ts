/** `npm start` that cannot start says why and what to do, in a sentence and no stack trace, and exits 1. */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { LOCK_FILE } from '#infra/local/data-dir-lock.ts';

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'npm-start-'));
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function npmStart(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts'], {
    env: { ...process.env, LOG_LEVEL: 'WARN', DATA_DIR: dataDir, PORT: '0', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

it('refuses a data directory another server holds', async () => {
  const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  try {
    await writeFile(path.join(dataDir, LOCK_FILE), `${holder.pid} other\n`);
    const { code, stderr } = await npmStart({});
    expect(code).toBe(1);
    expect(stderr).toContain(
      `The data directory ${dataDir} is in use by another local server (process ${holder.pid})`,
    );
    expect(stderr).not.toMatch(/^\s+at /m);
  } finally {
    holder.kill('SIGKILL');
    await rm(path.join(dataDir, LOCK_FILE), { force: true });
  }
});

it('names a port in use and how to pick another', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as { port: number }).port;
  try {
    const { code, stderr } = await npmStart({ PORT: String(port) });
    expect(code).toBe(1);
    expect(stderr).toContain(`Port ${port} is in use by another program; start on another one with PORT=`);
    expect(stderr).not.toMatch(/^\s+at /m);
  } finally {
    taken.close();
  }
});
