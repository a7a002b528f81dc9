import { describe, expect, it, vi } from 'vitest';
import { clientGetter } from '#shared/sdk/lazy-client.ts';

describe('clientGetter', () => {
  it('returns a given instance as is', async () => {
    const client = { name: 'c' };
    expect(await clientGetter(client)()).toBe(client);
  });

  it('builds the client once, on first use', async () => {
    const factory = vi.fn(async () => ({ name: 'c' }));
    const get = clientGetter(factory);
    expect(factory).not.toHaveBeenCalled();
    const [a, b] = await Promise.all([get(), get()]);
    expect(a).toBe(b);
    expect(factory).toHaveBeenCalledTimes(1);
  });

  it('tries again after a failed build', async () => {
    const factory = vi
      .fn<() => Promise<{ name: string }>>()
      .mockRejectedValueOnce(new Error('no network'))
      .mockResolvedValueOnce({ name: 'c' });
    const get = clientGetter(factory);
    await expect(get()).rejects.toThrow('no network');
    expect(await get()).toEqual({ name: 'c' });
    expect(factory).toHaveBeenCalledTimes(2);
  });
});
