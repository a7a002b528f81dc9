import { expect, it } from 'vitest';
import { orientFrame } from '#shared/pipeline/tasks.ts';

it('turns a requested frame to the shape of its source', () => {
  const landscape = { width: 1280, height: 720 };
  expect(orientFrame(landscape, { width: 360, height: 640 })).toEqual({ width: 720, height: 1280 });
  expect(orientFrame(landscape, { width: 1920, height: 1080 })).toEqual(landscape);
  expect(orientFrame(landscape, { width: 480, height: 480 })).toEqual({ width: 720, height: 720 });
  expect(orientFrame({ width: 720, height: 1280 }, { width: 640, height: 360 })).toEqual(landscape);
  expect(orientFrame({ width: 1080, height: 1080 }, { width: 360, height: 640 })).toEqual({
    width: 1080,
    height: 1080,
  });
});
