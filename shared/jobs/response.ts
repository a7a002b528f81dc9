import type { JobWithSources } from './repository.ts';

/** A job as the API and the event stream show it (kept apart from the service, which builds the job schemas). */
export const toJobResponse = (j: JobWithSources | Omit<JobWithSources, 'sourceClipIds'>) => ({
  id: j.id,
  projectId: j.projectId,
  clipId: j.clipId,
  templateId: j.templateId,
  jobType: j.jobType,
  status: j.status,
  prompt: j.prompt,
  parameters: j.parameters,
  progress: j.progress,
  errorMessage: j.errorMessage,
  startedAt: j.startedAt?.toISOString() ?? null,
  completedAt: j.completedAt?.toISOString() ?? null,
  createdAt: j.createdAt.toISOString(),
  ...('sourceClipIds' in j ? { sourceClipIds: j.sourceClipIds } : {}),
});
