/**
 * The audit writer as the audit-writer function runs it: a CloudWatch Logs subscription payload (gzip,
 * base64) in, BatchWriteItem calls out, UnprocessedItems sent again, redeliveries idempotent, and entries of
 * an erased user moved under the pseudonym.
 */
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { auditPseudonym } from '#shared/account/pseudonym.ts';
import { AUDIT_FILTER_PATTERN, auditLine } from '#shared/audit/line.ts';
import { parseAuditLine } from '#shared/audit/line-parse.ts';
import type { AuditEntry } from '#shared/audit/port.ts';
import { decodeLogsSubscription } from '#shared/audit/subscription.ts';
import { createAuditWriter } from '#shared/audit/writer.ts';

const TABLE = 'audit-test';
const key = new Uint8Array(32).fill(7);
const dynamo = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const writer = () =>
  createAuditWriter({ client, table: TABLE, pseudonymKey: async () => key, baseDelayMs: 1 });

const entry = (over: Partial<AuditEntry> = {}): AuditEntry => ({
  userId: randomUUID(),
  action: 'project.read',
  resourceType: 'project',
  resourceIds: [randomUUID()],
  outcome: 'success',
  status: 200,
  correlationId: randomUUID(),
  at: new Date().toISOString(),
  ...over,
});

/** A subscription payload as CloudWatch Logs sends it to a Lambda function. */
function subscriptionEvent(messages: string[], messageType = 'DATA_MESSAGE') {
  const data = {
    messageType,
    owner: '123456789012',
    logGroup: '/aws/lambda/ai-video-dev-Api-projects',
    logStream: '2026/11/26/[$LATEST]0123456789abcdef',
    subscriptionFilters: ['audit-lines'],
    logEvents: messages.map((message, i) => ({
      id: `3795${i}000000000000000000000000000000000000000000000${i}`,
      timestamp: Date.now(),
      message,
    })),
  };
  return { awslogs: { data: gzipSync(JSON.stringify(data)).toString('base64') } };
}

const puts = () =>
  dynamo
    .commandCalls(BatchWriteCommand)
    .flatMap((c) => c.args[0].input.RequestItems?.[TABLE] ?? [])
    .filter((r) => r.PutRequest)
    .map((r) => r.PutRequest!.Item!);

beforeEach(() => {
  dynamo.reset();
  dynamo.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [] } });
});
afterEach(() => vi.restoreAllMocks());

it('decodes a subscription payload and stores its audit lines; an ordinary log line is skipped', async () => {
  const a = entry();
  const b = entry({ userId: null, action: 'auth.login', outcome: 'denied', status: 401 });
  const ordinary = JSON.stringify({
    level: 'INFO',
    message: 'request',
    service: 'ai-video-api',
    timestamp: new Date().toISOString(),
    correlationId: a.correlationId,
    status: 200,
  });
  const event = subscriptionEvent([auditLine(a), ordinary, auditLine(b)]);
  const data = decodeLogsSubscription(event);
  expect(data.logEvents).toHaveLength(3);
  dynamo.on(BatchWriteCommand).resolves({});

  const report = await writer().write(data.logEvents.map((e) => e.message));
  expect(report).toEqual({ stored: 2, ignored: 1, moved: 0 });
  expect(puts()).toEqual([
    expect.objectContaining({
      userId: a.userId,
      sk: expect.stringMatching(new RegExp(`^${a.at}#[0-9a-f-]{36}$`)),
      action: 'project.read',
      resourceIds: a.resourceIds,
      correlationId: a.correlationId,
      expiresAt: Math.floor(Date.parse(a.at) / 1000) + 365 * 86_400,
    }),
    expect.objectContaining({ userId: 'anonymous', action: 'auth.login', outcome: 'denied', status: 401 }),
  ]);
  // Markers are read consistently, and only for users (not for anonymous entries).
  const gets = dynamo.commandCalls(BatchGetCommand);
  expect(gets).toHaveLength(1);
  expect(gets[0]!.args[0].input.RequestItems?.[TABLE]).toEqual({
    Keys: [{ userId: auditPseudonym(key, a.userId!), sk: 'erased' }],
    ConsistentRead: true,
  });
});

