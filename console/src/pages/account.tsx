import { useEffect, useState } from 'preact/hooks';
import { call, client, messageOf, signOut } from '../api.ts';
import { ApiKeys } from '../components/api-keys.tsx';
import { Field, FormProblem, useForm } from '../components/form.tsx';
import { Webhooks } from '../components/webhooks.tsx';
import { formatBytes, formatDate } from '../format.ts';

type Export = {
  id: string;
  status: 'PENDING' | 'COMPLETED' | 'FAILED' | 'EXPIRED';
  downloadUrl?: string;
  downloadUrlExpiresAt?: string;
  errorMessage: string | null;
  sizeBytes: number | null;
};

/** The account: its API keys and webhooks, a copy of everything in it (an export), and erasing it. */
export function AccountPage() {
  return (
    <>
      <nav aria-label="Breadcrumb">
        <ul>
          <li>
            <a href="#/">Projects</a>
          </li>
          <li>Account</li>
        </ul>
      </nav>
      <h1 tabIndex={-1}>Account</h1>
      <ApiKeys />
      <Webhooks />
      <ExportData />
      <DeleteAccount />
    </>
  );
}

function ExportData() {
  const form = useForm();
  const [current, setCurrent] = useState<Export | null>(null);
  // An export is written in the background: its status is read every 2 s until it ends.
  useEffect(() => {
    if (current?.status !== 'PENDING') return;
    const timer = setTimeout(() => {
      call(() =>
        client.GET('/v1/me/exports/{exportId}', { params: { path: { exportId: current.id } } }),
      ).then(setCurrent, (e) => setCurrent({ ...current, status: 'FAILED', errorMessage: messageOf(e) }));
    }, 2000);
    return () => clearTimeout(timer);
  }, [current]);
  return (
    <section aria-labelledby="export-heading">
      <h2 id="export-heading">Export your data</h2>
      <p>
        A zip of every record of your account (projects, clips, jobs, templates, webhooks) and a list of your
        stored files with their sizes; the videos themselves stay where they are: download them from their
        clips.
      </p>
      <FormProblem message={form.message} fields={form.fields} shown={[]} />
      <button
        type="button"
        aria-busy={form.busy || current?.status === 'PENDING'}
        disabled={form.busy || current?.status === 'PENDING'}
        onClick={() =>
          form.submit(async () => {
            const started = await call(() => client.POST('/v1/me/export'));
            setCurrent({ id: started.exportId, status: 'PENDING', errorMessage: null, sizeBytes: null });
          })
        }
      >
        Start an export
      </button>
      <p role="status" class="export-status">
        {current?.status === 'PENDING' ? 'Writing the export…' : null}
        {current?.status === 'COMPLETED' && current.downloadUrl ? (
          <>
            Your export is ready{current.sizeBytes !== null ? ` (${formatBytes(current.sizeBytes)})` : ''}:{' '}
            <a href={current.downloadUrl} download>
              Download the zip
            </a>
            {current.downloadUrlExpiresAt ? (
              <small> (the link works until {formatDate(current.downloadUrlExpiresAt)})</small>
            ) : null}
          </>
        ) : null}
        {current?.status === 'FAILED' || current?.status === 'EXPIRED'
          ? `The export ${current.status === 'FAILED' ? 'failed' : 'expired'}${current.errorMessage ? `: ${current.errorMessage}` : ''}; start another.`
          : null}
      </p>
    </section>
  );
}

function DeleteAccount() {
  const form = useForm();
  return (
    <section aria-labelledby="delete-heading">
      <h2 id="delete-heading">Delete your account</h2>
      <p>
        Every project, clip, job, template, webhook and API key is erased and running jobs are cancelled. This
        cannot be undone; export your data first if you want a copy.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const password = String(new FormData(e.currentTarget).get('password'));
          if (!confirm('Delete your account and everything in it? This cannot be undone.')) return;
          form.submit(async () => {
            await call(() => client.DELETE('/v1/me', { body: { password } }));
            signOut('Your account has been deleted.');
            location.hash = '#/signin';
          });
        }}
      >
        <FormProblem message={form.message} fields={form.fields} shown={['password']} />
        <Field
          label="Current password"
          field="password"
          type="password"
          autocomplete="current-password"
          required
          errors={form.fields}
        />
        <button type="submit" class="contrast" aria-busy={form.busy} disabled={form.busy}>
          Delete my account
        </button>
      </form>
    </section>
  );
}
