import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Admission, type Admitted, createAdmission } from '#shared/capacity/admission.ts';
import { dynamoCapacityStore } from '#shared/capacity/dynamodb-store.ts';
import { memoryCapacityStore } from '#shared/capacity/memory-store.ts';
import type { CapacityStore, Waiter } from '#shared/capacity/store.ts';
import { type LocalDynamo, startLocalDynamo } from '../../../infra/local/dynamo.ts';

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startLocalDynamo();
});
afterAll(async () => {
  await dynamo?.stop();
});

let models = 0;
const impls: [string, () => CapacityStore][] = [
  ['memory', () => memoryCapacityStore()],
  ['dynamodb', () => dynamoCapacityStore(DynamoDBDocumentClient.from(dynamo.client), dynamo.tables.capacity)],
];

/** Task tokens as Step Functions keeps them: live until answered or killed. */
function tokenBook() {
  const live = new Set<string>();
  const answered = new Map<string, Admitted>();
  return {
    live,
    answered,
    tokens: {
      async succeed(token: string, output: Admitted) {
        if (!live.has(token)) return false;
        live.delete(token);
        answered.set(token, output);
        return true;
      },
      async waiting(token: string) {
        return live.has(token);
      },
    },
  };
}

describe.each(impls)('admission over the %s store', (_name, make) => {
  function setup(capacity: number, leaseMs = 60_000) {
    const model = `adm${++models}`;
    const store = make();
    const book = tokenBook();
    let clock = 1_000;
    const admission = createAdmission({
      store,
      tokens: book.tokens,
      capacityOf: () => capacity,
      leaseMsOf: () => leaseMs,
      now: () => clock,
    });
    const job = (jobId: string, userId = 'u', token = `${jobId}-1`, enqueuedAt = clock): Waiter => {
      book.live.add(token);
      return { model, jobId, userId, enqueuedAt, taskToken: token };
    };
    return { model, store, book, admission, job, tick: (ms: number) => (clock += ms) };
  }

  it('a job its own look did not serve is answered waiting without reading its lease again', async () => {
    const { admission, job, book, store, model } = setup(2);
    await admission.enter(job('a'));
    // An older waiter of another user, in line but not yet served: it comes first for the free unit.
    await store.addWaiter(job('w', 'other', 'w-1', 0));
    const calls: string[] = [];
    const counted = createAdmission({
      store: new Proxy(store, {
        get: (target, name: keyof CapacityStore) => {
          calls.push(name);
          return target[name].bind(target);
        },
      }),
      tokens: book.tokens,
      capacityOf: () => 2,
      leaseMsOf: () => 60_000,
    });
    expect(await counted.enter(job('x'))).toBe('waiting');
    expect([...book.answered.keys()]).toEqual(['a-1', 'w-1']);
    // Its grant to the older waiter took the last unit, as the line and that grant show: nothing more.
    expect(calls).toEqual(['addWaiter', 'leases', 'queue', 'grant']);
    expect((await store.waiters(model)).map((w) => w.jobId)).toEqual(['x']);
  });

  it('admits at once while units are free, then makes jobs wait', async () => {
    const { admission, job, book, store, model } = setup(2);
    expect(await admission.enter(job('a'))).toBe('admitted');
    expect(await admission.enter(job('b'))).toBe('admitted');
    expect(await admission.enter(job('c'))).toBe('waiting');
    expect([...book.answered.keys()]).toEqual(['a-1', 'b-1']);
    expect(await store.inUse(model)).toBe(2);
    expect((await admission.positions(model)).get('c')).toBe(1);
  });

  it('hands a released unit to the next waiter in fair order', async () => {
    const { admission, job, book, store, model, tick } = setup(1);
    await admission.enter(job('a1', 'heavy'));
    tick(1);
    await admission.enter(job('a2', 'heavy'));
    tick(1);
    await admission.enter(job('a3', 'heavy'));
    tick(1);
    await admission.enter(job('b1', 'light'));
    // light has nothing running, heavy has a1: light's only job comes first.
    expect(await admission.release(model, 'a1')).toBe(true);
    expect(book.answered.has('b1-1')).toBe(true);
    expect(book.answered.has('a2-1')).toBe(false);
    expect(await admission.release(model, 'b1')).toBe(true);
    expect(book.answered.has('a2-1')).toBe(true);
    expect(book.answered.has('a3-1')).toBe(false);
    expect(await store.inUse(model)).toBe(1);
  });

  it('two releasers racing for one waiter: the waiter gets one unit, the other unit is free', async () => {
    const { admission, job, book, store, model } = setup(2);
    await admission.enter(job('a'));
    await admission.enter(job('b'));
    await admission.enter(job('c'));
    await Promise.all([admission.release(model, 'a'), admission.release(model, 'b')]);
    expect(book.answered.has('c-1')).toBe(true);
    expect(await store.inUse(model)).toBe(1);
    expect((await store.leases(model)).map((l) => l.jobId)).toEqual(['c']);
    // A release of the same job twice at once gives one unit back.
    await Promise.all([admission.release(model, 'c'), admission.release(model, 'c')]);
    expect(await store.inUse(model)).toBe(0);
  });

  it('a waiter whose state is gone is skipped: the unit is taken back and goes to the next', async () => {
    const { admission, job, book, store, model, tick } = setup(1);
    await admission.enter(job('a'));
    tick(1);
    await admission.enter(job('gone'));
    tick(1);
    await admission.enter(job('next'));
    book.live.delete('gone-1'); // its execution was stopped without cleanup
    await admission.release(model, 'a');
    expect(book.answered.has('next-1')).toBe(true);
    expect((await store.leases(model)).map((l) => l.jobId)).toEqual(['next']);
    expect(await store.waiters(model)).toEqual([]);
  });

  it('a unit taken back while nobody else waits returns to the pool', async () => {
    const { admission, job, book, store, model } = setup(1);
    await admission.enter(job('a'));
    await admission.enter(job('gone'));
    book.live.delete('gone-1');
    await admission.release(model, 'a');
    expect(await store.inUse(model)).toBe(0);
  });

  it('a retried state of a job whose old token was handed a unit takes the unit up', async () => {
    const { admission, job, book, store, model } = setup(1);
    await admission.enter(job('a'));
    await admission.enter(job('b', 'u', 'b-1'));
    // b's state timed out (its token dies) just as a's unit is handed to it; the hand-over fails and
    // the unit is taken back, or the retry claims it first: either way b ends with exactly one unit.
    book.live.delete('b-1');
    const retry = job('b', 'u', 'b-2');
    await Promise.all([admission.release(model, 'a'), admission.enter(retry)]);
    expect(book.answered.has('b-2')).toBe(true);
    expect((await store.leases(model)).map((l) => l.jobId)).toEqual(['b']);
    expect(await store.inUse(model)).toBe(1);
  });

  it('a late retry that takes up the unit of an ended execution hands it on at once', async () => {
    const { admission, job, book, store, model, tick } = setup(1);
    await admission.enter(job('a', 'x'));
    // j's execution was stopped while two attempts of its AcquireCapacity were still running: the
    // ended-execution handler found nothing of j to free, and both attempts' tokens are dead.
    expect(await admission.release(model, 'j')).toBe(false);
    const first = job('j', 'u', 'j-1');
    const retry = job('j', 'u', 'j-2');
    book.live.delete('j-1');
    book.live.delete('j-2');
    await admission.enter(first);
    tick(1);
    await admission.enter(job('next'));
    // a's unit is handed to j's first token; before that hand-over is taken back, the retry takes it up.
    const succeed = book.tokens.succeed;
    book.tokens.succeed = async (token, output) => {
      if (token === 'j-1') await admission.enter(retry);
      return succeed(token, output);
    };
    await admission.release(model, 'a');
    expect((await store.leases(model)).map((l) => l.jobId)).toEqual(['next']);
    expect(book.answered.has('next-1')).toBe(true);
    expect(await store.waiters(model)).toEqual([]);
  });

  it('a late attempt that finds no unit free leaves no place in line behind it', async () => {
    const { admission, job, book, store, model, tick } = setup(1);
    await admission.enter(job('a', 'x'));
    // j's execution was stopped before its AcquireCapacity ran: the ended-execution handler found nothing
    // of j to take out, and the attempt's token is dead when it puts j in line.
    expect(await admission.release(model, 'j')).toBe(false);
    const late = job('j', 'u', 'j-1');
    book.live.delete('j-1');
    expect(await admission.enter(late)).toBe('waiting');
    tick(1);
    // next, of the same user and submitted after j, is first in line, as if j had never come.
    expect(await admission.enter(job('next'))).toBe('waiting');
    expect(await admission.positions(model)).toEqual(new Map([['next', 1]]));
    expect((await store.waiters(model)).map((w) => w.jobId)).toEqual(['next']);
    // a's unit goes to next at once: no hand-over to j's dead token first.
    const tried: string[] = [];
    const succeed = book.tokens.succeed;
    book.tokens.succeed = async (token, output) => {
      tried.push(token);
      return succeed(token, output);
    };
    await admission.release(model, 'a');
    expect(tried).toEqual(['next-1']);
    expect((await store.leases(model)).map((l) => l.jobId)).toEqual(['next']);
    expect(await store.waiters(model)).toEqual([]);
  });

  it('a job stays in line when asking whether its state still waits fails', async () => {
    const { admission, job, book, store, model } = setup(1);
    await admission.enter(job('a', 'x'));
    book.tokens.waiting = async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    };
    expect(await admission.enter(job('next'))).toBe('waiting');
    expect((await store.waiters(model)).map((w) => w.jobId)).toEqual(['next']);
  });

  it('a job that finds the unit handed to its own token leaves the answer to the hand-over', async () => {
    const { store, book, job, model } = setup(1);
    // The job's AcquireCapacity has put it in line, and reads the units only once a's release has
    // handed it a's unit, just before that release answers its token.
    let added!: () => void;
    const inLine = new Promise<void>((resolve) => (added = resolve));
    let read!: () => void;
    const readNow = new Promise<void>((resolve) => (read = resolve));
    const pausing: CapacityStore = {
      ...store,
      async addWaiter(waiter) {
        await store.addWaiter(waiter);
        if (waiter.jobId !== 'next') return;
        added();
        await readNow;
      },
    };
    const admission = createAdmission({
      store: pausing,
      tokens: book.tokens,
      capacityOf: () => 1,
      leaseMsOf: () => 60_000,
    });
    await admission.enter(job('a', 'x'));
    const entering = admission.enter(job('next'));
    await inLine;
    const succeed = book.tokens.succeed;
    book.tokens.succeed = async (token, output) => {
      if (token === 'next-1' && book.tokens.succeed !== succeed) {
        book.tokens.succeed = succeed;
        read();
        await entering;
      }
      return succeed(token, output);
    };
    await admission.release(model, 'a');
    expect(book.answered.has('next-1')).toBe(true);
    expect((await store.leases(model)).map((l) => l.jobId)).toEqual(['next']);
  });

  it('a waiter a grant put back after its job ended is taken out of line again', async () => {
    const { job, book, store, model } = setup(1);
    // The window as the DynamoDB store opens it (the memory store's grant is one step and never does):
    // the grant takes j's record out, another job takes the unit, j's execution ends and its removal finds
    // nothing; the record goes back and the grant says so.
    const putsBack: CapacityStore = {
      ...store,
      async grant(waiter, ...rest) {
        if (waiter.jobId !== 'j') return store.grant(waiter, ...rest);
        const record = (await store.waiters(model)).find((w) => w.jobId === 'j')!;
        await store.removeWaiter(model, 'j');
        const x = job('x', 'v', 'x-1', 0);
        await store.addWaiter(x);
        await store.grant(x, 1, 60_000, 0);
        book.live.delete('j-1');
        expect(await admission.release(model, 'j')).toBe(false);
        await store.addWaiter(record);
        return { refused: 'full', putBack: record };
      },
    };
    const admission = createAdmission({
      store: putsBack,
      tokens: book.tokens,
      capacityOf: () => 1,
      leaseMsOf: () => 60_000,
    });
    await store.addWaiter(job('j', 'u', 'j-1', 1));
    await store.addWaiter(job('next', 'u', 'next-1', 2));
    await admission.sweep(model);
    expect((await store.leases(model)).map((l) => l.jobId)).toEqual(['x']);
    expect(await admission.positions(model)).toEqual(new Map([['next', 1]]));
  });

  it('the sweeper reclaims expired leases and wakes the waiter', async () => {
    const { admission, job, book, store, model, tick } = setup(1, 5_000);
    await admission.enter(job('crashed'));
    await admission.enter(job('next'));
    expect(await admission.sweep(model)).toEqual([]);
    tick(5_001);
    expect(await admission.sweep(model)).toEqual(['crashed']);
    expect(book.answered.has('next-1')).toBe(true);
    expect(await store.inUse(model)).toBe(1);
    // The crashed job's late release gives back nothing it no longer holds.
    expect(await admission.release(model, 'crashed')).toBe(false);
    expect(await store.inUse(model)).toBe(1);
  });

  it('a renewed lease outlives its first expiry; once the job stops renewing, the sweeper reclaims it', async () => {
    const { admission, job, book, store, model, tick } = setup(1, 5_000);
    await admission.enter(job('running'));
    await admission.enter(job('next'));
    tick(4_000);
    expect(await admission.renew(model, 'running')).toBe(true);
    tick(4_000);
    expect(await admission.sweep(model)).toEqual([]);
    expect(book.answered.has('next-1')).toBe(false);
    tick(1_001);
    expect(await admission.sweep(model)).toEqual(['running']);
    expect(book.answered.has('next-1')).toBe(true);
    // The reclaimed job renews nothing: the unit stays the next job's.
    expect(await admission.renew(model, 'running')).toBe(false);
    expect((await store.leases(model)).map((l) => l.jobId)).toEqual(['next']);
  });

  it('a lowered capacity is not exceeded: released units are not handed on while over it', async () => {
    let capacity = 2;
    const model = `adm${++models}`;
    const store = make();
    const book = tokenBook();
    const admission = createAdmission({
      store,
      tokens: book.tokens,
      capacityOf: () => capacity,
      leaseMsOf: () => 60_000,
    });
    const job = (id: string): Waiter => {
      book.live.add(id);
      return { model, jobId: id, userId: id, enqueuedAt: 1, taskToken: id };
    };
    await admission.enter(job('a'));
    await admission.enter(job('b'));
    await admission.enter(job('c'));
    capacity = 1;
    await admission.release(model, 'a');
    expect(book.answered.has('c')).toBe(false);
    await admission.release(model, 'b');
    expect(book.answered.has('c')).toBe(true);
    expect(await store.inUse(model)).toBe(1);
  });
});

