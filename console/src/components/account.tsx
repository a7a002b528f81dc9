import { useEffect, useState } from 'preact/hooks';
import { call, client, signOut, type Usage, type User } from '../api.ts';
import { formatBytes } from '../format.ts';

const listeners = new Set<() => void>();
/** Asks the account bar to read the storage figures again (after an upload, a clip, a delete). */
export const refreshAccount = () => {
  for (const listener of listeners) listener();
};

export function AccountBar() {
  const [user, setUser] = useState<User | null>(null);
  const [usage, setUsage] = useState<Usage | null>(null);
  useEffect(() => {
    const load = () => {
      call(() => client.GET('/v1/me')).then(setUser, () => {
        /* the session ended; the app shows the sign-in page */
      });
      call(() => client.GET('/v1/me/usage')).then(setUsage, () => setUsage(null));
    };
    listeners.add(load);
    load();
    return () => listeners.delete(load);
  }, []);
  return (
    <ul class="account">
      {user ? (
        <>
          <li>
            <a href="#/account" class="username" title="Account: export, delete">
              {user.username}
            </a>{' '}
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
          {usage ? (
            <li>
              <UsageSummary usage={usage} />
            </li>
          ) : null}
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

/** The month's usage: seconds generated per model, minutes transcoded, jobs by outcome, estimated cost. */
function UsageSummary({ usage }: { usage: Usage }) {
  const models = Object.entries(usage.generatedSeconds.byModel);
  return (
    <details class="usage">
      <summary>Usage {usage.month}</summary>
      <dl>
        <dt>Seconds generated</dt>
        {models.length ? (
          models.map(([model, seconds]) => (
            <dd key={model}>
              {model}: {seconds} s
            </dd>
          ))
        ) : (
          <dd>none</dd>
        )}
        <dt>Minutes transcoded</dt>
        <dd>{usage.transcodedMinutes}</dd>
        <dt>Jobs</dt>
        <dd>
          {usage.jobs.completed} completed, {usage.jobs.failed} failed, {usage.jobs.cancelled} cancelled
        </dd>
        <dt>Estimated cost</dt>
        <dd>
          {formatUsd(usage.estimatedCostUsd.total)}{' '}
          <small>
            (prices of {usage.priceTable.asOf}, {usage.priceTable.region})
          </small>
        </dd>
      </dl>
    </details>
  );
}

const formatUsd = (amount: number) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 4 }).format(
    amount,
  );
