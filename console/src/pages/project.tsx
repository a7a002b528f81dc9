import { useCallback, useEffect, useState } from 'preact/hooks';
import { type Clip, call, client, type Job, messageOf, type Project } from '../api.ts';
import { refreshAccount } from '../components/account.tsx';
import { Clips } from '../components/clips.tsx';
import { JobForm } from '../components/job-form.tsx';
import { Jobs } from '../components/jobs.tsx';
import { Upload } from '../components/upload.tsx';

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

  // Live progress: poll each running job until it ends (the events stream will replace this).
  const running = jobs.filter((j) => ACTIVE.has(j.status)).map((j) => j.id);
  useEffect(() => {
    if (!running.length) return;
    const timer = setTimeout(async () => {
      const fresh = await Promise.all(
        running.map((jobId) =>
          call(() => client.GET('/v1/jobs/{jobId}', { params: { path: { jobId } } })).catch(() => null),
        ),
      );
      const byId = new Map(fresh.filter((j): j is Job => j !== null).map((j) => [j.id, j]));
      setJobs((all) => all.map((j) => byId.get(j.id) ?? j));
      if ([...byId.values()].some((j) => !ACTIVE.has(j.status))) {
        loadClips();
        refreshAccount();
      }
    }, 1000);
    return () => clearTimeout(timer);
  }, [jobs]);

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
