import type { ClipRepository, SourceClip } from '../clips/repository.ts';
import { parseResolution } from '../clips/resolutions.ts';
import { type FieldIssue, NotFoundError, TierLimitError, ValidationError } from '../errors.ts';
import {
  effectiveGenerate,
  enabledModelsFromEnv,
  modelIssues,
  unavailability,
} from '../generation/models.ts';
import { FRAMEFORMER_MIN_INPUT } from '../media/settings.ts';
import { jobLabels, jobMetrics } from '../observability/metrics.ts';
import { zodIssues } from '../schema/issues.ts';
import type * as z from '../schema/zod.ts';
import type { ObjectStore } from '../storage/port.ts';
import type { TemplateRepository } from '../templates/repository.ts';
import { placeholdersOf, renderPrompt } from '../templates/schema.ts';
import type { UploadParameters } from '../uploads/ingest.ts';
import type { UserRepository } from '../users/repository.ts';
import { resolutionFitsTier, tierLimits } from '../users/tiers.ts';
import type { JobExecutionInput, JobWorkflow } from '../workflow/port.ts';
import type { JobRepository, JobWithSources } from './repository.ts';
import {
  type createJobBody,
  type EditParameters,
  type EnhanceParameters,
  type GenerateParameters,
  PARAMETERS_BY_TYPE,
  prompt as promptSchema,
} from './schema.ts';
import { CANCELLED_BY_USER } from './status.ts';
import { MIN_TRIM_SECONDS } from './trim.ts';

export type JobSubmission = z.infer<typeof createJobBody>;

interface Deps {
  users: UserRepository;
  clips: ClipRepository;
  jobs: JobRepository;
  templates: TemplateRepository;
  workflow: JobWorkflow;
  /** Deletes the file of an upload whose job is cancelled. */
  store: Pick<ObjectStore, 'deleteKeys'>;
  /** Told of cleanup that failed after the request's own work succeeded (the caller logs it). */
  onCleanupError?: (message: string, error: unknown) => void;
  /** Model ids enabled in this deployment (ENABLED_MODELS when absent). */
  enabledModels?: readonly string[];
  /** Today, for model end-of-life dates. */
  now?: () => Date;
}

/**
 * Issues of the submission's fields, named where they are in the request (`body.prompt`,
 * `body.parameters.…`) as the request schema names its own; a template's prompt and parameters are
 * reported at the fields they fill.
 */
const inBody = (issues: FieldIssue[]): FieldIssue[] =>
  issues.map((issue) => ({ ...issue, path: `body.${issue.path}` }));

/** The seconds an EDIT keeps of a clip: its trim, cut at the clip's end, which must keep MIN_TRIM_SECONDS. */
function clipSpan(clip: SourceClip, part: { start?: number; end?: number }, index: number): number {
  const start = part.start ?? 0;
  const end = Math.min(part.end ?? clip.duration, clip.duration);
  if (start >= clip.duration) {
    throw new ValidationError('A trim starts after the clip ends.', [
      { path: `body.parameters.clips.${index}.start`, message: `clip ${clip.id} is ${clip.duration} s long` },
    ]);
  }
  if (end - start < MIN_TRIM_SECONDS) {
    throw new ValidationError(`A trim keeps less than ${MIN_TRIM_SECONDS} s of its clip.`, [
      {
        path: `body.parameters.clips.${index}.start`,
        message: `clip ${clip.id} is ${clip.duration} s long; start at most ${MIN_TRIM_SECONDS} s before its end`,
      },
    ]);
  }
  return end - start;
}

