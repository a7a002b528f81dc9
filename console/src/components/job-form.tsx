import { useEffect, useMemo, useState } from 'preact/hooks';
import { SUPPORTED_RESOLUTIONS } from '../../../shared/clips/resolutions.ts';
import { resolutionFitsTier, type SubscriptionTier, TIER_LIMITS } from '../../../shared/users/tiers.ts';
import {
  type Clip,
  call,
  client,
  fieldProblem,
  type Job,
  type Model,
  type Schemas,
  type Template,
} from '../api.ts';
import { newIdempotencyKey } from '../format.ts';
import { Field, FormProblem, SelectField, useForm } from './form.tsx';
import { TemplateEditor, TemplateForm } from './template-form.tsx';
import { TemplateGallery, useTemplates } from './templates.tsx';

type JobType = Schemas['CreateJobRequest']['jobType'];
const JOB_TYPES: { value: JobType; label: string; jobName: string }[] = [
  { value: 'GENERATE', label: 'Generate a clip from a prompt', jobName: 'The generation' },
  { value: 'EDIT', label: 'Edit: join clips', jobName: 'The edit' },
  { value: 'ENHANCE', label: 'Enhance: upscale, interpolate, denoise', jobName: 'The enhancement' },
  { value: 'TRANSCODE', label: 'Transcode: new size or HLS', jobName: 'The transcode' },
];

type Range = { min: number; max: number };
const isRange = (v: unknown): v is Range => !!v && typeof v === 'object' && 'min' in v && 'max' in v;
const variablesOf = (prompt: string) => [
  ...new Set([...prompt.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!)),
];

