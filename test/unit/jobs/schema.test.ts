/**
 * Job parameters are stored in the job's row, which every read of the job returns through the RDS Data API:
 * a row over 64 KB cannot be read back at all ("Limitations for the Amazon RDS Data API"), so a job whose
 * parameters were unbounded could be created and then never read, listed or run.
 */
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { createJobBody } from '#shared/jobs/schema.ts';

it('refuses parameters over 16 KiB of JSON, naming the field', () => {
  const variables = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`v${i}`, 'x'.repeat(500)]));
  const parsed = createJobBody.safeParse({
    jobType: 'GENERATE',
    prompt: 'a fox',
    parameters: { model: 'local', variables },
  });
  expect(parsed.success).toBe(false);
  expect(parsed.error?.issues.map((i) => i.path.join('.'))).toContain('parameters');
});

it('takes the largest legitimate parameters: an EDIT of 150 trimmed clips', () => {
  const clips = Array.from({ length: 150 }, () => ({ clipId: randomUUID(), start: 1234.567, end: 2345.678 }));
  const parsed = createJobBody.safeParse({
    jobType: 'EDIT',
    prompt: 'a montage',
    parameters: { clips, resolution: '1920x1080', variables: { mood: 'calm' } },
  });
  expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
});