export function createJobService(deps: Deps) {
  return {
    /**
     * Validates a submission against the job type, the model and the caller's tier (refusing what cannot
     * succeed before anything is stored), records it QUEUED, and starts its execution.
     */
    async submit(userId: string, projectId: string, body: JobSubmission): Promise<JobWithSources> {
      let prompt = body.prompt ?? '';
      let rawParameters: Record<string, unknown> = body.parameters ?? {};
      const given = rawParameters.variables;
      if (!body.templateId && given !== undefined) {
        throw new ValidationError(
          'Variables fill the placeholders of a template; give a templateId, or leave them out.',
          [{ path: 'body.parameters.variables', message: 'only with a templateId' }],
        );
      }
      if (body.templateId) {
        const template = await deps.templates.get(userId, body.templateId);
        const variables = (given ?? {}) as Record<string, string>;
        const placeholders = placeholdersOf(template.prompt);
        const unused =
          variables && typeof variables === 'object' && !Array.isArray(variables)
            ? Object.keys(variables).filter((name) => !placeholders.has(name))
            : [];
        if (unused.length) {
          throw new ValidationError(`The template has no placeholder for: ${unused.join(', ')}.`, [
            ...unused.map((name) => ({
              path: `body.parameters.variables.${name}`,
              message: `not a placeholder of the template (it has: ${[...placeholders].join(', ') || 'none'})`,
            })),
          ]);
        }
        const rendered = renderPrompt(template.prompt, variables);
        if (rendered.missing.length) {
          throw new ValidationError(`The template needs values for: ${rendered.missing.join(', ')}.`, [
            ...rendered.missing.map((name) => ({
              path: `body.parameters.variables.${name}`,
              message: 'required by the template',
            })),
          ]);
        }
        prompt = body.prompt ? `${rendered.text} ${body.prompt}` : rendered.text;
        rawParameters = { ...template.parameters, ...rawParameters };
      }
      // A template's prompt with the variables filled in is checked as a prompt given directly is.
      const checkedPrompt = promptSchema.safeParse(prompt);
      if (!checkedPrompt.success) {
        throw new ValidationError(
          body.templateId
            ? 'The prompt, filled in from the template, is not valid; see errors.'
            : 'The prompt is not valid; see errors.',
          zodIssues(checkedPrompt.error, 'body.prompt'),
        );
      }
      prompt = checkedPrompt.data;
      const parsed = PARAMETERS_BY_TYPE[body.jobType].safeParse(rawParameters);
      if (!parsed.success) {
        throw new ValidationError(
          'The job parameters are not valid; see errors.',
          zodIssues(parsed.error, 'body.parameters'),
        );
      }
      const parameters = parsed.data as Record<string, unknown>;

      const sourceIds = sourcesOf(body.jobType, parameters, body.sourceClipIds);
      const [user, sources] = await Promise.all([
        deps.users.getById(userId),
        deps.clips.getMany(userId, sourceIds),
      ]);
      const byId = new Map(sources.map((c) => [c.id, c]));
      for (const id of sourceIds) if (!byId.has(id)) throw new NotFoundError('source clip');
      const limits = tierLimits(user.subscriptionTier);

      let duration: number;
      let resolution: string | undefined = parameters.resolution as string | undefined;
      switch (body.jobType) {
        case 'GENERATE': {
          const generate = parameters as GenerateParameters;
          const refused = unavailability(generate.model, {
            enabled: deps.enabledModels ?? enabledModelsFromEnv(),
            ...(deps.now ? { now: deps.now() } : {}),
          });
          if (refused)
            throw new ValidationError(refused, [{ path: 'body.parameters.model', message: refused }]);
          const issues = modelIssues(generate, prompt);
          if (issues.length)
            throw new ValidationError('The chosen model cannot do this; see errors.', inBody(issues));
          if (generate.imageClipId) {
            const image = byId.get(generate.imageClipId)!;
            if (image.resolution !== '1280x720' || image.system.hasPoster !== true) {
              throw new ValidationError(
                'The start image must come from a 1280x720 clip made by this system.',
                [
                  {
                    path: 'body.parameters.imageClipId',
                    message: `this clip is ${image.resolution} or has no poster frame`,
                  },
                ],
              );
            }
          }
          const effective = effectiveGenerate(generate);
          duration = effective.durationSeconds;
          resolution = effective.resolution;
          break;
        }
        case 'EDIT': {
          const parts = (parameters as EditParameters).clips;
          duration = parts.reduce((sum, part, i) => sum + clipSpan(byId.get(part.clipId)!, part, i), 0);
          resolution ??= byId.get(parts[0]!.clipId)!.resolution;
          break;
        }
        default: {
          const source = byId.get(sourceIds[0]!)!;
          duration = source.duration;
          if (body.jobType === 'ENHANCE') frameFormerFits(parameters as EnhanceParameters, source.resolution);
          resolution ??= source.resolution;
        }
      }
      if (duration > limits.maxDurationSeconds) {
        throw new TierLimitError(
          `The ${user.subscriptionTier} tier makes clips up to ${limits.maxDurationSeconds} s; this job would make ${duration} s.`,
        );
      }
      if (resolution) {
        const { width, height } = parseResolution(resolution);
        if (!resolutionFitsTier(user.subscriptionTier, width, height)) {
          throw new TierLimitError(
            `The ${user.subscriptionTier} tier outputs up to ${limits.maxWidth}x${limits.maxHeight}; ${resolution} is larger.`,
          );
        }
      }

      const job = await deps.jobs.create({
        userId,
        projectId,
        jobType: body.jobType,
        prompt,
        parameters,
        templateId: body.templateId ?? null,
        sourceClipIds: sourceIds,
        concurrentLimit: limits.concurrentJobs,
        jobsPerMinute: limits.jobsPerMinute,
      });
      const input: JobExecutionInput = { jobId: job.id, userId, projectId, jobType: job.jobType };
      jobMetrics.submitted(jobLabels(job));
      try {
        await deps.workflow.start(input);
      } catch (error) {
        if (await deps.jobs.markFailed(job.id, 'The job could not be started; please submit it again.'))
          jobMetrics.failed(jobLabels(job), 'system');
        throw error;
      }
      return job;
    },

    async cancel(userId: string, jobId: string) {
      const job = await deps.jobs.cancel(userId, jobId);
      jobMetrics.cancelled(jobLabels(job));
      await deps.workflow.stop(jobId, CANCELLED_BY_USER);
      // The job of an upload still waiting for a slot has no execution, whose ending would delete the file.
      const uploaded = (job.parameters as Partial<UploadParameters>).upload?.key;
      // The cancel has happened: a file that cannot be deleted now is left to the uploads prefix's lifecycle
      // rule and reported, rather than answered as a failure the client would retry into a 409.
      if (uploaded)
        await deps.store
          .deleteKeys([uploaded])
          .catch((error: unknown) => deps.onCleanupError?.('cancelled upload file not deleted', error));
      return job;
    },
  };
}

