/**
 * Account tasks (exports, erasures) in the background of the local server, as Lambda runs the account
 * worker's asynchronous invocations. Lambda keeps an accepted event until a run of it ends, and tries a
 * failed run twice more; here a task is kept in a file from the moment it is accepted until it has ended,
 * so a task a crash interrupted (an erasure that had deleted the password but not yet the data) runs again
 * at the next start, and a failed run is tried again. Both tasks can be repeated.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AccountTask, AccountTaskRunner } from '#shared/account/port.ts';

/** Waits before the second and third runs (Lambda waits about a minute, then two). */
export const ACCOUNT_TASK_RETRY_DELAYS_MS = [1_000, 2_000];

export interface LocalAccountTasks {
  runner: AccountTaskRunner;
  /** Runs the tasks a previous process accepted and did not end. */
  resume(): Promise<void>;
  /** Resolves once no task is running or waiting to run again. */
  idle(): Promise<void>;
  /** Whether a task is running or waiting to run again. */
  busy(): boolean;
}

/** The tasks kept in `file` (none when it does not exist); throws when it does not parse. */
export async function readAccountTasks(file: string): Promise<Record<string, AccountTask>> {
  const text = await readFile(file, 'utf8').catch(() => '{}');
  return JSON.parse(text) as Record<string, AccountTask>;
}

export function localAccountTasks(options: {
  /** Where accepted tasks are kept until they end; in memory only when absent. */
  file: string | undefined;
  run: (task: AccountTask) => Promise<void>;
  /** A task failed on its last run; it is dropped, as Lambda sends such an event to the failure queue. */
  onFailed: (task: AccountTask, error: unknown) => void;
  retryDelaysMs?: number[];
}): LocalAccountTasks {
  const delays = options.retryDelaysMs ?? ACCOUNT_TASK_RETRY_DELAYS_MS;
  const pending = new Map<string, AccountTask>();
  const work = new Set<Promise<void>>();
  // Writes of the file, one after another, each of the tasks pending when it runs.
  let saving: Promise<void> = Promise.resolve();
  const save = () => {
    const { file } = options;
    if (!file) return Promise.resolve();
    saving = saving.then(async () => {
      await mkdir(path.dirname(file), { recursive: true });
      // Written aside and renamed over it, so a crash mid-write leaves the previous list whole.
      await writeFile(`${file}.next`, JSON.stringify(Object.fromEntries(pending)), { mode: 0o600 });
      await rename(`${file}.next`, file);
    });
    return saving;
  };

  function launch(id: string, task: AccountTask) {
    const done = (async () => {
      // After the request that started it has answered, as an asynchronous invocation would run.
      await new Promise((resolve) => setImmediate(resolve));
      for (let attempt = 0; ; attempt += 1) {
        try {
          await options.run(task);
          break;
        } catch (error) {
          const delay = delays[attempt];
          if (delay === undefined) {
            options.onFailed(task, error);
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
      pending.delete(id);
      await save();
    })();
    const tracked = done.finally(() => work.delete(tracked));
    work.add(tracked);
  }

  return {
    runner: {
      async start(task) {
        const id = randomUUID();
        pending.set(id, task);
        await save();
        launch(id, task);
      },
    },
    async resume() {
      if (!options.file) return;
      for (const [id, task] of Object.entries(await readAccountTasks(options.file))) {
        pending.set(id, task);
        launch(id, task);
      }
    },
    async idle() {
      while (work.size) await Promise.all(work);
      await saving;
    },
    busy: () => work.size > 0,
  };
}
