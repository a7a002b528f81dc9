import { expect, it } from 'vitest';
import type { DeliveryQueue } from '#shared/webhooks/deliveries.ts';
import { createDispatcher, type Deliverer } from '#shared/webhooks/dispatcher.ts';

it('looks again at once when nudged during a round, not only at the next poll', async () => {
  let looks = 0;
  let release: (() => void) | undefined;
  const queue = {
    // The first look is held open until the test has nudged: deliveries committed after it began.
    anyDue: async () => {
      looks += 1;
      if (looks === 1) await new Promise<void>((resolve) => (release = resolve));
      return false;
    },
    claim: async () => [],
  } as unknown as DeliveryQueue;
  const deliverer = { leaseMs: 1_000, deliver: async () => undefined } as unknown as Deliverer;
  // A poll far longer than the test's timeout: only the nudge can bring the second look.
  const sender = createDispatcher(queue, deliverer, { pollMs: 600_000 });
  sender.start();
  while (!release) await new Promise((r) => setTimeout(r, 1));
  sender.nudge();
  release();
  while (looks < 2) await new Promise((r) => setTimeout(r, 1));
  await sender.stop();
  expect(looks).toBe(2);
}, 10_000);
