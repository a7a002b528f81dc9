/**
 * The capacity store on DynamoDB. One partition per model holds its units as slot items
 * (`slot#0` … `slot#{capacity-1}`, created on first use) and its waiters (`waiter#{jobId}`).
 *
 * A unit is a slot whose `holder` is set: taking one is a conditional update of that slot
 * (`attribute_not_exists(holder)`), releasing it a conditional removal (`holder = :job`), and handing it
 * to a waiter a single conditional update of the holder. Each step is one item, so it is atomic without
 * transactions, there is no counter that could drift from the leases, and a release applied twice
 * changes nothing the second time. Lowering a model's capacity leaves the higher slots to drain: only
 * slots below the capacity are ever granted.
 *
 * Granting first takes the waiter out of the line (a conditional delete only one grant wins), then a free
 * slot; with none left after all, the waiter goes back in line as it was, and the grant says so: a job
 * that ended meanwhile found no record to take out, so the caller asks whether its state still waits (a
 * tombstone at every removal would close that too, at a write per job). Handing a unit over moves the
 * slot, then takes the waiter; if it was gone, the slot is given back and the caller looks again. So a
 * job never keeps two units, and no grant briefly holds a slot it must give back.
 *
 * Each user's last grant (`served#{userId}`, for fair order) is an item of the partition too, one per user
 * served in the last hours. Its keys sort before `slot#` and `waiter#`, so the line (slots and waiters) is
 * one range read that never carries them, and only the waiting users' items are then read, by key.
 */
