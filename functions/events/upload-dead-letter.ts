/**
 * The upload trigger's on-failure destination: an SQS queue receiving Lambda's invocation records of upload
 * events that failed every attempt. Each record's `requestPayload` is the original event; every upload in
 * it ends as a FAILED job with a message (the job is recorded if it never was), its reservation is given
 * back and its file deleted, so an upload whose processing could not start never ends as nothing. An
 * upload with neither job nor reservation left (cancelled, or lapsed) only has its file deleted
 * (ingest.ts, `abandon`).
 */

import type { S3Event, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loggableError } from '#shared/db/errors.ts';
import { annotateTrace, tracedHandler } from '#shared/observability/tracing.ts';
import { awsUploadIngest, type ObjectCreatedDetail, objectsOf } from './upload-trigger.ts';

/** Lambda's record of an asynchronous invocation, as sent to a destination. */
export interface InvocationRecord {
  version?: string;
  timestamp?: string;
  requestContext?: {
    requestId?: string;
    functionArn?: string;
    condition?: string;
    approximateInvokeCount?: number;
  };
  requestPayload: S3Event | ObjectCreatedDetail;
  responseContext?: { statusCode?: number; functionError?: string };
  responsePayload?: { errorType?: string; errorMessage?: string } | null;
}

/** The uploads named by one SQS message body (an invocation record); none when it names no object. */
export function uploadsOfRecord(body: string): { key: string; size: number }[] {
  const record = JSON.parse(body) as Partial<InvocationRecord>;
  const payload = record.requestPayload as Partial<S3Event> & Partial<ObjectCreatedDetail>;
  if (!payload || (!payload.Records && !payload.detail?.object)) return [];
  return objectsOf(payload as S3Event | ObjectCreatedDetail);
}

export const handler = tracedHandler(
  'upload-dead-letter',
  async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const { runtime, ingest } = awsUploadIngest();
    const failures: SQSBatchResponse['batchItemFailures'] = [];
    for (const message of event.Records) {
      try {
        const record = JSON.parse(message.body) as Partial<InvocationRecord>;
        runtime.logger.warn('upload event failed every attempt', {
          condition: record.requestContext?.condition,
          requestId: record.requestContext?.requestId,
          errorType: record.responsePayload?.errorType,
        });
        for (const { key, size } of uploadsOfRecord(message.body)) {
          const jobId = await ingest.abandon(key, size);
          annotateTrace({ jobId });
          runtime.logger.info('upload abandoned', { key, jobId });
        }
      } catch (error) {
        runtime.logger.error('dead-lettered upload not closed', {
          messageId: message.messageId,
          error: loggableError(error),
        });
        failures.push({ itemIdentifier: message.messageId });
      }
    }
    return { batchItemFailures: failures };
  },
);
