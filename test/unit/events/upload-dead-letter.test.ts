import { expect, it } from 'vitest';
import { uploadsOfRecord } from '#functions/events/upload-dead-letter.ts';

const key =
  'uploads/11111111-1111-4111-8111-111111111111/22222222-2222-4222-8222-222222222222/33333333-3333-4333-8333-333333333333/clip.mp4';

/** The invocation record Lambda sends to an on-failure destination (AWS Lambda developer guide). */
const record = (requestPayload: unknown) =>
  JSON.stringify({
    version: '1.0',
    timestamp: '2026-11-26T18:00:00.000Z',
    requestContext: {
      requestId: 'e4b46cbf-b738-xmpl-8880-a18cdf61200e',
      functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:UploadTrigger:$LATEST',
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
    },
    requestPayload,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorMessage: 'StartExecution refused', errorType: 'Error' },
  });

it('reads the upload from the EventBridge "Object Created" event inside the record', () => {
  const payload = {
    version: '0',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    detail: { bucket: { name: 'media' }, object: { key, size: 4096 } },
  };
  expect(uploadsOfRecord(record(payload))).toEqual([{ key, size: 4096 }]);
});

it('reads S3 notification records too, and nothing from a record without an object', () => {
  const payload = { Records: [{ s3: { object: { key, size: 7 } } }] };
  expect(uploadsOfRecord(record(payload))).toEqual([{ key, size: 7 }]);
  expect(uploadsOfRecord(record({ detail: {} }))).toEqual([]);
  expect(uploadsOfRecord(JSON.stringify({ requestContext: {} }))).toEqual([]);
});
