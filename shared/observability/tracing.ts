/**
 * X-Ray tracing with Powertools Tracer. Every AWS SDK client the service builds passes through
 * `tracedClient` (shared/sdk/lazy-client.ts does it for every adapter), so each AWS call is a subsegment;
 * handlers run inside a `## handler` subsegment carrying the job id, user id and correlation id as
 * annotations (a Lambda's own segment cannot take annotations). Executions are started with the caller's
 * trace header, so one trace runs from the API request through the state machine's tasks.
 *
 * Every Lambda entry point starts with `beginInvocation`, which loads the Tracer on the first invocation
 * X-Ray samples. Outside Lambda (the local server, tests) tracing is off and every function here is a no-op.
 */
import type { MiddlewareObj } from '@middy/core';
import { METRICS_SERVICE } from './metrics.ts';

/**
 * Powertools turns tracing on only in a Lambda environment (AWS_EXECUTION_ENV set) and not when
 * POWERTOOLS_TRACE_ENABLED is false. Anywhere else (the local server, tests, the benchmarks) nothing here
 * ever loads the Tracer.
 */
const mayTrace =
  (process.env.AWS_EXECUTION_ENV ?? '') !== '' &&
  process.env.POWERTOOLS_TRACE_ENABLED?.toLowerCase() !== 'false';

type Powertools = typeof import('./powertools-tracer.cjs');
type Tracer = InstanceType<Powertools['Tracer']>;

let powertools: Powertools | undefined;
let tracer: Tracer | undefined;
let loading: Promise<void> | undefined;
/** Clients built before the Tracer was loaded: captured when it is. */
const untracedClients: object[] = [];
let invocations = 0;

/**
 * The X-Ray header of the running invocation: the runtime's per-invocation store where it has one (several
 * invocations at once), else the variable the runtime sets before each invocation.
 */
function invocationTraceHeader(): string {
  const store = (globalThis as { awslambda?: { InvokeStore?: { getXRayTraceId?(): string | undefined } } })
    .awslambda?.InvokeStore;
  return store?.getXRayTraceId?.() ?? process.env._X_AMZN_TRACE_ID ?? '';
}

/** Whether X-Ray records the running invocation (Lambda decided, and wrote Sampled=1 in its header). */
function invocationSampled(): boolean {
  return invocationTraceHeader()
    .split(';')
    .some((field) => field.trim() === 'Sampled=1');
}

/**
 * Starts an invocation's tracing: every Lambda entry point calls it first. The Tracer and the X-Ray SDK
 * (about 20 ms of CPU to load, more than a fifth of an API function's init) are loaded by the first
 * invocation X-Ray samples, not at init: an invocation that is not sampled records nothing, so a process
 * that only ever serves those never pays for them. The cold start a sampled first invocation has is traced
 * as before, with the load inside its handler's time.
 */
export async function beginInvocation(): Promise<void> {
  invocations += 1;
  if (!mayTrace || tracer || !invocationSampled()) return;
  loading ??= loadTracer().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  await loading;
}

async function loadTracer(): Promise<void> {
  const loaded = (await import('./powertools-tracer.cjs')).default;
  const built = new loaded.Tracer({ serviceName: METRICS_SERVICE, captureHTTPsRequests: true });
  // Powertools annotates its first traced invocation as the cold start; after earlier unsampled ones it
  // is not, so that first answer is spent here (a protected method; sampled-load.test.ts holds its effect).
  if (invocations > 1) (built as unknown as { getColdStart(): boolean }).getColdStart();
  if (built.isTracingEnabled()) {
    for (const client of untracedClients.splice(0)) built.captureAWSv3Client(client);
  }
  powertools = loaded;
  tracer = built;
}

/** The Tracer once a sampled invocation has loaded it (see beginInvocation); undefined before and off Lambda. */
export function getTracer(): Tracer | undefined {
  return tracer;
}

/** Whether this process may trace at all (on Lambda with tracing on), whether or not the Tracer is loaded. */
export function tracingPossible(): boolean {
  return mayTrace;
}

/** The tracer when it is on: every helper below does nothing otherwise. */
function activeTracer(): Tracer | undefined {
  return tracer?.isTracingEnabled() ? tracer : undefined;
}

let middleware: object | undefined;

/**
 * The middy middleware that runs a Lambda invocation in a traced handler subsegment, once the Tracer is
 * loaded (call beginInvocation first); undefined before, and without tracing.
 */
export function tracingMiddleware<E, R>(): MiddlewareObj<E, R> | undefined {
  if (!tracer || !powertools) return undefined;
  // Responses hold user data (prompts, signed links): the trace keeps timings, annotations and errors.
  middleware ??= powertools.captureLambdaHandler(tracer, { captureResponse: false });
  return middleware as MiddlewareObj<E, R>;
}

/** The client with its calls traced: now if the Tracer is loaded, else when a sampled invocation loads it. */
export function tracedClient<C extends object>(client: C): C {
  if (!mayTrace) return client;
  const t = activeTracer();
  if (t) return t.captureAWSv3Client(client);
  if (!tracer) untracedClients.push(client);
  return client;
}

/** The annotations a trace is searched by (`annotation.jobId = "…"` in the X-Ray console). */
export interface TraceKeys {
  jobId?: string | null | undefined;
  userId?: string | null | undefined;
  correlationId?: string | null | undefined;
}

export function annotateTrace(keys: TraceKeys): void {
  const t = activeTracer();
  if (!t) return;
  for (const [key, value] of Object.entries(keys)) {
    if (typeof value === 'string' && value) t.putAnnotation(key, value);
  }
}

/** Runs `fn` in a `## name` subsegment of the invocation's segment (annotated: cold start, service). */
export async function inHandlerSegment<T>(name: string, fn: () => Promise<T>): Promise<T> {
  await beginInvocation();
  const t = activeTracer();
  const parent = t?.getSegment();
  if (!t || !parent) return fn();
  const segment = parent.addNewSubsegment(`## ${name}`);
  t.setSegment(segment);
  t.annotateColdStart();
  t.addServiceNameAnnotation();
  try {
    return await fn();
  } catch (error) {
    segment.addError(error as Error, false);
    throw error;
  } finally {
    segment.close();
    t.setSegment(parent);
  }
}

/**
 * The X-Ray header that makes a started execution join the current trace (StartExecution's `traceHeader`):
 * the root of this invocation's trace and the current subsegment as parent. Undefined without tracing.
 */
export function currentTraceHeader(): string | undefined {
  const t = activeTracer();
  if (!t) return undefined;
  const root = t.getRootXrayTraceId();
  const segment = t.getSegment();
  if (!root || !segment) return undefined;
  const header = `Root=${root};Parent=${segment.id};Sampled=${t.isTraceSampled() ? 1 : 0}`;
  return header.length <= 256 ? header : undefined;
}

/** A Lambda handler whose invocations each run in their own `## name` subsegment. */
export function tracedHandler<E, R>(name: string, fn: (event: E) => Promise<R>): (event: E) => Promise<R> {
  return (event) => inHandlerSegment(name, () => fn(event));
}
