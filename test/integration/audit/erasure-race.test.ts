/**
 * An audit line still on its way when its user is erased must not land under the user's id. Runs the audit
 * writer and the erasure's audit step against dynalite in each order, including the writer storing its
 * item and the erasure running completely before the writer looks for the erasure marker.
 */
import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type LocalDynamo, startLocalDynamo } from '#infra/local/dynamo.ts';
import { dynamoAccountRecords } from '#shared/account/dynamo-records.ts';
import { auditPseudonym } from '#shared/account/pseudonym.ts';
import { auditLine } from '#shared/audit/line.ts';
import type { AuditEntry } from '#shared/audit/port.ts';
import { createAuditWriter } from '#shared/audit/writer.ts';

let dynamo: LocalDynamo;
let documents: DynamoDBDocumentClient;
const key = new Uint8Array(32).fill(3);

beforeAll(async () => {
  dynamo = await startLocalDynamo();
  documents = DynamoDBDocumentClient.from(dynamo.client);
});
afterAll(async () => {
  await dynamo?.stop();
});

const entry = (userId: string, action: string): AuditEntry => ({
  userId,
  action,
  resourceType: 'project',
  resourceIds: [],
  outcome: 'success',
  status: 200,
  correlationId: randomUUID(),
  at: new Date().toISOString(),
});

/** A writer whose client can run `between` after its BatchWriteItem returns and before it reads markers. */
function writer(between?: () => Promise<void>) {
  const client = {
    send: async (command: never) => {
      const out = await documents.send(command);
      if (between && (command as object) instanceof BatchWriteCommand) {
        const run = between;
        between = undefined;
        await run();
      }
      return out;
    },
  } as unknown as DynamoDBDocumentClient;
  return createAuditWriter({ client, table: dynamo.tables.audit, pseudonymKey: async () => key });
}

const erase = (userId: string) =>
  dynamoAccountRecords(documents, {
    audit: dynamo.tables.audit,
    idempotency: dynamo.tables.idempotency,
  }).pseudonymizeAudit(userId, auditPseudonym(key, userId));

async function partition(userId: string) {
  const out = await documents.send(
    new QueryCommand({
      TableName: dynamo.tables.audit,
      KeyConditionExpression: 'userId = :u',
      ExpressionAttributeValues: { ':u': userId },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

async function expectOnlyUnderPseudonym(userId: string, actions: string[]) {
  expect(await partition(userId)).toEqual([]);
  const kept = await partition(auditPseudonym(key, userId));
  expect(
    kept
      .filter((i) => i.sk !== 'erased')
      .map((i) => i.action)
      .sort(),
  ).toEqual([...actions].sort());
  expect(kept.find((i) => i.sk === 'erased')).toMatchObject({ erasedAt: expect.any(String) });
}

it('moves a line stored before the erasure (the erasure finds it)', async () => {
  const userId = randomUUID();
  const report = await writer().write([auditLine(entry(userId, 'early'))]);
  expect(report.moved).toBe(0);
  expect(await erase(userId)).toBe(1);
  await expectOnlyUnderPseudonym(userId, ['early']);
});

it('moves a line delivered after the erasure (the writer finds the marker)', async () => {
  const userId = randomUUID();
  await writer().write([auditLine(entry(userId, 'early'))]);
  await erase(userId);
  const late = auditLine(entry(userId, 'late'));
  expect((await writer().write([late])).moved).toBe(1);
  // A redelivery of the same line moves it again onto the same item.
  expect((await writer().write([late])).moved).toBe(1);
  await expectOnlyUnderPseudonym(userId, ['early', 'late']);
});

it('moves a line stored while the whole erasure ran between its write and its marker check', async () => {
  const userId = randomUUID();
  const other = randomUUID();
  let erasedMeanwhile = -1;
  const report = await writer(async () => {
    erasedMeanwhile = await erase(userId);
  }).write([auditLine(entry(userId, 'racing')), auditLine(entry(other, 'bystander'))]);
  // The erasure saw the item (stored before its query) and so did the writer: moved twice, kept once.
  expect(erasedMeanwhile).toBe(1);
  expect(report.moved).toBe(1);
  await expectOnlyUnderPseudonym(userId, ['racing']);
  expect((await partition(other)).map((i) => i.action)).toEqual(['bystander']);
});
