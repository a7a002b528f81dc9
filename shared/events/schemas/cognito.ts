import * as z from '../../schema/zod.ts';

/** Cognito's PostConfirmation trigger for a confirmed sign-up, with the attributes the users row needs. */
export const postConfirmationEvent = z.looseObject({
  version: z.string(),
  triggerSource: z.literal('PostConfirmation_ConfirmSignUp'),
  region: z.string(),
  userPoolId: z.string(),
  userName: z.optional(z.string()),
  callerContext: z.looseObject({ awsSdkVersion: z.string(), clientId: z.string() }),
  request: z.looseObject({
    userAttributes: z.looseObject({
      sub: z.uuid(),
      email: z.optional(z.string()),
      preferred_username: z.optional(z.string()),
    }),
    clientMetadata: z.optional(z.record(z.string(), z.string())),
  }),
  response: z.looseObject({}),
});
