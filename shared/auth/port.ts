export interface Tokens {
  accessToken: string;
  idToken: string;
  /** Absent on refresh (the refresh token stays the same, as with Cognito). */
  refreshToken?: string;
  expiresIn: number;
  tokenType: 'Bearer';
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
  login(email: string, password: string): Promise<Tokens>;
  refresh(refreshToken: string): Promise<Tokens>;
  /**
   * Who the holder of a valid access token is, for creating a missing users row: Cognito's GetUser on
   * AWS, the token's own claims locally. Throws UnauthorizedError when the account is gone.
   */
  profile(accessToken: string): Promise<Profile>;
}

export interface Profile {
  email: string;
  /** The username chosen at sign-up, when known. */
  username?: string;
}

export interface Caller {
  /** The token's `sub`, always a UUID. */
  userId: string;
}

export interface TokenVerifier {
  /** Verifies an access token; throws UnauthorizedError when it is missing, bad or expired. */
  verify(accessToken: string): Promise<Caller>;
}
