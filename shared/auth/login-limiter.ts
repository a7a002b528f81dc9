import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UnauthorizedError, ValidationError } from '../errors.ts';
import { addressKey } from './address-key.ts';
import { windowCounters } from './window-counters.ts';

export { RATE_LIMIT_TABLE_KEYS } from './window-counters.ts';

export interface RateLimits {
  /** Failed sign-ins per email within one window. */
  loginFailuresPerEmail: number;
  /** Failed sign-ins per source address within one window, whichever emails they tried. */
  loginFailuresPerAddress: number;
  loginWindowSeconds: number;
  /** Sign-ups per source address within one window. */
  signUpsPerAddress: number;
  signUpWindowSeconds: number;
  /**
   * Refused credentials other than passwords (API keys, refresh tokens, confirmation codes, missing or bad
   * access tokens on the event stream) per source address within one sign-in window.
   */
  apiKeyFailuresPerAddress: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  loginFailuresPerEmail: 5,
  loginFailuresPerAddress: 30,
  loginWindowSeconds: 15 * 60,
  signUpsPerAddress: 10,
  signUpWindowSeconds: 60 * 60,
  apiKeyFailuresPerAddress: 30,
};

/** Guards sign-in and sign-up; on AWS, Cognito's own lockout and threat protection sit behind it. */
export interface LoginLimiter {
  /**
   * Runs one sign-in attempt within the budgets of its email and source address. A failed attempt
   * (UnauthorizedError) stays counted against both; a success resets the email's count but never the
   * address's (it only takes back its own attempt); any other error counts against neither.
   */
  login<T>(email: string, address: string, attempt: () => Promise<T>): Promise<T>;
  /** Counts one sign-up against the source address; throws TooManyRequestsError past the budget. */
  signUp(address: string): Promise<void>;
  /**
   * Runs one API key check within its source address's budget of failures, as `login` does: a refused key
   * (UnauthorizedError) stays counted, anything else gives its attempt back.
   */
  apiKey<T>(address: string, attempt: () => Promise<T>): Promise<T>;
  /**
   * Runs one refresh-token exchange within the same budget as `apiKey`: each exchange costs a call to the
   * identity provider, whose sign-in quota every user shares, so a run of refused tokens is answered 429
   * before it reaches the provider.
   */
  refreshToken<T>(address: string, attempt: () => Promise<T>): Promise<T>;
  /**
   * Runs one sign-up confirmation within the same budget: a wrong code (ValidationError) stays counted.
   * Deployed, each is a ConfirmSignUp call, in the Cognito quota that every sign-up of the account shares.
   */
  confirmation<T>(address: string, attempt: () => Promise<T>): Promise<T>;
  /**
   * Counts one refused access token (or none sent) against the source address's budget of failed API key
   * checks; throws TooManyRequestsError, counting nothing, when that budget is spent.
   */
  tokenRefused(address: string): Promise<void>;
}

/**
 * Waits for the bookkeeping that follows an attempt and ignores its failure: the attempt has happened (a
 * sign-in, a confirmation, a token exchange) and must be answered as it went, not as a 500 that makes the
 * caller try again something already done. A count not given back lapses with its window.
 */
const settled = (bookkeeping: Promise<unknown>) =>
  bookkeeping.then(
    () => undefined,
    () => undefined,
  );

/**
 * Fixed-window counters in DynamoDB (window-counters.ts), one per email or address and window: parallel
 * requests cannot pass a limit together, and every process (each Lambda container) sees the same counts.
 */
export function dynamoLoginLimiter(
  client: DynamoDBDocumentClient,
  tableName: string,
  limits: RateLimits = DEFAULT_RATE_LIMITS,
  now: () => number = Date.now,
): LoginLimiter {
  const { counter, take, giveBack, reset, tooMany } = windowCounters(client, tableName, now);
  const keyFailures = (address: string) =>
    counter(
      'apikey-address',
      addressKey(address),
      limits.apiKeyFailuresPerAddress,
      limits.loginWindowSeconds,
    );

  /**
   * One check of a credential: a refusal (by default an UnauthorizedError) stays counted, anything else
   * gives its attempt back; past the budget the check is not made at all.
   */
  async function countedCheck<T>(
    address: string,
    refusal: string,
    attempt: () => Promise<T>,
    refused: (error: unknown) => boolean = (error) => error instanceof UnauthorizedError,
  ): Promise<T> {
    const byAddress = keyFailures(address);
    if (!(await take(byAddress))) throw tooMany(refusal, [byAddress]);
    let result: T;
    try {
      result = await attempt();
    } catch (error) {
      if (!refused(error)) await settled(giveBack(byAddress));
      throw error;
    }
    await settled(giveBack(byAddress));
    return result;
  }

  return {
    async login<T>(email: string, address: string, attempt: () => Promise<T>): Promise<T> {
      const byEmail = counter('login-email', email, limits.loginFailuresPerEmail, limits.loginWindowSeconds);
      const byAddress = counter(
        'login-address',
        addressKey(address),
        limits.loginFailuresPerAddress,
        limits.loginWindowSeconds,
      );
      const [emailOk, addressOk] = await Promise.all([take(byEmail), take(byAddress)]);
      if (!emailOk || !addressOk) {
        const refused = [...(emailOk ? [] : [byEmail]), ...(addressOk ? [] : [byAddress])];
        // What was taken for an attempt that does not happen is given back.
        await Promise.all([
          ...(emailOk ? [giveBack(byEmail)] : []),
          ...(addressOk ? [giveBack(byAddress)] : []),
        ]);
        throw tooMany('Too many failed sign-in attempts; wait before trying again.', refused);
      }
      let result: T;
      try {
        result = await attempt();
      } catch (error) {
        if (!(error instanceof UnauthorizedError))
          await settled(Promise.all([giveBack(byEmail), giveBack(byAddress)]));
        throw error;
      }
      await settled(Promise.all([reset(byEmail), giveBack(byAddress)]));
      return result;
    },

    apiKey: (address, attempt) =>
      countedCheck(address, 'Too many requests with unknown API keys; wait before trying again.', attempt),

    refreshToken: (address, attempt) =>
      countedCheck(
        address,
        'Too many requests with a refused refresh token; sign in again, or wait before trying again.',
        attempt,
      ),

    confirmation: (address, attempt) =>
      countedCheck(
        address,
        'Too many refused codes or credentials from this address; wait before trying again.',
        attempt,
        (error) => error instanceof ValidationError,
      ),

    async tokenRefused(address) {
      const byAddress = keyFailures(address);
      if (!(await take(byAddress))) {
        throw tooMany(
          'Too many requests with a missing, unknown or expired credential; wait before trying again.',
          [byAddress],
        );
      }
    },

    async signUp(address) {
      const byAddress = counter(
        'signup-address',
        addressKey(address),
        limits.signUpsPerAddress,
        limits.signUpWindowSeconds,
      );
      if (!(await take(byAddress))) {
        throw tooMany('Too many sign-ups from this address; wait before trying again.', [byAddress]);
      }
    },
  };
}
