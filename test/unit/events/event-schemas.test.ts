/**
 * The event schemas against the sample events of the AWS documentation (S3 User Guide "EventBridge event
 * message structure", MediaConvert User Guide "Events with STATUS_UPDATE status", Step Functions Developer
 * Guide "EventBridge events for Step Functions", Cognito Developer Guide "Post confirmation Lambda
 * trigger"), with our values where the sample's would not be ours (keys, ids), plus a malformed event each.
 */
import { describe, expect, it, vi } from 'vitest';
import { failedStateOf } from '#functions/events/execution-ended.ts';
import { progressOf } from '#functions/events/mediaconvert-state-change.ts';
import { objectsOf } from '#functions/events/upload-trigger.ts';
import { postConfirmationEvent } from '#shared/events/schemas/cognito.ts';
import { executionStatusChange } from '#shared/events/schemas/execution.ts';
import { mediaConvertStateChange } from '#shared/events/schemas/mediaconvert.ts';
import { objectCreatedEvent, uploadEventSchema } from '#shared/events/schemas/upload.ts';
import { parseEvent, UnexpectedEvent } from '#shared/observability/parse-event.ts';
import { failureMessage } from '#shared/pipeline/tasks.ts';
import * as awsEvents from '#test/support/aws-events.ts';
import { confirmedSignUpEvent } from '#test/support/cognito-events.ts';

const jobId = '11111111-2222-4333-8444-555555555555';
const userId = '0b6a7e0e-3c1f-4f7e-9d5e-2f1a3b4c5d6e';
const projectId = '22222222-3333-4444-8555-666666666666';
const key = `uploads/${userId}/${projectId}/${jobId}/clip.mp4`;

const s3ObjectCreated = awsEvents.s3ObjectCreated(key, 5);
const mediaConvertStatusUpdate = awsEvents.mediaConvertStateChange.statusUpdate({ jobId, clipId: jobId }, 60);
const executionInput = JSON.stringify({ jobId, userId, projectId, jobType: 'GENERATE' });
const execution = (status: string, extra: Record<string, unknown> = {}) =>
  awsEvents.executionStatusChange(
    'arn:aws:states:us-east-1:012345678912:stateMachine:state-machine',
    executionInput,
    status,
    extra,
  );

const postConfirmation = confirmedSignUpEvent(userId);

const logger = () => ({ error: vi.fn() });

describe('S3 Object Created', () => {
  it('reads the documented EventBridge event (and an IPv6 uploader)', () => {
    const parsed = uploadEventSchema(s3ObjectCreated).parse(s3ObjectCreated);
    expect(objectsOf(parsed)).toEqual([{ key, size: 5 }]);
    const v6 = {
      ...s3ObjectCreated,
      detail: { ...s3ObjectCreated.detail, 'source-ip-address': '2001:db8::1' },
    };
    expect(objectCreatedEvent.safeParse(v6).success).toBe(true);
  });

  it('reads a classic S3 notification', () => {
    const notification = {
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          awsRegion: 'us-east-2',
          eventTime: '2019-09-03T19:37:27.192Z',
          eventName: 'ObjectCreated:Put',
          userIdentity: { principalId: 'AWS:AIDAINPONIXQXHT3IKHL2' },
          requestParameters: { sourceIPAddress: '205.255.255.255' },
          responseElements: {
            'x-amz-request-id': 'D82B88E5F771F645',
            'x-amz-id-2': 'vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKlc5aLWGVHPZLj5NeC6qMa0emYBDXOo6QBU0Wo=',
          },
          s3: {
            s3SchemaVersion: '1.0',
            configurationId: 'uploads',
            bucket: {
              name: 'media',
              ownerIdentity: { principalId: 'A3I5XTEXAMAI3E' },
              arn: 'arn:aws:s3:::media',
            },
            object: {
              key: key.replace('clip', 'my+clip'),
              size: 7,
              eTag: '1',
              sequencer: '0C0F6F405D6ED209E1',
            },
          },
        },
      ],
    };
    expect(objectsOf(uploadEventSchema(notification).parse(notification))).toEqual([
      { key: key.replace('clip', 'my clip'), size: 7 },
    ]);
  });

  it('refuses an event without the object size, naming the field', () => {
    const log = logger();
    const { size: _size, ...object } = s3ObjectCreated.detail.object;
    const malformed = { ...s3ObjectCreated, detail: { ...s3ObjectCreated.detail, object } };
    expect(() => parseEvent(uploadEventSchema(malformed), malformed, 'S3 Object Created', log)).toThrow(
      UnexpectedEvent,
    );
    const [message, detail] = log.error.mock.calls[0]!;
    expect(message).toBe('unexpected event');
    expect(JSON.stringify(detail)).toContain('detail.object.size');
    expect(JSON.stringify(detail)).not.toContain(key);
  });
});

