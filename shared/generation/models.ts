/**
 * The video models this service knows: one record per model with its Bedrock id, the AWS Region it is
 * offered in, its lifecycle, what it can make and what a second of video costs. Submission, the adapters,
 * the pipeline's output frame, IAM and GET /v1/models all read this registry.
 *
 * Sources (read 2026-11-26):
 * - Nova Reel model card (Legacy, EOL 2026-09-30):
 *   https://docs.aws.amazon.com/bedrock/latest/userguide/model-card-amazon-nova-reel.html
 * - Luma Ray2 model card (Active, no EOL date):
 *   https://docs.aws.amazon.com/bedrock/latest/userguide/model-card-luma-ai-ray2.html
 * - Luma request fields (5 s / 9 s, 540p / 720p, seven aspect ratios, loop, prompts up to 5000 characters):
 *   https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-luma.html
 * - Nova Reel request fields: https://docs.aws.amazon.com/nova/latest/userguide/video-gen-access.html
 * - Lifecycle states and what Legacy means: https://docs.aws.amazon.com/bedrock/latest/userguide/model-lifecycle.html
 * - Regions: Nova Reel v1:1 us-east-1 (v1:0 us-east-1, eu-west-1, ap-northeast-1) and the Legacy date
 *   2026-03-30, as transcribed from AWS's lifecycle table at
 *   https://www.skills.sh/calesthio/generative-media-skills/amazon-nova-reel (checked there 2026-07-10);
 *   Luma Ray2 us-west-2 (AWS's own Ray2 sample creates its client there:
 *   https://gist.github.com/mikegc-aws). The stored model cards did not show their Region lists.
 * - Prices: https://aws.amazon.com/bedrock/pricing/ renders its numbers client-side, so the stored copy had
 *   none; the figures below are the published on-demand list prices as last known (Nova Reel $0.08/s at
 *   720p; Luma Ray2 $0.75/s at 540p, $1.50/s at 720p). Check that page before relying on them.
 * No other text-to-video model on Bedrock was found active in the documentation on that date.
 */
import type { FieldIssue } from '../errors.ts';

export const VIDEO_MODELS = ['local', 'nova-reel', 'luma-ray2'] as const;
export type VideoModelId = (typeof VIDEO_MODELS)[number];
export const ASPECT_RATIOS = ['16:9', '9:16', '1:1', '4:3', '3:4', '21:9', '9:21'] as const;
export type AspectRatio = (typeof ASPECT_RATIOS)[number];

export type LifecycleState = 'ACTIVE' | 'LEGACY' | 'EOL';
export interface Range {
  min: number;
  max: number;
}

export interface ModelSpec {
  id: VideoModelId;
  name: string;
  provider: string;
  /** The Bedrock model id; null for the local stand-in. */
  modelId: string | null;
  /** The AWS Region the model is invoked in; null for the local stand-in. */
  region: string | null;
  /** The state AWS announced, with its dates (YYYY-MM-DD). EOL follows from eolDate. */
  lifecycle: { state: 'ACTIVE' | 'LEGACY'; legacyDate?: string; eolDate?: string };
  capabilities: {
    durations: readonly number[] | Range;
    /** The sizes a job may ask for (the frame then follows the aspect ratio); 'any' for the stand-in. */
    resolutions: readonly string[] | 'any';
    aspectRatios: readonly AspectRatio[];
    fps: readonly number[] | Range;
    imageInput: boolean;
    multiShot: boolean;
    loop: boolean;
  };
  defaults: { durationSeconds: number; resolution: string; fps: number; aspectRatio: AspectRatio };
  /** USD per second of video, by requested resolution. */
  price: { perSecondUsd: Readonly<Record<string, number>>; source: string; asOf: string } | null;
  /**
   * Admission control (shared/capacity/): how many generations may run at once in one account and Region
   * (set it to the account's Bedrock quota; a stage overrides it in infra/config.ts), and how long a unit
   * is leased for between renewals: longer than the longest gap between them in the state machine.
   */
  capacity: { units: number; leaseSeconds: number };
  /** Rules of this model beyond its capability lists. */
  extraIssues?: (p: GenerateInput, prompt: string | undefined) => FieldIssue[];
}

