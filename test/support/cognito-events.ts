/** Cognito trigger events for the tests of the functions Cognito invokes. */
import type { PostConfirmationTriggerEvent } from 'aws-lambda';

/** The sub of the sample events (and their user name). */
export const SAMPLE_SUB = '0b6a7e0e-3c1f-4f7e-9d5e-2f1a3b4c5d6e';

/**
 * A confirmed sign-up as the post-confirmation trigger receives it: the sample event of the Cognito
 * Developer Guide ("Post confirmation Lambda trigger"), for user `sub`.
 */
export function confirmedSignUpEvent(sub = SAMPLE_SUB): PostConfirmationTriggerEvent {
  return {
    version: '1',
    region: 'us-east-1',
    userPoolId: 'us-east-1_EXAMPLE',
    userName: sub,
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: '1example23456789' },
    triggerSource: 'PostConfirmation_ConfirmSignUp',
    request: {
      userAttributes: {
        sub,
        'cognito:user_status': 'CONFIRMED',
        email_verified: 'true',
        email: 'ada@example.com',
        preferred_username: 'ada',
      },
    },
    response: {},
  } as unknown as PostConfirmationTriggerEvent;
}
