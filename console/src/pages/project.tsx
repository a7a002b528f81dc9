import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { type Clip, call, client, type Job, messageOf, type Project } from '../api.ts';
import { refreshAccount } from '../components/account.tsx';
import { Clips } from '../components/clips.tsx';
import { EditForm, useFocusBack } from '../components/edit-form.tsx';
import { AreaField, useForm } from '../components/form.tsx';
import { JobForm } from '../components/job-form.tsx';
import { Jobs } from '../components/jobs.tsx';
import { Upload } from '../components/upload.tsx';
import { projectAsShown, writeIfUnchanged } from '../if-match.ts';
import { followProject, mergeJob } from '../job-events.ts';
import { type Listed, withFirstPage, withOlderPage } from '../paging.ts';

const ACTIVE = new Set(['QUEUED', 'PROCESSING']);
const JOB_PAGE = 20;
/** Clips per page: each card reads its own signed links, so a page stays small (a grid of 2, 3 or 4 across). */
const CLIP_PAGE = 24;

export function ProjectPage({ projectId }: { projectId: string }) {
  const path = { projectId };
  const [project, setProject] = useState<Project | null>(null);
  const [clipList, setClipList] = useState<Listed<Clip>>({ items: [], nextCursor: null });
  const clips = clipList.items;
  const [jobs, setJobs] = useState<Job[]>([]);
  // Where the older jobs start (the API's cursor); null once the oldest is shown.
  const [olderJobs, setOlderJobs] = useState<string | null>(null);
  const [error, setError] = useState('');

  // Read again when a job ends or a clip goes: older pages the user opened stay open.
  const loadClips = useCallback(
    () =>
      call(() =>
        client.GET('/v1/projects/{projectId}/clips', { params: { path, query: { limit: CLIP_PAGE } } }),
      ).then(
        (page) => setClipList((shown) => withFirstPage(shown, page)),
        (e) => setError(messageOf(e)),
      ),
    [projectId],
  );
  const loadOlderClips = async () => {
    const cursor = clipList.nextCursor;
    if (!cursor) return;
    const page = await call(() =>
      client.GET('/v1/projects/{projectId}/clips', {
        params: { path, query: { limit: CLIP_PAGE, cursor } },
      }),
    );
    setClipList((shown) => withOlderPage(shown, page));
  };
  const replaceClip = (clip: Clip) =>
    setClipList((shown) => ({ ...shown, items: shown.items.map((c) => (c.id === clip.id ? clip : c)) }));
  const dropClip = (clipId: string) =>
    setClipList((shown) => ({ ...shown, items: shown.items.filter((c) => c.id !== clipId) }));
  const loadJobs = useCallback(
    () =>
      call(() =>
        client.GET('/v1/projects/{projectId}/jobs', { params: { path, query: { limit: JOB_PAGE } } }),
      ).then(
        (page) => {
          setJobs(page.items);
          setOlderJobs(page.nextCursor);
        },
        (e) => setError(messageOf(e)),
      ),
    [projectId],
  );
  const loadOlderJobs = async () => {
    if (!olderJobs) return;
    const page = await call(() =>
      client.GET('/v1/projects/{projectId}/jobs', {
        params: { path, query: { limit: JOB_PAGE, cursor: olderJobs } },
      }),
    );
    setJobs((all) => [...all, ...page.items.filter((j) => !all.some((o) => o.id === j.id))]);
    setOlderJobs(page.nextCursor);
  };

  useEffect(() => {
    call(() => client.GET('/v1/projects/{projectId}', { params: { path } })).then(setProject, (e) =>
      setError(messageOf(e)),
    );
    loadClips();
    loadJobs();
  }, [projectId]);

  // Live progress: one stream of the project's events follows every running job (a user may hold only a
  // few streams open); while it cannot be had, the running jobs are polled instead.
  const running = jobs.filter((j) => ACTIVE.has(j.status)).map((j) => j.id);
  const [polling, setPolling] = useState(false);
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
  const runningNow = useRef(running);
  runningNow.current = running;
  const following = running.length > 0;
  useEffect(() => {
    // With nothing running the stream closes; the next job tries it again, even after a fallback.
    if (!following) {
      setPolling(false);
      return;
    }
    if (polling) return;
    const controller = new AbortController();
    followProject(
      projectId,
      {
        onJob: (job) => update([job]),
        // The stream carries what happens from now on: what changed before it opened is read once.
        onOpen: () =>
          call(() =>
            client.GET('/v1/projects/{projectId}/jobs', { params: { path, query: { limit: JOB_PAGE } } }),
          ).then(
            (page) => update(page.items.filter((j) => runningNow.current.includes(j.id))),
            () => {},
          ),
      },
      controller.signal,
    ).catch(() => setPolling(true));
    return () => controller.abort();
  }, [projectId, following, polling]);
  const polled = polling ? running : [];
  useEffect(() => {
    if (!polled.length) return;
    const timer = setTimeout(async () => {
      const fresh = await Promise.all(
        polled.map((jobId) =>
          call(() => client.GET('/v1/jobs/{jobId}', { params: { path: { jobId } } })).catch(() => null),
        ),
      );
      update(fresh.filter((j): j is Job => j !== null));
    }, 1000);
    return () => clearTimeout(timer);
  }, [jobs, polling]);

  // A waiting job's place in line comes from GET only (events do not carry it): read it every 5 s.
  const waiting = jobs
    .filter((j) => j.status === 'QUEUED' && j.jobType === 'GENERATE' && !polling)
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
      {project ? <ProjectDetails project={project} onSaved={setProject} /> : null}
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
          <Jobs jobs={jobs} onChanged={addJob} onOlder={olderJobs ? loadOlderJobs : undefined} />
          <Clips
            clips={clips}
            onDeleted={(clipId) => {
              dropClip(clipId);
              loadClips();
              refreshAccount();
            }}
            onChanged={replaceClip}
            onOlder={clipList.nextCursor ? loadOlderClips : undefined}
          />
        </div>
      </div>
    </>
  );
}

/** The project's description, and a form to change it and the title. */
function ProjectDetails({ project, onSaved }: { project: Project; onSaved: (project: Project) => void }) {
  const [editing, setEditing] = useState(false);
  const form = useForm();
  const opener = useFocusBack<HTMLButtonElement>(editing);
  if (editing) {
    return (
      <EditForm
        form={form}
        title={project.title}
        fields={['description']}
        save={async (title, data) => {
          const description = String(data.get('description')).trim();
          const path = { projectId: project.id };
          onSaved(
            await writeIfUnchanged({
              // The form stays open: what was typed stays, the fields left alone show the project as it is now.
              ...projectAsShown(project, onSaved),
              action: 'save',
              write: (headers) =>
                client.PATCH('/v1/projects/{projectId}', {
                  params: { path },
                  headers,
                  body: { title, description: description || null },
                }),
            }),
          );
        }}
        close={() => setEditing(false)}
      >
        <AreaField
          label="Description (optional)"
          field="description"
          rows={3}
          maxLength={1000}
          defaultValue={project.description ?? ''}
          errors={form.fields}
        />
      </EditForm>
    );
  }
  return (
    <div class="project-details">
      {project.description ? <p>{project.description}</p> : null}
      <button
        type="button"
        class="secondary outline edit-details"
        ref={opener}
        onClick={() => setEditing(true)}
      >
        {project.description ? 'Edit the title or description' : 'Edit the title or add a description'}
      </button>
    </div>
  );
}
