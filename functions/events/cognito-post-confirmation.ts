/**
 * Cognito PostConfirmation trigger: the users row is created once the email is confirmed, with id = sub, so
 * the API's tokens and the database agree on who is who. It is the fast path only: running twice (Cognito
 * retries) is harmless, and when it fails (a paused database within Cognito's 5 seconds) the first
 * authenticated request creates the row the same way (shared/users/provision.ts).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import { DATA_API_RETRY, dataApiDatabase } from '#shared/runtime/database-aws.ts';
import { provisionUser } from '#shared/users/provision.ts';
import { createUserRepository } from '#shared/users/repository.ts';

const logger = new Logger({ serviceName: 'cognito-post-confirmation' });

export async function handler(event: PostConfirmationTriggerEvent): Promise<PostConfirmationTriggerEvent> {
  if (event.triggerSource !== 'PostConfirmation_ConfirmSignUp') return event;
  const attributes = event.request.userAttributes;
  const id = attributes.sub;
  if (!id) throw new Error('PostConfirmation event without sub');
  try {
    await provisionUser(createUserRepository(dataApiDatabase(DATA_API_RETRY.cognitoTrigger)), {
      id,
      email: attributes.email ?? '',
      username: attributes.preferred_username,
    });
  } catch (error) {
    // The account is confirmed whatever happens here; failing would only show the user an error for a
    // sign-up that worked. The first authenticated request creates the row (or reports the conflict).
    logger.warn('users row not created at confirmation', {
      userSub: id,
      error: { name: (error as Error).name },
    });
  }
  return event;
}
