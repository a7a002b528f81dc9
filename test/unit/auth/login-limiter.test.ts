import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS, dynamoLoginLimiter } from '#shared/auth/login-limiter.ts';
import { TooManyRequestsError, UnauthorizedError, ValidationError } from '#shared/errors.ts';

const dynamo = mockClient(DynamoDBDocumentClient);
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
afterEach(() => dynamo.reset());

// 10:07:30 into a 15-minute window that began at 10:00 (window index = now / 900 s).
const NOW = Date.UTC(2026, 0, 1, 10, 7, 30);
const limiter = dynamoLoginLimiter(documents, 'limits', DEFAULT_RATE_LIMITS, () => NOW);
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'no', $metadata: {} });
const updates = () => dynamo.commandCalls(UpdateCommand).map((c) => c.args[0].input);
const takes = () => updates().filter((u) => u.UpdateExpression?.startsWith('ADD #count :one'));
const givenBack = () => updates().filter((u) => u.ExpressionAttributeValues?.[':minusOne'] === -1);

describe('sign-in limiter on DynamoDB', () => {
  it('answers an attempt as it went when giving its count back fails afterwards', async () => {
    // The takes succeed; every later update (the give-back) and the reset are throttled.
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const takesOnly = (takes = 1) => {
      dynamo.reset();
      let left = takes;
      dynamo.on(UpdateCommand).callsFake(async () => {
        if (left-- > 0) return {};
        throw throttled;
      });
      dynamo.on(DeleteCommand).rejects(throttled);
    };
    takesOnly();
    await expect(limiter.confirmation('203.0.113.9', async () => 'confirmed')).resolves.toBe('confirmed');
    takesOnly();
    await expect(limiter.refreshToken('203.0.113.9', async () => 'tokens')).resolves.toBe('tokens');
    takesOnly(2);
    await expect(limiter.login('ann@example.com', '203.0.113.9', async () => 'tokens')).resolves.toBe(
      'tokens',
    );
    // A failure of the attempt itself is still the answer, not the failed give-back.
    takesOnly();
    await expect(
      limiter.apiKey('203.0.113.9', async () => {
        throw new Error('database unreachable');
      }),
    ).rejects.toThrow('database unreachable');
    takesOnly(2);
    await expect(
      limiter.login('ann@example.com', '203.0.113.9', async () => {
        throw new Error('identity provider unreachable');
      }),
    ).rejects.toThrow('identity provider unreachable');
  });

  it('takes an attempt per email and per address with one atomic conditional ADD each', async () => {
    dynamo.on(UpdateCommand).resolves({});
    dynamo.on(DeleteCommand).resolves({});
    await limiter.login('ann@example.com', '203.0.113.9', async () => 'tokens');
    const [byEmail, byAddress] = takes();
    const windowIndex = Math.floor(NOW / 900_000);
    expect(byEmail).toEqual({
      TableName: 'limits',
      Key: { pk: expect.stringMatching(new RegExp(`^login-email#[\\w-]{32}#${windowIndex}$`)) },
      UpdateExpression: 'ADD #count :one SET #ttl = if_not_exists(#ttl, :ttl)',
      ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
      ExpressionAttributeNames: { '#count': 'attempts', '#ttl': 'expiresAt' },
      ExpressionAttributeValues: {
        ':one': 1,
        ':limit': DEFAULT_RATE_LIMITS.loginFailuresPerEmail,
        ':ttl': (windowIndex + 1) * 900 + 60,
      },
    });
    expect(byAddress?.Key?.pk).toMatch(/^login-address#/);
    expect(byAddress?.ExpressionAttributeValues?.[':limit']).toBe(
      DEFAULT_RATE_LIMITS.loginFailuresPerAddress,
    );
    // Neither the email nor the address is stored in clear.
    expect(JSON.stringify(updates())).not.toMatch(/ann@example\.com|203\.0\.113\.9/);
  });

  it('on success resets the email count but only takes back its own attempt from the address', async () => {
    dynamo.on(UpdateCommand).resolves({});
    dynamo.on(DeleteCommand).resolves({});
    await limiter.login('ann@example.com', '203.0.113.9', async () => 'tokens');
    const [byEmail, byAddress] = takes();
    expect(dynamo.commandCalls(DeleteCommand).map((c) => c.args[0].input)).toEqual([
      { TableName: 'limits', Key: byEmail?.Key },
    ]);
    expect(givenBack()).toEqual([
      {
        TableName: 'limits',
        Key: byAddress?.Key,
        UpdateExpression: 'ADD #count :minusOne',
        ConditionExpression: '#count > :zero',
        ExpressionAttributeNames: { '#count': 'attempts' },
        ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
      },
    ]);
  });

  it('keeps a failed attempt counted on both keys, and gives back attempts that failed for other reasons', async () => {
    dynamo.on(UpdateCommand).resolves({});
    const wrong = limiter.login('ann@example.com', '203.0.113.9', async () => {
      throw new UnauthorizedError('Incorrect email or password.');
    });
    await expect(wrong).rejects.toBeInstanceOf(UnauthorizedError);
    expect(givenBack()).toHaveLength(0);
    expect(dynamo.commandCalls(DeleteCommand)).toHaveLength(0);

    dynamo.resetHistory();
    const outage = limiter.login('ann@example.com', '203.0.113.9', async () => {
      throw new Error('identity provider unavailable');
    });
    await expect(outage).rejects.toThrow('unavailable');
    expect(givenBack()).toHaveLength(2);
  });

  it('answers 429 with Retry-After to the end of the window once a key is spent, without trying', async () => {
    dynamo.on(UpdateCommand).callsFake(async (input: { Key: { pk: string } }) => {
      if (input.Key.pk.startsWith('login-address#')) throw conditionFailed();
      return {};
    });
    let attempted = false;
    const error = await limiter
      .login('bob@example.com', '203.0.113.9', async () => {
        attempted = true;
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TooManyRequestsError);
    expect((error as TooManyRequestsError).retryAfterSeconds).toBe(450);
    expect(attempted).toBe(false);
    // The email's attempt, taken in parallel, is given back: it did not happen.
    expect(givenBack().map((u) => u.Key?.pk)).toEqual([expect.stringMatching(/^login-email#/)]);
  });

  it('counts sign-ups per address in their own window', async () => {
    dynamo.on(UpdateCommand).resolves({});
    await limiter.signUp('203.0.113.9');
    expect(takes()[0]?.Key?.pk).toMatch(/^signup-address#[\w-]{32}#\d+$/);
    expect(takes()[0]?.ExpressionAttributeValues?.[':limit']).toBe(DEFAULT_RATE_LIMITS.signUpsPerAddress);
    dynamo.on(UpdateCommand).rejects(conditionFailed());
    await expect(limiter.signUp('203.0.113.9')).rejects.toMatchObject({ status: 429 });
  });
});

describe('API key limiter on DynamoDB', () => {
  it('counts a refused key against the address, gives a good key’s attempt back, and refuses past the budget', async () => {
    dynamo.on(UpdateCommand).resolves({});
    await expect(
      limiter.apiKey('203.0.113.9', async () => {
        throw new UnauthorizedError('unknown key');
      }),
    ).rejects.toBeInstanceOf(UnauthorizedError);
    expect(takes()).toHaveLength(1);
    expect(takes()[0]?.Key?.pk).toMatch(/^apikey-address#/);
    expect(takes()[0]?.ExpressionAttributeValues?.[':limit']).toBe(
      DEFAULT_RATE_LIMITS.apiKeyFailuresPerAddress,
    );
    expect(givenBack()).toHaveLength(0);

    await limiter.apiKey('203.0.113.9', async () => 'caller');
    expect(givenBack()).toHaveLength(1);

    dynamo.on(UpdateCommand).rejects(conditionFailed());
    let ran = false;
    const refused = await limiter
      .apiKey('203.0.113.9', async () => {
        ran = true;
      })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TooManyRequestsError);
    expect(ran).toBe(false);
  });
});

describe('refused access tokens on DynamoDB', () => {
  it('count against the address’s budget of failed key checks, and past it answer 429 with Retry-After', async () => {
    dynamo.on(UpdateCommand).resolves({});
    await limiter.tokenRefused('203.0.113.9');
    await limiter.apiKey('203.0.113.9', async () => 'caller');
    // The same counter as a key's check: the same key, the same budget.
    const [token, key] = takes();
    expect(token?.Key?.pk).toMatch(/^apikey-address#/);
    expect(token?.Key).toEqual(key?.Key);
    expect(token?.ExpressionAttributeValues?.[':limit']).toBe(DEFAULT_RATE_LIMITS.apiKeyFailuresPerAddress);

    dynamo.on(UpdateCommand).rejects(conditionFailed());
    const refused = await limiter.tokenRefused('203.0.113.9').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TooManyRequestsError);
    // 7:30 left of the 15-minute window.
    expect((refused as TooManyRequestsError).retryAfterSeconds).toBe(450);
  });
});

describe('refresh tokens and confirmation codes on DynamoDB', () => {
  it('count a refusal against the address’s budget of refused credentials and give anything else back', async () => {
    dynamo.on(UpdateCommand).resolves({});
    await expect(
      limiter.refreshToken('203.0.113.9', async () => {
        throw new UnauthorizedError('not a refresh token');
      }),
    ).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(
      limiter.confirmation('203.0.113.9', async () => {
        throw new ValidationError('wrong code');
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    await limiter.apiKey('203.0.113.9', async () => 'caller');
    const [refresh, confirm, key] = takes();
    expect(refresh?.Key).toEqual(key?.Key);
    expect(confirm?.Key).toEqual(key?.Key);
    // Only the key's good check was given back.
    expect(givenBack()).toHaveLength(1);

    // A provider that is down (not a refusal) costs the address nothing.
    await expect(
      limiter.confirmation('203.0.113.9', async () => {
        throw new Error('throttled upstream');
      }),
    ).rejects.toThrow('throttled upstream');
    expect(givenBack()).toHaveLength(2);

    dynamo.on(UpdateCommand).rejects(conditionFailed());
    let ran = false;
    const refused = await limiter
      .refreshToken('203.0.113.9', async () => {
        ran = true;
      })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TooManyRequestsError);
    expect(ran).toBe(false);
  });
});

describe('what a source address is counted as', () => {
  it('counts an IPv6 address by its /64 (one client holds them all) and an IPv4-mapped one as its IPv4', async () => {
    // Lambda function URLs (the event stream) take IPv6: a client with a /64 could otherwise give every
    // refused token a fresh address and a fresh budget.
    dynamo.on(UpdateCommand).resolves({});
    const keyOf = async (address: string) => {
      dynamo.resetHistory();
      await limiter.tokenRefused(address);
      return takes()[0]?.Key?.pk as string;
    };
    const first = await keyOf('2001:db8:1:2::1');
    expect(await keyOf('2001:db8:1:2:ffff:ffff:ffff:fffe')).toBe(first);
    expect(await keyOf('2001:DB8:1:2:0:0:0:1')).toBe(first);
    expect(await keyOf('2001:db8:1:3::1')).not.toBe(first);
    expect(await keyOf('::ffff:203.0.113.9')).toBe(await keyOf('203.0.113.9'));
    expect(await keyOf('203.0.113.9')).not.toBe(await keyOf('203.0.113.10'));
    // Whatever else the gateway passes is counted as it is.
    expect(await keyOf('unknown')).not.toBe(await keyOf('203.0.113.9'));
  });
});
