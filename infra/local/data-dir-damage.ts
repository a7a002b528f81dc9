/**
 * A data directory part that no longer reads (a crash or a full disk while it was written, a second server
 * on the same folder before the lock existed): one error naming the part and what to do, instead of the
 * stand-in's own failure (PGlite's is `Aborted()` and a page of minified code).
 */
export class DataDirDamagedError extends Error {
  constructor(what: string, location: string, dataDir: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `${what} in ${location} could not be read (${reason}); it is damaged. To start with empty data, move ` +
        `${dataDir} aside or set DATA_DIR to another folder; to keep the data, restore ${location} from a copy.`,
      { cause },
    );
    this.name = 'DataDirDamagedError';
  }
}

/** `open()`, whose failure means the part at `location` is damaged. */
export async function openPart<T>(
  what: string,
  location: string,
  dataDir: string,
  open: () => Promise<T>,
): Promise<T> {
  try {
    return await open();
  } catch (error) {
    throw new DataDirDamagedError(what, location, dataDir, error);
  }
}
