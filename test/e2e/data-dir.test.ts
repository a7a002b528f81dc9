/**
 * `npm start` on a data directory another server uses, or one a crash left behind: refused with a message
 * saying what to do, never a second database over the first one's files.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { LOCK_FILE } from '#infra/local/data-dir-lock.ts';
import { startLocalEnvironment } from '#infra/local/environment.ts';
import { bareEnvironmentOptions } from '#test/support/local-environment.ts';

const dirs: string[] = [];
const dataDir = async (prefix: string) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

it('refuses a second start on a data directory in use, and the first keeps working', async () => {
  const options = await bareEnvironmentOptions(await dataDir('data-dir-twice-'));
  const first = await startLocalEnvironment(options);
  try {
    await expect(startLocalEnvironment(options)).rejects.toThrow(
      /data directory .* is in use by another local server \(process \d+\)/,
    );
    const user = await first.ctx.users.create({ email: 'twice@example.com', username: 'twice_user' });
    expect((await first.ctx.users.getById(user.id)).id).toBe(user.id);
  } finally {
    await first.stop();
  }
  // Stopped, it gives the folder back.
  const again = await startLocalEnvironment(options);
  await again.stop();
});

it('refuses a data directory held by another running process', async () => {
  const dir = await dataDir('data-dir-other-');
  const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  try {
    await writeFile(path.join(dir, LOCK_FILE), `${other.pid} someone-else\n`);
    await expect(startLocalEnvironment(await bareEnvironmentOptions(dir))).rejects.toThrow(
      new RegExp(`in use by another local server \\(process ${other.pid}\\)`),
    );
    // Refused before opening anything: the other server's files are untouched.
    expect(await readFile(path.join(dir, LOCK_FILE), 'utf8')).toBe(`${other.pid} someone-else\n`);
  } finally {
    other.kill('SIGKILL');
  }
});

it('takes over the lock a killed server left', async () => {
  const dir = await dataDir('data-dir-stale-');
  const gone = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((resolve) => gone.on('exit', resolve));
  await writeFile(path.join(dir, LOCK_FILE), `${gone.pid} killed\n`);
  const env = await startLocalEnvironment(await bareEnvironmentOptions(dir));
  expect(await readFile(path.join(dir, LOCK_FILE), 'utf8')).toMatch(new RegExp(`^${process.pid} `));
  await env.stop();
  await expect(readFile(path.join(dir, LOCK_FILE))).rejects.toThrow(/ENOENT/);
});

it('names the damaged part of a data directory and what to do, and gives the folder back', async () => {
  const dir = await dataDir('data-dir-damaged-');
  const options = await bareEnvironmentOptions(dir);
  await (await startLocalEnvironment(options)).stop();
  const damage = async (file: string, text: string) => {
    const before = await readFile(path.join(dir, file));
    await writeFile(path.join(dir, file), text);
    return () => writeFile(path.join(dir, file), before);
  };
  const advice = (part: string) =>
    new RegExp(
      `${part} could not be read \\(.*\\); it is damaged\\. To start with empty data, move ${dir} aside`,
    );

  // As a power cut mid-write leaves them.
  let restore = await damage('keys/signing-key.pem', '-----BEGIN PRIVATE KEY-----\nMIIEvQ');
  await expect(startLocalEnvironment(options)).rejects.toThrow(advice('signing-key.pem'));
  await restore();
  await writeFile(path.join(dir, 'account-tasks.json'), '{"3f0c');
  await expect(startLocalEnvironment(options)).rejects.toThrow(advice('account-tasks.json'));
  await rm(path.join(dir, 'account-tasks.json'));
  restore = await damage('pg/global/pg_control', '');
  await expect(startLocalEnvironment(options)).rejects.toThrow(advice(`${dir}/pg`));
  await restore();

  const repaired = await startLocalEnvironment(options);
  await repaired.stop();
});

it('empties the scratch folder of what a killed server left, once it holds the data directory', async () => {
  const dir = await dataDir('data-dir-scratch-');
  const scratchDir = path.join(dir, 'tmp');
  const left = path.join(scratchDir, 'transcode-killed', 'out', 'video.mp4');
  await mkdir(path.dirname(left), { recursive: true });
  await writeFile(left, 'x');
  const options = { ...(await bareEnvironmentOptions(dir)), scratchDir };
  const env = await startLocalEnvironment(options);
  try {
    expect(await readdir(scratchDir)).toEqual([]);
    // A refused second start leaves the running server's files alone.
    await writeFile(path.join(scratchDir, 'probe-running'), 'x');
    await expect(startLocalEnvironment(options)).rejects.toThrow(/in use by another local server/);
    expect(await readdir(scratchDir)).toEqual(['probe-running']);
  } finally {
    await env.stop();
  }
});

it('serves the bucket on the same port after a restart, so links handed out before still reach it', async () => {
  const options = await bareEnvironmentOptions(await dataDir('data-dir-s3-port-'));
  const first = await startLocalEnvironment(options);
  const endpoint = first.s3Endpoint;
  await first.stop();
  const second = await startLocalEnvironment(options);
  try {
    expect(second.s3Endpoint).toBe(endpoint);
  } finally {
    await second.stop();
  }
  // Taken meanwhile by another program: another port.
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(Number(new URL(endpoint).port), '127.0.0.1', resolve));
  try {
    const third = await startLocalEnvironment(options);
    expect(third.s3Endpoint).not.toBe(endpoint);
    await third.stop();
  } finally {
    taken.close();
  }
});
