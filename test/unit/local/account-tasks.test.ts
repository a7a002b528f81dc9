import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { localAccountTasks } from '#infra/local/account-tasks.ts';
import type { AccountTask } from '#shared/account/port.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'account-tasks-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const erase: AccountTask = { kind: 'erase', userId: '00000000-0000-4000-8000-000000000001' };
const kept = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as Record<string, AccountTask>;

it('keeps a task from its acceptance until it ends, trying a failed run twice more', async () => {
  const file = path.join(dir, 'tasks.json');
  let runs = 0;
  const failed: unknown[] = [];
  const tasks = localAccountTasks({
    file,
    retryDelaysMs: [1, 1],
    run: async () => {
      runs += 1;
      if (runs < 3) throw new Error(`run ${runs} failed`);
    },
    onFailed: (_, error) => failed.push(error),
  });
  await tasks.runner.start(erase);
  expect(Object.values(await kept(file))).toEqual([erase]);
  await tasks.idle();
  expect({ runs, failed }).toEqual({ runs: 3, failed: [] });
  expect(await kept(file)).toEqual({});
});

it('drops a task whose last run failed, and says so', async () => {
  const failed: unknown[] = [];
  const tasks = localAccountTasks({
    file: path.join(dir, 'tasks.json'),
    retryDelaysMs: [1, 1],
    run: () => Promise.reject(new Error('still failing')),
    onFailed: (task, error) => failed.push([task, (error as Error).message]),
  });
  await tasks.runner.start(erase);
  await tasks.idle();
  expect(failed).toEqual([[erase, 'still failing']]);
  expect(tasks.busy()).toBe(false);
});

it('runs at the next start the tasks a crashed process had accepted', async () => {
  const file = path.join(dir, 'tasks.json');
  // The first process dies while the task runs: it never ends there.
  const crashed = localAccountTasks({ file, run: () => new Promise(() => {}), onFailed: () => {} });
  await crashed.runner.start(erase);
  const ran: AccountTask[] = [];
  const next = localAccountTasks({
    file,
    run: async (task) => {
      ran.push(task);
    },
    onFailed: () => {},
  });
  await next.resume();
  await next.idle();
  expect(ran).toEqual([erase]);
  expect(await kept(file)).toEqual({});
});
