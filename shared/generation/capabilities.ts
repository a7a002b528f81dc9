import type { FieldIssue } from '../errors.ts';
import type { GenerateParameters } from '../jobs/schema.ts';

/** What each video model can produce; checked at submission so a job never fails for it later. */
export const MODEL_DEFAULTS = {
  local: { durationSeconds: 6, resolution: '1280x720', fps: 24 },
  'nova-reel': { durationSeconds: 6, resolution: '1280x720', fps: 24 },
  'luma-ray2': { durationSeconds: 5, resolution: '1280x720', fps: 24 },
} as const;

export type VideoModelId = keyof typeof MODEL_DEFAULTS;

const LUMA_RESOLUTIONS = ['960x540', '1280x720'];
const LUMA_ASPECTS = ['1:1', '16:9', '9:16', '4:3', '3:4', '21:9', '9:21'];

/** What the chosen model cannot do with these parameters (and, when given, this prompt). */
export function modelIssues(p: GenerateParameters, prompt?: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const issue = (path: string, message: string) => issues.push({ path: `parameters.${path}`, message });
  const model = p.model ?? 'local';
  switch (model) {
    case 'nova-reel': {
      const d = p.durationSeconds ?? 6;
      if (!(d === 6 || (d >= 12 && d <= 120 && d % 6 === 0))) {
        issue('durationSeconds', 'Nova Reel makes 6 s, or 12–120 s in steps of 6');
      }
      if (p.resolution && p.resolution !== '1280x720') issue('resolution', 'Nova Reel makes only 1280x720');
      if (p.fps && p.fps !== 24) issue('fps', 'Nova Reel makes only 24 fps');
      if (p.aspectRatio && p.aspectRatio !== '16:9') issue('aspectRatio', 'Nova Reel makes only 16:9');
      if (p.imageClipId && d !== 6) {
        issue('imageClipId', 'a start image works only with a 6 s Nova Reel video');
      }
      if (p.loop) issue('loop', 'Nova Reel cannot loop');
      const promptMax = d === 6 ? 512 : 4000;
      if (prompt !== undefined && prompt.length > promptMax) {
        issues.push({
          path: 'prompt',
          message: `Nova Reel takes at most ${promptMax} characters for a ${d} s video`,
        });
      }
      break;
    }
    case 'luma-ray2': {
      const d = p.durationSeconds ?? 5;
      if (d !== 5 && d !== 9) issue('durationSeconds', 'Luma Ray 2 makes 5 s or 9 s');
      if (p.resolution && !LUMA_RESOLUTIONS.includes(p.resolution)) {
        issue('resolution', 'Luma Ray 2 makes 960x540 (540p) or 1280x720 (720p)');
      }
      if (p.fps && p.fps !== 24) issue('fps', 'Luma Ray 2 makes only 24 fps');
      if (p.aspectRatio && !LUMA_ASPECTS.includes(p.aspectRatio))
        issue('aspectRatio', 'unsupported aspect ratio');
      if (p.imageClipId) issue('imageClipId', 'Luma Ray 2 on Bedrock takes text prompts only here');
      break;
    }
    case 'local': {
      const d = p.durationSeconds ?? 6;
      if (d < 1) issue('durationSeconds', 'the local generator makes at least 1 s');
      if (p.imageClipId) issue('imageClipId', 'the local generator takes text only');
      break;
    }
  }
  return issues;
}

export function effectiveGenerate(p: GenerateParameters) {
  const model = p.model ?? 'local';
  const defaults = MODEL_DEFAULTS[model];
  return {
    model,
    durationSeconds: p.durationSeconds ?? defaults.durationSeconds,
    resolution: p.resolution ?? defaults.resolution,
    fps: p.fps ?? defaults.fps,
  };
}
