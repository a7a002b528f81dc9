import type { Template } from './repository.ts';

export const toTemplateResponse = (t: Template) => ({
  id: t.id,
  name: t.name,
  description: t.description,
  category: t.category,
  thumbnailUrl: t.thumbnailUrl,
  prompt: t.prompt,
  parameters: t.parameters,
  isPublic: t.isPublic,
  createdBy: t.createdBy,
  usageCount: t.usageCount,
  createdAt: t.createdAt.toISOString(),
  updatedAt: t.updatedAt.toISOString(),
});
