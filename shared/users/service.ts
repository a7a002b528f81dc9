import type { User } from './repository.ts';

/** The public view of a user: never the password hash. */
export const toUserResponse = (u: User) => ({
  id: u.id,
  email: u.email,
  username: u.username,
  subscriptionTier: u.subscriptionTier,
  storageUsed: u.storageUsed,
  storageLimit: u.storageLimit,
  createdAt: u.createdAt.toISOString(),
  updatedAt: u.updatedAt.toISOString(),
});
