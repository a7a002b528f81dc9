import type { ClipRepository } from '#shared/clips/repository.ts';
import type { JobRepository } from '#shared/jobs/repository.ts';
import type { UserRepository } from '#shared/users/repository.ts';
import { tierLimits } from '#shared/users/tiers.ts';

/**
 * The floor's job creation (both API benchmarks): the statements a GENERATE job's submission makes (the
 * user's tier, the source clips, the insert within the tier's limits) and nothing else.
 */
export async function floorCreateJob(
  repos: { users: UserRepository; clips: ClipRepository; jobs: JobRepository },
  userId: string,
  projectId: string,
  body: Record<string, unknown>,
) {
  const [user] = await Promise.all([repos.users.getById(userId), repos.clips.getMany(userId, [])]);
  return repos.jobs.create({
    userId,
    projectId,
    jobType: 'GENERATE',
    prompt: String(body.prompt),
    parameters: body.parameters as Record<string, unknown>,
    templateId: null,
    sourceClipIds: [],
    concurrentLimit: tierLimits(user.subscriptionTier).concurrentJobs,
    jobsPerMinute: tierLimits(user.subscriptionTier).jobsPerMinute,
  });
}
