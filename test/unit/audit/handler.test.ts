/** The audit-writer function: subscription payload in, BatchWriteItem out; control messages ignored. */
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, expect, it } from 'vitest';
import { auditLine } from '#shared/audit/line.ts';

const dynamo = mockClient(DynamoDBDocumentClient);
const secrets = mockClient(SecretsManagerClient);

beforeAll(() => {
  process.env.AWS_REGION = 'us-east-1';
  process.env.AUDIT_TABLE = 'audit';
  process.env.AUDIT_PSEUDONYM_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:k';
  secrets.on(GetSecretValueCommand).resolves({ SecretString: 'k'.repeat(64) });
  dynamo.on(BatchWriteCommand).resolves({});
  dynamo.on(BatchGetCommand).resolves({ Responses: { audit: [] } });
});

const payload = (messageType: string, messages: string[]) => ({
  awslogs: {
    data: gzipSync(
      JSON.stringify({
        messageType,
        owner: '123456789012',
        logGroup: '/aws/lambda/api-projects',
        logStream: 'stream',
        subscriptionFilters: ['audit-lines'],
        logEvents: messages.map((message, i) => ({ id: String(i), timestamp: Date.now(), message })),
      }),
    ).toString('base64'),
  },
});

it('stores the lines of a data message and ignores a control message', async () => {
  const { handler } = await import('#functions/events/audit-writer.ts');
  await handler(payload('CONTROL_MESSAGE', ['CWL CONTROL MESSAGE: Checking health of destination']));
  expect(dynamo.commandCalls(BatchWriteCommand)).toHaveLength(0);
  const line = auditLine({
    userId: randomUUID(),
    action: 'project.create',
    resourceType: 'project',
    resourceIds: [],
    outcome: 'success',
    status: 201,
    correlationId: 'c',
    at: new Date().toISOString(),
  });
  await handler(payload('DATA_MESSAGE', [line]));
  const calls = dynamo.commandCalls(BatchWriteCommand);
  expect(calls).toHaveLength(1);
  expect(calls[0]!.args[0].input.RequestItems?.audit).toHaveLength(1);
  await expect(handler({ awslogs: { data: 'not base64!' } })).rejects.toThrow();
});