/** The GENERATE parameters the registry reads (the job schema's shape). */
export interface GenerateInput {
  model?: VideoModelId | undefined;
  durationSeconds?: number | undefined;
  resolution?: string | undefined;
  fps?: number | undefined;
  aspectRatio?: AspectRatio | undefined;
  imageClipId?: string | undefined;
  loop?: boolean | undefined;
  seed?: number | undefined;
}

/** Prompt lengths Nova Reel takes: TEXT_VIDEO 1–512 characters, MULTI_SHOT_AUTOMATED 1–4000. */
export const NOVA_REEL_TEXT_LIMITS = { single: 512, multiShot: 4000 } as const;
export const LUMA_RAY_PROMPT_MAX = 5000;
const PRICES = 'https://aws.amazon.com/bedrock/pricing/';
/**
 * A Bedrock job's unit is leased for 15 minutes and renewed at the start of every StartGeneration and
 * CheckGeneration attempt (shared/pipeline/tasks.ts), so only a crashed execution lets it lapse. The longest
 * a healthy job goes between renewals, from state-machines/generation-job.asl.json (60 s Lambda timeout;
 * 15 s for an invoke to reach the renewal or fail, init included), is about 6.5 minutes: a waiting state's
 * 240 s timeout, CheckGeneration's 1 s retry, its five Lambda-error retries (62 s of delays, 75 s of failed
 * invokes) and 15 s to renew (393 s). From admission to StartGeneration's first renewal is at most 347 s;
 * a ModelThrottled retry's gap at most 332 s (120 s delay). test/unit/pipeline/generation-lease.test.ts
 * recomputes these from the ASL. The lease is 15 minutes, not just above 393 s, so that it holds even if
 * every failed invoke took the full 60 s timeout (668 s).
 */
const BEDROCK_LEASE_SECONDS = 15 * 60;

export const MODELS: Readonly<Record<VideoModelId, ModelSpec>> = {
  local: {
    id: 'local',
    name: 'Local stand-in (not AI)',
    provider: 'local',
    modelId: null,
    region: null,
    lifecycle: { state: 'ACTIVE' },
    capabilities: {
      durations: { min: 1, max: 120 },
      resolutions: 'any',
      aspectRatios: ASPECT_RATIOS,
      fps: { min: 1, max: 60 },
      imageInput: false,
      multiShot: false,
      loop: false,
    },
    defaults: { durationSeconds: 6, resolution: '1280x720', fps: 24, aspectRatio: '16:9' },
    price: null,
    // LOCAL_MODEL_CAPACITY and LOCAL_MODEL_LEASE_SECONDS change these for a laptop.
    capacity: { units: 2, leaseSeconds: 600 },
  },
  'nova-reel': {
    id: 'nova-reel',
    name: 'Amazon Nova Reel',
    provider: 'Amazon',
    modelId: 'amazon.nova-reel-v1:1',
    region: 'us-east-1',
    lifecycle: { state: 'LEGACY', legacyDate: '2026-03-30', eolDate: '2026-09-30' },
    capabilities: {
      durations: Array.from({ length: 20 }, (_, i) => (i + 1) * 6),
      resolutions: ['1280x720'],
      aspectRatios: ['16:9'],
      fps: [24],
      imageInput: true,
      multiShot: true,
      loop: false,
    },
    defaults: { durationSeconds: 6, resolution: '1280x720', fps: 24, aspectRatio: '16:9' },
    price: { perSecondUsd: { '1280x720': 0.08 }, source: PRICES, asOf: '2026-11-26' },
    // Not a documented default: check the account's quota (README, "Model capacity").
    capacity: { units: 5, leaseSeconds: BEDROCK_LEASE_SECONDS },
    extraIssues(p, prompt) {
      const d = p.durationSeconds ?? 6;
      const issues: FieldIssue[] = [];
      if (p.imageClipId && d !== 6) {
        issues.push({
          path: 'parameters.imageClipId',
          message: 'a start image works only with a 6 s Nova Reel video',
        });
      }
      const max = d === 6 ? NOVA_REEL_TEXT_LIMITS.single : NOVA_REEL_TEXT_LIMITS.multiShot;
      if (prompt !== undefined && prompt.length > max) {
        issues.push({
          path: 'prompt',
          message: `Nova Reel takes at most ${max} characters for a ${d} s video`,
        });
      }
      return issues;
    },
  },
  'luma-ray2': {
    id: 'luma-ray2',
    name: 'Luma Ray 2',
    provider: 'Luma AI',
    modelId: 'luma.ray-v2:0',
    region: 'us-west-2',
    lifecycle: { state: 'ACTIVE' },
    capabilities: {
      durations: [5, 9],
      resolutions: ['960x540', '1280x720'],
      aspectRatios: ASPECT_RATIOS,
      fps: [24],
      imageInput: false,
      multiShot: false,
      loop: true,
    },
    defaults: { durationSeconds: 5, resolution: '1280x720', fps: 24, aspectRatio: '16:9' },
    price: { perSecondUsd: { '960x540': 0.75, '1280x720': 1.5 }, source: PRICES, asOf: '2026-11-26' },
    capacity: { units: 5, leaseSeconds: BEDROCK_LEASE_SECONDS },
    extraIssues: (p, prompt) => [
      ...(prompt !== undefined && prompt.length > LUMA_RAY_PROMPT_MAX
        ? [{ path: 'prompt', message: `Luma Ray 2 takes at most ${LUMA_RAY_PROMPT_MAX} characters` }]
        : []),
      // Its Bedrock request has no seed (prompt, aspect_ratio, loop, duration, resolution): one asked for
      // would be dropped, and the video would not be the reproducible one the caller expects.
      ...(p.seed !== undefined
        ? [{ path: 'parameters.seed', message: 'Luma Ray 2 on Bedrock takes no seed; leave it out' }]
        : []),
    ],
  },
};

