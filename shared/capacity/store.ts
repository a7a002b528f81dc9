/**
 * Admission control for model capacity: how many generations of one model may run at once in this
 * account and Region. A job holds one unit (a lease with an expiry) from its admission until the model's
 * output is in, or it fails or is cancelled; jobs that find no unit free wait as waiters, each with the
 * task token of its waiting state, and a releaser hands its unit straight to the next waiter.
 *
 * Every change is conditional, so two releasers, a sweeper and a waiter retrying after its timeout can
 * race without a unit counted twice or lost: the store answers what happened and the caller decides.
 */

/** A job waiting for a unit of its model. */
export interface Waiter {
  model: string;
  jobId: string;
  userId: string;
  /** When the job was submitted (epoch ms): it orders the waiters and survives the state's retries. */
  enqueuedAt: number;
  /** The task token of the job's waiting state (the newest one). */
  taskToken: string;
}

/** A unit held by a job. */
export interface Lease {
  model: string;
  jobId: string;
  userId: string;
  /** Epoch ms after which the sweeper reclaims the unit. */
  expiresAt: number;
  /** The token the unit was granted with (a hand-off's; the job's own when it took a free unit). */
  taskToken: string;
  grantedAt: number;
  /** Which unit it is, where the store names its units (the DynamoDB store's slot); a hint for its writes. */
  unit?: string;
}

/**
 * A grant refused (`full` or `waiter-changed`) after it had taken the waiter's record out of line and put
 * it back as it was (`putBack`, with the token the record carried). A job that ended while its record was
 * out found nothing to take out of line, so the caller asks whether a state still waits on that token.
 */
export interface PutBack {
  refused: 'full' | 'waiter-changed';
  putBack: Waiter;
}

/**
 * What a grant did: the unit is the waiter's, announced to `taskToken` (the waiter record's newest
 * token, which may be newer than the one listed), in `unit` where the store names its units; or why not:
 * no unit free (`full`), the waiter's record was not there when the grant came to take it, so nothing was
 * written (`gone`: it left, or another grant or hand-over took it), the waiter holds a unit already or
 * changed in some other way (`waiter-changed`), the unit to hand on is no longer the holder's
 * (`lease-gone`), or the holder's unit went back to the pool because the waiter could not take it
 * (`returned`); or `full` or `waiter-changed` after the record was out of line and back (`PutBack`).
 */
export type GrantResult =
  | { taskToken: string; unit?: string }
  | 'full'
  | 'gone'
  | 'waiter-changed'
  | 'lease-gone'
  | 'returned'
  | PutBack;

/**
 * What fair order reads: the waiters, the units in use, and when users with a job waiting were last
 * granted a unit (epoch ms). Fair order compares that only between users, so a store may leave it empty
 * when the waiters are all one user's, and leaves out users with nothing waiting.
 */
export interface Line {
  waiters: Waiter[];
  leases: Lease[];
  servedAt: Record<string, number>;
}

export interface CapacityStore {
  /**
   * Takes a free unit for the waiter (fewer than `capacity` in use) and removes its waiter record; the
   * lease carries the record's token at that moment. Without a record, nothing changes. `full` comes
   * first: with no unit free, a waiter that has left is not looked for. With `seen`, the line the caller
   * has just read, the store may start from the units it shows instead of reading them again (its writes
   * stay conditional, so a unit taken meanwhile is only skipped). A store that takes the record out before
   * the unit, and puts it back when none is left, says so (`PutBack`).
   */
  grant(waiter: Waiter, capacity: number, expiresAt: number, now: number, seen?: Line): Promise<GrantResult>;
  /**
   * Moves the unit leased to `fromJobId` to the waiter in one step (the counter is unchanged). With
   * `fromToken`, only while the lease still carries that token (a hand-off taken back). With `seen`, a line
   * read after the waiter joined it, the store may take the holder's unit and the waiter's units from it
   * (the move stays conditional on the holder; when it fails the store reads the units again).
   */
  transfer(
    fromJobId: string,
    waiter: Waiter,
    expiresAt: number,
    now: number,
    fromToken?: string,
    seen?: Line,
  ): Promise<GrantResult>;
  /**
   * Gives the job's unit back; false when it held none (a second release decrements nothing). With
   * `onlyToken`, only a lease still carrying that token; with `expiredBefore`, only a lease expired then.
   * With `seen`, a line read before, the store may try the unit it shows the job holding first.
   */
  release(
    model: string,
    jobId: string,
    condition?: { onlyToken?: string; expiredBefore?: number },
    seen?: Line,
  ): Promise<boolean>;
  /**
   * Moves the expiry of the job's lease to `expiresAt` while the job still holds its unit; false when it
   * holds none (released, handed on, or reclaimed by the sweeper).
   */
  renew(model: string, jobId: string, expiresAt: number): Promise<boolean>;
  /** The job's lease, if it holds one. */
  lease(model: string, jobId: string): Promise<Lease | undefined>;
  /** Marks a lease as taken up by the job's own waiting state (its token); false if the lease is gone. */
  claim(model: string, jobId: string, taskToken: string, fromToken: string): Promise<boolean>;
  /** Records the waiter, or gives an existing record its new token (keeping when it first came). */
  addWaiter(waiter: Waiter): Promise<void>;
  /**
   * Takes the job out of the line; true when it was in it. With `onlyToken`, only a record still carrying
   * that token (one a newer attempt of the job wrote since stays).
   */
  removeWaiter(model: string, jobId: string, onlyToken?: string): Promise<boolean>;
  waiters(model: string): Promise<Waiter[]>;
  /**
   * The waiters and the leases of the model, and when each user was last granted a unit, read together.
   * With `capacity`, the caller only grants: `servedAt` may be left empty when fair order cannot matter,
   * with no unit free or no more waiters than free units.
   */
  queue(model: string, capacity?: number): Promise<Line>;
  leases(model: string): Promise<Lease[]>;
  /** Units in use. */
  inUse(model: string): Promise<number>;
}
