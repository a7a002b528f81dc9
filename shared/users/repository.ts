import { and, eq, ne, or, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { sqlErrorInfo, UNIQUE_VIOLATION } from '../db/errors.ts';
import { atVersion, ROW_VERSION, type Versioned } from '../db/row-version.ts';
import { type UserRow, users } from '../db/tables.ts';
import { ConflictError, MissingUserRowError, NotFoundError, PreconditionFailedError } from '../errors.ts';
import { DEFAULT_TIER, type SubscriptionTier, tierLimits } from './tiers.ts';

export type User = UserRow;

export { MissingUserRowError };

export interface NewUser {
  /** Cognito's `sub` on AWS; generated locally. */
  id?: string;
  email: string;
  username: string;
  passwordHash?: string | null;
  subscriptionTier?: SubscriptionTier;
}

/**
 * The email of a users row whose account left the identity provider, or whose address another row holds
 * already: no one can sign up with it (`.invalid` is reserved, RFC 2606) and it is unique by the row's id.
 */
export const releasedEmail = (id: string) => `released-${id}@email.invalid`;

function uniqueConflict(error: unknown): never {
  const info = sqlErrorInfo(error);
  if (info.sqlState === UNIQUE_VIOLATION) {
    if (info.constraint === 'users_email_key')
      throw new ConflictError('An account with this email already exists.');
    if (info.constraint === 'users_username_lower_key' || info.constraint === 'users_username_key')
      throw new ConflictError('This username is taken; choose another.');
  }
  throw error;
}

/** What `insertIfAbsent` found: the user's own row, or which unique value another row already holds. */
export type InsertIfAbsent = { row: User } | { taken: 'email' | 'username' };

export function createUserRepository(db: Database) {
  return {
    async create(input: NewUser): Promise<User> {
      const tier = input.subscriptionTier ?? DEFAULT_TIER;
      const [row] = await db
        .insert(users)
        .values({
          ...(input.id ? { id: input.id } : {}),
          email: input.email,
          username: input.username,
          passwordHash: input.passwordHash ?? null,
          subscriptionTier: tier,
          storageLimit: tierLimits(tier).storageLimit,
        })
        .returning()
        .catch(uniqueConflict);
      return row!;
    },

    async getById(id: string): Promise<User> {
      const [row] = await db.select().from(users).where(eq(users.id, id));
      if (!row) throw new MissingUserRowError();
      return row;
    },

    async findById(id: string): Promise<User | undefined> {
      const [row] = await db.select().from(users).where(eq(users.id, id));
      return row;
    },

    /**
     * Creates the row of a signed-in user with this id unless it exists (the sign-up trigger or a parallel
     * request may have created it): idempotent. When another row holds the email or (case-insensitively)
     * the username, nothing is written and `taken` says which.
     */
    async insertIfAbsent(input: NewUser & { id: string }): Promise<InsertIfAbsent> {
      const tier = input.subscriptionTier ?? DEFAULT_TIER;
      const [row] = await db
        .insert(users)
        .values({
          id: input.id,
          email: input.email,
          username: input.username,
          passwordHash: input.passwordHash ?? null,
          subscriptionTier: tier,
          storageLimit: tierLimits(tier).storageLimit,
        })
        .onConflictDoNothing()
        .returning();
      if (row) return { row };
      const holders = await db
        .select()
        .from(users)
        .where(or(eq(users.id, input.id), eq(users.email, input.email)));
      const own = holders.find((u) => u.id === input.id);
      if (own) return { row: own };
      return { taken: holders.length > 0 ? 'email' : 'username' };
    },

    async isUsernameTaken(username: string): Promise<boolean> {
      const [row] = await db
        .select({ id: users.id })
        .from(users)
        .where(sql`lower(${users.username}) = lower(${username})`);
      return row !== undefined;
    },

    /** For login only: the row includes the password hash. */
    async findByEmail(email: string): Promise<User | undefined> {
      const [row] = await db.select().from(users).where(eq(users.email, email));
      return row;
    },

    /**
     * Sets the email the account signs in with now, in one statement that writes nothing when it is the
     * stored one already (or the row does not exist yet). Throws ConflictError when another row holds it.
     */
    async followEmail(id: string, email: string): Promise<void> {
      await db
        .update(users)
        .set({ email, updatedAt: new Date() })
        .where(and(eq(users.id, id), ne(users.email, email)))
        .catch(uniqueConflict);
    },

    /**
     * Frees `email` from the row `id` when it still holds it: the account's current address when it has one
     * and no other row holds that too, else `releasedEmail(id)`. Returns whether the row holds another now.
     */
    async releaseEmail(id: string, email: string, current: string | undefined): Promise<boolean> {
      const move = (to: string) =>
        db
          .update(users)
          .set({ email: to, updatedAt: new Date() })
          .where(and(eq(users.id, id), eq(users.email, email)))
          .returning({ id: users.id });
      if (current !== undefined) {
        const moved = await move(current).catch((error: unknown) => {
          if (sqlErrorInfo(error).sqlState === UNIQUE_VIOLATION) return undefined;
          throw error;
        });
        if (moved) return moved.length > 0;
      }
      return (await move(releasedEmail(id))).length > 0;
    },

    /** The row with its version, for a write conditioned on it (If-Match). */
    async getVersionedById(id: string): Promise<Versioned<User>> {
      const [found] = await db
        .select({ row: users, version: ROW_VERSION })
        .from(users)
        .where(eq(users.id, id));
      if (!found) throw new MissingUserRowError();
      return found;
    },

    /** With `ifVersion`, only while the row is still at that version (412 otherwise, nothing written). */
    async updateUsername(id: string, username: string, ifVersion?: string): Promise<User> {
      const [row] = await db
        .update(users)
        .set({ username, updatedAt: new Date() })
        .where(and(eq(users.id, id), atVersion(ifVersion)))
        .returning()
        .catch(uniqueConflict);
      if (!row)
        throw ifVersion === undefined ? new MissingUserRowError() : new PreconditionFailedError('account');
      return row;
    },

    /** The local identity provider's half of deleting an account: no password signs in any more. */
    async clearPassword(id: string): Promise<void> {
      await db.update(users).set({ passwordHash: null, updatedAt: new Date() }).where(eq(users.id, id));
    },

    /** Moves a user to another tier; a downgrade below the bytes already stored is refused. */
    async changeTier(id: string, tier: SubscriptionTier): Promise<User> {
      const [row] = await db
        .update(users)
        .set({ subscriptionTier: tier, storageLimit: tierLimits(tier).storageLimit, updatedAt: new Date() })
        .where(eq(users.id, id))
        .returning()
        .catch((error: unknown) => {
          const { constraint } = sqlErrorInfo(error);
          if (constraint === 'users_storage_used_range' || constraint === 'users_storage_reserved_range') {
            throw new ConflictError(
              `More is stored or being uploaded than the ${tier} tier allows; delete clips first.`,
            );
          }
          throw error;
        });
      if (!row) throw new NotFoundError('user');
      return row;
    },
  };
}

export type UserRepository = ReturnType<typeof createUserRepository>;
