import { describe, expect, it } from 'vitest';
import { resolutionFitsTier, TIER_LIMITS } from '#shared/users/tiers.ts';

describe('subscription tiers', () => {
  it('grows storage and job limits with the tier', () => {
    expect(TIER_LIMITS.FREE.storageLimit).toBe(1024 ** 3);
    expect(TIER_LIMITS.ENTERPRISE.storageLimit).toBe(1024 ** 4);
    expect(TIER_LIMITS.FREE.concurrentJobs).toBeLessThan(TIER_LIMITS.BASIC.concurrentJobs);
    expect(TIER_LIMITS.PRO.maxDurationSeconds).toBe(120);
  });

  it('accepts a frame within the tier in either orientation and rejects a larger one', () => {
    expect(resolutionFitsTier('FREE', 1920, 1080)).toBe(true);
    expect(resolutionFitsTier('FREE', 1080, 1920)).toBe(true);
    expect(resolutionFitsTier('FREE', 3840, 2160)).toBe(false);
    expect(resolutionFitsTier('PRO', 3840, 2160)).toBe(true);
  });
});