import { randomInt } from 'node:crypto';
import {
  BatchGetCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { CapacityStore, GrantResult, Lease, Line, Waiter } from './store.ts';

export const CAPACITY_TABLE_KEYS = { partition: 'pk', sort: 'sk', ttl: 'ttl' } as const;

interface SlotItem {
  pk: string;
  sk: string;
  holder?: string;
  userId?: string;
  expiresAt?: number;
  taskToken?: string;
  grantedAt?: number;
}

const pk = (model: string) => `model#${model}`;
const slotKey = (index: number) => `slot#${String(index).padStart(4, '0')}`;
const waiterKey = (jobId: string) => `waiter#${jobId}`;
const servedKey = (userId: string) => `served#${userId}`;
/** Where the line starts: after every `served#` item, at the first slot (`waiter#` items sort after slots). */
const LINE_FROM = 'slot#';
/** How long a user's last grant is remembered for fair order (TTL removes the item later). */
const SERVED_MEMORY_S = 6 * 3600;
const asWaiter = (model: string, item: Record<string, unknown>): Waiter => ({
  model,
  jobId: item.jobId as string,
  userId: item.userId as string,
  enqueuedAt: item.enqueuedAt as number,
  taskToken: item.taskToken as string,
});
const isConditionFailure = (error: unknown) =>
  (error as { name?: string }).name === 'ConditionalCheckFailedException';

export function dynamoCapacityStore(client: DynamoDBDocumentClient, table: string): CapacityStore {
  /** The model's items whose sort key starts with `prefix`, or with `from`, those from that key on. */
  async function query(model: string, range: { prefix: string } | { from: string }) {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    const [condition, values] =
      'prefix' in range
        ? ['pk = :pk AND begins_with(sk, :prefix)', { ':pk': pk(model), ':prefix': range.prefix }]
        : ['pk = :pk AND sk >= :from', { ':pk': pk(model), ':from': range.from }];
    do {
      const out = await client.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: condition,
          ExpressionAttributeValues: values,
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  const slots = async (model: string) => (await query(model, { prefix: 'slot#' })) as unknown as SlotItem[];
  /** The slots a line shows held (only their keys and holders); undefined when it does not name them. */
  const slotsSeen = (model: string, seen: Line | undefined): SlotItem[] | undefined => {
    if (!seen || seen.leases.some((l) => l.unit === undefined)) return undefined;
    return seen.leases.map((l) => ({ pk: pk(model), sk: l.unit!, holder: l.jobId, taskToken: l.taskToken }));
  };

  /** When each of these users was last granted a unit (strongly consistent reads by key). */
  async function servedAtOf(model: string, userIds: string[]): Promise<Record<string, number>> {
    const servedAt: Record<string, number> = {};
    const nowS = Date.now() / 1000;
    for (let i = 0; i < userIds.length; i += 100) {
      let keys: Record<string, unknown>[] = userIds
        .slice(i, i + 100)
        .map((u) => ({ pk: pk(model), sk: servedKey(u) }));
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** Math.min(attempt, 6)));
        const out = await client.send(
          new BatchGetCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const item of out.Responses?.[table] ?? []) {
          if ((item.ttl as number) < nowS) continue;
          servedAt[(item.sk as string).slice('served#'.length)] = item.servedAt as number;
        }
        keys = out.UnprocessedKeys?.[table]?.Keys ?? [];
      }
    }
    return servedAt;
  }
  /** Whether the waiter's record is there (a strongly consistent read of that one item). */
  async function isWaiting(waiter: Waiter) {
    const out = await client.send(
      new GetCommand({
        TableName: table,
        Key: { pk: pk(waiter.model), sk: waiterKey(waiter.jobId) },
        ProjectionExpression: 'sk',
        ConsistentRead: true,
      }),
    );
    return out.Item !== undefined;
  }
  const asLease = (model: string, s: SlotItem): Lease => ({
    model,
    jobId: s.holder!,
    userId: s.userId!,
    expiresAt: s.expiresAt!,
    taskToken: s.taskToken!,
    grantedAt: s.grantedAt!,
    unit: s.sk,
  });

  /** Sets the slot's holder if `condition` holds; false when it did not. */
  async function setHolder(
    model: string,
    sk: string,
    lease: Omit<Lease, 'model'>,
    condition: string,
    values: Record<string, unknown> = {},
  ) {
    try {
      await client.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: pk(model), sk },
          UpdateExpression:
            'SET holder = :job, userId = :user, expiresAt = :exp, taskToken = :token, grantedAt = :at',
          ConditionExpression: condition,
          ExpressionAttributeValues: {
            ':job': lease.jobId,
            ':user': lease.userId,
            ':exp': lease.expiresAt,
            ':token': lease.taskToken,
            ':at': lease.grantedAt,
            ...values,
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Frees the slot if it is still held by the job with this token (and, when given, expired then). */
  async function freeSlot(model: string, sk: string, jobId: string, token?: string, expiredBefore?: number) {
    const conditions = ['holder = :job'];
    const values: Record<string, unknown> = { ':job': jobId };
    if (token !== undefined) {
      conditions.push('taskToken = :token');
      values[':token'] = token;
    }
    if (expiredBefore !== undefined) {
      conditions.push('expiresAt < :before');
      values[':before'] = expiredBefore;
    }
    try {
      await client.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: pk(model), sk },
          UpdateExpression: 'REMOVE holder, userId, expiresAt, taskToken, grantedAt',
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  const heldOf = (current: SlotItem[]) =>
    new Set(current.filter((s) => s.holder !== undefined).map((s) => s.sk));

  /** Removes the waiter record and returns it whole; undefined when there was none. */
  async function takeWaiterRecord(waiter: Waiter): Promise<Record<string, unknown> | undefined> {
    try {
      const out = await client.send(
        new DeleteCommand({
          TableName: table,
          Key: { pk: pk(waiter.model), sk: waiterKey(waiter.jobId) },
          ConditionExpression: 'attribute_exists(sk)',
          ReturnValues: 'ALL_OLD',
        }),
      );
      return out.Attributes;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** Removes the waiter record and returns its token; undefined when there was none. */
  const takeWaiter = async (waiter: Waiter): Promise<string | undefined> =>
    (await takeWaiterRecord(waiter))?.taskToken as string | undefined;

  /** Puts a taken waiter record back unless the job registered again meanwhile; false then. */
  async function putBack(record: Record<string, unknown>) {
    try {
      await client.send(
        new PutCommand({ TableName: table, Item: record, ConditionExpression: 'attribute_not_exists(sk)' }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** The user goes to the back of its rank in fair order. */
  async function markServed(waiter: Waiter, now: number) {
    await client.send(
      new PutCommand({
        TableName: table,
        Item: {
          pk: pk(waiter.model),
          sk: servedKey(waiter.userId),
          servedAt: now,
          [CAPACITY_TABLE_KEYS.ttl]: Math.floor(now / 1000) + SERVED_MEMORY_S,
        },
      }),
    );
  }

  /**
   * The slot now goes to the waiter; its lease takes the record's token if that was renewed meanwhile.
   * The token answered is the one this hand-over left on the lease: when a retry of the job took the unit
   * up first (its own token), that retry answers its token and takes the unit back if nothing waits on it.
   */
  async function settle(waiter: Waiter, sk: string, now: number): Promise<GrantResult> {
    const token = await takeWaiter(waiter);
    if (token === undefined) {
      await freeSlot(waiter.model, sk, waiter.jobId, waiter.taskToken);
      return 'returned';
    }
    const written =
      token === waiter.taskToken || (await retoken(waiter.model, sk, waiter.jobId, token, waiter.taskToken))
        ? token
        : waiter.taskToken;
    await markServed(waiter, now);
    return { taskToken: written };
  }

  async function retoken(model: string, sk: string, jobId: string, token: string, from: string) {
    try {
      await client.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: pk(model), sk },
          UpdateExpression: 'SET taskToken = :token',
          ConditionExpression: 'holder = :job AND taskToken = :from',
          ExpressionAttributeValues: { ':token': token, ':job': jobId, ':from': from },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  const leaseOf = (waiter: Waiter, expiresAt: number, now: number) => ({
    jobId: waiter.jobId,
    userId: waiter.userId,
    expiresAt,
    taskToken: waiter.taskToken,
    grantedAt: now,
  });

  return {
    async grant(waiter, capacity, expiresAt, now, seen) {
      // The slots only: whether the waiter is still in line is settled by taking its record below, so
      // the look does not read the whole line (every waiter) once per waiter served. A line read just
      // before serves as that look: every write below is conditional on the slot as it is then.
      const current = slotsSeen(waiter.model, seen) ?? (await slots(waiter.model));
      // Served by another grant since the line was read (mid hand-over it holds a slot and is still in
      // line): nothing to write.
      if (current.some((s) => s.holder === waiter.jobId)) return 'waiter-changed';
      // Slots above a lowered capacity still count until their holders are done.
      if (heldOf(current).size >= capacity) return 'full';
      // The waiter leaves the line first: of concurrent grants to it only one gets past here, and no
      // grant holds a slot it must give back (which would make others see the model full).
      const record = await takeWaiterRecord(waiter);
      if (!record) return 'gone';
      const taken = { ...waiter, taskToken: record.taskToken as string };
      let slotsNow = current;
      for (let look = 0; look < 3; look++) {
        const held = heldOf(slotsNow);
        if (held.size >= capacity) break;
        const free = Array.from({ length: capacity }, (_, i) => slotKey(i)).filter((sk) => !held.has(sk));
        // Concurrent grants pick different slots more often when they start at random ones.
        const offset = randomInt(free.length);
        for (let i = 0; i < free.length; i++) {
          const sk = free[(offset + i) % free.length]!;
          if (
            await setHolder(waiter.model, sk, leaseOf(taken, expiresAt, now), 'attribute_not_exists(holder)')
          ) {
            await markServed(waiter, now);
            return { taskToken: taken.taskToken, unit: sk };
          }
        }
        slotsNow = await slots(waiter.model);
      }
      // No slot after all: back in line as it was, unless it registered again meanwhile (that attempt
      // checks its own token). The job may have ended while its record was out, its removal finding
      // nothing: the caller, told of the put-back, asks whether its state still waits.
      const back = await putBack(record);
      // A unit freed while the waiter was out of line is found by the caller's next look.
      const refused = heldOf(await slots(waiter.model)).size < capacity ? 'waiter-changed' : 'full';
      return back ? { refused, putBack: asWaiter(waiter.model, record) } : refused;
    },

    async transfer(fromJobId, waiter, expiresAt, now, fromToken, seen) {
      // A line read after the waiter joined shows the unit it held then, if any (one read gave both): a unit
      // handed to it later takes its record first (a grant) or right after (a hand-over, which gives the
      // unit back when the record is gone), so the record decides.
      const shown = seen?.waiters.some((w) => w.jobId === waiter.jobId)
        ? slotsSeen(waiter.model, seen)
        : undefined;
      for (const current of shown ? [shown, undefined] : [undefined]) {
        const [slotsNow, waiting] = await Promise.all([current ?? slots(waiter.model), isWaiting(waiter)]);
        const from = slotsNow.find((s) => s.holder === fromJobId);
        if (!from || (fromToken !== undefined && from.taskToken !== fromToken)) {
          if (current) continue;
          return 'lease-gone';
        }
        if (!waiting || slotsNow.some((s) => s.holder === waiter.jobId)) return 'waiter-changed';
        const moved = await setHolder(
          waiter.model,
          from.sk,
          leaseOf(waiter, expiresAt, now),
          'holder = :from AND taskToken = :fromToken',
          { ':from': fromJobId, ':fromToken': from.taskToken },
        );
        // The line may be behind the holder's unit (a retried state took it up): look at the units again.
        if (!moved && current) continue;
        if (!moved) return 'lease-gone';
        // Without a waiter record (served meanwhile, or gone) the unit is free again: the caller looks on.
        return settle(waiter, from.sk, now);
      }
      return 'lease-gone';
    },

    async release(model, jobId, condition = {}, seen) {
      // The slot the line showed the job holding is freed only while it still does (a conditional write).
      const shown = seen?.leases.find((l) => l.jobId === jobId)?.unit;
      if (shown && (await freeSlot(model, shown, jobId, condition.onlyToken, condition.expiredBefore)))
        return true;
      const slot = (await slots(model)).find((s) => s.holder === jobId);
      if (!slot) return false;
      return freeSlot(model, slot.sk, jobId, condition.onlyToken, condition.expiredBefore);
    },

    async renew(model, jobId, expiresAt) {
      const slot = (await slots(model)).find((s) => s.holder === jobId);
      if (!slot) return false;
      try {
        await client.send(
          new UpdateCommand({
            TableName: table,
            Key: { pk: pk(model), sk: slot.sk },
            UpdateExpression: 'SET expiresAt = :exp',
            ConditionExpression: 'holder = :job',
            ExpressionAttributeValues: { ':exp': expiresAt, ':job': jobId },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async lease(model, jobId) {
      const slot = (await slots(model)).find((s) => s.holder === jobId);
      return slot ? asLease(model, slot) : undefined;
    },

    async claim(model, jobId, taskToken, fromToken) {
      const slot = (await slots(model)).find((s) => s.holder === jobId);
      return slot ? retoken(model, slot.sk, jobId, taskToken, fromToken) : false;
    },

    async addWaiter(waiter) {
      await client.send(
        new PutCommand({
          TableName: table,
          Item: {
            pk: pk(waiter.model),
            sk: waiterKey(waiter.jobId),
            jobId: waiter.jobId,
            userId: waiter.userId,
            enqueuedAt: waiter.enqueuedAt,
            taskToken: waiter.taskToken,
          },
        }),
      );
    },

    async removeWaiter(model, jobId, onlyToken) {
      try {
        const out = await client.send(
          new DeleteCommand({
            TableName: table,
            Key: { pk: pk(model), sk: waiterKey(jobId) },
            ReturnValues: 'ALL_OLD',
            ...(onlyToken === undefined
              ? {}
              : {
                  ConditionExpression: 'taskToken = :token',
                  ExpressionAttributeValues: { ':token': onlyToken },
                }),
          }),
        );
        return out.Attributes !== undefined;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async waiters(model) {
      return (await query(model, { prefix: 'waiter#' })).map((item) => asWaiter(model, item));
    },

    async queue(model, capacity) {
      const items = await query(model, { from: LINE_FROM });
      const waiters = items
        .filter((i) => (i.sk as string).startsWith('waiter#'))
        .map((i) => asWaiter(model, i));
      const leases = (items as unknown as SlotItem[])
        .filter((i) => i.sk.startsWith('slot#') && i.holder !== undefined)
        .map((i) => asLease(model, i));
      // Fair order compares when users were last served only between users: one user waiting needs none,
      // and neither does a grant that can serve every waiter, or none.
      const users = [...new Set(waiters.map((w) => w.userId))];
      const free = capacity === undefined ? undefined : capacity - leases.length;
      const ranked = users.length > 1 && (free === undefined || (free > 0 && waiters.length > free));
      return { servedAt: ranked ? await servedAtOf(model, users) : {}, waiters, leases };
    },

    async leases(model) {
      return (await slots(model)).filter((s) => s.holder !== undefined).map((s) => asLease(model, s));
    },

    async inUse(model) {
      return (await slots(model)).filter((s) => s.holder !== undefined).length;
    },
  };
}
