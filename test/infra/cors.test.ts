/**
 * The deployed CORS rules come from the same definition as the local server's and s3rver's
 * (shared/http/cors.ts), with each stage's origins and nothing else.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { STAGE_CONFIG, STAGES } from '#infra/config.ts';
import {
  API_CORS_ALLOW_HEADERS,
  API_CORS_EXPOSE_HEADERS,
  API_CORS_METHODS,
  allowOrigin,
  CORS_MAX_AGE_SECONDS,
  LOCAL_CORS_ORIGINS,
  MEDIA_CORS,
  preflightHeaders,
  responseCorsHeaders,
} from '#shared/http/cors.ts';
import { synthesizedStage } from '#test/support/stage-synth.ts';

function synth(stage: string) {
  const { data, compute } = synthesizedStage(stage);
  return { data, compute };
}

describe.each(STAGES)('stage %s', (stage) => {
  const origins = STAGE_CONFIG[stage].api.corsOrigins;
  // Plus the stage's web console, `https://` and its CloudFront domain (test/infra/console-site.test.ts).
  const withConsole = [...origins, Match.objectLike({ 'Fn::Join': Match.anyValue() })];

  it("gives the HTTP API and the media bucket the shared rules with the stage's origins", () => {
    const t = synth(stage);
    t.compute.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: withConsole,
        AllowMethods: [...API_CORS_METHODS],
        AllowHeaders: API_CORS_ALLOW_HEADERS,
        ExposeHeaders: API_CORS_EXPOSE_HEADERS,
        MaxAge: CORS_MAX_AGE_SECONDS,
      },
    });
    const rules = Object.values(t.data.findResources('AWS::S3::Bucket'))
      .map((b) => b.Properties.CorsConfiguration?.CorsRules)
      .filter(Boolean);
    expect(rules).toEqual([
      [
        {
          AllowedOrigins: [...origins, expect.objectContaining({ 'Fn::Join': expect.anything() })],
          AllowedMethods: [...MEDIA_CORS.allowedMethods],
          AllowedHeaders: MEDIA_CORS.allowedHeaders,
          ExposedHeaders: MEDIA_CORS.exposedHeaders,
          MaxAge: MEDIA_CORS.maxAgeSeconds,
        },
      ],
    ]);
    // What browsers read: Retry-After of a 429/503, ETag for If-None-Match, Location of what was created.
    expect(API_CORS_EXPOSE_HEADERS).toEqual(expect.arrayContaining(['etag', 'location', 'retry-after']));
  });

  it('lets a page send If-Match, and read the ETag it takes', () => {
    const origin = origins[0]!;
    const preflight = preflightHeaders(
      { origin, method: 'PATCH', headers: 'authorization, if-match' },
      origins,
    );
    expect(preflight['access-control-allow-origin']).toBe(origin);
    expect(preflight['access-control-allow-headers']?.split(',')).toContain('if-match');
    expect(API_CORS_EXPOSE_HEADERS).toContain('etag');
  });

  it('refuses an origin outside the list at preflight, as the local server does', () => {
    const request = { origin: 'https://foreign.example', method: 'POST', headers: 'authorization' };
    expect(preflightHeaders(request, origins)['access-control-allow-origin']).toBeUndefined();
    for (const origin of origins) {
      expect(preflightHeaders({ ...request, origin }, origins)['access-control-allow-origin']).toBe(origin);
    }
  });
});

describe('origin matching', () => {
  it('allows exact origins and one wildcard, nothing else', () => {
    expect(allowOrigin('http://localhost:5173', LOCAL_CORS_ORIGINS)).toBe(true);
    expect(allowOrigin('http://127.0.0.1:8123', LOCAL_CORS_ORIGINS)).toBe(true);
    expect(allowOrigin('http://localhost.evil.example', LOCAL_CORS_ORIGINS)).toBe(false);
    expect(allowOrigin('https://localhost:5173', LOCAL_CORS_ORIGINS)).toBe(false);
    expect(allowOrigin('null', LOCAL_CORS_ORIGINS)).toBe(false);
    expect(allowOrigin(undefined, LOCAL_CORS_ORIGINS)).toBe(false);
    expect(allowOrigin('https://app.example.com', ['https://app.example.com'])).toBe(true);
    expect(allowOrigin('https://app.example.com.evil', ['https://app.example.com'])).toBe(false);
    expect(allowOrigin('https://a.example', ['*'])).toBe(true);
  });

  it('exposes headers on responses to allowed origins only', () => {
    expect(responseCorsHeaders('http://localhost:5173', LOCAL_CORS_ORIGINS)).toMatchObject({
      'access-control-allow-origin': 'http://localhost:5173',
      'access-control-expose-headers': API_CORS_EXPOSE_HEADERS.join(','),
    });
    expect(responseCorsHeaders('https://foreign.example', LOCAL_CORS_ORIGINS)).toEqual({ vary: 'origin' });
  });
});
