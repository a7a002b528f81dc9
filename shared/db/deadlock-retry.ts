import { sqlErrorInfo } from './errors.ts';

export const DEADLOCK_DETECTED = '40P01';

/**
 * Runs a statement that changes nothing when it fails (one statement outside a transaction, or a whole
 * transaction), again when PostgreSQL broke a deadlock by failing it: the server rolled it back, so the
 * next attempt starts clean, as the PostgreSQL manual advises for deadlock victims. Other errors, and the
 * last attempt's, are thrown.
 */
export async function retryOnDeadlock<T>(run: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= attempts || sqlErrorInfo(error).sqlState !== DEADLOCK_DETECTED) throw error;
      // A short random pause, so the transactions that met do not meet again in the same order.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}
