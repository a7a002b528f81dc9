/**
 * What a CloudWatch Logs subscription filter hands a Lambda function: `awslogs.data`, the base64 of a gzip
 * of a JSON document naming the log group and stream and carrying the matched log events. CloudWatch also
 * sends CONTROL_MESSAGE documents (with no events of the group) to check that the destination is reachable.
 */
import { gunzipSync } from 'node:zlib';
import * as z from '../schema/zod.ts';

const subscriptionEvent = z.object({ awslogs: z.object({ data: z.base64() }) });
const logsData = z.object({
  messageType: z.enum(['DATA_MESSAGE', 'CONTROL_MESSAGE']),
  owner: z.string(),
  logGroup: z.string(),
  logStream: z.string(),
  subscriptionFilters: z.array(z.string()),
  logEvents: z.array(z.object({ id: z.string(), timestamp: z.number(), message: z.string() })),
});

export type LogsSubscriptionData = z.infer<typeof logsData>;

export function decodeLogsSubscription(event: unknown): LogsSubscriptionData {
  const { awslogs } = subscriptionEvent.parse(event);
  return logsData.parse(JSON.parse(gunzipSync(Buffer.from(awslogs.data, 'base64')).toString('utf8')));
}
