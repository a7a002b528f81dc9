/**
 * The service's CloudWatch metrics, written as embedded-metric-format (EMF) lines with Powertools Metrics.
 *
 * Every metric lives in one namespace under one `service`, with the `stage` on every dimension set, and only
 * bounded dimensions: job type, model, failure class, route, status class, outcome. Never a user, job or
 * request id (those go in logs and trace annotations). The CDK alarms and dashboard (infra/stacks/
 * stateless.ts) read the same names and dimension sets from here.
 *
 * Each call writes its line at once (a Lambda function may be frozen right after its handler returns): on
 * Lambda to stdout, where CloudWatch Logs turns it into metrics; locally to whatever sink the embedded
 * environment installs (its logger at DEBUG); in tests to an array (captureMetrics). Other modules call the
 * functions below; new metrics get a name in METRIC and a function here.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { FailureClass } from '../pipeline/failure-class.ts';
import { writeStdoutLine } from './stdout-lines.ts';

export const METRICS_NAMESPACE = 'AiVideo';
export const METRICS_SERVICE = 'ai-video';

export const METRIC = {
  jobsSubmitted: 'JobsSubmitted',
  jobsCompleted: 'JobsCompleted',
  jobsFailed: 'JobsFailed',
  jobsCancelled: 'JobsCancelled',
  /** Seconds of video the AI model produced (what Bedrock bills), per generation that succeeded. */
  generationSeconds: 'GenerationSeconds',
  /** Minutes of video written by the transcode (what MediaConvert bills), per completed job. */
  transcodeMinutes: 'TranscodeMinutes',
  /** Seconds from submission to the execution's first step (queueing, admission, cold starts). */
  timeToStart: 'TimeToStart',
  /** Seconds from submission to the model's finished video (GENERATE only). */
  timeToModelOutput: 'TimeToModelOutput',
  /** Seconds from submission to the registered clip. */
  timeToComplete: 'TimeToComplete',
  /** Seconds a job waited for a concurrency slot before it was admitted (capacity control). */
  queueWait: 'QueueWait',
  apiRequests: 'ApiRequests',
  webhookDeliveries: 'WebhookDeliveries',
} as const;

/** Dimension names (the values are bounded: see each field). */
export const DIMENSION = {
  stage: 'stage',
  service: 'service',
  /** GENERATE | EDIT | ENHANCE | TRANSCODE */
  jobType: 'jobType',
  /** A model id from shared/generation/models.ts, or `none` for jobs that use no model. */
  model: 'model',
  /** user | model | system (shared/pipeline/failure-class.ts) */
  failureClass: 'failureClass',
  /** An API route key (`POST /v1/projects/{projectId}/jobs`) or `unmatched`. */
  route: 'route',
  /** 2xx | 3xx | 4xx | 5xx */
  statusClass: 'statusClass',
  /** A short fixed word per metric (webhook deliveries: delivered | retried | failed). */
  outcome: 'outcome',
} as const;

export const NO_MODEL = 'none';

/** What every job metric is broken down by. */
export interface JobLabels {
  jobType: string;
  model?: string | undefined;
}

/** The labels of a job row: its type, and for GENERATE its model (validated against the enabled list). */
export function jobLabels(job: { jobType: string; parameters?: unknown }): JobLabels {
  const model =
    job.jobType === 'GENERATE' ? ((job.parameters as { model?: unknown })?.model ?? 'local') : NO_MODEL;
  return { jobType: job.jobType, model: typeof model === 'string' ? model : NO_MODEL };
}

type Sink = (line: string) => void;

let sink: Sink | undefined;

/** Where metric lines go; undefined restores the default (stdout on Lambda, nowhere elsewhere). */
export function setMetricsSink(next: Sink | undefined): void {
  sink = next;
}

function currentSink(): Sink | undefined {
  if (sink) return sink;
  // Lambda's runtime wraps console output in its JSON log format; EMF must be a line of its own.
  if (process.env.AWS_LAMBDA_FUNCTION_NAME) return writeStdoutLine;
  return undefined;
}

/** The EMF objects written while `fn` runs (for tests), in order. */
export async function captureMetrics(fn: () => Promise<unknown> | unknown): Promise<EmfRecord[]> {
  const previous = sink;
  const lines: string[] = [];
  sink = (line) => lines.push(line);
  try {
    await fn();
  } finally {
    sink = previous;
  }
  return lines.map((l) => JSON.parse(l) as EmfRecord);
}

export interface EmfRecord {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

/**
 * Powertools warns when two dimension sets share a key; ours do by design (each set refines the one before
 * with the same values), so that warning is dropped and the rest are passed on.
 */
const quietOverlaps = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string, ...rest: unknown[]) => {
    if (!message.startsWith('EMF key')) console.warn(message, ...rest);
  },
  error: (message: string, ...rest: unknown[]) => console.error(message, ...rest),
};

let metrics: Metrics | undefined;
let metricsStage: string | undefined;

function instance(): Metrics {
  const stage = process.env.STAGE ?? 'local';
  if (!metrics || metricsStage !== stage) {
    metrics = new Metrics({
      namespace: METRICS_NAMESPACE,
      serviceName: METRICS_SERVICE,
      defaultDimensions: { [DIMENSION.stage]: stage },
      logger: quietOverlaps,
    });
    metricsStage = stage;
  }
  return metrics;
}

