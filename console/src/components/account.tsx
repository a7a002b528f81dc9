import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { call, client, messageOf, signOut, type Usage, type User } from '../api.ts';
import { formatBytes } from '../format.ts';
import { formatUsd, monthName, recentMonths, storageLines } from '../usage.ts';

const listeners = new Set<() => void>();
/** Asks the account bar to read the storage figures again (after an upload, a clip, a delete). */
export const refreshAccount = () => {
  for (const listener of listeners) listener();
};

export function AccountBar() {
  const [user, setUser] = useState<User | null>(null);
  useEffect(() => {
    const load = () => {
      call(() => client.GET('/v1/me')).then(setUser, () => {
        /* the session ended; the app shows the sign-in page */
      });
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
          <UsagePanel />
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

/**
 * A month's usage: seconds generated per model, minutes transcoded, jobs by outcome, storage, estimated cost.
 * The month picker offers the current month (as the API's clock has it) and the eleven before.
 */
function UsagePanel() {
  const [month, setMonth] = useState<string>();
  const [current, setCurrent] = useState<string>();
  const [usage, setUsage] = useState<Usage | null>(null);
  const [error, setError] = useState('');
  const [open, setOpen] = useState(false);
  useEffect(() => {
    let live = true;
    const load = () =>
      call(() => client.GET('/v1/me/usage', { params: { query: month ? { month } : {} } })).then(
        (data) => {
          if (!live) return;
          setUsage(data);
          setError('');
          if (!month) setCurrent(data.month);
        },
        (e) => {
          if (live) setError(messageOf(e));
        },
      );
    listeners.add(load);
    load();
    return () => {
      live = false;
      listeners.delete(load);
    };
  }, [month]);
  if (!usage || !current) return null;
  const models = Object.entries(usage.generatedSeconds.byModel);
  return (
    <li>
      {/* Its body exists only while open: figures re-rendered inside it while it was closed came out with no height in Chromium. */}
      <details class="usage" onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary>Usage {monthName(usage.month)}</summary>
        {open ? (
          <div class="usage-body">
            <label>
              Month
              <select value={month ?? current} onChange={(e) => setMonth(e.currentTarget.value)}>
                {recentMonths(current).map((m) => (
                  <option key={m} value={m}>
                    {monthName(m)}
                  </option>
                ))}
              </select>
            </label>
            {error ? <p role="alert">{error}</p> : null}
            <dl aria-live="polite">
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
              {storageLines(usage, usage.month === current).map((line) => (
                <Fragment key={line.term}>
                  <dt>{line.term}</dt>
                  <dd>{line.detail}</dd>
                </Fragment>
              ))}
              <dt>Estimated cost</dt>
              <dd>
                {formatUsd(usage.estimatedCostUsd.total)}{' '}
                <small>
                  (prices of {usage.priceTable.asOf}, {usage.priceTable.region})
                </small>
              </dd>
            </dl>
          </div>
        ) : null}
      </details>
    </li>
  );
}
