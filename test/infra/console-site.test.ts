import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { STAGES } from '#infra/config.ts';
import { synthesizedStage } from '#test/support/stage-synth.ts';

function synth(stage: string) {
  const { built, outdir, data, compute } = synthesizedStage(stage);
  return { built, outdir, data, compute };
}

const logicalId = (template: Template, type: string, comment: RegExp) => {
  const [id] = Object.entries(template.findResources(type)).find(([, r]) =>
    comment.test(JSON.stringify(r.Properties)),
  ) ?? [undefined];
  if (!id) throw new Error(`no ${type} matching ${comment}`);
  return id;
};

describe.each(STAGES)('the web console of stage %s', (stage) => {
  let t: ReturnType<typeof synth>;
  beforeAll(() => {
    t = synth(stage);
  });

  it('is a private bucket reached only through CloudFront with origin access control', () => {
    const distribution = logicalId(t.data, 'AWS::CloudFront::Distribution', /console/);
    t.data.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      }),
    });
    t.data.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https', Compress: true }),
        Origins: [
          Match.objectLike({
            OriginAccessControlId: Match.anyValue(),
            S3OriginConfig: { OriginAccessIdentity: '' },
          }),
        ],
        Logging: Match.objectLike({ Prefix: 'console-cdn/' }),
      }),
    });
    // The bucket blocks public access and lets in CloudFront for this distribution only.
    const policies = Object.values(t.data.findResources('AWS::S3::BucketPolicy')).map((p) =>
      JSON.stringify(p.Properties.PolicyDocument),
    );
    const sitePolicy = policies.find((p) => p.includes('cloudfront.amazonaws.com'));
    expect(sitePolicy).toContain('"AWS:SourceArn"');
    expect(sitePolicy).toContain(distribution);
    expect(sitePolicy).toContain('"aws:SecureTransport":"false"');
    const [site] = Object.values(t.data.findResources('AWS::S3::Bucket')).filter((b) =>
      JSON.stringify(b.Properties).includes('"console/"'),
    );
    expect(site?.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
  });

  it('sends security headers with a content security policy', () => {
    t.data.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          ContentSecurityPolicy: Match.objectLike({
            ContentSecurityPolicy: Match.stringLikeRegexp("default-src 'self'.*frame-ancestors 'none'"),
          }),
          StrictTransportSecurity: Match.objectLike({ AccessControlMaxAgeSec: 31_536_000 }),
          FrameOptions: Match.objectLike({ FrameOption: 'DENY' }),
        }),
      }),
    });
  });

  it('deploys the build with a config.json naming the API and the user pool, and invalidates the page', () => {
    const deployments = Object.values(t.compute.findResources('Custom::CDKBucketDeployment'));
    expect(deployments).toHaveLength(2);
    const page = deployments.find((d) => d.Properties.DistributionPaths);
    expect(page?.Properties.DistributionPaths).toEqual(['/', '/index.html', '/config.json']);
    expect(page?.Properties.Prune).toBe(false);
    // Source.jsonData: the deploy-time values are markers filled from the tokens in SourceMarkers.
    const markers = JSON.stringify(page?.Properties.SourceMarkers);
    expect(markers).toContain('ApiEndpoint');
    expect(markers).toMatch(/Users\w*/);
    expect(markers).toMatch(/ApiClient\w*/);
    // The event stream's base URL: the events function's URL.
    expect(markers).toMatch(/"Fn::GetAtt":\["Api\w*events\w*FunctionUrl\w*","FunctionUrl"\]/);
    const configKey = (page?.Properties.SourceObjectKeys as unknown[] | undefined)?.[1];
    const asset = path.join(t.outdir, `asset.${String(configKey).replace(/\.zip$/, '')}`, 'config.json');
    expect(Object.keys(JSON.parse(readFileSync(asset, 'utf8'))).sort()).toEqual([
      'apiUrl',
      'eventsUrl',
      'region',
      'userPoolClientId',
      'userPoolId',
    ]);
    const assets = deployments.find((d) => !d.Properties.DistributionPaths);
    expect(JSON.stringify(assets?.Properties.SystemMetadata)).toContain('max-age=31536000, immutable');
    expect(JSON.stringify(page?.Properties.SystemMetadata)).toContain('no-cache');
    t.compute.hasOutput('ConsoleUrl', Match.anyValue());
  });

  it('is an origin the API, its event stream and the media bucket allow', () => {
    const [api] = Object.values(t.compute.findResources('AWS::ApiGatewayV2::Api'));
    const origins = JSON.stringify(api?.Properties.CorsConfiguration.AllowOrigins);
    expect(origins).toContain('https://');
    expect(origins).toMatch(/ConsoleDistribution\w+("?,"?)?DomainName/);
    const [stream] = Object.values(t.compute.findResources('AWS::Lambda::Url'));
    expect(JSON.stringify(stream?.Properties.Cors.AllowOrigins)).toMatch(
      /ConsoleDistribution\w+("?,"?)?DomainName/,
    );
    const media = Object.values(t.data.findResources('AWS::S3::Bucket')).find(
      (b) => b.Properties.CorsConfiguration,
    );
    expect(JSON.stringify(media?.Properties.CorsConfiguration)).toMatch(
      /ConsoleDistribution\w+("?,"?)?DomainName/,
    );
  });
});
