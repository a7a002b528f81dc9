/**
 * PLACEHOLDER (cdk branch): the real handler comes from another branch; it marks the job of an upload
 * whose trigger failed as FAILED. This file exists only so the CDK app can synthesise; it fails every
 * batch so no record is consumed unhandled.
 */
import type { SQSEvent } from 'aws-lambda';

export async function handler(event: SQSEvent): Promise<void> {
  throw new Error(
    `upload-dead-letter is not implemented (${event.Records.length} records left in the queue)`,
  );
}
