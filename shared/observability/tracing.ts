/**
 * X-Ray tracing with Powertools Tracer. Every AWS SDK client the service builds passes through
 * `tracedClient` (shared/sdk/lazy-client.ts does it for every adapter), so each AWS call is a subsegment;
 * handlers run inside a `## handler` subsegment carrying the job id, user id and correlation id as
 * annotations (a Lambda's own segment cannot take annotations). Executions are started with the caller's
 * trace header, so one trace runs from the API request through the state machine's tasks.
 *
 * Outside Lambda (the local server, tests) the tracer is disabled and every function here is a no-op.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import { METRICS_SERVICE } from './metrics.ts';

let tracer: Tracer | undefined;

export function getTracer(): Tracer {
  tracer ??= new Tracer({ serviceName: METRICS_SERVICE, captureHTTPsRequests: true });
  return tracer;
}

/** The client with its calls traced (unchanged when tracing is off). */
export function tracedClient<C extends object>(client: C): C {
  const t = getTracer();
  return t.isTracingEnabled() ? t.captureAWSv3Client(client) : client;
}

/** The annotations a trace is searched by (`annotation.jobId = "…"` in the X-Ray console). */
export interface TraceKeys {
  jobId?: string | null | undefined;
  userId?: string | null | undefined;
  correlationId?: string | null | undefined;
}

export function annotateTrace(keys: TraceKeys): void {
  const t = getTracer();
  if (!t.isTracingEnabled()) return;
  for (const [key, value] of Object.entries(keys)) {
    if (typeof value === 'string' && value) t.putAnnotation(key, value);
  }
}

/** Runs `fn` in a `## name` subsegment of the invocation's segment (annotated: cold start, service). */
export async function inHandlerSegment<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const t = getTracer();
  const parent = t.isTracingEnabled() ? t.getSegment() : undefined;
  if (!parent) return fn();
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
  const t = getTracer();
  if (!t.isTracingEnabled()) return undefined;
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
