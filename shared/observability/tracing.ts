/**
 * X-Ray tracing with Powertools Tracer. Every AWS SDK client the service builds passes through
 * `tracedClient` (shared/sdk/lazy-client.ts does it for every adapter), so each AWS call is a subsegment;
 * handlers run inside a `## handler` subsegment carrying the job id, user id and correlation id as
 * annotations (a Lambda's own segment cannot take annotations). Executions are started with the caller's
 * trace header, so one trace runs from the API request through the state machine's tasks.
 *
 * Outside Lambda (the local server, tests) tracing is off and every function here is a no-op.
 */
import type { MiddlewareObj } from '@middy/core';
import { METRICS_SERVICE } from './metrics.ts';

/**
 * Powertools turns tracing on only in a Lambda environment (AWS_EXECUTION_ENV set) and not when
 * POWERTOOLS_TRACE_ENABLED is false. Anywhere else the Tracer would be built disabled, so its package and
 * the X-Ray SDK (the largest code in a bundle after zod and drizzle) are not even loaded: the cold start
 * benchmark and the local server skip them. On Lambda they load here, during init, as a static import would.
 * A function's bundle keeps this import and ships them in a file beside it (infra/tracer-bundle.ts), so a
 * bundle without tracing does not even compile them.
 */
const mayTrace =
  (process.env.AWS_EXECUTION_ENV ?? '') !== '' &&
  process.env.POWERTOOLS_TRACE_ENABLED?.toLowerCase() !== 'false';

const powertools = mayTrace ? (await import('./powertools-tracer.cjs')).default : undefined;

type Tracer = InstanceType<typeof import('./powertools-tracer.cjs')['Tracer']>;

let tracer: Tracer | undefined;

/** The Tracer, or undefined where tracing cannot be on (see above). */
export function getTracer(): Tracer | undefined {
  if (!powertools) return undefined;
  tracer ??= new powertools.Tracer({ serviceName: METRICS_SERVICE, captureHTTPsRequests: true });
  return tracer;
}

/** The tracer when it is on: every helper below does nothing otherwise. */
function activeTracer(): Tracer | undefined {
  const t = getTracer();
  return t?.isTracingEnabled() ? t : undefined;
}

/** The middy middleware that runs a Lambda invocation in a traced handler subsegment; none without tracing. */
export function tracingMiddleware<E, R>(): MiddlewareObj<E, R> | undefined {
  const t = getTracer();
  // Responses hold user data (prompts, signed links): the trace keeps timings, annotations and errors.
  return t && powertools
    ? (powertools.captureLambdaHandler(t, { captureResponse: false }) as MiddlewareObj<E, R>)
    : undefined;
}

/** The client with its calls traced (unchanged when tracing is off). */
export function tracedClient<C extends object>(client: C): C {
  const t = activeTracer();
  return t ? t.captureAWSv3Client(client) : client;
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
