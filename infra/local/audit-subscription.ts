/**
 * The local stand-in for the API functions' log subscription: audit lines the handlers write are queued
 * here and handed, off the request path, in batches to the same writer the audit-writer function runs
 * (shared/audit/writer.ts). A failed batch is tried again with the next one; flush() delivers everything
 * queued, and the environment calls it before it stops.
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

export function localAuditSubscription(
  writer: AuditWriter,
  options: {
    /** How long lines gather before a batch leaves (CloudWatch Logs batches for a few seconds). */
    batchWindowMs?: number;
    /** Lines per batch; a subscription's payload holds up to 10,000 events. */
    maxBatch?: number;
    attempts?: number;
    onError: (error: unknown, lost: number) => void;
  },
): LocalAuditSubscription {
  const batchWindowMs = options.batchWindowMs ?? 20;
  const maxBatch = options.maxBatch ?? 500;
  const attempts = options.attempts ?? 5;
  let queue: { line: string; failures: number }[] = [];
  let writing = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  async function drain(): Promise<void> {
    while (queue.length) {
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
    }
  }

  function start(): Promise<void> {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    running ??= drain().finally(() => {
      running = undefined;
      // Lines that came after the loop's last look wait for the next window.
      if (queue.length) schedule();
    });
    return running;
  }

  function schedule() {
    if (timer || running) return;
    timer = setTimeout(start, batchWindowMs);
    timer.unref();
  }

  return {
    deliver(line) {
      queue.push({ line, failures: 0 });
      schedule();
    },
    async flush() {
      while (queue.length || running) await start();
    },
    pending: () => queue.length + writing,
  };
}
