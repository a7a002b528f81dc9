import { describe, expect, it } from 'vitest';
import { retryOnDeadlock } from '#shared/db/deadlock-retry.ts';

/** As node-postgres and PGlite report it (the SQL state in `code`), wrapped by drizzle in `cause`. */
const driverDeadlock = () =>
  Object.assign(new Error('Failed query: …'), {
    cause: Object.assign(new Error('deadlock detected'), { code: '40P01' }),
  });
/** As the Data API reports it (the SQL state in the message). */
const dataApiDeadlock = () => new Error('ERROR: deadlock detected; SQLState: 40P01');

describe('retryOnDeadlock', () => {
  it.each([
    ['a driver', driverDeadlock],
    ['the Data API', dataApiDeadlock],
  ])('runs a statement again after %s reports it the deadlock victim', async (_, deadlock) => {
    let calls = 0;
    const result = await retryOnDeadlock(async () => {
      calls += 1;
      if (calls === 1) throw deadlock();
      return 'done';
    });
    expect(result).toBe('done');
    expect(calls).toBe(2);
  });

  it('throws any other error at once', async () => {
    let calls = 0;
    const unique = Object.assign(new Error('duplicate key'), { code: '23505' });
    await expect(
      retryOnDeadlock(async () => {
        calls += 1;
        throw unique;
      }),
    ).rejects.toBe(unique);
    expect(calls).toBe(1);
  });

  it('gives up after the attempts, with the last deadlock', async () => {
    let calls = 0;
    await expect(
      retryOnDeadlock(async () => {
        calls += 1;
        throw driverDeadlock();
      }, 3),
    ).rejects.toThrow('Failed query');
    expect(calls).toBe(3);
  });
});