export const modelSpec = (id: VideoModelId): ModelSpec => MODELS[id];

/** The model's state on a day: an announced EOL date that has come makes it EOL. */
export function lifecycleOf(spec: ModelSpec, now: Date = new Date()) {
  const { state, legacyDate, eolDate } = spec.lifecycle;
  const today = now.toISOString().slice(0, 10);
  const current: LifecycleState = eolDate && today >= eolDate ? 'EOL' : state;
  return {
    state: current,
    ...(legacyDate ? { legacyDate } : {}),
    ...(eolDate ? { eolDate } : {}),
  };
}

/**
 * The models this deployment may use: ENABLED_MODELS (comma-separated ids), set per stage by the CDK app;
 * only the local stand-in when unset.
 */
export function enabledModelsFromEnv(env: NodeJS.ProcessEnv = process.env): VideoModelId[] {
  const listed = (env.ENABLED_MODELS ?? 'local')
    .split(',')
    .map((id) => id.trim())
    .filter((id): id is VideoModelId => (VIDEO_MODELS as readonly string[]).includes(id));
  return [...new Set(listed)];
}

export interface ModelAvailability {
  enabled: readonly string[];
  now?: Date;
}

/** Why a model cannot be used here now (EOL, or not enabled in this deployment), or undefined. */
export function unavailability(id: VideoModelId, { enabled, now }: ModelAvailability): string | undefined {
  const spec = MODELS[id];
  const life = lifecycleOf(spec, now);
  if (life.state === 'EOL') {
    return `${spec.name} (${id}) reached its end of life on ${life.eolDate} and can no longer be used; choose another model (GET /v1/models).`;
  }
  if (!enabled.includes(id)) {
    return `${spec.name} (${id}) is not enabled in this deployment; choose one of: ${enabled.join(', ')}.`;
  }
  return undefined;
}

const within = (allowed: readonly number[] | Range, value: number) =>
  Array.isArray(allowed)
    ? allowed.includes(value)
    : value >= (allowed as Range).min && value <= (allowed as Range).max;
const describe = (allowed: readonly number[] | Range, unit: string) =>
  Array.isArray(allowed)
    ? allowed.length > 6
      ? `${allowed[0]}–${allowed.at(-1)} ${unit} in steps of ${allowed[1]! - allowed[0]!}`
      : `${allowed.join(', ')} ${unit}`
    : `${(allowed as Range).min}–${(allowed as Range).max} ${unit}`;

