import { and, desc, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { insertWithinBound } from '../db/owned-bound.ts';
import { afterCursor, type Page, type PageRequest, pageLimit, toPage } from '../db/pagination.ts';
import { type ApiKeyRow, apiKeys } from '../db/tables.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { ApiKeyScope } from './schema.ts';

/** A user holds at most this many keys. */
export const MAX_API_KEYS = 50;

export type ApiKey = Omit<ApiKeyRow, 'keyHash'>;

/** What a key check needs, found by the key's hash. */
export interface KeyHolder {
  id: string;
  userId: string;
  scopes: ApiKeyScope[];
  expiresAt: Date | null;
  lastUsedAt: Date | null;
}

const columns = {
  id: apiKeys.id,
  userId: apiKeys.userId,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  scopes: apiKeys.scopes,
  expiresAt: apiKeys.expiresAt,
  lastUsedAt: apiKeys.lastUsedAt,
  createdAt: apiKeys.createdAt,
};

export const scopesOf = (stored: ApiKeyRow['scopes']): ApiKeyScope[] => stored.split(',') as ApiKeyScope[];
const storedScopes = (scopes: readonly ApiKeyScope[]): ApiKeyRow['scopes'] =>
  scopes.includes('write') ? 'read,write' : 'read';

/** How stale `lastUsedAt` may get before a use writes it again (one write per key a minute at most). */
export const LAST_USED_RESOLUTION_MS = 60_000;

export function createApiKeyRepository(db: Database) {
  return {
    /** Stores a key's hash; refused when the user already holds MAX_API_KEYS keys. */
    async create(
      userId: string,
      input: { name: string; scopes: readonly ApiKeyScope[]; expiresAt?: Date; prefix: string; hash: string },
    ): Promise<ApiKey> {
      const { keyHash: _, ...key } = await insertWithinBound(
        db,
        apiKeys,
        {
          userId,
          counter: 'api_key_count',
          most: MAX_API_KEYS,
          refusal: () => new ConflictError(`You already have ${MAX_API_KEYS} API keys; delete one first.`),
        },
        {
          name: input.name,
          prefix: input.prefix,
          keyHash: input.hash,
          scopes: storedScopes(input.scopes),
          expiresAt: input.expiresAt ?? null,
        },
      );
      return key;
    },

    async list(userId: string, page: PageRequest = {}): Promise<Page<ApiKey>> {
      const limit = pageLimit(page.limit);
      const rows = await db
        .select(columns)
        .from(apiKeys)
        .where(
          and(
            eq(apiKeys.userId, userId),
            afterCursor(apiKeys.createdAt, apiKeys.id, page.cursor, `api-keys:${userId}`),
          ),
        )
        .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
        .limit(limit + 1);
      return toPage(rows, limit, `api-keys:${userId}`);
    },

    async remove(userId: string, id: string): Promise<void> {
      const deleted = await db
        .delete(apiKeys)
        .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId)))
        .returning({ id: apiKeys.id });
      if (deleted.length === 0) throw new NotFoundError('API key');
    },

    async findByHash(hash: string): Promise<KeyHolder | undefined> {
      const [row] = await db
        .select({
          id: apiKeys.id,
          userId: apiKeys.userId,
          scopes: apiKeys.scopes,
          expiresAt: apiKeys.expiresAt,
          lastUsedAt: apiKeys.lastUsedAt,
        })
        .from(apiKeys)
        .where(eq(apiKeys.keyHash, hash));
      return row ? { ...row, scopes: scopesOf(row.scopes) } : undefined;
    },

    /** Records a use, unless one was recorded within LAST_USED_RESOLUTION_MS. */
    async touch(id: string): Promise<void> {
      const since = new Date(Date.now() - LAST_USED_RESOLUTION_MS).toISOString();
      await db
        .update(apiKeys)
        .set({ lastUsedAt: new Date() })
        .where(
          and(
            eq(apiKeys.id, id),
            sql`(${apiKeys.lastUsedAt} IS NULL OR ${apiKeys.lastUsedAt} < ${since}::timestamptz)`,
          ),
        );
    },
  };
}

export type ApiKeyRepository = ReturnType<typeof createApiKeyRepository>;

export const toApiKeyResponse = (k: ApiKey) => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  scopes: scopesOf(k.scopes),
  expiresAt: k.expiresAt?.toISOString() ?? null,
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  createdAt: k.createdAt.toISOString(),
});