export function JobForm(props: { projectId: string; clips: Clip[]; onSubmitted: (job: Job) => void }) {
  const form = useForm();
  const [jobType, setJobType] = useState<JobType>('GENERATE');
  const [models, setModels] = useState<Model[]>([]);
  const [modelId, setModelId] = useState('local');
  const gallery = useTemplates();
  const [template, setTemplate] = useState<Template | null>(null);
  const [editing, setEditing] = useState<Template | null>(null);
  const templateId = template?.id ?? '';
  const [submitted, setSubmitted] = useState<Job | null>(null);
  // The tier bounds durations and frame sizes below what a model allows: offered choices stay within it.
  const [tier, setTier] = useState<SubscriptionTier | null>(null);
  const [userId, setUserId] = useState<string | null>(null);
  useEffect(() => {
    call(() => client.GET('/v1/models')).then(
      (list) => setModels(list.items),
      () => {},
    );
    call(() => client.GET('/v1/me')).then(
      (me) => {
        setTier(me.subscriptionTier);
        setUserId(me.id);
      },
      () => {},
    );
  }, []);
  const model = models.find((m) => m.id === modelId);
  const variables = useMemo(() => (template ? variablesOf(template.prompt) : []), [template]);
  const shown = ['prompt', 'jobType', 'templateId', 'sourceClipIds', 'parameters.clips'];

  function submit(element: HTMLFormElement) {
    const data = new FormData(element);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    const number = (name: string) => (text(name) === '' ? undefined : Number(text(name)));
    const parameters: Record<string, unknown> = {};
    const set = (name: string, value: unknown) => {
      if (value !== undefined && value !== '') parameters[name] = value;
    };
    set('resolution', text('parameters.resolution'));
    let sourceClipIds: string[] | undefined;
    if (jobType === 'GENERATE') {
      set('model', modelId);
      set('durationSeconds', number('parameters.durationSeconds'));
      set('fps', number('parameters.fps'));
      set('aspectRatio', text('parameters.aspectRatio'));
      set('seed', number('parameters.seed'));
      if (data.get('parameters.loop')) parameters.loop = true;
      if (variables.length)
        parameters.variables = Object.fromEntries(
          variables.map((v) => [v, text(`parameters.variables.${v}`)]),
        );
    } else if (jobType === 'EDIT') {
      // Each chosen clip, trimmed to its optional start and end (seconds into it).
      parameters.clips = data.getAll('parameters.clips').map((clipId) => {
        const start = number(`trim.start.${clipId}`);
        const end = number(`trim.end.${clipId}`);
        return {
          clipId: String(clipId),
          ...(start !== undefined ? { start } : {}),
          ...(end !== undefined ? { end } : {}),
        };
      });
    } else {
      sourceClipIds = text('sourceClipIds') ? [text('sourceClipIds')] : [];
      if (jobType === 'ENHANCE') {
        set('fps', number('parameters.fps'));
        set('interpolation', text('parameters.interpolation'));
        if (data.get('parameters.denoise')) parameters.denoise = true;
      } else parameters.hls = data.get('parameters.hls') !== null;
    }
    const prompt = text('prompt');
    const body: Schemas['CreateJobRequest'] = {
      jobType,
      parameters,
      ...(prompt ? { prompt } : {}),
      ...(jobType === 'GENERATE' && templateId ? { templateId } : {}),
      ...(sourceClipIds ? { sourceClipIds } : {}),
    };
    const key = newIdempotencyKey();
    setSubmitted(null);
    form.submit(async () => {
      if (jobType === 'EDIT' && !(parameters.clips as unknown[]).length)
        throw fieldProblem('parameters.clips', 'Tick at least one clip to join.');
      const job = await call(() =>
        client.POST('/v1/projects/{projectId}/jobs', {
          params: { path: { projectId: props.projectId } },
          body,
          headers: { 'idempotency-key': key },
        }),
      );
      props.onSubmitted(job);
      setSubmitted(job);
    });
  }

  const resolutions =
    jobType === 'GENERATE' && model && model.capabilities.resolutions !== 'any'
      ? model.capabilities.resolutions
      : SUPPORTED_RESOLUTIONS;
  return (
    <section aria-labelledby="job-heading">
      <h2 id="job-heading">New job</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit(e.currentTarget);
        }}
      >
        <FormProblem
          message={form.message}
          fields={form.fields}
          shown={[...shown, ...visibleParameters(jobType)]}
        />
        <SelectField
          label="Job type"
          field="jobType"
          errors={form.fields}
          value={jobType}
          onChange={(e) => setJobType(e.currentTarget.value as JobType)}
        >
          {JOB_TYPES.map((t) => (
            <option key={t.value} value={t.value}>
              {t.label}
            </option>
          ))}
        </SelectField>

        {jobType === 'GENERATE' ? (
          <>
            <TemplateGallery
              gallery={gallery}
              chosen={template}
              onChoose={setTemplate}
              onEdit={setEditing}
              onDeleted={(id) => {
                if (template?.id === id) setTemplate(null);
                if (editing?.id === id) setEditing(null);
              }}
              userId={userId}
              error={form.fields.templateId}
            />
            {variables.map((name) => (
              <Field
                key={`${templateId}-${name}`}
                label={`Template variable: ${name}`}
                field={`parameters.variables.${name}`}
                required
                maxLength={500}
                errors={form.fields}
              />
            ))}
          </>
        ) : null}

        <label for="job-prompt">
          {jobType === 'GENERATE' ? (template ? 'More prompt text (optional)' : 'Prompt') : 'Description'}
          <textarea
            id="job-prompt"
            name="prompt"
            rows={3}
            maxLength={2000}
            required={!(jobType === 'GENERATE' && template)}
            aria-invalid={form.fields.prompt ? true : undefined}
            aria-describedby={form.fields.prompt ? 'job-prompt-error' : undefined}
          />
          {form.fields.prompt ? (
            <small id="job-prompt-error" class="field-error">
              {form.fields.prompt}
            </small>
          ) : null}
        </label>

        {jobType === 'GENERATE' ? (
          <GenerateFields
            models={models}
            model={model}
            modelId={modelId}
            setModelId={setModelId}
            tier={tier}
            errors={form.fields}
          />
        ) : null}
        {jobType === 'EDIT' ? (
          <fieldset aria-describedby={form.fields['parameters.clips'] ? 'edit-clips-error' : undefined}>
            <legend>Clips to join, in list order</legend>
            {props.clips.length === 0 ? <small>No clips in this project yet.</small> : null}
            {props.clips.map((c) => (
              <div key={c.id} class="edit-clip">
                <label>
                  <input type="checkbox" name="parameters.clips" value={c.id} /> {c.title} (
                  {c.duration.toFixed(1)} s)
                </label>
                {(['start', 'end'] as const).map((end) => (
                  <label key={end}>
                    {end === 'start' ? 'From' : 'To'}
                    <span class="visually-hidden"> (seconds into {c.title})</span>
                    <input
                      type="number"
                      name={`trim.${end}.${c.id}`}
                      min={0}
                      max={c.duration}
                      step="any"
                      placeholder={end === 'start' ? '0' : c.duration.toFixed(1)}
                    />
                  </label>
                ))}
              </div>
            ))}
            <small>From and To trim a clip (seconds into it); leave them empty to keep it whole.</small>
            {form.fields['parameters.clips'] ? (
              <small id="edit-clips-error" class="field-error">
                {form.fields['parameters.clips']}
              </small>
            ) : null}
          </fieldset>
        ) : null}
        {jobType === 'ENHANCE' || jobType === 'TRANSCODE' ? (
          <SelectField label="Source clip" field="sourceClipIds" errors={form.fields} required>
            <option value="">Choose a clip</option>
            {props.clips.map((c) => (
              <option key={c.id} value={c.id}>
                {c.title} ({c.resolution})
              </option>
            ))}
          </SelectField>
        ) : null}

        <SelectField label="Resolution" field="parameters.resolution" errors={form.fields}>
          <option value="">{jobType === 'GENERATE' ? 'Model default' : 'Same as the source'}</option>
          {resolutions.map((r) => {
            const [width, height] = r.split('x').map(Number) as [number, number];
            const fits = !tier || resolutionFitsTier(tier, width, height);
            return (
              <option key={r} value={r} disabled={!fits}>
                {r}
                {fits ? '' : ` (not on the ${tier} tier)`}
              </option>
            );
          })}
        </SelectField>
        {jobType === 'ENHANCE' ? (
          <>
            <Field
              label="Frame rate"
              field="parameters.fps"
              type="number"
              min={1}
              max={60}
              errors={form.fields}
            />
            <SelectField label="Frame interpolation" field="parameters.interpolation" errors={form.fields}>
              <option value="">None</option>
              <option value="INTERPOLATE">Interpolate</option>
              <option value="FRAMEFORMER">FrameFormer</option>
            </SelectField>
            <label>
              <input type="checkbox" name="parameters.denoise" /> Reduce noise
            </label>
          </>
        ) : null}
        {jobType === 'TRANSCODE' ? (
          <label>
            <input type="checkbox" name="parameters.hls" defaultChecked /> Also make an HLS stream
          </label>
        ) : null}
        <button type="submit" aria-busy={form.busy} disabled={form.busy}>
          Submit job
        </button>
        {/* On a narrow screen the job list is below the form, out of sight: say where the job went. */}
        <p role="status" class="submitted">
          {submitted ? (
            <>
              {JOB_TYPES.find((t) => t.value === submitted.jobType)?.jobName ?? 'The job'} is{' '}
              {submitted.status.toLowerCase()}; its progress shows under Jobs.{' '}
              <button
                type="button"
                class="secondary outline"
                onClick={() => document.getElementById('jobs-heading')?.focus()}
              >
                Follow its progress
              </button>
            </>
          ) : null}
        </p>
      </form>
      {jobType === 'GENERATE' && editing ? (
        <TemplateEditor
          key={editing.id}
          template={editing}
          onSaved={(saved) => {
            gallery.put(saved);
            if (template?.id === saved.id) setTemplate(saved);
            setEditing(null);
          }}
          onReloaded={(current) => {
            gallery.put(current);
            if (template?.id === current.id) setTemplate(current);
            setEditing(current);
          }}
          onClose={() => setEditing(null)}
        />
      ) : null}
      {jobType === 'GENERATE' ? (
        <TemplateForm
          onCreated={(created) => {
            gallery.put(created);
            setTemplate(created);
          }}
        />
      ) : null}
    </section>
  );
}

