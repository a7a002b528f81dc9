/**
 * The local stand-in for the API functions' log subscription: audit lines the handlers write are queued
 * here and handed, off the request path, in batches to the same writer the audit-writer function runs
 * (shared/audit/writer.ts). A failed batch is tried again with the next one; flush() delivers everything
 * queued, and the environment calls it before it stops.
 *
 * Batches are shaped as a subscription delivers them: lines gather for up to a window (a second by
 * default), and a batch leaves early only when it is full. Lines that arrive while a batch is being
 * written wait for the next window instead of leaving at once in a small batch: each writer call costs
 * the same whether it stores ten lines or five hundred (a BatchWriteItem per 25 items, a BatchGetItem of
 * erasure markers per 100 users), so under load small batches cost the server's CPU for nothing.
 */
import type { AuditWriter } from '#shared/audit/writer.ts';

export interface LocalAuditSubscription {
  /** Where the handlers' audit lines go (in place of stdout and CloudWatch Logs). */
  deliver(line: string): void;
  /** Resolves once every line queued so far is stored (or, after `attempts` failures, reported lost). */
  flush(): Promise<void>;
  /** Lines queued or being written. */
  pending(): number;
}

/** How long lines gather before a batch leaves, unless it fills first. */
export const AUDIT_BATCH_WINDOW_MS = 1000;
/** Lines per batch (a subscription's payload holds up to 10,000 log events). */
export const AUDIT_MAX_BATCH = 500;

export function localAuditSubscription(
  writer: AuditWriter,
  options: {
    batchWindowMs?: number;
    maxBatch?: number;
    attempts?: number;
    onError: (error: unknown, lost: number) => void;
  },
): LocalAuditSubscription {
  const batchWindowMs = options.batchWindowMs ?? AUDIT_BATCH_WINDOW_MS;
  const maxBatch = options.maxBatch ?? AUDIT_MAX_BATCH;
  const attempts = options.attempts ?? 5;
  let queue: { line: string; failures: number }[] = [];
  let writing = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  /** Writes batches: every line queued (`all`), or only full batches. */
  async function drain(all: boolean): Promise<void> {
    while (queue.length >= maxBatch || (all && queue.length)) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      writing = batch.length;
      try {
        await writer.write(batch.map((b) => b.line));
      } catch (error) {
        const again = batch
          .map((b) => ({ ...b, failures: b.failures + 1 }))
          .filter((b) => b.failures < attempts);
        if (again.length < batch.length) options.onError(error, batch.length - again.length);
        queue = [...again, ...queue];
        if (again.length) await new Promise((r) => setTimeout(r, 50 * 2 ** again[0]!.failures));
      } finally {
        writing = 0;
      }
      // Past the lines that were waiting when the window closed, only full batches leave at once.
      all = false;
    }
  }

  function start(all: boolean): Promise<void> {
    if (all && timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    running ??= drain(all).finally(() => {
      running = undefined;
      // Lines that came while the batch was written leave with the next window, or at once if a batch is full.
      if (queue.length >= maxBatch) void start(false);
      else if (queue.length) schedule();
    });
    return running;
  }

  function schedule() {
    if (timer || running) return;
    timer = setTimeout(() => {
      timer = undefined;
      void start(true);
    }, batchWindowMs);
    timer.unref();
  }

  return {
    deliver(line) {
      queue.push({ line, failures: 0 });
      if (queue.length >= maxBatch) void start(false);
      else schedule();
    },
    async flush() {
      while (queue.length || running) {
        if (running) await running;
        else await start(true);
      }
    },
    pending: () => queue.length + writing,
  };
}
