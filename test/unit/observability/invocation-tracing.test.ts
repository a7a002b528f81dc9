/**
 * The Tracer is loaded by the first sampled invocation (shared/observability/tracing.ts), so every Lambda
 * entry must begin its invocations' tracing: through one of the shared wrappers that do it (the API
 * handler, the traced handler and pipeline task wrappers) or by calling beginInvocation itself. An entry
 * that did neither would never be traced on Lambda.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { FUNCTION_ENTRIES } from '#infra/functions.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const STARTS_TRACING = /\b(apiHandler|tracedHandler|pipelineTask|waitingPipelineTask|beginInvocation)\(/;

it.each(FUNCTION_ENTRIES.map((fn) => [fn.name, fn.entry]))(
  '%s begins its invocations’ tracing',
  (_, entry) => {
    expect(readFileSync(path.join(ROOT, entry), 'utf8')).toMatch(STARTS_TRACING);
  },
);