describe('MediaConvert Job State Change', () => {
  it('reads the documented STATUS_UPDATE event', () => {
    const parsed = mediaConvertStateChange.parse(mediaConvertStatusUpdate);
    expect(progressOf(parsed)).toEqual({ jobId, progress: 87 });
    const noJob = {
      ...mediaConvertStatusUpdate,
      detail: { ...mediaConvertStatusUpdate.detail, userMetadata: {} },
    };
    expect(progressOf(mediaConvertStateChange.parse(noJob))).toBeNull();
  });

  it('moves progress on STATUS_UPDATE events only', () => {
    const at = (status: string, pct?: number) => ({
      detail: {
        status,
        userMetadata: { jobId },
        ...(pct === undefined ? {} : { jobProgress: { jobPercentComplete: pct } }),
      },
    });
    expect(progressOf(at('STATUS_UPDATE', 0))).toEqual({ jobId, progress: 72 });
    expect(progressOf(at('STATUS_UPDATE'))).toBeNull();
    expect(progressOf(at('COMPLETE', 100))).toBeNull();
  });

  it('refuses a percentage out of range', () => {
    const malformed = {
      ...mediaConvertStatusUpdate,
      detail: { ...mediaConvertStatusUpdate.detail, jobProgress: { jobPercentComplete: 'sixty' } },
    };
    expect(() => parseEvent(mediaConvertStateChange, malformed, 'MediaConvert', logger())).toThrow(
      UnexpectedEvent,
    );
  });
});

describe('Step Functions Execution Status Change', () => {
  it('reads the documented events and closes stopped, timed-out and failed executions', () => {
    const aborted = failedStateOf(executionStatusChange.parse(execution('ABORTED')));
    expect(aborted).toMatchObject({
      jobId,
      userId,
      error: { Error: 'JobCancelled', Cause: 'Cancelled by user.' },
    });
    expect(failureMessage(aborted!.error)).toBe('Cancelled by user.');
    const timedOut = failedStateOf(executionStatusChange.parse(execution('TIMED_OUT')));
    expect(failureMessage(timedOut!.error)).toBe('The job took too long and was stopped.');
    const failed = executionStatusChange.parse(execution('FAILED', { error: 'Lambda.Unknown', cause: 'x' }));
    expect(failedStateOf(failed)).toMatchObject({ error: { Error: 'Lambda.Unknown' } });
    const ownFail = executionStatusChange.parse(execution('FAILED', { error: 'JobFailed', cause: 'x' }));
    expect(failedStateOf(ownFail)).toBeNull();
    expect(failedStateOf(executionStatusChange.parse(execution('SUCCEEDED')))).toBeNull();
    expect(failedStateOf(executionStatusChange.parse(execution('RUNNING', { stopDate: null })))).toBeNull();
    // Input and output larger than EventBridge carries: the input is left out.
    expect(failedStateOf(executionStatusChange.parse(execution('ABORTED', { input: null })))).toBeNull();
  });

  it('carries the correlation id of the request that started the execution', () => {
    const input = JSON.stringify({ ...JSON.parse(executionInput), correlationId: 'req-1' });
    const parsed = executionStatusChange.parse(execution('ABORTED', { input }));
    expect(failedStateOf(parsed)).toMatchObject({ correlationId: 'req-1' });
  });

  it('refuses an input that is not a job execution input', () => {
    const log = logger();
    expect(() =>
      parseEvent(executionStatusChange, execution('ABORTED', { input: '{"jobId":"x"}' }), 'SFN', log),
    ).toThrow(UnexpectedEvent);
    expect(JSON.stringify(log.error.mock.calls[0]![1])).toContain('detail.input');
  });
});

describe('Cognito PostConfirmation', () => {
  it('reads the documented trigger event', () => {
    const parsed = postConfirmationEvent.parse(postConfirmation);
    expect(parsed.request.userAttributes).toMatchObject({ sub: userId, email: 'ada@example.com' });
  });

  it('refuses an event without the user sub', () => {
    const { sub: _sub, ...attributes } = postConfirmation.request.userAttributes;
    const malformed = { ...postConfirmation, request: { userAttributes: attributes } };
    expect(postConfirmationEvent.safeParse(malformed).success).toBe(false);
  });
});
