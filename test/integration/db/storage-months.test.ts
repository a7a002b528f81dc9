/**
 * GET /v1/me/usage reports a month's storage as S3 bills it: the byte-hours held within the month, their
 * GB-months (2^30 bytes over the month's own hours) and the bytes held at its end. The meter is a trigger
 * on users.storage_used, so every path that changes it keeps the months right; these tests move its clock
 * back through the database, then change storage through the repositories across month boundaries.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { rawRows } from '#shared/db/sql.ts';
import { PRICE_TABLE } from '#shared/usage/prices.ts';
import { monthlyUsage } from '#shared/usage/usage.ts';
import { describeEachDriver } from '#test/support/db-drivers.ts';
import { newOwner, suiteDatabase } from '#test/support/repositories.ts';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const HOUR = 3_600_000;

/** The first instant (UTC) of the month `back` months before the current one. */
function monthStart(back: number): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
}
const label = (start: Date) => start.toISOString().slice(0, 7);
const daysIn = (start: Date) =>
  new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 0)).getUTCDate();

/** What the usage of a month should say of its storage, for `bytes` held `ms` milliseconds within it. */
function expected(start: Date, bytes: number, ms: bigint, endBytes: number) {
  const product = BigInt(bytes) * ms;
  // The same decimal the database computes (byte-seconds to the millisecond), read the same way.
  const byteHours = Number(`${product / 1000n}.${(product % 1000n).toString().padStart(3, '0')}`) / 3600;
  const gbMonths = byteHours / GiB / (daysIn(start) * 24);
  return {
    storageBytes: endBytes,
    storageByteHours: Number(byteHours.toFixed(3)),
    storageGbMonths: Number(gbMonths.toFixed(9)),
    s3Storage: Number((gbMonths * PRICE_TABLE.s3PerGbMonthUsd).toFixed(6)),
  };
}

