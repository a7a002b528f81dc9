import { describe, expect, it, vi } from 'vitest';
import { deferred } from '#shared/runtime/deferred.ts';

function counter(start: number) {
  let n = start;
  return {
    async add(by: number) {
      n += by;
      return n;
    },
    async fail() {
      throw new Error('refused');
    },
  };
}

describe('deferred', () => {
  it('builds the service on the first call, once, and passes arguments and results through', async () => {
    const build = vi.fn(async () => counter(10));
    const service = deferred(build, { add: true, fail: true });
    expect(build).not.toHaveBeenCalled();
    const [a, b] = await Promise.all([service.add(1), service.add(2)]);
    expect([a, b].sort()).toEqual([11, 13]);
    expect(await service.add(0)).toBe(13);
    expect(build).toHaveBeenCalledTimes(1);
  });

  it("rejects with the service's own error", async () => {
    const service = deferred(async () => counter(0), { add: true, fail: true });
    await expect(service.fail()).rejects.toThrow('refused');
  });

  it('tries the build again after it failed', async () => {
    const build = vi
      .fn<() => Promise<ReturnType<typeof counter>>>()
      .mockRejectedValueOnce(new Error('import failed'))
      .mockResolvedValueOnce(counter(5));
    const service = deferred(build, { add: true, fail: true });
    await expect(service.add(1)).rejects.toThrow('import failed');
    expect(await service.add(1)).toBe(6);
    expect(build).toHaveBeenCalledTimes(2);
  });

  it('is not a thenable, so awaiting the service itself does not call it', async () => {
    const build = vi.fn(async () => counter(0));
    const service = deferred(build, { add: true, fail: true });
    expect(await Promise.resolve(service)).toBe(service);
    expect(build).not.toHaveBeenCalled();
  });
});
