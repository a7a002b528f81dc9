/**
 * Amazon Bedrock's failures, and its answers about an asynchronous invocation, in the port's terms: a
 * sentence the user can act on, an error name the state machine understands (it retries ModelThrottled
 * with backoff and reports GenerationFailed's message to the user), and the S3 key of a finished video.
 *
 * Nova Reel reports a blocked prompt or start image as a ValidationException from StartAsyncInvoke ("This
 * request has been blocked by our content filters. …") and a blocked result as a Failed invocation whose
 * failureMessage is "The generated video has been blocked by our content filters." (Amazon Nova user
 * guide, "Error handling" for video generation).
 */
import type {
  BedrockRuntimeClient,
  GetAsyncInvokeCommandOutput,
  StartAsyncInvokeCommandOutput,
} from '@aws-sdk/client-bedrock-runtime';
import { type ClientSource, clientGetter } from '../sdk/lazy-client.ts';
import type { GenerationStatus } from './port.ts';

/** A failure the user can fix or must accept; its message is shown as the job's error. */
export class GenerationFailed extends Error {
  override name = 'GenerationFailed';
}

/** Bedrock is rate-limiting or briefly unavailable; the state machine retries this name with backoff. */
export class ModelThrottled extends Error {
  override name = 'ModelThrottled';
}

export interface BedrockFailure {
  /** Worth trying again unchanged a little later. */
  retryable: boolean;
  /** A sentence for the user. */
  message: string;
}

const THROTTLED = new Set([
  'ThrottlingException',
  'ServiceQuotaExceededException',
  'TooManyRequestsException',
]);
const UNAVAILABLE = new Set(['ServiceUnavailableException', 'InternalServerException']);
const CONTENT_FILTER =
  /content filter|responsible ai|content polic|content moderation|safety (filter|polic)/i;
const RATE_LIMIT = /throttl|rate exceeded|too many requests|quota/i;