function visibleParameters(jobType: JobType): string[] {
  const common = ['parameters.resolution'];
  if (jobType === 'GENERATE')
    return [
      ...common,
      'parameters.model',
      'parameters.durationSeconds',
      'parameters.fps',
      'parameters.aspectRatio',
      'parameters.seed',
    ];
  if (jobType === 'ENHANCE') return [...common, 'parameters.fps', 'parameters.interpolation'];
  return common;
}

/** A number the model limits: a free entry within its range, or a choice among its values. */
function LimitField(props: {
  label: string;
  field: string;
  unit: string;
  allowed: Range | number[];
  fallback: number;
  /** `any` for seconds, whole numbers (the default) for frame rates. */
  step?: string;
  /** A lower ceiling than the model's (the tier's), and what sets it. */
  limit?: { max: number; by: string } | undefined;
  errors: Record<string, string>;
}) {
  const { label, field, unit, allowed, fallback, limit, errors } = props;
  if (isRange(allowed)) {
    const max = Math.min(allowed.max, limit?.max ?? allowed.max);
    return (
      <Field
        label={label}
        field={field}
        type="number"
        min={allowed.min}
        max={max}
        step={props.step ?? '1'}
        placeholder={String(Math.min(fallback, max))}
        hint={`${allowed.min}–${max} ${unit}${max < allowed.max ? ` (the most ${limit?.by} allows)` : ''}`}
        errors={errors}
      />
    );
  }
  return (
    <SelectField label={label} field={field} errors={errors}>
      {allowed.map((value) => {
        const over = limit !== undefined && value > limit.max;
        return (
          <option key={value} value={value} selected={value === fallback} disabled={over}>
            {value} {unit}
            {over ? ` (more than ${limit.by} allows)` : ''}
          </option>
        );
      })}
    </SelectField>
  );
}