interface Value {
  name: string;
  unit: (typeof MetricUnit)[keyof typeof MetricUnit];
  value: number;
}

/**
 * One EMF line: `values` under each dimension set (service and stage are added to every set). Synchronous
 * from the first add to the clear, so concurrent callers in one process (the local server) never mix.
 */
function emit(dimensionSets: Record<string, string>[], values: Value[]): void {
  const out = currentSink();
  if (!out) return;
  out(JSON.stringify(serialize(dimensionSets, values)));
}

function serialize(dimensionSets: Record<string, string>[], values: Value[]): EmfRecord {
  const m = instance();
  try {
    for (const set of dimensionSets) m.addDimensions(set);
    for (const v of values) m.addMetric(v.name, v.unit, v.value);
    return m.serializeMetrics() as unknown as EmfRecord;
  } finally {
    m.clearMetrics();
    m.clearDimensions();
    m.clearMetadata();
  }
}

/**
 * A job's metric under three dimension sets: the stage as a whole (the SLO alarms), per job type (the
 * latency alarms) and per job type and model (the dashboard), so no alarm needs to add series up.
 */
function emitForJob(labels: JobLabels, values: Value[], extra: Record<string, string> = {}): void {
  const jobType = { [DIMENSION.jobType]: labels.jobType, ...extra };
  emit([{ ...extra }, jobType, { ...jobType, [DIMENSION.model]: labels.model ?? NO_MODEL }], values);
}

const count = (name: string): Value => ({ name, unit: MetricUnit.Count, value: 1 });
const seconds = (name: string, value: number): Value => ({
  name,
  unit: MetricUnit.Seconds,
  value: Math.max(0, value),
});
const since = (from: Date | number, now: number) => (now - new Date(from).getTime()) / 1000;

/** The job metrics, named for the moment each one is recorded. */
export const jobMetrics = {
  submitted(labels: JobLabels): void {
    emitForJob(labels, [count(METRIC.jobsSubmitted)]);
  },
  started(labels: JobLabels, submittedAt: Date | number, now = Date.now()): void {
    emitForJob(labels, [seconds(METRIC.timeToStart, since(submittedAt, now))]);
  },
  modelOutput(labels: JobLabels, submittedAt: Date | number, videoSeconds: number, now = Date.now()): void {
    emitForJob(labels, [
      seconds(METRIC.timeToModelOutput, since(submittedAt, now)),
      seconds(METRIC.generationSeconds, videoSeconds),
    ]);
  },
  completed(labels: JobLabels, submittedAt: Date | number, outputSeconds: number, now = Date.now()): void {
    emitForJob(labels, [
      count(METRIC.jobsCompleted),
      seconds(METRIC.timeToComplete, since(submittedAt, now)),
      { name: METRIC.transcodeMinutes, unit: MetricUnit.NoUnit, value: Math.max(0, outputSeconds) / 60 },
    ]);
  },
  failed(labels: JobLabels, failureClass: FailureClass): void {
    emitForJob(labels, [count(METRIC.jobsFailed)], { [DIMENSION.failureClass]: failureClass });
  },
  cancelled(labels: JobLabels): void {
    emitForJob(labels, [count(METRIC.jobsCancelled)]);
  },
  /** For capacity control: how long a job waited for its slot, counted when it is admitted. */
  queueWait(labels: JobLabels, waitingSince: Date | number, now = Date.now()): void {
    emitForJob(labels, [seconds(METRIC.queueWait, since(waitingSince, now))]);
  },
};

export const statusClass = (status: number) => `${Math.min(5, Math.max(1, Math.floor(status / 100)))}xx`;

/**
 * The API request lines built so far, by stage, route and status class (a few hundred at most), as the
 * text before and after the timestamp: a request only writes its time between them, rather than building
 * and serialising the same record again.
 */
const apiRequestLines = new Map<string, { head: string; tail: string }>();
const STAMP = 9_007_199_254_740_991;

function apiRequestLine(route: string, cls: string): { head: string; tail: string } {
  const set = { [DIMENSION.statusClass]: cls };
  const record = serialize([set, { ...set, [DIMENSION.route]: route }], [count(METRIC.apiRequests)]);
  record._aws.Timestamp = STAMP;
  const [head = '', tail = '', ...more] = JSON.stringify(record).split(`"Timestamp":${STAMP}`);
  if (more.length) throw new Error('the EMF record holds its timestamp marker twice');
  return { head: `${head}"Timestamp":`, tail };
}

/** One API request, by route key and status class (and by status class alone, for the stage total). */
export function apiRequestMetric(route: string, status: number): void {
  const out = currentSink();
  if (!out) return;
  const cls = statusClass(status);
  const key = `${process.env.STAGE ?? 'local'} ${cls} ${route}`;
  let line = apiRequestLines.get(key);
  if (!line) {
    line = apiRequestLine(route, cls);
    if (apiRequestLines.size < 1000) apiRequestLines.set(key, line);
  }
  out(line.head + Date.now() + line.tail);
}

export type WebhookOutcome = 'delivered' | 'retried' | 'failed';

/** For webhooks: one delivery attempt's outcome. */
export function webhookDeliveryMetric(outcome: WebhookOutcome): void {
  emit([{ [DIMENSION.outcome]: outcome }], [count(METRIC.webhookDeliveries)]);
}
