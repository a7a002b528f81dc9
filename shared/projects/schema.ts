import * as z from 'zod';
import { boundedJsonObject, isoDate, pageQuery, uuid } from '../schema/common.ts';
import { lazySchema } from '../schema/lazy.ts';
import { proseText, readableText } from '../schema/text.ts';
import { PROJECT_STATUSES } from './status.ts';

export const projectStatus = lazySchema(() => z.enum(PROJECT_STATUSES));
export const projectTitle = lazySchema(() =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(100, 'must be at most 100 characters')
    .superRefine(readableText('title')),
);
export const projectDescription = lazySchema(() =>
  z
    .string()
    .trim()
    .max(1000, 'must be at most 1000 characters')
    .superRefine(proseText('description', { emptyAllowed: true })),
);

export const createProjectBody = lazySchema(() =>
  z
    .object({
      title: projectTitle,
      description: projectDescription.nullish(),
      settings: boundedJsonObject.optional(),
    })
    .strict(),
);

export const updateProjectBody = lazySchema(() =>
  z
    .object({
      title: projectTitle.optional(),
      description: projectDescription.nullish(),
      status: projectStatus.optional(),
      settings: boundedJsonObject.optional(),
    })
    .strict()
    .refine((b) => Object.keys(b).length > 0, { message: 'give at least one field to change' }),
);

export const listProjectsQuery = lazySchema(() =>
  pageQuery
    .extend({
      status: projectStatus.optional(),
      q: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters').optional(),
    })
    .strict(),
);

export const projectParams = lazySchema(() => z.object({ projectId: uuid }));

export const projectResponse = lazySchema(() =>
  z.object({
    id: uuid,
    userId: uuid,
    title: z.string(),
    description: z.string().nullable(),
    status: projectStatus,
    settings: z.record(z.string(), z.unknown()),
    createdAt: isoDate,
    updatedAt: isoDate,
  }),
);
