import { describe, expect, it } from 'vitest';
import {
  describeModels,
  effectiveGenerate,
  enabledModelsFromEnv,
  lifecycleOf,
  MODELS,
  modelIssues,
  unavailability,
} from '#shared/generation/models.ts';
import { modelsResponse } from '#shared/generation/schema.ts';
import { createPipelineTasks, type PipelineDeps } from '#shared/pipeline/tasks.ts';

const ISSUE_DAY = new Date('2026-11-26T12:00:00Z');

describe('lifecycle', () => {
  it('makes Nova Reel EOL once its end-of-life date has come, and Legacy before', () => {
    expect(lifecycleOf(MODELS['nova-reel'], ISSUE_DAY)).toEqual({
      state: 'EOL',
      legacyDate: '2026-03-30',
      eolDate: '2026-09-30',
    });
    expect(lifecycleOf(MODELS['nova-reel'], new Date('2026-09-29T23:59:59Z')).state).toBe('LEGACY');
    expect(lifecycleOf(MODELS['nova-reel'], new Date('2026-09-30T00:00:00Z')).state).toBe('EOL');
    expect(lifecycleOf(MODELS['luma-ray2'], ISSUE_DAY).state).toBe('ACTIVE');
  });

  it('refuses an EOL model and a model not enabled, naming the model and its state or date', () => {
    const enabled = ['local', 'nova-reel', 'luma-ray2'];
    expect(unavailability('nova-reel', { enabled, now: ISSUE_DAY })).toMatch(
      /Nova Reel \(nova-reel\) reached its end of life on 2026-09-30/,
    );
    expect(unavailability('luma-ray2', { enabled: ['local'], now: ISSUE_DAY })).toMatch(
      /Luma Ray 2 \(luma-ray2\) is not enabled in this deployment/,
    );
    expect(unavailability('luma-ray2', { enabled, now: ISSUE_DAY })).toBeUndefined();
    // A Legacy model still works until its EOL date.
    expect(unavailability('nova-reel', { enabled, now: new Date('2026-06-01T00:00:00Z') })).toBeUndefined();
  });

  it('reads the enabled models of a deployment from ENABLED_MODELS, only the stand-in when unset', () => {
    expect(enabledModelsFromEnv({})).toEqual(['local']);
    expect(enabledModelsFromEnv({ ENABLED_MODELS: 'luma-ray2, nova-reel,unknown' })).toEqual([
      'luma-ray2',
      'nova-reel',
    ]);
  });
});

