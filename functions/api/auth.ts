import { idTokenAccount } from '#shared/auth/token-claims.ts';
import { loggableError } from '#shared/db/errors.ts';
import { ConflictError } from '#shared/errors.ts';
import { apiHandler } from '#shared/http/api-handler.ts';
import { auditNotes, endpoint } from '#shared/http/endpoint.ts';
import { json, ok } from '#shared/http/responses.ts';
import { signInContext } from '#shared/http/sign-in-context.ts';
import { useAwsContext } from '#shared/runtime/aws.ts';
import type { AppContext } from '#shared/runtime/context.ts';
import { followSignInEmail } from '#shared/users/email-holder.ts';
import { confirmBody, loginBody, refreshBody, signUpBody } from '#shared/users/schema.ts';

useAwsContext();

export const handler = apiHandler([
  {
    method: 'POST',
    path: '/v1/auth/signup',
    handler: endpoint(
      { action: 'auth.signup', resource: 'user', auth: false, body: signUpBody },
      async (r) => {
        await r.ctx.loginLimiter.signUp(r.event.requestContext.http.sourceIp);
        // Cognito does not know usernames are unique here; the row is only written after confirmation.
        if (await r.ctx.users.isUsernameTaken(r.body.username)) {
          throw new ConflictError('This username is taken; choose another.');
        }
        const result = await r.ctx.identity.signUp(r.body);
        r.audit(result.userId);
        // Filed under the new account, not `anonymous`, so that erasing the account moves it too.
        const note = auditNotes.get(r.event);
        if (note) note.userId = result.userId;
        return json(201, {
          userId: result.userId,
          email: r.body.email,
          username: r.body.username,
          confirmed: result.confirmed,
          next: result.confirmed ? 'POST /v1/auth/login' : 'POST /v1/auth/confirm with the emailed code',
        });
      },
    ),
  },
  {
    method: 'POST',
    path: '/v1/auth/confirm',
    handler: endpoint(
      { action: 'auth.confirm', resource: 'user', auth: false, body: confirmBody },
      async (r) => {
        await r.ctx.loginLimiter.confirmation(r.event.requestContext.http.sourceIp, () =>
          r.ctx.identity.confirm(r.body.email, r.body.code),
        );
        return ok({ confirmed: true });
      },
    ),
  },
  {
    method: 'POST',
    path: '/v1/auth/login',
    handler: endpoint({ action: 'auth.login', resource: 'user', auth: false, body: loginBody }, async (r) => {
      const tokens = await r.ctx.loginLimiter.login(r.body.email, r.event.requestContext.http.sourceIp, () =>
        r.ctx.identity.login(r.body.email, r.body.password, signInContext(r.event)),
      );
      await followEmail(r, tokens.idToken);
      return ok(tokens);
    }),
  },
  {
    method: 'POST',
    path: '/v1/auth/refresh',
    handler: endpoint(
      { action: 'auth.refresh', resource: 'user', auth: false, body: refreshBody },
      async (r) => {
        const tokens = await r.ctx.loginLimiter.refreshToken(r.event.requestContext.http.sourceIp, () =>
          r.ctx.identity.refresh(r.body.refreshToken),
        );
        await followEmail(r, tokens.idToken);
        return ok(tokens);
      },
    ),
  },
]);

/**
 * The users row keeps the email of the sign-up until told: an address changed with Cognito since reaches it
 * at the next sign-in or refresh (the ID token carries it; nothing is written when it is the same). A failure
 * costs no sign-in; the next one tries again.
 */
async function followEmail(
  r: { ctx: Pick<AppContext, 'users' | 'identity' | 'logger'> },
  idToken: string,
): Promise<void> {
  const account = idTokenAccount(idToken);
  if (!account) return;
  await followSignInEmail(r.ctx.users, (id) => r.ctx.identity.currentEmail(id), account).catch(
    (error: unknown) => r.ctx.logger.warn('users row email not updated', { error: loggableError(error) }),
  );
}
