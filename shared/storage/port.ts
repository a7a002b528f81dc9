/** The object store the system writes media to: S3 on AWS, the same S3 client against s3rver locally. */
export interface StoredObject {
  key: string;
  size: number;
}

export interface ObjectStore {
  readonly bucket: string;
  /** Upload a local file. */
  putFile(key: string, filePath: string, contentType: string): Promise<StoredObject>;
  putBytes(key: string, body: Uint8Array | string, contentType: string): Promise<StoredObject>;
  /** Download an object to a local file (created or replaced). */
  downloadToFile(key: string, filePath: string): Promise<void>;
  head(key: string): Promise<StoredObject | null>;
  /** A small object (a playlist, an image) in memory, or null when it does not exist. */
  readBytes(key: string): Promise<Uint8Array | null>;
  list(prefix: string): Promise<StoredObject[]>;
  /** Delete keys; missing keys are not an error. */
  deleteKeys(keys: readonly string[]): Promise<void>;
  deletePrefix(prefix: string): Promise<number>;
}
