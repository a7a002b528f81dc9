import { useEffect, useState } from 'preact/hooks';
import { call, client, signOut, type User } from '../api.ts';
import { formatBytes } from '../format.ts';

const listeners = new Set<() => void>();
/** Asks the account bar to read the storage figures again (after an upload, a clip, a delete). */
export const refreshAccount = () => {
  for (const listener of listeners) listener();
};

export function AccountBar() {
  const [user, setUser] = useState<User | null>(null);
  useEffect(() => {
    const load = () =>
      call(() => client.GET('/v1/me')).then(setUser, () => {
        /* the session ended; the app shows the sign-in page */
      });
    listeners.add(load);
    load();
    return () => listeners.delete(load);
  }, []);
  return (
    <ul class="account">
      {user ? (
        <>
          <li>
            <span class="username">{user.username}</span>{' '}
            <span class="tier" title="Subscription tier">
              {user.subscriptionTier}
            </span>
          </li>
          <li class="storage">
            <label for="storage-meter">
              Storage {formatBytes(user.storageUsed)} of {formatBytes(user.storageLimit)}
            </label>
            <meter id="storage-meter" min={0} max={user.storageLimit} value={user.storageUsed} />
          </li>
        </>
      ) : null}
      <li>
        <button
          type="button"
          class="secondary outline"
          onClick={() => {
            signOut();
            location.hash = '#/signin';
          }}
        >
          Sign out
        </button>
      </li>
    </ul>
  );
}
