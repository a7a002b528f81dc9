import { vi } from 'vitest';

/** The X-Ray trace id every Lambda-mode tracing test runs under. */
export const TRACE_ROOT = '1-5759e988-bd862e3fe1be46a994272793';

/**
 * The environment Lambda gives a traced function (the X-Ray SDK then runs in Lambda mode), with module
 * state reset so that the tracer is built again from it. Undo with `vi.unstubAllEnvs()`.
 */
export function stubLambdaTracingEnv(functionName: string, extra: Record<string, string> = {}): void {
  vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs24.x');
  vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', functionName);
  vi.stubEnv('LAMBDA_TASK_ROOT', '/var/task');
  for (const [name, value] of Object.entries(extra)) vi.stubEnv(name, value);
  vi.stubEnv('_X_AMZN_TRACE_ID', `Root=${TRACE_ROOT};Parent=53995c3f42cd8ad8;Sampled=1`);
  vi.stubEnv('AWS_XRAY_CONTEXT_MISSING', 'IGNORE_ERROR');
  vi.stubEnv('AWS_XRAY_DAEMON_ADDRESS', '127.0.0.1:2000');
  vi.resetModules();
}
