/**
 * A refused job submission names each field where it is in the request, as the request schema does for
 * its own checks (`body.jobType`): what only the job service can check (a prompt once a template fills it,
 * parameters per job type, the model's limits, source clips, trims) says `body.prompt`,
 * `body.parameters.…` and `body.sourceClipIds` too, so a client maps every error to a field one way.
 */
import { expect, it } from 'vitest';
import { ValidationError } from '#shared/errors.ts';
import { createJobService, type JobSubmission } from '#shared/jobs/service.ts';

const CLIP = '6b0f3c1e-7d2a-4f7b-9a51-3c2d8e9f0a11';
const TEMPLATE = '0d4f2f6a-51c4-4b8e-9a0f-7d3c2b1a0e99';

const service = createJobService({
  users: { getById: async () => ({ subscriptionTier: 'PRO' }) },
  clips: {
    getMany: async (_user: string, ids: string[]) =>
      ids.map((id) => ({ id, duration: 1, resolution: '640x360', system: {} })),
  },
  templates: { get: async () => ({ prompt: 'a {{animal}} at dusk', parameters: {} }) },
  jobs: {},
  workflow: {},
  store: { deleteKeys: async () => undefined },
  enabledModels: ['local', 'luma-ray2'],
} as unknown as Parameters<typeof createJobService>[0]);

async function refusedPaths(submission: object): Promise<string[]> {
  const error = await service.submit('user', 'project', submission as JobSubmission).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).issues.map((issue) => issue.path);
}

it('names fields the service checks as the request schema does: body.…', async () => {
  const generate = { jobType: 'GENERATE', prompt: 'a lighthouse' };
  expect(await refusedPaths({ ...generate, parameters: { variables: { animal: 'fox' } } })).toEqual([
    'body.parameters.variables',
  ]);
  expect(await refusedPaths({ ...generate, prompt: undefined, templateId: TEMPLATE })).toEqual([
    'body.parameters.variables.animal',
  ]);
  expect(
    await refusedPaths({
      ...generate,
      templateId: TEMPLATE,
      parameters: { variables: { animal: 'fox', x: '1' } },
    }),
  ).toEqual(['body.parameters.variables.x']);
  expect(
    await refusedPaths({
      ...generate,
      templateId: TEMPLATE,
      prompt: 'x'.repeat(2000),
      parameters: { variables: { animal: 'fox' } },
    }),
  ).toEqual(['body.prompt']);
  expect(await refusedPaths({ ...generate, parameters: { durationSeconds: 'long' } })).toEqual([
    'body.parameters.durationSeconds',
  ]);
  expect(await refusedPaths({ ...generate, parameters: { model: 'nova-reel' } })).toEqual([
    'body.parameters.model',
  ]);
  expect(await refusedPaths({ ...generate, parameters: { model: 'luma-ray2', seed: 7 } })).toEqual([
    'body.parameters.seed',
  ]);
  expect(await refusedPaths({ ...generate, sourceClipIds: [CLIP] })).toEqual(['body.sourceClipIds']);
  expect(await refusedPaths({ ...generate, parameters: { imageClipId: CLIP } })).toEqual([
    'body.parameters.imageClipId',
  ]);
  expect(
    await refusedPaths({ jobType: 'TRANSCODE', prompt: 'mp4', parameters: {}, sourceClipIds: [] }),
  ).toEqual(['body.sourceClipIds']);
  const edit = { jobType: 'EDIT', prompt: 'cut' };
  expect(await refusedPaths({ ...edit, parameters: { clips: [{ clipId: CLIP, start: 2 }] } })).toEqual([
    'body.parameters.clips.0.start',
  ]);
  expect(
    await refusedPaths({ ...edit, parameters: { clips: [{ clipId: CLIP }] }, sourceClipIds: [TEMPLATE] }),
  ).toEqual(['body.sourceClipIds']);
});