describe('capabilities from the registry', () => {
  it('refuses what a model cannot make, naming the field', () => {
    const paths = (p: Parameters<typeof modelIssues>[0], prompt?: string) =>
      modelIssues(p, prompt).map((i) => i.path);
    expect(paths({ model: 'luma-ray2', durationSeconds: 7 })).toEqual(['parameters.durationSeconds']);
    expect(paths({ model: 'luma-ray2', resolution: '1920x1080' })).toEqual(['parameters.resolution']);
    expect(paths({ model: 'luma-ray2', imageClipId: 'x' })).toEqual(['parameters.imageClipId']);
    expect(paths({ model: 'luma-ray2', aspectRatio: '9:21', loop: true })).toEqual([]);
    expect(paths({ model: 'luma-ray2' }, 'x'.repeat(5001))).toEqual(['prompt']);
    // Luma's Bedrock request fields hold no seed (Bedrock user guide, "Luma AI models").
    expect(paths({ model: 'luma-ray2', seed: 7 })).toEqual(['parameters.seed']);
    expect(paths({ model: 'nova-reel', seed: 7 })).toEqual([]);
    expect(paths({ model: 'nova-reel', durationSeconds: 7 })).toEqual(['parameters.durationSeconds']);
    expect(paths({ model: 'nova-reel', durationSeconds: 12, imageClipId: 'x' })).toEqual([
      'parameters.imageClipId',
    ]);
    expect(paths({ model: 'nova-reel', aspectRatio: '9:16', loop: true })).toEqual([
      'parameters.aspectRatio',
      'parameters.loop',
    ]);
    expect(paths({ model: 'nova-reel' }, 'x'.repeat(513))).toEqual(['prompt']);
    expect(paths({ model: 'local', durationSeconds: 0.5 })).toEqual(['parameters.durationSeconds']);
    expect(modelIssues({ model: 'nova-reel', durationSeconds: 7 })[0]!.message).toBe(
      'Amazon Nova Reel makes 6–120 s in steps of 6',
    );
  });

  it('gives every Luma aspect ratio its own frame, portrait and square kept, at the requested size class', () => {
    const frame = (
      aspectRatio: Parameters<typeof effectiveGenerate>[0]['aspectRatio'],
      resolution?: string,
    ) =>
      effectiveGenerate({ model: 'luma-ray2', aspectRatio, ...(resolution ? { resolution } : {}) })
        .resolution;
    expect(frame('16:9')).toBe('1280x720');
    expect(frame('9:16')).toBe('720x1280');
    expect(frame('1:1')).toBe('720x720');
    expect(frame('4:3')).toBe('960x720');
    expect(frame('3:4')).toBe('720x960');
    expect(frame('21:9')).toBe('1680x720');
    expect(frame('9:21')).toBe('720x1680');
    expect(frame('9:16', '960x540')).toBe('540x960');
    expect(frame('1:1', '960x540')).toBe('540x540');
    expect(effectiveGenerate({ model: 'luma-ray2', aspectRatio: '9:16' }).requestedResolution).toBe(
      '1280x720',
    );
    expect(effectiveGenerate({ model: 'nova-reel' }).resolution).toBe('1280x720');
    expect(effectiveGenerate({ model: 'local', resolution: '640x360' }).resolution).toBe('640x360');
    expect(effectiveGenerate({ model: 'local', aspectRatio: '9:16' }).resolution).toBe('720x1280');
  });
});

describe('GET /v1/models body', () => {
  it('lists every model with Region, lifecycle and availability, matching the response schema', () => {
    const items = describeModels({ enabled: ['local', 'luma-ray2'], now: ISSUE_DAY });
    expect(modelsResponse.parse({ items }).items).toHaveLength(3);
    const byId = Object.fromEntries(items.map((m) => [m.id, m]));
    expect(byId['luma-ray2']).toMatchObject({
      modelId: 'luma.ray-v2:0',
      region: 'us-west-2',
      lifecycle: 'ACTIVE',
      available: true,
      capabilities: { durations: [5, 9], loop: true, imageInput: false },
    });
    expect(byId['nova-reel']).toMatchObject({
      modelId: 'amazon.nova-reel-v1:1',
      region: 'us-east-1',
      lifecycle: 'EOL',
      eolDate: '2026-09-30',
      available: false,
    });
    const legacy = describeModels({ enabled: ['nova-reel'], now: new Date('2026-06-01T00:00:00Z') });
    expect(legacy.find((m) => m.id === 'nova-reel')).toMatchObject({ lifecycle: 'LEGACY', available: true });
  });
});

describe('the output frame of a GENERATE job', () => {
  it('builds 720x1280 transcode settings for a Luma 9:16 job', async () => {
    const job = {
      id: 'job-1',
      userId: 'u1',
      projectId: 'p1',
      jobType: 'GENERATE',
      parameters: { model: 'luma-ray2', aspectRatio: '9:16', resolution: '1280x720' },
      sourceClipIds: [],
    };
    const deps = {
      jobs: { getForPipeline: async () => job, reportProgress: async () => {} },
      clips: { getMany: async () => [] },
      store: { bucket: 'media' },
      models: {},
    } as unknown as PipelineDeps;
    const { settings } = await createPipelineTasks(deps).buildTranscodeSettings({
      jobId: 'job-1',
      userId: 'u1',
      projectId: 'p1',
      jobType: 'GENERATE',
      generation: {
        handle: 'h',
        model: 'luma-ray2',
        startedAt: 0,
        expectedSeconds: 1,
        videoKey: 'work/u1/job-1/generation/abc/output.mp4',
      },
    });
    const video = JSON.stringify(settings);
    expect(video).toContain('"Width":720');
    expect(video).toContain('"Height":1280');
    expect(video).not.toContain('"Width":1280');
  });
});