/** FrameFormer converts only inputs of at least 128x96 (MediaConvert); a smaller clip is refused here. */
function frameFormerFits(parameters: EnhanceParameters, sourceResolution: string) {
  if (parameters.interpolation !== 'FRAMEFORMER' || parameters.fps === undefined) return;
  const { width, height } = parseResolution(sourceResolution);
  const min = FRAMEFORMER_MIN_INPUT;
  if (width >= min.width && height >= min.height) return;
  const detail = `FRAMEFORMER converts clips of at least ${min.width}x${min.height}; this clip is ${sourceResolution}. Use INTERPOLATE instead.`;
  throw new ValidationError(detail, [{ path: 'body.parameters.interpolation', message: detail }]);
}

/** The clips a job reads, in order: EDIT from its clip list, ENHANCE/TRANSCODE exactly one. */
function sourcesOf(
  jobType: string,
  parameters: Record<string, unknown>,
  given: string[] | undefined,
): string[] {
  switch (jobType) {
    case 'EDIT': {
      const ids = (parameters as EditParameters).clips.map((c) => c.clipId);
      if (given?.length && given.join() !== [...new Set(ids)].join() && given.join() !== ids.join()) {
        throw new ValidationError('sourceClipIds must match parameters.clips.', [
          { path: 'body.sourceClipIds', message: 'differs from parameters.clips' },
        ]);
      }
      return ids;
    }
    case 'ENHANCE':
    case 'TRANSCODE':
      if (given?.length !== 1) {
        throw new ValidationError(`${jobType} takes exactly one source clip.`, [
          { path: 'body.sourceClipIds', message: 'give exactly one clip id' },
        ]);
      }
      return given;
    default: {
      if (given?.length) {
        throw new ValidationError(
          'GENERATE takes no source clips; use parameters.imageClipId for a start image.',
          [{ path: 'body.sourceClipIds', message: 'not allowed for GENERATE' }],
        );
      }
      const image = parameters.imageClipId as string | undefined;
      return image ? [image] : [];
    }
  }
}

export type JobService = ReturnType<typeof createJobService>;
