import { useState } from 'preact/hooks';
import { ApiProblem, call, client, Failure, type Job } from '../api.ts';
import { FormProblem, useForm } from './form.tsx';

/** Sends the file with the presigned POST, reporting progress (fetch cannot report upload progress). */
function post(
  url: string,
  fields: Record<string, string>,
  file: File,
  onProgress: (fraction: number) => void,
  signal: AbortSignal,
) {
  return new Promise<void>((resolve, reject) => {
    const body = new FormData();
    for (const [name, value] of Object.entries(fields)) body.append(name, value);
    body.append('file', file);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      if (xhr.status < 300) return resolve();
      // S3 says why in its XML error (a policy that expired, a file larger than announced).
      const reason = /<Message>([^<]*)<\/Message>/.exec(xhr.responseText)?.[1] ?? `status ${xhr.status}`;
      reject(new Failure(`The storage refused ${file.name} (${reason}); choose the file again to retry.`));
    };
    xhr.onerror = () =>
      reject(
        new Failure(
          `The upload of ${file.name} was interrupted; check the connection and choose the file again.`,
        ),
      );
    xhr.onabort = () => reject(new Error('The upload was cancelled.'));
    signal.addEventListener('abort', () => xhr.abort());
    xhr.send(body);
  });
}

/**
 * Gives an upload that did not finish back at once (its storage and its place among the uploads in
 * progress); best effort, since it otherwise lapses on its own.
 */
function cancelUpload(uploadId: string) {
  return client.DELETE('/v1/uploads/{uploadId}', { params: { path: { uploadId } } }).catch(() => undefined);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The upload becomes a TRANSCODE job with the upload's id once storage has the file. */
async function waitForJob(jobId: string): Promise<Job> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await call(() => client.GET('/v1/jobs/{jobId}', { params: { path: { jobId } } }));
    } catch (error) {
      if (!(error instanceof ApiProblem && error.problem.status === 404) || attempt > 60) throw error;
      await sleep(500);
    }
  }
}

export function Upload({ projectId, onUploaded }: { projectId: string; onUploaded: (job: Job) => void }) {
  const form = useForm();
  const [over, setOver] = useState(false);
  const [progress, setProgress] = useState<{ name: string; fraction: number } | null>(null);
  const [sending, setSending] = useState<AbortController | null>(null);

  function send(file: File | undefined) {
    if (!file || form.busy) return;
    form.submit(async () => {
      // The chooser offers only videos; a dropped file may be anything.
      if (file.type && !file.type.startsWith('video/'))
        throw new Failure(
          `${file.name} is not a video (${file.type}); choose a video file such as MP4, MOV or WebM.`,
        );
      setProgress({ name: file.name, fraction: 0 });
      try {
        const ticket = await call(() =>
          client.POST('/v1/projects/{projectId}/uploads', {
            params: { path: { projectId } },
            body: { fileName: file.name, contentType: file.type || 'video/mp4', fileSize: file.size },
          }),
        );
        const abort = new AbortController();
        setSending(abort);
        try {
          await post(
            ticket.url,
            ticket.fields,
            file,
            (fraction) => setProgress({ name: file.name, fraction }),
            abort.signal,
          );
        } catch (error) {
          await cancelUpload(ticket.uploadId);
          // Cancelled by the user: nothing went wrong.
          if (abort.signal.aborted) return;
          throw error;
        } finally {
          setSending(null);
        }
        onUploaded(await waitForJob(ticket.uploadId));
      } finally {
        setProgress(null);
      }
    });
  }

  return (
    <section aria-labelledby="upload-heading">
      <h2 id="upload-heading">Upload a video</h2>
      <FormProblem message={form.message} fields={form.fields} shown={[]} />
      <label
        for="upload-file"
        class={`dropzone${over ? ' over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          send(e.dataTransfer?.files[0]);
        }}
      >
        Drop a video file here, or choose one
        <input
          id="upload-file"
          type="file"
          accept="video/*"
          disabled={form.busy}
          onChange={(e) => {
            send(e.currentTarget.files?.[0]);
            e.currentTarget.value = '';
          }}
        />
      </label>
      {progress ? (
        <div>
          <label for="upload-progress">
            Uploading {progress.name}: {Math.round(progress.fraction * 100)} %
          </label>
          <progress id="upload-progress" value={progress.fraction} max={1} />
          {sending ? (
            <button type="button" onClick={() => sending.abort()}>
              Cancel upload
            </button>
          ) : null}
        </div>
      ) : null}
      <small>The file becomes a transcode job; its clip appears when the job completes.</small>
    </section>
  );
}
