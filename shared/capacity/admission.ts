/**
 * Admission control over a capacity store: the code the AcquireCapacity task, the releasers (the model's
 * output is in; MarkFailed; an ended execution) and the sweeper run, deployed and locally, and that the
 * simulation (bench/capacity.ts) drives with a simulated clock.
 *
 * A job first records itself as a waiter, then serves the queue: units are only ever given out in fair
 * order (fair-order.ts), so a newcomer never overtakes a job already waiting. A unit given to a waiter is
 * announced by resuming its waiting state (SendTaskSuccess); if that state is gone (it timed out, or its
 * execution stopped), the unit is taken back and offered to the next waiter. The token is resumed, and
 * the unit taken back, only by whoever put that token on the lease (a grant, a hand-over, or a retried
 * state taking up the unit handed to its earlier token): one answer per token, so a unit is never taken
 * from a resumed state, nor left with one that no longer waits (its execution ended before the
 * execution-ended handler could see the unit). A releaser hands its unit straight to the next waiter, and
 * gives it back only when nobody waits.
 */
import { fairOrder, queuePositions } from './fair-order.ts';
import type { CapacityStore, Lease, Line, Waiter } from './store.ts';

/** What the waiting state is resumed with (the state machine's `$.capacity`). */
export interface Admitted {
  model: string;
  admittedAt: number;
}

/** Resumes a waiting state; false when nothing waits on the token any more. */
export interface AdmissionTokens {
  succeed(token: string, output: Admitted): Promise<boolean>;
  /** Whether a state still waits on the token, asked without resuming it (SendTaskHeartbeat on AWS). */
  waiting(token: string): Promise<boolean>;
}

export type CapacityEvent =
  | { type: 'granted'; model: string; jobId: string; at: number; handedOver: boolean }
  | { type: 'released'; model: string; jobId: string; at: number; reason: 'done' | 'expired' | 'taken-back' }
  | { type: 'waiting'; model: string; jobId: string; at: number }
  /** A job's retried state took up the unit handed to its earlier token (no unit changes hands). */
  | { type: 'claimed'; model: string; jobId: string; at: number };

export interface AdmissionOptions {
  store: CapacityStore;
  tokens: AdmissionTokens;
  /** Units of the model that may be in use at once (its quota). */
  capacityOf(model: string): number;
  /** How long a unit is leased for at a grant or a renewal: longer than the longest gap between renewals. */
  leaseMsOf(model: string): number;
  now?: () => number;
  /** Sees every grant, release and new waiter (tests measure idle units with it). */
  onEvent?: (event: CapacityEvent) => void;
}

const releasedEvent = (
  model: string,
  holder: { jobId: string; token?: string },
  at: number,
): CapacityEvent => ({
  type: 'released',
  model,
  jobId: holder.jobId,
  at,
  reason: holder.token === undefined ? 'done' : 'taken-back',
});

/**
 * Rounds of re-reading the line when it changed under a grant or this serve granted a unit; each round
 * serves every waiter once at most.
 */
const MAX_ROUNDS = 5;

/** The line after `lease` was granted here: the grant's own write, known without reading the units again. */
const withLease = (line: Line, lease: Lease, from?: string): Line => ({
  ...line,
  waiters: line.waiters.filter((w) => w.jobId !== lease.jobId),
  leases: [...line.leases.filter((l) => l.jobId !== from), lease],
});

