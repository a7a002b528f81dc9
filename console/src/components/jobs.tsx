import { call, client, type Job } from '../api.ts';
import { useForm } from './form.tsx';
import { ShowOlder } from './show-older.tsx';

const ACTIVE = new Set(['QUEUED', 'PROCESSING']);

export function Jobs({
  jobs,
  onChanged,
  onOlder,
}: {
  jobs: Job[];
  onChanged: (job: Job) => void;
  /** Reads the next page of older jobs; absent when the oldest is shown. */
  onOlder?: (() => Promise<void>) | undefined;
}) {
  return (
    <section aria-labelledby="jobs-heading">
      <h2 id="jobs-heading" tabIndex={-1}>
        Jobs
      </h2>
      {jobs.length === 0 ? <p>No jobs yet.</p> : null}
      <ul class="jobs">
        {jobs.map((job) => (
          <JobRow key={job.id} job={job} onChanged={onChanged} />
        ))}
      </ul>
      <ShowOlder what="jobs" onOlder={onOlder} />
    </section>
  );
}

function JobRow({ job, onChanged }: { job: Job; onChanged: (job: Job) => void }) {
  const form = useForm();
  const label = `${job.jobType} ${job.prompt ? `“${job.prompt.slice(0, 60)}”` : ''}`;
  const progressId = `progress-${job.id}`;
  return (
    <li class="job" data-job-id={job.id} data-status={job.status}>
      <div class="job-head">
        <span id={progressId}>{label}</span>
        <strong class={`status status-${job.status.toLowerCase()}`}>{job.status}</strong>
      </div>
      <progress
        aria-labelledby={progressId}
        value={job.progress}
        max={100}
        aria-valuetext={`${job.progress} %`}
      />
      <small aria-live="polite">
        {job.progress} %{job.queuePosition ? ` · waiting for the model: ${job.queuePosition} in line` : ''}
      </small>
      {job.errorMessage ? <p class="field-error">{job.errorMessage}</p> : null}
      {ACTIVE.has(job.status) ? (
        <button
          type="button"
          class="secondary outline"
          aria-label={`Cancel ${label}`}
          aria-busy={form.busy}
          disabled={form.busy}
          onClick={() =>
            form.submit(async () => {
              onChanged(
                await call(() =>
                  client.POST('/v1/jobs/{jobId}/cancel', { params: { path: { jobId: job.id } } }),
                ),
              );
            })
          }
        >
          Cancel
        </button>
      ) : null}
      {form.message ? <p role="alert">{form.message}</p> : null}
    </li>
  );
}
