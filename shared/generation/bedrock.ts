/**
 * What the Bedrock video models share: starting an asynchronous invocation into the job's S3 folder,
 * polling it, and turning Bedrock's failures into sentences a user can act on.
 */
import {
  type BedrockRuntimeClient,
  GetAsyncInvokeCommand,
  type GetAsyncInvokeCommandOutput,
  StartAsyncInvokeCommand,
} from '@aws-sdk/client-bedrock-runtime';
import type { GenerationStatus } from './port.ts';

export class GenerationFailed extends Error {
  override name = 'GenerationFailed';
}

/** Throttling; the state machine retries this name with backoff. */
export class ModelThrottled extends Error {
  override name = 'ModelThrottled';
}

const CONTENT_FILTER = /content (filter|polic)|responsible ai|blocked|moderat|violat/i;

/** A failure message for the user, from an exception's name and message or a failed invocation's text. */
export function friendlyFailure(modelName: string, name: string, message: string): Error {
  if (
    name === 'ThrottlingException' ||
    name === 'ServiceQuotaExceededException' ||
    /rate exceeded|too many requests/i.test(message)
  ) {
    return new ModelThrottled(`${modelName} is busy right now (rate limit reached); the job will retry.`);
  }
  if (CONTENT_FILTER.test(message)) {
    return new GenerationFailed(
      `${modelName} blocked the prompt or image with its content filters; rephrase the prompt and submit again.`,
    );
  }
  if (name === 'AccessDeniedException') {
    return new GenerationFailed(
      `${modelName} is not enabled for this deployment's AWS account; an administrator must enable model access in Amazon Bedrock.`,
    );
  }
  if (name === 'ValidationException')
    return new GenerationFailed(`${modelName} rejected the request: ${message}`);
  return new GenerationFailed(`${modelName} could not make the video${message ? `: ${message}` : '.'}`);
}

export interface AsyncModelOptions {
  client: BedrockRuntimeClient;
  bucket: string;
}

export async function startAsync(
  { client, bucket }: AsyncModelOptions,
  modelName: string,
  request: { modelId: string; jobId: string; outputPrefix: string; modelInput: Record<string, unknown> },
): Promise<{ handle: string }> {
  try {
    const out = await client.send(
      new StartAsyncInvokeCommand({
        modelId: request.modelId,
        // The job id makes a retried start return the same invocation instead of paying twice.
        clientRequestToken: request.jobId,
        modelInput: request.modelInput as never,
        outputDataConfig: {
          s3OutputDataConfig: { s3Uri: `s3://${bucket}/${request.outputPrefix.replace(/\/$/, '')}` },
        },
      }),
    );
    if (!out.invocationArn) throw new GenerationFailed(`${modelName} did not accept the job.`);
    return { handle: out.invocationArn };
  } catch (error) {
    if (error instanceof GenerationFailed) throw error;
    const e = error as Error;
    throw friendlyFailure(modelName, e.name, e.message);
  }
}

/** The model writes `{s3Uri}/{invocation id}/output.mp4`; the id is the last part of the invocation ARN. */
export async function checkAsync(
  { client, bucket }: AsyncModelOptions,
  modelName: string,
  invocationArn: string,
): Promise<GenerationStatus> {
  let out: GetAsyncInvokeCommandOutput;
  try {
    out = await client.send(new GetAsyncInvokeCommand({ invocationArn }));
  } catch (error) {
    const e = error as Error;
    throw friendlyFailure(modelName, e.name, e.message);
  }
  if (out.status === 'InProgress') return { state: 'running' };
  if (out.status === 'Failed') {
    const failure = friendlyFailure(modelName, 'Failed', out.failureMessage ?? '');
    return { state: 'failed', message: failure.message };
  }
  const uri = out.outputDataConfig?.s3OutputDataConfig?.s3Uri ?? '';
  const prefix = uri.replace(`s3://${bucket}/`, '').replace(/\/$/, '');
  const invocationId = invocationArn.split('/').pop();
  return { state: 'done', videoKey: `${prefix}/${invocationId}/output.mp4` };
}
