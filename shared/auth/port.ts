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
}

export interface Caller {
  userId: string;
}

export interface TokenVerifier {
  /** Verifies an access token; throws UnauthorizedError when it is missing, bad or expired. */
  verify(accessToken: string): Promise<Caller>;
}
