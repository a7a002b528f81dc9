/**
 * Events as AWS documents them (the samples of the S3 User Guide "EventBridge event message structure",
 * the MediaConvert User Guide "EventBridge events" by status, the Step Functions Developer Guide
 * "EventBridge events for Step Functions", the Lambda Developer Guide's invocation record and SQS event),
 * with our values where the sample's would not be ours.
 */

/** EventBridge S3 "Object Created". */
export const s3ObjectCreated = (key: string, size: number, bucket = 'amzn-s3-demo-bucket1') => ({
  version: '0',
  id: '17793124-05d4-b198-2fde-7ededc63b103',
  'detail-type': 'Object Created',
  source: 'aws.s3',
  account: '111122223333',
  time: '2021-11-12T00:00:00Z',
  region: 'ca-central-1',
  resources: [`arn:aws:s3:::${bucket}`],
  detail: {
    version: '0',
    bucket: { name: bucket },
    object: {
      key,
      size,
      etag: 'b1946ac92492d2347c6235b4d2611184',
      'version-id': 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e',
      sequencer: '617f08299329d189',
    },
    'request-id': 'N4N7GDK58NMKJ12R',
    requester: '123456789012',
    'source-ip-address': '1.2.3.4',
    reason: 'PostObject',
  },
});

const MEDIACONVERT_JOB = '1671477617078-2886ye';
const mediaConvertEvent = (detail: Record<string, unknown>) => ({
  version: '0',
  id: '1234abcd-12ab-34cd-56ef-1234567890ab',
  'detail-type': 'MediaConvert Job State Change',
  source: 'aws.mediaconvert',
  account: '111122223333',
  time: '2022-12-19T19:21:21Z',
  region: 'us-west-2',
  resources: [`arn:aws:mediaconvert:us-west-2:111122223333:jobs/${MEDIACONVERT_JOB}`],
  detail: {
    timestamp: 1671477681737,
    accountId: '111122223333',
    queue: 'arn:aws:mediaconvert:us-west-2:111122223333:queues/Default',
    jobId: MEDIACONVERT_JOB,
    ...detail,
  },
});

/** "MediaConvert Job State Change" of each status the handler may see, with our job in userMetadata. */
export const mediaConvertStateChange = {
  statusUpdate: (userMetadata: Record<string, string>, jobPercentComplete: unknown = 60) =>
    mediaConvertEvent({
      status: 'STATUS_UPDATE',
      userMetadata,
      framesDecoded: 353,
      jobProgress: {
        phaseProgress: {
          PROBING: { status: 'COMPLETE', percentComplete: 100 },
          TRANSCODING: { status: 'PROGRESSING', percentComplete: 2 },
          UPLOADING: { status: 'PENDING', percentComplete: 0 },
        },
        jobPercentComplete,
        currentPhase: 'TRANSCODING',
        retryCount: 0,
      },
    }),
  progressing: (userMetadata: Record<string, string>) =>
    mediaConvertEvent({ status: 'PROGRESSING', userMetadata }),
  complete: (userMetadata: Record<string, string>, outputKey: string) =>
    mediaConvertEvent({
      status: 'COMPLETE',
      userMetadata,
      warnings: [{ code: 230001, count: 1 }],
      outputGroupDetails: [
        {
          outputDetails: [
            {
              outputFilePaths: [`s3://amzn-s3-demo-bucket/${outputKey}`],
              durationInMs: 30041,
              videoDetails: { widthInPx: 1920, heightInPx: 1080, averageBitrate: 6872000 },
            },
          ],
          type: 'FILE_GROUP',
        },
      ],
    }),
  error: (userMetadata: Record<string, string>) =>
    mediaConvertEvent({
      status: 'ERROR',
      userMetadata,
      errorCode: 1040,
      errorMessage: 'Example error message',
    }),
};

/** EventBridge "Step Functions Execution Status Change" of an execution named after its job. */
export const executionStatusChange = (
  stateMachineArn: string,
  input: Record<string, unknown> | string | null,
  status: string,
  extra: Record<string, unknown> = {},
) => {
  const name = typeof input === 'object' && input ? String(input.jobId) : 'execution';
  const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  return {
    version: '0',
    id: '315c1398-40ff-a850-213b-158f73e60175',
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: '012345678912',
    time: '2019-02-26T19:42:21Z',
    region: 'us-east-1',
    resources: [executionArn],
    detail: {
      executionArn,
      stateMachineArn,
      name,
      status,
      startDate: 1551225014968,
      stopDate: status === 'RUNNING' ? null : 1551225017576,
      input: input === null || typeof input === 'string' ? input : JSON.stringify(input),
      inputDetails: { included: true },
      output: null,
      outputDetails: null,
      error: null,
      cause: null,
      ...extra,
    },
  };
};

/** Lambda's record of an asynchronous invocation that failed every attempt, as its destination gets it. */
export const invocationRecord = (requestPayload: unknown) => ({
  version: '1.0',
  timestamp: '2026-11-26T18:00:00.000Z',
  requestContext: {
    requestId: 'e4b46cbf-b738-xmpl-8880-a18cdf61200e',
    functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:ai-video-dev-UploadTrigger:$LATEST',
    condition: 'RetriesExhausted',
    approximateInvokeCount: 3,
  },
  requestPayload,
  responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
  responsePayload: { errorMessage: 'StartExecution refused', errorType: 'Error' },
});

const UPLOAD_FAILURES_QUEUE = 'arn:aws:sqs:eu-west-1:123456789012:ai-video-dev-UploadTriggerFailures';

/** One record of the SQS event a queue's Lambda consumer receives (the Lambda Developer Guide's sample). */
export const sqsRecord = (messageId: string, body: string, queueArn = UPLOAD_FAILURES_QUEUE) => ({
  messageId,
  receiptHandle: `AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a${messageId}`,
  body,
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: '1545082649183',
    SenderId: 'AIDAIENQZJOLO23YVJ4VO',
    ApproximateFirstReceiveTimestamp: '1545082649185',
  },
  messageAttributes: {},
  md5OfBody: '098f6bcd4621d373cade4e832627b4f6',
  eventSource: 'aws:sqs',
  eventSourceARN: queueArn,
  awsRegion: queueArn.split(':')[3]!,
});

/** The SQS event a queue's Lambda consumer receives, one record per body. */
export const sqsEvent = (bodies: { messageId: string; body: string }[]) => ({
  Records: bodies.map(({ messageId, body }) => sqsRecord(messageId, body)),
});