it('sends UnprocessedItems again until they are stored, and fails when they never are', async () => {
  const lines = Array.from({ length: 30 }, () => auditLine(entry()));
  let first = true;
  dynamo.on(BatchWriteCommand).callsFake((input: { RequestItems: Record<string, unknown[]> }) => {
    const requests = input.RequestItems[TABLE]!;
    if (first) {
      first = false;
      return { UnprocessedItems: { [TABLE]: requests.slice(0, 3) } };
    }
    return {};
  });
  expect((await writer().write(lines)).stored).toBe(30);
  const calls = dynamo
    .commandCalls(BatchWriteCommand)
    .map((c) => c.args[0].input.RequestItems![TABLE]!.length);
  // 25 and 5 per batch; the 3 unprocessed ones went again.
  expect(calls).toEqual([25, 3, 5]);
  expect(new Set(puts().map((i) => i.sk)).size).toBe(30);

  dynamo.reset();
  dynamo.on(BatchWriteCommand).callsFake((input: { RequestItems: Record<string, unknown[]> }) => ({
    UnprocessedItems: { [TABLE]: input.RequestItems[TABLE] },
  }));
  await expect(writer().write(lines.slice(0, 2))).rejects.toThrow(
    /2 writes to audit-test were not processed/,
  );
});

it('stores a redelivered line under the same key, once per batch', async () => {
  dynamo.on(BatchWriteCommand).resolves({});
  const line = auditLine(entry());
  await writer().write([line, line]);
  await writer().write([line]);
  const items = puts();
  expect(items).toHaveLength(2);
  expect(items[0]).toEqual(items[1]);
});

it('moves the entries of a user erased meanwhile under the pseudonym', async () => {
  const erasedUser = randomUUID();
  const pseudonym = auditPseudonym(key, erasedUser);
  const other = entry();
  const late = entry({ userId: erasedUser });
  dynamo.on(BatchWriteCommand).resolves({});
  dynamo.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [{ userId: pseudonym, sk: 'erased' }] } });

  const report = await writer().write([auditLine(other), auditLine(late)]);
  expect(report).toEqual({ stored: 2, ignored: 0, moved: 1 });
  const [, move] = dynamo.commandCalls(BatchWriteCommand).map((c) => c.args[0].input.RequestItems![TABLE]!);
  const stored = puts().find((i) => i.userId === erasedUser)!;
  expect(move).toEqual([
    { PutRequest: { Item: { ...stored, userId: pseudonym } } },
    { DeleteRequest: { Key: { userId: erasedUser, sk: stored.sk } } },
  ]);
});

it('accepts a line to which Lambda added its own timestamp, level and request id', () => {
  const id = randomUUID();
  const line = { auditRecord: 1, id, entry: entry() };
  const decorated = JSON.stringify({
    timestamp: '2026-11-27T01:00:00.000Z',
    level: 'INFO',
    requestId: randomUUID(),
    ...line,
  });
  expect(parseAuditLine(decorated)).toEqual(line);
});

it('writes nothing for a control message or lines that only look like audit lines', async () => {
  const control = decodeLogsSubscription(
    subscriptionEvent(['CWL CONTROL MESSAGE: Checking health of destination'], 'CONTROL_MESSAGE'),
  );
  expect(control.messageType).toBe('CONTROL_MESSAGE');
  const forged = [
    JSON.stringify({ auditRecord: 1, id: randomUUID(), entry: { ...entry(), password: 'hunter2' } }),
    JSON.stringify({ auditRecord: 2, id: randomUUID(), entry: entry() }),
    JSON.stringify({ level: 'INFO', message: 'x', auditRecord: 1 }),
    JSON.stringify({
      level: 'INFO',
      message: 'x',
      service: 'api',
      auditRecord: 1,
      id: randomUUID(),
      entry: entry(),
    }),
    'not json',
  ];
  for (const line of forged) expect(parseAuditLine(line)).toBeUndefined();
  expect(await writer().write(forged)).toEqual({ stored: 0, ignored: 5, moved: 0 });
  expect(dynamo.calls()).toHaveLength(0);
});

it('writes the deployed line to stdout, whatever the logger level, in the shape the filter pattern names', async () => {
  const { stdoutAuditLog } = await import('#shared/audit/line.ts');
  const written: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string) => {
    written.push(chunk);
    return true;
  }) as typeof process.stdout.write);
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  try {
    const e = entry({ apiKeyId: randomUUID() });
    stdoutAuditLog().record(e);
    expect(written).toHaveLength(1);
    expect(written[0]!.endsWith('\n')).toBe(true);
    expect(written[0]!.trimEnd()).not.toContain('\n');
    const parsed = JSON.parse(written[0]!);
    // AUDIT_FILTER_PATTERN selects $.auditRecord = 1.
    expect(AUDIT_FILTER_PATTERN).toBe('{ $.auditRecord = 1 }');
    expect(parsed.auditRecord).toBe(1);
    expect(parseAuditLine(written[0]!)?.entry).toEqual(e);
  } finally {
    delete process.env.POWERTOOLS_LOG_LEVEL;
  }
});
