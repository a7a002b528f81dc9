import { useEffect, useState } from 'preact/hooks';
import { call, client, messageOf, type Project } from '../api.ts';
import { refreshAccount } from '../components/account.tsx';
import { EditForm, useFocusBack } from '../components/edit-form.tsx';
import { Field, FormProblem, useForm } from '../components/form.tsx';
import { formatDate } from '../format.ts';
import { projectAsShown, writeIfUnchanged } from '../if-match.ts';

const PAGE_SIZE = 10;

export function ProjectsPage() {
  // The cursors of the pages before this one; the last is this page's.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState<{ items: Project[]; nextCursor: string | null } | null>(null);
  const [error, setError] = useState('');
  const [version, setVersion] = useState(0);
  const cursor = cursors[cursors.length - 1];

  useEffect(() => {
    let live = true;
    call(() =>
      client.GET('/v1/projects', { params: { query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } } }),
    ).then(
      (data) => {
        if (!live) return;
        setPage(data);
        setError('');
      },
      (e) => {
        if (live) setError(messageOf(e));
      },
    );
    return () => {
      live = false;
    };
  }, [cursor, version]);

  const reload = () => setVersion((v) => v + 1);

  return (
    <>
      <h1 tabIndex={-1}>Projects</h1>
      <CreateProject
        onCreated={() => {
          setCursors([undefined]);
          reload();
        }}
      />
      <section aria-labelledby="list-heading">
        <h2 id="list-heading">Your projects</h2>
        {error ? <p role="alert">{error}</p> : null}
        {page === null && !error ? <p aria-busy="true">Loading projects…</p> : null}
        {page && page.items.length === 0 ? <p>No projects yet; create one above.</p> : null}
        <ul class="projects" aria-busy={page === null}>
          {page?.items.map((p) => (
            <ProjectRow
              key={p.id}
              project={p}
              onChanged={reload}
              onDeleted={() => {
                // Gone from the list at once (focus moves to its heading), then the page is read again.
                setPage((shown) => shown && { ...shown, items: shown.items.filter((o) => o.id !== p.id) });
                reload();
              }}
            />
          ))}
        </ul>
        {/* Only when there is more than one page. */}
        {cursors.length > 1 || page?.nextCursor ? (
          <nav aria-label="Pages of projects" class="pager">
            <button
              type="button"
              class="secondary"
              disabled={cursors.length === 1}
              onClick={() => setCursors(cursors.slice(0, -1))}
            >
              Previous page
            </button>
            <span>Page {cursors.length}</span>
            <button
              type="button"
              class="secondary"
              disabled={!page?.nextCursor}
              onClick={() => page?.nextCursor && setCursors([...cursors, page.nextCursor])}
            >
              Next page
            </button>
          </nav>
        ) : null}
      </section>
    </>
  );
}

function CreateProject({ onCreated }: { onCreated: () => void }) {
  const form = useForm();
  const [created, setCreated] = useState<Project | null>(null);
  return (
    <section aria-labelledby="create-heading">
      <h2 id="create-heading">New project</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const element = e.currentTarget;
          const data = new FormData(element);
          const description = String(data.get('description') ?? '').trim();
          setCreated(null);
          form.submit(async () => {
            const project = await call(() =>
              client.POST('/v1/projects', {
                body: { title: String(data.get('title')), ...(description ? { description } : {}) },
              }),
            );
            element.reset();
            setCreated(project);
            onCreated();
          });
        }}
      >
        <FormProblem message={form.message} fields={form.fields} shown={['title', 'description']} />
        <div class="grid">
          <Field label="Title" field="title" required maxLength={100} errors={form.fields} />
          <Field label="Description (optional)" field="description" maxLength={1000} errors={form.fields} />
        </div>
        <button type="submit" aria-busy={form.busy} disabled={form.busy}>
          Create project
        </button>
        <p role="status">
          {created ? (
            <>
              Created “{created.title}”; it heads the list below.{' '}
              <a href={`#/projects/${created.id}`}>Open it</a>
            </>
          ) : null}
        </p>
      </form>
    </section>
  );
}

function ProjectRow({
  project,
  onChanged,
  onDeleted,
}: {
  project: Project;
  onChanged: () => void;
  onDeleted: () => void;
}) {
  const [renaming, setRenaming] = useState(false);
  const form = useForm();
  const opener = useFocusBack<HTMLButtonElement>(renaming);
  const path = { projectId: project.id };
  // Changed elsewhere: the list is read again, with the project as it is now.
  const unchanged = projectAsShown(project, onChanged);
  if (renaming) {
    return (
      <li>
        <EditForm
          form={form}
          title={project.title}
          save={(title) =>
            writeIfUnchanged({
              ...unchanged,
              action: 'save',
              write: (headers) =>
                client.PATCH('/v1/projects/{projectId}', { params: { path }, headers, body: { title } }),
            })
          }
          close={(renamed) => {
            setRenaming(false);
            if (renamed) onChanged();
          }}
        />
      </li>
    );
  }
  return (
    <li class="project">
      <div>
        <a href={`#/projects/${project.id}`}>{project.title}</a>
        <small>
          {project.status} · created {formatDate(project.createdAt)}
        </small>
      </div>
      <div class="actions">
        <button
          type="button"
          class="secondary outline"
          aria-label={`Rename ${project.title}`}
          ref={opener}
          onClick={() => setRenaming(true)}
        >
          Rename
        </button>
        <button
          type="button"
          class="contrast outline"
          aria-label={`Delete ${project.title}`}
          aria-busy={form.busy}
          onClick={() => {
            if (!confirm(`Delete “${project.title}” with all its clips?`)) return;
            form.submit(async () => {
              await writeIfUnchanged({
                ...unchanged,
                action: 'delete',
                write: (headers) => client.DELETE('/v1/projects/{projectId}', { params: { path }, headers }),
              });
              onDeleted();
              refreshAccount();
            });
          }}
        >
          Delete
        </button>
      </div>
      {form.message ? <p role="alert">{form.message}</p> : null}
    </li>
  );
}
