import { useEffect, useRef, useState } from 'preact/hooks';
import { type Clip, call, client } from '../api.ts';
import { formatBytes } from '../format.ts';
import { clipAsShown, writeIfUnchanged } from '../if-match.ts';
import { metadataOf } from '../metadata.ts';
import { EditForm, useFocusBack } from './edit-form.tsx';
import { AreaField, useForm } from './form.tsx';
import { ShowOlder } from './show-older.tsx';

type Media = NonNullable<Clip['media']>;

export function Clips({
  clips,
  onDeleted,
  onChanged,
  onOlder,
}: {
  clips: Clip[];
  onDeleted: (clipId: string) => void;
  onChanged: (clip: Clip) => void;
  /** Reads the next page of older clips; absent when the oldest is shown. */
  onOlder?: (() => Promise<void>) | undefined;
}) {
  const [playing, setPlaying] = useState<string | null>(null);
  return (
    <section aria-labelledby="clips-heading">
      <h2 id="clips-heading">Clips</h2>
      {clips.length === 0 ? <p>No clips yet: generate one or upload a video.</p> : null}
      <ul class="clips">
        {clips.map((clip) => (
          <ClipCard
            key={clip.id}
            clip={clip}
            playing={playing === clip.id}
            onPlay={() => setPlaying(playing === clip.id ? null : clip.id)}
            onDeleted={onDeleted}
            onChanged={onChanged}
          />
        ))}
      </ul>
      <ShowOlder what="clips" onOlder={onOlder} />
    </section>
  );
}

function ClipCard(props: {
  clip: Clip;
  playing: boolean;
  onPlay: () => void;
  onDeleted: (clipId: string) => void;
  onChanged: (clip: Clip) => void;
}) {
  const { clip } = props;
  const [media, setMedia] = useState<Media | null>(null);
  const [editing, setEditing] = useState(false);
  const form = useForm();
  const opener = useFocusBack<HTMLButtonElement>(editing);
  const path = { clipId: clip.id };
  const unchanged = clipAsShown(clip, props.onChanged);
  useEffect(() => {
    // The list has no signed links; each clip's own read has them (thumbnail, MP4, HLS).
    call(() => client.GET('/v1/clips/{clipId}', { params: { path: { clipId: clip.id } } })).then(
      (full) => setMedia(full.media ?? null),
      () => setMedia(null),
    );
  }, [clip.id]);
  return (
    <li class="clip" data-clip-id={clip.id}>
      <article>
        {props.playing && media ? (
          <Player media={media} title={clip.title} />
        ) : media?.thumbnailUrl ? (
          <img src={media.thumbnailUrl} alt={`First frame of ${clip.title}`} width={320} height={180} />
        ) : (
          <div class="no-thumb" aria-hidden="true" />
        )}
        {editing ? (
          <EditForm
            form={form}
            title={clip.title}
            fields={['metadata']}
            save={async (title, data) => {
              const metadata = metadataOf(String(data.get('metadata')));
              props.onChanged(
                await writeIfUnchanged({
                  ...unchanged,
                  action: 'save',
                  write: (headers) =>
                    client.PATCH('/v1/clips/{clipId}', {
                      params: { path },
                      headers,
                      body: { title, metadata },
                    }),
                }),
              );
            }}
            close={() => setEditing(false)}
          >
            <AreaField
              label="Metadata (JSON, yours to use)"
              field="metadata"
              rows={3}
              spellcheck={false}
              defaultValue={Object.keys(clip.metadata).length ? JSON.stringify(clip.metadata, null, 2) : ''}
              placeholder='{"scene": 3, "tags": ["snow"]}'
              errors={form.fields}
              hint="An object; saving replaces the clip's metadata (empty: none)."
            />
          </EditForm>
        ) : (
          <h3>{clip.title}</h3>
        )}
        <small>
          {clip.duration.toFixed(1)} s · {clip.resolution} · {formatBytes(clip.storageBytes)}
          {clip.system.notAi ? ' · local stand-in' : ''}
        </small>
        <div class="actions">
          <button type="button" onClick={props.onPlay} disabled={!media} aria-pressed={props.playing}>
            {props.playing ? 'Close player' : 'Play'}
            <span class="visually-hidden"> {clip.title}</span>
          </button>
          {media ? (
            <a href={media.videoUrl} download={`${clip.title}.mp4`} class="download">
              Download MP4<span class="visually-hidden"> of {clip.title}</span>
            </a>
          ) : null}
          <button
            type="button"
            class="secondary outline"
            aria-pressed={editing}
            ref={opener}
            onClick={() => setEditing(!editing)}
          >
            Edit<span class="visually-hidden"> {clip.title}</span>
          </button>
          <button
            type="button"
            class="contrast outline"
            aria-busy={form.busy}
            onClick={() => {
              if (!confirm(`Delete the clip “${clip.title}”?`)) return;
              form.submit(async () => {
                await writeIfUnchanged({
                  ...unchanged,
                  action: 'delete',
                  write: (headers) => client.DELETE('/v1/clips/{clipId}', { params: { path }, headers }),
                });
                props.onDeleted(clip.id);
              });
            }}
          >
            Delete<span class="visually-hidden"> {clip.title}</span>
          </button>
        </div>
        {form.message && !editing ? <p role="alert">{form.message}</p> : null}
      </article>
    </li>
  );
}

/** The HLS stream through hls.js (loaded on demand) or the browser's own HLS, else the MP4. */
function Player({ media, title }: { media: Media; title: string }) {
  const video = useRef<HTMLVideoElement>(null);
  const [note, setNote] = useState('');
  useEffect(() => {
    const element = video.current!;
    let destroy = () => {};
    // Muted, so that browsers let it start without another gesture; the controls unmute it.
    const play = () =>
      element.play().catch(() => {
        /* refused: the controls remain */
      });
    const mp4 = () => {
      element.src = media.videoUrl;
      play();
    };
    const hlsUrl = media.hlsUrl;
    const native = () => {
      // Some browsers claim HLS and then fail on it; the MP4 is the fallback.
      element.addEventListener('error', mp4, { once: true });
      element.src = hlsUrl!;
      play();
    };
    if (!hlsUrl) mp4();
    else if (typeof MediaSource === 'undefined') native();
    else {
      // Where Media Source Extensions exist hls.js plays the stream (loaded only now); iOS Safari has none
      // and plays HLS itself.
      import('hls.js/light').then(({ default: Hls }) => {
        if (!Hls.isSupported())
          return element.canPlayType('application/vnd.apple.mpegurl') ? native() : mp4();
        const hls = new Hls();
        hls.on(Hls.Events.MANIFEST_PARSED, play);
        hls.on(Hls.Events.ERROR, (_event, data) => {
          if (!data.fatal) return;
          setNote('The stream failed; playing the MP4 instead.');
          hls.destroy();
          mp4();
        });
        hls.loadSource(hlsUrl);
        hls.attachMedia(element);
        destroy = () => hls.destroy();
      }, mp4);
    }
    return () => destroy();
  }, [media.hlsUrl, media.videoUrl]);
  return (
    <div class="player">
      <video
        ref={video}
        controls
        playsInline
        muted
        aria-label={`Player: ${title}`}
        poster={media.thumbnailUrl ?? undefined}
      />
      {note ? <small role="status">{note}</small> : null}
    </div>
  );
}
