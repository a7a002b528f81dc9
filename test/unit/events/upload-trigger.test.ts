import { expect, it } from 'vitest';
import { objectsOf } from '#functions/events/upload-trigger.ts';

const key = 'uploads/u/p/x/my_clip.mp4';

it('reads the object from an EventBridge "Object Created" event', () => {
  expect(objectsOf({ detail: { object: { key, size: 1234 } } } as Parameters<typeof objectsOf>[0])).toEqual([
    { key, size: 1234 },
  ]);
});

it('reads and URL-decodes the objects of S3 notification records (s3rver locally)', () => {
  const event = {
    Records: [
      { s3: { object: { key: 'uploads/u/p/x/my+clip%281%29.mp4', size: 5 } } },
      { s3: { object: { key, size: 7 } } },
    ],
  } as unknown as Parameters<typeof objectsOf>[0];
  expect(objectsOf(event)).toEqual([
    { key: 'uploads/u/p/x/my clip(1).mp4', size: 5 },
    { key, size: 7 },
  ]);
});
