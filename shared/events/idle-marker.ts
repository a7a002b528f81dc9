/**
 * Lets the two scheduled functions that would otherwise ask Aurora every minute (the webhook relay and the
 * stuck-start sweep) leave it alone while it has nothing for them, so an idle dev or staging cluster can
 * pause. One small record says whether each is resting (the relay until a time, or until woken); anything
 * that may give them work (a job submitted, a clip deleted, a webhook test or retry) wakes both with one
 * write made before its own statement.
 *
 * A sleeper reads the record first, looks at Aurora, and rests only with a write conditioned on the record
 * being unchanged since that read and on the last wake being older than WAKE_SETTLE_MS: a wake written
 * just before a statement whose transaction has not committed yet cannot be slept through.
 */

/** What one read of the record says. */
export interface MarkerState {
  /** When anything last woke the sleepers (ms since the epoch), if ever. */
  wokenAt: number | undefined;
  /** The relay rests until this time (ms; Infinity: until woken), or runs when undefined. */
  relayUntil: number | undefined;
  /** The stuck-start sweep rests (until woken). */
  sweepResting: boolean;
}

export interface IdleMarker {
  /** One read. */
  read(): Promise<MarkerState>;
  /** Ends every rest (one write). */
  wake(): Promise<void>;
  /** Rests the relay until `until` (Infinity: until woken) if nothing woke it since `seen`; true if so. */
  restRelay(seen: MarkerState, until: number): Promise<boolean>;
  /** Rests the stuck-start sweep if nothing woke it since `seen`; true if so. */
  restSweep(seen: MarkerState): Promise<boolean>;
}

/** How long after a wake nothing may rest: longer than any transaction that wrote work after waking. */
export const WAKE_SETTLE_MS = 60_000;

/** Whether a sleeper that read `seen` at `now` may ask to rest. */
export const mayRest = (seen: MarkerState, now: number) =>
  seen.wokenAt === undefined || now - seen.wokenAt > WAKE_SETTLE_MS;

/**
 * Whether a relay run starting at `now` and covering `windowMs` has nothing to do: resting until after
 * its window (anything due sooner is left for this run).
 */
export const relayResting = (state: MarkerState, now: number, windowMs: number) =>
  state.relayUntil !== undefined && state.relayUntil > now + windowMs;

/** The marker in memory (tests, and a local server without DynamoDB). */
export function memoryIdleMarker(now: () => number = Date.now): IdleMarker & { reads: number } {
  let state: MarkerState = { wokenAt: undefined, relayUntil: undefined, sweepResting: false };
  const same = (seen: MarkerState) => seen.wokenAt === state.wokenAt;
  return {
    reads: 0,
    async read() {
      this.reads += 1;
      return { ...state };
    },
    async wake() {
      state = { wokenAt: now(), relayUntil: undefined, sweepResting: false };
    },
    async restRelay(seen, until) {
      if (!same(seen) || !mayRest(seen, now())) return false;
      state = { ...state, relayUntil: until };
      return true;
    },
    async restSweep(seen) {
      if (!same(seen) || !mayRest(seen, now())) return false;
      state = { ...state, sweepResting: true };
      return true;
    },
  };
}

/**
 * `target` with each of `methods` waking the sleepers before it runs (the repository call that may write
 * deliveries or an admitted job). A failed wake fails the call: the caller retries, rather than leave work
 * that nothing would look at.
 */
export function wakingBefore<T extends object>(
  marker: IdleMarker | undefined,
  target: T,
  methods: readonly (keyof T)[],
): T {
  if (!marker) return target;
  const wrapped = { ...target } as Record<keyof T, unknown>;
  for (const name of methods) {
    const method = target[name] as (...args: unknown[]) => Promise<unknown>;
    wrapped[name] = async (...args: unknown[]) => {
      await marker.wake();
      return method.apply(target, args);
    };
  }
  return wrapped as T;
}