/** What the chosen model cannot do with these parameters (and, when given, this prompt). */
export function modelIssues(p: GenerateInput, prompt?: string): FieldIssue[] {
  const spec = MODELS[p.model ?? 'local'];
  const c = spec.capabilities;
  const issues: FieldIssue[] = [];
  const issue = (field: string, message: string) =>
    issues.push({ path: `parameters.${field}`, message: `${spec.name} ${message}` });
  if (p.durationSeconds !== undefined && !within(c.durations, p.durationSeconds)) {
    issue('durationSeconds', `makes ${describe(c.durations, 's')}`);
  }
  if (p.resolution && c.resolutions !== 'any' && !c.resolutions.includes(p.resolution)) {
    issue('resolution', `makes ${c.resolutions.join(' or ')}`);
  }
  if (p.fps !== undefined && !within(c.fps, p.fps)) issue('fps', `makes ${describe(c.fps, 'fps')}`);
  if (p.aspectRatio && !c.aspectRatios.includes(p.aspectRatio)) {
    issue('aspectRatio', `makes ${c.aspectRatios.join(', ')}`);
  }
  if (p.imageClipId && !c.imageInput) issue('imageClipId', 'takes text only here');
  if (p.loop && !c.loop) issue('loop', 'cannot loop');
  issues.push(...(spec.extraIssues?.(p, prompt) ?? []));
  return issues;
}

const ASPECT: Readonly<Record<AspectRatio, [number, number]>> = {
  '16:9': [16, 9],
  '9:16': [9, 16],
  '1:1': [1, 1],
  '4:3': [4, 3],
  '3:4': [3, 4],
  '21:9': [21, 9],
  '9:21': [9, 21],
};
const even = (n: number) => 2 * Math.round(n / 2);

/**
 * The frame a model writes: the requested size class (its short side: 540 or 720 lines) in the requested
 * aspect, portrait and square included.
 */
export function outputFrame(requested: string, aspect: AspectRatio): string {
  const [w, h] = requested.split('x').map(Number) as [number, number];
  const [aw, ah] = ASPECT[aspect];
  const short = Math.min(w, h);
  const width = aw >= ah ? even((short * aw) / ah) : short;
  const height = aw >= ah ? short : even((short * ah) / aw);
  return `${width}x${height}`;
}

/** The job's parameters with the model's defaults filled in; `resolution` is the frame the model writes. */
export function effectiveGenerate(p: GenerateInput) {
  const spec = MODELS[p.model ?? 'local'];
  const d = spec.defaults;
  const aspectRatio = p.aspectRatio ?? d.aspectRatio;
  const requestedResolution = p.resolution ?? d.resolution;
  const resolution =
    spec.id === 'local' && p.resolution ? p.resolution : outputFrame(requestedResolution, aspectRatio);
  return {
    model: spec.id,
    durationSeconds: p.durationSeconds ?? d.durationSeconds,
    requestedResolution,
    resolution,
    fps: p.fps ?? d.fps,
    aspectRatio,
  };
}

/** Every model as GET /v1/models describes it, with its availability in this deployment today. */
export function describeModels(availability: ModelAvailability) {
  return VIDEO_MODELS.map((id) => {
    const spec = MODELS[id];
    const life = lifecycleOf(spec, availability.now);
    const c = spec.capabilities;
    return {
      id,
      name: spec.name,
      provider: spec.provider,
      modelId: spec.modelId,
      region: spec.region,
      lifecycle: life.state,
      ...(life.legacyDate ? { legacyDate: life.legacyDate } : {}),
      ...(life.eolDate ? { eolDate: life.eolDate } : {}),
      available: unavailability(id, availability) === undefined,
      capabilities: {
        durations: Array.isArray(c.durations) ? [...c.durations] : { ...c.durations },
        resolutions: c.resolutions === 'any' ? 'any' : [...c.resolutions],
        aspectRatios: [...c.aspectRatios],
        fps: Array.isArray(c.fps) ? [...c.fps] : { ...c.fps },
        imageInput: c.imageInput,
        multiShot: c.multiShot,
        loop: c.loop,
      },
      defaults: { ...spec.defaults },
      pricePerSecondUsd: spec.price ? { ...spec.price.perSecondUsd } : null,
    };
  });
}

/** The Bedrock models among these ids, with their Regions (IAM and clients per Region read this). */
export function bedrockModels(ids: readonly string[]) {
  return VIDEO_MODELS.filter((id) => ids.includes(id))
    .map((id) => MODELS[id])
    .filter((s): s is ModelSpec & { modelId: string; region: string } => !!s.modelId && !!s.region);
}
