export interface Tokens {
  accessToken: string;
  idToken: string;
  /** Absent on refresh (the refresh token stays the same, as with Cognito). */
  refreshToken?: string;
  expiresIn: number;
  tokenType: 'Bearer';
}

/**
 * Where a sign-in request came from. The API signs users in from its own servers, so Cognito's threat
 * protection sees the user's address only when it is passed on (AdminInitiateAuth's ContextData).
 */
export interface SignInContext {
  ipAddress: string;
  serverName: string;
  serverPath: string;
  headers: Readonly<Record<string, string | undefined>>;
}

export interface SignUpInput {
  email: string;
  username: string;
  password: string;
}

/** Accounts: Cognito on AWS, the local issuer on a laptop. */
export interface IdentityProvider {
  /** Returns the new user's id; `confirmed` is false when a code must be confirmed first. */
  signUp(input: SignUpInput): Promise<{ userId: string; confirmed: boolean }>;
  confirm(email: string, code: string): Promise<void>;
  login(email: string, password: string, context?: SignInContext): Promise<Tokens>;
  refresh(refreshToken: string): Promise<Tokens>;
  /**
   * Who the holder of a valid access token is, for creating a missing users row: Cognito's GetUser on
   * AWS, the token's own claims locally. Throws UnauthorizedError when the account is gone.
   */
  profile(accessToken: string): Promise<Profile>;
  /**
   * The email another account signs in with now (Cognito's AdminGetUser; the local issuer's own store), or
   * undefined when the identity provider has no such account. A users row whose email its account has left
   * no longer holds that address.
   */
  currentEmail(userId: string): Promise<string | undefined>;
  /**
   * Deletes the account's identity so no one can sign in as it again (Cognito's AdminDeleteUser; locally the
   * password). Deleting an account that is gone already is not an error.
   */
  deleteAccount(userId: string): Promise<void>;
}

export interface Profile {
  email: string;
  /** The username chosen at sign-up, when known. */
  username?: string;
}

export interface Caller {
  /** The token's `sub`, always a UUID. */
  userId: string;
  /** Set when an API key authenticated the request (its id, for the audit log). */
  apiKeyId?: string;
  /** The key's scopes; absent for a user token (which may do everything). */
  scopes?: readonly ('read' | 'write')[];
}

export interface TokenVerifier {
  /** Verifies an access token; throws UnauthorizedError when it is missing, bad or expired. */
  verify(accessToken: string): Promise<Caller>;
}