describeEachDriver('storage by month on', (driver) => {
  const { t, repos } = suiteDatabase(driver);

  const register = (userId: string, projectId: string, bytes: number) =>
    repos.clips.register({
      userId,
      projectId,
      title: 'c',
      duration: 1,
      fileUrl: `users/${userId}/${projectId}/c.mp4`,
      fileSize: bytes,
      resolution: '640x360',
      format: 'mp4',
    });

  /** Pretends the user's storage has held unchanged since `since`, with nothing metered before it. */
  async function heldSince(userId: string, since: Date) {
    await t.db.execute(sql`DELETE FROM storage_months WHERE user_id = ${userId}::uuid`);
    await t.db.execute(
      sql`UPDATE users SET storage_metered_at = ${since.toISOString()}::timestamptz WHERE id = ${userId}::uuid`,
    );
  }

  const meteredAt = async (userId: string) => {
    const [row] = await rawRows<{ at: string }>(
      t.db,
      sql`SELECT to_char(storage_metered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at
          FROM users WHERE id = ${userId}::uuid`,
    );
    return new Date(row!.at);
  };

  const storageOf = async (userId: string, start: Date, now?: Date) => {
    const usage = await monthlyUsage(t.db, userId, label(start), now);
    return {
      storageBytes: usage.storageBytes,
      storageByteHours: usage.storageByteHours,
      storageGbMonths: usage.storageGbMonths,
      s3Storage: usage.estimatedCostUsd.s3Storage,
    };
  };

  it('gives each month a clip spanned its own byte-hours, and its deletion closes the current month', async () => {
    const { user, project } = await newOwner(repos, 'sm');
    const clip = await register(user.id, project.id, 512 * MiB);
    const twoBack = monthStart(2);
    const oneBack = monthStart(1);
    const current = monthStart(0);
    // Held from the 11th of two months ago; nothing before.
    const since = new Date(twoBack.getTime() + 10 * 24 * HOUR);
    await heldSince(user.id, since);

    await repos.clips.remove(user.id, clip.id);
    const deletedAt = await meteredAt(user.id);
    expect(deletedAt.getTime()).toBeGreaterThanOrEqual(current.getTime());

    expect(await storageOf(user.id, monthStart(3))).toEqual(expected(monthStart(3), 0, 0n, 0));
    expect(await storageOf(user.id, twoBack)).toEqual(
      expected(twoBack, 512 * MiB, BigInt((daysIn(twoBack) - 10) * 24 * HOUR), 512 * MiB),
    );
    // A whole month of half a GiB is half a GB-month.
    expect(await storageOf(user.id, oneBack)).toEqual({
      storageBytes: 512 * MiB,
      storageByteHours: 512 * MiB * daysIn(oneBack) * 24,
      storageGbMonths: 0.5,
      s3Storage: 0.5 * PRICE_TABLE.s3PerGbMonthUsd,
    });
    // Later in the month nothing more is held.
    const later = new Date(Math.max(deletedAt.getTime(), Date.now()));
    expect(await storageOf(user.id, current, later)).toEqual(
      expected(current, 512 * MiB, BigInt(deletedAt.getTime() - current.getTime()), 0),
    );
    const usage = await monthlyUsage(t.db, user.id, label(oneBack));
    expect(usage.estimatedCostUsd.total).toBeCloseTo(usage.estimatedCostUsd.s3Storage, 9);
  });

  it('counts the current month up to now while storage holds, and a project deletion ends it', async () => {
    const { user, project } = await newOwner(repos, 'sm');
    await register(user.id, project.id, 100 * MiB);
    await register(user.id, project.id, 28 * MiB);
    const oneBack = monthStart(1);
    const current = monthStart(0);
    const since = new Date(oneBack.getTime() + 20 * 24 * HOUR + 12 * HOUR);
    await heldSince(user.id, since);

    // Unchanged since last month: its end and this month so far both read what is held now.
    const lastMonth = expected(
      oneBack,
      128 * MiB,
      BigInt((daysIn(oneBack) - 20) * 24 * HOUR - 12 * HOUR),
      128 * MiB,
    );
    expect(await storageOf(user.id, oneBack)).toEqual(lastMonth);
    const dayAndHalf = new Date(current.getTime() + 36 * HOUR);
    expect(await storageOf(user.id, current, dayAndHalf)).toEqual(
      expected(current, 128 * MiB, BigInt(36 * HOUR), 128 * MiB),
    );

    await repos.projects.remove(user.id, project.id);
    const deletedAt = await meteredAt(user.id);
    expect(await storageOf(user.id, oneBack)).toEqual(lastMonth);
    const later = new Date(Math.max(deletedAt.getTime(), Date.now()));
    expect(await storageOf(user.id, current, later)).toEqual(
      expected(current, 128 * MiB, BigInt(deletedAt.getTime() - current.getTime()), 0),
    );
  });

  it('adds each level for the time it held within one month, and a reservation adds nothing', async () => {
    const { user, project } = await newOwner(repos, 'sm');
    const oneBack = monthStart(1);
    const current = monthStart(0);
    // 300 MiB from the 3rd of last month, then 100 MiB of it deleted on the 13th, through the database.
    await t.db.execute(sql`
      INSERT INTO storage_months (user_id, month, byte_seconds, closing_bytes)
      VALUES (${user.id}::uuid, ${`${label(oneBack)}-01`}::date, ${String(300 * MiB * 10 * 86_400)}::numeric,
              ${200 * MiB})`);
    await t.db.execute(sql`UPDATE users SET storage_used = ${200 * MiB} WHERE id = ${user.id}::uuid`);
    await t.db.execute(sql`
      UPDATE users SET storage_metered_at = ${new Date(oneBack.getTime() + 12 * 24 * HOUR).toISOString()}::timestamptz
      WHERE id = ${user.id}::uuid`);
    await repos.reservations.create({
      id: randomUUID(),
      userId: user.id,
      projectId: project.id,
      bytes: 50 * MiB,
      ttlSeconds: 3600,
    });

    await register(user.id, project.id, 10 * MiB);
    const registeredAt = await meteredAt(user.id);
    const heldMs = (daysIn(oneBack) - 12) * 24 * HOUR;
    const usage = await storageOf(user.id, oneBack);
    const byteHours = 300 * MiB * 10 * 24 + (200 * MiB * heldMs) / HOUR;
    expect(usage).toEqual({
      storageBytes: 200 * MiB,
      storageByteHours: byteHours,
      storageGbMonths: Number((byteHours / GiB / (daysIn(oneBack) * 24)).toFixed(9)),
      s3Storage: Number(
        ((byteHours / GiB / (daysIn(oneBack) * 24)) * PRICE_TABLE.s3PerGbMonthUsd).toFixed(6),
      ),
    });
    const later = new Date(Math.max(registeredAt.getTime(), Date.now()));
    const held = BigInt(registeredAt.getTime() - current.getTime());
    const now = await storageOf(user.id, current, later);
    const plus = BigInt(later.getTime() - registeredAt.getTime());
    const product = BigInt(200 * MiB) * held + BigInt(210 * MiB) * plus;
    const nowHours = Number(`${product / 1000n}.${(product % 1000n).toString().padStart(3, '0')}`) / 3600;
    expect(now.storageBytes).toBe(210 * MiB);
    expect(now.storageByteHours).toBe(Number(nowHours.toFixed(3)));
  });

  // Only a real server runs statements at once (PGlite has one connection): declared only there.
  if (driver.realServer)
    it('meters parallel registrations and deletions in the order their row lock gives them', async () => {
      const { user, project } = await newOwner(repos, 'sm');
      const before = await meteredAt(user.id);
      const registered = await Promise.all(
        Array.from({ length: 20 }, () => register(user.id, project.id, MiB)),
      );
      const removed = await Promise.allSettled([
        ...registered.map((c) => repos.clips.remove(user.id, c.id)),
        ...Array.from({ length: 10 }, () => register(user.id, project.id, MiB)),
      ]);
      expect(removed.filter((r) => r.status === 'rejected')).toEqual([]);
      const after = await meteredAt(user.id);
      const [row] = await rawRows<{ seconds: string; closing: string; used: string }>(
        t.db,
        sql`SELECT sum(m.byte_seconds)::text AS seconds, u.storage_used::text AS used,
                   (SELECT closing_bytes FROM storage_months WHERE user_id = u.id ORDER BY month DESC LIMIT 1)::text AS closing
            FROM users u JOIN storage_months m ON m.user_id = u.id WHERE u.id = ${user.id}::uuid GROUP BY u.id`,
      );
      expect(Number(row!.used)).toBe(10 * MiB);
      expect(Number(row!.closing)).toBe(10 * MiB);
      // Never more than the most ever held (30 MiB) over the whole time, and something was held.
      expect(Number(row!.seconds)).toBeGreaterThan(0);
      expect(Number(row!.seconds)).toBeLessThanOrEqual(
        (30 * MiB * (after.getTime() - before.getTime())) / 1000,
      );
    });
});
