import * as z from 'zod';

/** Cognito's PostConfirmation trigger for a confirmed sign-up, with the attributes the users row needs. */
export const postConfirmationEvent = z.looseObject({
  version: z.string(),
  triggerSource: z.literal('PostConfirmation_ConfirmSignUp'),
  region: z.string(),
  userPoolId: z.string(),
  userName: z.string().optional(),
  callerContext: z.looseObject({ awsSdkVersion: z.string(), clientId: z.string() }),
  request: z.looseObject({
    userAttributes: z.looseObject({
      sub: z.uuid(),
      email: z.string().optional(),
      preferred_username: z.string().optional(),
    }),
    clientMetadata: z.record(z.string(), z.string()).optional(),
  }),
  response: z.looseObject({}),
});
