import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { type Clip, call, client, type Job, messageOf, type Project } from '../api.ts';
import { refreshAccount } from '../components/account.tsx';
import { Clips } from '../components/clips.tsx';
import { JobForm } from '../components/job-form.tsx';
import { Jobs } from '../components/jobs.tsx';
import { Upload } from '../components/upload.tsx';
import { followJob, mergeJob } from '../job-events.ts';

const ACTIVE = new Set(['QUEUED', 'PROCESSING']);

export function ProjectPage({ projectId }: { projectId: string }) {
  const path = { projectId };
  const [project, setProject] = useState<Project | null>(null);
  const [clips, setClips] = useState<Clip[]>([]);
  const [jobs, setJobs] = useState<Job[]>([]);
  const [error, setError] = useState('');

  const loadClips = useCallback(
    () =>
      call(() =>
        client.GET('/v1/projects/{projectId}/clips', { params: { path, query: { limit: 50 } } }),
      ).then(
        (page) => setClips(page.items),
        (e) => setError(messageOf(e)),
      ),
    [projectId],
  );
  const loadJobs = useCallback(
    () =>
      call(() =>
        client.GET('/v1/projects/{projectId}/jobs', { params: { path, query: { limit: 20 } } }),
      ).then(
        (page) => setJobs(page.items),
        (e) => setError(messageOf(e)),
      ),
    [projectId],
  );

  useEffect(() => {
    call(() => client.GET('/v1/projects/{projectId}', { params: { path } })).then(setProject, (e) =>
      setError(messageOf(e)),
    );
    loadClips();
    loadJobs();
  }, [projectId]);

  // Live progress: each running job follows its event stream; a job whose stream fails is polled instead.
  const running = jobs.filter((j) => ACTIVE.has(j.status)).map((j) => j.id);
  const followed = useRef(new Map<string, AbortController>());
  const [polled, setPolled] = useState<ReadonlySet<string>>(new Set());
  const update = useCallback(
    (fresh: Job[]) => {
      const byId = new Map(fresh.map((j) => [j.id, j]));
      setJobs((all) =>
        all.map((j) => {
          const next = byId.get(j.id);
          return next ? mergeJob(j, next) : j;
        }),
      );
      if (fresh.some((j) => !ACTIVE.has(j.status))) {
        loadClips();
        refreshAccount();
      }
    },
    [loadClips],
  );
  useEffect(() => {
    for (const [jobId, controller] of followed.current) {
      if (running.includes(jobId)) continue;
      controller.abort();
      followed.current.delete(jobId);
    }
    for (const jobId of running) {
      if (followed.current.has(jobId) || polled.has(jobId)) continue;
      const controller = new AbortController();
      followed.current.set(jobId, controller);
      followJob(jobId, (job) => update([job]), controller.signal).catch(() =>
        setPolled((ids) => new Set(ids).add(jobId)),
      );
    }
  }, [running.join(',')]);
  useEffect(() => {
    const streams = followed.current;
    return () => {
      for (const controller of streams.values()) controller.abort();
      streams.clear();
    };
  }, [projectId]);
  const polling = running.filter((id) => polled.has(id));
  useEffect(() => {
    if (!polling.length) return;
    const timer = setTimeout(async () => {
      const fresh = await Promise.all(
        polling.map((jobId) =>
          call(() => client.GET('/v1/jobs/{jobId}', { params: { path: { jobId } } })).catch(() => null),
        ),
      );
      update(fresh.filter((j): j is Job => j !== null));
    }, 1000);
    return () => clearTimeout(timer);
  }, [jobs, polled]);

  // A waiting job's place in line comes from GET only (events do not carry it): read it every 5 s.
  const waiting = jobs
    .filter((j) => j.status === 'QUEUED' && j.jobType === 'GENERATE' && !polled.has(j.id))
    .map((j) => j.id);
  // An interval, not a timeout renewed on each change: other jobs' events must not keep putting it off.
  useEffect(() => {
    if (!waiting.length) return;
    const timer = setInterval(async () => {
      const fresh = await Promise.all(
        waiting.map((jobId) =>
          call(() => client.GET('/v1/jobs/{jobId}', { params: { path: { jobId } } })).catch(() => null),
        ),
      );
      update(fresh.filter((j): j is Job => j !== null));
    }, 5000);
    return () => clearInterval(timer);
  }, [waiting.join(',')]);

  const addJob = (job: Job) => setJobs((all) => [job, ...all.filter((j) => j.id !== job.id)]);

  if (error && !project) {
    return (
      <>
        <h1 tabIndex={-1}>Project</h1>
        <p role="alert">{error}</p>
        <a href="#/">Back to projects</a>
      </>
    );
  }
  return (
    <>
      <nav aria-label="Breadcrumb">
        <ul>
          <li>
            <a href="#/">Projects</a>
          </li>
          <li>{project?.title ?? '…'}</li>
        </ul>
      </nav>
      <h1 tabIndex={-1}>{project?.title ?? 'Project'}</h1>
      {project?.description ? <p>{project.description}</p> : null}
      <div class="project-layout">
        <div>
          <JobForm projectId={projectId} clips={clips} onSubmitted={addJob} />
          <Upload
            projectId={projectId}
            onUploaded={(job) => {
              addJob(job);
              refreshAccount();
            }}
          />
        </div>
        <div>
          <Jobs jobs={jobs} onChanged={addJob} />
          <Clips
            clips={clips}
            onDeleted={() => {
              loadClips();
              refreshAccount();
            }}
          />
        </div>
      </div>
    </>
  );
}