/** The model and what it allows: durations, frame rates, aspect ratios from GET /v1/models. */
function GenerateFields(props: {
  models: Model[];
  model: Model | undefined;
  modelId: string;
  setModelId: (id: string) => void;
  tier: SubscriptionTier | null;
  errors: Record<string, string>;
}) {
  const { model, tier, errors } = props;
  const caps = model?.capabilities;
  return (
    <>
      <SelectField
        label="Model"
        field="parameters.model"
        errors={errors}
        value={props.modelId}
        onChange={(e) => props.setModelId(e.currentTarget.value)}
      >
        {props.models.map((m) => (
          <option key={m.id} value={m.id} disabled={!m.available}>
            {m.name}
            {m.available ? '' : ' (not available here)'}
          </option>
        ))}
      </SelectField>
      {caps ? (
        <div class="grid">
          <LimitField
            key={`${model.id}-duration`}
            label="Duration (seconds)"
            field="parameters.durationSeconds"
            unit="s"
            step="any"
            allowed={caps.durations}
            limit={tier ? { max: TIER_LIMITS[tier].maxDurationSeconds, by: `the ${tier} tier` } : undefined}
            fallback={model.defaults.durationSeconds}
            errors={errors}
          />
          <LimitField
            key={`${model.id}-fps`}
            label="Frame rate"
            field="parameters.fps"
            unit="fps"
            allowed={caps.fps}
            fallback={model.defaults.fps}
            errors={errors}
          />
          <SelectField
            key={`${model.id}-aspect`}
            label="Aspect ratio"
            field="parameters.aspectRatio"
            errors={errors}
          >
            {caps.aspectRatios.map((a) => (
              <option key={a} value={a} selected={a === model.defaults.aspectRatio}>
                {a}
              </option>
            ))}
          </SelectField>
          <Field
            label="Seed (optional)"
            field="parameters.seed"
            type="number"
            min={0}
            max={2147483646}
            errors={errors}
          />
        </div>
      ) : null}
      {caps?.loop ? (
        <label>
          <input type="checkbox" name="parameters.loop" /> Loop seamlessly
        </label>
      ) : null}
    </>
  );
}