/**
 * A grant takes its waiter's record out of line before it takes a unit, and puts it back when none is left
 * after all. A job that ends meanwhile is taken out of line by nobody (its removal found no record): the
 * grant that put it back asks whether its state still waits.
 */
describe('a job that ends while a grant has its record out of line', () => {
  interface Window {
    store: CapacityStore;
    admission: Admission;
    model: string;
  }
  /**
   * Admission over the DynamoDB store, whose grant to j runs `out` once it has taken j's record out, and
   * `back` just before it puts the record back.
   */
  function setup(out: (w: Window) => Promise<void>, back?: (w: Window) => Promise<void>) {
    const model = `adm${++models}`;
    const client = DynamoDBDocumentClient.from(dynamo.client);
    const store = dynamoCapacityStore(client, dynamo.tables.capacity);
    const book = tokenBook();
    const admission = createAdmission({
      store,
      tokens: book.tokens,
      capacityOf: () => 1,
      leaseMsOf: () => 60_000,
    });
    const send = client.send.bind(client);
    let opened = false;
    let closing = false;
    type Input = { Key?: { sk?: string }; Item?: { sk?: string }; ConditionExpression?: string };
    client.send = (async (command: { input: Input }) => {
      const { Key, Item, ConditionExpression } = command.input;
      if (opened && !closing && back && Item?.sk === 'waiter#j') {
        closing = true;
        await back({ store, admission, model });
      }
      const result = await send(command as never);
      if (!opened && Key?.sk === 'waiter#j' && ConditionExpression === 'attribute_exists(sk)') {
        opened = true;
        await out({ store, admission, model });
      }
      return result;
    }) as typeof client.send;
    const job = (jobId: string, enqueuedAt: number, userId = 'u'): Waiter => {
      book.live.add(`${jobId}-1`);
      return { model, jobId, userId, enqueuedAt, taskToken: `${jobId}-1` };
    };
    return { model, store, book, admission, job, opened: () => opened };
  }
  /** Another job takes the unit the grant saw free. */
  const unitTaken = async ({ store, model }: Window) => {
    const x: Waiter = { model, jobId: 'x', userId: 'v', enqueuedAt: 0, taskToken: 'x-1' };
    await store.addWaiter(x);
    expect(await store.grant(x, 1, Date.now() + 60_000, Date.now())).toMatchObject({ taskToken: 'x-1' });
  };

  it('takes the record of a job that ended meanwhile out again, so it counts in nobody’s place', async () => {
    const ctx = setup(async (w) => {
      await unitTaken(w);
      // j's execution ends: its removal finds no record.
      ctx.book.live.delete('j-1');
      expect(await w.admission.release(w.model, 'j')).toBe(false);
    });
    await ctx.store.addWaiter(ctx.job('j', 1));
    await ctx.store.addWaiter(ctx.job('next', 2));
    await ctx.admission.sweep(ctx.model);
    expect(ctx.opened()).toBe(true);
    expect((await ctx.store.waiters(ctx.model)).map((w) => w.jobId)).toEqual(['next']);
    expect(await ctx.admission.positions(ctx.model)).toEqual(new Map([['next', 1]]));
    expect((await ctx.store.leases(ctx.model)).map((l) => l.jobId)).toEqual(['x']);
  });

  it('takes it out and grants a unit freed meanwhile to the next waiter', async () => {
    const ctx = setup(
      async (w) => {
        await unitTaken(w);
        ctx.book.live.delete('j-1');
        expect(await w.admission.release(w.model, 'j')).toBe(false);
      },
      // x's unit comes free after the grant's last try for a unit (its releaser has yet to list the line).
      async ({ store, model }) => {
        expect(await store.release(model, 'x')).toBe(true);
      },
    );
    await ctx.store.addWaiter(ctx.job('j', 1));
    await ctx.store.addWaiter(ctx.job('next', 2));
    await ctx.admission.sweep(ctx.model);
    expect(ctx.opened()).toBe(true);
    expect(await ctx.store.waiters(ctx.model)).toEqual([]);
    expect((await ctx.store.leases(ctx.model)).map((l) => l.jobId)).toEqual(['next']);
    expect(ctx.book.answered.has('next-1')).toBe(true);
    expect(ctx.book.answered.has('j-1')).toBe(false);
  });

  it('keeps the record of a job whose state still waits, or when the question goes unanswered', async () => {
    for (const throttled of [false, true]) {
      const ctx = setup(unitTaken);
      if (throttled)
        ctx.book.tokens.waiting = async () => {
          throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
        };
      const j = ctx.job('j', 1);
      await ctx.store.addWaiter(j);
      await ctx.admission.sweep(ctx.model);
      expect(ctx.opened()).toBe(true);
      expect(await ctx.store.waiters(ctx.model)).toEqual([j]);
    }
  });
});
