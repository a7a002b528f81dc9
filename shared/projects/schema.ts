import { boundedJsonObject, isoDate, pageQuery, uuid } from '../schema/common.ts';
import { lazySchema } from '../schema/lazy.ts';
import { proseText, readableText } from '../schema/text.ts';
import * as z from '../schema/zod.ts';
import { PROJECT_STATUSES } from './status.ts';

export const projectStatus = lazySchema(() => z.enum(PROJECT_STATUSES));
export const projectTitle = lazySchema(() =>
  z
    .string()
    .check(
      z.trim(),
      z.minLength(1, 'must not be empty'),
      z.maxLength(100, 'must be at most 100 characters'),
      z.superRefine(readableText('title')),
    ),
);
export const projectDescription = lazySchema(() =>
  z
    .string()
    .check(
      z.trim(),
      z.maxLength(1000, 'must be at most 1000 characters'),
      z.superRefine(proseText('description')),
    ),
);

export const createProjectBody = lazySchema(() =>
  z.strictObject({
    title: projectTitle,
    description: z.nullish(projectDescription),
    settings: z.optional(boundedJsonObject),
  }),
);

export const updateProjectBody = lazySchema(() =>
  z
    .strictObject({
      title: z.optional(projectTitle),
      description: z.nullish(projectDescription),
      status: z.optional(projectStatus),
      settings: z.optional(boundedJsonObject),
    })
    .check(z.refine((b) => Object.keys(b).length > 0, { message: 'give at least one field to change' })),
);

export const listProjectsQuery = lazySchema(() =>
  z.strictObject(
    z.extend(pageQuery, {
      status: z.optional(projectStatus),
      q: z.optional(
        z
          .string()
          .check(
            z.trim(),
            z.minLength(1, 'must not be empty'),
            z.maxLength(100, 'must be at most 100 characters'),
          ),
      ),
    }).shape,
  ),
);

export const projectParams = lazySchema(() => z.object({ projectId: uuid }));

export const projectResponse = lazySchema(() =>
  z.object({
    id: uuid,
    userId: uuid,
    title: z.string(),
    description: z.nullable(z.string()),
    status: projectStatus,
    settings: z.record(z.string(), z.unknown()),
    createdAt: isoDate,
    updatedAt: isoDate,
  }),
);
