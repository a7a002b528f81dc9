import { JOB_TYPES } from '../../jobs/status.ts';
import * as z from '../../schema/zod.ts';
import { eventBridge } from './eventbridge.ts';

/** What every generation-job execution is started with (shared/workflow/port.ts). */
export const jobExecutionInput = z.looseObject({
  jobId: z.uuid(),
  userId: z.uuid(),
  projectId: z.uuid(),
  jobType: z.enum(JOB_TYPES),
  correlationId: z.optional(z.string()),
});

const executionInputText = z.pipe(
  z.pipe(
    z.string(),
    z.transform((text: string, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.issues.push({ code: 'custom', message: 'not JSON', input: text });
        return z.NEVER;
      }
    }),
  ),
  jobExecutionInput,
);

/**
 * EventBridge "Step Functions Execution Status Change". The input is null when input and output together
 * exceeded EventBridge's event size (never for this state machine's small inputs).
 */
export const executionStatusChange = z.extend(eventBridge, {
  source: z.literal('aws.states'),
  'detail-type': z.literal('Step Functions Execution Status Change'),
  detail: z.looseObject({
    executionArn: z.string(),
    stateMachineArn: z.string(),
    name: z.string(),
    status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE']),
    input: z.nullish(executionInputText),
    error: z.nullish(z.string()),
    cause: z.nullish(z.string()),
  }),
});
export type ExecutionStatusChange = z.infer<typeof executionStatusChange>;
