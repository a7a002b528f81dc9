/**
 * Cognito PostConfirmation trigger: the users row is created once the email is confirmed, with id = sub, so
 * the API's tokens and the database agree on who is who. It is the fast path only: running twice (Cognito
 * retries) is harmless, and when it fails (a paused database within Cognito's 5 seconds) the first
 * authenticated request creates the row the same way (shared/users/provision.ts).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import { cognitoAccountEmail } from '#shared/auth/cognito-email.ts';
import { postConfirmationEvent } from '#shared/events/schemas/cognito.ts';
import { parseEvent } from '#shared/observability/parse-event.ts';
import { annotateTrace, tracedHandler } from '#shared/observability/tracing.ts';
import { DATA_API_RETRY, dataApiDatabase } from '#shared/runtime/database-aws.ts';
import { clientGetter } from '#shared/sdk/lazy-client.ts';
import { sdkConfig } from '#shared/sdk/sha256.ts';
import { provisionUser } from '#shared/users/provision.ts';
import { createUserRepository } from '#shared/users/repository.ts';

// It logs only when something goes wrong (an event of another shape, a users row not created), so the
// logger is built then, not at every cold start.
let built: Logger | undefined;
const log = () => {
  built ??= new Logger({ serviceName: 'cognito-post-confirmation' });
  return built;
};
const logger = {
  error: (message: string, detail: Record<string, unknown>) => log().error(message, detail),
  warn: (message: string, detail: Record<string, unknown>) => log().warn(message, detail),
};

// Built only when another users row holds the new account's email (its account may have moved on).
const cognito = clientGetter(
  async () =>
    new (await import('@aws-sdk/client-cognito-identity-provider')).CognitoIdentityProviderClient(
      sdkConfig(),
    ),
);
const currentEmail = (userPoolId: string) => async (userId: string) =>
  cognitoAccountEmail(await cognito(), userPoolId, userId);

/**
 * Cognito waits for its triggers and fails the user's confirmation when one throws, so an event of an
 * unexpected shape is logged (parseEvent) and the confirmation goes ahead without the row, which the first
 * authenticated request then creates.
 */
export const handler = tracedHandler(
  'cognito-post-confirmation',
  async (event: PostConfirmationTriggerEvent): Promise<PostConfirmationTriggerEvent> => {
    if (event.triggerSource !== 'PostConfirmation_ConfirmSignUp') return event;
    let attributes: { sub: string; email?: string | undefined; preferred_username?: string | undefined };
    let userPoolId: string;
    try {
      const parsed = parseEvent(postConfirmationEvent, event, 'Cognito PostConfirmation', logger);
      attributes = parsed.request.userAttributes;
      userPoolId = parsed.userPoolId;
    } catch {
      return event;
    }
    const id = attributes.sub;
    annotateTrace({ userId: id });
    try {
      const users = createUserRepository(dataApiDatabase(DATA_API_RETRY.cognitoTrigger));
      await provisionUser(users, currentEmail(userPoolId), {
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
  },
);
