import { exportStatus } from '#shared/account/exports.ts';
import { auditPseudonym } from '#shared/account/pseudonym.ts';
import { confirmOwner } from '#shared/account/reauth.ts';
import { deleteMeBody, exportParams } from '#shared/account/schema.ts';
import { bearerToken } from '#shared/auth/verifier.ts';
import { apiHandler } from '#shared/http/api-handler.ts';
import { auditNotes, endpoint } from '#shared/http/endpoint.ts';
import { ifMatchVersion } from '#shared/http/if-match.ts';
import { accepted, json, ok, withEtag } from '#shared/http/responses.ts';
import { signInContext } from '#shared/http/sign-in-context.ts';
import { useAwsContext } from '#shared/runtime/aws.ts';
import { awsAccount } from '#shared/runtime/features/account.ts';
import { usageQuery } from '#shared/usage/schema.ts';
import { currentMonth, monthlyUsage } from '#shared/usage/usage.ts';
import { updateMeBody } from '#shared/users/schema.ts';
import { toUserResponse } from '#shared/users/service.ts';

useAwsContext(awsAccount);

export const handler = apiHandler([
  {
    method: 'GET',
    path: '/v1/me',
    handler: endpoint({ action: 'user.read', resource: 'user' }, async (r) => {
      r.audit(r.caller.userId);
      return withEtag(r.event, toUserResponse(await r.ctx.users.getById(r.caller.userId)));
    }),
  },
  {
    method: 'PATCH',
    path: '/v1/me',
    handler: endpoint({ action: 'user.update', resource: 'user', body: updateMeBody }, async (r) => {
      const { userId } = r.caller;
      r.audit(userId);
      const version = await ifMatchVersion(
        r.event,
        'account',
        () => r.ctx.users.getVersionedById(userId),
        toUserResponse,
      );
      return ok(toUserResponse(await r.ctx.users.updateUsername(userId, r.body.username, version)));
    }),
  },
  {
    method: 'DELETE',
    path: '/v1/me',
    handler: endpoint(
      { action: 'user.erase', resource: 'user', apiKeys: false, body: deleteMeBody },
      async (r) => {
        const { userId } = r.caller;
        const user = await r.ctx.users.getById(userId);
        // The password is checked by signing in, with the address the account signs in with now: the row's
        // follows a change of email only at the next login.
        const email =
          r.body.password === undefined
            ? user.email
            : ((await r.ctx.identity.currentEmail(userId)) ?? user.email);
        await confirmOwner(r.ctx, {
          email,
          accessToken: bearerToken(r.event.headers.authorization),
          password: r.body.password,
          signIn: signInContext(r.event),
        });
        await r.ctx.accountTasks.start({ kind: 'erase', userId });
        // Nobody signs in as the account from now on; the worker erases the rest.
        await r.ctx.identity.deleteAccount(userId);
        r.ctx.userRows.erase(userId);
        r.ctx.apiKeyVerifier.forgetUser(userId);
        // This request's own audit entry is written after the worker may have moved the others.
        const note = auditNotes.get(r.event);
        if (note) note.userId = auditPseudonym(await r.ctx.pseudonymKey(), userId);
        return json(202, { status: 'ERASING', userId });
      },
    ),
  },
  {
    method: 'GET',
    path: '/v1/me/usage',
    handler: endpoint({ action: 'user.usage', resource: 'user', query: usageQuery }, async (r) =>
      ok(await monthlyUsage(r.ctx.db, r.caller.userId, r.query.month ?? currentMonth())),
    ),
  },
  {
    method: 'POST',
    path: '/v1/me/export',
    handler: endpoint({ action: 'user.export', resource: 'export' }, async (r) => {
      const row = await r.ctx.exports.create(r.caller.userId);
      r.audit(row.id);
      try {
        await r.ctx.accountTasks.start({ kind: 'export', userId: r.caller.userId, exportId: row.id });
      } catch (error) {
        await r.ctx.exports.fail(row.id, 'The export could not be started; start another.');
        throw error;
      }
      return accepted({ exportId: row.id, status: 'PENDING' }, `/v1/me/exports/${row.id}`);
    }),
  },
  {
    method: 'GET',
    path: '/v1/me/exports/{exportId}',
    handler: endpoint({ action: 'export.read', resource: 'export', params: exportParams }, async (r) => {
      const row = await r.ctx.exports.get(r.caller.userId, r.params.exportId);
      const status = exportStatus(row);
      if (status.status !== 'COMPLETED' || !row.objectKey) return ok(status);
      const link = await r.ctx.signer.signGet(row.objectKey, 'application/zip');
      return ok({ ...status, downloadUrl: link.url, downloadUrlExpiresAt: link.expiresAt });
    }),
  },
]);