function partsOf(failure: unknown): { name: string; message: string; status: number | undefined } {
  if (typeof failure === 'string') return { name: '', message: failure, status: undefined };
  if (failure instanceof Error) {
    const status = (failure as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    return { name: failure.name, message: failure.message, status };
  }
  return {
    name: '',
    message: failure === undefined || failure === null ? '' : String(failure),
    status: undefined,
  };
}

/**
 * Explains a Bedrock failure: an exception thrown by StartAsyncInvoke or GetAsyncInvoke, or the
 * `failureMessage` text of a Failed invocation.
 */
export function explainBedrockFailure(model: string, failure: unknown): BedrockFailure {
  const { name, message, status } = partsOf(failure);
  if (THROTTLED.has(name) || status === 429) {
    return {
      retryable: true,
      message: `${model} is busy right now (its rate limit was reached); try again in a few minutes.`,
    };
  }
  if (UNAVAILABLE.has(name) || (status !== undefined && status >= 500)) {
    return {
      retryable: true,
      message: `${model} is temporarily unavailable; try again in a few minutes.`,
    };
  }
  if (name === 'AccessDeniedException') {
    return {
      retryable: false,
      message: `${model} is not enabled for this service's AWS account; an administrator has to enable access to the model in Amazon Bedrock.`,
    };
  }
  if (CONTENT_FILTER.test(message)) {
    const output = /generated|output/i.test(message);
    return {
      retryable: false,
      message: output
        ? `The generated video was blocked by ${model}'s content filters; rephrase the prompt and submit the job again.`
        : `The prompt or image was blocked by ${model}'s content filters; rephrase it and submit the job again.`,
    };
  }
  if (name === 'ValidationException') {
    return {
      retryable: false,
      message: `${model} rejected the request; check the prompt, the start image and the parameters, then submit the job again.`,
    };
  }
  if (RATE_LIMIT.test(message)) {
    return {
      retryable: true,
      message: `${model} is busy right now (its rate limit was reached); try again in a few minutes.`,
    };
  }
  return {
    retryable: false,
    message: `${model} could not make the video; submit the job again, and if it keeps failing, contact support.`,
  };
}

/** The error to throw for an exception from StartAsyncInvoke or GetAsyncInvoke. */
export function bedrockError(model: string, error: unknown): GenerationFailed | ModelThrottled {
  if (error instanceof GenerationFailed || error instanceof ModelThrottled) return error;
  const failure = explainBedrockFailure(model, error);
  return failure.retryable
    ? new ModelThrottled(failure.message, { cause: error })
    : new GenerationFailed(failure.message, { cause: error });
}

/**
 * The key of the finished video. Bedrock makes a folder named after the invocation id (the last part of
 * the invocation ARN) under the requested s3Uri and writes output.mp4 into it; GetAsyncInvoke's s3Uri
 * names that folder (AWS's Nova Reel example reads `{s3Uri}/output.mp4`). When the s3Uri given back is
 * the requested one instead, the invocation folder is added to it. Undefined when it is in another bucket.
 */
export function outputVideoKey(
  bucket: string,
  invocationArn: string,
  s3Uri: string | undefined,
): string | undefined {
  if (!s3Uri) return undefined;
  const root = `s3://${bucket}`;
  if (s3Uri !== root && !s3Uri.startsWith(`${root}/`)) return undefined;
  const folders = s3Uri
    .slice(root.length)
    .split('/')
    .filter((part) => part !== '');
  const invocationId = invocationArn.slice(invocationArn.lastIndexOf('/') + 1);
  if (invocationId && folders.at(-1) !== invocationId) folders.push(invocationId);
  return [...folders, 'output.mp4'].join('/');
}

/** A GetAsyncInvoke answer as the port's status. */
export function invocationStatus(
  model: string,
  bucket: string,
  invocationArn: string,
  answer: Pick<GetAsyncInvokeCommandOutput, 'status' | 'failureMessage' | 'outputDataConfig'>,
): GenerationStatus {
  switch (answer.status) {
    case 'Completed': {
      const videoKey = outputVideoKey(
        bucket,
        invocationArn,
        answer.outputDataConfig?.s3OutputDataConfig?.s3Uri,
      );
      return videoKey
        ? { state: 'done', videoKey }
        : { state: 'failed', message: `${model} finished, but not in this service's storage bucket.` };
    }
    case 'Failed':
      return {
        state: 'failed',
        message: explainBedrockFailure(model, answer.failureMessage ?? '').message,
        ...(answer.failureMessage ? { detail: answer.failureMessage } : {}),
      };
    default:
      // InProgress, or a state this code does not know yet: keep polling; the state machine bounds it.
      return { state: 'running' };
  }
}

/** Where a model writes its video, and how the video reaches the media bucket from there. */
export interface ModelOutput {
  /** The bucket Bedrock writes into: the media bucket, or an output bucket in the model's Region. */
  bucket: string;
  /** Copies a finished video from that bucket into the media bucket under the same key (absent when the two are one). */
  collect?: (key: string) => Promise<void>;
}

export interface AsyncModel extends ModelOutput {
  /** A client in the model's Region (a factory: the package is imported by the first start or check). */
  client: ClientSource<BedrockRuntimeClient>;
  /** The model's name in messages. */
  name: string;
}

/** StartAsyncInvoke into the job's generation folder; the job id makes a retried start find the same run. */
export async function startInvocation(
  { client, bucket, name }: AsyncModel,
  request: { modelId: string; jobId: string; outputPrefix: string; modelInput: object },
): Promise<{ handle: string }> {
  let out: StartAsyncInvokeCommandOutput;
  const [bedrock, { StartAsyncInvokeCommand }] = await Promise.all([
    clientGetter(client)(),
    import('@aws-sdk/client-bedrock-runtime'),
  ]);
  try {
    out = await bedrock.send(
      new StartAsyncInvokeCommand({
        modelId: request.modelId,
        clientRequestToken: request.jobId,
        modelInput: request.modelInput as never,
        outputDataConfig: {
          s3OutputDataConfig: { s3Uri: `s3://${bucket}/${request.outputPrefix.replace(/\/+$/, '')}` },
        },
      }),
    );
  } catch (error) {
    throw bedrockError(name, error);
  }
  if (!out.invocationArn) throw new GenerationFailed(`${name} did not accept the job.`);
  return { handle: out.invocationArn };
}

/** GetAsyncInvoke, as the port's status; a finished video is brought into the media bucket first. */
export async function checkInvocation(
  { client, bucket, name, collect }: AsyncModel,
  handle: string,
): Promise<GenerationStatus> {
  let answer: GetAsyncInvokeCommandOutput;
  const [bedrock, { GetAsyncInvokeCommand }] = await Promise.all([
    clientGetter(client)(),
    import('@aws-sdk/client-bedrock-runtime'),
  ]);
  try {
    answer = await bedrock.send(new GetAsyncInvokeCommand({ invocationArn: handle }));
  } catch (error) {
    throw bedrockError(name, error);
  }
  const status = invocationStatus(name, bucket, handle, answer);
  if (status.state === 'done' && collect) await collect(status.videoKey);
  return status;
}
