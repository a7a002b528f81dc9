/**
 * Cognito PostConfirmation trigger: the users row is created once the email is confirmed, with id = sub, so
 * the API's tokens and the database agree on who is who. Running twice (Cognito retries) is harmless.
 */
import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import { ConflictError } from '#shared/errors.ts';
import { dataApiDatabase } from '#shared/runtime/database-aws.ts';
import { createUserRepository } from '#shared/users/repository.ts';
import { email as emailSchema, username as usernameSchema } from '#shared/users/schema.ts';

export async function handler(event: PostConfirmationTriggerEvent): Promise<PostConfirmationTriggerEvent> {
  if (event.triggerSource !== 'PostConfirmation_ConfirmSignUp') return event;
  const users = createUserRepository(dataApiDatabase());
  const attributes = event.request.userAttributes;
  const id = attributes.sub;
  if (!id) throw new Error('PostConfirmation event without sub');
  const email = emailSchema.parse(attributes.email);
  const preferred = usernameSchema.safeParse(attributes.preferred_username);
  const username = preferred.success ? preferred.data : `user_${id.replaceAll('-', '').slice(0, 20)}`;
  try {
    await users.create({ id, email, username });
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const existing = await users.getById(id).catch(() => undefined);
    if (!existing) throw error;
  }
  return event;
}