export function createAdmission(options: AdmissionOptions) {
  const { store, tokens } = options;
  const now = options.now ?? Date.now;
  const emit = options.onEvent ?? (() => {});

  /**
   * Serves the waiters in fair order: with `holder`, that job's unit is handed over (and given back at the
   * end if nobody took it); without, free units are granted until none is left. Adds to `admitted` the
   * jobs whose waiting state took a unit here, to `refused` the tokens a unit was handed to that nothing
   * waited on. `seen`: the line, when the caller has just read it.
   *
   * Granting free units, a serve that finds a waiter's record gone (`gone`) stops its round rather than
   * race on down a line that others are serving: whoever took the record out looks at the line again
   * after it (a grant or hand-over here reads the line once more after granting; a job leaving the line or
   * taking up its own unit reads the units after, and serves while one is free), and whoever frees a unit
   * lists the line after, so no waiter is left behind a free unit.
   *
   * A grant that found no unit after taking a record out puts it back (the DynamoDB store). The job may
   * have ended meanwhile, its removal finding nothing: on that rare path only, the serve asks whether a
   * state still waits on the record's token (SendTaskHeartbeat deployed), and if none does, takes the
   * record out again and serves on, as whoever took it out. The normal path asks nothing.
   */
  async function serve(
    model: string,
    holder?: { jobId: string; token?: string },
    admitted = new Set<string>(),
    seen?: Line,
    refused = new Set<string>(),
  ): Promise<void> {
    let passing = holder;
    let line = seen;
    let view: Line | undefined;
    const capacity = options.capacityOf(model);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      line = round === 0 && seen ? seen : await store.queue(model, passing ? undefined : capacity);
      const order = fairOrder(line.waiters, line.leases, line.servedAt);
      // Look again once this round is over: the line changed under a grant, or this round granted a unit
      // (a waiter that came meanwhile may have left the serving to this one; a unit taken back is released
      // below, and the serve after that reads the line anyway).
      let again = false;
      let granted = false;
      // The units as this serve knows them: the line read, and its own grants since. Its writes stay
      // conditional, so a unit another grant took meanwhile is only skipped; when the units have changed
      // in some other way (a hand-over returned, the holder's unit gone) the store reads them again.
      view = line;
      for (const waiter of order) {
        const at = now();
        const expiresAt = at + options.leaseMsOf(model);
        if (!passing && view && view.leases.length >= capacity) return;
        let result = passing
          ? await store.transfer(passing.jobId, waiter, expiresAt, at, passing.token, view)
          : await store.grant(waiter, capacity, expiresAt, at, view);
        if (typeof result === 'object' && 'putBack' in result) {
          // Rare: the grant took the record out of line and put it back. A job that ended meanwhile found
          // nothing to take out; asked now that the record is back, an end after this finds it there.
          if (await leaveIfGone(result.putBack)) {
            // Out of line: a grant that found this record gone left the line to whoever took it out.
            view = undefined;
            again = true;
            continue;
          }
          result = result.refused;
        }
        if (result === 'full') return;
        if (result === 'gone') {
          // Nothing was written. Handing a unit over, the holder still has it to give: on down the line.
          if (passing) continue;
          break;
        }
        if (result === 'waiter-changed') {
          // A hand-over writes nothing then; a grant may have taken the waiter out and put it back.
          if (!passing) view = undefined;
          again = true;
          continue;
        }
        if (result === 'lease-gone' || result === 'returned') {
          // The unit being handed on is no longer this holder's (or went back to the pool): serve free
          // units instead.
          if (result === 'returned') emit(releasedEvent(model, passing!, at));
          passing = undefined;
          view = undefined;
          again = true;
          continue;
        }
        // Stamped once the store has moved the unit (the waiter's record was there until then).
        const done = now();
        if (passing) emit(releasedEvent(model, passing, done));
        emit({ type: 'granted', model, jobId: waiter.jobId, at: done, handedOver: passing !== undefined });
        granted = true;
        // A hand-over moves the holder's own unit.
        const unit = result.unit ?? view?.leases.find((l) => l.jobId === passing?.jobId)?.unit;
        const lease: Lease = {
          model,
          jobId: waiter.jobId,
          userId: waiter.userId,
          expiresAt,
          taskToken: result.taskToken,
          grantedAt: at,
          ...(unit === undefined ? {} : { unit }),
        };
        view = view && withLease(view, lease, passing?.jobId);
        if (await tokens.succeed(result.taskToken, { model, admittedAt: at })) {
          admitted.add(waiter.jobId);
          passing = undefined;
        } else {
          // Its state is gone: take the unit back (unless a retry of that job claimed it first).
          refused.add(result.taskToken);
          passing = { jobId: waiter.jobId, token: result.taskToken };
        }
      }
      if (!again && !(granted && !passing)) break;
    }
    if (passing) {
      // The units as last known may show where it is (a unit granted here, or the holder's own).
      const released = await store.release(
        model,
        passing.jobId,
        passing.token === undefined ? {} : { onlyToken: passing.token },
        view ?? line,
      );
      if (released) emit(releasedEvent(model, passing, now()));
      // A waiter that came while the unit was still held sees it free now.
      if (released) await serve(model);
    }
  }

  /**
   * An attempt that leaves its job waiting in line checks that its state still waits on the token: one
   * that came late (its execution ended first, so the execution-ended handler found nothing of it in line;
   * or this state timed out meanwhile) takes its record out again. Asked after the record was written, so
   * an execution ending later finds it there, and its handler takes it out. A hand-over that reached the
   * record first tries the dead token and takes its unit back (serve); only the record carrying this token
   * is taken, so a newer attempt's stays in line.
   */
  async function leaveIfLate(waiter: Waiter): Promise<'waiting'> {
    const { model } = waiter;
    // Out of line: a grant that found this record gone left the line to whoever took it out.
    if ((await leaveIfGone(waiter)) && (await store.inUse(model)) < options.capacityOf(model))
      await serve(model);
    return 'waiting';
  }

  /**
   * Takes the waiter's record out of line when no state waits on its token any more; true when it did.
   * Unanswered (throttled), the record stays: a hand-over to it finds the token dead and goes on. Only the
   * record carrying this token is taken, so a newer attempt's stays in line.
   */
  async function leaveIfGone(waiter: Waiter): Promise<boolean> {
    if (await tokens.waiting(waiter.taskToken).catch(() => true)) return false;
    return store.removeWaiter(waiter.model, waiter.jobId, waiter.taskToken);
  }

  return {
    /**
     * The AcquireCapacity task: the job waits in line with this state's token, and is admitted at once
     * (its token resumed) if a unit is free and it comes first. A unit handed to an earlier token of the
     * same job (a state that timed out meanwhile) is taken up by this one. 'admitted' when this call gave
     * the job its unit; 'waiting' when it did not, though another job's release or grant may be handing
     * it one meanwhile: its token says so either way, and nothing is read again to find out.
     */
    async enter(waiter: Waiter): Promise<'admitted' | 'waiting'> {
      const { model, jobId } = waiter;
      // In line first, then the units: whoever frees one after this read lists the line after its release
      // and finds this waiter, so when every unit is in use here there is nothing to serve now.
      await store.addWaiter(waiter);
      emit({ type: 'waiting', model, jobId, at: now() });
      // The units only: while they are all in use (a busy model) the line is not read at all.
      const leases = await store.leases(model);
      const lease = leases.find((l) => l.jobId === jobId);
      // Whoever puts a token on a lease answers it, and takes the unit back if nothing waits on it: a
      // unit already handed to this token is its hand-over's to answer (answered here first, the
      // hand-over's answer would fail and take the unit back from a state just resumed).
      if (lease?.taskToken === waiter.taskToken) return 'waiting';
      // A unit handed to an earlier token of the job (a state that timed out meanwhile) is taken up here;
      // in line meanwhile, a job holding a unit is skipped by every grant and hand-over.
      if (lease && (await store.claim(model, jobId, waiter.taskToken, lease.taskToken))) {
        emit({ type: 'claimed', model, jobId, at: now() });
        await store.removeWaiter(model, jobId);
        // Out of line without a unit changing hands: a grant that found this record gone left the line
        // to whoever took it out, so look at the units once more.
        if ((await store.inUse(model)) < options.capacityOf(model)) await serve(model);
        if (await tokens.succeed(waiter.taskToken, { model, admittedAt: lease.grantedAt })) return 'admitted';
        // Nothing waits on this token either (the execution ended, or this state timed out in turn), and
        // neither the hand-over that left the earlier token nor an execution-ended handler that looked
        // before the claim will give the unit back: it goes on from here.
        await serve(model, { jobId, token: waiter.taskToken });
        return 'waiting';
      }
      if (leases.length - (lease ? 1 : 0) >= options.capacityOf(model)) return leaveIfLate(waiter);
      const admitted = new Set<string>();
      const refused = new Set<string>();
      await serve(model, undefined, admitted, undefined, refused);
      if (admitted.has(jobId)) return 'admitted';
      // Granted a unit its state was not there to take: the grant took the record out, the unit went on.
      return refused.has(waiter.taskToken) ? 'waiting' : leaveIfLate(waiter);
    },

    /**
     * The job is done with its unit (the model's output is in, or it failed or was cancelled): the unit
     * goes to the next waiter, or back to the pool. A job holding none (released already, or never
     * admitted) only leaves the line. Returns whether the job held a unit.
     */
    async release(model: string, jobId: string): Promise<boolean> {
      const wasWaiting = await store.removeWaiter(model, jobId);
      // One read gives both the job's lease and how many are in use (most jobs that leave hold none: they
      // were cancelled or failed while waiting, so this is not the whole line).
      const leases = await store.leases(model);
      if (!leases.some((l) => l.jobId === jobId)) {
        // It left the line: a grant that found its record gone left the line to whoever took it out.
        if (wasWaiting && leases.length < options.capacityOf(model)) await serve(model);
        return false;
      }
      const overCapacity = leases.length > options.capacityOf(model);
      if (overCapacity) {
        // The capacity was lowered: this unit is not handed on.
        if (await store.release(model, jobId, {}, { waiters: [], leases, servedAt: {} }))
          emit({ type: 'released', model, jobId, at: now(), reason: 'done' });
        return true;
      }
      await serve(model, { jobId });
      return true;
    },

    /**
     * The job still uses its unit (its generation is starting or running): the lease runs for another
     * `leaseMsOf(model)` from now. False when the job holds no unit any more.
     */
    async renew(model: string, jobId: string): Promise<boolean> {
      return store.renew(model, jobId, now() + options.leaseMsOf(model));
    },

    /**
     * The sweeper: leases past their expiry (an execution that crashed or was stopped without cleanup)
     * are reclaimed, and free units go to whoever waits. Returns the reclaimed job ids.
     */
    async sweep(model: string): Promise<string[]> {
      const at = now();
      const reclaimed: string[] = [];
      for (const lease of await store.leases(model)) {
        if (lease.expiresAt >= at) continue;
        if (await store.release(model, lease.jobId, { expiredBefore: at })) {
          reclaimed.push(lease.jobId);
          emit({ type: 'released', model, jobId: lease.jobId, at, reason: 'expired' });
        }
      }
      await serve(model);
      return reclaimed;
    },

    /** 1-based places in line of the model's waiting jobs, by job id. */
    async positions(model: string): Promise<Map<string, number>> {
      const { waiters, leases, servedAt } = await store.queue(model);
      return queuePositions(waiters, leases, servedAt);
    },
  };
}

export type Admission = ReturnType<typeof createAdmission>;
