/**
 * Powertools idempotency and its DynamoDB store, the only parts idempotent.ts uses. In a Lambda function
 * this is a file beside the bundle (infra/files-beside-bundle.ts), loaded by the first request that sends an
 * Idempotency-Key; elsewhere it is this module.
 */
export {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
export { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
