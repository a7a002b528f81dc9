/** Work on a whole account that runs outside the API request that asked for it. */
export type AccountTask =
  | { kind: 'export'; userId: string; exportId: string }
  | { kind: 'erase'; userId: string };

/** Starts account tasks: an asynchronous Lambda invocation on AWS, a background promise locally. */
export interface AccountTaskRunner {
  start(task: AccountTask): Promise<void>;
}

/** What erasure must clean beside the database and the bucket: the DynamoDB tables. */
export interface AccountRecordStores {
  /** Moves the user's audit entries under `pseudonym`; returns how many moved. */
  pseudonymizeAudit(userId: string, pseudonym: string): Promise<number>;
  /** Deletes the stored responses of the user's idempotent requests; returns how many. */
  purgeIdempotency(userId: string): Promise<number>;
}
